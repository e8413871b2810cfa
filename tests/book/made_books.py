"""One book — The Revolution Betrayed, as the seed's PDF dump and its table of contents give it —
written in the shapes narrators receive: EPUB 3 and 2 (with front matter and notes), DOCX with
heading styles and one with fake bold headings, a print PDF (running headers, page numbers,
words hyphenated at line ends), a Project Gutenberg HTML page, and a plain-text essay."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from audiobook.book.model import Book, Part

TITLE, AUTHOR = "The Revolution Betrayed", "Leon Trotsky"
NOTE = "A note the narrator does not read."


def sections(part: Part):
    """A part's sections whose headings the text holds (one the dump lost has none to write)."""
    return [s for s in part.sections if not s.heading_lost]


def section_text(part: Part, n: int) -> str:
    """Section n's text, with the text of a lost-heading section after it (where the dump has it)."""
    kept = sections(part)
    s = kept[n]
    i = part.sections.index(s)
    extra = []
    for later in part.sections[i + 1:]:
        if not later.heading_lost:
            break
        extra.append(later.text)
    return "\n\n".join([s.text, *extra])


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


# -- EPUB -----------------------------------------------------------------------------------

def _xhtml(body: str, kind: str = "", title: str = "x") -> str:
    attr = f' epub:type="{kind}"' if kind else ""
    return ('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" '
            f'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>{html.escape(title)}</title></head>'
            f'<body{attr}>{body}</body></html>')


def _part_body(part: Part, notes: bool, h: tuple[str, str] = ("h1", "h2")) -> str:
    out = "" if part.kind == "opening" else f"<{h[0]}>{html.escape(part.display_title)}</{h[0]}>"
    out += "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs(part.text))
    for n, s in enumerate(sections(part)):
        out += f"<{h[1]}>{html.escape(s.title)}</{h[1]}>"
        for k, p in enumerate(paragraphs(section_text(part, n))):
            ref = (f'<sup><a epub:type="noteref" href="#n{n}">{n + 1}</a></sup>' if notes and k == 0 else "")
            out += f"<p>{html.escape(p)}{ref}</p>"
        if notes:
            out += f'<aside epub:type="footnote" id="n{n}"><p>{NOTE}</p></aside>'
    return out


def write_epub(book: Book, path: Path, version: int = 3) -> Path:
    files = {"cover.xhtml": _xhtml('<img src="cover.jpg" alt="cover"/>', "cover"),
             "title.xhtml": _xhtml(f"<h1>{TITLE}</h1><p>{AUTHOR}</p>", "titlepage"),
             "copyright.xhtml": _xhtml("<p>Copyright 1937. All rights reserved.</p>", "copyright-page")}
    order = ["cover", "title", "copyright"]
    for n, part in enumerate(book.parts):
        files[f"part{n:02d}.xhtml"] = _xhtml(_part_body(part, notes=True), title=part.display_title)
        order.append(f"part{n:02d}")
    files["index.xhtml"] = _xhtml("<h1>Index</h1><p>bureaucracy, 12, 40; kulak, 7</p>", "index")
    order.append("index")

    def entries(points: bool) -> str:
        out = ""
        for n, part in enumerate(book.parts):
            title = html.escape(part.display_title)
            subs = [(f"part{n:02d}.xhtml", html.escape(s.title)) for s in sections(part)]
            if points:
                out += (f'<navPoint id="p{n}"><navLabel><text>{title}</text></navLabel><content src="part{n:02d}.xhtml"/>'
                        + "".join(f'<navPoint id="p{n}s{k}"><navLabel><text>{t}</text></navLabel><content src="{h}"/>'
                                  "</navPoint>" for k, (h, t) in enumerate(subs)) + "</navPoint>")
            else:
                out += (f'<li><a href="part{n:02d}.xhtml">{title}</a>'
                        + ("<ol>" + "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in subs) + "</ol>" if subs else "")
                        + "</li>")
        return out

    nav = _xhtml(f'<nav epub:type="toc"><ol>{entries(False)}</ol></nav><nav epub:type="landmarks"><ol>'
                 '<li><a epub:type="cover" href="cover.xhtml">Cover</a></li>'
                 '<li><a epub:type="bodymatter" href="part00.xhtml">Start</a></li></ol></nav>')
    ncx = ('<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>'
           f'{entries(True)}</navMap></ncx>')
    items = "".join(f'<item id="{n}" href="{n}.xhtml" media-type="application/xhtml+xml"/>' for n in order)
    items += '<item id="cover-image" href="cover.jpg" media-type="image/jpeg" properties="cover-image"/>'
    items += ('<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>' if version == 3
              else '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>')
    guide = ('<guide><reference type="cover" href="cover.xhtml"/><reference type="title-page" href="title.xhtml"/>'
             '</guide>') if version == 2 else ""
    cover_meta = '<meta name="cover" content="cover-image"/>' if version == 2 else ""
    opf = (f'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="{version}.0">'
           f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{TITLE}</dc:title>'
           f'<dc:creator>{AUTHOR}</dc:creator><dc:language>en</dc:language><dc:publisher>Pathfinder</dc:publisher>'
           f'<dc:date>1937-05-01</dc:date><dc:identifier>urn:isbn:9780873488655</dc:identifier>{cover_meta}</metadata>'
           f'<manifest>{items}</manifest><spine{" toc=" + chr(34) + "ncx" + chr(34) if version == 2 else ""}>'
           + "".join(f'<itemref idref="{n}"/>' for n in order) + f"</spine>{guide}</package>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:'
                   'tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" '
                   'media-type="application/oebps-package+xml"/></rootfiles></container>')
        z.writestr("OEBPS/content.opf", opf)
        z.writestr("OEBPS/nav.xhtml" if version == 3 else "OEBPS/toc.ncx", nav if version == 3 else ncx)
        z.writestr("OEBPS/cover.jpg", JPEG)
        for name, data in files.items():
            z.writestr(f"OEBPS/{name}", data)
    return path


def write_tool_epub(book: Book, path: Path, version: int = 3) -> Path:
    """An EPUB as a common conversion tool makes one: a cover, a title page, a copyright page and a
    contents page, then one file per chapter — the first holds the book's title as `h1` over the
    opening (`book.parts[0]`), every later one a chapter headed `h2` with its bare title, its sections
    `h3` —, then the endnotes, "Notes", each chapter's first paragraph pointing to one. The nav (or
    NCX) lists the chapter files flat, and the notes; EPUB 2 has no `epub:type`, only a guide."""
    typed = version == 3

    def kind(k: str) -> str:
        return k if typed else ""

    def noteref(n: int) -> str:
        return (f'<a epub:type="noteref" href="notes.xhtml#n{n}" id="r{n}">{n}</a>' if typed
                else f'<sup><a href="notes.xhtml#n{n}" id="r{n}">[{n}]</a></sup>')

    chapters = [("ch001", TITLE, f"<h1>{TITLE}</h1>" + "".join(f"<p>{html.escape(p)}</p>"
                                                              for p in paragraphs(book.parts[0].full_text)))]
    for n, part in enumerate(book.parts[1:], 1):
        body = f"<h2>{html.escape(part.title)}</h2>"
        for k, p in enumerate(paragraphs(part.text)):
            body += f"<p>{html.escape(p)}{noteref(n) if k == 0 else ''}</p>"
        for m, s in enumerate(sections(part)):
            body += f"<h3>{html.escape(s.title)}</h3>" + "".join(
                f"<p>{html.escape(p)}</p>" for p in paragraphs(section_text(part, m)))
        chapters.append((f"ch{n + 1:03d}", part.title, body))
    notes = (f'<section{" epub:type=" + chr(34) + "endnotes" + chr(34) if typed else ""}><h1>Notes</h1><ol>'
             + "".join(f'<li id="n{n}"><p>{NOTE} <a href="ch{n + 1:03d}.xhtml#r{n}">↩</a></p></li>'
                       for n in range(1, len(book.parts))) + "</ol></section>")
    contents = "<h1>Contents</h1><ol>" + "".join(f'<li><a href="{f}.xhtml">{html.escape(t)}</a></li>'
                                                 for f, t, _ in chapters) + "</ol>"
    files = {"cover": _xhtml('<img src="cover.jpg" alt="cover"/>', kind("cover")),
             "title_page": _xhtml(f"<h1>{TITLE}</h1><p>{AUTHOR}</p>", kind("titlepage")),
             "copyright": _xhtml("<p>Copyright 1937. All rights reserved.</p>", kind("copyright-page")),
             "contents": _xhtml(contents, kind("toc"))}
    files.update({f: _xhtml(body, title=t) for f, t, body in chapters})
    files["notes"] = _xhtml(notes, title="Notes")
    listed = [(f, t) for f, t, _ in chapters] + [("notes", "Notes")]
    nav = _xhtml('<nav epub:type="toc"><ol>' + "".join(f'<li><a href="{f}.xhtml">{html.escape(t)}</a></li>'
                                                      for f, t in listed) + "</ol></nav>")
    ncx = ('<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>'
           + "".join(f'<navPoint id="np{n}" playOrder="{n + 1}"><navLabel><text>{html.escape(t)}</text></navLabel>'
                     f'<content src="{f}.xhtml"/></navPoint>' for n, (f, t) in enumerate(listed)) + "</navMap></ncx>")
    items = "".join(f'<item id="{f}" href="{f}.xhtml" media-type="application/xhtml+xml"/>' for f in files)
    items += '<item id="cover-image" href="cover.jpg" media-type="image/jpeg" properties="cover-image"/>'
    items += ('<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>' if typed
              else '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>')
    guide = ('<guide><reference type="cover" href="cover.xhtml"/><reference type="title-page" href="title_page.xhtml"/>'
             '<reference type="toc" href="contents.xhtml"/></guide>') if not typed else ""
    opf = (f'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="{version}.0">'
           f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{TITLE}</dc:title>'
           f'<dc:creator>{AUTHOR}</dc:creator><dc:language>en</dc:language></metadata>'
           f'<manifest>{items}</manifest><spine{"" if typed else " toc=" + chr(34) + "ncx" + chr(34)}>'
           + "".join(f'<itemref idref="{f}"/>' for f in files) + f"</spine>{guide}</package>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:'
                   'tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="EPUB/content.opf" '
                   'media-type="application/oebps-package+xml"/></rootfiles></container>')
        z.writestr("EPUB/content.opf", opf)
        z.writestr("EPUB/nav.xhtml" if typed else "EPUB/toc.ncx", nav if typed else ncx)
        z.writestr("EPUB/cover.jpg", JPEG)
        for name, data in files.items():
            z.writestr(f"EPUB/{name}.xhtml", data)
    return path


def with_opening(book: Book) -> Book:
    """`book` with its first part made the opening: its text, sections' too, read under the book's
    title before the first heading."""
    first = book.parts[0]
    return Book(parts=[Part(kind="opening", text=first.full_text), *book.parts[1:]], title=book.title)


# a 1x1 JPEG: the cover candidate's bytes (its size is check's business)
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f1e1d"
    "1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f0000010501"
    "010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d0102030004110512213141"
    "0613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a5354"
    "55565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9"
    "bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9")


# -- DOCX -----------------------------------------------------------------------------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _run(text: str, bold: bool = False, size: int | None = None) -> str:
    props = ("<w:b/>" if bold else "") + (f'<w:sz w:val="{size}"/>' if size else "")
    return f'<w:r>{"<w:rPr>" + props + "</w:rPr>" if props else ""}<w:t xml:space="preserve">{html.escape(text)}</w:t></w:r>'


def write_docx(book: Book, path: Path, fake_headings: bool = False) -> Path:
    """Heading styles (ids as a German Word names them), or — `fake_headings` — bold, larger
    Normal paragraphs, as many manuscripts have them. Tracked changes and footnote references in
    the text, a comment, a footnote part."""

    def heading(text: str, level: int) -> str:
        if fake_headings:
            return f"<w:p>{_run(text, bold=True, size=36 if level == 1 else 28)}</w:p>"
        return f'<w:p><w:pPr><w:pStyle w:val="berschrift{level}"/></w:pPr>{_run(text)}</w:p>'

    def para(text: str, first: bool) -> str:
        words = text.split()
        if first and len(words) > 6:  # the last words inserted over deleted ones, a footnote and a comment
            return (f'<w:p><w:commentRangeStart w:id="0"/>{_run(" ".join(words[:-2]) + " ")}'
                    '<w:del w:id="1"><w:r><w:delText>struck words</w:delText></w:r></w:del>'
                    f'<w:ins w:id="2">{_run(" ".join(words[-2:]))}</w:ins><w:commentRangeEnd w:id="0"/>'
                    '<w:r><w:commentReference w:id="0"/></w:r><w:r><w:footnoteReference w:id="1"/></w:r></w:p>')
        return f"<w:p>{_run(text)}</w:p>"

    title = (f"<w:p>{_run(TITLE, bold=True, size=48)}</w:p>" if fake_headings
             else f'<w:p><w:pPr><w:pStyle w:val="Titel"/></w:pPr>{_run(TITLE)}</w:p>')
    body = title
    for part in book.parts:
        if part.kind != "opening":  # the opening is read under the book's title, with no heading of its own
            body += heading(part.display_title, 1)
        body += "".join(para(p, k == 0) for k, p in enumerate(paragraphs(part.text)))
        for n, s in enumerate(sections(part)):
            body += heading(s.title, 2)
            body += "".join(para(p, k == 0) for k, p in enumerate(paragraphs(section_text(part, n))))
    styles = (f'<w:styles {W}><w:style w:styleId="Titel"><w:name w:val="Title"/></w:style>'
              '<w:style w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style>'
              '<w:style w:styleId="berschrift2"><w:name w:val="heading 2"/></w:style></w:styles>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", f"<w:document {W}><w:body>{body}</w:body></w:document>")
        z.writestr("word/styles.xml", styles)
        z.writestr("word/footnotes.xml", f'<w:footnotes {W}><w:footnote w:id="1"><w:p>{_run(NOTE)}</w:p>'
                   "</w:footnote></w:footnotes>")
        z.writestr("word/comments.xml", f'<w:comments {W}><w:comment w:id="0"><w:p>{_run("Check this.")}</w:p>'
                   "</w:comment></w:comments>")
    return path


# -- HTML -----------------------------------------------------------------------------------

def write_html(book: Book, path: Path) -> Path:
    body = "".join(_part_body(p, notes=False, h=("h2", "h3")) for p in book.parts)
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>The Project Gutenberg eBook of "
            f"{TITLE}</title></head><body><section id='pg-header'><p>The Project Gutenberg eBook of {TITLE}</p>"
            "<p>This ebook is for the use of anyone anywhere in the United States and most other parts of the world."
            f"</p></section><h1>{TITLE}</h1><p class='author'>by {AUTHOR}</p>{body}<section id='pg-footer'>"
            "<p>*** END OF THE PROJECT GUTENBERG EBOOK ***</p><p>Section 1. General Terms of Use and Redistributing "
            "Project Gutenberg electronic works</p></section></body></html>")
    path.write_text(page, encoding="utf-8")
    return path


# -- PDF ------------------------------------------------------------------------------------

def write_pdf(book: Book, path: Path, *, hyphenate: bool = True) -> Path:
    """A print edition laid out by hand on reportlab's canvas: A5, Times, justified lines broken
    with a hyphen inside long words, each part on a new page, a running header (the book's
    title on left pages, the part on right ones) and the page number at the foot."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    width, height = A5
    left, right, top, bottom = 50, width - 50, height - 60, 60
    c = canvas.Canvas(str(path), pagesize=A5)
    c.setTitle("Microsoft Word - trotsky_final_v3.docx")  # what real files' information says
    state = {"y": top, "page": 1, "header": ""}

    def furniture() -> None:
        c.setFont("Times-Italic", 8)
        c.drawString(left, height - 35, TITLE if state["page"] % 2 == 0 else state["header"])
        c.setFont("Times-Roman", 8)
        c.drawCentredString(width / 2, 35, str(state["page"]))

    def new_page() -> None:
        furniture()
        c.showPage()
        state["page"] += 1
        state["y"] = top

    def need(h: float) -> None:
        if state["y"] - h < bottom:
            new_page()

    def lines_of(text: str, font: str, size: float) -> list[str]:
        out, line = [], ""
        for word in text.split():
            trial = f"{line} {word}".strip()
            if stringWidth(trial, font, size) <= right - left:
                line = trial
                continue
            if hyphenate and len(word) >= 8 and word.isalpha():  # break it: "revolu-" / "tion"
                for cut in range(len(word) - 3, 3, -1):
                    head = f"{line} {word[:cut]}-".strip()
                    if stringWidth(head, font, size) <= right - left:
                        out.append(head)
                        line = word[cut:]
                        break
                else:
                    out.append(line)
                    line = word
                continue
            out.append(line)
            line = word
        if line:
            out.append(line)
        return out

    def heading(text: str, size: float) -> None:
        for line in lines_of(text, "Times-Bold", size):
            need(size * 1.6)
            c.setFont("Times-Bold", size)
            c.drawString(left, state["y"], line)
            state["y"] -= size * 1.3
        state["y"] -= size * 0.6

    def paragraph(text: str) -> None:
        for n, line in enumerate(lines_of(text, "Times-Roman", 10)):
            need(13)
            c.setFont("Times-Roman", 10)
            c.drawString(left + (12 if n == 0 else 0), state["y"], line)
            state["y"] -= 13

    c.setFont("Times-Bold", 22)
    c.drawCentredString(width / 2, height / 2 + 40, TITLE)
    c.setFont("Times-Roman", 13)
    c.drawCentredString(width / 2, height / 2, AUTHOR)
    c.showPage()
    for part in book.parts:
        state["header"] = part.display_title
        if state["y"] < top and part.kind != "opening":
            new_page()
        if part.kind != "opening":
            heading(part.display_title, 16)
        for p in paragraphs(part.text):
            paragraph(p)
        for n, s in enumerate(sections(part)):
            need(60)
            state["y"] -= 8
            heading(s.title, 12)
            for p in paragraphs(section_text(part, n)):
                paragraph(p)
    furniture()
    c.showPage()
    c.save()
    return path


# -- plain text and Markdown ---------------------------------------------------------------

def write_text(book: Book, path: Path, markdown: bool = False) -> Path:
    """The title line, then each part's heading and text and its sections' — plain, or with
    `#` over the title, `##` over parts and `###` over sections."""
    marks = ("# ", "## ", "### ") if markdown else ("", "", "")
    out = [marks[0] + TITLE]
    for part in book.parts:
        out += ([] if part.kind == "opening" else [marks[1] + part.display_title]) + paragraphs(part.text)
        for n, s in enumerate(sections(part)):
            out += [marks[2] + s.title, *paragraphs(section_text(part, n))]
    path.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return path


# -- the essay shape ------------------------------------------------------------------------

def write_essay(book: Book, path: Path) -> Path:
    """A title line, an opening, then chapters headed by short unnumbered lines in sentence case;
    lists, questions closing paragraphs and dialogue in the text, as in real essays."""
    out = [TITLE, "", *_wrapped(book.parts[0].full_text)]
    for n, part in enumerate(book.parts[1:]):
        title = part.title or part.label
        out += ["", "", _sentence_case(title), ""]
        body = part.full_text
        if n == 2:
            body += ("\n\nThe programme demanded:\n\n1) Free and democratic elections to the soviets\n\n"
                     "2) Freedom of the press for every party of the workers\n\n3) The right to strike\n\n"
                     "But what is the situation now?")
        if n == 4:
            body += "\n\n“Who will guard the guards?”\n\nNobody answered."
        out += _wrapped(body)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


PROPER = {"Soviet", "Union", "Thermidor", "Stalin", "Bolshevik", "Stakhanov", "Kulak", "NEP", "Red", "Army",
          "League", "Nations", "Communist", "International", "USSR", "Ruble", "Bonapartism", "Russian"}


def _sentence_case(title: str) -> str:
    """"The Soviet Union in the Mirror of the New Constitution" → "The Soviet Union in the mirror of
    the new constitution": the first word and proper names keep their capitals."""
    words = title.split()
    return " ".join([words[0]] + [w if w.strip('"“”?') in PROPER or w.isupper() else w.lower() for w in words[1:]])


def _wrapped(text: str, width: int = 72) -> list[str]:
    out: list[str] = []
    for p in paragraphs(text):
        line = ""
        for word in p.split():
            if len(line) + len(word) + 1 > width and line:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        out += [line, ""]
    return out


def outline(book: Book) -> list[tuple[str, list[str]]]:
    """What must come out the same from every shape: each part's title and its sections'."""
    return [(p.display_title, [s.title for s in sections(p)]) for p in book.parts]


def words_of(text: str) -> int:
    return len(re.findall(r"[^\W_]+(?:['’\-][^\W_]+)*", text))
