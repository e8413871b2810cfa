"""Plain-text books, PDF dumps included: find the parts, their sections and the clean text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from audiobook.book.furniture import find_furniture
from audiobook.book.headings import (
    SAME_TITLE,
    SECTION_KINDS,
    SECTION_UNDER,
    SMALL_WORDS,
    KeywordHeading,
    is_all_caps,
    is_blank,
    is_date,
    is_dotted_heading,
    is_heading_block,
    is_heading_like,
    is_title_case,
    labelled_title,
    match_keyword_heading,
    match_numbered_line,
    match_own_number,
    smart_title,
    title_similarity,
)
from audiobook.book.matter import FRONT, LeftOut
from audiobook.book.model import Book, Part, Section, count_words
from audiobook.book.opening import MIN_PROSE_SHARE, opening_part, prose_share
from audiobook.book.reflow import reflow

MIN_WORDS_BETWEEN_SECTIONS = 40  # closer than this, numbered lines are a list, not sections
MIN_ESSAY_HEADINGS = 2  # fewer unnumbered title lines than this, and a text has no chapters
_BYLINE = re.compile(r"^(?:(?:written|translated|edited|introduced|read)\s+)?by\s", re.IGNORECASE)
_QUOTES = ('"', "“", "‘", "'", "«")


@dataclass
class _Head:
    index: int  # 0-based line of the heading
    heading: KeywordHeading
    inferred_from: str | None = None  # the navigation line it was inferred from


@dataclass
class _SectionMark:
    index: int  # first line of the heading
    body: int  # first line after the heading
    title: str | None
    number: int | None = None
    own_label: bool = False  # "Scene 2" in an act: the book's label, as printed


@dataclass
class _Lines:
    """The source lines with their furniture marked; helpers to walk blocks."""

    lines: list[str]
    furniture: set[int]
    used: set[int] = field(default_factory=set)  # heading and list lines: not text

    def content(self, i: int) -> bool:
        return 0 <= i < len(self.lines) and i not in self.furniture and not is_blank(self.lines[i])

    def next_content(self, i: int, stop: int) -> int:
        while i < stop and not self.content(i):
            i += 1
        return i

    def block(self, i: int, stop: int) -> range:
        """The run of content lines starting at `i` (a paragraph, or a heading's lines)."""
        j = i
        while j < stop and self.content(j):
            j += 1
        return range(i, j)

    def text(self, start: int, stop: int) -> str:
        keep = [self.lines[i] if self.content(i) and i not in self.used else "" for i in range(start, stop)]
        return reflow(keep)


def parse_plain(text: str) -> Book:
    """Parse a plain-text book into parts and sections."""
    lines = text.split("\n")
    furniture = find_furniture(lines)
    src = _Lines(lines, furniture.lines)
    book = Book(parts=[])

    heads = _find_heads(src)
    heads = _add_inferred_heads(src, heads, furniture.nav, book)
    _warn_missing_chapters(heads, book)
    section_kinds = SECTION_KINDS | {k for k, above in SECTION_UNDER.items()
                                     if any(h.heading.kind == above for h in heads)}

    if heads:
        _read_opening(src, heads[0].index, book)
    for n, head in enumerate(heads):
        stop = heads[n + 1].index if n + 1 < len(heads) else len(lines)
        book.parts.append(_parse_part(src, head, stop, book, section_kinds))
    group_parts(book)
    if not book.parts:
        _parse_numbered(src, book)
    if not book.parts:
        _parse_essay(src, book)
    if not book.parts:
        book.warn("no chapter headings found: the whole text is taken as one part")
        book.parts.append(Part(kind="chapter", number=1, title=None, text=src.text(0, len(lines)), line=1))
    return book


def _read_opening(src: _Lines, stop: int, book: Book) -> None:
    """The title line above the first heading, and the opening under it where what lies between
    reads as prose; what does not (a contents list, a licence's lines) is named as left out."""
    first = src.next_content(0, stop)
    if first < stop and prose_share(src.text(src.next_content(first + 1, stop), stop)) >= MIN_PROSE_SHARE:
        start = _read_title_line(src, stop, book)
        part = opening_part(src.text(start, stop), line=start + 1)
        if part is not None:
            book.parts.append(part)
            return
    start = _read_title_line(src, stop, book, alone=True)
    words = count_words(src.text(start, stop))
    if words:
        book.left_out.append(LeftOut("before the first heading", words, FRONT))


def _read_title_line(src: _Lines, stop: int, book: Book, alone: bool = False) -> int:
    """A title line above the first heading ("Three Sonnets" over "Sonnet I") is the book's title,
    not a part; a byline under it ("By William Shakespeare") names the author. With `alone`, only
    where nothing else comes before the heading (a licence or a contents list is no title page).
    Returns where what follows them starts."""
    first = src.next_content(0, stop)
    if first >= stop or len(src.block(first, stop)) != 1:
        return first
    line = " ".join(src.lines[first].split())
    if not is_heading_like(line, max_words=20) or not _not_structural(line) or _BYLINE.match(line):
        return first
    after = src.next_content(first + 1, stop)
    byline = " ".join(src.lines[after].split()) if after < stop else ""
    by = len(src.block(after, stop)) == 1 and re.match(r"by\s+\S", byline, re.IGNORECASE) and len(byline.split()) <= 8
    rest = src.next_content(after + 1, stop) if by else after
    if alone and rest < stop:
        return first
    book.title = smart_title(line)
    src.used.add(first)
    if by:
        book.metadata.setdefault("author", byline[3:].strip().rstrip("."))
        src.used.add(after)
    return rest


def _parse_numbered(src: _Lines, book: Book) -> None:
    """Headings numbered the book's own way — "3.2 Biographical background", "3.9.2 Berlin" — each
    standing alone over prose, titled as printed. The numbers' depth ranks them: the shallowest the
    book has are chapters, deeper ones their sections; with three depths the shallowest are parts
    grouping the chapters ("3" > "3.2" > "3.9.2"). A number without a dot is a heading only where
    the book numbers headings under it ("3" over "3.2"): alone, "12 Angry Men" may be a sentence's."""
    stop = len(src.lines)
    found: list[tuple[int, str, str]] = []
    i = src.next_content(0, stop)
    while i < stop:
        block = src.block(i, stop)
        own = match_own_number(src.lines[i]) if len(block) == 1 else None
        if own and _is_prose(src, src.next_content(block.stop, stop), stop):
            found.append((i, *own))
        i = src.next_content(block.stop, stop)
    numbers = [n for _, n, _ in found]
    found = [f for f in found if "." in f[1] or any(n.startswith(f[1] + ".") for n in numbers)]
    if sum(1 for _, n, _ in found if "." in n) < MIN_ESSAY_HEADINGS:
        return
    start = _read_title_line(src, found[0][0], book)
    opening = src.text(start, found[0][0])
    if opening:
        book.parts.append(Part(kind="opening", number=None, title=None, text=opening, line=start + 1))
    for i, _, _ in found:
        src.used.add(i)
    ends = [i for i, _, _ in found[1:]] + [stop]
    book.parts += rank_by_numbers([(number, title, src.text(i + 1, end), i + 1)
                                   for (i, number, title), end in zip(found, ends)])
    group_parts(book)


def rank_by_numbers(headings: list[tuple[str, str, str, int]]) -> list[Part]:
    """Headings numbered the book's way — (number, title, text, line) in reading order — as parts
    and sections, ranked by the numbers' depth: the shallowest are chapters and the next their
    sections, or, with three depths or more, the shallowest parts grouping the chapters; deeper
    ones are sections too. Titles stay as printed, numbering and all, and the parts unnumbered."""
    depths = sorted({number.count(".") for number, _, _, _ in headings})
    group_depth = depths[0] if len(depths) >= 3 else None
    chapter_depth = depths[1] if group_depth is not None else depths[0]
    parts: list[Part] = []
    for number, title, text, line in headings:
        depth = number.count(".")
        if depth == group_depth:
            parts.append(Part(kind="part", number=None, title=title, text=text, line=line))
        elif depth == chapter_depth or not parts or parts[-1].kind == "part":
            parts.append(Part(kind="chapter", number=None, title=title, text=text, line=line))
        else:
            parts[-1].sections.append(Section(title=title, text=text, line=line))
    return parts


def _parse_essay(src: _Lines, book: Book) -> None:
    """The common shape of non-fiction without "Chapter" headings: a title line, an opening, then
    chapters headed by short unnumbered lines standing alone between paragraphs, in any case."""
    stop = len(src.lines)
    first = src.next_content(0, stop)
    heads = _essay_heads(src, first, stop)
    if len(heads) < MIN_ESSAY_HEADINGS:
        return
    start = first
    if len(src.block(first, stop)) == 1 and is_heading_like(src.lines[first], max_words=20) and first not in heads:
        book.title = smart_title(" ".join(src.lines[first].split()))  # the title line
        src.used.add(first)
        start = first + 1
    opening = src.text(start, heads[0])
    if opening:
        book.parts.append(Part(kind="opening", number=None, title=None, text=opening, line=start + 1))
    for n, i in enumerate(heads):
        src.used.add(i)
        end = heads[n + 1] if n + 1 < len(heads) else stop
        book.parts.append(Part(kind="chapter", number=n + 1, title=" ".join(src.lines[i].split()),
                               text=src.text(i + 1, end), line=i + 1))


def _essay_heads(src: _Lines, start: int, stop: int) -> list[int]:
    """Lines that stand alone between paragraphs and read as titles, not as text: no closing
    stop or question mark, not a list item, not dialogue, followed by prose; and far enough
    apart — short lines close together are a list."""
    found = []
    i = src.next_content(start, stop)
    previous_prose = False
    while i < stop:
        block = src.block(i, stop)
        line = " ".join(src.lines[i].split())
        if (len(block) == 1 and i > start and previous_prose and is_heading_like(line, max_words=12, max_chars=90)
                and _reads_as_title(line)
                and not is_date(line) and _not_structural(line) and _is_prose(src, src.next_content(block.stop, stop), stop)):
            found.append(i)
            previous_prose = False
        else:
            previous_prose = _is_paragraph(src, block)  # (not the title line: what follows it is the opening)
        i = src.next_content(block.stop, stop)
    listed = set()  # title-like lines with little text between them: a list's items
    for a, b in zip(found, found[1:]):
        if _words_between(src, a + 1, b) < MIN_WORDS_BETWEEN_SECTIONS:
            listed.update((a, b))
    return [i for i in found if i not in listed]


def _reads_as_title(line: str) -> bool:
    """Not a sentence, not speech: a question only in title case ("Whither the Soviet Union?", not
    "But what is the situation now?"), a quotation only without the punctuation of speech
    ("\"Socialism in one country\"", not "“Who will guard the guards?”"), no "(aside)"."""
    if line.endswith(("!", "...", "…")) or line.startswith(("(", "[", "—", "–", "-")) or _BYLINE.match(line):
        return False
    if line.endswith("?") and not is_title_case(line):
        return False
    if line.startswith(_QUOTES) and re.search(r"[.,!?;:][\"”’'»]", line):
        return False
    first = line.lstrip("".join(_QUOTES))
    return first[:1].isalpha() and first[:1].isupper()


def _is_paragraph(src: _Lines, block: range) -> bool:
    """A block that ends a sentence: a paragraph of text (a heading does not end with a stop)."""
    last = src.lines[block[-1]].rstrip()
    return last.endswith((".", "!", "?", ":", '"', "”", "’", "'", ")")) or sum(len(src.lines[k].split()) for k in block) >= 20


def _find_heads(src: _Lines) -> list[_Head]:
    found = [(i, kh) for i, line in enumerate(src.lines) if src.content(i) and (kh := match_keyword_heading(line))]
    kinds = {kh.kind for _, kh in found}
    sections = SECTION_KINDS | {k for k, above in SECTION_UNDER.items() if above in kinds}  # scenes in acts
    heads: list[_Head] = []
    last_number: dict[str, int] = {}
    for i, kh in found:
        if kh.kind in sections:
            continue
        if kh.number is not None:
            if kh.number <= last_number.get(kh.kind, 0):
                continue  # "see Chapter 3" wrapped onto a line of its own: a reference, not a heading
            last_number[kh.kind] = kh.number
        heads.append(_Head(i, kh))
    return heads


def _add_inferred_heads(src: _Lines, heads: list[_Head], nav, book: Book) -> list[_Head]:
    """A part whose heading was lost still starts where a navigation line says "On to" it."""
    found = {(h.heading.kind, h.heading.number) for h in heads}
    added = []
    for hint in nav:
        key = (hint.kind, hint.number)
        if key in found or hint.kind in SECTION_KINDS:
            continue
        start = src.next_content(hint.index + 1, len(src.lines))
        next_head = min((h.index for h in heads if h.index > hint.index), default=len(src.lines))
        if start >= next_head:
            continue  # nothing follows it: a link to a page this text does not hold
        if hint.number is not None and not _fits_in_order(heads, hint.index, hint.kind, hint.number):
            continue
        found.add(key)
        label = hint.kind.capitalize() + (f" {hint.number}" if hint.number is not None else "")
        book.warn(f"{label}: heading not found in the text; taken to start after the navigation line "
                  f"\"{hint.text}\"", hint.index + 1)
        added.append(_Head(start, KeywordHeading(hint.kind, hint.number, None), inferred_from=hint.text))
    return sorted(heads + added, key=lambda h: h.index)


def _fits_in_order(heads: list[_Head], index: int, kind: str, number: int) -> bool:
    """Chapter N may go here only if the chapters before it are numbered lower, those after higher."""
    same = [h for h in heads if h.heading.kind == kind and h.heading.number is not None]
    before = [h.heading.number for h in same if h.index < index]
    after = [h.heading.number for h in same if h.index > index]
    return all(n < number for n in before) and all(n > number for n in after)


def _warn_missing_chapters(heads: list[_Head], book: Book) -> None:
    numbers = [h.heading.number for h in heads if h.heading.kind == "chapter" and h.heading.number]
    for a, b in zip(numbers, numbers[1:]):
        for missing in range(a + 1, b):
            line = next(h.index for h in heads if h.heading.number == b and h.heading.kind == "chapter")
            book.warn(f"Chapter {missing}: not found in the text (chapter {a} is followed by chapter {b})", line + 1)


def _parse_part(src: _Lines, head: _Head, stop: int, book: Book, section_kinds: set[str]) -> Part:
    kh = head.heading
    part = Part(kind=kh.kind, number=kh.number, title=kh.title, line=head.index + 1)
    i = head.index
    if head.inferred_from is None:
        src.used.add(i)
        i += 1
    if part.title is None and head.inferred_from is None:
        part.title, i = _read_part_title(src, i, stop)
    listed, repeated, i = _read_section_list(src, i, stop)
    if kh.label is not None:  # the book's own label, as printed
        part.title = labelled_title(kh.label, part.title)
    elif part.title is None:
        book.warn(f"{part.label}: title not found in the text", head.index + 1)
    else:
        part.title = smart_title(part.title)

    marks = _find_sections(src, i, stop, listed, repeated, book, part, section_kinds)
    first = marks[0].index if marks else stop
    part.text = src.text(i, first)
    for n, mark in enumerate(marks):
        end = marks[n + 1].index if n + 1 < len(marks) else stop
        title = mark.title  # as printed, and as the narrator reads it; the book's own numbering kept whole
        if title and not is_dotted_heading(title) and not mark.own_label:
            title = smart_title(title)
        part.sections.append(Section(title=title or f"Section {mark.number}",
                                     text=src.text(mark.body, end), line=mark.index + 1, number=mark.number))
    for item in listed:
        if not any(title_similarity(item, s.title) >= SAME_TITLE for s in part.sections):
            book.warn(f"{part.label}: section \"{smart_title(item)}\" is listed at the head of the "
                      "chapter but has no heading in the text", head.index + 1)
    return part


def _read_part_title(src: _Lines, i: int, stop: int) -> tuple[str | None, int]:
    """The title under a part heading: ALL-CAPS lines, or one short title line on its own."""
    j = src.next_content(i, stop)
    caps: list[int] = []
    k = j
    while k < stop and src.content(k) and is_all_caps(src.lines[k]) and _not_structural(src.lines[k]):
        caps.append(k)
        k += 1
    if caps:
        src.used.update(caps)
        return " ".join(src.lines[c].strip() for c in caps), k
    block = src.block(j, stop)
    if len(block) == 1 and is_heading_like(src.lines[j], max_words=12) and _not_structural(src.lines[j]):
        src.used.add(j)
        return src.lines[j].strip(), j + 1
    return None, i


def _read_section_list(src: _Lines, i: int, stop: int) -> tuple[list[str], int | None, int]:
    """The list of section titles many books print under a chapter's title.

    Returns the items, the line of an item repeated as the first section's own heading
    (an unnumbered first section), and where the list ends.
    """
    items: list[str] = []
    while True:
        j = src.next_content(i, stop)
        if j >= stop:
            return items, None, i
        block = src.block(j, stop)
        texts = [src.lines[k].strip() for k in block]
        if not is_heading_block(texts) or not _not_structural(texts[0]) or is_date(texts[0]):
            return items, None, i
        item = " ".join(texts)
        if any(title_similarity(item, earlier) >= SAME_TITLE for earlier in items):
            return items, j, j  # printed again right after the list: the first section's heading
        items.append(item)
        src.used.update(block)
        i = block.stop


def _find_sections(src: _Lines, start: int, stop: int, listed: list[str], repeated: int | None,
                   book: Book, part: Part, section_kinds: set[str]) -> list[_SectionMark]:
    marks = _numbered_sections(src, start, stop, listed, book, part)
    if repeated is not None:
        block = src.block(repeated, stop)
        marks.insert(0, _SectionMark(repeated, block.stop, " ".join(src.lines[k].strip() for k in block)))
        src.used.update(block)
    marks += _keyword_sections(src, start, stop, section_kinds)
    if not marks:
        marks = _unnumbered_sections(src, start, stop, listed)
    elif listed:
        marks += [m for m in _unnumbered_sections(src, start, stop, listed)
                  if any(title_similarity(m.title or "", item) >= SAME_TITLE for item in listed)
                  and not any(abs(m.index - o.index) <= 3 for o in marks)]
    marks.sort(key=lambda m: m.index)
    for m in marks:
        src.used.update(range(m.index, m.body))
    return marks


def _numbered_sections(src: _Lines, start: int, stop: int, listed: list[str], book: Book,
                       part: Part) -> list[_SectionMark]:
    """"1." then the title (on the next lines, maybe wrapped), or "1. Title", numbered in order."""
    candidates: list[_SectionMark] = []
    for i in range(start, stop):
        if not src.content(i):
            continue
        found = match_numbered_line(src.lines[i])
        if not found:
            continue
        number, title = found
        body = i + 1
        if title is None:
            title, body = _read_wrapped_title(src, i + 1, stop)
        candidates.append(_SectionMark(i, body, title, number))

    # numbered lines close together are a numbered list: "1. Bread / 2. Peace / 3. Land"
    in_list = set()
    for a, b in zip(candidates, candidates[1:]):
        if b.number == a.number + 1 and _words_between(src, a.body, b.index) < MIN_WORDS_BETWEEN_SECTIONS:
            in_list.update((a.index, b.index))
    accepted: list[_SectionMark] = []
    expected = 1
    for c in candidates:
        if c.number not in (expected, expected + 1) or c.index in in_list:
            continue
        if c.number == expected + 1:
            book.warn(f"{part.label}: section {expected} not found in the text "
                      f"(the sections go from {expected - 1} to {c.number})", c.index + 1)
        accepted.append(c)
        expected = c.number + 1
    if len(accepted) == 1 and not any(title_similarity(accepted[0].title or "", x) >= SAME_TITLE for x in listed):
        return []  # one numbered line is not a numbering, unless the chapter's contents list names it
    return accepted


def _read_wrapped_title(src: _Lines, i: int, stop: int) -> tuple[str | None, int]:
    """Title lines after a bare "1.": up to three short lines; a line ending in "of" carries on."""
    j = src.next_content(i, stop)
    if j - i > 2:
        return None, i
    parts: list[str] = []
    k = j
    while k < stop and src.content(k) and len(parts) < 4 and is_heading_block(
            [*parts, src.lines[k].strip().rstrip(",")], max_lines=4, max_words=24):
        parts.append(src.lines[k].strip())
        k += 1
    if parts and parts[-1].split()[-1].lower() in SMALL_WORDS:
        n = src.next_content(k, stop)
        if n < stop and n - k <= 2:
            cont = src.lines[n].strip()
            if cont[:1].islower() and len(cont.split()) <= 10 and not cont.endswith((".", ",", ";")):
                parts.append(cont)
                k = n + 1
    return (" ".join(parts) if parts else None), k


def _keyword_sections(src: _Lines, start: int, stop: int, kinds: set[str]) -> list[_SectionMark]:
    """A POSTSCRIPT inside a part is a section of it, and so is a scene in an act."""
    marks = []
    for i in range(start, stop):
        if src.content(i):
            kh = match_keyword_heading(src.lines[i])
            if kh and kh.kind in kinds:
                marks.append(_SectionMark(i, i + 1, kh.part_title or kh.kind.capitalize(), own_label=kh.label is not None))
    return marks


def _unnumbered_sections(src: _Lines, start: int, stop: int, listed: list[str]) -> list[_SectionMark]:
    """Short title-case lines standing alone between paragraphs."""
    marks = []
    i = src.next_content(start, stop)
    while i < stop:
        block = src.block(i, stop)
        line = src.lines[i].strip()
        after = src.next_content(block.stop, stop)
        if (len(block) == 1 and block.start > start and is_heading_like(line, max_words=10, max_chars=80)
                and (is_title_case(line) or any(title_similarity(line, x) >= SAME_TITLE for x in listed)
                     or is_dotted_heading(line))
                and not line.endswith(("!", "?")) and not is_date(line) and _not_structural(line)
                and i not in src.used and _is_prose(src, after, stop)):
            marks.append(_SectionMark(i, i + 1, line))
        i = src.next_content(block.stop, stop)
    return marks


def _is_prose(src: _Lines, i: int, stop: int) -> bool:
    if i >= stop:
        return False
    block = src.block(i, stop)
    words = sum(len(src.lines[k].split()) for k in block)
    return words >= 12 or src.lines[block[-1]].rstrip().endswith((".", "!", "?", '"', "”"))


def _words_between(src: _Lines, a: int, b: int) -> int:
    return sum(len(src.lines[k].split()) for k in range(a, b) if src.content(k))


def _not_structural(line: str) -> bool:
    return match_keyword_heading(line) is None and match_numbered_line(line) is None


def group_parts(book: Book) -> None:
    """Where a book has PART headings above its chapters, chapters stay top level, grouped."""
    kinds = {p.kind for p in book.parts}
    if not ({"part", "book"} & kinds and "chapter" in kinds):
        return
    group = None
    kept = []
    for p in book.parts:
        if p.kind in ("part", "book"):
            group = p.display_title
            if p.words:
                kept.append(p)  # a part with its own introduction keeps it as a track
        else:
            p.group = group
            kept.append(p)
    book.parts = kept
