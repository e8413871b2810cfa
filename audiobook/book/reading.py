"""Reading text files: UTF-8 or cp1252, with the commonest mojibake repaired."""

from __future__ import annotations

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
    text = ftfy.fix_encoding(text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
