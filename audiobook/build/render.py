"""Stage 4: render every track — mastered, encoded, tagged — and measure each file as written;
tracks whose inputs are unchanged are taken from the cache, and a track that missed its level
is rendered once more at the gain that reaches it. The retail sample is made with them."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from audiobook.analysis import Analysis, analyze_file
from audiobook.analysis.compliance import evaluate_deliverable, peak_overshoot_db
from audiobook.build.context import BuildContext
from audiobook.build.reporting import levels_of
from audiobook.cache import BuildCache, job_key
from audiobook.errors import PresetNotMet
from audiobook.parallel import Report, WorkerPool, run_parallel
from audiobook.plan import Plan, Timeline
from audiobook.presets import Preset
from audiobook.render.extras import cut_sample, retail_sample_job
from audiobook.render.jobs import NOISE_MARGIN_DB, NOISE_REDUCTION_MAX_DB, limiter_ceiling_db, track_jobs
from audiobook.render.makeup import MAKEUP_MAX_DB
from audiobook.render.track import TrackJob, render_track
from audiobook.report import Rendered


def render(ctx: BuildContext, plan: Plan, analyses: list[Analysis], timeline: Timeline, digests: dict[str, str],
           aac: bool) -> tuple[list[TrackJob], TrackJob | None, Renders]:
    """Every track's job, the retail sample's (None when there is none), and what was rendered.
    `aac`: each track also encoded to AAC for the M4B."""
    jobs = track_jobs(plan, analyses, ctx.manifest, ctx.preset, ctx.paths, ctx.out, ctx.notes, ctx.cover)
    sample = retail_sample_job(ctx.manifest, plan, timeline, jobs, ctx.paths, ctx.out, ctx.notes,
                               ctx.preset.room_tone)
    renders = _cached_render(ctx.cache, jobs, digests, ctx.out, ctx.progress, ctx.workers, aac, sample,
                             miss=lambda job, a: _level_miss(ctx.preset, job, a),
                             meets=lambda a: levels_of(a, ctx.preset).meets_preset)
    _verdict(ctx, renders, sample)
    planned = limiter_ceiling_db(ctx.preset)
    lowered = {Path(r.path).name: planned - r.ceiling_dbfs for r in renders.tracks
               if r.ceiling_dbfs is not None and r.ceiling_dbfs < planned - 1e-6}
    if lowered:
        worst = max(lowered.items(), key=lambda kv: kv[1])
        ctx.notes.append(f"{len(lowered)} track(s) rendered again with more headroom: the codec carried their peaks "
                         f"over {ctx.preset.label}'s limit ({worst[0]}: the limiter {worst[1]:.1f} dB lower, the most)")
    if renders.corrected:
        worst = max(renders.corrected.items(), key=lambda kv: abs(kv[1]))
        ctx.notes.append(f"{len(renders.corrected)} track(s) missed {ctx.preset.label}'s level and were rendered "
                         f"again {worst[1]:+.1f} dB ({worst[0]}, the most): the limiter's share was predicted wrong "
                         "for this voice")
    return jobs, sample, renders


HEADROOM_MARGIN_DB = 0.3  # a codec's overshoot is taken off the limiter's ceiling with this much more
RENDERINGS = 3  # a track is rendered at most this many times for its peaks
TRIM_ABOVE_DB = 15.0  # the expander's threshold over the measured floor, where noise reduction was not enough


class _Overshoot(Exception):
    """A file (or its AAC for the M4B) whose peak the codec carried over the preset's limit, by `db`."""

    def __init__(self, db: float):
        super().__init__(db)
        self.db = db


class _NoisyPauses(Exception):
    """A track whose noise reduction left its quietest room tone at `floor_dbfs`, over the preset's limit."""

    def __init__(self, floor_dbfs: float):
        super().__init__(floor_dbfs)
        self.floor_dbfs = floor_dbfs


def _trim_noise(job: TrackJob, floor_dbfs: float, limit_dbfs: float) -> None:
    """Where the noise reduction left the room tone over the limit (an unsteady room, pauses so
    short that the quietest half second holds the tails of words), the expander takes the rest
    off in the pauses: what is over the limit and twice NOISE_MARGIN_DB more (its 70 ms closing
    does not reach full depth in short pauses), on frames up to TRIM_ABOVE_DB over the measured
    floor (the tails of words are in it: at 6 dB, a LibriVox reading's 0.5 s pauses stayed at -56)."""
    by = floor_dbfs - limit_dbfs + 2 * NOISE_MARGIN_DB
    for span in job.spans + ([job.room_tone] if job.room_tone else []):
        if span.denoise is not None:
            below = floor_dbfs - job.extra_gain_db + TRIM_ABOVE_DB  # as the expander sees it: before the make-up
            span.expand_below_db = max(span.expand_below_db or below, below)
            span.expand_by_db = span.expand_by_db + by
    job.noise_trim_db = round(job.noise_trim_db + by, 2)


def _verdict(ctx: BuildContext, renders: Renders, sample: TrackJob | None) -> None:
    """Every track as written, judged as `check` judges it (analysis.compliance); one that fails
    after the corrections is removed (the cache forgets it, and a retail sample cut from it) and
    stops the build, named with what fails."""
    failed = []
    for r, a in zip(renders.tracks, renders.measured):
        levels = levels_of(a, ctx.preset)
        if not levels.meets_preset:
            failed.append((Path(r.path), levels.failures))
    if not failed:
        return
    for path, _ in failed:
        path.unlink(missing_ok=True)
        ctx.cache.index["tracks"].pop(path.name, None)
        if sample is not None and sample.cut_from and Path(sample.cut_from) == path:
            Path(sample.out_path).unlink(missing_ok=True)
            ctx.cache.index.get("extras", {}).pop("retail_sample", None)
    ctx.cache.save()
    said = [n for n in ctx.notes if "too little room tone" in n]  # why, where room tone fails: the plan's notes
    raise PresetNotMet("\n".join(f"{path.name}: does not meet {ctx.preset.label} as rendered, with the build's "
                                  f"corrections — {'; '.join(why)}" for path, why in failed)
                       + "".join(f"\n{n}" for n in said)
                       + f"\n{len(failed)} of {len(renders.tracks)} track(s) not kept (the others are, and the next "
                       "build resumes from them). Tame the recordings' peaks (clipping, hard plosives: a declipper, "
                       "a compressor) before the build, or build to another preset (--preset)")


def render_and_measure(job: TrackJob, progress: Report) -> tuple:
    """Render one track, then measure the file as written (encoded, tagged, decoded back): what
    listeners get — before it takes its name. Where the codec (lossy coding moves peaks) carried
    its peak, or its AAC's for the M4B, over the preset's limit, it is rendered again with the
    limiter's ceiling lowered by the overshoot and HEADROOM_MARGIN_DB; the last rendering is
    kept whatever it measures, for the build to judge (`_verdict`).
    A retail sample cut from the track (`job.then_cut`) is made and measured next, and returned third.
    `progress(seconds)`: the seconds of audio rendered so far."""
    if job.cut_from:
        return cut_sample(job)
    measured: list[Analysis] = []

    def inspect(tmp: Path, aac_peak: float | None, last: bool) -> None:
        a = analyze_file(tmp, keep_series=False)
        measured.append(a)
        if job.preset is None or last:
            return
        over = peak_overshoot_db(evaluate_deliverable(a, job.preset), job.preset)
        if aac_peak is not None:  # the M4B's: as `check` reads it, decoded (while it was encoded)
            over = max(over, aac_peak - job.preset.peak_limit)
        if over > 0:
            raise _Overshoot(over)
        limit = job.preset.noise_floor_max_dbfs
        if limit is not None and a.noise_floor_dbfs > limit and any(s.denoise for s in job.spans):
            raise _NoisyPauses(a.noise_floor_dbfs)

    for attempt in range(RENDERINGS):
        try:
            rendered = render_track(job, progress if attempt == 0 else None,
                                    inspect=lambda tmp, peak, last=attempt == RENDERINGS - 1: inspect(tmp, peak, last))
            break
        except _Overshoot as exc:
            job.ceiling_dbfs = round(job.ceiling_dbfs - exc.db - HEADROOM_MARGIN_DB, 2)
        except _NoisyPauses as exc:
            _trim_noise(job, exc.floor_dbfs, job.preset.noise_floor_max_dbfs)
    a = measured[-1]
    a.path = rendered.path
    if job.then_cut is not None:
        return rendered, a, cut_sample(job.then_cut)
    return rendered, a


@dataclass
class Renders:
    tracks: list[Rendered]  # what render_track returned (or the cache remembered), per track
    measured: list[Analysis]  # each written track, measured
    keys: list[str]  # each track's cache key
    stale: list[str]  # tracks an earlier build made that this one does not
    sample: Analysis | None = None  # the retail sample, measured
    corrected: dict[str, float] = field(default_factory=dict)  # tracks rendered again: name -> dB added
    missed: dict[int, float] = field(default_factory=dict)  # tracks whose first rendering missed its level: dB


def _cached_render(cache: BuildCache, jobs: list[TrackJob], digests: dict[str, str], out: Path, stage,
                   workers: WorkerPool | None, aac: bool = False, sample: TrackJob | None = None,
                   miss: Callable[[TrackJob, Analysis], float] | None = None,
                   meets: Callable[[Analysis], bool] | None = None) -> Renders:
    """Render (and measure) only the tracks whose inputs changed, recording each in the cache as
    it is done: a build stopped half-way resumes from the last finished track. In three steps:
    render what changed (the retail sample with it), render again the tracks that missed their
    level, cut the retail sample where its track was current.

    `aac`: each track is also encoded to AAC for the M4B (kept in the cache by its key).
    `sample`: the retail sample, rendered with the tracks unless it is current.
    `miss(job, measured)`: the dB by which a rendered track missed its level; such a track is
    rendered once more with its gain corrected (and cached under its first key).
    `meets(measured)`: whether a track the cache holds meets the preset; one that does not (an
    older build's) is rendered again.
    The tracks an earlier build made that this one no longer makes are returned, to be removed
    only once the new feed and report are written."""
    books = _Ledger(cache, jobs, [job_key(j, digests) for j in jobs], out,
                    job_key(sample, digests) if sample else None)
    result = books.from_cache(aac, meets)
    if sample:
        result.sample = cache.current_extra_analysis("retail_sample", books.sample_key, Path(sample.out_path))
    todo = sorted((i for i in range(len(jobs)) if result.tracks[i] is None), key=lambda i: -_seconds(jobs[i]))
    batch = [jobs[i] for i in todo]  # longest first: no core left idle at the end
    sample_alone = sample is not None and result.sample is None and not _sample_rides_along(sample, batch)
    if sample is not None and result.sample is None and not sample.cut_from:
        batch.append(sample)
        sample_alone = False

    def first(k: int, finished: tuple) -> None:
        if k == len(todo):
            books.sample_done(result, finished)
        else:
            books.store(result, todo[k], finished, miss)

    if batch:
        _run(batch, workers, stage("rendering"), first)
    missed = {i: off for i, off in result.missed.items()}
    if missed:
        redo = sorted(missed, key=lambda i: -_seconds(jobs[i]))
        for i in redo:
            _regain(jobs[i], missed[i])
        result.corrected = {books.names[i]: round(missed[i], 2) for i in redo}
        _run([jobs[i] for i in redo], workers, stage("levelling"),
             lambda k, finished: books.store(result, redo[k], finished, None))
    if sample_alone:
        _run([sample], workers, None, lambda _k, finished: books.sample_done(result, finished))
    return result


def _sample_rides_along(sample: TrackJob, batch: list[TrackJob]) -> bool:
    """A retail sample cut from a track is cut by the worker that renders that track, right after
    it (`then_cut`); True where its track is in `batch`, or where it is rendered on its own."""
    if not sample.cut_from:
        return True
    for job in batch:
        job.then_cut = sample if job.out_path == sample.cut_from else None
    return any(job.then_cut for job in batch)


def _run(batch: list[TrackJob], workers: WorkerPool | None, progress, on_result) -> None:
    run_parallel(render_and_measure, batch, total=sum(_seconds(j) for j in batch) if progress else 1,
                 jobs=1 if workers is None else None, on_progress=progress, pool=workers, on_result=on_result)


@dataclass
class _Ledger:
    """What the cache knows of each track and the retail sample, and each rendering recorded in it
    as it finishes."""

    cache: BuildCache
    jobs: list[TrackJob]
    keys: list[str]  # each track's cache key
    out: Path
    sample_key: str | None

    @property
    def names(self) -> list[str]:
        return [Path(j.out_path).name for j in self.jobs]

    def from_cache(self, aac: bool, meets: Callable[[Analysis], bool] | None) -> Renders:
        """The tracks the cache holds as this build would make them (None where it does not)."""
        cache, names = self.cache, self.names
        result = Renders([None] * len(self.jobs), [None] * len(self.jobs), self.keys,
                         sorted(set(cache.index["tracks"]) - set(names)))
        for i, (job, name, key) in enumerate(zip(self.jobs, names, self.keys)):
            if aac:
                job.aac_path = str(cache.dir / f"{key}.aac")
            entry = cache.track(name, key, self.out)
            a = cache.load_analysis(entry[1], self.out / name) if entry else None
            if entry and a is not None and (not aac or Path(job.aac_path).is_file()) and (meets is None or meets(a)):
                result.tracks[i], result.measured[i] = entry[0], a
        return result

    def sample_done(self, result: Renders, finished: tuple[Rendered, Analysis]) -> None:
        r, a = finished
        digest = self.cache.digest(Path(r.path))
        self.cache.store_analysis(digest, a)
        self.cache.store_extra("retail_sample", self.sample_key, Path(r.path), measured=digest)
        result.sample = a
        self.cache.save()

    def store(self, result: Renders, i: int, finished: tuple,
              miss: Callable[[TrackJob, Analysis], float] | None) -> None:
        """Track `i` as rendered: kept in the cache, or — where `miss` says it missed its level —
        noted in `result.missed` for a second rendering, and not cached (a build stopped before
        that rendering makes it anew)."""
        if len(finished) == 3:
            self.sample_done(result, finished[2])
        r, a = finished[:2]
        result.tracks[i], result.measured[i] = r, a
        job = self.jobs[i]
        if r.ceiling_dbfs is not None:  # the headroom a codec needed: kept should it be rendered again
            job.ceiling_dbfs = r.ceiling_dbfs
        off = miss(job, a) if miss is not None else 0.0
        if off:
            result.missed[i] = off
            return
        result.missed.pop(i, None)
        digest = self.cache.digest(Path(r.path))
        self.cache.store_analysis(digest, a)
        self.cache.store_track(self.names[i], self.keys[i], self.out, r, digest)
        self.cache.save()


def _regain(job: TrackJob, db: float) -> None:
    """Raise (or lower) a track's gain by `db`, the room tone and the expander's threshold with it,
    and the noise reduction's depth where the gain rises (the room tone rises with it)."""
    for span in job.spans + ([job.room_tone] if job.room_tone else []):
        span.gain_db += db
        if span.expand_below_db is not None:
            span.expand_below_db += db
        if span.denoise is not None and db > 0:
            span.denoise = replace(span.denoise, reduce_db=round(min(span.denoise.reduce_db + db,
                                                                     NOISE_REDUCTION_MAX_DB), 2))
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


def remove_stale(cache: BuildCache, out: Path, stale: list[str], keys: list[str]) -> None:
    """Tracks this build no longer makes, and AAC streams of tracks that are no more."""
    for name in stale:
        for path in (out / name, (out / name).with_suffix(".chapters.json"), (out / name).with_suffix(".vtt")):
            path.unlink(missing_ok=True)
        cache.index["tracks"].pop(name, None)
        cache.index.get("transcripts", {}).pop(str(Path(name).with_suffix(".vtt")), None)
    for path in cache.dir.glob("*.aac"):
        if path.stem not in keys:
            path.unlink(missing_ok=True)
