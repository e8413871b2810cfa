"""Stage 4b: a WebVTT transcript beside each track — the book's sentences, timed where they are said
(each chapter's text followed through its audio by forced alignment, window by window)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from audiobook.build.context import BuildContext
from audiobook.files import write_text_atomic
from audiobook.listen.audio import Recordings
from audiobook.listen.listener import Listener, NoModel, has_model
from audiobook.parallel import Report, run_parallel
from audiobook.plan import Plan, Timeline
from audiobook.report import Rendered
from audiobook.transcript import Cue, Line, chapter_lines, to_webvtt
from audiobook.transcript.chapter import time_chapter
from audiobook.transcript.cues import in_track


@dataclass
class _Job:
    paths: list[str]
    timeline: Timeline  # without its analyses: light enough for a worker
    lines: list[Line]
    start_s: float
    end_s: float
    language: str


def _time_job(job: _Job, progress: Report) -> list[Cue]:
    recordings = Recordings(job.paths, [float(x) for x in job.timeline.offsets])
    try:
        with Listener(job.language) as listener:
            return time_chapter(listener, recordings, job.timeline, job.lines, job.start_s, job.end_s, progress)
    finally:
        recordings.close()


def vtt_path(track_path: str | Path) -> Path:
    """`01 - Title.vtt` beside `01 - Title.mp3`."""
    return Path(track_path).with_suffix(".vtt")


def write_transcripts(ctx: BuildContext, plan: Plan, timeline: Timeline, rendered: list[Rendered],
                      keys: list[str]) -> list[Path]:
    """Each track's transcript (unless the one there is current: same audio, same text); returns the
    paths written or kept: none without the book's text or a speech model for its language (a note
    says which)."""
    manifest = ctx.manifest
    language = manifest.book.language or "en"
    if not manifest.book.text or not (ctx.folder / manifest.book.text).is_file():
        ctx.notes.append("no transcripts: the manifest names no book text (book.text)")
        return []
    if not has_model(language):
        ctx.notes.append(f"no transcripts: no speech model for the book's language ({language!r}; English only)")
        return []
    by_chapter: dict[str, list[int]] = {}
    for i, t in enumerate(plan.tracks):
        by_chapter.setdefault(t.chapter, []).append(i)
    entries = {c.id: c for c in manifest.chapters}
    chapters = [entries[cid] for cid in by_chapter]
    texts = chapter_lines(chapters, manifest, ctx.folder)
    index = ctx.cache.index.setdefault("transcripts", {})
    paths = [str(p) for p in ctx.paths]
    light = timeline.without_analyses()
    todo, wanted = [], []
    for members, lines in zip(by_chapter.values(), texts):
        digest = hashlib.sha256(json.dumps([[keys[i] for i in members], [(x.text, x.heading) for x in lines]])
                                .encode()).hexdigest()[:16]
        outs = [vtt_path(rendered[i].path) for i in members]
        wanted.append((members, outs, digest))
        if all(index.get(p.name) == digest and p.is_file() for p in outs):
            continue
        first, last = plan.tracks[members[0]], plan.tracks[members[-1]]
        todo.append((len(wanted) - 1, _Job(paths, light, lines, first.start_s, last.end_s, language)))
    try:
        timed = run_parallel(_time_job, [j for _, j in todo], total=sum(j.end_s - j.start_s for _, j in todo),
                             jobs=ctx.jobs, pool=ctx.workers, on_progress=ctx.progress("transcripts"))
    except NoModel as exc:
        ctx.notes.append(f"no transcripts: {exc}")
        return []
    for (n, _job), cues in zip(todo, timed):
        members, outs, digest = wanted[n]
        for i, path in zip(members, outs):
            write_text_atomic(path, to_webvtt(in_track(cues, plan.tracks[i], timeline)))
            index[path.name] = digest
    return [p for _, outs, _ in wanted for p in outs]


def drop_transcripts(ctx: BuildContext, rendered: list[Rendered]) -> list[Path]:
    """Built without transcripts: an earlier build's are removed (the feed no longer names them, and
    `publish` would send them stale); returns none."""
    index = ctx.cache.index.get("transcripts", {})
    for r in rendered:
        path = vtt_path(r.path)
        path.unlink(missing_ok=True)
        index.pop(path.name, None)
    return []
