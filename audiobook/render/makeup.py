"""A track's gain: to the preset's level, predicted from the recordings' analysis, with what
the limiter will take off made up for.

The build sets each track to the preset's target with one linear gain, then the limiter
holds the peaks under the ceiling. The track's level is read from the analysis's 100 ms
hops of its spans: their mean square (ACX's RMS), or their K-weighted mean square gated
as BS.1770 gates it (LUFS) — the track's own loudness, not its sessions'. Where the
narration's peaks stand high over its level, the limiter works often and takes level off
with them: a podcast preset's -16 LUFS under -1 dBTP ended at -17.8 LUFS on the demo. So
the gain is raised until the level the limiter leaves (predicted from each hop's peak, with
no pass over the audio) is the target, by at most MAKEUP_MAX_DB; the report says how much.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from audiobook.analysis import Analysis
from audiobook.analysis.loudness import MOMENTARY_HOPS, gated_loudness, hop_windows

MAKEUP_MAX_DB = 3.0  # at most this much more gain (and so limiting) than the level alone asks
HOP_S = 0.1


@dataclass
class TrackHops:
    """Every 100 ms hop of a track's spans: mean square, K-weighted mean square, peak."""

    power: np.ndarray
    loudness: np.ndarray
    peaks: np.ndarray

    @classmethod
    def of(cls, parts: list[tuple[Analysis, float, float, float]], channels: int) -> TrackHops:
        """From (analysis, start_s, end_s, gain_db) spans, each session at its reading level, for
        a track of `channels` channels. Loudness sums the channels' K-weighted powers: a mono
        session made stereo counts twice, a stereo one made mono (its channels averaged, taken
        as alike, as a narrator's are) half."""
        arrays: list[list[np.ndarray]] = [[], [], []]
        for a, start_s, end_s, gain_db in parts:
            lo, hi = int(start_s / HOP_S), max(int(start_s / HOP_S) + 1, int(end_s / HOP_S))
            for k, (name, scale) in enumerate((("power_hops", 10), ("loudness_hops", 10), ("peak_hops", 20))):
                values = getattr(a, name)
                part = values[lo:hi].astype(np.float64) if values is not None else np.zeros(0)
                if name == "loudness_hops":
                    part *= channels / max(a.channels, 1)
                arrays[k].append(part * 10 ** (gain_db / scale))
        power, loudness, peaks = (np.concatenate(x) if x else np.zeros(0) for x in arrays)
        return cls(power, loudness, peaks)

    def usable(self) -> bool:
        return len(self.power) > 0 and len(self.loudness) == len(self.peaks) == len(self.power) \
            and bool(np.any(self.power > 0))


def limiter_factors(peaks: np.ndarray, gain_db: float, ceiling_db: float) -> np.ndarray:
    """Each hop's power after the limiter, as a fraction of its power before, at `gain_db`.

    A hop whose peak would pass the ceiling is turned down to it. The limiter holds its gain
    down for 80 ms after a peak and ramps back over 10 ms, so the hop after a limited one is
    held too, for half its length on average. Against the real limiter (render.dsp) on
    speech, levels from this land within 0.3 dB (tests/render/test_makeup.py).
    """
    need = np.minimum(1.0, 10 ** ((ceiling_db - gain_db) / 20) / np.maximum(peaks, 1e-12))
    held = np.minimum(need, np.concatenate([[1.0], need[:-1]]))
    return (need ** 2 + held ** 2) / 2


def level_db(hops: TrackHops, gain_db: float, ceiling_db: float | None, lufs: bool) -> float:
    """The track's level at `gain_db` through a limiter at `ceiling_db` (None: no limiter):
    integrated loudness (LUFS) or mean square (dB)."""
    factors = 1.0 if ceiling_db is None else limiter_factors(hops.peaks, gain_db, ceiling_db)
    if lufs:
        return gated_loudness(hop_windows(hops.loudness * factors, MOMENTARY_HOPS) * 10 ** (gain_db / 10))
    mean = float(np.mean(hops.power * factors)) * 10 ** (gain_db / 10)
    return 10 * math.log10(mean) if mean > 0 else float("-inf")


def track_gain(hops: TrackHops, target: float, ceiling_db: float, lufs: bool) -> tuple[float, float, float]:
    """The gain (dB) that brings the track to `target` (LUFS, or mean square dB) through the
    limiter. Returns (gain, the part of it that makes up for the limiter, how far under the
    target the track is still predicted to end: 0 when it is reached)."""
    linear = level_db(hops, 0.0, None, lufs) if hops.usable() else float("-inf")
    if not math.isfinite(linear):
        return 0.0, 0.0, 0.0
    gain = target - linear

    def short(makeup: float) -> float:
        return target - level_db(hops, gain + makeup, ceiling_db, lufs)

    if short(0.0) <= 0.01:
        return gain, 0.0, 0.0
    if short(MAKEUP_MAX_DB) > 0:
        return gain + MAKEUP_MAX_DB, MAKEUP_MAX_DB, short(MAKEUP_MAX_DB)
    lo, hi = 0.0, MAKEUP_MAX_DB
    while hi - lo > 0.01:  # the limited level rises with the gain: halve the interval
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if short(mid) > 0 else (lo, mid)
    return gain + hi, hi, 0.0


def level_slope(hops: TrackHops, gain_db: float, ceiling_db: float, lufs: bool) -> float:
    """dB of level a dB of gain gives about `gain_db` (under 1 where the limiter works), kept
    within 0.25–1: what a correction of the gain divides its miss by."""
    if not hops.usable():
        return 1.0
    slope = level_db(hops, gain_db + 0.5, ceiling_db, lufs) - level_db(hops, gain_db - 0.5, ceiling_db, lufs)
    return round(min(1.0, max(0.25, slope)), 3) if math.isfinite(slope) else 1.0
