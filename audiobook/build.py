"""`audiobook build`: recordings + manifest → plan → one mastered, encoded track per chapter.

The stages, in order: load the manifest; analyse every recording (parallel); plan the
split and write plan.yaml; render the tracks (parallel); measure what was written and
write report.json. The library reports progress through `on_progress(stage, done, total)`.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from audiobook.analysis import Analysis, analyze_files
from audiobook.errors import InputError
from audiobook.feed import Episode, write_feed_files
from audiobook.files import clock, write_text_atomic
from audiobook.manifest import Manifest, load_manifest
from audiobook.manifest.model import ChapterEntry
from audiobook.parallel import WorkerPool, run_here, run_parallel
from audiobook.plan import Plan, Timeline, TrackPlan, make_plan
from audiobook.plan.overrides import apply_labels, read_labels
from audiobook.plan.planner import TAIL_S, is_credits
from audiobook.presets import Preset, get_preset
from audiobook.recordings import find_recordings
from audiobook.render.encode import EXTENSIONS, LAME_GAIN_DB
from audiobook.render.m4b import M4bTrack, find_ffmpeg, write_m4b
from audiobook.render.track import SpanJob, TrackJob, render_track
from audiobook.tags import Chapter, TrackTags
from audiobook.tags.metadata import read_cover

PEAK_MARGIN_DB = 0.5  # the limiter aims this far under the preset's peak: room for MP3's overshoot
NOISE_MARGIN_DB = 3.0  # room tone is brought this far under the preset's noise-floor limit when lifted

Progress = Callable[[str, float, float], None]


@dataclass
class BuildResult:
    out: Path
    plan: Plan
    tracks: list[dict] = field(default_factory=list)
    report_path: Path | None = None
    m4b: Path | None = None
    sample: Path | None = None
    notes: list[str] = field(default_factory=list)


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


def safe_name(number: int, title: str, width: int, ext: str) -> str:
    """"01 - What Has Been Achieved.mp3": no characters any filesystem refuses, not too long."""
    clean = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", title.replace(": ", " - "))
    clean = re.sub(r"\s+", " ", clean).strip(" .") or "Track"
    return f"{number:0{width}d} - {clean[:100].rstrip(' .')}{ext}"


def _check_out(out: Path, folder: Path) -> None:
    out_r, folder_r = out.resolve(), folder.resolve()
    if out_r == folder_r or folder_r in out_r.parents:
        raise InputError(f"{out}: the output folder may not be the recordings folder or inside it — "
                         "choose another, e.g. ./build")


def build(recordings: str | Path, out: str | Path = "build", *, chapters: str | None = None,
          plan_only: bool = False, jobs: int | None = None, on_progress: Progress | None = None,
          m4b: bool | None = None, base_url: str | None = None) -> BuildResult:
    """Build the audiobook in `recordings` (a folder holding manifest.yaml) into `out`.

    `m4b`: also write OUT/<Title>.m4b — None means when an AAC encoder (ffmpeg) is at hand.
    `base_url`: where the files will be served from, for the feed (instead of the manifest's).
    """
    started = time.perf_counter()
    manifest, folder = load_manifest(recordings)
    if base_url:
        manifest.feed.base_url = base_url
    out = Path(out)
    _check_out(out, folder)
    preset = get_preset(manifest.output.preset)
    names = manifest.recordings.files or [p.name for p in find_recordings(folder)]
    if not names:
        raise InputError(f"{folder}: no recordings here (WAV, FLAC, AIFF, Ogg, MP3 ...)")
    paths = [folder / n for n in names]

    def stage(name: str):
        return (lambda done, total: on_progress(name, done, total)) if on_progress else None

    workers = None if jobs == 1 else WorkerPool(jobs)  # one set of processes for every stage
    try:
        return _build(manifest, out, names, paths, preset, chapters, plan_only, stage, started, workers, m4b)
    except BaseException:
        if workers:
            workers.terminate()
        raise
    finally:
        if workers:
            workers.close()


def _build(manifest: Manifest, out: Path, names: list[str], paths: list[Path], preset: Preset,
           chapters: str | None, plan_only: bool, stage, started: float, workers: WorkerPool | None,
           m4b: bool | None = None) -> BuildResult:
    analyses = analyze_files(paths, jobs=1 if workers is None else None, on_progress=stage("analysing"),
                             pool=workers)
    selected = parse_selection(chapters, manifest.chapters)
    timeline = Timeline(analyses)
    label_notes = _apply_label_files(manifest, selected, names, timeline, paths[0].parent)
    plan = make_plan(selected, timeline, names)
    notes = list(plan.notes) + label_notes
    rates = sorted({a.sample_rate for a in analyses})
    if len(rates) > 1:
        notes.append(f"sessions at different sample rates ({', '.join(map(str, rates))} Hz): all resampled to "
                     f"{manifest.output.sample_rate_hz} Hz")
    out.mkdir(parents=True, exist_ok=True)
    write_plan(plan, timeline, out / "plan.yaml")
    result = BuildResult(out=out, plan=plan, notes=notes)
    if plan_only:
        return result

    jobs_list = track_jobs(plan, analyses, manifest, preset, paths, out, notes)
    total = sum(t.duration_s for t in plan.tracks)
    rendered = run_parallel(render_track, jobs_list, total=total, jobs=1 if workers is None else None,
                            on_progress=stage("rendering"), pool=workers)
    measured = analyze_files([r["path"] for r in rendered], jobs=1 if workers is None else None,
                             on_progress=stage("checking"), pool=workers)
    result.tracks = [_track_report(t, r, a, preset) for t, r, a in zip(plan.tracks, rendered, measured)]
    episodes = [Episode(id=t.id, number=t.number, title=t.title, description=track_description(t, manifest.book),
                        file=Path(r["path"]), duration_s=a.duration_s,
                        chapters=[(m.start_s, m.title) for m in t.markers])
                for t, r, a in zip(plan.tracks, rendered, measured)]
    result.sample = _retail_sample(manifest, plan, timeline, jobs_list, paths, out, workers, notes)
    result.m4b = _write_m4b(manifest, plan, rendered, out, paths[0].parent, stage("m4b"), notes, m4b)
    notes += write_feed_files(manifest, paths[0].parent, out, episodes)
    for t in result.tracks:
        if not t["meets_preset"]:
            notes.append(f"{Path(t['file']).name}: does not meet {preset.name.upper()} — {'; '.join(t['failures'])}")
    report = {
        "book": manifest.book.title,
        "preset": preset.name,
        "total_runtime_s": round(sum(t["duration_s"] for t in result.tracks), 3),
        "total_runtime_minutes": round(sum(t["duration_s"] for t in result.tracks) / 60),
        "pace_wpm": plan.pace_wpm,
        "feed": str(out / "feed.xml"),
        "m4b": str(result.m4b) if result.m4b else None,
        "retail_sample": str(result.sample) if result.sample else None,
        "blurb": str(out / "blurb.txt") if manifest.book.blurb else None,
        "recordings": [{"file": n, "duration_s": round(a.duration_s, 3), "rms_dbfs": _r(a.rms_dbfs),
                        "noise_floor_dbfs": _r(a.noise_floor_dbfs), "speech_rms_dbfs": _r(a.speech_rms_dbfs)}
                       for n, a in zip(names, analyses)],
        "tracks": result.tracks,
        "notes": notes,
        "build_seconds": round(time.perf_counter() - started, 2),
    }
    result.report_path = out / "report.json"
    write_text_atomic(result.report_path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return result


def _retail_sample(manifest: Manifest, plan: Plan, timeline: Timeline, jobs: list[TrackJob], paths: list[Path],
                   out: Path, workers: WorkerPool | None, notes: list[str]) -> Path | None:
    """OUT/retail-sample.<ext>: the opening of the first chapter after the credits (or the one the
    manifest names), at most five minutes, ending in a pause; mastered like its track."""
    o = manifest.output
    chosen = [n for n, t in enumerate(plan.tracks) if t.id == o.retail_sample_chapter] if o.retail_sample_chapter \
        else [n for n, t in enumerate(plan.tracks) if not is_credits_id(manifest, t.id)]
    if not chosen:
        return None
    n = chosen[0]
    track, job = plan.tracks[n], jobs[n]
    limit = track.start_s + o.retail_sample_max_s - TAIL_S
    pauses = [g for g in timeline.gaps if track.speech_start_s < g.start_s < min(limit, track.end_s)
              and g.length_s >= 0.5]
    end = min(pauses[-1].start_s + min(TAIL_S, pauses[-1].length_s), track.end_s) if pauses else track.end_s
    if end - track.start_s > o.retail_sample_max_s:
        notes.append(f"no retail sample: {track.title} has no pause in its first {o.retail_sample_max_s:.0f} s")
        return None
    gains = {s.path: s for s in job.spans}
    spans = [SpanJob(str(paths[f]), a, b, gains[str(paths[f])].gain_db, gains[str(paths[f])].expand_below_db,
                     gains[str(paths[f])].expand_by_db)
             for f, a, b in timeline.spans(track.start_s, end) if str(paths[f]) in gains]
    path = out / f"retail-sample{Path(job.out_path).suffix}"
    sample = TrackJob(str(path), spans, job.fmt, job.rate, job.channels, job.bitrate_kbps, job.ceiling_dbfs,
                      seed=0, extra_gain_db=job.extra_gain_db)
    if job.tags is not None:
        sample.tags = TrackTags(title=f"{manifest.book.title} (retail sample)", album=manifest.book.title,
                                artist=manifest.book.author, narrator=manifest.book.narrator,
                                cover=job.tags.cover, cover_mime=job.tags.cover_mime)
    run_parallel(render_track, [sample], total=end - track.start_s, jobs=1, pool=None)
    return path


def is_credits_id(manifest: Manifest, chapter_id: str) -> bool:
    return any(is_credits(c) for c in manifest.chapters if c.id == chapter_id)


def _write_m4b(manifest: Manifest, plan: Plan, rendered: list[dict], out: Path, folder: Path, progress,
               notes: list[str], wanted: bool | None) -> Path | None:
    if wanted is False:
        return None
    ffmpeg = find_ffmpeg()
    if ffmpeg is None:
        if wanted:
            raise InputError("--m4b needs an AAC encoder: install ffmpeg or `pip install imageio-ffmpeg`")
        notes.append("no M4B: no AAC encoder here (install ffmpeg or `pip install imageio-ffmpeg`)")
        return None
    b = manifest.book
    name = safe_name(0, b.title, 1, ".m4b").split(" - ", 1)[1]
    tracks = [M4bTrack(r["path"], t.title, [(m.start_s, m.title) for m in t.markers])
              for t, r in zip(plan.tracks, rendered)]
    tags = {"title": b.title, "album": b.title, "artist": b.author, "album_artist": b.author,
            "composer": b.narrator, "genre": "Audiobook", "date": str(b.year) if b.year else None,
            "publisher": b.publisher, "copyright": b.copyright, "comment": b.description}
    cover = folder / b.cover if b.cover else None
    total = sum(t.duration_s for t in plan.tracks)
    path = out / name
    run_here(lambda _: write_m4b(path, tracks, tags, cover, manifest.output.sample_rate_hz,
                                manifest.output.channels, ffmpeg), [None], total, progress)
    return path


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


def _r(v: float, digits: int = 2):
    return round(v, digits) if math.isfinite(v) else None


def _span_power(a: Analysis, start_s: float, end_s: float) -> tuple[float, int]:
    hops = a.power_hops
    lo, hi = int(start_s / 0.1), max(int(start_s / 0.1) + 1, int(end_s / 0.1))
    part = hops[lo:hi].astype(np.float64)
    return float(part.sum()), len(part)


def track_jobs(plan: Plan, analyses: list[Analysis], manifest: Manifest, preset: Preset, paths: list[Path],
               out: Path, notes: list[str]) -> list[TrackJob]:
    """Gains, room-tone handling and encoder settings for every track.

    Sessions are first brought to one reading level (their speech RMS, to the median
    session's), then each track is set to the preset's target as a whole: chapters read in
    sessions at different levels come out alike, and a track's dynamics are untouched.
    """
    o = manifest.output
    speech = np.array([a.speech_rms_dbfs for a in analyses])
    reference = float(np.median(speech[np.isfinite(speech)])) if np.isfinite(speech).any() else -20.0
    offsets = [reference - s if math.isfinite(s) else 0.0 for s in speech]
    lufs_minus_rms = float(np.mean([a.integrated_lufs - a.rms_dbfs for a in analyses
                                    if math.isfinite(a.integrated_lufs) and math.isfinite(a.rms_dbfs)] or [0.0]))
    peak_limit = preset.peak_max_dbfs if preset.peak_max_dbfs is not None else preset.true_peak_max_dbtp
    ceiling = (peak_limit if peak_limit is not None else -1.0) - PEAK_MARGIN_DB
    width = max(2, len(str(len(plan.tracks))))
    ext = EXTENSIONS[o.format]
    cover = cover_mime = None
    if manifest.book.cover:
        cover, cover_mime, warnings = read_cover(paths[0].parent / manifest.book.cover)
        notes += warnings
    jobs = []
    for t in plan.tracks:
        power, count = 0.0, 0
        for s in t.spans:
            p, c = _span_power(analyses[s.file], s.start_s, s.end_s)
            power += p * 10 ** (offsets[s.file] / 10)
            count += c
        level = 10 * math.log10(power / count) if power > 0 and count else -60.0
        if preset.target_rms_dbfs is not None:
            gain = preset.target_rms_dbfs - level
        else:
            gain = (preset.target_lufs or -16.0) - (level + lufs_minus_rms)
        spans = []
        for s in t.spans:
            a = analyses[s.file]
            g = gain + offsets[s.file]
            span = SpanJob(str(paths[s.file]), s.start_s, s.end_s, g)
            limit = preset.noise_floor_max_dbfs
            if limit is not None and math.isfinite(a.noise_floor_dbfs) and a.noise_floor_dbfs + g > limit - 1.0:
                lifted = a.noise_floor_dbfs + g
                span.expand_by_db = lifted - (limit - NOISE_MARGIN_DB)
                span.expand_below_db = lifted + 6.0
                notes.append(f"{t.title}: raising {Path(paths[s.file]).name} by {g:+.1f} dB lifts its room tone to "
                             f"{lifted:.0f} dBFS; turned down {span.expand_by_db:.1f} dB in the pauses (expander)")
            spans.append(span)
        name = safe_name(t.number, t.title, width, ext)
        job = TrackJob(str(out / name), spans, o.format, o.sample_rate_hz, o.channels, o.bitrate_kbps,
                       ceiling, seed=t.number, extra_gain_db=-LAME_GAIN_DB if o.format == "mp3" else 0.0)
        b = manifest.book
        job.tags = TrackTags(
            title=t.title, album=b.title, artist=b.author, narrator=b.narrator, track=t.number,
            tracks=len(plan.tracks), year=b.year, publisher=b.publisher, language=b.language,
            copyright=b.copyright, description=track_description(t, b), cover=cover, cover_mime=cover_mime,
            chapters=[Chapter(m.title, m.start_s, 0.0) for m in t.markers])
        job.id3_version = o.id3_version
        if t.room_tone is not None:
            tone = t.room_tone
            job.room_tone = SpanJob(str(paths[tone.file]), tone.start_s, tone.end_s, gain + offsets[tone.file])
            job.pad_head_s, job.pad_tail_s = t.pad_head_s, t.pad_tail_s
        jobs.append(job)
    return jobs


def track_description(t: TrackPlan, book) -> str:
    """"Chapter 1: What Has Been Achieved — sections: ...; from The Revolution Betrayed by ..., read by ..."."""
    sections = [m.title for m in t.markers[1:]]
    parts = [t.title]
    if sections:
        parts.append("Sections: " + "; ".join(sections) + ".")
    credit = f"From {book.title}" + (f" by {book.author}" if book.author else "")
    credit += (f", read by {book.narrator}" if book.narrator else "") + "."
    return " ".join([parts[0] + "."] + parts[1:] + [credit])


def _track_report(t: TrackPlan, rendered: dict, a: Analysis, preset: Preset) -> dict:
    from audiobook.analysis.compliance import evaluate

    findings = [f for f in evaluate(a, preset) if f.check not in ("dc_offset_percent",)]
    return {
        "id": t.id,
        "title": t.title,
        "file": rendered["path"],
        "duration_s": round(a.duration_s, 3),
        "words": t.words,
        "source_spans": [{"file": s.file, "start_s": round(s.start_s, 3), "end_s": round(s.end_s, 3)}
                         for s in t.spans],
        "markers": [{"title": m.title, "start_s": m.start_s} for m in t.markers],
        "rms_dbfs": _r(a.rms_dbfs), "peak_dbfs": _r(a.true_peak_dbtp), "noise_floor_dbfs": _r(a.noise_floor_dbfs),
        "integrated_lufs": _r(a.integrated_lufs),
        "limited_samples": rendered["limited_samples"],
        "meets_preset": all(f.passed for f in findings),
        "failures": [f.advice for f in findings if not f.passed],
    }


def write_plan(plan: Plan, timeline: Timeline, path: Path) -> None:
    """plan.yaml: every boundary with its time, pause, deviation and confidence, for review."""

    def where(t: float) -> str:
        n, local = timeline.locate(t)
        return f"{plan.files[n]} {clock(local)}"

    tracks = []
    for t in plan.tracks:
        tracks.append({
            "id": t.id, "title": t.title,
            "start": where(t.start_s), "end": where(t.end_s), "duration": clock(t.duration_s),
            "pause_s": t.pause_s, "deviation_s": t.deviation_s, "confidence": t.confidence,
            **({"pinned": True} if t.pinned else {}),
            "markers": [{"title": m.title, "at_s": round(m.start_s, 2), "source": where(m.timeline_s),
                         "pause_s": m.pause_s, "deviation_s": m.deviation_s, "confidence": m.confidence}
                        for m in t.markers[1:]],
        })
    header = ("# audiobook plan: where every chapter and section starts in the recordings.\n"
              "# deviation_s: speech seconds before the boundary minus what the word counts predict;\n"
              "# confidence: 0..1, how clearly this pause beats the others. To fix a boundary, pin it in\n"
              "# manifest.yaml (start: \"session-02.flac 12:03.5\") and build again.\n")
    body = yaml.safe_dump({"pace_wpm": plan.pace_wpm, "speech_minutes": round(plan.speech_s / 60, 1),
                           "notes": plan.notes, "tracks": tracks}, sort_keys=False, allow_unicode=True, width=110)
    write_text_atomic(path, header + body)
