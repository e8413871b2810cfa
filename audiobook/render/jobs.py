"""Render jobs for a plan: per-session level matching, one gain per track, room tone, tags, file names."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from audiobook import formats
from audiobook.analysis import Analysis
from audiobook.manifest import Manifest
from audiobook.plan import Plan, TrackPlan
from audiobook.presets import Preset
from audiobook.render.breaths import BreathReduction
from audiobook.render.denoise import NoiseReduction, noise_spans, reduction_db
from audiobook.render.makeup import MAKEUP_MAX_DB, TrackHops, level_slope, track_gain
from audiobook.render.track import SpanJob, TrackJob
from audiobook.tags import TrackTags

PEAK_MARGIN_DB = 0.5  # the limiter aims this far under the preset's peak: room for MP3's overshoot
NOISE_MARGIN_DB = 3.0  # room tone is brought this far under the preset's noise-floor limit when lifted
NOISE_REDUCTION_MAX_DB = 30.0  # deeper and the voice thins (its quietest bins are taken for room tone)


NAME_MAX_BYTES = 150  # of the title in a file name; filesystems allow 255 bytes a name


def safe_name(number: int, title: str, width: int, ext: str) -> str:
    """"01 - What Has Been Achieved.mp3": no characters any filesystem refuses or a shell reads as
    code, and short enough (in UTF-8 bytes) for any filesystem, with room for ".chapters.json"."""
    clean = re.sub(r'[\\/:*?"<>|$`\x00-\x1f\x7f]+', " ", title.replace(": ", " - "))
    clean = re.sub(r"\s+", " ", clean).strip(" .") or "Track"
    clean = clean[:100].encode("utf-8")[:NAME_MAX_BYTES].decode("utf-8", errors="ignore")
    return f"{number:0{width}d} - {clean.rstrip(' .')}{ext}"


def limiter_ceiling_db(preset: Preset) -> float:
    """Where the limiter holds the peaks: under the preset's peak limit (sample or true peak; -1
    dB without one) by PEAK_MARGIN_DB."""
    return preset.peak_limit - PEAK_MARGIN_DB


def encoder_gain_db(fmt: str) -> float:
    """The gain made up for the encoder's own level change, just before the limiter (LAME's -0.26 dB)."""
    return formats.get(fmt).encoder_gain_db


def output_rate(manifest: Manifest) -> int:
    """The sample rate tracks are written at: the manifest's, where the format's codec takes it."""
    return formats.get(manifest.output.format).rate_for(manifest.output.sample_rate_hz)


def limiter_preflight(a: Analysis, preset: Preset) -> tuple[float, float]:
    """For a recording mastered as one MP3 track to `preset`: the gain the limiter's make-up
    would add (dB), and how far under the target the track would still end (0: it gets there).
    What `audiobook analyze` tells a narrator of their peaks before any build."""
    target, lufs = preset.level_target
    hops = TrackHops.of([(a, 0.0, a.duration_s, 0.0)], a.channels)
    _, makeup, under = track_gain(hops, target, limiter_ceiling_db(preset) - encoder_gain_db("mp3"), lufs)
    return round(makeup, 2), round(under, 2)


def track_jobs(plan: Plan, analyses: list[Analysis], manifest: Manifest, preset: Preset, paths: list[Path],
               out: Path, notes: list[str], cover: tuple[bytes, str] | None = None) -> list[TrackJob]:
    """Gains, room-tone handling and encoder settings for every track.

    Sessions are first brought to one reading level (their speech RMS, to the median
    session's), then each track is set to the preset's target as a whole: chapters read in
    sessions at different levels come out alike, and a track's dynamics are untouched.
    `cover`: the cover art's bytes and MIME type, for the tags.
    """
    o = manifest.output
    speech = np.array([a.speech_rms_dbfs for a in analyses])
    reference = float(np.median(speech[np.isfinite(speech)])) if np.isfinite(speech).any() else -20.0
    offsets = [reference - s if math.isfinite(s) else 0.0 for s in speech]
    ceiling = limiter_ceiling_db(preset)
    width = max(2, len(str(len(plan.tracks))))
    fmt = formats.get(o.format)
    rate = fmt.rate_for(o.sample_rate_hz)
    if rate != o.sample_rate_hz:
        notes.append(f"{fmt.describe} is written at {rate} Hz: its codec takes no {o.sample_rate_hz} Hz")
    cover, cover_mime = cover or (None, None)
    jobs = []
    extra = encoder_gain_db(o.format)
    ceiling_in = ceiling - extra  # the limiter comes after the encoder's make-up: before it, this is its ceiling
    target, lufs = preset.level_target
    short = []
    for t in plan.tracks:
        hops = TrackHops.of([(analyses[s.file], s.start_s, s.end_s, offsets[s.file]) for s in t.spans], o.channels)
        gain, makeup, under = track_gain(hops, target, ceiling_in, lufs)
        if under > 0.5:
            short.append((t.title, under))
        spans = []
        for s in t.spans:
            a = analyses[s.file]
            g = gain + offsets[s.file]
            span = SpanJob(str(paths[s.file]), s.start_s, s.end_s, g, *_expansion(a, g, preset))
            span.denoise = _noise_reduction(a, g, preset)
            span.declick, span.breaths = _mouth_noise(a, preset)
            if span.denoise is not None:
                span.expand_below_db, span.expand_by_db = _expansion(a, g - span.denoise.reduce_db, preset)
                notes.append(f"{t.title}: at {g:+.1f} dB, the room tone of {Path(paths[s.file]).name} would be "
                             f"{a.noise_floor_dbfs + g:.0f} dBFS; turned down {span.denoise.reduce_db:.1f} dB "
                             "under the words and in the pauses alike (noise reduction from its own room tone)"
                             + (f", and {span.expand_by_db:.1f} dB more in the pauses (expander)"
                                if span.expand_below_db is not None else ""))
            elif span.expand_below_db is not None:
                notes.append(f"{t.title}: at {g:+.1f} dB, the room tone of {Path(paths[s.file]).name} would be "
                             f"{a.noise_floor_dbfs + g:.0f} dBFS; turned down {span.expand_by_db:.1f} dB in the "
                             "pauses (expander)")
            spans.append(span)
        name = safe_name(t.number, t.title, width, fmt.extension)
        job = TrackJob(str(out / name), spans, o.format, rate, o.channels, o.bitrate_kbps,
                       ceiling, seed=t.number, extra_gain_db=extra)
        job.limiter_makeup_db = round(makeup, 2)
        job.preset = preset
        job.level_slope = level_slope(hops, gain, ceiling_in, lufs)  # for a correction, should the level miss
        b = manifest.book
        job.tags = TrackTags(
            title=t.title, album=b.title, artist=b.author, narrator=b.narrator, track=t.number,
            tracks=len(plan.tracks), year=b.year, publisher=b.publisher, language=b.language,
            copyright=b.copyright, description=track_description(t, b), cover=cover, cover_mime=cover_mime,
            chapters=t.chapter_marks())
        job.id3_version = o.id3_version
        if t.room_tone is not None:
            tone = t.room_tone
            g = gain + offsets[tone.file]  # turned down as its session's pauses are
            job.room_tone = SpanJob(str(paths[tone.file]), tone.start_s, tone.end_s, g,
                                    *_expansion(analyses[tone.file], g, preset))
            job.room_tone.denoise = _noise_reduction(analyses[tone.file], g, preset)
            job.room_tone.declick, job.room_tone.breaths = _mouth_noise(analyses[tone.file], preset)
            if job.room_tone.denoise is not None:
                job.room_tone.expand_below_db, job.room_tone.expand_by_db = _expansion(
                    analyses[tone.file], g - job.room_tone.denoise.reduce_db, preset)
            job.pad_head_s, job.pad_tail_s = t.pad_head_s, t.pad_tail_s
        jobs.append(job)
    if short:
        worst = max(short, key=lambda s: s[1])
        notes.append(f"{len(short)} track(s) will come out under {preset.label}'s target (by up to {worst[1]:.1f} dB, "
                     f"{worst[0]}): their peaks stand so far over their level that the limiter holds them down "
                     f"even with {MAKEUP_MAX_DB:g} dB more gain, and the build compresses no further. Tame the "
                     "peaks (plosives, a compressor) before the build, or choose a lower target")
    return jobs


def _noise_reduction(a: Analysis, gain_db: float, preset: Preset) -> NoiseReduction | None:
    """The noise reduction for a session's span at `gain_db`, where the preset asks for it and the
    gain lifts the room tone to within 1 dB of its noise-floor limit: down to NOISE_MARGIN_DB under
    it, by at most NOISE_REDUCTION_MAX_DB (the expander trims what is left, in the pauses). None
    where the room tone stays quiet enough, or the session has no pause to learn it from."""
    limit = preset.noise_floor_max_dbfs
    if not preset.noise_reduction or limit is None or not math.isfinite(a.noise_floor_dbfs) \
            or a.noise_floor_dbfs + gain_db <= limit - 1.0:
        return None
    spans = noise_spans(a.pauses)
    if not spans:
        return None
    return NoiseReduction(spans, reduction_db(a.noise_floor_dbfs + gain_db, limit, NOISE_MARGIN_DB,
                                              NOISE_REDUCTION_MAX_DB))


def _mouth_noise(a: Analysis, preset: Preset) -> tuple[bool, BreathReduction | None]:
    """Whether a session's mouth clicks are repaired, and how its breaths are turned down: as the
    preset asks, the breaths told from its room tone and its voice by their levels (no breaths
    where the session has no measured level for either)."""
    breaths = None
    if preset.breath_reduction_db > 0 and math.isfinite(a.noise_floor_dbfs) and math.isfinite(a.speech_rms_dbfs):
        breaths = BreathReduction(float(preset.breath_reduction_db), round(a.noise_floor_dbfs, 2),
                                  round(a.speech_rms_dbfs, 2))
    return bool(preset.declick), breaths


def _expansion(a: Analysis, gain_db: float, preset: Preset) -> tuple[float | None, float]:
    """The expander for a session's span at `gain_db`: (the level under which room tone is turned
    down, by how much), where the gain lifts its room tone to within 1 dB of the preset's
    noise-floor limit, to NOISE_MARGIN_DB under it; (None, 0) where it stays quiet enough."""
    limit = preset.noise_floor_max_dbfs
    if limit is None or not math.isfinite(a.noise_floor_dbfs) or a.noise_floor_dbfs + gain_db <= limit - 1.0:
        return None, 0.0
    lifted = a.noise_floor_dbfs + gain_db
    return lifted + 6.0, lifted - (limit - NOISE_MARGIN_DB)


def track_description(t: TrackPlan, book) -> str:
    """"Chapter 1: What Has Been Achieved — sections: ...; from The Revolution Betrayed by ..., read by ..."."""
    sections = [m.title for m in t.markers[1:]]
    parts = [t.title]
    if sections:
        parts.append("Sections: " + "; ".join(sections) + ".")
    credit = f"From {book.title}" + (f" by {book.author}" if book.author else "")
    credit += (f", read by {book.narrator}" if book.narrator else "") + "."
    return " ".join([parts[0] + "."] + parts[1:] + [credit])
