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
from audiobook.book.html import headings_of, html_to_markdown
from audiobook.errors import InputError

FONT_MANGLING = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
FONT_FILES = (".otf", ".ttf", ".woff", ".woff2")

OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
MATTER_TYPES = {"cover", "titlepage", "title-page", "copyright-page", "copyright", "toc", "index", "imprint",
                "colophon", "halftitlepage", "seriespage", "other-credits", "loi", "lot", "landmarks"}
MATTER_TITLES = re.compile(r"^\s*(?:cover|title\s*page|half\s*title|copyright|(?:table of\s+)?contents|index|also by\b.*"
                           r"|other (?:books|titles) by\b.*|colophon|imprint)\s*$", re.IGNORECASE)


@dataclass
class Epub:
    """What init takes from an EPUB: the book as Markdown, its metadata, the front and back matter
    left out (by title), the cover image (file name, bytes), and notes on what disagreed."""

    text: str
    meta: dict[str, str]
    left_out: list[str] = field(default_factory=list)
    cover: tuple[str, bytes] | None = None
    notes: list[str] = field(default_factory=list)


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
    toc = _toc(z, opf, items, base)
    matter = _matter_hrefs(z, opf, items, base)
    parts = []
    title = book.meta.get("title")
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
        heading = next((t for _, t in headings_of(markup)), "")
        name = toc.get(href) or heading or (kind.replace("-", " ").capitalize() if kind else posixpath.basename(href))
        if href in matter or _is_matter(markup, name, title):
            book.left_out.append(name)
            continue
        if heading and toc.get(href) and title_similarity(heading, toc[href]) < SAME_TITLE:
            book.notes.append(f"the table of contents calls {posixpath.basename(href)} \"{toc[href]}\", its heading "
                              f"says \"{heading}\": the heading is used")
        md = html_to_markdown(markup, heading_offset=1)  # "#" is left for the book's own title
        if not re.search(r"^#{2,} ", md, re.MULTILINE) and toc.get(href):
            md = f"## {toc[href]}\n\n{md}"
        parts.append(md)
    book.text = (f"# {title}\n\n" if title else "") + "\n\n".join(parts)
    return book


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


def _toc(z: zipfile.ZipFile, opf: ET.Element, items: dict, base: str) -> dict[str, str]:
    """Each spine document's title in the table of contents (its first entry), by path."""
    out: dict[str, str] = {}
    href, doc = _nav(z, items, base)
    if doc is not None:
        for n in doc.iter(f"{XHTML}nav"):
            if n.get(EPUB_TYPE) == "toc":
                for a in n.iter(f"{XHTML}a"):
                    out.setdefault(_target(href, a.get("href", "")), " ".join("".join(a.itertext()).split()))
    spine = opf.find(f"{OPF}spine")
    ncx = items.get(spine.get("toc")) if spine is not None and spine.get("toc") else None
    if ncx is not None and not out:
        href = posixpath.normpath(posixpath.join(base, unquote(ncx.get("href", ""))))
        try:
            doc = ET.fromstring(z.read(href))
        except (KeyError, ET.ParseError):
            return out
        for point in doc.iter(f"{NCX}navPoint"):
            label = point.find(f"{NCX}navLabel/{NCX}text")
            content = point.find(f"{NCX}content")
            if label is not None and content is not None:
                out.setdefault(_target(href, content.get("src", "")), " ".join((label.text or "").split()))
    return out


def _matter_hrefs(z: zipfile.ZipFile, opf: ET.Element, items: dict, base: str) -> set[str]:
    """Documents the landmarks (EPUB 3) or the guide (EPUB 2) name as front or back matter."""
    out = set()
    for ref in opf.iter(f"{OPF}reference"):
        kind = (ref.get("type") or "").lower()
        if kind in MATTER_TYPES or kind in ("title-page", "copyright-page"):
            out.add(posixpath.normpath(posixpath.join(base, unquote(ref.get("href", "").split("#")[0]))))
    href, doc = _nav(z, items, base)
    if doc is not None:
        for n in doc.iter(f"{XHTML}nav"):
            if n.get(EPUB_TYPE) == "landmarks":
                out |= {_target(href, a.get("href", "")) for a in n.iter(f"{XHTML}a")
                        if (a.get(EPUB_TYPE) or "") in MATTER_TYPES}
    if href:
        out.add(href)  # the navigation document itself is the table of contents
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


def _target(doc_href: str, link: str) -> str:
    """The document a link in `doc_href` points to (its fragment dropped)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(doc_href), unquote(link.split("#")[0])))


def _kind(markup: str) -> str:
    """The document's front- or back-matter type (its body's or first section's epub:type), if any."""
    m = re.search(r"<(?:body|section)\b[^>]*epub:type=\"([^\"]+)\"", markup)
    return next((k for k in m[1].split() if k in MATTER_TYPES), "") if m else ""


def _is_matter(markup: str, name: str, title: str | None) -> bool:
    if _kind(markup):
        return True
    if MATTER_TITLES.match(name or ""):
        return True
    text = re.sub(r"<[^>]+>", " ", markup)
    words = text.split()
    return bool(title) and len(words) < 40 and name.strip().lower() == (title or "").strip().lower()  # a title page
