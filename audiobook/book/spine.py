"""An EPUB's chapters from its table of contents and its spine: where the table of contents lists
the spine's documents one by one, each listed body document is a chapter — titled by its heading,
the table of contents' title where it has none — and the headings inside a document are its
sections, whatever their rank. An entry whose entries point to other documents groups them ("Part
One" over its chapters). The first document, where it holds the book's title over text read before
the first chapter, is the opening. A document the table of contents does not list is read with the
chapter before it. Where the table of contents points to several places in one document as chapters
of their own, the documents are not one a chapter: None, and the headings decide (epub.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from audiobook.book.headings import (
    SAME_TITLE,
    clean_title,
    is_dotted_heading,
    match_keyword_heading,
    smart_title,
    title_similarity,
)
from audiobook.book.html import html_to_markdown
from audiobook.book.matter import FRONT, LeftOut
from audiobook.book.model import Part, Section, count_words
from audiobook.book.naming import part_named, same_numeral
from audiobook.book.nav import NavEntry
from audiobook.book.opening import MIN_PROSE_SHARE, prose_share
from audiobook.book.reflow import reflow

_HEADING = re.compile(r"^(#{1,6}) (.+)$")


@dataclass
class SpineDoc:
    """A document of the spine, in reading order: its path, its markup, and its name (the table of
    contents' title, else its heading)."""

    href: str
    markup: str
    name: str = ""


@dataclass
class _Unit:
    docs: list[SpineDoc]
    entry: NavEntry | None
    group: str | None
    notes: list[str] = field(default_factory=list)


class _NotOnePerDocument(Exception):
    """The table of contents lists several chapters inside one document."""


def chapters_from_nav(body: list[SpineDoc], entries: list[NavEntry], book_title: str | None,
                      notes: list[str], left_out: list[LeftOut]) -> list[Part] | None:
    """The book's parts, one for each body document the table of contents lists (`body`: the
    spine's documents that are read, in order); None where it does not list them one by one.
    Documents before the first listed one that do not read as prose go to `left_out`."""
    by_href = {d.href: d for d in body}
    listed: dict[str, tuple[NavEntry, str | None]] = {}

    def walk(items: list[NavEntry], group: str | None) -> None:
        for e in items:
            doc = by_href.get(e.href)
            if doc is None:  # front or back matter, or not in the spine: what it holds may be chapters
                walk(e.children, group)
                continue
            if e.href in listed:
                if e.fragment and listed[e.href][0] not in (e,) and e not in listed[e.href][0].walk():
                    raise _NotOnePerDocument
                continue
            listed[e.href] = (e, group)
            if any(c.href != e.href for c in e.children):  # it groups documents: "Part One" over chapters
                walk(e.children, _heading(doc) or e.title)

    try:
        walk(entries, None)
    except _NotOnePerDocument:
        return None
    if len(listed) < 2:
        return None
    units: list[_Unit] = []
    for doc in body:
        if doc.href in listed:
            entry, group = listed[doc.href]
            if any(c.href != doc.href for c in entry.children) and not _has_text(doc):
                continue  # a group's own page, only its heading: it names the chapters under it
            units.append(_Unit([doc], entry, group))
        elif units:
            units[-1].docs.append(doc)  # not listed: read with the chapter before it
        elif prose_share(html_to_markdown(doc.markup)) >= MIN_PROSE_SHARE:
            units.append(_Unit([doc], None, None))  # not listed, before the first chapter: an opening
        else:
            left_out.append(LeftOut(doc.name, count_words(html_to_markdown(doc.markup)), FRONT))
    parts: list[Part] = []
    for n, unit in enumerate(units):
        part = _part(unit, book_title, first=n == 0, chapters=sum(p.kind == "chapter" for p in parts), notes=notes)
        if part is not None:
            parts.append(part)
    return parts


def _heading(doc: SpineDoc) -> str:
    md = html_to_markdown(doc.markup)
    m = next((_HEADING.match(line) for line in md.split("\n") if _HEADING.match(line)), None)
    return clean_title(m[2]) if m else ""


def _has_text(doc: SpineDoc) -> bool:
    md = html_to_markdown(doc.markup)
    return any(count_words(line) for line in md.split("\n") if line.strip() and not _HEADING.match(line))


def _part(unit: _Unit, book_title: str | None, first: bool, chapters: int, notes: list[str]) -> Part | None:
    md = "\n\n".join(html_to_markdown(d.markup) for d in unit.docs)
    blocks = [b for b in md.split("\n\n") if b.strip()]
    heads = [i for i, b in enumerate(blocks) if _HEADING.match(b)]
    toc_title = unit.entry.title if unit.entry is not None else ""
    heading = clean_title(_HEADING.match(blocks[heads[0]])[2]) if heads else ""
    if heading and toc_title and title_similarity(heading, toc_title) < SAME_TITLE and not same_numeral(
            heading, toc_title):
        notes.append(f"the table of contents calls {unit.docs[0].href.rsplit('/', 1)[-1]} \"{toc_title}\", its "
                     f"heading says \"{heading}\": the heading is used")
    name = heading or toc_title
    lead_end = heads[0] if heads else len(blocks)
    lead = blocks[:lead_end]
    def untitled(title: str) -> bool:  # no title of its own: none, the book's, or "Opening"
        return not title or title.strip().lower() == "opening" or bool(
            book_title and title_similarity(title, book_title) >= SAME_TITLE)

    if first and untitled(heading) and (heading or untitled(toc_title)):
        # the book's title (or no heading, nor a title in the table of contents) over the text read before the
        # first chapter: the opening, named as the table of contents names it where it has a name of its own
        own = None if untitled(toc_title) else toc_title
        part = part_named(own, chapters) if own and match_keyword_heading(own) else Part(kind="opening", title=own)
    else:
        part = part_named(name, chapters)
        if part is None:
            return None
    part.group = unit.group
    if heads:
        part.text = reflow(_body(lead)) if lead else ""
        rest = blocks[heads[0] + 1:]
        _fill(part, rest)
    else:
        part.text = reflow(_body(blocks))
    if not part.words and not part.sections:
        return None
    return part


def _fill(part: Part, blocks: list[str]) -> None:
    """The blocks after the part's heading: its own text up to the first heading inside, then one
    section for each heading after it."""
    current: Section | None = None
    own: list[str] = []
    body: list[str] = []
    for b in blocks:
        h = _HEADING.match(b)
        if h:
            if current is None:
                own = body
            else:
                current.text = reflow(_body(body))
            title = clean_title(h[2])
            kh = match_keyword_heading(title)
            current = Section(title=kh.part_title if kh is not None and kh.label is not None else (
                title if is_dotted_heading(title) else smart_title(title)))
            part.sections.append(current)
            body = []
        else:
            body.append(b)
    if current is None:
        own = body
    else:
        current.text = reflow(_body(body))
    lead = [part.text] if part.text else []
    part.text = reflow(lead + _body(own)) if own else part.text


def _body(blocks: list[str]) -> list[str]:
    """Blocks as reflow takes lines: each paragraph its line, a blank line between."""
    out: list[str] = []
    for b in blocks:
        out += [" ".join(b.split()), ""]
    return out
