"""Speech and pauses at 10 ms resolution, with a threshold set by the recording's own noise floor.

Works on per-frame energies (K-weighted for the decision: rumble does not count as speech;
unweighted for the levels reported), so it needs no second pass over the audio.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

FLOOR_PERCENTILE = 5.0  # of frame levels: the room tone, in any narration with pauses in it
SPEECH_PERCENTILE = 95.0  # of frame levels: loud speech
THRESHOLD_FRACTION = 0.3  # of the way from floor to speech ...
MIN_THRESHOLD_DB = 8.0  # ... but at least this far above the floor
MIN_SPEECH_S = 0.06  # shorter bursts are mouth clicks
BREATH_BELOW_SPEECH_DB = 15.0  # an isolated short burst never louder than this below loud speech: a breath
BREATH_MAX_S = 0.8
BREATH_ISOLATION_S = 0.15  # ... with at least this much quiet on each side (words in a phrase are closer)
MIN_PAUSE_S = 0.2  # gaps between words are shorter: they are not listed


@dataclass
class Pause:
    start_s: float
    end_s: float
    level_dbfs: float  # RMS over the pause, unweighted
    depth_db: float  # how far below the speech level

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass
class PauseMap:
    pauses: list[Pause] = field(default_factory=list)
    speech_s: float = 0.0
    floor_db: float = float("-inf")  # K-weighted level of the room tone, per 10 ms frame
    speech_db: float = float("-inf")
    threshold_db: float = float("-inf")
    frame_s: float = 0.01


def _db(power: np.ndarray | float) -> np.ndarray | float:
    with np.errstate(divide="ignore"):
        return 10 * np.log10(power)


def _runs(mask: np.ndarray) -> np.ndarray:
    """(start, stop) index pairs of the runs of True in `mask`."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)], axis=1)


def find_pauses(weighted: np.ndarray, unweighted: np.ndarray, frame_s: float,
                min_pause_s: float = MIN_PAUSE_S) -> PauseMap:
    """Pause map from per-frame K-weighted and unweighted mean squares (same length, `frame_s` apart)."""
    n = len(weighted)
    result = PauseMap(frame_s=frame_s)
    if n == 0:
        return result
    level = _db(np.maximum(weighted.astype(np.float64), 1e-20))
    audible = weighted > 0
    if not audible.any():
        result.pauses = [Pause(0.0, n * frame_s, float("-inf"), 0.0)]
        return result
    floor, speech = np.percentile(level[audible], [FLOOR_PERCENTILE, SPEECH_PERCENTILE])
    threshold = floor + max(MIN_THRESHOLD_DB, THRESHOLD_FRACTION * (speech - floor))
    result.floor_db, result.speech_db, result.threshold_db = float(floor), float(speech), float(threshold)

    is_speech = level > threshold
    min_frames = max(1, round(MIN_SPEECH_S / frame_s))
    for a, b in _runs(is_speech):
        if b - a < min_frames:
            is_speech[a:b] = False  # mouth click
    isolation = max(1, round(BREATH_ISOLATION_S / frame_s))
    runs = _runs(is_speech)
    for i, (a, b) in enumerate(runs):
        quiet_before = i == 0 or a - runs[i - 1][1] >= isolation
        quiet_after = i == len(runs) - 1 or runs[i + 1][0] - b >= isolation
        if (quiet_before and quiet_after and (b - a) * frame_s < BREATH_MAX_S
                and level[a:b].max() < speech - BREATH_BELOW_SPEECH_DB):
            is_speech[a:b] = False  # breath

    speech_power = unweighted[is_speech].astype(np.float64)
    speech_rms_db = float(_db(speech_power.mean())) if len(speech_power) else float("-inf")
    result.speech_s = float(is_speech.sum() * frame_s)
    min_frames = max(1, round(min_pause_s / frame_s))
    for a, b in _runs(~is_speech):
        if b - a < min_frames and 0 < a and b < n:
            continue
        pause_db = float(_db(unweighted[a:b].astype(np.float64).mean()))
        result.pauses.append(Pause(round(float(a * frame_s), 4), round(float(b * frame_s), 4), pause_db,
                                   speech_rms_db - pause_db))
    return result
