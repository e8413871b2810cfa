"""Sample peak, true peak (BS.1770-4 Annex 2), DC offset, clipping, and unweighted energy."""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from audiobook.analysis.frames import FrameEnergy

CLIP_LEVEL = 1.0 - 2.0 ** -15  # at or above: a full-scale sample (16-bit's largest code and beyond)
TAPS_PER_PHASE = 24  # with a Kaiser window (beta 8): flat to 20 kHz at 48 kHz, images below -70 dB
CHUNK = 256  # samples per chunk for the true-peak shortcut
PRODUCT_ROWS = 1 << 15  # interpolated at once: 32768 x 24 taps of float32, 3 MB


def oversampling_factor(sample_rate: int) -> int:
    """BS.1770-4 Annex 2: oversample to at least 176.4 kHz (4x at 44.1 and 48 kHz)."""
    return max(1, min(8, math.ceil(176400 / sample_rate)))


def interpolation_phases(factor: int) -> np.ndarray:
    """Polyphase interpolation filter, shape (factor, TAPS_PER_PHASE): a Kaiser-windowed sinc low-pass
    at the original Nyquist frequency, with unity gain through every phase."""
    from scipy.signal import firwin  # here, not at import: scipy.signal takes a second to load

    # odd length: the delay is a whole number of output samples, so one phase lands on the input samples
    h = firwin(factor * TAPS_PER_PHASE - 1, 1.0 / factor, window=("kaiser", 8.0)) * factor
    h = np.append(h, 0.0)
    return h.reshape(TAPS_PER_PHASE, factor).T[:, ::-1].copy()


class TruePeak:
    """Maximum absolute value of the signal oversampled `factor` times, per channel.

    The shortcut is exact: an interpolated value can exceed the largest input sample in
    reach of the filter by at most the filter's largest phase gain (sum of |taps|), so a
    chunk whose neighbourhood cannot beat the running maximum is not interpolated.
    """

    def __init__(self, sample_rate: int, channels: int):
        self.factor = oversampling_factor(sample_rate)
        self.phases = interpolation_phases(self.factor)
        self.gain_bound = float(np.abs(self.phases).sum(axis=1).max())
        self._matrix = self.phases.T.astype(np.float32).copy()  # (taps, phases): every phase in one product
        self.peak = np.zeros(channels)
        self._history = np.zeros((TAPS_PER_PHASE - 1, channels), dtype=np.float32)

    def update(self, block: np.ndarray) -> None:
        n = len(block)
        padded = np.concatenate([self._history, block])  # history: the filter's reach into the last block
        self._history = padded[-(TAPS_PER_PHASE - 1):]
        if self.factor == 1:
            self.peak = np.maximum(self.peak, np.abs(block).max(axis=0))
            return
        for ch in range(block.shape[1]):
            self._channel(padded[:, ch], n, ch)

    def _channel(self, padded: np.ndarray, n: int, ch: int) -> None:
        abs_in = np.abs(padded)
        self.peak[ch] = max(self.peak[ch], float(abs_in[TAPS_PER_PHASE - 1:].max()))
        chunks = -(-n // CHUNK)
        reach = np.zeros(chunks * CHUNK + TAPS_PER_PHASE - 1, dtype=np.float32)
        reach[: len(abs_in)] = abs_in
        # largest input each chunk's outputs can see: the chunk itself and the taps before it
        chunk_max = sliding_window_view(reach, CHUNK + TAPS_PER_PHASE - 1)[::CHUNK][:chunks].max(axis=1)
        candidates = np.flatnonzero(chunk_max * self.gain_bound > self.peak[ch])
        if not len(candidates):
            return
        windows = sliding_window_view(padded, TAPS_PER_PHASE)  # output j sees padded[j : j + taps]
        if len(candidates) > chunks // 2:  # most of the block: interpolate it all
            outputs = np.arange(n)
        else:  # the candidate chunks' outputs only
            outputs = (candidates[:, None] * CHUNK + np.arange(CHUNK)).ravel()
            outputs = outputs[outputs < n]
        for i in range(0, len(outputs), PRODUCT_ROWS):  # a few products of bounded size: memory stays flat
            y = windows[outputs[i:i + PRODUCT_ROWS]] @ self._matrix
            self.peak[ch] = max(self.peak[ch], float(np.abs(y).max()))

    def result(self) -> np.ndarray:
        return self.peak


class SampleStats:
    """Sample peak, DC offset, clipped samples, and unweighted mean square per 10 ms frame."""

    def __init__(self, channels: int, frame_len: int):
        self.peak = np.zeros(channels)
        self.sum = np.zeros(channels)
        self.sum_squares = 0.0
        self.samples = 0
        self.clipped = 0
        self.frames = FrameEnergy(frame_len)
        self.channels = channels

    def update(self, block: np.ndarray) -> np.ndarray:
        """Take in `block` (frames, channels); the unweighted 10 ms frame powers it completes."""
        magnitude = np.abs(block)
        self.peak = np.maximum(self.peak, magnitude.max(axis=0))
        self.sum += block.sum(axis=0, dtype=np.float64)
        power = np.einsum("ij,ij->i", block, block, dtype=np.float64) / self.channels
        self.sum_squares += float(power.sum())
        self.samples += len(block)
        if self.peak.max() >= CLIP_LEVEL:  # else nothing can be clipped
            self.clipped += int(np.count_nonzero(magnitude >= CLIP_LEVEL))
        return self.frames.update(power)

    @property
    def dc_offset(self) -> np.ndarray:
        """Mean sample value per channel (as a fraction of full scale)."""
        return self.sum / max(self.samples, 1)

    @property
    def mean_square(self) -> float:
        return self.sum_squares / max(self.samples, 1)
