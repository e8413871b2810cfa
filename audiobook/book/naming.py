"""A chapter named by its heading alone: "Chapter 2: Title", "Letter IV", "Stave I: Marley's Ghost",
"XII", "I: At the Admiral Benbow", "3.2 Biographical background", or a bare title (numbered next)."""

from __future__ import annotations

import re

from audiobook.book.headings import clean_title, match_keyword_heading, match_own_number, parse_number, smart_title
from audiobook.book.model import Part

# "XII", "12", "I: At the Admiral Benbow", "3. The Voyage": a chapter numbered by a numeral alone
NUMERAL_TITLE = re.compile(r"^(?P<num>\d{1,3}|[IVXLC]{1,7})(?:\s*[:.—–]\s*(?P<title>\S.*))?$")


def part_named(name: str, chapters: int) -> Part | None:
    """The part a heading names; a bare title is chapter `chapters + 1`. None for no name."""
    if not name:
        return None
    kh = match_keyword_heading(name)
    if kh is not None:
        return Part(kind=kh.kind, number=kh.number, title=kh.part_title)
    if match_own_number(name):  # the book's own numbering ("3.2 Biographical background"): kept as printed
        return Part(kind="chapter", number=None, title=clean_title(name))
    m = NUMERAL_TITLE.match(name)
    if m and parse_number(m["num"]) is not None:
        return Part(kind="chapter", number=parse_number(m["num"]), title=smart_title(m["title"]) if m["title"] else None)
    return Part(kind="chapter", number=chapters + 1, title=smart_title(name))


def same_numeral(a: str, b: str) -> bool:
    """"XII" and "12": the same number written two ways."""
    ma, mb = NUMERAL_TITLE.match(a), NUMERAL_TITLE.match(b)
    return bool(ma and mb and parse_number(ma["num"]) == parse_number(mb["num"]))
