"""Mastering, block by block: rumble and DC filter, gain, room-tone expander, look-ahead limiter, dither."""

from __future__ import annotations

import math

import numpy as np

HIGHPASS_HZ = 80.0  # below the voice: rumble, handling noise, DC
LOOKAHEAD_S = 0.010  # attack and release ramps are as long: no clicks, no pumping
RELEASE_S = 0.08
GAIN_STEP = 32  # samples per step of the limiter's gain computation


class HighPass:
    """Second-order Butterworth high-pass at 80 Hz (removes DC too), state kept across blocks."""

    def __init__(self, rate: int, channels: int, cutoff_hz: float = HIGHPASS_HZ):
        from scipy.signal import butter, sosfilt  # here, not at import: scipy.signal takes a second to load

        self._sosfilt = sosfilt
        # computed in float64: in float32 a filter this low rounds to within 80 dB of the signal
        self.sos = butter(2, cutoff_hz, btype="highpass", fs=rate, output="sos")
        self.zi = np.zeros((self.sos.shape[0], 2, channels))

    def process(self, block: np.ndarray) -> np.ndarray:
        y, self.zi = self._sosfilt(self.sos, block, axis=0, zi=self.zi)
        return y.astype(np.float32)


class Limiter:
    """Look-ahead peak limiter: no sample leaves above `ceiling` (linear), and the gain never jumps.

    Each sample's gain is the smallest that any sample in the next 10 ms needs, held for 80 ms
    and then smoothed by a moving average as long as the look-ahead: every window that the
    average takes in covers the sample itself, so the gain is always low enough, and is
    already down when the peak arrives.

    The gain curve is worked out on 32-sample steps (their largest peak) from the samples over
    the ceiling alone, and applied only where it is below 1; blocks with no peak over the
    ceiling in reach pass untouched. The steps lie on a fixed grid of the stream, and a sample
    leaves only once every step its gain depends on is complete, so the gain is the same
    whatever the blocks' lengths: no jump where two blocks meet.

    The samples come out as they went in, in time: the first `process` calls return fewer
    samples than they are given (they are held back for the look-ahead) and `flush()` returns
    the rest.
    """

    def __init__(self, rate: int, channels: int, ceiling: float):
        self.ceiling = ceiling
        self._ceiling = np.float32(ceiling) * np.float32(1 - 2 ** -20)  # float32 rounding stays under it
        # in steps, even: the filters' windows line up exactly
        self._look = 2 * max(1, math.ceil(rate * LOOKAHEAD_S / GAIN_STEP / 2))
        self._hold = 2 * max(1, math.ceil(rate * RELEASE_S / GAIN_STEP / 2))
        # held back: a sample's gain reads the steps up to look + 2 after its own, all complete
        self.delay = (self._look + 4) * GAIN_STEP
        # kept before the samples leaving: their gains read the steps back to look + hold before theirs
        self._history = (self._look + self._hold + 2) * GAIN_STEP
        self._audio = np.zeros((self._history + self.delay, channels), dtype=np.float32)  # from silence
        self._unprimed = self.delay  # the silence in front of the stream: never leaves
        self.limited_samples = 0
        self._ramp = (np.arange(GAIN_STEP)[None, :] / GAIN_STEP).astype(np.float32)

    def process(self, block: np.ndarray) -> np.ndarray:
        audio = np.concatenate([self._audio, block.astype(np.float32, copy=False)])
        n = len(block)
        first = len(self._audio) - self.delay  # the samples that leave now: first .. first + n
        start = (first + n - self._history) // GAIN_STEP * GAIN_STEP  # on the grid: audio[0] always is
        self._audio = audio[start:].copy()  # a copy: the samples leaving now are scaled in place
        result = self._limit(audio, first, n)
        skip = min(self._unprimed, len(result))
        self._unprimed -= skip
        return result[skip:]

    def _limit(self, audio: np.ndarray, first: int, n: int) -> np.ndarray:
        result = audio[first:first + n]
        if max(float(audio.max()), -float(audio.min())) <= self.ceiling:
            return result
        # the samples over the ceiling, and the largest of each step's
        flat = np.flatnonzero(np.abs(audio.ravel()) > self._ceiling)
        rows, magnitude = flat // audio.shape[1], np.abs(audio.ravel()[flat])
        peaks = np.zeros(-(-len(audio) // GAIN_STEP), dtype=np.float32)
        np.maximum.at(peaks, rows // GAIN_STEP, magnitude)
        values = self._gain(self._ceiling / np.maximum(peaks, self._ceiling))
        following = np.append(values[1:], values[-1])
        # the gain ramps from each step's value to the next one's; where both are 1 it is 1
        steps = first // GAIN_STEP + np.flatnonzero(np.minimum(values, following)[first // GAIN_STEP:
                                                                                  (first + n - 1) // GAIN_STEP + 1] < 1)
        if not len(steps):
            return result
        lo, hi = steps[0], steps[-1] + 1
        ramp = (values[lo:hi, None] + (following[lo:hi] - values[lo:hi])[:, None] * self._ramp).ravel()
        a, b = max(first, lo * GAIN_STEP), min(first + n, hi * GAIN_STEP)  # the span, in `audio`'s samples
        gain = ramp[a - lo * GAIN_STEP: b - lo * GAIN_STEP]
        # and never above what a sample itself needs
        inside = (rows >= a) & (rows < b)
        need = np.ones(b - a, dtype=np.float32)
        np.minimum.at(need, rows[inside] - a, self._ceiling / magnitude[inside])
        np.minimum(gain, need, out=gain)
        self.limited_samples += int(np.count_nonzero(gain < 0.9999))
        result[a - first: b - first] *= gain[:, None]
        return result

    def _gain(self, coarse: np.ndarray) -> np.ndarray:
        """Each step's gain from the steps' needs: the smallest need in the next 10 ms, held for
        80 ms, smoothed; the per-sample gain ramps linearly from each step's value to the next's."""
        from scipy.ndimage import minimum_filter1d, uniform_filter1d  # loaded once, on the first peak

        look, hold = self._look, self._hold
        ahead = minimum_filter1d(coarse, look + 1, origin=-(look // 2), mode="nearest")  # i..i+look
        held = minimum_filter1d(ahead, hold + 1, origin=hold // 2, mode="nearest")  # i-hold..i
        smooth = uniform_filter1d(held, look + 1, origin=look // 2, mode="nearest")  # mean of i-look..i
        return np.minimum(smooth, np.append(smooth[1:], 1.0)).astype(np.float32)

    def flush(self) -> np.ndarray:
        """The samples still held back."""
        return self.process(np.zeros((self.delay, self._audio.shape[1]), dtype=np.float32))


DITHER_TABLE = 1 << 18  # samples of noise drawn once: 6 s at 44.1 kHz, 1 MB


class Dither:
    """Quantise float blocks in [-1, 1] to int16 with triangular (TPDF) dither, ±1 LSB: no
    truncation distortion, the quantisation error is noise independent of the signal.

    The noise is drawn once and read from a random place for every stretch of samples, which
    is 4x cheaper than drawing it afresh and, at 16 bits, indistinguishable from it.
    """

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        # two uniform draws make triangular noise; the offset turns the quantiser into floor()
        # on positive numbers (see quantise), the fastest rounding numpy has
        self.table = rng.random(DITHER_TABLE, dtype=np.float32)
        self.table -= rng.random(DITHER_TABLE, dtype=np.float32)
        self.table += np.float32(32768.5)

    def quantise(self, block: np.ndarray) -> np.ndarray:
        n, channels = block.shape
        flat = np.multiply(block.reshape(-1), np.float32(32768.0), dtype=np.float32)
        step = DITHER_TABLE // 2
        for i in range(0, len(flat), step):
            part = flat[i:i + step]
            start = int(self.rng.integers(0, DITHER_TABLE - len(part) + 1))
            part += self.table[start:start + len(part)]
        np.clip(flat, 0.0, 65535.0, out=flat)  # 16 bits' range, offset by 32768
        return (flat.astype(np.uint16).view(np.int16) ^ np.int16(-32768)).reshape(n, channels)
