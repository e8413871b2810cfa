"""Mastering, block by block: rumble and DC filter, gain, room-tone expander, look-ahead limiter, dither."""

from __future__ import annotations

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
    already down when the peak arrives. Output lags input by the look-ahead; `flush()`
    returns the rest.

    The gain curve is worked out on 32-sample steps (their largest peak); blocks with no
    peak over the ceiling in reach pass untouched.
    """

    def __init__(self, rate: int, channels: int, ceiling: float):
        self.ceiling = ceiling
        self._ceiling = np.float32(ceiling) * np.float32(1 - 2 ** -20)  # float32 rounding stays under it
        self.look = 2 * max(1, int(rate * LOOKAHEAD_S) // 2)  # even: the filters' windows line up exactly
        self.hold = 2 * max(1, int(rate * RELEASE_S) // 2)
        self._audio = np.zeros((2 * self.look + self.hold, channels), dtype=np.float32)
        self.limited_samples = 0
        self._ramp = (np.arange(GAIN_STEP)[None, :] / GAIN_STEP).astype(np.float32)

    def process(self, block: np.ndarray) -> np.ndarray:
        audio = np.concatenate([self._audio, block.astype(np.float32, copy=False)])
        keep, total, n = len(self._audio), len(audio), len(block)
        self._audio = audio[total - keep:]
        first = total - self.look - n  # the samples that leave now: first .. first + n
        result = audio[first:first + n]
        magnitude = np.abs(audio) if audio.shape[1] > 1 else np.abs(audio[:, 0])
        if magnitude.max() <= self.ceiling:
            return result
        if magnitude.ndim > 1:
            magnitude = magnitude.max(axis=1)
        peaks = np.pad(magnitude, (0, (-total) % GAIN_STEP)).reshape(-1, GAIN_STEP).max(axis=1)
        gain = self._gain(self._ceiling / np.maximum(peaks, self._ceiling))[first:first + n]
        # and never above what the sample itself needs
        part = magnitude[first:first + n]
        np.maximum(part, self._ceiling, out=part)
        np.minimum(gain, np.divide(self._ceiling, part, out=part), out=gain)
        self.limited_samples += int(np.count_nonzero(gain < 0.9999))
        return result * gain[:, None]

    def _gain(self, coarse: np.ndarray) -> np.ndarray:
        """The smoothed per-sample gain from the steps' needs: each step's value ramps linearly to
        the next one's (the grid is regular, so this is np.interp without its search)."""
        from scipy.ndimage import minimum_filter1d, uniform_filter1d  # loaded once, on the first peak

        look, hold = max(1, self.look // GAIN_STEP), max(1, self.hold // GAIN_STEP)
        look += look % 2
        hold += hold % 2
        ahead = minimum_filter1d(coarse, look + 1, origin=-(look // 2), mode="nearest")  # i..i+look
        held = minimum_filter1d(ahead, hold + 1, origin=hold // 2, mode="nearest")  # i-hold..i
        smooth = uniform_filter1d(held, look + 1, origin=look // 2, mode="nearest")  # mean of i-look..i
        values = np.minimum(smooth, np.append(smooth[1:], 1.0)).astype(np.float32)
        following = np.append(values[1:], values[-1])
        return (values[:, None] + (following - values)[:, None] * self._ramp).ravel()

    def flush(self) -> np.ndarray:
        return self.process(np.zeros((self.look, self._audio.shape[1]), dtype=np.float32))


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
