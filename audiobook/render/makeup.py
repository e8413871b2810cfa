"""What the limiter will take off a track's level, and the gain that makes up for it.

The build sets each track to the preset's target with one linear gain, then the limiter
holds the peaks under the ceiling. Where the narration's peaks stand high over its level,
the limiter works often, and the track comes out under its target: a podcast preset's
-16 LUFS under -1 dBTP ended at -17.8 LUFS on the demo. So the gain is raised until the
level the limiter leaves is the target — predicted from the recordings' analysis (mean
square and peak of every 100 ms hop), with no pass over the audio — by at most
MAKEUP_MAX_DB, and the report says how much.
"""

from __future__ import annotations

import math

import numpy as np

from audiobook.analysis import Analysis

MAKEUP_MAX_DB = 3.0  # at most this much more gain (and so limiting) than the level alone asks
HOP_S = 0.1


def span_hops(a: Analysis, start_s: float, end_s: float) -> tuple[np.ndarray, np.ndarray]:
    """The mean square and the peak of each 100 ms hop of a recording's span."""
    lo, hi = int(start_s / HOP_S), max(int(start_s / HOP_S) + 1, int(end_s / HOP_S))
    power = a.power_hops[lo:hi].astype(np.float64) if a.power_hops is not None else np.zeros(0)
    peaks = a.peak_hops[lo:hi].astype(np.float64) if a.peak_hops is not None else np.zeros(0)
    return power, peaks


def limited_level_db(power: np.ndarray, peaks: np.ndarray, gain_db: float, ceiling_db: float) -> float:
    """The level (mean square, dB) of hops with these powers and peaks, after `gain_db` and a
    limiter at `ceiling_db`.

    A hop whose peak would pass the ceiling is turned down to it. The limiter holds its gain
    down for 80 ms after a peak and ramps back over 10 ms, so the hop after a limited one is
    held too, for half its length on average. Against the real limiter (render.dsp) on
    speech, this reads 0.1–0.2 dB high (tests/render/test_makeup.py).
    """
    g_lin = 10 ** (gain_db / 20)
    need = np.minimum(1.0, 10 ** (ceiling_db / 20) / (g_lin * np.maximum(peaks, 1e-12)))
    held = np.minimum(need, np.concatenate([[1.0], need[:-1]]))
    mean = float(np.mean(power * (need ** 2 + held ** 2) / 2)) * g_lin ** 2
    return 10 * math.log10(mean) if mean > 0 else float("-inf")


def makeup_db(power: np.ndarray, peaks: np.ndarray, gain_db: float, ceiling_db: float) -> tuple[float, float]:
    """The gain to add to `gain_db` so that, limited at `ceiling_db`, the hops' level is what
    `gain_db` alone would give unlimited; at most MAKEUP_MAX_DB. Returns (makeup, the level
    below that target still predicted with it, dB: 0 when it is reached)."""
    if not len(power) or len(peaks) != len(power) or not np.any(power > 0):
        return 0.0, 0.0
    target = 10 * math.log10(float(np.mean(power))) + gain_db
    if limited_level_db(power, peaks, gain_db, ceiling_db) >= target - 0.01:
        return 0.0, 0.0
    top = limited_level_db(power, peaks, gain_db + MAKEUP_MAX_DB, ceiling_db)
    if top < target:
        return MAKEUP_MAX_DB, target - top
    lo, hi = 0.0, MAKEUP_MAX_DB
    while hi - lo > 0.01:  # the limited level rises with the gain: halve the interval
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if limited_level_db(power, peaks, gain_db + mid, ceiling_db) < target else (lo, mid)
    return hi, 0.0
