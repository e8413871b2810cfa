"""Choose the parser for a book's text (Markdown or plain), and read one from a file."""

from __future__ import annotations

import re
from pathlib import Path

from audiobook.book.docx import read_docx
from audiobook.book.epub import read_epub
from audiobook.book.html import has_gutenberg_lines, html_to_markdown, strip_gutenberg
from audiobook.book.markdown import parse_markdown
from audiobook.book.model import Book
from audiobook.book.pdf import read_pdf
from audiobook.book.plain import parse_plain
from audiobook.book.reading import read_text
from audiobook.book.toc import apply_toc

_MD_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)


def is_markdown(text: str) -> bool:
    """Two or more ATX headings ("# Title", "## Chapter 2") make a text Markdown."""
    return len(_MD_HEADING.findall(text)) >= 2


def parse_book(text: str) -> Book:
    """Parse a book's text, Markdown or plain, into its parts and sections."""
    if is_markdown(text):

        return parse_markdown(text)

    return parse_plain(text)


def read_book(path: str | Path, toc: str | Path | None = None) -> Book:
    """Read and parse the book at `path` — plain text or Markdown, EPUB, DOCX, PDF or HTML (by its
    name) —; with `toc`, merge that table of contents in."""
    book = _read_any(Path(path))
    if toc is not None:

        apply_toc(book, parse_book(read_text(toc)))
    return book


def _read_any(path: Path) -> Book:
    suffix = path.suffix.lower()
    if suffix == ".epub":

        epub = read_epub(path)
        book = Book(parts=epub.parts) if epub.parts is not None else parse_markdown(epub.text)
        book.title = epub.meta.get("title") or book.title
        book.metadata, book.left_out, book.cover = epub.meta, epub.left_out, epub.cover
        for note in epub.notes:
            book.warn(note)
        if epub.left_out:
            book.warn(f"left out of the narration as front or back matter: {', '.join(x.name for x in epub.left_out)}"
                      " — add any that is read to manifest.yaml by hand")
        return book
    if suffix in (".docx", ".pdf"):

        text, marked, meta = (read_docx if suffix == ".docx" else read_pdf)(path)
        text = without_licence(text)
        book = _markdown(text) if marked else parse_book(text)
        book.title = meta.get("title") or book.title
        book.metadata = meta
        return book
    if suffix in (".html", ".htm", ".xhtml"):

        return _markdown(html_to_markdown(read_text(path)))
    return parse_book(without_licence(read_text(path)))


def without_licence(text: str) -> str:
    """A Project Gutenberg book's text without the licence's header and footer (its START and END
    lines say where they are), the title heading a reader put first kept."""

    if not has_gutenberg_lines(text):
        return text
    m = re.match(r"# [^\n]*\n\n", text)
    head = m[0] if m else ""
    return head + strip_gutenberg(text[len(head):])


def _markdown(text: str) -> Book:

    return parse_markdown(text)
