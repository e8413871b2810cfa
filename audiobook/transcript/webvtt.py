"""WebVTT (W3C WebVTT, https://www.w3.org/TR/webvtt1/): cues written as a file."""

from __future__ import annotations

import re

from audiobook.transcript.cues import Cue


def timestamp(seconds: float) -> str:
    """'01:02:03.456' (§4.2: hours, minutes, seconds and thousandths)."""
    ms = max(0, round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _escape(text: str) -> str:
    # §4.2.2: a cue's text may not hold "-->", and & and < start escapes and tags
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.split())


_TIMING = re.compile(r"^((?:\d+:)?\d{2}:\d{2}\.\d{3})\s+-->\s+((?:\d+:)?\d{2}:\d{2}\.\d{3})")


def seconds(stamp: str) -> float:
    """'01:02:05.457' or '02:05.457' → seconds."""
    total = 0.0
    for part in stamp.split(":"):
        total = total * 60 + float(part)
    return total


def read_webvtt(text: str) -> list[Cue]:
    """The cues of a WebVTT file as `to_webvtt` writes them: times, and the text unescaped."""
    cues: list[Cue] = []
    lines = text.splitlines()
    for n, line in enumerate(lines):
        m = _TIMING.match(line.strip())
        if not m:
            continue
        body = []
        for more in lines[n + 1:]:
            if not more.strip():
                break
            body.append(more.strip())
        said = " ".join(body).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        cues.append(Cue(seconds(m.group(1)), seconds(m.group(2)), said))
    return cues


def to_webvtt(cues: list[Cue]) -> str:
    """The file: the WEBVTT header, then each cue numbered, its times and its text on one line."""
    out = ["WEBVTT", ""]
    for n, c in enumerate(cues, 1):
        out += [str(n), f"{timestamp(c.start_s)} --> {timestamp(c.end_s)}", _escape(c.text), ""]
    return "\n".join(out)

