"""An EPUB's table of contents as the reader sees it: the navigation document's `toc` (EPUB 3) or
the NCX's navMap (EPUB 2), as a tree of entries, each naming a spine document (and a place in it)."""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import unquote

XHTML = "{http://www.w3.org/1999/xhtml}"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@dataclass
class NavEntry:
    """One entry of the table of contents: its title, the document it points to (a path in the
    EPUB), the fragment inside it ("" for the document's start), and the entries under it."""

    title: str
    href: str
    fragment: str = ""
    children: list[NavEntry] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def target(doc_href: str, link: str) -> tuple[str, str]:
    """(the document a link in `doc_href` points to, its fragment)."""
    path, _, fragment = link.partition("#")
    return posixpath.normpath(posixpath.join(posixpath.dirname(doc_href), unquote(path))), fragment


def _text(el: ET.Element) -> str:
    return " ".join("".join(el.itertext()).split())


def nav_entries(nav_href: str, doc: ET.Element) -> list[NavEntry]:
    """The entries of an EPUB 3 navigation document's `<nav epub:type="toc">`."""
    toc = next((n for n in doc.iter(f"{XHTML}nav") if "toc" in (n.get(EPUB_TYPE) or "").split()), None)
    top = toc.find(f"{XHTML}ol") if toc is not None else None
    return _from_ol(nav_href, top) if top is not None else []


def _from_ol(nav_href: str, ol: ET.Element) -> list[NavEntry]:
    out = []
    for li in ol.findall(f"{XHTML}li"):
        a = li.find(f"{XHTML}a")
        sub = li.find(f"{XHTML}ol")
        children = _from_ol(nav_href, sub) if sub is not None else []
        if a is None or not a.get("href"):  # a heading of its own (<span>) over the entries it holds
            out += children
            continue
        href, fragment = target(nav_href, a.get("href", ""))
        out.append(NavEntry(_text(a), href, fragment, children))
    return out


def ncx_entries(ncx_href: str, doc: ET.Element) -> list[NavEntry]:
    """The entries of an EPUB 2 NCX's navMap."""
    nav_map = doc.find(f"{NCX}navMap")
    return _from_points(ncx_href, nav_map) if nav_map is not None else []


def _from_points(ncx_href: str, parent: ET.Element) -> list[NavEntry]:
    out = []
    for point in parent.findall(f"{NCX}navPoint"):
        label = point.find(f"{NCX}navLabel/{NCX}text")
        content = point.find(f"{NCX}content")
        children = _from_points(ncx_href, point)
        if content is None or not content.get("src"):
            out += children
            continue
        href, fragment = target(ncx_href, content.get("src", ""))
        out.append(NavEntry(" ".join((label.text or "").split()) if label is not None else "", href, fragment,
                            children))
    return out
