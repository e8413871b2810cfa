"""Broadband noise reduction from the narrator's own room tone, streamed block by block.

A short-time Fourier transform (1024-sample frames, half overlapping, square-root Hann
window on both sides: the windows' product sums to exactly 1, so a gain of 1 gives the
input back) and, in each cell, a gain from how far the cell stands over the session's noise
spectrum N(k) (the mean power of its quietest pauses):

    d(k, t) = 10 log10(P_s(k, t) / N(k))                   (dB over the room tone)
    G(k, t) = -R * clip((OPEN_DB - d) / (OPEN_DB - CLOSED_DB), 0, 1)   (dB)

where P_s is the cell's power averaged over its neighbours (3 frames by 5 bins: an estimate
that does not flicker, so no "musical noise") and R the reduction asked for: room tone is
turned down by R wherever it is heard alone — under the words as between them, never gated
to silence — and the voice's cells are left alone, with a soft slope between (a soft
spectral gate, as Audacity's noise reduction has it; spectral subtraction after Boll (1979)
with Berouti et al.'s floor reached 19 of 27.6 dB asked on real room tone: the few cells
its random peaks open let through more than the rest keep out; this reaches 25.7).

The frames lie on a grid fixed to the stream, and a frame's gain reads its neighbours
only, so the result does not depend on how the stream is cut into blocks: block by block
it is the same, to the sample, as the whole file at once (tests/render/test_denoise.py).
The samples come out as they went in, in time: the first `process` calls return fewer
samples than they are given, `flush()` the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

FRAME = 1024  # samples: 21 ms at 48 kHz, 23 ms at 44.1 kHz, 46 ms at 22.05 kHz
HOP = FRAME // 2
CLOSED_DB = 3.0  # a cell this far over the room tone's mean, or less, is room tone: turned down fully ...
OPEN_DB = 12.0  # ... this far over, the voice: left alone; between, turned down part of the way (in dB)
SMOOTH_BINS = 5  # of the power estimate, across frequency ...
SMOOTH_FRAMES = 3  # ... and time (the frame before, itself, the one after)
PROFILE_MAX_S = 8.0  # of the quietest pauses: enough frames for a steady spectrum
PROFILE_EDGE_S = 0.08  # left off each end of a pause: the last and first sounds of words
PROFILE_MIN_PAUSE_S = 0.3


@dataclass(frozen=True)
class NoiseReduction:
    """A span's noise reduction: where in its recording the room tone is heard alone (seconds),
    and how far it is turned down (dB)."""

    noise_spans: tuple[tuple[float, float], ...]
    reduce_db: float


def noise_spans(pauses, max_s: float = PROFILE_MAX_S) -> tuple[tuple[float, float], ...]:
    """The middles of a recording's quietest pauses (analysis `Pause`s), up to `max_s` seconds in
    all, in time order: where its room tone is heard alone."""
    chosen, total = [], 0.0
    for p in sorted((p for p in pauses if p.end_s - p.start_s >= PROFILE_MIN_PAUSE_S),
                    key=lambda p: p.level_dbfs):
        a, b = p.start_s + PROFILE_EDGE_S, min(p.end_s - PROFILE_EDGE_S, p.start_s + PROFILE_EDGE_S + max_s - total)
        if b - a <= 0:
            continue
        chosen.append((round(a, 3), round(b, 3)))
        total += b - a
        if total >= max_s - 1e-9:
            break
    return tuple(sorted(chosen))


def _window() -> np.ndarray:
    # periodic Hann: at half overlap its copies sum to exactly 1; its root on each side
    return np.sqrt(0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FRAME) / FRAME)).astype(np.float32)


def noise_power(samples: list[np.ndarray]) -> np.ndarray:
    """The mean power spectrum (FRAME // 2 + 1 bins) of room tone, from stretches of it
    (frames x channels arrays, the channels averaged), framed as the denoiser frames."""
    from scipy import fft

    window = _window()
    total, count = np.zeros(FRAME // 2 + 1), 0
    for x in samples:
        mono = np.asarray(x, dtype=np.float32).mean(axis=1) if x.ndim == 2 else np.asarray(x, dtype=np.float32)
        if len(mono) < FRAME:
            continue
        frames = np.lib.stride_tricks.sliding_window_view(mono, FRAME)[::HOP]
        spectra = fft.rfft(frames * window, axis=1, workers=1)
        total += (np.abs(spectra) ** 2).sum(axis=0)
        count += len(frames)
    return total / count if count else total


class Denoiser:
    """Streaming spectral noise reduction of `channels`-channel float blocks against a fixed
    noise power spectrum (from `noise_power`), turning the room tone down by `reduce_db`."""

    def __init__(self, noise: np.ndarray, reduce_db: float, channels: int):
        self.noise = np.maximum(np.asarray(noise, dtype=np.float64), 1e-30).astype(np.float32)
        self.log_floor = np.float32(-reduce_db / 20 * math.log(10))  # ln of the deepest gain
        self.channels = channels
        self.window = _window()
        pad = FRAME - HOP  # the stream is read as if this much silence came first: every sample is in two frames
        self._in = np.zeros((pad, channels), dtype=np.float32)  # from the first frame not yet done
        self._out = np.zeros((channels, FRAME), dtype=np.float32)  # overlap-add, from the first sample not out
        self._prev: np.ndarray | None = None  # the power of the frame before the first not yet done
        self._unprimed = pad  # the leading silence: never leaves
        self._taken = 0  # samples given
        self._given = 0  # samples returned
        self.delay = FRAME + HOP  # samples held back at most, past the leading silence

    def process(self, block: np.ndarray) -> np.ndarray:
        from scipy import fft  # here, not at import; 7x numpy's rfft on float32 frames

        block = np.asarray(block, dtype=np.float32)
        if block.ndim == 1:
            block = block[:, None]
        self._taken += len(block)
        self._in = np.concatenate([self._in, block])
        n = (len(self._in) - FRAME) // HOP + 1  # whole frames in hand; the last only lends its power
        if n < 2:
            return np.zeros((0, self.channels), dtype=np.float32)
        # channels x frames x FRAME, frame i from sample i * HOP of `_in`
        frames = np.lib.stride_tricks.sliding_window_view(self._in[:(n - 1) * HOP + FRAME].T, FRAME, axis=1)[:, ::HOP]
        spectra = fft.rfft(frames * self.window, axis=-1, workers=1)
        power = spectra.real ** 2 + spectra.imag ** 2
        done = n - 1  # frames whose gains are known now: each needs the one after it
        gains = self._gains(power)
        out = fft.irfft(spectra[:, :done] * gains, n=FRAME, axis=-1, workers=1)
        out *= self.window
        # overlap-add: frame i starts at i * HOP of `acc`, which starts where `_out` does
        acc = np.zeros((self.channels, (done + 1) * HOP), dtype=np.float32)
        acc[:, :FRAME] += self._out
        acc[:, :HOP * done].reshape(self.channels, done, HOP)[:] += out[:, :, :HOP]
        acc[:, HOP:].reshape(self.channels, done, HOP)[:] += out[:, :, HOP:]
        self._out = np.zeros((self.channels, FRAME), dtype=np.float32)
        self._out[:, :HOP] = acc[:, HOP * done:]
        self._prev = power[:, done - 1]
        self._in = self._in[done * HOP:]
        ready = acc[:, :HOP * done].T
        skip = min(self._unprimed, len(ready))
        self._unprimed -= skip
        ready = ready[skip:][:max(0, self._taken - self._given)]
        self._given += len(ready)
        return np.ascontiguousarray(ready)

    def _gains(self, power: np.ndarray) -> np.ndarray:
        """Each done frame's gains (channels x frames x bins) from the power of it and its
        neighbours (the frame before the first: kept from the last call; silence at the start)."""
        from scipy.ndimage import uniform_filter1d  # loaded once, by the first block

        before = self._prev if self._prev is not None else np.zeros_like(power[:, 0])
        stacked = np.concatenate([before[:, None], power], axis=1)
        smooth = uniform_filter1d(stacked, SMOOTH_BINS, axis=-1, mode="nearest")
        # mean of the frame before, itself and the one after (P_s in the module's docstring)
        smooth = (smooth[:, :-2] + smooth[:, 1:-1] + smooth[:, 2:]) / np.float32(SMOOTH_FRAMES)
        # the depth, in dB, falls linearly with the cell's dB over the room tone (eq. in the docstring)
        with np.errstate(divide="ignore"):
            over_db = np.log10(smooth / self.noise)
        over_db *= np.float32(10)
        depth = np.clip((np.float32(OPEN_DB) - over_db) / np.float32(OPEN_DB - CLOSED_DB), 0.0, 1.0)
        depth *= self.log_floor
        return np.exp(depth, out=depth)

    def flush(self) -> np.ndarray:
        """The samples still held back: as many as were given, in all."""
        tail = self.process(np.zeros((FRAME + 2 * HOP, self.channels), dtype=np.float32))
        self._taken -= FRAME + 2 * HOP
        over = self._given - self._taken
        if over > 0:
            tail = tail[:len(tail) - over]
            self._given -= over
        return tail


def reduction_db(floor_dbfs: float, limit_dbfs: float, margin_db: float, max_db: float) -> float:
    """How far to turn a room tone at `floor_dbfs` (after the gain) down to land `margin_db` under
    the preset's limit: 0 where it is there already, at most `max_db`."""
    if not math.isfinite(floor_dbfs):
        return 0.0
    return round(min(max(floor_dbfs - (limit_dbfs - margin_db), 0.0), max_db), 2)
