"""`audiobook init` on one book of the corpus, measured against its reference: the chapters (count,
titles in order, the opening), front and back matter kept out of chapters and sections, and the words."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bookcorpus.reference import Reference

WORDS_TOLERANCE = 0.02
MATTER = re.compile(r"^(?:(?:end|foot)?notes|contents|table of contents|copyright|imprint|index|colophon|uncopyright"
                    r"|titlepage|title page|cover|also by\b.*|dedication|epigraph)$", re.IGNORECASE)
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


@dataclass
class Result:
    """One book's measure: chapters made and listed, titles that agree, front or back matter made a
    chapter or section, the opening kept (None: the book has none), words made and counted."""

    chapters: int
    listed: int
    titles_agree: int
    matter_made: list[str]
    opening_kept: bool | None
    words: int
    reference_words: int
    error: str = ""

    @property
    def words_off(self) -> float:
        return (self.words - self.reference_words) / self.reference_words if self.reference_words else 1.0

    @property
    def ok(self) -> bool:
        return (not self.error and self.chapters == self.listed == self.titles_agree and not self.matter_made
                and self.opening_kept is not False and abs(self.words_off) <= WORDS_TOLERANCE)


def _tokens(title: str) -> list[str]:
    words = re.findall(r"[^\W_]+", title.lower().replace("’", "'").replace("'", ""))
    out = [str(_roman(w)) if _roman(w) else w for w in words]
    while out and out[0] in ("chapter",):
        out = out[1:]
    return out


def _roman(word: str) -> int | None:
    if not re.fullmatch(r"[ivxlc]+", word):
        return None
    values = [_ROMAN[c] for c in word]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def titles_agree(ours: str, listed: str) -> bool:
    """The same title, forgiving case, punctuation, Roman or Arabic numbers, a "Chapter" in front and a
    chapter number one side adds ("Chapter 1: A Scandal in Bohemia" — "A Scandal in Bohemia")."""
    a, b = _tokens(ours), _tokens(listed)
    if a == b:
        return True
    return bool(a and b) and ((a[0].isdigit() and a[1:] == b) or (b[0].isdigit() and b[1:] == a))


def measure(path: Path, ref: Reference) -> Result:
    from audiobook.errors import AudiobookError
    from audiobook.manifest.write import init_manifest
    from audiobook.plan.planner import chapter_title

    with tempfile.TemporaryDirectory() as tmp:
        try:
            _, manifest, book = init_manifest(tmp, path, title=ref.title)
        except AudiobookError as exc:
            return Result(0, len(ref.chapters), 0, [], None, 0, ref.words, error=str(exc))
    chapters = manifest.chapters
    listed = ref.chapters[1:] if ref.opening else ref.chapters
    ours = chapters[1:] if ref.opening and chapters and chapters[0].kind == "opening" else chapters
    agree = sum(titles_agree(chapter_title(c), r.title) for c, r in zip(ours, listed))
    matter = [t for c in chapters for t in (c.title or "", *(s.title for s in c.sections))
              if MATTER.match(t.strip()) or t.strip() in ref.not_read]
    opening = (bool(chapters) and chapters[0].kind == "opening") if ref.opening else None
    return Result(len(ours) + (1 if opening else 0), len(ref.chapters), agree + (1 if opening else 0), matter,
                  opening, sum(c.words for c in chapters), ref.words)
