"""Each chapter's text as it is read and shown: its heading, then its sentences, in the book's own words."""

from __future__ import annotations

from pathlib import Path

from audiobook.book.sentences import sentences
from audiobook.manifest import Manifest
from audiobook.manifest.model import ChapterEntry
from audiobook.plan.planner import spoken_title
from audiobook.transcript.cues import Line


def chapter_lines(chapters: list[ChapterEntry], manifest: Manifest, folder: Path) -> list[list[Line]]:
    """For each chapter: its heading as spoken ("Chapter 1: What Has Been Achieved"), its text's
    sentences, and each section's heading as printed ("1. The Principal Indices …") and sentences."""
    from audiobook.book import read_book
    from audiobook.manifest.write import chapters_from_book

    toc = folder / manifest.book.toc if manifest.book.toc and (folder / manifest.book.toc).is_file() else None
    book = read_book(folder / manifest.book.text, toc)
    parts = {entry.id: part for entry, part in zip(chapters_from_book(book), book.parts)}
    out = []
    for ch in chapters:
        lines = [Line(spoken_title(ch), heading=True)]
        part = parts.get(ch.id)
        if part is not None:
            lines += _paragraphs(part.text)
            for s in part.sections:
                if not s.heading_lost:  # a heading the text lost is not read where it is put
                    lines.append(Line(f"{s.number}. {s.title}" if s.number is not None else s.title, heading=True))
                lines += _paragraphs(s.text)
        out.append(lines)
    return out


def _paragraphs(text: str) -> list[Line]:
    return [Line(s, opens_paragraph=n == 0) for para in text.split("\n\n") for n, s in enumerate(sentences(para))]
