"""Breaths found and turned down (never cut), streamed: a run of noise-like frames, louder than
the room and quieter than the voice, just before the voice comes in.

In 20 ms steps, each 40 ms frame of the channels' mean is described by its level, its
periodicity (the largest normalised autocorrelation at a pitch's lag, 2–14 ms, corrected for
the window as Boersma (1993) does: a voice's vowels read 0.5–1, noise under 0.3) and its
spectral flatness (geometric over arithmetic mean of its power, 100 Hz – 4 kHz: white noise
reads about 0.5, a vowel's harmonics under 0.05). A breath is a run of frames

- not periodic (under VOICED),
- noise-like (flatness over FLAT_MIN, on average over the run),
- louder than the session's room tone by FLOOR_OVER_DB and quieter than its speech (RMS)
  less BELOW_SPEECH_DB,

(gaps of a frame joined) lasting MIN_S to MAX_S, with no voiced frame in the 100 ms
before it (a word's closing fricative is not a breath) and the voice coming in within
ONSET_S after it (a voiced frame at most ONSET_BELOW_DB under the speech level).

It is turned down by the preset's amount — never further than 3 dB over the room tone, so the
room does not dip — with 30 ms raised-cosine ramps inside the run: the voice on either side is
untouched, to the sample.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from audiobook.render.chunks import ChunkedEdit

HOP_S = 0.020
FRAME_HOPS = 2  # 40 ms frames: two periods of a 50 Hz voice
VOICED = 0.45  # periodicity over this: the voice (Boersma's voicing threshold)
FLAT_MIN = 0.15
FLOOR_OVER_DB = 6.0
BELOW_SPEECH_DB = 4.0
MIN_S, MAX_S = 0.15, 0.8
GAP_HOPS = 1
BEFORE_S = 0.10
ONSET_S = 0.25
ONSET_BELOW_DB = 20.0
ABOVE_ROOM_DB = 3.0  # turned down no further than this over the room tone
RAMP_S = 0.030
CHUNK_S = 4.0  # long: each is read with MAX_S + ONSET_S + BEFORE_S either side
FEATURE_RATE = 8000  # the frames are described at about this rate (a voice's and a breath's bands under 4 kHz)


@dataclass(frozen=True)
class BreathReduction:
    """A span's breaths: turned down by `reduce_db`, told from the room and the voice by the
    session's room tone and speech levels (dBFS, as recorded: before any gain)."""

    reduce_db: float
    floor_dbfs: float
    speech_dbfs: float


def hop_samples(rate: int) -> tuple[int, int]:
    """The step between frames (samples, about HOP_S) and the factor the frames are averaged down by."""
    factor = max(1, rate // FEATURE_RATE)
    return factor * int(round(rate / factor * HOP_S)), factor


def frame_features(x: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Level (dBFS), periodicity and spectral flatness of mono `x`'s frames, frame i starting at
    sample i * hop (as many as fit), described at about FEATURE_RATE (runs of 2-6 samples averaged:
    what aliases is noise to both tests)."""
    from scipy import fft

    hop, factor = hop_samples(rate)
    x = x[:len(x) // factor * factor].reshape(-1, factor).mean(axis=1)
    rate, hop = rate / factor, hop // factor
    n = FRAME_HOPS * hop
    count = (len(x) - n) // hop + 1
    if count <= 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    frames = np.lib.stride_tricks.sliding_window_view(x.astype(np.float32), n)[::hop][:count]
    level = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-20)
    window = np.hanning(n).astype(np.float32)
    size = fft.next_fast_len(2 * n)
    spectra = fft.rfft(frames * window, n=size, axis=1, workers=1)
    power = spectra.real ** 2 + spectra.imag ** 2
    # periodicity: autocorrelation over the window's own (Boersma 1993, eq. 9)
    lags = slice(int(rate / 500), min(int(rate / 70), n // 2))
    r = fft.irfft(power, n=size, axis=1, workers=1)[:, :lags.stop]
    rw = fft.irfft(np.abs(fft.rfft(window, n=size)) ** 2, n=size)[:lags.stop]
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = (r[:, lags] / rw[lags]) / (r[:, :1] / rw[0])
    periodic = np.nan_to_num(norm.max(axis=1), nan=0.0)
    freqs = np.arange(power.shape[1]) * rate / size
    band = power[:, (freqs >= 100) & (freqs <= min(4000, rate / 2))] + 1e-20
    flat = np.exp(np.mean(np.log(band), axis=1)) / np.mean(band, axis=1)
    return level, periodic, flat


def find_breaths(x: np.ndarray, rate: int, floor_dbfs: float, speech_dbfs: float) -> list[tuple[int, int, float]]:
    """The breaths of mono `x`: (start, end) samples and their level (dBFS), by the tests in the
    module's docstring. A frame's 20 ms are its middle ones (frames start on x's own grid)."""
    hop = hop_samples(rate)[0]
    level, periodic, flat = frame_features(x, rate)
    if not len(level):
        return []
    voiced = periodic >= VOICED
    quiet = (level > floor_dbfs + FLOOR_OVER_DB) & (level < speech_dbfs - BELOW_SPEECH_DB) & ~voiced
    onset = voiced & (level > speech_dbfs - ONSET_BELOW_DB)
    # runs of breath-like frames, gaps of GAP_HOPS joined
    idx = np.flatnonzero(quiet)
    if not len(idx):
        return []
    breaks = np.flatnonzero(np.diff(idx) > GAP_HOPS + 1) + 1
    starts, ends = idx[np.r_[0, breaks]], idx[np.r_[breaks - 1, len(idx) - 1]] + 1
    before, after = int(round(BEFORE_S / HOP_S)), int(round(ONSET_S / HOP_S))
    shift = (FRAME_HOPS - 1) * hop // 2  # frame i's middle hop starts here, from i * hop
    out = []
    for s, e in zip(starts, ends):
        if not MIN_S <= (e - s) * HOP_S <= MAX_S or s < before or e + after > len(level):
            continue
        if voiced[s - before:s].any() or not onset[e:e + after].any():
            continue
        if flat[s:e].mean() < FLAT_MIN:
            continue
        power = np.mean(10 ** (level[s:e] / 10))
        out.append((int(s) * hop + shift, int(e) * hop + shift, 10 * math.log10(power)))
    return out


class BreathLowerer(ChunkedEdit):
    """Streaming breath reduction of `channels`-channel float blocks at `rate` Hz."""

    def __init__(self, rate: int, channels: int, settings: BreathReduction):
        self.rate, self.settings = rate, settings
        hop = hop_samples(rate)[0]
        # a chunk's breaths start in it; one may end MAX_S + ONSET_S after, and needs BEFORE_S before
        super().__init__(channels, round(CHUNK_S / HOP_S) * hop, round((MAX_S + ONSET_S + 0.1) / HOP_S) * hop)
        self.spans: list[tuple[int, int, float]] = []  # the stream's samples of each breath, and its dB down
        self._gains: list[tuple[int, np.ndarray]] = []  # decided, not yet out: first sample, gains

    def _edit(self, x: np.ndarray, lo: int, hi: int) -> None:
        st = self.settings
        ramp_n = int(round(self.rate * RAMP_S))
        for a, b, level in find_breaths(x.mean(axis=1), self.rate, st.floor_dbfs, st.speech_dbfs):
            if not lo <= a < hi:
                continue
            db = min(st.reduce_db, max(0.0, level - (st.floor_dbfs + ABOVE_ROOM_DB)))
            if db <= 0:
                continue
            depth = 1 - 10 ** (-db / 20)
            k = min(ramp_n, (b - a) // 2)
            env = np.full(b - a, depth, dtype=np.float32)
            curve = (0.5 - 0.5 * np.cos(np.pi * np.arange(k) / k)).astype(np.float32) if k else np.zeros(0, np.float32)
            env[:k] *= curve
            env[len(env) - k:] *= curve[::-1]
            self._gains.append((self._origin + a, 1 - env))
            self.spans.append((self._origin + a, self._origin + b, round(db, 2)))

    def _apply(self, out: np.ndarray, at: int) -> None:
        kept = []
        for start, gain in self._gains:  # breaths do not overlap; one may reach into the next block
            a, b = max(start, at), min(start + len(gain), at + len(out))
            if a < b:
                out[a - at:b - at] *= gain[a - start:b - start, None]
            if start + len(gain) > at + len(out):
                kept.append((start, gain))
        self._gains = kept
