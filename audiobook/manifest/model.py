"""The manifest: the book, the output settings, the recordings, and the chapters that drive a build.

The dataclasses here are the one home of every default; the JSON Schema shipped beside
them (`schema.json`) describes the same keys, and a test keeps the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from audiobook.presets import DEFAULT_PRESET

SAMPLE_RATES_HZ = (22050, 24000, 32000, 44100, 48000)


@dataclass
class BookInfo:
    """Who and what: the tags, the feed and the credits are made from this."""

    title: str = ""
    subtitle: str | None = None
    author: str | None = None
    narrator: str | None = None
    translator: str | None = None
    language: str = "en"
    publisher: str | None = None
    year: int | None = None
    copyright: str | None = None
    description: str | None = None
    text: str | None = None  # the book's text, relative to the recordings folder
    toc: str | None = None
    blurb: str | None = None
    cover: str | None = None


@dataclass
class OutputSettings:
    """How tracks are encoded and mastered; the defaults are ACX's audio requirements."""

    format: str = "mp3"
    bitrate_kbps: int = 192
    sample_rate_hz: int = 44100
    channels: int = 1
    preset: str = DEFAULT_PRESET
    id3_version: int = 3  # ID3v2.3 for the widest player support; 4 for v2.4
    retail_sample_chapter: str | None = None  # id of the chapter the sample opens; default: the first after credits
    retail_sample_max_s: float = 300.0  # ACX: at most five minutes


@dataclass
class FeedSettings:
    """The podcast feed: where the files will be served from, and the show's details."""

    base_url: str | None = None  # enclosure URLs are built from it; without one they are relative
    link: str | None = None  # the book's web page
    owner_name: str | None = None
    owner_email: str | None = None
    category: str = "Arts"
    subcategory: str | None = "Books"
    explicit: bool = False


@dataclass
class Recordings:
    """The narrator's session files, played in this order as one timeline.

    `files` empty means every audio file in the recordings folder, in name order.
    `labels` is an Audacity label file whose labels name chapters or sections.
    """

    files: list[str] = field(default_factory=list)
    labels: str | None = None


@dataclass
class SectionEntry:
    """A section inside a chapter: becomes a chapter marker in the chapter's track."""

    title: str = ""
    words: int = 0
    start: str | float | None = None  # pinned start, "[FILE ]H:MM:SS.sss" or seconds
    heading_lost: bool = False  # the text lost its heading: placed only where its title is heard spoken


@dataclass
class ChapterEntry:
    """A chapter (or introduction, appendix, credits): one finished track.

    By default its place in the recordings is found automatically from the word counts
    and the pauses; `files`, `start`/`end` or `labels` pin it by hand.
    """

    id: str = ""
    title: str = ""
    kind: str = "chapter"
    number: int | None = None
    words: int = 0
    sections: list[SectionEntry] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    start: str | float | None = None
    end: str | float | None = None
    labels: str | None = None


@dataclass
class Manifest:
    book: BookInfo = field(default_factory=BookInfo)
    output: OutputSettings = field(default_factory=OutputSettings)
    feed: FeedSettings = field(default_factory=FeedSettings)
    recordings: Recordings = field(default_factory=Recordings)
    chapters: list[ChapterEntry] = field(default_factory=list)


_TIME = re.compile(r"^(?:(?P<h>\d+):)?(?:(?P<m>\d{1,2}):)?(?P<s>\d+(?:\.\d+)?)$")


def parse_time(value: str | float | int) -> tuple[str | None, float]:
    """A pinned time → (file or None for the whole timeline, seconds).

    Accepts seconds (93.5), "1:33.5", "1:02:03.25", and "session-02.flac 12:03.5" for a
    time inside one file. Raises ValueError with the reason otherwise.
    """
    if isinstance(value, bool):
        raise ValueError("a time, not true/false")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError("a time cannot be negative")
        return None, float(value)
    text = str(value).strip()
    file = None
    if " " in text:
        file, text = text.rsplit(" ", 1)
        file = file.strip()
    m = _TIME.match(text)
    if not m:
        raise ValueError(f"{value!r} is not a time: write seconds (93.5), M:SS.s or H:MM:SS.s, "
                         "optionally after a file name")
    hours = int(m["h"] or 0)
    minutes = int(m["m"] or 0)
    if m["m"] is None and m["h"] is not None:
        hours, minutes = 0, hours  # "1:33.5" is minutes:seconds
    seconds = float(m["s"])
    if (m["h"] is not None) and seconds >= 60:
        raise ValueError(f"{value!r}: seconds must be under 60")
    return file, hours * 3600 + minutes * 60 + seconds


def slug(text: str) -> str:
    """A stable, filesystem- and YAML-safe id: "Chapter 5: The Soviet Thermidor" → "chapter-05"."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "part"
