"""DOCX (the publisher's manuscript) → the Markdown the book parser reads.

Headings come from Word's paragraph styles (Heading 1–3; Title is the book's title), matched
by the styles' names, not their ids (which a localised Word renames). Tracked deletions are
left out and insertions kept, as the text now reads; comments and footnotes live in parts of
their own and are not counted. A manuscript that fakes its headings has no heading styles: short
paragraphs set in bold or capitals are taken as its headings, ranked by their type size; with
fewer than two, its text goes to the plain-text rules instead.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path

from audiobook.book.headings import SECTION_KINDS, match_keyword_heading
from audiobook.errors import InputError

MAX_HEADING_WORDS = 20

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(path: Path) -> tuple[str, bool, dict[str, str]]:
    """(the text — Markdown where it has heading styles, else plain paragraphs —, whether it
    has them, metadata: its title)."""
    try:
        with zipfile.ZipFile(path) as z:
            body = ET.fromstring(z.read("word/document.xml"))
            styles = ET.fromstring(z.read("word/styles.xml")) if "word/styles.xml" in z.namelist() else None
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, EOFError, zlib.error, NotImplementedError,
            ValueError) as exc:
        raise InputError(f"{path}: not a Word document we can read ({type(exc).__name__}: {exc}) — the file may be "
                         "damaged or cut short: save it again as .docx") from None
    names = {}
    if styles is not None:
        for s in styles.iter(f"{W}style"):
            name = s.find(f"{W}name")
            names[s.get(f"{W}styleId")] = (name.get(f"{W}val") if name is not None else s.get(f"{W}styleId")) or ""
    paragraphs = []  # (text, style's heading level, bold throughout, type size in half-points)
    for p in body.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        name = names.get(style.get(f"{W}val"), style.get(f"{W}val")) if style is not None else ""
        text = " ".join(_text(p).split())
        if text:
            paragraphs.append((text, _heading_level(name), *_look(p)))
    meta: dict[str, str] = {}
    if any(level for _, level, _, _ in paragraphs):
        levels = {n: level for n, (_, level, _, _) in enumerate(paragraphs) if level is not None}
    else:
        levels = _fake_headings(paragraphs)
    out = []
    for n, (text, *_) in enumerate(paragraphs):
        level = levels.get(n)
        if level == 0:
            meta.setdefault("title", text)
        elif level:
            out.append("#" * (level + 1) + " " + text)
        else:
            out.append(text)
    styled = any(levels.values())
    title = meta.get("title")
    return (f"# {title}\n\n" if title and styled else "") + "\n\n".join(out) + "\n", styled, meta


def _look(p: ET.Element) -> tuple[bool, int | None]:
    """(every run of text bold, the size most of its text is set in)."""
    bold, sizes = True, {}
    for r in p.iter(f"{W}r"):
        chars = sum(len(t.text or "") for t in r.iter(f"{W}t"))
        if not chars:
            continue
        b = r.find(f"{W}rPr/{W}b")
        if b is None or b.get(f"{W}val") in ("0", "false", "off"):
            bold = False
        sz = r.find(f"{W}rPr/{W}sz")
        size = int(sz.get(f"{W}val")) if sz is not None and (sz.get(f"{W}val") or "").isdigit() else None
        sizes[size] = sizes.get(size, 0) + chars
    return bold and bool(sizes), max(sizes, key=sizes.get) if sizes else None


def _fake_headings(paragraphs: list[tuple[str, int | None, bool, int | None]]) -> dict[int, int]:
    """A manuscript without heading styles: short paragraphs set in bold (or capitals), with no
    closing stop, are its headings; their sizes rank them (the largest, first and alone, is the
    title), and at one size a "Chapter" heading is above the others. Fewer than two: none."""
    found = {n: size or 0 for n, (text, _, bold, size) in enumerate(paragraphs)
             if (bold or (text.isupper() and len(text) > 3)) and len(text.split()) <= MAX_HEADING_WORDS
             and not text.endswith((".", ",", ";", ":"))}
    if len(found) < 2:
        return {}
    sizes = sorted(set(found.values()), reverse=True)
    first = min(found)
    largest = [n for n, size in found.items() if size == sizes[0]]
    title_size = sizes[0] if len(sizes) > 2 and largest == [first] else None  # set above two heading sizes
    ranks = [s for s in sizes if s != title_size]
    levels = {}
    for n, size in found.items():
        if size == title_size:
            levels[n] = 0
        elif len(ranks) > 1:
            levels[n] = min(3, ranks.index(size) + 1)
        else:
            kh = match_keyword_heading(paragraphs[n][0])
            levels[n] = 1 if kh is not None and kh.kind not in SECTION_KINDS else 2
    return levels


def _heading_level(style_name: str) -> int | None:
    """1–3 for Heading 1–3, 0 for Title, None for body text."""
    s = style_name.strip().lower()
    if s == "title":
        return 0
    m = re.fullmatch(r"heading\s*([1-3])", s)
    return int(m[1]) if m else None


def _text(p: ET.Element) -> str:
    """A paragraph's text as it now reads: runs and insertions, not deletions."""
    pieces = []

    def walk(el: ET.Element) -> None:
        for child in el:
            tag = child.tag
            if tag in (f"{W}del", f"{W}moveFrom", f"{W}commentReference", f"{W}footnoteReference",
                       f"{W}endnoteReference"):
                continue
            if tag == f"{W}t":
                pieces.append(child.text or "")
            elif tag == f"{W}tab":
                pieces.append(" ")
            elif tag in (f"{W}br", f"{W}cr"):
                pieces.append(" ")
            else:
                walk(child)

    walk(p)
    return "".join(pieces)
