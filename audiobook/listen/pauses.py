"""The pauses in a short stretch of narration, from its own levels: for judging a marker in a
built track, whose pause map (the build's analysis) is not at hand."""

from __future__ import annotations

import numpy as np

from audiobook.listen.boundary import Pause

FRAME_S = 0.01
BELOW_SPEECH_DB = 30.0  # a frame this far under the stretch's speech level is not speech ...
ABOVE_FLOOR_DB = 8.0  # ... nor within this of its room tone
MIN_PAUSE_S = 0.3


def pauses_in(audio: np.ndarray, rate: int, offset_s: float = 0.0, min_s: float = MIN_PAUSE_S) -> list[Pause]:
    """Stretches of `audio` (mono float) at least `min_s` long with no speech, in seconds from
    `offset_s`: quieter than the stretch's speech by BELOW_SPEECH_DB, or near its room tone."""
    hop = int(rate * FRAME_S)
    n = len(audio) // hop
    if n < 2:
        return []
    power = np.mean(audio[: n * hop].reshape(n, hop).astype(np.float64) ** 2, axis=1)
    db = 10 * np.log10(power + 1e-12)
    speech, floor = np.percentile(db, 95), np.percentile(db, 5)
    quiet = db < max(floor + ABOVE_FLOOR_DB, speech - BELOW_SPEECH_DB) if speech - floor > ABOVE_FLOOR_DB else np.zeros(n, bool)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], quiet.astype(np.int8), [0]])))
    out = []
    for a, b in zip(edges[::2], edges[1::2]):
        if (b - a) * FRAME_S >= min_s:
            out.append(Pause(round(float(offset_s + a * FRAME_S), 3), round(float(offset_s + b * FRAME_S), 3)))
    return out


def speech_between(pauses: list[Pause], a_s: float, b_s: float) -> list[tuple[float, float]]:
    """The stretches of speech between times `a_s` and `b_s`, given the pauses there."""
    out, t = [], a_s
    for p in sorted(pauses, key=lambda p: p.start_s):
        if p.end_s <= a_s or p.start_s >= b_s:
            continue
        if p.start_s > t + 0.05:
            out.append((t, p.start_s))
        t = max(t, p.end_s)
    if b_s > t + 0.05:
        out.append((t, b_s))
    return out
