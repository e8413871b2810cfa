"""Stage 3: plan the split — where every chapter and section starts in the recordings (pins
from label files, then pauses and word counts, then each heading listened for), long chapters
cut into parts; plan.yaml written for review."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import yaml

from audiobook.analysis import Analysis
from audiobook.build.context import BuildContext
from audiobook.cache import text_key
from audiobook.errors import InputError
from audiobook.files import clock, write_text_atomic
from audiobook.manifest import Manifest
from audiobook.manifest.model import ChapterEntry
from audiobook.plan import Plan, Timeline, make_plan, split_long_tracks
from audiobook.plan.hearing import listen_for_boundaries
from audiobook.plan.overrides import apply_labels, read_labels


def plan_book(ctx: BuildContext, digests: dict[str, str], analyses: list[Analysis], selected: list[ChapterEntry],
              align: bool) -> tuple[Plan, Timeline, list[str]]:
    """The plan of the `selected` chapters over the recordings, its timeline, and its notes;
    plan.yaml is written. `align`: listen for each heading to place the cuts."""
    timeline = Timeline(analyses)
    label_notes = _apply_label_files(ctx.manifest, selected, ctx.names, timeline, ctx.folder)
    room = ctx.preset.room_tone
    plan = make_plan(selected, timeline, ctx.names, room=room)
    heard_notes: list[str] = []
    if align:
        ctx.clock.lap("planning")
        anchors, heard_notes = _cached_listening(ctx, digests, plan, selected, timeline)
        ctx.clock.lap("listening")
        if anchors is not None:
            plan = make_plan(selected, timeline, ctx.names, anchors, room)
    # a store that takes no chapter split across files (Apple) gets long ones whole: check says if one is too long
    plan = split_long_tracks(plan, timeline, None if ctx.preset.whole_chapters else ctx.preset.max_track_minutes, room)
    write_plan(plan, timeline, ctx.out / "plan.yaml")
    return plan, timeline, heard_notes + list(plan.notes) + label_notes


def parse_selection(text: str | None, chapters: list[ChapterEntry]) -> list[ChapterEntry]:
    """"1-3", "1,4,7-9" (positions in the manifest, from 1) or ids ("chapter-01,appendix")."""
    if not text:
        return chapters
    chosen: list[int] = []
    for piece in text.split(","):
        piece = piece.strip()
        ids = [c.id for c in chapters]
        if piece in ids:
            chosen.append(ids.index(piece))
            continue
        m = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", piece)
        if not m:
            raise InputError(f"--chapters {text!r}: '{piece}' is neither a range like 1-3 nor a chapter id")
        a, b = int(m[1]), int(m[2] or m[1])
        if not 1 <= a <= b <= len(chapters):
            raise InputError(f"--chapters {text!r}: the manifest has chapters 1 to {len(chapters)}")
        chosen += range(a - 1, b)
    return [chapters[i] for i in sorted(set(chosen))]


def _apply_label_files(manifest: Manifest, selected: list[ChapterEntry], names: list[str], timeline: Timeline,
                       folder: Path) -> list[str]:
    """Pins from Audacity label files and cue sheets named in the manifest."""
    offsets = {n: float(timeline.offsets[i]) for i, n in enumerate(names)}
    unmatched: list[str] = []
    if manifest.recordings.labels:
        unmatched += apply_labels(selected, read_labels(folder / manifest.recordings.labels), offsets)
    for ch in selected:
        if ch.labels:
            base = offsets.get(ch.files[0], 0.0) if ch.files else 0.0
            unmatched += apply_labels([ch], read_labels(folder / ch.labels), offsets, base_s=base)
    return [f"label {name!r} names no chapter or section: ignored" for name in unmatched]


def _cached_listening(ctx: BuildContext, digests: dict[str, str], plan: Plan, selected: list[ChapterEntry],
                      timeline: Timeline):
    """Where the headings were heard, from the cache when the recordings, the chapters, the book's
    text and the plan's guesses are as they were (a rebuild with nothing changed listens to nothing)."""
    cache, manifest, paths = ctx.cache, ctx.manifest, ctx.paths
    book = ctx.folder / manifest.book.text if manifest.book.text else None
    key = text_key("listening-1", [digests[str(p)] for p in paths], repr(selected), manifest.book.language,
                   cache.digest(book) if book is not None and book.is_file() else None,
                   [round(t.speech_start_s, 2) for t in plan.tracks])
    path = cache.dir / f"listening-{key}.pickle"
    if path.is_file():
        try:
            return pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass
    found = listen_for_boundaries(plan, selected, manifest, ctx.folder, timeline, paths, ctx.progress("listening"),
                                  ctx.workers)
    for old in cache.dir.glob("listening-*.pickle"):
        old.unlink(missing_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(pickle.dumps(found))
    tmp.replace(path)
    return found


def write_plan(plan: Plan, timeline: Timeline, path: Path) -> None:
    """plan.yaml: every boundary with its time, pause, deviation and confidence, for review."""

    def where(t: float) -> str:
        n, local = timeline.locate(t)
        return f"{plan.files[n]} {clock(local)}"

    def first_word(t: float) -> str:  # to the hundredth: where the recogniser heard it
        n, local = timeline.locate(t)
        return f"{plan.files[n]} {clock(local, 2)}"

    tracks = []
    for t in plan.tracks:
        tracks.append({
            "id": t.id, "title": t.title,
            "start": where(t.start_s), "end": where(t.end_s), "duration": clock(t.duration_s),
            "placed_by": t.placed_by, **({"heard": t.how} if t.how else {}),
            "first_word": first_word(t.speech_start_s),
            "pause_s": t.pause_s, "deviation_s": t.deviation_s, "confidence": t.confidence,
            **({"pinned": True} if t.pinned else {}),
            **({"words": _heard(t.heard)} if t.heard else {}),
            "markers": [{"title": m.title, "at_s": round(m.start_s, 2), "source": where(m.timeline_s),
                         "first_word": first_word(m.speech_start_s),
                         "placed_by": m.placed_by, **({"heard": m.how} if m.how else {}),
                         "pause_s": m.pause_s, "deviation_s": m.deviation_s, "confidence": m.confidence,
                         **({"words": _heard(m.heard)} if m.heard else {})}
                        for m in t.markers[1:]],
        })
    header = ("# audiobook plan: where every chapter and section starts in the recordings.\n"
              "# placed_by: aligned (its heading heard there: words gives each word's time), pause+words\n"
              "# (the pauses and word counts alone), pinned (by hand), start (the recordings' start).\n"
              "# deviation_s: speech seconds before the boundary minus what the word counts predict;\n"
              "# confidence: 0..1, how clearly this pause beats the others. To fix a boundary, pin it in\n"
              "# manifest.yaml (start: \"session-02.flac 12:03.5\") and build again.\n")
    body = yaml.safe_dump({"pace_wpm": plan.pace_wpm, "speech_minutes": round(plan.speech_s / 60, 1),
                           "notes": plan.notes, "tracks": tracks}, sort_keys=False, allow_unicode=True, width=110)
    write_text_atomic(path, header + body)


def _heard(words) -> list[str]:
    """The heading's words as heard: "word@seconds" (timeline)."""
    return [f"{w.word}@{w.start_s:.2f}" for w in words]
