"""EPUBs made from sources: a Standard Ebooks source zipped as it is (EPUB 3), the same turned into an
EPUB 2 as older tools make them (an NCX and a guide, no `epub:type`), and an EPUB as a common
conversion tool makes one from a book's chapters (one file a chapter, the first the book's title over
its opening, chapters `h2`, the nav or NCX flat)."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from bookcorpus import sources
from bookcorpus.reference import TYPE, XHTML, Reference
from bookcorpus.zips import zipped

MIMETYPE = ("mimetype", b"application/epub+zip")
CONTAINER = (b'<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
             b'<rootfiles><rootfile full-path="%s" media-type="application/oebps-package+xml"/></rootfiles></container>')


def _src_files(src: Path, repo: str, commit: str) -> dict[str, bytes]:
    return {p[len("src/"):]: sources.read(src, repo, commit, p) for p in sources.listing(src, repo, commit, "src")
            if p != "src/mimetype"}


def standard_epub3(src: Path, repo: str, commit: str) -> bytes:
    return zipped(_src_files(src, repo, commit), MIMETYPE)


def standard_epub2(src: Path, repo: str, commit: str) -> bytes:
    files = _src_files(src, repo, commit)
    nav = ET.fromstring(files["epub/toc.xhtml"])
    toc = next(n for n in nav.iter(f"{XHTML}nav") if "toc" in (n.get(TYPE) or "").split())
    order = [0]

    def points(ol: ET.Element) -> str:
        out = ""
        for li in ol.findall(f"{XHTML}li"):
            a = li.find(f"{XHTML}a")
            sub = li.find(f"{XHTML}ol")
            order[0] += 1
            label = html.escape(" ".join("".join(a.itertext()).split()))
            out += (f'<navPoint id="np{order[0]}" playOrder="{order[0]}"><navLabel><text>{label}</text></navLabel>'
                    f'<content src="{html.escape(a.get("href"))}"/>{points(sub) if sub is not None else ""}</navPoint>')
        return out

    files["epub/toc.ncx"] = ('<?xml version="1.0" encoding="utf-8"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" '
                             f'version="2005-1"><head/><docTitle><text>x</text></docTitle><navMap>'
                             f'{points(toc.find(f"{XHTML}ol"))}</navMap></ncx>').encode()
    guide = ""
    for name, data in sorted(files.items()):
        if name.startswith("epub/text/"):
            m = re.search(rb'<section[^>]*epub:type="([^"]*)"', data)
            kinds = set((m[1].decode() if m else "").split())
            kind = next((g for k, g in (("titlepage", "title-page"), ("colophon", "colophon"),
                                        ("dedication", "dedication"), ("epigraph", "epigraph")) if k in kinds), None)
            if kind:
                guide += f'<reference type="{kind}" href="{name[len("epub/"):]}" title="{kind}"/>'
            files[name] = re.sub(rb'\s(?:epub:type|epub:prefix)="[^"]*"', b"", data)
    opf = files["epub/content.opf"].decode()
    opf = re.sub(r'<package([^>]*)version="3.0"', r'<package\1version="2.0"', opf)
    opf = re.sub(r'\sproperties="[^"]*"', "", opf)
    opf = re.sub(r"<meta property=[^>]*>.*?</meta>|<meta refines=[^>]*>.*?</meta>", "", opf, flags=re.DOTALL)
    opf = opf.replace("</manifest>", '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/></manifest>')
    opf = re.sub(r"<spine[^>]*>", '<spine toc="ncx">', opf)
    opf = opf.replace("</package>", f"<guide>{guide}</guide></package>")
    files["epub/content.opf"] = opf.encode()
    return zipped(files, MIMETYPE)


def _xhtml(body: str, title: str, kind: str = "") -> bytes:
    attr = f' epub:type="{kind}"' if kind else ""
    return ('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" '
            f'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>{html.escape(title)}</title></head>'
            f"<body{attr}>{body}</body></html>").encode()


def tool_epub(ref: Reference, version: int = 3) -> bytes:
    """One file a chapter, as a common conversion tool writes them: a cover page, a title page, a
    copyright page and a contents page first; the first chapter file holds the book's title (`h1`)
    over the opening (`ref.chapters[0]` where `ref.opening`), every later one a chapter headed `h2`
    (its inner headings `h3`); the nav (or NCX) lists the chapter files flat."""
    typed = version == 3
    kind = (lambda k: k) if typed else (lambda k: "")
    chapters = []
    rest = ref.chapters
    if ref.opening:
        first, rest = ref.chapters[0], ref.chapters[1:]
        chapters.append(("ch001", ref.title, f"<h1>{html.escape(ref.title)}</h1>" + "".join(
            f"<p>{html.escape(b.text)}</p>" for b in first.blocks if not b.heading)))
    for c in rest:
        body, seen = "", False
        for b in c.blocks:
            if b.heading:
                body += f"<{'h3' if seen else 'h2'}>{html.escape(b.text)}</{'h3' if seen else 'h2'}>"
                seen = True
            else:
                body += f"<p>{html.escape(b.text)}</p>"
        if not seen:
            body = f"<h2>{html.escape(c.title)}</h2>" + body
        chapters.append((f"ch{len(chapters) + 1:03d}", c.title, body))
    files = {"cover": _xhtml('<p><img src="cover.png" alt="cover"/></p>', "Cover", kind("cover")),
             "title_page": _xhtml(f"<h1>{html.escape(ref.title)}</h1><p>{html.escape(ref.author)}</p>", ref.title,
                                  kind("titlepage")),
             "copyright": _xhtml("<p>This edition is in the public domain.</p>", "Copyright", kind("copyright-page")),
             "contents": _xhtml("<h1>Contents</h1><ol>" + "".join(f'<li><a href="{f}.xhtml">{html.escape(t)}</a></li>'
                                                                  for f, t, _ in chapters) + "</ol>", "Contents",
                                kind("toc"))}
    files.update({f: _xhtml(body, t) for f, t, body in chapters})
    nav = _xhtml('<nav epub:type="toc"><ol>' + "".join(f'<li><a href="{f}.xhtml">{html.escape(t)}</a></li>'
                                                       for f, t, _ in chapters) + "</ol></nav>", "Contents")
    ncx = ('<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>'
           + "".join(f'<navPoint id="np{n}" playOrder="{n + 1}"><navLabel><text>{html.escape(t)}</text></navLabel>'
                     f'<content src="{f}.xhtml"/></navPoint>' for n, (f, t, _) in enumerate(chapters))
           + "</navMap></ncx>").encode()
    items = "".join(f'<item id="{f}" href="{f}.xhtml" media-type="application/xhtml+xml"/>' for f in files)
    items += ('<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>' if typed
              else '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>')
    guide = "" if typed else ('<guide><reference type="cover" href="cover.xhtml"/><reference type="title-page" '
                              'href="title_page.xhtml"/><reference type="toc" href="contents.xhtml"/></guide>')
    opf = (f'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="{version}.0">'
           f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{html.escape(ref.title)}</dc:title>'
           f'<dc:creator>{html.escape(ref.author)}</dc:creator><dc:language>en</dc:language></metadata>'
           f'<manifest>{items}</manifest><spine{"" if typed else " toc=" + chr(34) + "ncx" + chr(34)}>'
           + "".join(f'<itemref idref="{f}"/>' for f in files) + f"</spine>{guide}</package>").encode()
    out = {"META-INF/container.xml": CONTAINER % b"EPUB/content.opf", "EPUB/content.opf": opf,
           ("EPUB/nav.xhtml" if typed else "EPUB/toc.ncx"): nav if typed else ncx}
    out.update({f"EPUB/{f}.xhtml": data for f, data in files.items()})
    return zipped(out, MIMETYPE)
