"""Mastering, block by block: rumble and DC filter, gain, room-tone expander, look-ahead limiter, dither."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import butter, sosfilt

HIGHPASS_HZ = 80.0  # below the voice: rumble, handling noise, DC
LOOKAHEAD_S = 0.010  # attack and release ramps are as long: no clicks, no pumping
RELEASE_S = 0.08
GAIN_STEP = 32  # samples per step of the limiter's gain computation


class HighPass:
    """Second-order Butterworth high-pass at 80 Hz (removes DC too), state kept across blocks."""

    def __init__(self, rate: int, channels: int, cutoff_hz: float = HIGHPASS_HZ):
        self.sos = butter(2, cutoff_hz, btype="highpass", fs=rate, output="sos")
        self.zi = np.zeros((self.sos.shape[0], 2, channels))

    def process(self, block: np.ndarray) -> np.ndarray:
        y, self.zi = sosfilt(self.sos, block, axis=0, zi=self.zi)
        return y


class Limiter:
    """Look-ahead peak limiter: no sample leaves above `ceiling` (linear), and the gain never jumps.

    Each sample's gain is the smallest that any sample in the next 10 ms needs, held for 80 ms
    and then smoothed by a moving average as long as the look-ahead: every window that the
    average takes in covers the sample itself, so the gain is always low enough, and is
    already down when the peak arrives. Output lags input by the look-ahead; `flush()`
    returns the rest.
    """

    def __init__(self, rate: int, channels: int, ceiling: float):
        self.ceiling = ceiling
        self.look = 2 * max(1, int(rate * LOOKAHEAD_S) // 2)  # even: the filters' windows line up exactly
        self.hold = 2 * max(1, int(rate * RELEASE_S) // 2)
        keep = 2 * self.look + self.hold
        self._audio = np.zeros((keep, channels))
        self._need = np.ones(keep)
        self.limited_samples = 0
        self._ramp = np.arange(GAIN_STEP)[None, :] / GAIN_STEP

    def process(self, block: np.ndarray) -> np.ndarray:
        peak = np.abs(block[:, 0]) if block.shape[1] == 1 else np.abs(block).max(axis=1)
        need = np.minimum(1.0, self.ceiling / np.maximum(peak, 1e-12))
        audio = np.concatenate([self._audio, block])
        needs = np.concatenate([self._need, need])
        total, n = len(audio), len(block)
        out = slice(total - self.look - n, total - self.look)
        if needs.min() >= 1.0:
            result = audio[out]
        else:
            g = np.minimum(self._gain(needs)[out], needs[out])
            result = audio[out] * g[:, None]
            self.limited_samples += int(np.count_nonzero(g < 0.9999))
        keep = len(self._need)
        self._audio, self._need = audio[total - keep:], needs[total - keep:]
        return result

    def _gain(self, needs: np.ndarray) -> np.ndarray:
        """The smoothed gain curve, computed on 32-sample steps (their minimum need) for speed;
        the caller's final `min(gain, need)` keeps every sample under the ceiling exactly."""
        step = GAIN_STEP
        n = len(needs)
        coarse = np.pad(needs, (0, (-n) % step), constant_values=1.0).reshape(-1, step).min(axis=1)
        look, hold = max(1, self.look // step), max(1, self.hold // step)
        look += look % 2
        hold += hold % 2
        ahead = minimum_filter1d(coarse, look + 1, origin=-(look // 2), mode="nearest")  # i..i+look
        held = minimum_filter1d(ahead, hold + 1, origin=hold // 2, mode="nearest")  # i-hold..i
        smooth = uniform_filter1d(held, look + 1, origin=look // 2, mode="nearest")  # mean of i-look..i
        # back to samples: a linear ramp from each coarse value to the next (the grid is regular, so
        # this is np.interp without its search), the last one held
        values = np.minimum(smooth, np.append(smooth[1:], 1.0))
        ahead = np.append(values[1:], values[-1])
        return (values[:, None] + (ahead - values)[:, None] * self._ramp).ravel()[:n]

    def flush(self) -> np.ndarray:
        return self.process(np.zeros((self.look, self._audio.shape[1])))


def tpdf_dither(block: np.ndarray, rng: np.random.Generator, bits: int = 16) -> np.ndarray:
    """Quantise to `bits` with triangular dither: int16 samples, no truncation distortion."""
    top = 2.0 ** (bits - 1)
    scaled = block * top
    scaled += rng.random(block.shape, dtype=np.float32)  # two uniform draws: triangular noise, ±1 LSB
    scaled -= rng.random(block.shape, dtype=np.float32)
    np.rint(scaled, out=scaled)
    np.clip(scaled, -top, top - 1, out=scaled)
    return scaled.astype(np.int16)
