"""HTML and XHTML (a web page, a Project Gutenberg book, an EPUB's chapters) → the Markdown the
book parser reads: `h1`–`h3` become `#` headings, paragraphs stay paragraphs, and what a narrator
does not read is left out — scripts and styles, navigation, footnote and endnote references and
the notes themselves, and Project Gutenberg's licence header and footer."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from audiobook.book.model import count_words

BLOCKS = {"p", "div", "section", "article", "li", "blockquote", "tr", "dd", "dt", "pre", "figcaption", "td",
          "h4", "h5", "h6", "br", "hr", "ul", "ol", "table", "body", "header", "footer", "main", "aside"}
SKIPPED = {"script", "style", "head", "nav", "title", "svg", "math", "noscript", "sup", "rt", "rp"}
NOTE_TYPES = {"footnote", "endnote", "rearnote", "note", "footnotes", "endnotes", "rearnotes", "noteref"}
# (older pages set them inside a <pre> with the licence's other lines: not always at a line's start)
_GUTENBERG_START = re.compile(r"\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG(?:[^*]{0,200}\*{3}|[^*\n]*)",
                              re.IGNORECASE)
_GUTENBERG_END = re.compile(r"\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG", re.IGNORECASE)


def html_to_markdown(markup: str, heading_offset: int = 0) -> str:
    """The text of `markup` as Markdown: `h1` is `#` (plus `heading_offset` more)."""
    return convert(markup, heading_offset)[0]


def convert(markup: str, heading_offset: int = 0) -> tuple[str, int]:
    """(the text of `markup` as Markdown, the words of the notes left out of it)."""
    parser = _Converter(heading_offset)
    parser.feed(markup)
    parser.close()
    return strip_gutenberg(parser.text()), count_words(" ".join(parser.notes))


def has_gutenberg_lines(text: str) -> bool:
    """Project Gutenberg's START or END line is in `text`."""
    return bool(_GUTENBERG_START.search(text) or _GUTENBERG_END.search(text))


def strip_gutenberg(text: str) -> str:
    """What lies between Project Gutenberg's START and END lines, where it has them."""
    start, end = _GUTENBERG_START.search(text), _GUTENBERG_END.search(text)
    if start:
        text = text[start.end():end.start() if end and end.start() > start.end() else len(text)]
    elif end:
        text = text[:end.start()]
    return text.strip() + "\n"


def headings_of(markup: str) -> list[tuple[int, str]]:
    """The (level, text) of every `h1`–`h3` in `markup`."""
    md = html_to_markdown(markup)
    return [(len(m[1]), m[2].strip()) for m in re.finditer(r"^(#{1,3}) (.+)$", md, re.MULTILINE)]


class _Converter(HTMLParser):
    def __init__(self, heading_offset: int):
        super().__init__(convert_charrefs=True)
        self.shift = heading_offset  # (not "offset": HTMLParser keeps its position there)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skip: list[str] = []  # the tags being skipped, innermost last
        self.heading: int | None = None
        self.notes: list[str] = []  # the text of the notes skipped (their words are reported, not read)
        self.in_note = 0  # depth inside skipped notes
        self.hgroup: list[str] | None = None  # the pieces of a heading group (<hgroup>: "I", "At the Admiral Benbow")

    def handle_starttag(self, tag: str, attrs) -> None:
        a = dict(attrs)
        kinds = set((a.get("epub:type") or "").split()) | set((a.get("role") or "").replace("doc-", "").split())
        classes = set((a.get("class") or "").split())
        ident = a.get("id") or ""
        if self.skip:
            if tag == self.skip[-1] or tag in ("div", "section", "aside", "ol", "ul", "span", "a", "sup", "p"):
                self.skip.append(tag)  # nested inside what is skipped: skipped too (closing tags pair off)
            return
        note = kinds & NOTE_TYPES or classes & {"footnote", "footnotes", "endnotes", "noteref"}
        if (tag in SKIPPED or note or ident in ("pg-header", "pg-footer") or (tag == "a" and kinds & {"noteref"})):
            self.skip.append(tag)
            if note and not kinds & {"noteref"} and "noteref" not in classes and tag not in ("a", "sup"):
                self.in_note = len(self.skip)
            return
        if tag == "hgroup":
            self._flush()
            self.hgroup = []
            return
        if self.hgroup is not None and tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p"):
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6") and self.heading is None:
                self.heading = min(3, int(tag[1])) + self.shift
            self.current = []
            return
        if tag in ("h1", "h2", "h3"):
            self._flush()
            self.heading = int(tag[1]) + self.shift
        elif tag in BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                if self.in_note == len(self.skip):
                    self.in_note = 0
                self.skip.pop()
            return
        if self.hgroup is not None:
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p"):
                piece = " ".join("".join(self.current).split())
                if piece:
                    self.hgroup.append(piece)
                self.current = []
            elif tag == "hgroup":
                pieces, self.hgroup = self.hgroup, None
                level, self.heading = self.heading or 2 + self.shift, None
                if pieces:
                    self.blocks.append("#" * min(6, level) + " " + ": ".join(pieces))
            return
        if tag in ("h1", "h2", "h3") and self.heading is not None:
            title = " ".join("".join(self.current).split())
            self.current = []
            if title:
                self.blocks.append("#" * min(6, self.heading) + " " + title)
            self.heading = None
        elif tag in BLOCKS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in ("br", "hr") and not self.skip and self.hgroup is None:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.current.append(data)
        elif self.in_note:
            self.notes.append(data)

    def _flush(self) -> None:
        if self.heading is not None:
            return
        text = " ".join("".join(self.current).split())
        self.current = []
        if text:
            self.blocks.append(text)

    def text(self) -> str:
        self._flush()
        return "\n\n".join(self.blocks)
