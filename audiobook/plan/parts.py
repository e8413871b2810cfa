"""Chapters longer than the distributor takes (ACX: 120 minutes a file) become parts.

Each long chapter is cut into as few parts as fit, of lengths as even as the pauses allow:
at a section break where one is near the even point, else at the longest pause about it
(a second at least). A part is a track like any other: room tone at its head and tail, a
first chapter marker at 0 with its own title, "Chapter 8: Title (part 1 of 2)", and the
section markers that fall in it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from audiobook.files import clock
from audiobook.plan.planner import (
    Marker,
    Plan,
    TrackPlan,
    cut_in_pause,
    default_room_tone,
    fit_pads,
    track_spans,
    track_time,
)
from audiobook.plan.timeline import Timeline
from audiobook.presets import RoomTone

PART_PAUSE_MIN_S = 1.0  # a cut that is not at a section break sits in a pause this long at least
SECTION_BONUS = 0.15  # a section break may stray this much further (as a fraction of a part) than a pause


@dataclass
class _Cut:
    start_s: float  # the pause it sits in, on the timeline
    end_s: float
    section: bool


def split_long_tracks(plan: Plan, timeline: Timeline, max_minutes: float | None, room: RoomTone | None = None) -> Plan:
    """`plan` with every track longer than `max_minutes` replaced by its parts (numbered anew);
    `room`: the room tone each part keeps at its ends (the preset's; default ACX's)."""
    if not max_minutes:
        return plan
    room = room or default_room_tone()
    limit = max_minutes * 60
    tracks: list[TrackPlan] = []
    for t in plan.tracks:
        if t.duration_s <= limit:
            tracks.append(t)
            continue
        parts = _parts(t, timeline, limit, room)
        if parts is None:
            plan.notes.append(f"{t.title} runs {clock(t.duration_s)}, over {max_minutes:g} minutes, and has no pause "
                              f"of {PART_PAUSE_MIN_S:g} s to split it at: pin a section in the manifest")
            tracks.append(t)
            continue
        plan.notes.append(f"{t.title} runs {clock(t.duration_s)}, over {max_minutes:g} minutes a file: split into "
                          f"{len(parts)} parts of {', '.join(clock(p.duration_s) for p in parts)}")
        tracks += parts
    for n, t in enumerate(tracks):
        t.number = n + 1
    plan.tracks = tracks
    return plan


def _parts(t: TrackPlan, timeline: Timeline, limit: float, room: RoomTone) -> list[TrackPlan] | None:
    cuts = _candidates(t, timeline)
    for k in range(math.ceil(t.duration_s / limit), math.ceil(t.duration_s / limit) + 4):
        chosen = _choose(t, cuts, k, limit, room.head_s + room.tail_s)
        if chosen is None:
            continue
        parts = _build(t, timeline, chosen, room)
        if all(p.duration_s <= limit for p in parts):
            return parts
    return None


def _candidates(t: TrackPlan, timeline: Timeline) -> list[_Cut]:
    """Section breaks first (the pause each section marker sits in), then long pauses."""
    sections = [_Cut(m.speech_start_s - m.pause_s, m.speech_start_s, True) for m in t.markers[1:] if m.pause_s > 0]
    taken = {round(c.end_s, 3) for c in sections}
    pauses = [_Cut(g.start_s, g.end_s, False) for g in timeline.gaps
              if t.start_s + 1 < g.start_s and g.end_s < t.end_s - 1 and g.length_s >= PART_PAUSE_MIN_S
              and round(g.end_s, 3) not in taken]
    return sorted(sections + pauses, key=lambda c: c.start_s)


def _choose(t: TrackPlan, cuts: list[_Cut], k: int, limit: float, edges_s: float) -> list[_Cut] | None:
    """k - 1 cuts, one after another, each as near its part's even length as it can be; `edges_s`:
    the room tone a part may gain at a cut (its length is judged with it)."""
    chosen: list[_Cut] = []
    start = t.start_s
    for i in range(k - 1):
        remaining = t.end_s - start
        ideal = remaining / (k - i)
        best, best_cost = None, math.inf
        for c in cuts:
            length = c.start_s - start
            # room tone at the cut's ends is added to the parts: leave room for it
            if length <= 0 or length + edges_s > limit or t.end_s - c.end_s + edges_s > (limit - edges_s) * (k - i - 1):
                continue
            cost = abs(length - ideal) / ideal - (SECTION_BONUS if c.section else 0.0)
            if cost < best_cost:
                best, best_cost = c, cost
        if best is None:
            return None
        chosen.append(best)
        start = best.end_s
    return chosen


def _build(t: TrackPlan, timeline: Timeline, cuts: list[_Cut], room: RoomTone) -> list[TrackPlan]:
    """The parts of `t` between `cuts`, each cut in its pause as the planner cuts chapters."""
    starts, ends = [t.start_s], []
    first_words, last_words = [t.speech_start_s], []
    for c in cuts:
        end, start = cut_in_pause(c.start_s, c.end_s, room)
        ends.append(end)
        last_words.append(c.start_s)
        starts.append(start)
        first_words.append(c.end_s)
    ends.append(t.end_s)
    last_words.append(t.speech_end_s)
    k = len(starts)
    speech = timeline.speech_between(t.start_s, t.end_s) or 1.0
    parts = []
    for j in range(k):
        title = f"{t.title} (part {j + 1} of {k})"
        share = timeline.speech_between(starts[j], ends[j]) / speech
        p = replace(t, id=f"{t.id}-part-{j + 1}", title=title, start_s=starts[j], end_s=ends[j],
                    words=round(t.words * share), spoken_words=round(t.spoken_words * share),
                    speech_start_s=first_words[j], speech_end_s=last_words[j],
                    spans=track_spans(timeline, starts[j], ends[j]),
                    # the first part opens as the chapter does; the others at a cut in a pause
                    markers=[replace(t.opening, title=title) if j == 0 else
                             Marker(title, 0.0, starts[j], round(cuts[j - 1].end_s - cuts[j - 1].start_s, 2),
                                    speech_start_s=first_words[j])])
        fit_pads(p, timeline, room)  # the chapter's own room tone, where it has one
        for m in t.markers[1:]:
            if p.start_s <= m.timeline_s < p.end_s:
                at = round(track_time(p, timeline, m.timeline_s) + p.pad_head_s, 3)
                p.markers.append(replace(m, start_s=at))
        parts.append(p)
    return parts
