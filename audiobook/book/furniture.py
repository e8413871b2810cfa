"""Page furniture in text dumps: running headers, URLs, banners, navigation lines.

None of it is read aloud, so none of it may count as words or pass for a heading.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from audiobook.book.headings import (
    NUMBER,
    is_blank,
    is_heading_like,
    match_keyword_heading,
    match_numbered_line,
    parse_number,
)

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_PAGE_OF = re.compile(r"\(\s*\d+\s+of\s+\d+\s*\)|\[\s*\d{1,2}/\d{1,2}/\d{2,4}[^\]]*\]", re.IGNORECASE)
_NAV = re.compile(
    r"^\s*(?:back\s+to|previous|prev\.?|<<|«)\b.*?(?:on\s+to|next|forward\s+to)\s+(?P<target>.+?)\s*(?:>>|»)?\s*$",
    re.IGNORECASE,
)
_NAV_TARGET = re.compile(rf"^(?P<kind>chapter|part|appendix|introduction|intro|preface|epilogue|afterword|postscript|conclusion)"
                         rf"(?:\s+(?P<num>{NUMBER}))?\b", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?[-–—]?\s*\d{1,4}\s*[-–—]?\s*$", re.IGNORECASE)
REPEATS_FOR_FURNITURE = 3  # a short line seen this often, unchanged but for digits, is a running header
MAX_FURNITURE_CHARS = 90


@dataclass
class NavHint:
    """A navigation line ("Back to CHAPTER 4 — On to CHAPTER 5"): the next part starts after it."""

    index: int  # 0-based line index of the navigation line
    kind: str
    number: int | None
    text: str


@dataclass
class Furniture:
    lines: set[int]  # 0-based indices of lines that are furniture
    nav: list[NavHint]


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def _is_structural(line: str) -> bool:
    return match_keyword_heading(line) is not None or match_numbered_line(line) is not None


def find_furniture(lines: list[str]) -> Furniture:
    """Find the lines of `lines` that are page furniture, and the navigation hints among them."""
    furniture: set[int] = set()
    nav: list[NavHint] = []
    shapes = [_shape(line) for line in lines]
    counts = Counter(s for s, line in zip(shapes, lines) if s and not is_blank(line))
    for i, line in enumerate(lines):
        if is_blank(line):
            continue
        stripped = line.strip()
        m = _NAV.match(stripped)
        if m:
            furniture.add(i)
            t = _NAV_TARGET.match(m["target"].strip())
            if t:
                kind = t["kind"].lower()
                kind = "introduction" if kind == "intro" else kind
                nav.append(NavHint(i, kind, parse_number(t["num"]), stripped))
            continue
        if _URL.search(stripped):
            rest = _PAGE_OF.sub("", _URL.sub("", stripped))
            if len(rest.split()) <= 3:
                furniture.add(i)
                continue
        if _PAGE_NUMBER.match(stripped) and not _is_structural(stripped):
            furniture.add(i)
            continue
        if (counts[shapes[i]] >= REPEATS_FOR_FURNITURE and len(stripped) <= MAX_FURNITURE_CHARS
                and not _is_structural(stripped)):
            furniture.add(i)
    _extend_banners(lines, furniture)
    return Furniture(furniture, nav)


def _extend_banners(lines: list[str], furniture: set[int]) -> None:
    """Short blocks just before a running banner belong to it ("The Leon Trotsky / Archive").

    Only looks backwards, a few blocks, and only at blocks made wholly of short title-like
    lines: the end of a paragraph cut by a page break is never taken.
    """
    for i in sorted(furniture):
        j = i - 1
        blocks = 0
        while j >= 0 and blocks < 3:
            if is_blank(lines[j]) or j in furniture:
                j -= 1
                continue
            end = j
            while j >= 0 and not is_blank(lines[j]) and j not in furniture:
                j -= 1
            block = range(j + 1, end + 1)
            if j >= 0 and j in furniture and not is_blank(lines[j]):
                pass  # the block sits right under other furniture: fine
            texts = [lines[k].strip() for k in block]
            if not all(len(t.split()) <= 4 and is_heading_like(t) and not _is_structural(t) for t in texts):
                break
            furniture.update(block)
            blocks += 1
