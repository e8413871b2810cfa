"""Book text → parts (introduction, chapters, appendix) and sections, with clean text and word counts."""

from __future__ import annotations

from audiobook.book.model import Book, ParseWarning, Part, Section, count_words
from audiobook.book.parse import parse_book, read_book

__all__ = ["Book", "ParseWarning", "Part", "Section", "count_words", "parse_book", "read_book"]
