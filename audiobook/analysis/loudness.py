"""Loudness per ITU-R BS.1770-4 / EBU R 128: integrated, momentary, short-term, loudness range.

Streaming: `KWeightedEnergy.update(block)` filters each block (filter state carried across
blocks) and returns one mean square per 10 ms frame; `Hops` keeps their 100 ms means
(0.3 MB an hour), from which the spec's 400 ms and 3 s windows with 100 ms hops are
computed exactly at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audiobook.analysis.frames import FrameEnergy
from audiobook.analysis.kweighting import k_weighting_sos

LUFS_OFFSET = -0.691  # BS.1770-4 eq. 2: the constant that makes a 1 kHz sine at 0 dBFS read -3.01 LKFS
ABSOLUTE_GATE_LUFS = -70.0  # eq. 5, Γa
RELATIVE_GATE_LU = -10.0  # eq. 6, Γr
LRA_RELATIVE_GATE_LU = -20.0  # EBU Tech 3342
LRA_PERCENTILES = (10.0, 95.0)  # EBU Tech 3342
FRAMES_PER_HOP = 10  # 10 ms frames in a 100 ms hop
MOMENTARY_HOPS = 4  # 400 ms
SHORT_TERM_HOPS = 30  # 3 s


class KWeightedEnergy:
    """K-weighted power, summed over channels (all weighted 1.0: mono and stereo), per 10 ms frame."""

    def __init__(self, sample_rate: int, channels: int, frame_len: int):
        # float32, as the blocks come: its rounding stays some 80 dB under the signal, and a
        # loudness reading moves by less than 0.001 dB (tests/analysis: against pyloudnorm)
        from scipy.signal import sosfilt  # here, not at import: scipy.signal takes a second to load

        self._sosfilt = sosfilt
        self.sos = k_weighting_sos(sample_rate).astype(np.float32)
        self._zi = np.zeros((self.sos.shape[0], 2, channels), dtype=np.float32)  # the meter starts from silence
        self.frames = FrameEnergy(frame_len)

    def update(self, block: np.ndarray) -> np.ndarray:
        """Filter `block` (frames, channels); the 10 ms frame powers it completes."""
        y, self._zi = self._sosfilt(self.sos, block, axis=0, zi=self._zi)
        return self.frames.update(y)


@dataclass
class Loudness:
    integrated_lufs: float
    loudness_range_lu: float
    max_momentary_lufs: float
    max_short_term_lufs: float
    momentary_lufs: np.ndarray  # one value per 100 ms hop, 400 ms windows
    short_term_lufs: np.ndarray  # one value per 100 ms hop, 3 s windows


def to_lufs(mean_square: np.ndarray | float) -> np.ndarray | float:
    """BS.1770-4 eq. 2: loudness of a (channel-summed) mean square; -inf for silence."""
    with np.errstate(divide="ignore"):
        return LUFS_OFFSET + 10 * np.log10(mean_square)


def hop_windows(hops: np.ndarray, width: int) -> np.ndarray:
    """Mean over every run of `width` consecutive hops (windows with a 100 ms hop)."""
    if len(hops) < width:
        return np.zeros(0)
    c = np.concatenate([[0.0], np.cumsum(hops, dtype=np.float64)])
    return np.maximum((c[width:] - c[:-width]) / width, 0.0)


def gated_loudness(blocks_ms: np.ndarray) -> float:
    """Integrated loudness from 400 ms block mean squares: eq. 4–7, absolute then relative gate."""
    z = blocks_ms[to_lufs(blocks_ms) > ABSOLUTE_GATE_LUFS]
    if not len(z):
        return float("-inf")
    relative_gate = to_lufs(z.mean()) + RELATIVE_GATE_LU
    z = z[to_lufs(z) > relative_gate]
    return float(to_lufs(z.mean())) if len(z) else float("-inf")


def loudness_range(short_term_ms: np.ndarray) -> float:
    """EBU Tech 3342: spread (10th to 95th percentile) of the gated short-term loudness."""
    z = short_term_ms[to_lufs(short_term_ms) > ABSOLUTE_GATE_LUFS]
    if len(z) < 2:
        return 0.0
    levels = to_lufs(z)
    levels = levels[levels > to_lufs(z.mean()) + LRA_RELATIVE_GATE_LU]
    if len(levels) < 2:
        return 0.0
    low, high = np.percentile(levels, LRA_PERCENTILES)
    return float(high - low)


def loudness_from_hops(hops: np.ndarray) -> Loudness:
    """All loudness figures from the 100 ms K-weighted hop energies."""
    momentary = hop_windows(hops, MOMENTARY_HOPS)
    short_term = hop_windows(hops, SHORT_TERM_HOPS)
    m_lufs = to_lufs(momentary).astype(np.float32)
    s_lufs = to_lufs(short_term).astype(np.float32)
    return Loudness(
        integrated_lufs=gated_loudness(momentary),
        loudness_range_lu=loudness_range(short_term),
        max_momentary_lufs=float(m_lufs.max()) if len(m_lufs) else float("-inf"),
        max_short_term_lufs=float(s_lufs.max()) if len(s_lufs) else float("-inf"),
        momentary_lufs=m_lufs,
        short_term_lufs=s_lufs,
    )
