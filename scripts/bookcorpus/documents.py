"""A book's chapters written as a web page, a Word manuscript and a print PDF — the shapes a narrator
receives besides EPUBs — from its reference (the blocks of its chapters, as its source prints them)."""

from __future__ import annotations

import html
import io
from xml.sax.saxutils import escape

from bookcorpus.reference import Chapter, Reference
from bookcorpus.zips import zipped


def _outline(ref: Reference):
    """(level, text) of every block in reading order: 0 the opening's paragraphs' level too (no heading),
    1 a group's heading, 2 a chapter's, 3 a heading inside it, None a paragraph."""
    group = None
    for n, c in enumerate(ref.chapters):
        if c.group and c.group != group:
            group = c.group
            yield 1, group
        if n == 0 and ref.opening:
            yield from ((None, b.text) for b in c.blocks if not b.heading)
            continue
        yield from _chapter(c)


def _chapter(c: Chapter):
    seen = False
    for b in c.blocks:
        if b.heading:
            yield (3 if seen else 2), b.text
            seen = True
        else:
            if not seen:
                yield 2, c.title
                seen = True
            yield None, b.text


def web_page(ref: Reference) -> bytes:
    """One HTML page: the title (`h1`), the author, a contents list (`nav`), the opening where the book has
    one, then parts (`h2`), chapters (`h2`,
    or `h3` under parts) and what is headed inside them."""
    grouped = any(c.group for c in ref.chapters)
    tags = {1: "h2", 2: "h3" if grouped else "h2", 3: "h4" if grouped else "h3"}
    body = f"<h1>{html.escape(ref.title)}</h1><p class='author'>by {html.escape(ref.author)}</p>"
    body += "<nav><h2>Contents</h2><ul>" + "".join(f"<li>{html.escape(c.title)}</li>" for c in ref.chapters) + "</ul></nav>"
    for level, text in _outline(ref):
        tag = "p" if level is None else tags[level]
        body += f"<{tag}>{html.escape(text)}</{tag}>"
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(ref.title)}</title></head>"
            f"<body>{body}</body></html>").encode()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def manuscript(ref: Reference) -> bytes:
    """A DOCX with Word's styles: Title, then Heading 1 for parts (or chapters where there are no parts),
    the next level for chapters and the next for what is headed inside them."""
    grouped = any(c.group for c in ref.chapters)
    style = {1: 1, 2: 2 if grouped else 1, 3: 3 if grouped else 2}

    def para(text: str, style_id: str | None = None) -> str:
        props = f'<w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>' if style_id else ""
        return f'<w:p>{props}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'

    body = para(ref.title, "Title") + para(f"by {ref.author}")
    for level, text in _outline(ref):
        body += para(text, None if level is None else f"Heading{style[level]}")
    styles = (f'<w:styles {W}><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>'
              + "".join(f'<w:style w:type="paragraph" w:styleId="Heading{n}"><w:name w:val="heading {n}"/></w:style>'
                        for n in (1, 2, 3)) + "</w:styles>")
    ct = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    return zipped({"[Content_Types].xml": ct.encode(),
                   "word/document.xml": f"<w:document {W}><w:body>{body}</w:body></w:document>".encode(),
                   "word/styles.xml": styles.encode()})


def print_pdf(ref: Reference) -> bytes:
    """A print edition: a title page, each chapter on a new page under a bold heading, what is headed
    inside it smaller, Times 10 pt justified by hand, a running header and the page number."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    width, height = A5
    left, right, top, bottom = 50, width - 50, height - 60, 60
    c = canvas.Canvas(buf, pagesize=A5, invariant=1)
    c.setTitle(ref.title)
    state = {"y": top, "page": 1, "header": ref.title}

    def furniture() -> None:
        c.setFont("Times-Italic", 8)
        c.drawString(left, height - 35, ref.title if state["page"] % 2 == 0 else state["header"])
        c.setFont("Times-Roman", 8)
        c.drawCentredString(width / 2, 35, str(state["page"]))

    def new_page() -> None:
        furniture()
        c.showPage()
        state["page"] += 1
        state["y"] = top

    def lines_of(text: str, font: str, size: float) -> list[str]:
        out, line = [], ""
        for word in text.split():
            trial = f"{line} {word}".strip()
            if stringWidth(trial, font, size) <= right - left or not line:
                line = trial
            else:
                out.append(line)
                line = word
        return out + ([line] if line else [])

    def write(text: str, font: str, size: float, indent: float = 0.0, after: float = 0.0) -> None:
        for n, line in enumerate(lines_of(text, font, size)):
            if state["y"] - size * 1.3 < bottom:
                new_page()
            c.setFont(font, size)
            c.drawString(left + (indent if n == 0 else 0), state["y"], line)
            state["y"] -= size * 1.3
        state["y"] -= after

    c.setFont("Times-Bold", 22)
    c.drawCentredString(width / 2, height / 2 + 40, ref.title)
    c.setFont("Times-Roman", 13)
    c.drawCentredString(width / 2, height / 2, ref.author)
    c.showPage()
    state["page"] += 1
    for level, text in _outline(ref):
        if level in (1, 2):
            if state["y"] < top:
                new_page()
            state["header"] = text
            write(text, "Times-Bold", 18 if level == 1 else 15, after=10)
        elif level == 3:
            state["y"] -= 8
            write(text, "Times-Bold", 12, after=4)
        else:
            write(text, "Times-Roman", 10, indent=12)
    furniture()
    c.showPage()
    c.save()
    return buf.getvalue()
