"""ACX's and listeners' extras made from the rendered tracks: the retail sample and the M4B."""

from __future__ import annotations

import math
from pathlib import Path

from audiobook.analysis import analyze_file
from audiobook.cache import BuildCache, text_key
from audiobook.files import write_stream_atomic
from audiobook.formats import write_tags
from audiobook.formats.mp3info import DECODER_DELAY, ENCODER_DELAY, info_frame, is_info
from audiobook.manifest import Manifest
from audiobook.mp3frames import frame_length, frames
from audiobook.parallel import run_here
from audiobook.plan import Plan, Timeline
from audiobook.plan.planner import is_credits
from audiobook.presets import RoomTone
from audiobook.render.jobs import output_rate, safe_name
from audiobook.render.m4b import M4bTrack, write_m4b
from audiobook.render.track import SpanJob, TrackJob
from audiobook.report import Rendered
from audiobook.tags import Chapter, TrackTags

FRAMES_S = 0.06  # two MP3 frames at 44.1 kHz: a sample cut from its track may run this much longer


def retail_sample_job(manifest: Manifest, plan: Plan, timeline: Timeline, jobs: list[TrackJob], paths: list[Path],
                      out: Path, notes: list[str], room: RoomTone) -> TrackJob | None:
    """OUT/retail-sample.<ext>: the opening of the first chapter after the credits (or the one the
    manifest names), at most five minutes, ending in a pause; mastered like its track.
    Returns the job that renders it (with the tracks), or None when there is none to make."""
    o = manifest.output
    chosen = [n for n, t in enumerate(plan.tracks) if t.chapter == o.retail_sample_chapter] \
        if o.retail_sample_chapter else [n for n, t in enumerate(plan.tracks) if not is_credits_id(manifest, t.chapter)]
    if not chosen:
        return None
    n = chosen[0]
    track, job = plan.tracks[n], jobs[n]
    # what opens the track before its first span, and up to two MP3 frames more, count too
    limit = track.start_s + o.retail_sample_max_s - room.tail_s - job.pad_head_s - FRAMES_S
    pauses = [g for g in timeline.gaps if track.speech_start_s < g.start_s < min(limit, track.end_s)
              and g.length_s >= 0.5]
    end = min(pauses[-1].start_s + min(room.tail_s, pauses[-1].length_s), track.end_s) if pauses else track.end_s
    if end - track.start_s + job.pad_head_s + FRAMES_S > o.retail_sample_max_s:
        notes.append(f"no retail sample: {track.title} has no pause in its first {o.retail_sample_max_s:.0f} s")
        return None
    gains = {s.path: s for s in job.spans}
    spans = [SpanJob(str(paths[f]), a, b, gains[str(paths[f])].gain_db, gains[str(paths[f])].expand_below_db,
                     gains[str(paths[f])].expand_by_db, gains[str(paths[f])].denoise)
             for f, a, b in timeline.spans(track.start_s, end) if str(paths[f]) in gains]
    path = out / f"retail-sample{Path(job.out_path).suffix}"
    sample = TrackJob(str(path), spans, job.fmt, job.rate, job.channels, job.bitrate_kbps, job.ceiling_dbfs,
                      seed=0, extra_gain_db=job.extra_gain_db, preset=job.preset)  # its peaks verified alike
    at = _track_time(job, spans[-1]) if spans else None
    if job.fmt == "mp3" and at is not None:  # the track's own frames: no second rendering or encoding
        sample.cut_from, sample.cut_s = job.out_path, at
    if job.tags is not None:
        sample.tags = TrackTags(title=f"{manifest.book.title} (retail sample)", album=manifest.book.title,
                                artist=manifest.book.author, narrator=manifest.book.narrator,
                                cover=job.tags.cover, cover_mime=job.tags.cover_mime)
    return sample


def _track_time(job: TrackJob, last: SpanJob) -> float | None:
    """Where the end of `last` (a span of the sample) falls in the rendered track, in seconds;
    None if it falls in a stretch the track leaves out (the room tone trimmed at a join)."""
    elapsed = job.pad_head_s
    for span in job.spans:
        if span.path == last.path and span.start_s - 1e-6 <= last.end_s <= span.end_s + 1e-6:
            return elapsed + last.end_s - span.start_s
        elapsed += span.end_s - span.start_s
    return None


def cut_sample(job: TrackJob):
    """Render `job` (the retail sample) by copying the opening frames of its finished MP3 track
    (`job.cut_from`): the very audio of the track, tagged as the sample; then measure it.
    Returns what `build.render_and_measure` does."""

    src, path = Path(job.cut_from), Path(job.out_path)
    start, end, count, per_frame = None, None, 0, 1152
    # the frames that decode to the first cut_s seconds, counting the delays, and one for the decoder's overlap
    wanted = math.ceil((job.cut_s * job.rate + ENCODER_DELAY + DECODER_DELAY) / 1152) + 1
    for frame in frames(src):
        if start is None:
            start = frame.offset
            if is_info(src, frame.offset):  # the track's own length: the sample gets its own
                start += frame.length
                continue
        per_frame = frame.samples
        end = frame.offset + frame.length
        count += 1
        if count == wanted:
            break
    start = start if start is not None else 0
    placeholder = frame_length(job.bitrate_kbps, job.rate)

    def chunks():
        yield bytes(placeholder)
        with open(src, "rb") as f:
            f.seek(start)
            left = (end or start) - start
            while left > 0:
                data = f.read(min(left, 1 << 20))
                if not data:
                    break
                left -= len(data)
                yield data

    def finish(tmp: Path) -> None:
        info = info_frame(tmp, count * per_frame - ENCODER_DELAY, skip=placeholder)  # no padding: ends on a frame
        with open(tmp, "r+b") as f:
            f.write(info)
        if job.tags:
            write_tags(tmp, job.tags, job.id3_version, kind="mp3")

    write_stream_atomic(path, chunks(), before_rename=finish)
    measured = analyze_file(path, keep_series=False)
    return Rendered(str(path), int(round(measured.duration_s * job.rate)), 0, measured.duration_s), measured


def is_credits_id(manifest: Manifest, chapter_id: str) -> bool:
    return any(is_credits(c) for c in manifest.chapters if c.id == chapter_id)


def m4b_name(manifest: Manifest) -> str:
    """"The Revolution Betrayed.m4b": the book's title, as file names are made."""
    return safe_name(0, manifest.book.title, 1, ".m4b").split(" - ", 1)[1]


def one_file_m4b(manifest: Manifest, plan: Plan, streams: list[str], out: Path, folder: Path, progress,
                 cache: BuildCache | None = None, track_keys: list[str] | None = None, inspect=None) -> Path:
    """OUT/<Book Title>.m4b from the tracks' AAC `streams`, unless the one there is current.
    `inspect(tmp_path)`: verifies the new file before it takes its name (render.m4b.write_m4b)."""
    b = manifest.book
    name = m4b_name(manifest)
    tracks = [M4bTrack(aac, t.title, [Chapter(m.title, m.start_s) for m in t.markers])
              for t, aac in zip(plan.tracks, streams)]
    tags = {"title": b.title, "album": b.title, "artist": b.author, "album_artist": b.author,
            "composer": b.narrator, "genre": "Audiobook", "date": str(b.year) if b.year else None,
            "publisher": b.publisher, "copyright": b.copyright, "comment": b.description}
    cover = folder / b.cover if b.cover else None
    path = out / name
    key = text_key(track_keys, tags, str(cover), cover.stat().st_mtime_ns if cover else None) if cache else None
    if cache is not None and cache.extra_is_current("m4b", key, path):
        return path
    run_here(lambda _, progress: write_m4b(path, tracks, tags, cover, output_rate(manifest), progress=progress,
                                                 inspect=inspect), [None], len(tracks),
             progress)
    if cache is not None:
        cache.store_extra("m4b", key, path)
    return path
