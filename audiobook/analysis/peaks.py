"""Sample peak, true peak (BS.1770-4 Annex 2), DC offset, clipping, and unweighted energy."""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from audiobook.analysis.frames import FrameEnergy

CLIP_LEVEL = 1.0 - 2.0 ** -15  # at or above: a full-scale sample (16-bit's largest code and beyond)
TAPS_PER_PHASE = 24  # with a Kaiser window (beta 8): flat to 20 kHz at 48 kHz, images below -70 dB
CHUNK = 64  # outputs per chunk for the true-peak shortcut; at least the taps (see _channel)
PRODUCT_ROWS = 1 << 15  # interpolated at once: 32768 x 24 taps of float32, 3 MB


def oversampling_factor(sample_rate: int) -> int:
    """BS.1770-4 Annex 2: oversample to at least 176.4 kHz (4x at 44.1 and 48 kHz)."""
    return max(1, min(8, math.ceil(176400 / sample_rate)))


def interpolation_phases(factor: int) -> np.ndarray:
    """Polyphase interpolation filter, shape (factor, TAPS_PER_PHASE): a Kaiser-windowed sinc low-pass
    at the original Nyquist frequency, with unity gain through every phase; one phase is the input
    samples themselves (exactly: a sinc is zero at the other samples)."""
    if factor == 1:  # the signal is sampled finely enough already: its samples are its peaks
        return np.eye(1, TAPS_PER_PHASE, TAPS_PER_PHASE // 2)
    from scipy.signal import firwin  # here, not at import: scipy.signal takes a second to load

    # odd length: the delay is a whole number of output samples, so one phase lands on the input samples
    h = firwin(factor * TAPS_PER_PHASE - 1, 1.0 / factor, window=("kaiser", 8.0)) * factor
    centre = len(h) // 2
    h /= h[centre]  # firwin's normalisation leaves it at 1.0000036 ...
    h[centre % factor::factor] = 0.0  # ... and its zeros at 1e-17
    h[centre] = 1.0
    h = np.append(h, 0.0)
    return h.reshape(TAPS_PER_PHASE, factor).T[:, ::-1].copy()


class TruePeak:
    """Maximum absolute value of the signal oversampled `factor` times, per channel.

    The shortcut is exact: an interpolated value can exceed the largest input sample in
    reach of the filter by at most the filter's largest phase gain (sum of |taps|), so a
    chunk whose neighbourhood cannot beat the running maximum is not interpolated. The phase
    that lands on the input samples is the samples themselves: the sample peak stands for it.
    """

    def __init__(self, sample_rate: int, channels: int):
        self.factor = oversampling_factor(sample_rate)
        self.phases = interpolation_phases(self.factor)
        between = [p for p in self.phases if not _is_identity(p)]  # the phases between the samples
        self.gain_bound = float(np.abs(between).sum(axis=1).max()) if between else 1.0
        self._matrix = np.array(between, dtype=np.float32).T.copy()  # (taps, phases): all in one product
        self.peak = np.zeros(channels)
        self._history = np.zeros((TAPS_PER_PHASE - 1, channels), dtype=np.float32)

    def update(self, block: np.ndarray) -> None:
        n = len(block)
        padded = np.concatenate([self._history, block])  # history: the filter's reach into the last block
        self._history = padded[-(TAPS_PER_PHASE - 1):]
        if not self._matrix.size:
            self.peak = np.maximum(self.peak, np.abs(block).max(axis=0))
            return
        for ch in range(block.shape[1]):
            self._channel(padded[:, ch], n, ch)

    def _channel(self, padded: np.ndarray, n: int, ch: int) -> None:
        taps = TAPS_PER_PHASE
        magnitude = np.abs(padded)
        self.peak[ch] = max(self.peak[ch], float(magnitude[taps - 1:].max()))
        # the samples big enough to lift an interpolated value above the running maximum (a little
        # margin against rounding), and the chunks of outputs that see them: output j sees
        # padded[j : j + taps], so sample k is seen by outputs k - taps + 1 .. k, in one chunk or two
        big = np.flatnonzero(magnitude > self.peak[ch] / self.gain_bound * (1 - 1e-6))
        if not len(big):
            return
        chunks = -(-n // CHUNK)
        seen = np.zeros(chunks, dtype=bool)
        seen[np.minimum(big, n - 1) // CHUNK] = True
        seen[np.maximum(big - (taps - 1), 0) // CHUNK] = True
        candidates = np.flatnonzero(seen)
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


def _is_identity(phase: np.ndarray) -> bool:
    """A phase that is one tap of 1 (the input sample itself) and zeros elsewhere."""
    return int(np.count_nonzero(phase)) == 1 and float(phase.max()) == 1.0


class HopPeaks:
    """The largest sample magnitude (over the channels) of each 100 ms hop, for the whole
    recording: 0.14 MB an hour. What the build's limiter will meet, hop by hop (render.makeup).

    `update(block)` returns the peak of the samples it takes in (with any a previous block left
    unfinished); the samples of an unfinished hop wait for the next block, as in FrameEnergy."""

    def __init__(self, hop_len: int):
        self.hop_len = hop_len
        self._chunks: list[np.ndarray] = []
        self._rest: np.ndarray | None = None

    def update(self, block: np.ndarray) -> float:
        data = np.concatenate([self._rest, block]) if self._rest is not None and len(self._rest) else block
        m = len(data) // self.hop_len
        self._rest = data[m * self.hop_len:].copy()
        peak = _magnitude(self._rest) if len(self._rest) else 0.0
        if m:
            body = np.ascontiguousarray(data[:m * self.hop_len]).reshape(m, -1)  # a hop's samples, every channel
            hops = np.maximum(body.max(axis=1), -body.min(axis=1)).astype(np.float32)
            self._chunks.append(hops)
            peak = max(peak, float(hops.max()))
        return peak

    def result(self) -> np.ndarray:
        """One peak per hop; a last, unfinished hop counts as one."""
        rest = [np.array([_magnitude(self._rest)], dtype=np.float32)] if self._rest is not None and len(self._rest) else []
        return np.concatenate(self._chunks + rest) if self._chunks or rest else np.zeros(0, np.float32)


def _magnitude(x: np.ndarray) -> float:
    return max(float(x.max()), -float(x.min()))


class SampleStats:
    """Sample peak (of the whole and of each 100 ms hop), DC offset, clipped samples, and
    unweighted mean square per 10 ms frame."""

    def __init__(self, channels: int, frame_len: int):
        self.peak = 0.0
        self.hop_peaks = HopPeaks(frame_len * 10)
        self.sum = np.zeros(channels)
        self.sum_squares = 0.0  # of the frames completed; mean_square adds the samples after them
        self.samples = 0
        self.clipped = 0
        self.frames = FrameEnergy(frame_len)
        self.channels = channels

    def update(self, block: np.ndarray) -> np.ndarray:
        """Take in `block` (frames, channels); the unweighted 10 ms frame powers it completes."""
        self.peak = max(self.peak, self.hop_peaks.update(block))
        for ch in range(self.channels):  # one channel at a time: float32 sums are pairwise, exact enough
            self.sum[ch] += float(block[:, ch].sum())
        self.samples += len(block)
        if self.peak >= CLIP_LEVEL:  # else nothing can be clipped
            self.clipped += int(np.count_nonzero(np.abs(block) >= CLIP_LEVEL))
        power = self.frames.update(block) / self.channels
        self.sum_squares += float(power.sum()) * self.frames.frame_len
        return power

    @property
    def dc_offset(self) -> np.ndarray:
        """Mean sample value per channel (as a fraction of full scale)."""
        return self.sum / max(self.samples, 1)

    @property
    def mean_square(self) -> float:
        total = self.sum_squares + self.frames.pending_sum() / self.channels
        return total / max(self.samples, 1)
