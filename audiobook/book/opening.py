"""Text before a book's first heading: the opening a narrator reads under the title, where it reads
as prose; a contents list, a licence's lines or a byline is not (the caller names it left out)."""

from __future__ import annotations

import re

from audiobook.book.model import Part, count_words

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
MIN_PROSE_SHARE = 0.6  # of the words before the first heading, in paragraphs of sentences
MIN_PARAGRAPH_WORDS = 12
_BYLINE = re.compile(r"^\s*by\s+\S", re.IGNORECASE)


def prose_share(text: str) -> float:
    """The share of `text`'s words in paragraphs that are sentences: long enough and ending one."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    total = sum(count_words(p) for p in paragraphs)
    prose = sum(count_words(p) for p in paragraphs
                if count_words(p) >= MIN_PARAGRAPH_WORDS and _SENTENCE_END.search(p))
    return prose / total if total else 0.0


def opening_part(text: str, line: int | None = None) -> Part | None:
    """The opening, where `text` (what comes before the first heading, the title taken off) reads as
    prose; its byline ("by Leon Trotsky") is not read as the opening's. None otherwise."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    while paragraphs and _BYLINE.match(paragraphs[0]) and count_words(paragraphs[0]) <= 8:
        paragraphs.pop(0)
    kept = "\n\n".join(paragraphs)
    if not kept or prose_share(kept) < MIN_PROSE_SHARE:
        return None
    return Part(kind="opening", number=None, title=None, text=kept, line=line)
