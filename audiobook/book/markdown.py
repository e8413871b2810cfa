"""Markdown books and tables of contents: `#` headings name the parts and sections."""

from __future__ import annotations

import re

from audiobook.book.headings import (
    NUMBERED_KINDS,
    SECTION_KINDS,
    SECTION_UNDER,
    clean_title,
    is_dotted_heading,
    match_keyword_heading,
    match_own_number,
    smart_title,
)
from audiobook.book.matter import FRONT, LeftOut, matter_of_title
from audiobook.book.model import Book, Part, Section, count_words
from audiobook.book.naming import part_named
from audiobook.book.opening import opening_part
from audiobook.book.plain import group_parts, rank_by_numbers
from audiobook.book.reflow import reflow

_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.DOTALL)
GROUP_KINDS = {"part", "book"}  # kinds that group chapters, where the chapters have headings of their own
_SECTION_NUMBER = re.compile(r"^\s*(?P<num>\d{1,2})\s*[.)](?!\d)\s*")  # "1. ", not "3.9.2 " (kept whole)


def strip_inline(text: str) -> str:
    """Markdown inline markup → the words a narrator reads."""
    s = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images
    s = re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", lambda m: m[1].rsplit("/", 1)[-1], s)  # [[wiki|links]]
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s)  # [text](url)
    s = re.sub(r"`([^`]*)`", r"\1", s)
    s = re.sub(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1", r"\2", s)
    s = re.sub(r"(?<!\w)#(?=\w)\S+", "", s)  # #tags
    return s


def parse_markdown(text: str) -> Book:
    """Parse Markdown: keyword headings ("Chapter 2: ...", "Introduction") are parts, others sections.

    Where no heading names a part by keyword, the shallowest heading level holds the parts.
    A first top-level heading before any part is the document's title, not a part.
    """
    offset = 0
    m = _FRONT_MATTER.match(text)
    if m:
        offset = text[: m.end()].count("\n")
        text = text[m.end():]
    lines = text.split("\n")
    headings = []
    in_fence = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        h = None if in_fence else _HEADING.match(line)
        if h:
            headings.append((i, len(h["hashes"]), strip_inline(h["text"]).strip()))

    book = Book(parts=[])
    keyword = {i: match_keyword_heading(t) for i, _, t in headings}
    kinds = {k.kind for k in keyword.values() if k is not None}
    section_kinds = SECTION_KINDS | {k for k, above in SECTION_UNDER.items() if above in kinds}  # scenes in acts
    has_keywords = any(k is not None and k.kind not in section_kinds for k in keyword.values())
    top_level = min((lvl for _, lvl, _ in headings), default=1)
    title_at = None
    tops = [i for i, lvl, _ in headings if lvl == top_level]
    if not has_keywords and len(tops) == 1 and headings[0][0] == tops[0] and len(headings) > 1:
        # "# The Book" over "## Its chapters" (an EPUB's, a Word manuscript's, an HTML page's):
        # the one heading at the top is the book's title, and its chapters are one level down
        title_at = tops[0]
        top_level = min(lvl for i, lvl, _ in headings if i != title_at)

    chapter_level = _chapters_under_parts(headings, keyword, section_kinds)
    part_level = next((lvl for i, lvl, _ in headings if keyword[i] is not None and keyword[i].kind not in section_kinds),
                      None) if has_keywords else None
    title_above = False  # the book's title is a heading above the chapters' level
    # only a preface, a foreword, an epilogue named by keyword: the chapters beside them are headed otherwise
    unnamed_chapters = has_keywords and chapter_level is None and not kinds & (NUMBERED_KINDS | GROUP_KINDS)
    current: Part | None = None
    marks: list[tuple[int, Part | Section]] = []
    for i, level, title in headings:
        kh = keyword[i]
        is_part = (kh is not None and kh.kind not in section_kinds) if has_keywords else (
            level == top_level and i != title_at)
        if (chapter_level is not None and level == chapter_level or unnamed_chapters and level == part_level
                and current is not None and _read_before_chapters(title)) and kh is None and current is not None:
            # a chapter under "Part One" ("I: At the Admiral Benbow"), or beside a "Preface" where no chapter is
            # headed by a keyword ("I", "II", ...): a part of its own (grouped by the part)
            current = part_named(clean_title(title), sum(p.kind == "chapter" for p in book.parts))
            current.line = i + 1 + offset
            book.parts.append(current)
            marks.append((i, current))
        elif i == title_at:
            book.title = clean_title(title)
            marks.append((i, None))
        elif is_part:
            if kh is not None and kh.kind not in section_kinds:
                current = Part(kind=kh.kind, number=kh.number, title=kh.part_title, line=i + 1 + offset)
            else:
                current = Part(kind="chapter", number=None, title=clean_title(title), line=i + 1 + offset)
            book.parts.append(current)
            marks.append((i, current))
        elif level == part_level and title_above and not any(isinstance(n, Part) and keyword.get(n.line - 1 - offset)
                                                              for _, n in marks) and _read_before_chapters(title):
            # under the book's title, at the chapters' level before the first ("Dramatis Personae"): read, a part
            current = part_named(clean_title(title), 0)
            current.line = i + 1 + offset
            book.parts.append(current)
            marks.append((i, current))
        elif current is None or level == part_level and title_above and not any(
                isinstance(n, Part) and keyword.get(n.line - 1 - offset) for _, n in marks):
            if book.title is None and level == top_level:
                book.title = clean_title(title)
                title_above = level < (part_level or 0)
            marks.append((i, None))
        elif kh is not None and kh.label is not None or is_dotted_heading(title):
            # the book's own label or numbering ("Scene 2", "3.9.2 Berlin"): kept as printed
            section = Section(title=kh.part_title if kh is not None else clean_title(title), line=i + 1 + offset)
            current.sections.append(section)
            marks.append((i, section))
        else:
            section_title = _SECTION_NUMBER.sub("", title) if title else title
            number = int(_SECTION_NUMBER.match(title)["num"]) if _SECTION_NUMBER.match(title) else None
            section = Section(title=smart_title(section_title), line=i + 1 + offset, number=number)
            current.sections.append(section)
            marks.append((i, section))

    for n, (i, node) in enumerate(marks):
        end = marks[n + 1][0] if n + 1 < len(marks) else len(lines)
        if node is not None:
            node.text = reflow([_body_line(line) for line in lines[i + 1: end]])
    _read_opening(book, lines, marks, offset)
    nodes = [node for part in book.parts for node in (part, *part.sections)]
    if not has_keywords and all(match_own_number(node.title or "") for node in nodes) and sum(
            is_dotted_heading(node.title) for node in nodes) >= 2:
        # every heading numbered the book's way ("3.2 ...", "3.9.2 ..."): the numbers rank them, as in plain text

        book.parts = rank_by_numbers([(match_own_number(node.title)[0], node.title, node.text, node.line)
                                      for node in nodes])
        group_parts(book)
    if chapter_level is not None:

        group_parts(book)
    if not has_keywords:
        for n, part in enumerate((p for p in book.parts if p.kind != "opening"), 1):
            if not match_own_number(part.title or ""):  # "3.2 Biographical background" is numbered already
                part.number = n
    for part in book.parts:
        kh = keyword.get(part.line - 1 - offset)
        own = match_own_number(part.title or "") or kh is not None and kh.label is not None
        if part.title and not own:  # the book's own labels and numbering stay as printed
            part.title = smart_title(part.title)
    if not book.parts:
        book.warn("no headings that name chapters were found")
    return book


def _chapters_under_parts(headings: list[tuple[int, int, str]], keyword: dict, section_kinds: set[str]) -> int | None:
    """The level of the chapters where the only headings named by keyword are parts or books ("Part
    One", "Book III") and headings without one stand below them: the level right below; else None."""
    named = [(lvl, k) for (_, lvl, _), k in zip(headings, keyword.values()) if k is not None and k.kind not in section_kinds]
    if not named or any(k.kind not in GROUP_KINDS for _, k in named):
        return None
    group_level = min(lvl for lvl, _ in named)
    below = [lvl for i, lvl, _ in headings if keyword[i] is None and lvl > group_level]
    return min(below) if below else None


def _read_before_chapters(title: str) -> bool:
    """A heading before the first chapter that is read ("Dramatis Personae"), not front matter
    ("Contents") or a byline ("By Lewis Carroll")."""
    return not matter_of_title(title) and not re.match(r"by\s", title, re.IGNORECASE)


def _read_opening(book: Book, lines: list[str], marks: list, offset: int) -> None:
    """Text before the first part — under the book's title, or under headings above the first part —
    is the opening where it reads as prose; else it is named as left out."""
    if not book.parts:
        return
    title_line = next((i for i, node in marks if node is None and clean_title(
        strip_inline(_HEADING.match(lines[i])["text"])) == book.title), None)
    start = 0 if title_line is None else title_line + 1
    end = next((i for i, _ in marks if i >= start), len(lines))
    text = reflow([_body_line(line) for line in lines[start:end]])
    part = opening_part(text, line=start + 1 + offset)
    if part is not None:
        book.parts.insert(0, part)
    elif count_words(text):
        book.left_out.append(LeftOut("before the first heading", count_words(text), FRONT))
    for n, (i, node) in enumerate(marks):  # headings not read ("Summary", "Contents") are named, with their words
        if node is None and i != title_line:
            stop = marks[n + 1][0] if n + 1 < len(marks) else len(lines)
            words = count_words(reflow([_body_line(line) for line in lines[i + 1:stop]]))
            if words:
                book.left_out.append(LeftOut(clean_title(strip_inline(_HEADING.match(lines[i])["text"])), words, FRONT))


def _body_line(line: str) -> str:
    s = line.strip()
    if re.fullmatch(r"(?:-{3,}|\*{3,}|_{3,})", s):
        return ""
    s = re.sub(r"^(?:>\s*)+", "", s)  # quotes
    s = re.sub(r"^(?:[-*+]|\d+[.)])\s+", "", s)  # list markers
    return strip_inline(s)
