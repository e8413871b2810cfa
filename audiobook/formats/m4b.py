"""M4B: the whole book in one AAC file (ffmpeg encodes it: render.m4b), chapters as Nero `chpl`
and a QuickTime chapter track; M4A is the same container. Not written track by track; read
back by formats.mp4, without ffprobe."""

from __future__ import annotations

from pathlib import Path

from audiobook.formats import Format
from audiobook.formats.mp4 import NotReadable, read_mp4
from audiobook.tags.metadata import Chapter


def read_chapters(path: Path) -> tuple[list[Chapter], list[str]]:
    """The QuickTime chapter track's chapters (what Apple's players show), else Nero's chpl
    list's; a problem where the file has both and they disagree, or where either or the file
    cannot be read."""
    try:
        info = read_mp4(path)
    except NotReadable as exc:
        return [], [f"its chapters cannot be read: {exc}"]
    problems = list(info.problems)
    if not info.chapters_agree():
        problems.append(f"its two chapter lists disagree — the QuickTime chapter track has {len(info.quicktime)}, "
                        f"Nero's chpl {len(info.chpl)} (" + _first_difference(info.quicktime, info.chpl) + "): Apple's "
                        "players show the first, most others the second — export the chapters again")
    return (info.quicktime or info.chpl or []), problems


def _first_difference(a: list[Chapter], b: list[Chapter]) -> str:
    for n, (x, y) in enumerate(zip(a, b), 1):
        if x.title != y.title or abs(x.start_s - y.start_s) > 0.1:
            return f"chapter {n}: {x.title!r} at {x.start_s:.2f} s against {y.title!r} at {y.start_s:.2f} s"
    return f"the first {min(len(a), len(b))} agree"


FORMAT = Format("m4b", ".m4b", "audio/mp4", "M4B (AAC)", "a QuickTime chapter track and Nero's chpl", "quicktime",
                read_chapters=read_chapters)
