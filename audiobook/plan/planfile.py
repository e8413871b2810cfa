"""plan.yaml: where every chapter and section starts in the recordings, as typed records — written
by the build for the producer to review, read back by `check` and the review page through the
same types.

`SCHEMA_VERSION` counts changes to its shape; a plan from a newer version is refused by name.
Plans written before the version was recorded read as version 0 (their markers have no ids:
they are numbered as they come, as the ids are made).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from audiobook.errors import InputError
from audiobook.files import clock, write_text_atomic
from audiobook.plan.planner import Marker, Plan, TrackPlan
from audiobook.plan.timeline import Timeline

SCHEMA_VERSION = 1  # 1: schema_version itself, duration_s, an id for every marker

HEADER = ("# audiobook plan: where every chapter and section starts in the recordings.\n"
          "# placed_by: aligned (its heading heard there: words gives each word's time), pause+words\n"
          "# (the pauses and word counts alone), pinned (by hand), start (the recordings' start).\n"
          "# deviation_s: speech seconds before the boundary minus what the word counts predict;\n"
          "# confidence: 0..1, how clearly this pause beats the others. To fix a boundary, pin it in\n"
          "# manifest.yaml (start: \"session-02.flac 12:03.5\") and build again.\n")


def marker_id(track_id: str, n: int) -> str:
    """A section marker's id: its track's and its place there ("chapter-03/2", from 1) — two
    sections with one title are two markers."""
    return f"{track_id}/{n}"


@dataclass
class PlannedMarker:
    """A section marker inside a track, as planned."""

    id: str
    title: str
    at_s: float  # seconds into the track
    source: str  # where in the recordings: "session-02.flac 12:03.5"
    first_word: str  # the first word after it, to the hundredth
    placed_by: str
    pause_s: float
    deviation_s: float
    confidence: float
    heard: str = ""  # what was heard, when aligned
    words: list[str] = field(default_factory=list)  # the heading's words as heard: "word@seconds"


@dataclass
class PlannedTrack:
    """A track as planned: where it starts and ends in the recordings and how its start was placed."""

    id: str
    title: str
    start: str  # "session-01.flac 0:03.2"
    end: str
    duration: str  # as a clock, for the reader
    duration_s: float
    placed_by: str
    first_word: str
    pause_s: float
    deviation_s: float
    confidence: float
    heard: str = ""
    pinned: bool = False
    words: list[str] = field(default_factory=list)
    markers: list[PlannedMarker] = field(default_factory=list)


@dataclass
class PlanFile:
    pace_wpm: float
    speech_minutes: float
    notes: list[str] = field(default_factory=list)
    tracks: list[PlannedTrack] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION

    @classmethod
    def of(cls, plan: Plan, timeline: Timeline) -> PlanFile:
        def where(t: float, digits: int = 1) -> str:
            n, local = timeline.locate(t)
            return f"{plan.files[n]} {clock(local, digits)}"

        def marker(t: TrackPlan, n: int, m: Marker) -> PlannedMarker:
            return PlannedMarker(marker_id(t.id, n), m.title, round(m.start_s, 2), where(m.timeline_s),
                                 where(m.speech_start_s, 2), m.placed_by, m.pause_s, m.deviation_s, m.confidence,
                                 m.how, _heard(m.heard))

        return cls(plan.pace_wpm, round(plan.speech_s / 60, 1), list(plan.notes), [
            PlannedTrack(t.id, t.title, where(t.start_s), where(t.end_s), clock(t.duration_s), round(t.duration_s, 3),
                         t.placed_by, where(t.speech_start_s, 2), t.pause_s, t.deviation_s, t.confidence, t.how,
                         t.pinned, _heard(t.heard), [marker(t, n, m) for n, m in enumerate(t.markers[1:], start=1)])
            for t in plan.tracks])

    def write(self, path: Path) -> None:
        data = {"schema_version": self.schema_version, "pace_wpm": self.pace_wpm,
                "speech_minutes": self.speech_minutes, "notes": self.notes,
                "tracks": [_track_dict(t) for t in self.tracks]}
        write_text_atomic(path, HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110))

    @classmethod
    def read(cls, path: Path) -> PlanFile:
        try:
            d = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            raise InputError(f"{path}: not a plan audiobook can read ({e}) — build again") from e
        version = d.get("schema_version", 0) if isinstance(d, dict) else None
        if not isinstance(version, int):
            raise InputError(f"{path}: not a plan written by audiobook — build again")
        if version > SCHEMA_VERSION:
            raise InputError(f"{path}: written by a newer audiobook (plan schema {version}; this one reads up to "
                             f"{SCHEMA_VERSION}) — upgrade audiobook, or build again with this one")
        try:
            return cls(float(d.get("pace_wpm") or 0.0), float(d.get("speech_minutes") or 0.0),
                       [str(n) for n in d.get("notes") or []], [_track(t) for t in d.get("tracks") or []], version)
        except (TypeError, ValueError, KeyError, AttributeError) as e:
            raise InputError(f"{path}: a plan with a field audiobook cannot read ({e}) — build again") from e


def _heard(words) -> list[str]:
    """The heading's words as heard: "word@seconds" (timeline)."""
    return [f"{w.word}@{w.start_s:.2f}" for w in words]


def _track_dict(t: PlannedTrack) -> dict:
    """In the order a reader of plan.yaml wants it, leaving out what is empty."""
    return {"id": t.id, "title": t.title, "start": t.start, "end": t.end, "duration": t.duration,
            "duration_s": t.duration_s, "placed_by": t.placed_by, **({"heard": t.heard} if t.heard else {}),
            "first_word": t.first_word, "pause_s": t.pause_s, "deviation_s": t.deviation_s,
            "confidence": t.confidence, **({"pinned": True} if t.pinned else {}),
            **({"words": t.words} if t.words else {}),
            "markers": [{"id": m.id, "title": m.title, "at_s": m.at_s, "source": m.source,
                         "first_word": m.first_word, "placed_by": m.placed_by, **({"heard": m.heard} if m.heard else {}),
                         "pause_s": m.pause_s, "deviation_s": m.deviation_s, "confidence": m.confidence,
                         **({"words": m.words} if m.words else {})} for m in t.markers]}


def _known(cls, d: dict) -> dict:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in d.items() if k in names}


def _track(d: dict) -> PlannedTrack:
    markers = [PlannedMarker(**{"id": marker_id(d["id"], n), "heard": "", "words": [],
                                **_known(PlannedMarker, m)}) for n, m in enumerate(d.get("markers") or [], start=1)]
    duration_s = d.get("duration_s")
    return PlannedTrack(**{**_known(PlannedTrack, d), "markers": markers,
                           "duration_s": float(duration_s) if duration_s is not None else _seconds(d["duration"])})


def _seconds(text) -> float:
    """A clock as plan.yaml writes it ("1:02:03.5", "12:03.5") in seconds."""
    total = 0.0
    for part in str(text).split(":"):
        total = total * 60 + float(part)
    return total
