"""Reading text files: UTF-8 or cp1252, with the commonest mojibake repaired."""

from __future__ import annotations

from pathlib import Path

from audiobook.errors import InputError

# UTF-8 punctuation read as cp1252: "â€™" for "’", "â€œ" for "“" ...
_MOJIBAKE_MARKS = ("â€", "Ã©", "Ã¨", "Ã¢", "Ã¶", "Ã¼")


def decode_text(data: bytes, name: str = "<text>") -> str:
    """Decode `data` as UTF-8 (with or without BOM), else as cp1252; repair double-encoding."""
    if b"\x00" in data[:4096]:
        raise InputError(f"{name}: not a text file (it holds binary data) — give the book as plain text or Markdown")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if any(mark in text for mark in _MOJIBAKE_MARKS):
        try:
            text = text.encode("cp1252").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass  # mixed text: leave it as it is rather than make it worse
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
