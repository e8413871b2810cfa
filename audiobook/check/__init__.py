"""`audiobook check`: prove runtime, chapter markers and compliance, for our builds and any audiobook."""

from __future__ import annotations

from pathlib import Path

from audiobook.check.files import AUDIO, Finding, check_files, read_markers
from audiobook.errors import InputError

__all__ = ["AUDIO", "Finding", "check_files", "collect", "read_markers"]


def collect(paths: list[Path]) -> list[Path]:
    """Audio files named, or found directly in the folders named (retail samples left out)."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.suffix.lower() in AUDIO and not q.name.startswith(".")
                           and not q.name.startswith("retail-sample"))
            if not found:
                raise InputError(f"{p}: no audiobook files here (MP3, M4B, M4A, FLAC, Ogg, WAV)")
            files += found
        else:
            files.append(p)
    return files
