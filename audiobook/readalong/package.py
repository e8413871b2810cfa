"""The EPUB 3 container (OCF, https://www.w3.org/TR/epub-33/#sec-ocf): mimetype first and stored,
META-INF/container.xml, the package document with each page's media overlay and every
overlay's duration, the navigation document, then the pages, overlays and audio."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from audiobook.readalong.overlay import Chapter, clock, page, smil

CONTAINER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
             '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
             "</rootfiles>\n</container>\n")
STYLE = ".-epub-media-overlay-active { background-color: #ffe58a; }\n"
ACTIVE_CLASS = "-epub-media-overlay-active"


def write_epub(path: Path, chapters: list[Chapter], audio: dict[str, Path], *, title: str, language: str,
               identifier: str, author: str | None = None, narrator: str | None = None,
               audio_type: str = "audio/mpeg", cover: Path | None = None) -> None:
    """Write the read-along to `path` (`audio`: each name the overlays use → the track file)."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        deflate = zipfile.ZIP_DEFLATED
        z.writestr("META-INF/container.xml", CONTAINER, compress_type=deflate)
        z.writestr("OEBPS/content.opf", _opf(chapters, audio, title, language, identifier, author, narrator,
                                              audio_type, cover), compress_type=deflate)
        z.writestr("OEBPS/nav.xhtml", _nav(chapters, title, language), compress_type=deflate)
        z.writestr("OEBPS/style.css", STYLE, compress_type=deflate)
        for ch in chapters:
            z.writestr(f"OEBPS/{ch.page}", page(ch, language), compress_type=deflate)
            z.writestr(f"OEBPS/{ch.overlay}", smil(ch), compress_type=deflate)
        for name, src in audio.items():
            z.write(src, f"OEBPS/{name}", compress_type=zipfile.ZIP_STORED)  # audio is compressed already
        if cover is not None:
            z.write(cover, f"OEBPS/cover{cover.suffix.lower()}", compress_type=zipfile.ZIP_STORED)


def _opf(chapters: list[Chapter], audio: dict[str, Path], title: str, language: str, identifier: str,
         author: str | None, narrator: str | None, audio_type: str, cover: Path | None) -> str:
    modified = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    meta = [f'<dc:identifier id="id">{escape(identifier)}</dc:identifier>', f"<dc:title>{escape(title)}</dc:title>",
            f"<dc:language>{escape(language)}</dc:language>", f'<meta property="dcterms:modified">{modified}</meta>']
    if author:
        meta.append(f"<dc:creator>{escape(author)}</dc:creator>")
    if narrator:
        meta.append(f'<meta property="media:narrator">{escape(narrator)}</meta>')
    meta.append(f'<meta property="media:duration">{clock(sum(c.duration_s for c in chapters))}</meta>')
    meta += [f'<meta property="media:duration" refines="#mo{n}">{clock(c.duration_s)}</meta>'
             for n, c in enumerate(chapters, 1)]
    meta.append(f'<meta property="media:active-class">{ACTIVE_CLASS}</meta>')
    items = ['<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
             '<item id="css" href="style.css" media-type="text/css"/>']
    for n, c in enumerate(chapters, 1):
        items.append(f'<item id="page{n}" href="{c.page}" media-type="application/xhtml+xml" media-overlay="mo{n}"/>')
        items.append(f'<item id="mo{n}" href="{c.overlay}" media-type="application/smil+xml"/>')
    for n, name in enumerate(audio, 1):
        items.append(f'<item id="audio{n}" href={quoteattr(name)} media-type="{audio_type}"/>')
    if cover is not None:
        kind = "image/png" if cover.suffix.lower() == ".png" else "image/jpeg"
        items.append(f'<item id="cover" href="cover{cover.suffix.lower()}" media-type="{kind}" properties="cover-image"/>')
    spine = "".join(f'<itemref idref="page{n}"/>' for n in range(1, len(chapters) + 1))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id" '
            f"xml:lang={quoteattr(language)}>\n"
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n' + "\n".join(meta) + "\n</metadata>\n"
            "<manifest>\n" + "\n".join(items) + "\n</manifest>\n"
            f"<spine>{spine}</spine>\n</package>\n")


def _nav(chapters: list[Chapter], title: str, language: str) -> str:
    entries = "".join(f'<li><a href="{c.page}">{escape(c.title)}</a></li>' for c in chapters)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
            '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
            f"lang={quoteattr(language)} xml:lang={quoteattr(language)}>\n"
            f'<head><meta charset="UTF-8"/><title>{escape(title)}</title></head>\n'
            f'<body><nav epub:type="toc" id="toc"><h1>{escape(title)}</h1><ol>{entries}</ol></nav></body>\n</html>\n')
