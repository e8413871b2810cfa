"""What a book's own table of contents and text say, read without audiobook's parser: the chapters a
reader sees listed (titles, in order), the words of their text, and what is not read.

Standard Ebooks' sources (well-formed XHTML, semantic `epub:type`): the chapters are the entries of
the navigation document (toc.xhtml) that point to the start of a document the book marks as read —
not titlepage, imprint, half-title, dedication, epigraph, endnotes, colophon, uncopyright; an entry
over other documents ("Part I" over its chapters) names them, and is a chapter itself only where its
page holds text. An entry that points to a place inside a document holding several chapters (poems in one file) is
the chapter that element holds. A chapter's words are its text, headings and note references taken out.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from bookcorpus import sources

XHTML = "{http://www.w3.org/1999/xhtml}"
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
TYPE = "{http://www.idpf.org/2007/ops}type"
NOT_READ = {"titlepage", "imprint", "halftitlepage", "dedication", "epigraph", "endnotes", "colophon",
            "uncopyright", "copyright-page", "toc", "loi", "landmarks"}
WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
LEAF_BLOCKS = {"p", "tr", "li", "dt", "dd", "figcaption", "pre", "td", "th"}


def words(text: str) -> int:
    return len(WORD.findall(text))


@dataclass
class Block:
    """A heading or a paragraph of a chapter, as its text reads."""

    text: str
    heading: bool = False


@dataclass
class Chapter:
    """A chapter as the table of contents lists it: its title there, the part it is listed under,
    its blocks (for writing it in other formats) and the words of its text."""

    title: str
    blocks: list[Block]
    group: str | None = None

    @property
    def words(self) -> int:
        return sum(words(b.text) for b in self.blocks if not b.heading)


@dataclass
class Reference:
    """A book as its own table of contents shows it."""

    title: str
    author: str
    chapters: list[Chapter]
    not_read: list[str] = field(default_factory=list)  # the titles of what is left out
    opening: bool = False  # the first chapter is read under the book's title, with no heading of its own

    @property
    def words(self) -> int:
        return sum(c.words for c in self.chapters)


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def text_of(el: ET.Element) -> str:
    """The element's text, note references left out."""
    out = [el.text or ""]
    for child in el:
        if "noteref" not in (child.get(TYPE) or ""):
            out.append(text_of(child))
        out.append(child.tail or "")
    return " ".join("".join(out).split())


def blocks_of(el: ET.Element) -> list[Block]:
    out: list[Block] = []
    for child in el:
        tag = local(child.tag)
        if tag in HEADINGS:
            out.append(Block(text_of(child), heading=True))
        elif tag == "hgroup":
            out.append(Block(": ".join(text_of(c) for c in child), heading=True))
        elif tag in LEAF_BLOCKS and not any(local(c.tag) in LEAF_BLOCKS | HEADINGS | {"blockquote", "ol", "ul"}
                                            for c in child):
            if text_of(child):
                out.append(Block(text_of(child)))
        else:
            out += blocks_of(child)
    return out


def _types(doc: ET.Element) -> set[str]:
    body = doc.find(f"{XHTML}body")
    types = set((body.get(TYPE) or "").split())
    first = next((c for c in body if local(c.tag) in ("section", "article", "div")), None)
    return types | (set((first.get(TYPE) or "").split()) if first is not None else set())


def standard_ebook(src: Path, repo: str, commit: str) -> Reference:
    """The reference of a Standard Ebooks source: its toc.xhtml, spine and texts."""
    def read(path: str) -> ET.Element:
        return ET.fromstring(sources.read(src, repo, commit, f"src/epub/{path}"))

    opf = read("content.opf")
    title = " ".join(opf.find(f".//{DC}title").itertext())
    author = " ".join(opf.find(f".//{DC}creator").itertext())
    docs = {}
    for item in opf.iter(f"{OPF}item"):
        if item.get("href", "").startswith("text/"):
            docs[item.get("href")] = read(item.get("href"))
    nav = read("toc.xhtml")
    toc = next(n for n in nav.iter(f"{XHTML}nav") if "toc" in (n.get(TYPE) or "").split())
    ref = Reference(title, author, [])

    def has_text(doc: ET.Element) -> bool:
        return any(not b.heading and words(b.text) for b in blocks_of(doc.find(f"{XHTML}body")))

    def walk(ol: ET.Element, group: str | None) -> None:
        for li in ol.findall(f"{XHTML}li"):
            a = li.find(f"{XHTML}a")
            sub = li.find(f"{XHTML}ol")
            href, _, fragment = a.get("href", "").partition("#")
            doc = docs.get(href)
            name = " ".join("".join(a.itertext()).split())
            children = [c.get("href", "").partition("#")[0] for c in (sub.iter(f"{XHTML}a") if sub is not None else [])]
            if doc is None or _types(doc) & NOT_READ:
                if doc is not None:
                    ref.not_read.append(name)
                if sub is not None:
                    walk(sub, group)
                continue
            if fragment:  # a chapter inside a document that holds several (poems in one file): its element
                el = next((e for e in doc.iter() if e.get("id") == fragment), None)
                if el is not None:
                    ref.chapters.append(Chapter(name, blocks_of(el), group))
                continue
            groups = any(c != href for c in children)
            if not groups or has_text(doc):
                ref.chapters.append(Chapter(name, blocks_of(doc.find(f"{XHTML}body")), group))
            if groups:
                walk(sub, name)

    walk(toc.find(f"{XHTML}ol"), None)
    return ref


def from_chapters(title: str, author: str, chapters: list[Chapter], opening: bool = False) -> Reference:
    return Reference(title, author, chapters, opening=opening)


def spine_order(src: Path, repo: str, commit: str) -> list[str]:
    opf = ET.fromstring(sources.read(src, repo, commit, "src/epub/content.opf"))
    ids = {it.get("id"): it.get("href") for it in opf.iter(f"{OPF}item")}
    return [posixpath.normpath(ids[r.get("idref")]) for r in opf.iter(f"{OPF}itemref")]
