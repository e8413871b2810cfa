"""audiobook: turn a narrator's recordings and a book's text into a finished audiobook."""

from __future__ import annotations

__version__ = "0.1.0"
