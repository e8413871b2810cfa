"""Reading text files: UTF-8 or cp1252, with the commonest mojibake repaired."""

from __future__ import annotations

import re
from pathlib import Path

import ftfy

from audiobook.errors import InputError


def decode_text(data: bytes, name: str = "<text>") -> str:
    """Decode `data` as UTF-8 (with or without BOM), else as cp1252; repair mojibake."""
    if b"\x00" in data[:4096]:
        raise InputError(f"{name}: not a text file (it holds binary data) — give the book as plain text or Markdown")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    # UTF-8 once read as Latin-1 or cp1252 ("Trotskyâ€™s"): ftfy undoes it and leaves clean text alone
    text = repair_mac_roman_punctuation(ftfy.fix_encoding(text))
    return text.replace("\r\n", "\n").replace("\r", "\n")


_ENGLISH = re.compile(r"\b(?:the|and|of|to|in|is|that|was)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?<=[A-Za-z])í(?=(?:s|t|ll|re|ve|d|m)\b)")  # Trotskyís, donít, weíll


def repair_mac_roman_punctuation(text: str) -> str:
    """cp1252 text once read as Mac Roman ("Trotskyís", "ëthe nationí", "Lenin ñ the"): ftfy leaves
    it, as it spells real accented letters. Undone — exactly, by the reverse round trip — only in
    English text whose apostrophes give it away and that has no true curly quotes or dashes."""
    words = len(text.split())
    if (not _POSSESSIVE.search(text) or len(_ENGLISH.findall(text)) < 0.05 * words
            or any(c in text for c in "‘’“”–—")):
        return text
    try:
        return text.encode("mac_roman").decode("cp1252")
    except UnicodeError:
        return text


def read_text(path: str | Path) -> str:
    """The text of the file at `path`, decoded; a clear InputError when it cannot be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file — check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a text file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    return decode_text(data, str(path))
