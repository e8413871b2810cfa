"""One chapter of a read-along: its XHTML page (a span per sentence) and its SMIL media overlay
(EPUB 3 Media Overlays 3.3, https://www.w3.org/TR/epub-33/#sec-media-overlays): a `par` per
sentence said, pointing at the sentence and at its clip of the built track."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from audiobook.transcript import Cue, Line


@dataclass(frozen=True)
class Clip:
    """A sentence's stretch of a track: `audio` (its name in the EPUB), seconds."""

    audio: str
    start_s: float
    end_s: float


@dataclass
class Chapter:
    title: str
    page: str  # its XHTML's name in the EPUB: "chapter-01.xhtml"
    lines: list[Line]
    clips: list[Clip | None]  # each line's, None for a line not said (left out)

    @property
    def overlay(self) -> str:
        return self.page.replace(".xhtml", ".smil")

    @property
    def duration_s(self) -> float:
        return sum(c.end_s - c.start_s for c in self.clips if c)


def match_cues(lines: list[Line], cues: list[tuple[str, Cue]]) -> list[Clip | None]:
    """Each line's clip: the cue that holds its text, in order (`cues`: (audio, cue) across the
    chapter's tracks). A line no cue holds was left out by the narrator; lines that share a cue
    (none of their words could be placed) all take it."""
    clips: list[Clip | None] = []
    j, rest = 0, ""
    for line in lines:
        if not rest and j < len(cues):
            rest = cues[j][1].text
        if rest == line.text or rest.startswith(line.text + " "):
            audio, cue = cues[j]
            clips.append(Clip(audio, cue.start_s, cue.end_s))
            rest = rest[len(line.text):].lstrip()
            if not rest:
                j += 1
        else:
            clips.append(None)
    return clips


def page(chapter: Chapter, language: str) -> str:
    """The chapter's XHTML: headings as h1/h2, its sentences as spans in their paragraphs."""
    body: list[str] = []
    open_p = False
    for n, line in enumerate(chapter.lines):
        text = escape(line.text)
        if line.heading:
            if open_p:
                body.append("</p>")
                open_p = False
            tag = "h1" if n == 0 else "h2"
            body.append(f'<{tag} id="s{n}">{text}</{tag}>')
            continue
        if line.opens_paragraph or not open_p:
            if open_p:
                body.append("</p>")
            body.append("<p>")
            open_p = True
        body.append(f'<span id="s{n}">{text}</span>')
    if open_p:
        body.append("</p>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
            f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
            f'lang={quoteattr(language)} xml:lang={quoteattr(language)}>\n'
            f"<head><meta charset=\"UTF-8\"/><title>{escape(chapter.title)}</title>"
            '<link rel="stylesheet" type="text/css" href="style.css"/></head>\n'
            '<body><section epub:type="chapter">\n' + "\n".join(body) + "\n</section></body>\n</html>\n")


def smil(chapter: Chapter) -> str:
    """The chapter's media overlay: a `par` per line said, in reading order."""
    pars = [f'<par id="p{n}"><text src="{chapter.page}#s{n}"/>'
            f'<audio src={quoteattr(c.audio)} clipBegin="{c.start_s:.3f}s" clipEnd="{c.end_s:.3f}s"/></par>'
            for n, c in enumerate(chapter.clips) if c is not None]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops" version="3.0">\n'
            f'<body><seq id="seq" epub:textref="{chapter.page}" epub:type="chapter">\n'
            + "\n".join(pars) + "\n</seq></body>\n</smil>\n")


def clock(seconds: float) -> str:
    """A SMIL full clock value, as media:duration takes it: '0:01:23.456'."""
    ms = round(seconds * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    return f"{h}:{m:02d}:{ms // 1000:02d}.{ms % 1000:03d}"
