"""Cues: each line of the text (a heading, a sentence) with the time it is said in its track."""

from __future__ import annotations

from dataclasses import dataclass

from audiobook.listen.follow import Following
from audiobook.plan import Timeline, TrackPlan


@dataclass(frozen=True)
class Line:
    """A line of the text as shown: a heading, or a sentence in the book's own words and punctuation."""

    text: str
    heading: bool = False
    opens_paragraph: bool = False  # the first sentence of a paragraph (a read-along shows the paragraphs)


@dataclass(frozen=True)
class Cue:
    start_s: float  # seconds: on the timeline, or into a track once placed there
    end_s: float
    text: str


def time_lines(lines: list[Line], words_of: list[range], following: Following) -> list[Cue]:
    """Each line's cue on the timeline: from its first placed word's start to its last's end. A line
    the reading left out (every word passed over) has none; lines none of whose words could be placed
    share one cue spanning the stretch between their placed neighbours (none where those touch)."""
    at = {p.index: p for p in following.placed}
    timed: list[tuple[Line, float, float] | Line] = []
    for line, words in zip(lines, words_of):
        mine = [at[k] for k in words if k in at]
        if mine:
            timed.append((line, mine[0].start_s, mine[-1].end_s))
        elif not any(k in following.left_out for k in words):
            timed.append(line)  # unplaced: between its neighbours
    cues: list[Cue] = []
    waiting: list[str] = []  # unplaced lines since the last placed one
    for item in timed:
        if not isinstance(item, tuple):
            waiting.append(item.text)
            continue
        line, a, b = item
        if waiting and cues and a - cues[-1].end_s > 0.05:
            cues.append(Cue(cues[-1].end_s, a, " ".join(waiting)))
        waiting = []
        a = max(a, cues[-1].end_s) if cues else a
        cues.append(Cue(a, max(a, b), line.text))
    return cues


def in_track(cues: list[Cue], track: TrackPlan, timeline: Timeline) -> list[Cue]:
    """The cues that fall in `track` (by their start), their times in it: past its head room tone, and
    across the room tone cut where sessions join."""
    out = []
    for c in cues:
        if track.start_s <= c.start_s < track.end_s:
            a, b = _track_time(track, timeline, c.start_s), _track_time(track, timeline, min(c.end_s, track.end_s))
            out.append(Cue(round(a, 3), round(max(a, b), 3), c.text))
    return out


def _track_time(track: TrackPlan, timeline: Timeline, t: float) -> float:
    """Seconds into the track's audio of timeline time `t`; a time in a cut counts as the cut's end."""
    done = track.pad_head_s
    for s in track.spans:
        lo = float(timeline.offsets[s.file]) + s.start_s
        if t < lo:
            return done
        if t <= lo + s.duration_s:
            return done + (t - lo)
        done += s.duration_s
    return done
