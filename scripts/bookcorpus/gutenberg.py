"""What a Project Gutenberg HTML book's own contents list and text say, read without audiobook's
parser: the contents' links to places in the page are the chapters (each titled as its contents
row reads), a chapter's text runs from its place to the next chapter's (the last to Gutenberg's END
line), headings taken out, and everything before the first chapter is not counted as read."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from bookcorpus.reference import Block, Chapter, Reference

ROWS = {"tr", "li", "p", "dt", "dd", "div"}
BLOCKS = ROWS | {"h1", "h2", "h3", "h4", "h5", "h6", "td", "br", "blockquote", "pre", "table", "hr"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[tuple[str, bool]] = []  # (text, inside a heading), blocks apart
        self.places: dict[str, int] = {}  # an anchor's name or id → the chunk it stands before
        self.links: list[tuple[str, int]] = []  # (#target, the row it is in)
        self.rows: list[list[str]] = []  # each contents-like row's text
        self.row: list[str] | None = None
        self.heading = 0
        self.skip = 0
        self.current: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style", "head"):
            self.skip += 1
        for key in ("id", "name"):
            if a.get(key):
                self.places.setdefault(a[key], len(self.chunks) + (1 if self.current else 0))
        if tag in BLOCKS:
            self._flush()
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.heading += 1
        if tag in ("tr", "li", "p") and self.row is None:
            self.row = []
        if tag == "a" and (a.get("href") or "").startswith("#"):
            self.links.append((a["href"][1:], len(self.rows)))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        if tag in BLOCKS:
            self._flush()
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.heading = max(0, self.heading - 1)
        if tag in ("tr", "li", "p") and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if not self.skip:
            self.current.append(data)
            if self.row is not None:
                self.row.append(data)

    def _flush(self):
        text = " ".join("".join(self.current).split())
        self.current = []
        if text:
            self.chunks.append((text, self.heading > 0))


def gutenberg_page(data: bytes, title: str, author: str) -> Reference:
    page = _Page()
    page.feed(data.decode("utf-8", errors="replace"))
    page.close()
    end = next((n for n, (t, _) in enumerate(page.chunks) if re.search(r"\*{3}\s*END OF (THE|THIS) PROJECT", t)),
               len(page.chunks))
    seen, targets = set(), []
    for target, row in page.links:
        if target in page.places and target not in seen and page.places[target] < end:
            seen.add(target)
            row_text = " ".join(" ".join(page.rows[row]).split()) if row < len(page.rows) else target
            targets.append((page.places[target], row_text))
    targets.sort()
    chapters = []
    for n, (start, name) in enumerate(targets):
        stop = targets[n + 1][0] if n + 1 < len(targets) else end
        blocks = [Block(t, heading=h) for t, h in page.chunks[start:stop]]
        chapters.append(Chapter(name, blocks))
    return Reference(title, author, chapters)
