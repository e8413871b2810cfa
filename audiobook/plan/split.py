"""Where to cut: choose boundaries among pauses so that every part's length fits its word count.

Dynamic programming over the candidate pauses. A boundary costs more the shorter its
pause; a part costs more the further its speech time strays from the time its words
predict at the narrator's own pace. The cheapest path is the plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

RELATIVE_SPREAD = 0.12  # how far a part's reading time may stray from its prediction: 12 % ...
ABSOLUTE_SPREAD_S = 3.0  # ... plus 3 s
PAUSE_WEIGHT = 2.0  # cost of a boundary in a pause of length L: PAUSE_WEIGHT * ln(long / L), none past `long`


@dataclass(frozen=True)
class Boundary:
    gap: int  # index into the candidates given
    deviation_s: float  # speech before it minus the prediction (seconds of speech)
    confidence: float  # 0..1: how much worse the best alternative pause would be


def _gap_costs(lengths: np.ndarray, long_s: float) -> np.ndarray:
    return PAUSE_WEIGHT * np.maximum(0.0, np.log(long_s / np.maximum(lengths, 1e-3)))


def _dev(actual: np.ndarray | float, expected: float) -> np.ndarray | float:
    return ((np.asarray(actual) - expected) / (RELATIVE_SPREAD * expected + ABSOLUTE_SPREAD_S)) ** 2


def choose(expected_s: list[float], speech_at: np.ndarray, lengths: np.ndarray, total_speech_s: float,
           long_s: float, forced: dict[int, int] | None = None) -> list[Boundary]:
    """Pick len(expected_s) - 1 boundaries among candidates.

    `expected_s`: predicted speech seconds of each part, in order (their sum is the total).
    `speech_at[j]`: speech seconds before candidate j (increasing); `lengths[j]`: its pause.
    `forced`: boundary k -> candidate j, pinned by hand.
    Raises ValueError when there are fewer candidates than boundaries.
    """
    k_parts = len(expected_s)
    if k_parts <= 1:
        return []
    m = len(speech_at)
    if m < k_parts - 1:
        raise ValueError(f"{k_parts} parts need {k_parts - 1} pauses long enough to cut at, found {m}")
    gap_cost = _gap_costs(lengths, long_s)
    cumulative = np.cumsum(expected_s)
    window = 0.3 * total_speech_s + 60.0

    allowed = [np.flatnonzero(np.abs(speech_at - cumulative[k]) <= window) for k in range(k_parts - 1)]
    # a boundary's candidates must leave room for the ones before and after it
    allowed = [a[(a >= k) & (a <= m - (k_parts - 1 - k))] for k, a in enumerate(allowed)]
    if any(len(a) == 0 for a in allowed):
        allowed = [np.arange(k, m - (k_parts - 2 - k)) for k in range(k_parts - 1)]
    for k, j in (forced or {}).items():
        if 0 <= k < k_parts - 1:
            allowed[k] = np.array([j])

    cost = _dev(speech_at[allowed[0]], expected_s[0]) + gap_cost[allowed[0]]
    back: list[np.ndarray] = []
    for k in range(1, k_parts - 1):
        prev, cur = allowed[k - 1], allowed[k]
        span = speech_at[cur][None, :] - speech_at[prev][:, None]
        total = cost[:, None] + _dev(span, expected_s[k]) + gap_cost[cur][None, :]
        total[prev[:, None] >= cur[None, :]] = np.inf
        best = np.argmin(total, axis=0)
        back.append(best)
        cost = total[best, np.arange(len(cur))]
    final = cost + _dev(total_speech_s - speech_at[allowed[-1]], expected_s[-1])
    j = int(np.argmin(final))
    if not math.isfinite(final[j]):
        raise ValueError("no way to place every boundary in order")
    picks = [int(allowed[-1][j])]
    for k in range(k_parts - 2, 0, -1):
        j = int(back[k - 1][j])
        picks.append(int(allowed[k - 1][j]))
    picks.reverse()
    return [Boundary(g, float(speech_at[g] - cumulative[k]), _confidence(k, picks, expected_s, speech_at, gap_cost,
                                                                          total_speech_s))
            for k, g in enumerate(picks)]


def _confidence(k: int, picks: list[int], expected_s: list[float], speech_at: np.ndarray, gap_cost: np.ndarray,
                total_speech_s: float) -> float:
    """1 - exp(-margin/2), the margin being how much dearer the best other pause between the
    neighbouring boundaries would be."""
    lo = picks[k - 1] + 1 if k else 0
    hi = picks[k + 1] if k + 1 < len(picks) else len(speech_at)
    before = speech_at[picks[k - 1]] if k else 0.0
    after = speech_at[picks[k + 1]] if k + 1 < len(picks) else total_speech_s
    idx = np.arange(lo, hi)
    costs = (_dev(speech_at[idx] - before, expected_s[k]) + _dev(after - speech_at[idx], expected_s[k + 1])
             + gap_cost[idx])
    chosen = costs[idx == picks[k]][0]
    others = costs[idx != picks[k]]
    if not len(others):
        return 1.0
    return round(float(1 - math.exp(-max(0.0, float(others.min() - chosen)) / 2)), 2)
