"""What goes into a track's tags, independent of the tag format; the cover art check."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

from audiobook.errors import InputError

COVER_MIN_PX, COVER_MAX_PX = 1400, 3000  # Apple Podcasts' cover art requirements


@dataclass
class Chapter:
    """A chapter marker inside a track: a section, or the track's own heading at 0; as written
    into a file and as read back from one (`end_s` None where the format stores starts only)."""

    title: str
    start_s: float
    end_s: float | None = None


def ending(marks: list[Chapter], end_s: float) -> list[Chapter]:
    """`marks` (in order), each ending where the next begins and the last at `end_s`: how every
    format that stores an end (ID3 CHAP, the M4B, the report) gets it, worked out once."""
    return [Chapter(m.title, m.start_s, marks[i + 1].start_s if i + 1 < len(marks) else end_s)
            for i, m in enumerate(marks)]


@dataclass
class TrackTags:
    title: str
    album: str
    artist: str | None = None  # the author
    narrator: str | None = None
    track: int = 1
    tracks: int = 1
    disc: int = 1
    discs: int = 1
    genre: str = "Audiobook"
    year: int | None = None
    publisher: str | None = None
    language: str | None = None
    copyright: str | None = None
    description: str | None = None
    cover: bytes | None = None
    cover_mime: str | None = None
    chapters: list[Chapter] = field(default_factory=list)


def read_cover(path: Path) -> tuple[bytes, str, list[str]]:
    """The cover's bytes, MIME type, and warnings (not square, too small or large)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the cover ({exc.strerror})") from None
    size = image_size(data)
    if size is None:
        raise InputError(f"{path}: not a JPEG or PNG image — give the cover as JPEG or PNG")
    mime, (w, h) = size
    if not _image_complete(data, mime):
        raise InputError(f"{path}: the image is cut short or damaged (it has no end marker) — export the cover again")
    return data, mime, check_cover(w, h, path.name)


def _image_complete(data: bytes, mime: str) -> bool:
    """Whether the image runs to its end: PNG's IEND chunk, JPEG's end-of-image marker (a few
    bytes of padding after it are common and harmless)."""
    if mime == "image/png":
        return data.rstrip(b"\x00")[-12:-4] == b"\x00\x00\x00\x00IEND"
    return b"\xff\xd9" in data[-64:]


def check_cover(width: int, height: int, name: str = "cover") -> list[str]:
    warnings = []
    if width != height:
        warnings.append(f"{name}: {width}x{height} is not square — podcast apps and stores crop or refuse it")
    if min(width, height) < COVER_MIN_PX or max(width, height) > COVER_MAX_PX:
        warnings.append(f"{name}: {width}x{height} px — Apple asks for {COVER_MIN_PX} to {COVER_MAX_PX} px a side")
    return warnings


def image_size(data: bytes) -> tuple[str, tuple[int, int]] | None:
    """(MIME type, (width, height)) of a PNG or JPEG, read from its header."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return "image/png", (w, h)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return "image/jpeg", (w, h)
            i += 2 + length
        return None
    return None
