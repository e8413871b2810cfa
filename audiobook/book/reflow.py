"""Rejoin wrapped lines into paragraphs, mending paragraphs that a page break cut in two."""

from __future__ import annotations

import re

_ENDS_SENTENCE = re.compile(r"[.!?:\"'”’)\]]\s*$")


def reflow(lines: list[str]) -> str:
    """Paragraphs of `lines` ("" for a break), one per blank-separated run, joined by blank lines.

    A paragraph that does not end a sentence, followed by one that starts in lower case,
    is one paragraph cut by a page break (or by furniture removed from between them).
    """
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines + [""]:
        s = " ".join(line.split())
        if s:
            current.append(s)
            continue
        if not current:
            continue
        para = _join(current)
        current = []
        if paragraphs and not _ENDS_SENTENCE.search(paragraphs[-1]) and para[:1].islower():
            paragraphs[-1] = _join([paragraphs[-1], para])
        else:
            paragraphs.append(para)
    return "\n\n".join(paragraphs)


def _join(pieces: list[str]) -> str:
    out = pieces[0]
    for p in pieces[1:]:
        if out.endswith("-") and p[:1].islower() and not out.endswith(" -"):
            out += p  # a word hyphenated at the line's end ("semi-\nfeudal")
        else:
            out += " " + p
    return out
