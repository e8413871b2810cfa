"""Render one track: read its spans of the recordings, master them, encode — block by block."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from audiobook.analysis.frames import frame_mean_squares
from audiobook.analysis.reader import audio_info
from audiobook.formats import write_tags
from audiobook.parallel import Report
from audiobook.presets import Preset
from audiobook.render.denoise import Denoiser, NoiseReduction, noise_power
from audiobook.render.dsp import HighPass, Limiter
from audiobook.render.encode import Encoder
from audiobook.render.m4b import AacStream
from audiobook.render.resample import Resampler
from audiobook.report import Rendered
from audiobook.tags import TrackTags, ending

BLOCK_S = 4.0
EDGE_FADE_S = 0.010  # at the track's ends and where two spans meet: nothing clicks
EXPANDER_FRAME_S = 0.010
EXPANDER_SMOOTH = 0.15  # per frame: about 70 ms to close or open


@dataclass
class SpanJob:
    path: str
    start_s: float
    end_s: float
    gain_db: float
    expand_below_db: float | None = None  # room tone under this level (after gain) is turned down ...
    expand_by_db: float = 0.0  # ... by this much
    denoise: NoiseReduction | None = None  # the room tone turned down under the words too, before the expander


@dataclass
class TrackJob:
    out_path: str
    spans: list[SpanJob]
    fmt: str
    rate: int
    channels: int
    bitrate_kbps: int
    ceiling_dbfs: float
    seed: int = 0
    extra_gain_db: float = 0.0  # the encoder's own level change, made up for before it
    pad_head_s: float = 0.0  # the narrator's room tone (from `room_tone`) before the first span ...
    pad_tail_s: float = 0.0  # ... and after the last, where the pauses at the cuts were too short
    room_tone: SpanJob | None = None
    tags: TrackTags | None = None  # written before the file takes its name; chapter ends from its length
    id3_version: int = 3
    aac_path: str | None = None  # also encode the track to AAC here, for the M4B
    cut_from: str | None = None  # an MP3 made as the opening of this finished track (the retail sample) ...
    cut_s: float = 0.0  # ... this many seconds of it
    then_cut: TrackJob | None = None  # the retail sample to cut from this track once it is written
    limiter_makeup_db: float = 0.0  # how much of the gain makes up for the limiter (render.makeup)
    noise_trim_db: float = 0.0  # the expander's trim after the noise reduction left the pauses over the limit
    level_slope: float = 1.0  # dB of level a dB of gain gives, as predicted (under 1 where the limiter works)
    stats: dict = field(default_factory=dict)
    preset: Preset | None = None  # what every file written is verified against before it takes its name


class _Expander:
    """Downward expander for room tone: frames quieter than the threshold are turned down smoothly.

    Never a gate: the room tone stays, only lower, so pauses never go to digital silence.
    """

    def __init__(self, rate: int, below_db: float, by_db: float):
        self.frame = max(1, int(rate * EXPANDER_FRAME_S))
        self.below = 10 ** (below_db / 10)  # power
        self.floor_gain = 10 ** (-by_db / 20)
        self.gain: float | None = None  # from the first frame's own: room tone starts turned down already

    def process(self, block: np.ndarray) -> np.ndarray:
        n = len(block) // self.frame * self.frame
        if n == 0:
            return block
        power = frame_mean_squares(block[:n], self.frame) / block.shape[1]
        target = np.where(power < self.below, self.floor_gain, 1.0)
        gains = np.empty(len(target))
        g = float(target[0]) if self.gain is None else self.gain
        for i, t in enumerate(target):
            g += (t - g) * (EXPANDER_SMOOTH if t < g else 0.5)  # close slowly, open fast: words keep their onsets
            gains[i] = g
        self.gain = g
        ramp = np.interp(np.arange(len(block)), np.arange(len(gains)) * self.frame + self.frame / 2, gains)
        return block * ramp.astype(np.float32)[:, None]


def _channels(data: np.ndarray, channels: int) -> np.ndarray:
    if data.shape[1] == channels:
        return data
    return data.mean(axis=1, keepdims=True) if channels == 1 else np.repeat(data[:, :1], channels, 1)


def _source_blocks(info, start_s: float, end_s: float, channels: int):
    """Blocks of the recording from `start_s` to `end_s`, at its own rate, in `channels` channels."""
    start = int(round(start_s * info.sample_rate))
    stop = min(int(round(end_s * info.sample_rate)), info.frames)
    block = int(info.sample_rate * BLOCK_S)
    with info.open() as f:
        f.seek(start)
        pos = start
        while pos < stop:
            data = f.read(min(block, stop - pos), dtype="float32", always_2d=True)
            if not len(data):
                break
            pos += len(data)
            yield _channels(data, channels)


def _denoiser(span: SpanJob, info, channels: int) -> Denoiser | None:
    """The span's noise reduction, its noise spectrum read from the recording's own room tone."""
    if span.denoise is None or span.denoise.reduce_db <= 0 or not span.denoise.noise_spans:
        return None
    tone = [np.concatenate(list(_source_blocks(info, a, b, channels)) or [np.zeros((0, channels), np.float32)])
            for a, b in span.denoise.noise_spans]
    return Denoiser(noise_power(tone), span.denoise.reduce_db, channels)


def _read_span(span: SpanJob, rate: int, channels: int):
    """Blocks of a span at the output rate and channel count: its noise reduced, its gain applied."""
    info = audio_info(span.path)
    resampler = Resampler(info.sample_rate, rate, channels)
    gain = np.float32(10 ** (span.gain_db / 20))
    denoiser = _denoiser(span, info, channels)
    for data in _source_blocks(info, span.start_s, span.end_s, channels):
        if denoiser is not None:
            data = denoiser.process(data)
        data *= gain
        out = resampler.process(data)
        if len(out):
            yield out
    if denoiser is not None:
        out = resampler.process(denoiser.flush() * gain)
        if len(out):
            yield out
    tail = resampler.flush()
    if len(tail):
        yield tail


def _room_tone(span: SpanJob, rate: int, channels: int, seconds: float) -> np.ndarray:
    """`seconds` of room tone: the (short) source span repeated, each repeat crossfaded into the next."""
    source = np.concatenate(list(_read_span(span, rate, channels)))
    n = int(round(seconds * rate))
    fade = min(len(source) // 4, int(0.05 * rate))
    if len(source) < 2 * fade + 1 or fade == 0:
        return np.resize(source, (n, channels))
    step = len(source) - fade
    out = np.zeros((n + len(source), channels), dtype=np.float32)
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)[:, None]
    shaped = source.copy()
    shaped[:fade] *= np.sqrt(ramp)  # equal-power crossfades keep the noise level steady
    shaped[-fade:] *= np.sqrt(1 - ramp)
    for start in range(0, n, step):
        out[start:start + len(source)] += shaped
    return out[:n]


def _fade(n: int, rate: int, rising: bool) -> np.ndarray:
    k = min(n, int(rate * EDGE_FADE_S))
    ramp = np.ones(n, dtype=np.float32)
    curve = np.sin(np.linspace(0, np.pi / 2, k, dtype=np.float32)) ** 2
    if rising:
        ramp[:k] = curve
    else:
        ramp[n - k:] = curve[::-1]
    return ramp


def render_track(job: TrackJob, progress: Report | None = None,
                 inspect: Callable[[Path, float | None], None] | None = None) -> Rendered:
    """Render `job` to its file; returns what was done (frames, samples limited).
    `inspect(tmp_path, aac_peak_dbtp)`: called on the finished, tagged file before it takes its
    name, with its AAC's true peak as decoded (measured while it was encoded, when the job has a
    preset to meet; else None); whatever it raises leaves nothing behind."""
    out_path = Path(job.out_path)
    aac = (AacStream(job.aac_path, job.rate, job.channels, gain_db=-job.extra_gain_db, measure=job.preset is not None)
           if job.aac_path else None)
    try:
        encoder = Encoder(out_path, job.fmt, job.rate, job.channels, job.bitrate_kbps, seed=job.seed, aac=aac)
    except BaseException:
        if aac is not None:
            aac.abort()  # its ffmpeg would wait for samples that never come
        raise
    try:  # from here on, a stop anywhere removes the files begun
        highpass = HighPass(job.rate, job.channels)
        limiter = Limiter(job.rate, job.channels, 10 ** (job.ceiling_dbfs / 20))
        extra = np.float32(10 ** (job.extra_gain_db / 20))

        def pad(seconds: float) -> None:
            if seconds > 0 and job.room_tone is not None:
                tone, span = _room_tone(job.room_tone, job.rate, job.channels, seconds), job.room_tone
                # turned down as the pauses of its session are: the room tone of a pad is theirs
                expander = (_Expander(job.rate, span.expand_below_db, span.expand_by_db)
                            if span.expand_below_db is not None else None)
                _emit(tone, True, True, job, highpass, expander, limiter, encoder, extra, progress)

        pad(job.pad_head_s)
        for span in job.spans:
            expander = (_Expander(job.rate, span.expand_below_db, span.expand_by_db)
                        if span.expand_below_db is not None else None)
            pending, first = None, True
            for block in _read_span(span, job.rate, job.channels):
                if pending is not None:
                    _emit(pending, first, False, job, highpass, expander, limiter, encoder, extra, progress)
                    first = False
                pending = block
            if pending is not None:  # each span fades in and out: where spans meet, nothing clicks
                _emit(pending, first, True, job, highpass, expander, limiter, encoder, extra, progress)
        pad(job.pad_tail_s)
        encoder.write(limiter.flush())
        duration = encoder.frames / job.rate

        def finish(tmp: Path) -> None:
            if job.tags:
                _tag(tmp, job, duration)
            if inspect is not None:
                inspect(tmp, aac.peak_dbtp if aac is not None else None)

        path = encoder.close(before_rename=finish)
    except BaseException:
        encoder.abort()
        raise
    return Rendered(str(path), encoder.frames, limiter.limited_samples, encoder.frames / job.rate,
                    ceiling_dbfs=job.ceiling_dbfs)


def _tag(tmp: Path, job: TrackJob, duration_s: float) -> None:
    """Tags on the finished temporary file; each marker ends where the next begins, the last at the end."""
    tags = job.tags
    tags.chapters = ending(tags.chapters, duration_s)
    write_tags(tmp, tags, job.id3_version, kind=job.fmt)


def _emit(block, first, last, job, highpass, expander, limiter, encoder, extra, progress) -> None:
    y = highpass.process(block)
    if expander is not None:
        y = expander.process(y)
    if first:
        y *= _fade(len(y), job.rate, rising=True)[:, None]
    if last:
        y *= _fade(len(y), job.rate, rising=False)[:, None]
    y *= extra
    encoder.write(limiter.process(y))
    if progress is not None:
        progress(len(block) / job.rate)
