"""`audiobook build`: recordings + manifest → one mastered, encoded track per chapter, and all
that describes them. The build is a list of stages over one context (build.context); each
stage is a module of this package:

    identify → analyse → plan → render (and measure) → transcripts → package (M4B) → feed and blurb → report
    → review page

The library reports progress through `on_progress(stage, done, total)`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from audiobook import formats
from audiobook.build.analyse import analyse, identify, recording_notes
from audiobook.build.context import BuildContext, Progress, Stopwatch
from audiobook.build.feed import describe
from audiobook.build.package import m4b_wanted, package
from audiobook.build.planning import parse_selection, plan_book
from audiobook.build.render import remove_stale, render
from audiobook.build.reporting import track_reports, write_report
from audiobook.build.transcripts import drop_transcripts, vtt_path, write_transcripts
from audiobook.cache import BuildCache
from audiobook.errors import InputError
from audiobook.manifest import MANIFEST_NAME, Manifest, load_manifest
from audiobook.manifest.credits import credits_notes
from audiobook.manifest.model import ChapterEntry
from audiobook.outfolder import check_out, open_out
from audiobook.parallel import WorkerPool
from audiobook.plan import Plan, Timeline
from audiobook.presets import get_preset
from audiobook.recordings import find_recordings, unlisted_notes
from audiobook.report import TrackReport
from audiobook.review import write_review
from audiobook.tags.metadata import read_cover

__all__ = ["BuildResult", "build", "parse_selection"]


@dataclass
class BuildResult:
    out: Path
    plan: Plan
    tracks: list[TrackReport] = field(default_factory=list)
    report_path: Path | None = None
    m4b: Path | None = None
    sample: Path | None = None
    reused: int = 0  # tracks taken from the cache, unchanged since the last build
    notes: list[str] = field(default_factory=list)
    timeline: Timeline | None = None  # the recordings the plan was made on


def build(recordings: str | Path, out: str | Path = "build", *, chapters: str | None = None,
          plan_only: bool = False, jobs: int | None = None, on_progress: Progress | None = None,
          m4b: bool | None = None, base_url: str | None = None, preset: str | None = None,
          align: bool = True, transcripts: bool = True) -> BuildResult:
    """Build the audiobook in `recordings` (a folder holding manifest.yaml) into `out`.

    `m4b`: also write OUT/<Title>.m4b — None means when an AAC encoder (ffmpeg) is at hand.
    `base_url`: where the files will be served from, for the feed (instead of the manifest's).
    `preset`: the loudness preset to master to (instead of the manifest's): see presets.get_preset.
    `align`: listen for each chapter's and section's heading to place the cuts (plan.hearing);
    False places them by pauses and word counts alone.
    `transcripts`: write a WebVTT transcript beside each track (build.transcripts), where the
    manifest names the book's text and its language can be listened to.
    """
    started = time.perf_counter()
    manifest, folder = load_manifest(recordings)
    if base_url:
        manifest.feed.base_url = base_url
    out = Path(out)
    if not plan_only:
        require_tags(manifest, folder)
    check_out(out, folder)
    names = manifest.recordings.files or [p.name for p in find_recordings(folder)]
    if not names:
        raise InputError(f"{folder}: no recordings here (WAV, FLAC, AIFF, Ogg, MP3 ...)")
    cover = read_cover(folder / manifest.book.cover) if manifest.book.cover else None  # before anything is written
    selected = parse_selection(chapters, manifest.chapters)
    ctx_preset = get_preset(preset or manifest.output.preset)
    o = manifest.output
    unmet = ctx_preset.unmet_by_output(formats.get(o.format).extension.lstrip("."), o.bitrate_kbps, o.sample_rate_hz,
                                       o.channels)
    if unmet:
        raise InputError(f"{folder / 'manifest.yaml'}: {'; '.join(unmet)} — change the output settings, or build to "
                         "another preset (--preset)")
    workers = None if jobs == 1 else WorkerPool(jobs)  # one set of processes for every stage
    try:
        with open_out(out):
            ctx = BuildContext(manifest, folder, names, ctx_preset, out, BuildCache(out), workers, Stopwatch(started),
                               on_progress, cover[:2] if cover else None)
            m4b_notes: list[str] = []
            aac = False if plan_only else m4b_wanted(m4b, m4b_notes)  # before any work: --m4b without ffmpeg fails
            return _stages(ctx, selected, plan_only, aac, align, cover[2] if cover else [], m4b_notes, transcripts)
    except BaseException:
        if workers:
            workers.terminate()
        raise
    finally:
        if workers:
            workers.close()


def require_tags(manifest: Manifest, folder: Path) -> None:
    """Refuse, before anything is written, a book whose tracks would lack a tag `check` requires."""
    missing = [name for name, value in (("title", manifest.book.title), ("author", manifest.book.author))
               if not (value or "").strip()]
    if missing:
        raise InputError(f"{folder / MANIFEST_NAME}: book.{' and book.'.join(missing)} empty — every track is tagged "
                         f"with the book's title and author (stores and `check` require them): fill "
                         f"{'them' if len(missing) > 1 else 'it'} in and build again")


def _stages(ctx: BuildContext, selected: list[ChapterEntry], plan_only: bool, aac: bool, align: bool,
            cover_notes: list[str], m4b_notes: list[str], transcripts: bool = True) -> BuildResult:
    digests = identify(ctx)
    ctx.clock.lap("identifying_recordings")
    analyses = analyse(ctx, digests)
    ctx.clock.lap("analysing")
    plan, timeline, plan_notes = plan_book(ctx, digests, analyses, selected, align)
    ctx.notes += (plan_notes + recording_notes(analyses, ctx.manifest) + cover_notes
                  + unlisted_notes(ctx.folder, ctx.manifest.recordings.files)
                  + (credits_notes(ctx.manifest, ctx.preset.label) if ctx.preset.credits else []))
    ctx.clock.lap("planning")
    result = BuildResult(out=ctx.out, plan=plan, notes=ctx.notes, timeline=timeline)
    if plan_only:
        ctx.cache.save()
        return result

    jobs, sample, renders = render(ctx, plan, analyses, timeline, digests, aac)
    ctx.notes += m4b_notes  # why there is none
    ctx.clock.lap("rendering")
    vtts = write_transcripts(ctx, plan, timeline, renders.tracks, renders.keys) if transcripts else \
        drop_transcripts(ctx, renders.tracks)
    if transcripts:
        ctx.clock.lap("transcripts")
    if ctx.workers:  # the rest is this process's (and the M4B's ffmpeg's): their memory is freed for it
        ctx.workers.close()
    result.sample = Path(sample.out_path) if sample else None
    result.reused = sum(1 for r in renders.tracks if r.reused)
    if aac:
        result.m4b = package(ctx, plan, jobs, renders.keys)
        ctx.clock.lap("m4b")
    describe(ctx, plan, renders.tracks, renders.measured, vtts)
    result.tracks = track_reports(ctx, plan, renders.tracks, renders.measured, jobs)
    have = {str(p) for p in vtts}
    for tr in result.tracks:
        vtt = str(vtt_path(tr.file))
        tr.transcript = vtt if vtt in have else None
    result.report_path = write_report(ctx, plan, selected, analyses, result.tracks, result.m4b, result.sample,
                                      renders.sample)
    write_review(ctx.out, {Path(r.path).name: a for r, a in zip(renders.tracks, renders.measured)})
    remove_stale(ctx.cache, ctx.out, renders.stale, renders.keys)
    ctx.cache.save()
    return result
