"""Hand-placed boundaries: Audacity label files and cue sheets, matched to chapters and sections by name.

A label or cue track whose name matches a chapter (its title, "Chapter 5", or its id) pins
that chapter's start; one matching a section pins the section's. Names are matched as
titles are everywhere here: forgiving case, quotes, punctuation and word endings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from audiobook.book.headings import title_similarity
from audiobook.book.reading import read_text
from audiobook.errors import InputError
from audiobook.manifest.model import ChapterEntry
from audiobook.plan.planner import chapter_title

SAME_NAME = 0.85


@dataclass(frozen=True)
class Label:
    start_s: float
    name: str
    file: str | None = None  # a cue sheet's FILE: the time is inside that recording
    line: int = 0


def parse_audacity_labels(text: str, name: str = "labels.txt") -> list[Label]:
    """Audacity's label export: `start<TAB>end<TAB>label` per line (spectral `\\` lines skipped)."""
    labels = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("\\"):
            continue
        parts = line.split("\t")
        try:
            start = float(parts[0].replace(",", "."))
        except ValueError:
            raise InputError(f"{name}:{n}: not an Audacity label line (start<TAB>end<TAB>label): {line[:60]!r}") from None
        labels.append(Label(start, parts[2].strip() if len(parts) > 2 else "", line=n))
    return labels


_CUE_INDEX = re.compile(r"^\s*INDEX\s+01\s+(\d+):(\d{1,2}):(\d{1,2})\s*$", re.IGNORECASE)
_CUE_FILE = re.compile(r'^\s*FILE\s+"?(.*?)"?\s+\w+\s*$', re.IGNORECASE)
_CUE_TITLE = re.compile(r'^\s*TITLE\s+"?(.*?)"?\s*$', re.IGNORECASE)
_CUE_TRACK = re.compile(r"^\s*TRACK\s+\d+\s+\w+", re.IGNORECASE)


def parse_cue(text: str, name: str = "book.cue") -> list[Label]:
    """A cue sheet: each TRACK's TITLE at its INDEX 01 (mm:ss:ff, 75 frames a second) in its FILE."""
    labels: list[Label] = []
    file = title = None
    in_track = False
    for n, line in enumerate(text.splitlines(), 1):
        if m := _CUE_FILE.match(line):
            file = Path(m[1]).name
        elif _CUE_TRACK.match(line):
            in_track, title = True, None
        elif (m := _CUE_TITLE.match(line)) and in_track:
            title = m[1]
        elif m := _CUE_INDEX.match(line):
            if not in_track:
                raise InputError(f"{name}:{n}: INDEX before any TRACK")
            seconds = int(m[1]) * 60 + int(m[2]) + int(m[3]) / 75
            labels.append(Label(seconds, title or "", file, n))
    return labels


def read_labels(path: Path) -> list[Label]:
    text = read_text(path)
    if path.suffix.lower() == ".cue" or re.search(r"^\s*TRACK\s+\d+\s+AUDIO", text, re.MULTILINE | re.IGNORECASE):
        return parse_cue(text, str(path))
    return parse_audacity_labels(text, str(path))


def _names(ch: ChapterEntry) -> list[str]:
    label = ch.kind.capitalize() + (f" {ch.number}" if ch.number is not None else "")
    return [n for n in (ch.title, label, f"{label}: {ch.title}", chapter_title(ch), ch.id) if n]


def apply_labels(chapters: list[ChapterEntry], labels: list[Label], offsets: dict[str, float],
                 base_s: float = 0.0) -> list[str]:
    """Pin chapter and section starts from `labels` (times from `base_s`, or inside their file by
    `offsets`); returns the names of labels that matched nothing, for the plan's notes."""
    unmatched = []
    for lab in labels:
        t = (offsets[lab.file] if lab.file in offsets else base_s) + lab.start_s
        if lab.file is not None and lab.file not in offsets:
            raise InputError(f"label {lab.name!r}: '{lab.file}' is not one of the recordings")
        best, best_score = None, SAME_NAME
        for ch in chapters:
            for name in _names(ch):
                exact = lab.name.strip().lower() == name.lower()
                score = 1.0 if exact else title_similarity(lab.name, name) if lab.name else 0.0
                if score >= best_score:
                    best, best_score = ch, score
            for s in ch.sections:
                score = title_similarity(lab.name, s.title) if lab.name else 0.0
                if score > best_score:
                    best, best_score = s, score
        if best is None:
            unmatched.append(lab.name)
        else:
            best.start = round(t, 3)
    return unmatched
