"""Stage 7: report.json — what was made, its levels against the preset, how every cut was placed,
and every note of the build — and the notes a producer must see about the tracks."""

from __future__ import annotations

from pathlib import Path

from audiobook.analysis import Analysis
from audiobook.analysis.compliance import evaluate_deliverable
from audiobook.build.context import BuildContext
from audiobook.files import clock
from audiobook.manifest.model import ChapterEntry
from audiobook.plan import Plan, TrackPlan
from audiobook.plan.planner import chapter_title
from audiobook.presets import Preset
from audiobook.render.track import TrackJob
from audiobook.report import (
    BuildReport,
    ChapterBuilt,
    Levels,
    RecordingReport,
    Rendered,
    SectionBuilt,
    SourceSpan,
    TrackReport,
    rounded,
)
from audiobook.tags import Chapter, ending


def track_reports(ctx: BuildContext, plan: Plan, rendered: list[Rendered], measured: list[Analysis],
                  jobs: list[TrackJob]) -> list[TrackReport]:
    """Each track as written and measured; the notes say which tracks got room tone and which fail."""
    tracks = [_track_report(t, r, a, ctx.preset, j) for t, r, a, j in zip(plan.tracks, rendered, measured, jobs)]
    padded = [t for t in plan.tracks if t.pad_head_s or t.pad_tail_s]
    if padded:
        (h0, h1), (t0, t1) = ctx.preset.head_room_tone_s or (0, 0), ctx.preset.tail_room_tone_s or (0, 0)
        ctx.notes.append(f"{len(padded)} track(s) given the narrator's own room tone where a session starts or ends "
                         f"too close to the speech for {ctx.preset.label}'s {h0:g}–{h1:g} s head and {t0:g}–{t1:g} s "
                         "tail: "
                         + "; ".join(f"{t.title} ({'head +%.1f s' % t.pad_head_s if t.pad_head_s else ''}"
                                     f"{', ' if t.pad_head_s and t.pad_tail_s else ''}"
                                     f"{'tail +%.1f s' % t.pad_tail_s if t.pad_tail_s else ''})" for t in padded[:5]))
    for t in tracks:
        if not t.meets_preset:
            ctx.notes.append(f"{Path(t.file).name}: does not meet {ctx.preset.label} — {'; '.join(t.failures)}")
    return tracks


def write_report(ctx: BuildContext, plan: Plan, selected: list[ChapterEntry], analyses: list[Analysis],
                 tracks: list[TrackReport], m4b: Path | None, sample: Path | None,
                 sample_measured: Analysis | None) -> Path:
    manifest = ctx.manifest
    total = sum(t.duration_s for t in tracks)
    report = BuildReport(
        book=manifest.book.title,
        manifest=str((ctx.folder / "manifest.yaml").resolve()),
        chapters_selected=[c.id for c in selected],
        preset=ctx.preset.spec,
        total_runtime_s=round(total, 3),
        total_runtime_minutes=round(total / 60),
        pace_wpm=plan.pace_wpm,
        feed=str(ctx.out / "feed.xml"),
        m4b=str(m4b) if m4b else None,
        retail_sample=str(sample) if sample else None,
        retail_sample_levels=levels_of(sample_measured, ctx.preset) if sample_measured else None,
        blurb=str(ctx.out / "blurb.txt") if manifest.book.blurb else None,
        recordings=[RecordingReport(n, round(a.duration_s, 3), rounded(a.rms_dbfs), rounded(a.noise_floor_dbfs),
                                    rounded(a.speech_rms_dbfs)) for n, a in zip(ctx.names, analyses)],
        tracks=tracks,
        notes=ctx.notes,
        build_seconds=ctx.clock.total(),
        stage_seconds=ctx.clock.laps,
        chapters=[ChapterBuilt(c.id, chapter_title(c), [SectionBuilt(s.title, s.heading_lost) for s in c.sections])
                  for c in manifest.chapters],
    )
    path = ctx.out / "report.json"
    report.write(path)
    return path


def levels_of(a: Analysis, preset: Preset) -> Levels:
    """A written file's measured levels, and whether they meet the preset (and if not, why)."""

    findings = [f for f in evaluate_deliverable(a, preset) if f.check not in ("dc_offset_percent",)]
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
    levels = levels_of(a, preset)
    return TrackReport(
        id=t.id, chapter=t.chapter, title=t.title, file=rendered.path, duration_s=levels.duration_s,
        words=t.words, spoken_words=t.spoken_words,
        source_spans=[SourceSpan(s.file, round(s.start_s, 3), round(s.end_s, 3)) for s in t.spans],
        markers=[Chapter(c.title, c.start_s, round(c.end_s, 3))
                 for c in ending([Chapter(m.title, m.start_s) for m in t.markers], levels.duration_s)],
        rms_dbfs=levels.rms_dbfs, peak_dbfs=levels.peak_dbfs, noise_floor_dbfs=levels.noise_floor_dbfs,
        integrated_lufs=levels.integrated_lufs, limited_samples=rendered.limited_samples,
        room_tone_added_s={"head": t.pad_head_s, "tail": t.pad_tail_s}, placed_by=t.placed_by,
        limiter_makeup_db=job.limiter_makeup_db, meets_preset=levels.meets_preset, failures=levels.failures)
