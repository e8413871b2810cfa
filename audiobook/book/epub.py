"""EPUB 2 and 3 → the Markdown the book parser reads, with the book's metadata.

The package document (OPF) gives the reading order (the spine) and the metadata (title,
author, language, publisher, date, ISBN); the navigation document (EPUB 3 `nav`) or the NCX
(EPUB 2) gives the chapters' titles. Each spine document's `h1`–`h3` become headings; one with
none takes its title from the table of contents. Front and back matter — the cover, the title
page, the copyright page, the table of contents, "also by", the index — are recognised by their
`epub:type`, the landmarks or guide, or their title, and left out of the narration, named in
`Book.left_out` so a producer can bring any back. Notes are not read (html.py). Where the
table of contents and a document's own heading disagree, the heading wins and a note says so.
The cover image is the audiobook's cover candidate. Text encrypted by DRM is refused by name.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from audiobook.book.headings import SAME_TITLE, title_similarity
from audiobook.book.html import convert, headings_of, html_to_markdown
from audiobook.book.matter import FRONT, MATTER_TYPES, NOTES, LeftOut, matter_of_title, matter_of_types
from audiobook.book.model import Part, count_words
from audiobook.book.nav import EPUB_TYPE, XHTML, NavEntry, nav_entries, ncx_entries, target
from audiobook.book.spine import SpineDoc, chapters_from_nav
from audiobook.errors import InputError

FONT_MANGLING = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
FONT_FILES = (".otf", ".ttf", ".woff", ".woff2")

OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"


@dataclass
class Epub:
    """What init takes from an EPUB: the book as Markdown, its metadata, the front and back matter
    left out (by title), the cover image (file name, bytes), and notes on what disagreed."""

    text: str
    meta: dict[str, str]
    left_out: list[LeftOut] = field(default_factory=list)
    cover: tuple[str, bytes] | None = None
    notes: list[str] = field(default_factory=list)
    parts: list[Part] | None = None  # the chapters, where the table of contents lists the documents one by one


def read_epub(path: Path) -> Epub:
    """Read the EPUB at `path`; a damaged, cut-short or DRM-protected one is an InputError."""
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:  # (a multi-disk zip)
        raise InputError(f"{path}: not an EPUB we can read ({exc}) — the file may be damaged or cut short: "
                         "export or download it again") from None
    try:
        with z:
            return _read(path, z)
    except InputError:
        raise
    except (KeyError, StopIteration, ET.ParseError, zipfile.BadZipFile, zlib.error, EOFError, OSError,
            NotImplementedError, RuntimeError, ValueError) as exc:
        raise InputError(f"{path}: not an EPUB we can read ({type(exc).__name__}: {exc}) — the file may be damaged "
                         "or cut short: export or download it again") from None


def _read(path: Path, z: zipfile.ZipFile) -> Epub:
    _refuse_drm(path, z)
    try:
        container = ET.fromstring(z.read("META-INF/container.xml"))
        opf_path = next(el.get("full-path") for el in container.iter() if el.tag.endswith("rootfile"))
        opf = ET.fromstring(z.read(opf_path))
    except (KeyError, StopIteration, ET.ParseError) as exc:
        raise InputError(f"{path}: its package document cannot be read ({exc}) — export the EPUB again") from None
    base = posixpath.dirname(opf_path)
    items = {it.get("id"): it for it in opf.iter(f"{OPF}item")}
    book = Epub("", _metadata(opf), cover=_cover(z, opf, items, base))
    entries = _entries(z, opf, items, base)
    toc: dict[str, str] = {}
    for top in entries:
        for e in top.walk():
            toc.setdefault(e.href, e.title)
    matter = _matter_hrefs(z, opf, items, base)
    title = book.meta.get("title")
    body: list[SpineDoc] = []
    note_words = 0
    for ref in opf.iter(f"{OPF}itemref"):
        item = items.get(ref.get("idref"))
        if item is None or ref.get("linear") == "no" or "html" not in (item.get("media-type") or ""):
            continue
        href = posixpath.normpath(posixpath.join(base, unquote(item.get("href", ""))))
        try:
            markup = z.read(href).decode("utf-8", errors="replace")
        except KeyError:
            continue
        kind = _kind(markup)
        md, notes = convert(markup)
        heading = next((m[1].strip() for m in re.finditer(r"^#{1,3} (.+)$", md, re.MULTILINE)), "")
        name = toc.get(href) or heading or (kind or re.sub(r"[-_]+", " ", posixpath.splitext(posixpath.basename(href))[0])
                                            ).replace("-", " ").capitalize()
        why = matter.get(href) or _matter(markup, name, heading, title) or matter_of_title(
            re.sub(r"[-_]+", " ", posixpath.splitext(posixpath.basename(href))[0]))  # "copyright.xhtml"
        if why:
            book.left_out.append(LeftOut(name, count_words(md) + notes, why))
            continue
        note_words += notes
        body.append(SpineDoc(href, markup, name))
    if note_words:
        book.left_out.append(LeftOut("notes in the text", note_words, NOTES))
    book.parts = chapters_from_nav(body, entries, title, book.notes, book.left_out)
    if book.parts is None:
        book.text = _headings_text(body, toc, title, book.notes)
    return book


def _headings_text(body: list[SpineDoc], toc: dict[str, str], title: str | None, notes: list[str]) -> str:
    """The book as Markdown, its chapters found by the headings' ranks: for a table of contents that
    does not list the documents one by one."""
    parts = []
    for doc in body:
        heading = next((t for _, t in headings_of(doc.markup)), "")
        if heading and toc.get(doc.href) and title_similarity(heading, toc[doc.href]) < SAME_TITLE:
            notes.append(f"the table of contents calls {posixpath.basename(doc.href)} \"{toc[doc.href]}\", its "
                         f"heading says \"{heading}\": the heading is used")
        md = html_to_markdown(doc.markup, heading_offset=1)  # "#" is left for the book's own title
        if not re.search(r"^#{2,} ", md, re.MULTILINE) and toc.get(doc.href):
            md = f"## {toc[doc.href]}\n\n{md}"
        parts.append(md)
    return (f"# {title}\n\n" if title else "") + "\n\n".join(parts)


def _refuse_drm(path: Path, z: zipfile.ZipFile) -> None:
    """Content encrypted by a DRM scheme (Adobe ADEPT, Readium LCP, ...) cannot be read. Fonts
    obfuscated by the IDPF's or Adobe's font mangling, which encryption.xml also lists, can."""
    names = set(z.namelist())
    if "META-INF/rights.xml" in names or "META-INF/license.lcpl" in names:
        raise InputError(f"{path}: this EPUB is protected by DRM: use the publisher's manuscript (DOCX) or a "
                         "DRM-free EPUB")
    if "META-INF/encryption.xml" not in names:
        return
    doc = ET.fromstring(z.read("META-INF/encryption.xml"))
    for data in doc.iter():
        if not data.tag.endswith("EncryptedData"):
            continue
        method = next((el.get("Algorithm", "") for el in data.iter() if el.tag.endswith("EncryptionMethod")), "")
        target = next((el.get("URI", "") for el in data.iter() if el.tag.endswith("CipherReference")), "")
        if method in FONT_MANGLING or target.lower().endswith(FONT_FILES):
            continue
        raise InputError(f"{path}: this EPUB is protected by DRM: use the publisher's manuscript (DOCX) or a "
                         "DRM-free EPUB (its text is encrypted)")


def _cover(z: zipfile.ZipFile, opf: ET.Element, items: dict, base: str) -> tuple[str, bytes] | None:
    """The cover image: EPUB 3's item with properties="cover-image", or EPUB 2's <meta name="cover">."""
    item = next((it for it in items.values() if "cover-image" in (it.get("properties") or "").split()), None)
    if item is None:
        meta = next((m for m in opf.iter(f"{OPF}meta") if m.get("name") == "cover"), None)
        item = items.get(meta.get("content")) if meta is not None else None
    if item is None or not (item.get("media-type") or "").startswith("image/"):
        return None
    href = posixpath.normpath(posixpath.join(base, unquote(item.get("href", ""))))
    try:
        return posixpath.basename(href), z.read(href)
    except KeyError:
        return None


def _metadata(opf: ET.Element) -> dict[str, str]:
    meta = {}
    for key, tag in (("title", "title"), ("author", "creator"), ("language", "language"), ("publisher", "publisher"),
                     ("date", "date")):
        el = opf.find(f".//{DC}{tag}")
        if el is not None and (el.text or "").strip():
            meta[key] = " ".join(el.text.split())
    for el in opf.iter(f"{DC}identifier"):
        digits = re.sub(r"[^0-9Xx]", "", el.text or "")
        if len(digits) in (10, 13) and ("isbn" in (el.text or "").lower() or digits.startswith(("978", "979"))):
            meta["isbn"] = digits
    return meta


def _entries(z: zipfile.ZipFile, opf: ET.Element, items: dict, base: str) -> list[NavEntry]:
    """The table of contents: the navigation document's (EPUB 3), else the NCX's (EPUB 2)."""
    href, doc = _nav(z, items, base)
    out = nav_entries(href, doc) if doc is not None else []
    spine = opf.find(f"{OPF}spine")
    ncx = items.get(spine.get("toc")) if spine is not None and spine.get("toc") else None
    if ncx is not None and not out:
        href = posixpath.normpath(posixpath.join(base, unquote(ncx.get("href", ""))))
        try:
            return ncx_entries(href, ET.fromstring(z.read(href)))
        except (KeyError, ET.ParseError):
            return out
    return out


def _matter_hrefs(z: zipfile.ZipFile, opf: ET.Element, items: dict, base: str) -> dict[str, str]:
    """Documents the landmarks (EPUB 3) or the guide (EPUB 2) name as front or back matter, or notes."""
    out: dict[str, str] = {}
    for ref in opf.iter(f"{OPF}reference"):
        why = matter_of_types({(ref.get("type") or "").lower()})
        if why:
            out[posixpath.normpath(posixpath.join(base, unquote(ref.get("href", "").split("#")[0])))] = why
    href, doc = _nav(z, items, base)
    if doc is not None:
        for n in doc.iter(f"{XHTML}nav"):
            if n.get(EPUB_TYPE) == "landmarks":
                for a in n.iter(f"{XHTML}a"):
                    why = matter_of_types({a.get(EPUB_TYPE) or ""})
                    if why:
                        out[target(href, a.get("href", ""))[0]] = why
    if href:
        out[href] = FRONT  # the navigation document itself is the table of contents
    return out


def _nav(z: zipfile.ZipFile, items: dict, base: str) -> tuple[str | None, ET.Element | None]:
    """The EPUB 3 navigation document: its path and its tree (None, None in an EPUB 2)."""
    nav = next((it for it in items.values() if "nav" in (it.get("properties") or "").split()), None)
    if nav is None:
        return None, None
    href = posixpath.normpath(posixpath.join(base, unquote(nav.get("href", ""))))
    try:
        return href, ET.fromstring(z.read(href))
    except (KeyError, ET.ParseError):
        return href, None


def _kind(markup: str) -> str:
    """The document's front- or back-matter type (its body's or first section's epub:type), if any."""
    for m in re.finditer(r"<(?:body|section|div|aside|nav)\b[^>]*epub:type=\"([^\"]+)\"", markup[:20000]):
        kind = next((k for k in m[1].split() if k in MATTER_TYPES), "")
        if kind:
            return kind
        if m[0].startswith(("<section", "<div", "<aside")):
            break  # the first section says what the document is
    return ""


def _matter(markup: str, name: str, heading: str, title: str | None) -> str | None:
    """FRONT, BACK or NOTES where the document is such matter by its type or its title; a short
    page headed with the book's title is its title page."""
    kind = _kind(markup)
    if kind:
        return matter_of_types({kind})
    why = matter_of_title(name) or matter_of_title(heading)
    if why:
        return why
    words = re.sub(r"<[^>]+>", " ", markup).split()
    if title and len(words) < 40 and name.strip().lower() == title.strip().lower():
        return FRONT
    return None
