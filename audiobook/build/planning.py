"""Stage 3: plan the split — where every chapter and section starts in the recordings (pins
from label files, then pauses and word counts, then each heading listened for), long chapters
cut into parts; plan.yaml written for review."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

from audiobook.analysis import Analysis
from audiobook.build.context import BuildContext
from audiobook.cache import text_key
from audiobook.errors import InputError
from audiobook.manifest import Manifest
from audiobook.manifest.model import ChapterEntry
from audiobook.plan import Plan, Timeline, make_plan, split_long_tracks
from audiobook.plan.hearing import listen_for_boundaries
from audiobook.plan.overrides import apply_labels, read_labels
from audiobook.plan.planfile import PlanFile


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
    PlanFile.of(plan, timeline).write(ctx.out / "plan.yaml")
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
