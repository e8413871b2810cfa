"""Merge a separate table of contents into a parsed book: supply lost titles, fix the structure.

The text stays the authority for what is there and where; the table of contents supplies
titles the text lost, completes titles it cut short, and removes headings it does not list.
What it lists but the text lacks is reported, never invented.
"""

from __future__ import annotations

from audiobook.book.headings import match_own_number, normalise_title, smart_title, title_similarity
from audiobook.book.model import Book, Part, Section

MATCH = 0.6  # similarity at which a TOC title and a text title are taken as one entry
SAME = 0.85  # ... and at which they are one title worded a little differently


def apply_toc(book: Book, toc: Book) -> None:
    """Merge `toc` into `book` in place, warning about every disagreement."""
    if toc.title and not book.title:
        book.title = toc.title
    matched: set[int] = set()
    for entry in toc.parts:
        index = _find_part(book, entry, matched)
        if index is None:
            book.warn(f"the table of contents lists {entry.display_title!r}, "
                      "but the text has no such part: left out")
            continue
        matched.add(index)
        part = book.parts[index]
        part.title = _choose_title(book, part.label, part.title, entry.title)
        if entry.sections:
            _merge_sections(book, part, entry.sections)
    for n, part in enumerate(book.parts):
        if n not in matched and toc.parts:
            book.warn(f"{part.display_title}: not in the table of contents (kept, as the text has it)", part.line)


def _find_part(book: Book, entry: Part, taken: set[int]) -> int | None:
    for n, part in enumerate(book.parts):
        if n not in taken and part.kind == entry.kind and part.number == entry.number and (
                _own_number(part.title) == _own_number(entry.title)):  # "3.2 ..." is not "3.3 ..."
            return n
    best, best_score = None, MATCH
    for n, part in enumerate(book.parts):
        if n in taken or not part.title or not entry.title:
            continue
        score = title_similarity(part.title, entry.title)
        if score >= best_score:
            best, best_score = n, score
    return best


def _own_number(title: str | None) -> str | None:
    own = match_own_number(title or "")
    return own[0] if own else None


def _choose_title(book: Book, label: str, text_title: str | None, toc_title: str | None) -> str | None:
    if not toc_title:
        return text_title
    toc_title = smart_title(toc_title)
    if not text_title:
        return toc_title
    a, b = normalise_title(text_title).split(), normalise_title(toc_title).split()
    if len(a) < len(b) and b[: len(a)] == a:
        return toc_title  # the text's heading was cut short
    if a != b:
        book.warn(f"{label}: the table of contents calls it {toc_title!r}, the text {text_title!r}: "
                  "kept the text's wording")
    return text_title


def _merge_sections(book: Book, part: Part, entries: list[Section]) -> None:
    pairs = _align([s.title for s in part.sections], [e.title for e in entries])
    by_text = dict(pairs)
    matched_entries = {j for _, j in pairs}
    for j, entry in enumerate(entries):
        if j not in matched_entries:
            book.warn(f"{part.label}: the table of contents lists section {entry.title!r}, but the text has no "
                      "heading for it: kept as a section placed only where its title is heard spoken (heading_lost)",
                      part.line)
    kept: list[Section] = []
    toc_index: list[int] = []  # of each kept section
    for i, section in enumerate(part.sections):
        if i in by_text:
            section.title = _choose_title(book, f"{part.label}, section {section.title!r}",
                                          section.title, entries[by_text[i]].title) or section.title
            kept.append(section)
            toc_index.append(by_text[i])
            continue
        book.warn(f"{part.label}: heading {section.title!r} is not in the table of contents: "
                  "its text joins the section before it", section.line)
        if kept:
            kept[-1].text = "\n\n".join(t for t in (kept[-1].text, section.title, section.text) if t)
        else:
            part.text = "\n\n".join(t for t in (part.text, section.title, section.text) if t)
    for j, entry in enumerate(entries):  # the lost ones, in the table of contents' order among the others
        if j not in matched_entries:
            at = sum(1 for k in toc_index if k < j)
            kept.insert(at, Section(smart_title(entry.title), "", heading_lost=True))
            toc_index.insert(at, j)
    part.sections = kept


def _align(text_titles: list[str], toc_titles: list[str]) -> list[tuple[int, int]]:
    """Order-preserving pairs (text index, toc index) with the greatest total similarity."""
    n, m = len(text_titles), len(toc_titles)
    score = [[title_similarity(a, b) for b in toc_titles] for a in text_titles]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = best[i + 1][j + 1] + score[i][j] if score[i][j] >= MATCH else -1.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        if score[i][j] >= MATCH and best[i][j] == best[i + 1][j + 1] + score[i][j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs
