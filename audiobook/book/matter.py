"""Front and back matter: what a book prints that a narrator does not read — the cover, the title
page, the copyright page, the contents, a dedication or epigraph, the notes, the index, the colophon,
"Also by" — recognised by its EPUB type or its title, and how much of it was left out, by name."""

from __future__ import annotations

import re
from dataclasses import dataclass

FRONT_TYPES = {"cover", "titlepage", "title-page", "halftitlepage", "copyright-page", "copyright", "imprint",
               "toc", "loi", "lot", "landmarks", "seriespage", "dedication", "epigraph", "other-credits"}
BACK_TYPES = {"index", "colophon", "uncopyright", "bibliography", "glossary"}
NOTE_TYPES = {"footnotes", "endnotes", "rearnotes", "notes"}
MATTER_TYPES = FRONT_TYPES | BACK_TYPES | NOTE_TYPES

_FRONT_TITLES = re.compile(r"^\s*(?:cover|title\s*page|half[\s-]*title(?:\s*page)?|copyright(?:\s*page)?|imprint"
                           r"|(?:table of\s+)?contents|dedication|epigraph)\s*$", re.IGNORECASE)
_BACK_TITLES = re.compile(r"^\s*(?:index|also by\b.*|other (?:books|titles) by\b.*|colophon|uncopyright"
                          r"|about the (?:author|publisher))\s*$", re.IGNORECASE)
_NOTE_TITLES = re.compile(r"^\s*(?:(?:end|foot)?notes|notes to the text)\s*$", re.IGNORECASE)

FRONT, BACK, NOTES = "front matter", "back matter", "notes"


@dataclass
class LeftOut:
    """Text the book holds that is not narrated: its name as the book gives it, its words, and why
    (front matter, back matter, notes)."""

    name: str
    words: int
    why: str

    def __str__(self) -> str:
        return f"{self.name} ({self.words:,} words, {self.why})"


def matter_of_types(types: set[str]) -> str | None:
    """FRONT, BACK or NOTES for a document's EPUB types (`epub:type`, landmarks), else None."""
    if types & NOTE_TYPES:
        return NOTES
    if types & FRONT_TYPES:
        return FRONT
    if types & BACK_TYPES:
        return BACK
    return None


def matter_of_title(title: str | None) -> str | None:
    """FRONT, BACK or NOTES for a document titled as such ("Copyright", "Contents", "Notes", "Index")."""
    if not title:
        return None
    if _NOTE_TITLES.match(title):
        return NOTES
    if _FRONT_TITLES.match(title):
        return FRONT
    if _BACK_TITLES.match(title):
        return BACK
    return None
