"""ACX's and listeners' extras made from the rendered tracks: the retail sample and the M4B."""

from __future__ import annotations

from pathlib import Path

from audiobook.cache import BuildCache, text_key
from audiobook.manifest import Manifest
from audiobook.parallel import run_here
from audiobook.plan import Plan, Timeline
from audiobook.plan.planner import TAIL_S, is_credits
from audiobook.render.jobs import safe_name
from audiobook.render.m4b import M4bTrack, write_m4b
from audiobook.render.track import SpanJob, TrackJob
from audiobook.tags import TrackTags


def retail_sample_job(manifest: Manifest, plan: Plan, timeline: Timeline, jobs: list[TrackJob], paths: list[Path],
                      out: Path, notes: list[str]) -> TrackJob | None:
    """OUT/retail-sample.<ext>: the opening of the first chapter after the credits (or the one the
    manifest names), at most five minutes, ending in a pause; mastered like its track.
    Returns the job that renders it (with the tracks), or None when there is none to make."""
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
    return sample


def is_credits_id(manifest: Manifest, chapter_id: str) -> bool:
    return any(is_credits(c) for c in manifest.chapters if c.id == chapter_id)


def one_file_m4b(manifest: Manifest, plan: Plan, streams: list[str], out: Path, folder: Path, progress,
                 cache: BuildCache | None = None, track_keys: list[str] | None = None) -> Path:
    """OUT/<Book Title>.m4b from the tracks' AAC `streams`, unless the one there is current."""
    b = manifest.book
    name = safe_name(0, b.title, 1, ".m4b").split(" - ", 1)[1]
    tracks = [M4bTrack(aac, t.title, [(m.start_s, m.title) for m in t.markers])
              for t, aac in zip(plan.tracks, streams)]
    tags = {"title": b.title, "album": b.title, "artist": b.author, "album_artist": b.author,
            "composer": b.narrator, "genre": "Audiobook", "date": str(b.year) if b.year else None,
            "publisher": b.publisher, "copyright": b.copyright, "comment": b.description}
    cover = folder / b.cover if b.cover else None
    path = out / name
    key = text_key(track_keys, tags, str(cover), cover.stat().st_mtime_ns if cover else None) if cache else None
    if cache is not None and cache.extra_is_current("m4b", key, path):
        return path
    run_here(lambda _: write_m4b(path, tracks, tags, cover, manifest.output.sample_rate_hz), [None], len(tracks),
             progress)
    if cache is not None:
        cache.store_extra("m4b", key, path)
    return path
