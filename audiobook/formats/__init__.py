"""Output formats, one module each: what a format's files are (extension, MIME type, the sample
rates its codec takes, whether a bitrate applies), how samples are written to them, and how
their tags and chapter markers are written and read back.

Everything else asks here — the manifest's checks, the renderer, the tagger, the feed, `check`,
`publish` — by name (`get("opus")`) or by file (`for_path(path)`). Adding a format is one
module here and its line in `_MODULES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import BinaryIO, Protocol

import numpy as np

from audiobook.tags.metadata import Chapter, TrackTags


class Writer(Protocol):
    """Encodes blocks of samples into an open file. `integer_pcm`: it takes 16-bit integers (the
    renderer dithers for it); else float32 in [-1, 1]."""

    integer_pcm: bool

    def write(self, block: np.ndarray) -> None: ...

    def finish(self, samples: int) -> None:
        """The stream is complete (`samples` frames were written): flush what is held back."""


@dataclass(frozen=True)
class Format:
    name: str  # as the manifest's output.format says it
    extension: str
    mime: str  # what the feed's enclosures say
    describe: str  # for messages: "MP3 (LAME, CBR)"
    chapters_as: str  # how its chapter markers are stored, for messages
    sample_rates: tuple[int, ...] | None = None  # those its codec takes; None: any
    bitrate: bool = False  # whether output.bitrate_kbps applies
    encoder_gain_db: float = 0.0  # what the encoder does to the level (the renderer makes up for it)
    open_writer: Callable[[BinaryIO, Path, int, int, int], Writer] | None = None  # (file, path, rate, channels,
    # kbps); None: not written track by track (the M4B)
    write_tags: Callable[[Path, TrackTags, int], None] | None = None  # (path, tags, id3_version)
    read_chapters: Callable[[Path], tuple[list[Chapter], list[str]]] | None = None  # markers, problems seen

    def rate_for(self, asked: int) -> int:
        """The sample rate its files are written at: `asked` where the codec takes it, else the
        lowest it takes above (Opus: 48 kHz for 44.1 kHz), else its highest."""
        if not self.sample_rates or asked in self.sample_rates:
            return asked
        above = [r for r in self.sample_rates if r >= asked]
        return min(above) if above else max(self.sample_rates)


_MODULES = {"mp3": "mp3", "flac": "flac", "ogg": "vorbis", "opus": "opus", "wav": "wav", "m4b": "m4b"}
WRITTEN = ("mp3", "flac", "ogg", "opus", "wav")  # what output.format may be (the M4B comes besides them)


def get(name: str) -> Format:
    """The format called `name` (KeyError for one we do not have)."""
    return import_module(f"audiobook.formats.{_MODULES[name]}").FORMAT


def every() -> list[Format]:
    return [get(n) for n in _MODULES]


def for_path(path: str | Path) -> Format | None:
    """The format a file's name says (".m4a" is the M4B's AAC too); None for one we do not know."""
    suffix = Path(path).suffix.lower()
    suffix = {".m4a": ".m4b", ".oga": ".ogg"}.get(suffix, suffix)
    return next((f for f in every() if f.extension == suffix), None)


def write_tags(path: str | Path, tags: TrackTags, id3_version: int = 3, kind: str | None = None) -> None:
    """Tag the finished track at `path` in place, as its format does (ID3 with CHAP/CTOC for MP3,
    Vorbis comments for FLAC and Ogg); `kind` (a format's name) when its file name does not say."""
    fmt = get(kind) if kind else for_path(path)
    if fmt is not None and fmt.write_tags is not None:
        fmt.write_tags(Path(path), tags, id3_version)


def extensions() -> tuple[str, ...]:
    """Every audio file name ending we write or read back (".m4a" with ".m4b")."""
    return tuple(f.extension for f in every()) + (".m4a",)


def mime_for(path: str | Path) -> str:
    fmt = for_path(path)
    return fmt.mime if fmt else "application/octet-stream"


def read_chapters(path: str | Path) -> tuple[list[Chapter], list[str]]:
    """A file's chapter markers as its format stores them (none for a format that has no way),
    and what is wrong with how they are stored."""
    fmt = for_path(path)
    if fmt is None or fmt.read_chapters is None:
        return [], []
    return fmt.read_chapters(Path(path))
