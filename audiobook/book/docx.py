"""DOCX (the publisher's manuscript) → the Markdown the book parser reads.

Headings come from Word's paragraph styles (Heading 1–3; Title is the book's title), matched
by the styles' names, not their ids (which a localised Word renames). Tracked deletions are
left out and insertions kept, as the text now reads; comments and footnotes live in parts of
their own and are not counted. A manuscript that fakes its headings with bold or capitals has
no heading styles: its text goes to the plain-text rules instead.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from audiobook.errors import InputError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(path: Path) -> tuple[str, bool, dict[str, str]]:
    """(the text — Markdown where it has heading styles, else plain paragraphs —, whether it
    has them, metadata: its title)."""
    try:
        with zipfile.ZipFile(path) as z:
            body = ET.fromstring(z.read("word/document.xml"))
            styles = ET.fromstring(z.read("word/styles.xml")) if "word/styles.xml" in z.namelist() else None
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError) as exc:
        raise InputError(f"{path}: not a Word document we can read ({exc}) — save it again as .docx") from None
    names = {}
    if styles is not None:
        for s in styles.iter(f"{W}style"):
            name = s.find(f"{W}name")
            names[s.get(f"{W}styleId")] = (name.get(f"{W}val") if name is not None else s.get(f"{W}styleId")) or ""
    out, styled, meta = [], False, {}
    for p in body.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        name = names.get(style.get(f"{W}val"), style.get(f"{W}val")) if style is not None else ""
        text = " ".join(_text(p).split())
        if not text:
            continue
        level = _heading_level(name)
        if level == 0:
            meta.setdefault("title", text)
            continue
        if level:
            styled = True
            out.append("#" * (level + 1) + " " + text)
        else:
            out.append(text)
    title = meta.get("title")
    return (f"# {title}\n\n" if title and styled else "") + "\n\n".join(out) + "\n", styled, meta


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
