"""A paragraph cut into its sentences, each with the book's own words and punctuation."""

from __future__ import annotations

import re

# a sentence ends at . ! ? … (and any closing quotes or brackets) before a space and what opens the next
_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9À-Ý])")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "prof", "vs", "etc", "e.g", "i.e", "cf", "no", "vol", "pp", "p",
                  "ch", "fig", "jr", "sr", "mt", "gen", "col", "capt", "lt", "rev", "hon"}
MAX_CHARS = 300  # a sentence longer than this is cut at its commas, semicolons or colons (a cue a reader can take in)


def sentences(paragraph: str) -> list[str]:
    """'It is June. Mr. Smith said so.' → ['It is June.', 'Mr. Smith said so.']; a line break
    inside the paragraph (verse) ends a sentence too."""
    out: list[str] = []
    for line in paragraph.split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        start = 0
        for m in _END.finditer(line):
            before = line[start:m.start()].rstrip("\"'”’)]")
            last = before.rsplit(" ", 1)[-1].rstrip(".").lower()
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):  # "Mr. Smith", "J. Smith"
                continue
            out.append(line[start:m.start() + len(m.group(0).rstrip())].strip())
            start = m.end()
        out.append(line[start:].strip())
    return [piece for s in out if s for piece in _shorter(s)]


def _shorter(sentence: str) -> list[str]:
    """A long sentence in pieces of at most about MAX_CHARS, cut after a , ; or : ."""
    if len(sentence) <= MAX_CHARS:
        return [sentence]
    pieces, current = [], ""
    for part in re.split(r"(?<=[,;:])\s+", sentence):
        if current and len(current) + 1 + len(part) > MAX_CHARS:
            pieces.append(current)
            current = part
        else:
            current = f"{current} {part}" if current else part
    return pieces + [current] if current else pieces
