"""`audiobook build`: recordings + manifest → plan → one mastered, encoded track per chapter.

The stages, in order: load the manifest; analyse every recording (parallel); plan the
split and write plan.yaml; render and tag the tracks (parallel); measure what was
written; the retail sample and the M4B; chapters JSON, blurb.txt and feed.xml (last);
report.json. The library reports progress through `on_progress(stage, done, total)`.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from audiobook.analysis import Analysis, analyze_file, analyze_files
from audiobook.cache import BuildCache, job_key
from audiobook.errors import InputError
from audiobook.feed import Episode, write_feed_files
from audiobook.files import clock, write_text_atomic
from audiobook.manifest import Manifest, load_manifest
from audiobook.manifest.model import ChapterEntry
from audiobook.outfolder import check_out, open_out
from audiobook.parallel import WorkerPool, run_parallel
from audiobook.plan import Plan, Timeline, TrackPlan, make_plan, split_long_tracks
from audiobook.plan.hearing import listen_for_boundaries
from audiobook.plan.overrides import apply_labels, read_labels
from audiobook.presets import Preset, get_preset
from audiobook.recordings import find_recordings
from audiobook.render.extras import cut_sample, one_file_m4b, retail_sample_job
from audiobook.render.jobs import track_description, track_jobs
from audiobook.render.m4b import find_ffmpeg
from audiobook.render.makeup import MAKEUP_MAX_DB
from audiobook.render.track import TrackJob, render_track
from audiobook.report import (
    BuildReport,
    Levels,
    RecordingReport,
    Rendered,
    SourceSpan,
    TrackReport,
    rounded,
)
from audiobook.tags import Chapter
from audiobook.tags.metadata import read_cover

Progress = Callable[[str, float, float], None]


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


def build(recordings: str | Path, out: str | Path = "build", *, chapters: str | None = None,
          plan_only: bool = False, jobs: int | None = None, on_progress: Progress | None = None,
          m4b: bool | None = None, base_url: str | None = None, preset: str | None = None,
          align: bool = True) -> BuildResult:
    """Build the audiobook in `recordings` (a folder holding manifest.yaml) into `out`.

    `m4b`: also write OUT/<Title>.m4b — None means when an AAC encoder (ffmpeg) is at hand.
    `base_url`: where the files will be served from, for the feed (instead of the manifest's).
    `preset`: the loudness preset to master to (instead of the manifest's): see presets.get_preset.
    `align`: listen for each chapter's and section's heading to place the cuts (plan.hearing);
    False places them by pauses and word counts alone.
    """
    started = time.perf_counter()
    manifest, folder = load_manifest(recordings)
    if base_url:
        manifest.feed.base_url = base_url
    out = Path(out)
    check_out(out, folder)
    preset = get_preset(preset or manifest.output.preset)
    names = manifest.recordings.files or [p.name for p in find_recordings(folder)]
    if not names:
        raise InputError(f"{folder}: no recordings here (WAV, FLAC, AIFF, Ogg, MP3 ...)")
    paths = [folder / n for n in names]
    cover = read_cover(folder / manifest.book.cover) if manifest.book.cover else None  # before anything is written

    def stage(name: str):
        return (lambda done, total: on_progress(name, done, total)) if on_progress else None

    workers = None if jobs == 1 else WorkerPool(jobs)  # one set of processes for every stage
    try:
        with open_out(out):
            return _build(manifest, out, names, paths, preset, chapters, plan_only, stage, started, workers, m4b,
                          cover, align)
    except BaseException:
        if workers:
            workers.terminate()
        raise
    finally:
        if workers:
            workers.close()


def _build(manifest: Manifest, out: Path, names: list[str], paths: list[Path], preset: Preset,
           chapters: str | None, plan_only: bool, stage, started: float, workers: WorkerPool | None,
           m4b: bool | None, cover: tuple[bytes, str, list[str]] | None, align: bool = True) -> BuildResult:
    cache = BuildCache(out)
    clock = _Stopwatch(started)
    digests = cache.digests(paths, workers)
    clock.lap("identifying_recordings")
    analyses = _cached_analyses(cache, paths, digests, stage("analysing"), workers)
    clock.lap("analysing")
    refuse_silent(analyses)
    selected = parse_selection(chapters, manifest.chapters)
    timeline = Timeline(analyses)
    label_notes = _apply_label_files(manifest, selected, names, timeline, paths[0].parent)
    plan = make_plan(selected, timeline, names)
    heard_notes: list[str] = []
    if align:
        clock.lap("planning")
        anchors, heard_notes = _cached_listening(cache, digests, paths, plan, selected, manifest, timeline, stage,
                                                 workers)
        clock.lap("listening")
        if anchors is not None:
            plan = make_plan(selected, timeline, names, anchors)
    plan = split_long_tracks(plan, timeline, preset.max_track_minutes)
    notes = heard_notes + list(plan.notes) + label_notes + recording_notes(analyses, manifest) + (cover[2] if cover else [])
    write_plan(plan, timeline, out / "plan.yaml")
    clock.lap("planning")
    result = BuildResult(out=out, plan=plan, notes=notes, timeline=timeline)
    if plan_only:
        cache.save()
        return result

    jobs_list = track_jobs(plan, analyses, manifest, preset, paths, out, notes, cover[:2] if cover else None)
    sample = retail_sample_job(manifest, plan, timeline, jobs_list, paths, out, notes)
    m4b = _m4b_wanted(m4b, notes)
    renders = _cached_render(cache, jobs_list, digests, out, stage, workers, m4b, sample,
                             miss=lambda job, a: _level_miss(preset, job, a))
    clock.lap("rendering")
    if workers:  # the rest is this process's (and the M4B's ffmpeg's): their memory is freed for it
        workers.close()
    rendered, measured = renders.tracks, renders.measured
    if renders.corrected:
        worst = max(renders.corrected.items(), key=lambda kv: abs(kv[1]))
        notes.append(f"{len(renders.corrected)} track(s) missed {preset.label}'s level and were rendered again "
                     f"{worst[1]:+.1f} dB ({worst[0]}, the most): the limiter's share was predicted wrong for this voice")
    result.sample = Path(sample.out_path) if sample else None
    result.reused = sum(1 for r in rendered if r.reused)
    result.tracks = [_track_report(t, r, a, preset, j) for t, r, a, j in zip(plan.tracks, rendered, measured, jobs_list)]
    episodes = [Episode(id=t.id, number=t.number, title=t.title, description=track_description(t, manifest.book),
                        file=Path(r.path), duration_s=a.duration_s,
                        chapters=[(m.start_s, m.title) for m in t.markers])
                for t, r, a in zip(plan.tracks, rendered, measured)]
    if m4b:
        result.m4b = one_file_m4b(manifest, plan, [j.aac_path for j in jobs_list], out, paths[0].parent,
                                  stage("m4b"), cache, renders.keys)
        clock.lap("m4b")
    notes += write_feed_files(manifest, paths[0].parent, out, episodes)
    padded = [t for t in plan.tracks if t.pad_head_s or t.pad_tail_s]
    if padded:
        notes.append(f"{len(padded)} track(s) given the narrator's own room tone where a session starts or ends "
                     "too close to the speech for ACX's 0.5–1 s head and 1–5 s tail: "
                     + "; ".join(f"{t.title} ({'head +%.1f s' % t.pad_head_s if t.pad_head_s else ''}"
                                 f"{', ' if t.pad_head_s and t.pad_tail_s else ''}"
                                 f"{'tail +%.1f s' % t.pad_tail_s if t.pad_tail_s else ''})" for t in padded[:5]))
    for t in result.tracks:
        if not t.meets_preset:
            notes.append(f"{Path(t.file).name}: does not meet {preset.label} — {'; '.join(t.failures)}")
    total = sum(t.duration_s for t in result.tracks)
    report = BuildReport(
        book=manifest.book.title,
        manifest=str((paths[0].parent / "manifest.yaml").resolve()),
        chapters_selected=[c.id for c in selected],
        preset=preset.spec,
        total_runtime_s=round(total, 3),
        total_runtime_minutes=round(total / 60),
        pace_wpm=plan.pace_wpm,
        feed=str(out / "feed.xml"),
        m4b=str(result.m4b) if result.m4b else None,
        retail_sample=str(result.sample) if result.sample else None,
        retail_sample_levels=_levels(renders.sample, preset) if renders.sample else None,
        blurb=str(out / "blurb.txt") if manifest.book.blurb else None,
        recordings=[RecordingReport(n, round(a.duration_s, 3), rounded(a.rms_dbfs), rounded(a.noise_floor_dbfs),
                                    rounded(a.speech_rms_dbfs)) for n, a in zip(names, analyses)],
        tracks=result.tracks,
        notes=notes,
        build_seconds=round(time.perf_counter() - started, 2),
        stage_seconds=clock.laps,
    )
    result.report_path = out / "report.json"
    report.write(result.report_path)
    _remove_stale(cache, out, renders.stale, renders.keys)
    cache.save()
    return result


class _Stopwatch:
    """Seconds per stage of the build, for the report."""

    def __init__(self, started: float):
        self.last = started
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.last, 2)
        self.last = now


def refuse_silent(analyses: list[Analysis]) -> None:
    """A recording with no narration in it (digital silence, or room tone alone) stops the build."""
    for a in analyses:
        if a.speech_s < 1.0:
            what = "digital silence throughout" if a.digital_silence_s >= a.duration_s - 0.5 else \
                f"no speech above its room tone ({rounded(a.noise_floor_dbfs, 1)} dBFS)"
            raise InputError(f"{a.path}: silent — {what}; re-export the session, or leave the file out "
                             "(move it away, or list the others in the manifest's recordings.files)")


def recording_notes(analyses: list[Analysis], manifest: Manifest) -> list[str]:
    """What the build does about recordings that differ, and what it cannot mend (clipping)."""
    notes = []
    for key, what, after in (
            ("sample_rate", "sample rates", f"all resampled to {manifest.output.sample_rate_hz} Hz"),
            ("channels", "channel counts", "all mixed to " + ("mono" if manifest.output.channels == 1 else "stereo")),
            ("subtype", "sample formats", "all mastered in floating point, then dithered to 16 bits")):
        values = sorted({str(getattr(a, key)) for a in analyses})
        if len(values) > 1:
            notes.append(f"sessions at different {what} ({', '.join(values)}): {after}")
    for a in analyses:
        if a.clipped_samples:
            notes.append(f"warning: {Path(a.path).name}: {a.clipped_samples} clipped samples — ACX rejects audible "
                         "clipping and mastering cannot undo it; listen there and re-record what is distorted")
    return notes


def _cached_analyses(cache: BuildCache, paths: list[Path], digests: dict[str, str], progress,
                     workers: WorkerPool | None) -> list[Analysis]:
    """Analyses of the recordings: from the cache where their content is unchanged."""
    found = [cache.load_analysis(digests[str(p)], p) for p in paths]
    missing = [i for i, a in enumerate(found) if a is None]
    if missing:
        fresh = analyze_files([paths[i] for i in missing], jobs=1 if workers is None else None, on_progress=progress,
                              pool=workers, true_peak=False)  # the split and gains need no true peak
        for i, a in zip(missing, fresh):
            cache.store_analysis(digests[str(paths[i])], a)
            # as the next build will read it back (figures rounded as stored): the same gains either way
            found[i] = cache.load_analysis(digests[str(paths[i])], paths[i])
    return found


def render_and_measure(job: TrackJob) -> tuple:
    """Render one track, then measure the file as written (encoded, tagged): what listeners get.
    A retail sample cut from the track (`job.then_cut`) is made and measured next, and returned third."""
    if job.cut_from:
        return cut_sample(job)
    rendered = render_track(job)
    measured = analyze_file(rendered.path, keep_series=False)
    if job.then_cut is not None:
        return rendered, measured, cut_sample(job.then_cut)
    return rendered, measured


def _m4b_wanted(wanted: bool | None, notes: list[str]) -> bool:
    """--m4b: yes, or an error now (before any work) without ffmpeg; by default, when ffmpeg is here."""
    if wanted is False:
        return False
    if find_ffmpeg() is None:
        if wanted:
            raise InputError("--m4b needs an AAC encoder: install ffmpeg or `pip install imageio-ffmpeg`")
        notes.append("no M4B: no AAC encoder here (install ffmpeg or `pip install imageio-ffmpeg`)")
        return False
    return True


@dataclass
class _Rendered:
    tracks: list[Rendered]  # what render_track returned (or the cache remembered), per track
    measured: list[Analysis]  # each written track, measured
    keys: list[str]  # each track's cache key
    stale: list[str]  # tracks an earlier build made that this one does not
    sample: Analysis | None = None  # the retail sample, measured
    corrected: dict[str, float] = field(default_factory=dict)  # tracks rendered again: name -> dB added


def _cached_listening(cache: BuildCache, digests: dict[str, str], paths: list[Path], plan: Plan,
                      selected: list[ChapterEntry], manifest: Manifest, timeline: Timeline, stage,
                      workers: WorkerPool | None):
    """Where the headings were heard, from the cache when the recordings, the chapters, the book's
    text and the plan's guesses are as they were (a rebuild with nothing changed listens to nothing)."""
    import pickle

    from audiobook.cache import text_key

    book = paths[0].parent / manifest.book.text if manifest.book.text else None
    key = text_key("listening-1", [digests[str(p)] for p in paths], repr(selected), manifest.book.language,
                   cache.digest(book) if book is not None and book.is_file() else None,
                   [round(t.speech_start_s, 2) for t in plan.tracks])
    path = cache.dir / f"listening-{key}.pickle"
    if path.is_file():
        try:
            return pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass
    found = listen_for_boundaries(plan, selected, manifest, paths[0].parent, timeline, paths, stage("listening"),
                                  workers)
    for old in cache.dir.glob("listening-*.pickle"):
        old.unlink(missing_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(pickle.dumps(found))
    tmp.replace(path)
    return found


def _cached_render(cache: BuildCache, jobs: list[TrackJob], digests: dict[str, str], out: Path, stage,
                   workers: WorkerPool | None, aac: bool = False, sample: TrackJob | None = None,
                   miss: Callable[[TrackJob, Analysis], float] | None = None) -> _Rendered:
    """Render (and measure) only the tracks whose inputs changed, recording each in the cache as
    it is done: a build stopped half-way resumes from the last finished track.

    `aac`: each track is also encoded to AAC for the M4B (kept in the cache by its key).
    `sample`: the retail sample, rendered with the tracks unless it is current.
    `miss(job, measured)`: the dB by which a rendered track missed its level; such a track is
    rendered once more with its gain corrected (and cached under its first key).
    The tracks an earlier build made that this one no longer makes are returned, to be removed
    only once the new feed and report are written."""
    keys = [job_key(j, digests) for j in jobs]
    names = [Path(j.out_path).name for j in jobs]
    stale = sorted(set(cache.index["tracks"]) - set(names))
    rendered: list[Rendered | None] = [None] * len(jobs)
    measured: list[Analysis | None] = [None] * len(jobs)
    for i, (job, name, key) in enumerate(zip(jobs, names, keys)):
        if aac:
            job.aac_path = str(cache.dir / f"{key}.aac")
        entry = cache.track(name, key, out)
        a = cache.load_analysis(entry[1], out / name) if entry else None
        if entry and a is not None and (not aac or Path(job.aac_path).is_file()):
            rendered[i] = entry[0]
            measured[i] = a
    todo = [i for i in range(len(jobs)) if rendered[i] is None]
    todo.sort(key=lambda i: -_seconds(jobs[i]))  # longest first: no core left idle at the end
    batch = [jobs[i] for i in todo]
    result = _Rendered(rendered, measured, keys, stale)
    sample_key = job_key(sample, digests) if sample else None
    if sample:
        result.sample = cache.current_extra_analysis("retail_sample", sample_key, Path(sample.out_path))
    cut_afterwards = False  # the sample alone, from its current track
    if sample is not None and result.sample is None:
        if not sample.cut_from:
            batch.append(sample)
        else:  # cut by the worker that renders its track, right after it
            for job in batch:
                job.then_cut = sample if job.out_path == sample.cut_from else None
            cut_afterwards = not any(job.then_cut for job in batch)

    def sample_done(_k: int, finished: tuple[Rendered, Analysis]) -> None:
        r, a = finished
        digest = cache.digest(Path(r.path))
        cache.store_analysis(digest, a)
        cache.store_extra("retail_sample", sample_key, Path(r.path), measured=digest)
        result.sample = a
        cache.save()

    again: dict[int, float] = {}  # track -> the dB its level missed by, for a second rendering

    def store(i: int, finished: tuple, first: bool) -> None:
        if len(finished) == 3:
            sample_done(i, finished[2])
        r, a = finished[:2]
        rendered[i], measured[i] = r, a
        off = miss(jobs[i], a) if miss is not None and first else 0.0
        if off:  # not cached: a build stopped before the second rendering makes it anew
            again[i] = off
            return
        digest = cache.digest(Path(r.path))
        cache.store_analysis(digest, a)
        cache.store_track(names[i], keys[i], out, r, digest)
        cache.save()

    def done(k: int, finished: tuple) -> None:
        if k == len(todo):
            sample_done(k, finished)
        else:
            store(todo[k], finished, first=True)

    if batch:
        run_parallel(render_and_measure, batch, total=sum(_seconds(j) for j in batch),
                     jobs=1 if workers is None else None, on_progress=stage("rendering"), pool=workers, on_result=done)
    if again:
        redo = sorted(again, key=lambda i: -_seconds(jobs[i]))
        for i in redo:
            _regain(jobs[i], again[i])
        result.corrected = {names[i]: round(again[i], 2) for i in redo}
        run_parallel(render_and_measure, [jobs[i] for i in redo], total=sum(_seconds(jobs[i]) for i in redo),
                     jobs=1 if workers is None else None, on_progress=stage("levelling"), pool=workers,
                     on_result=lambda k, finished: store(redo[k], finished, first=False))
    if cut_afterwards:
        run_parallel(render_and_measure, [sample], total=1, jobs=1 if workers is None else None, pool=workers,
                     on_result=sample_done)
    return result


def _regain(job: TrackJob, db: float) -> None:
    """Raise (or lower) a track's gain by `db`, the room tone and the expander's threshold with it."""
    for span in job.spans + ([job.room_tone] if job.room_tone else []):
        span.gain_db += db
        if span.expand_below_db is not None:
            span.expand_below_db += db
    job.limiter_makeup_db = round(job.limiter_makeup_db + db, 2)


def _level_miss(preset: Preset, job: TrackJob, a: Analysis) -> float:
    """The dB a track measured at `a` needs to reach the preset's target, when the first gain
    (predicted from the recordings) missed it by more than half the preset's tolerance: the
    prediction of what the limiter takes can be off for a voice unlike those it was tried on.
    Raising is bounded by what the limiter's make-up may still add. 0 when it is near enough."""
    target, lufs = preset.level_target
    level, tolerance = (a.integrated_lufs if lufs else a.rms_dbfs), preset.level_tolerance
    off = target - level
    if not math.isfinite(off) or abs(off) <= tolerance / 2:
        return 0.0
    off /= job.level_slope  # where the limiter works, a dB of gain gives less than a dB of level
    off = min(off, MAKEUP_MAX_DB - job.limiter_makeup_db) if off > 0 else off
    return off if abs(off) >= 0.1 else 0.0


def _seconds(job: TrackJob) -> float:
    return sum(s.end_s - s.start_s for s in job.spans)


def _remove_stale(cache: BuildCache, out: Path, stale: list[str], keys: list[str]) -> None:
    """Tracks this build no longer makes, and AAC streams of tracks that are no more."""
    for name in stale:
        for path in (out / name, (out / name).with_suffix(".chapters.json")):
            path.unlink(missing_ok=True)
        cache.index["tracks"].pop(name, None)
    for path in cache.dir.glob("*.aac"):
        if path.stem not in keys:
            path.unlink(missing_ok=True)


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


def _levels(a: Analysis, preset: Preset) -> Levels:
    """A written file's measured levels, and whether they meet the preset (and if not, why)."""
    from audiobook.analysis.compliance import evaluate

    findings = [f for f in evaluate(a, preset) if f.check not in ("dc_offset_percent",)]
    # the advice for recordings ("the build applies ...") does not fit a finished track: the figures say it
    failures = [f"{f.check} {f.value:.1f}, {preset.label} asks {f.limit}" if f.value is not None and
                f.check in ("rms_dbfs", "integrated_lufs", "peak_dbfs", "true_peak_dbtp", "noise_floor_dbfs")
                else f.advice for f in findings if not f.passed]
    if preset.max_track_minutes and a.duration_s > preset.max_track_minutes * 60:
        failures.append(f"{clock(a.duration_s)} long: {preset.label} takes files of at most "
                        f"{preset.max_track_minutes:g} minutes, and no pause of a second was found to split it at — pin a "
                        "section's start in manifest.yaml where it may be cut")
    return Levels(round(a.duration_s, 3), rounded(a.rms_dbfs), rounded(a.true_peak_dbtp), rounded(a.noise_floor_dbfs),
                  rounded(a.integrated_lufs), not failures, failures)


def _track_report(t: TrackPlan, rendered: Rendered, a: Analysis, preset: Preset, job: TrackJob) -> TrackReport:
    levels = _levels(a, preset)
    ends = [m.start_s for m in t.markers[1:]] + [levels.duration_s]
    return TrackReport(
        id=t.id, chapter=t.chapter, title=t.title, file=rendered.path, duration_s=levels.duration_s,
        words=t.words, spoken_words=t.spoken_words,
        source_spans=[SourceSpan(s.file, round(s.start_s, 3), round(s.end_s, 3)) for s in t.spans],
        markers=[Chapter(m.title, m.start_s, round(end, 3)) for m, end in zip(t.markers, ends)],
        rms_dbfs=levels.rms_dbfs, peak_dbfs=levels.peak_dbfs, noise_floor_dbfs=levels.noise_floor_dbfs,
        integrated_lufs=levels.integrated_lufs, limited_samples=rendered.limited_samples,
        room_tone_added_s={"head": t.pad_head_s, "tail": t.pad_tail_s}, placed_by=t.placed_by,
        limiter_makeup_db=job.limiter_makeup_db, meets_preset=levels.meets_preset, failures=levels.failures)


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
