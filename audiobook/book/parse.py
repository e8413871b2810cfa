"""Choose the parser for a book's text (Markdown or plain), and read one from a file."""

from __future__ import annotations

import re
from pathlib import Path

from audiobook.book.model import Book
from audiobook.book.reading import read_text

_MD_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)


def is_markdown(text: str) -> bool:
    """Two or more ATX headings ("# Title", "## Chapter 2") make a text Markdown."""
    return len(_MD_HEADING.findall(text)) >= 2


def parse_book(text: str) -> Book:
    """Parse a book's text, Markdown or plain, into its parts and sections."""
    if is_markdown(text):
        from audiobook.book.markdown import parse_markdown

        return parse_markdown(text)
    from audiobook.book.plain import parse_plain

    return parse_plain(text)


def read_book(path: str | Path, toc: str | Path | None = None) -> Book:
    """Read and parse the book at `path`; with `toc`, merge that table of contents in."""
    book = parse_book(read_text(path))
    if toc is not None:
        from audiobook.book.toc import apply_toc

        apply_toc(book, parse_book(read_text(toc)))
    return book
