"""The publisher's blurb: title line, author, narrator, runtime placeholder, description."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# "tbc minutes", "TBC mins", "643 minutes": the runtime line, filled in after a build
_RUNTIME = re.compile(r"\b(?P<value>tbc|tba|\?+|x+|\d+)(?P<unit>\s*(?:minutes|mins?)\b)", re.IGNORECASE)
_BY = re.compile(r"^\s*(?:written\s+)?by\s+(?P<name>\S.*?)\s*$", re.IGNORECASE)
_READ_BY = re.compile(r"^\s*(?:read|narrated|performed)\s+by\s+(?P<name>\S.*?)\s*$", re.IGNORECASE)
_TRANSLATOR = re.compile(r"translat(?:ion|ed)\s+(?:\w+\s+){0,2}?by\s+(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){1,3})")
_SALES = re.compile(r"\bavailable (?:on|from|at)\b|[£$€]\s*(?:tbc|\d)|\bsubscription\b", re.IGNORECASE)


@dataclass
class Blurb:
    """A parsed blurb; `text` is kept whole so the runtime can be filled in without other changes."""

    text: str
    title_line: str | None = None
    author: str | None = None
    narrator: str | None = None
    translator: str | None = None
    runtime_placeholder: str | None = None  # "tbc minutes" as written
    description: str = ""
    other: list[str] = field(default_factory=list)  # lines such as the price, not description

    def book_title(self) -> str | None:
        """The book's title when the description names it with the title line as its subtitle.

        "draft of The Revolution Betrayed: What is the Soviet Union and where is it going?"
        makes "The Revolution Betrayed" the title, the title line the subtitle.
        """
        if not self.title_line:
            return None
        m = re.search(r"((?:(?:The|A|An)\s+)?(?:[A-Z][\w'’-]*\s+){0,5}[A-Z][\w'’-]*)\s*:\s*"
                      + re.escape(self.title_line), self.description)
        return m[1] if m else None


def parse_blurb(text: str) -> Blurb:
    """Parse a blurb; every field is optional, nothing is lost from `text`."""
    blurb = Blurb(text=text)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    body: list[str] = []
    for para in paragraphs:
        lines = [ln.strip() for ln in para.split("\n") if ln.strip()]
        header = True
        for ln in lines:
            if blurb.author is None and (m := _BY.match(ln)):
                blurb.author = m["name"]
            elif blurb.narrator is None and (m := _READ_BY.match(ln)):
                blurb.narrator = m["name"]
            elif blurb.runtime_placeholder is None and len(ln.split()) <= 4 and (m := _RUNTIME.search(ln)):
                blurb.runtime_placeholder = m[0]
            elif blurb.title_line is None and not body and len(ln.split()) <= 20:
                blurb.title_line = ln
            else:
                header = False
        if not header:
            if _SALES.search(para) and len(para.split()) <= 30:
                blurb.other.append(para)
            else:
                body.append(" ".join(para.split()))
    blurb.description = "\n\n".join(body)
    if m := _TRANSLATOR.search(blurb.description):
        blurb.translator = m["name"]
    return blurb


def _runtime_line(text: str) -> tuple[int, re.Match] | None:
    """The line that gives the runtime ("tbc minutes", "Runtime: 643 minutes"), as blurbs print
    it: a line of at most four words; the price's "£tbc" and the description's words are not it."""
    for n, line in enumerate(text.split("\n")):
        if len(line.split()) <= 4 and (m := _RUNTIME.search(line)):
            return n, m
    return None


def read_runtime(text: str) -> int | None:
    """The minutes a (filled-in) blurb gives; None where its runtime line holds no number."""
    found = _runtime_line(text)
    return int(found[1]["value"]) if found and found[1]["value"].isdigit() else None


def fill_runtime(text: str, minutes: int) -> str:
    """`text` with its runtime placeholder ("tbc minutes") replaced by `minutes`, all else unchanged.

    Only a placeholder standing on a line of its own (as blurbs print the runtime) is
    replaced: the "£tbc" price and any "tbc" in the description stay as they are.
    """
    found = _runtime_line(text)
    if found is None:
        return text
    n, m = found
    lines = text.split("\n")
    lines[n] = lines[n][: m.start("value")] + str(int(minutes)) + lines[n][m.end("value"):]
    return "\n".join(lines)
