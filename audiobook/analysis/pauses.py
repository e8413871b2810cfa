"""Speech and pauses at 10 ms resolution, with a threshold set by the recording's own noise floor.

Works on per-frame levels kept during the one pass (K-weighted for the decision: rumble
does not count as speech; unweighted for the levels reported), two bytes a frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from audiobook.analysis.frames import FrameLevels

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
    speech_rms_dbfs: float = float("-inf")
    frame_s: float = 0.01


def _runs(mask: np.ndarray) -> np.ndarray:
    """(start, stop) index pairs of the runs of True in `mask`."""
    edges = np.diff(mask.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    return np.stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)], axis=1)


def _percentiles(codes: np.ndarray, qs: list[float]) -> list[float]:
    """Percentiles (dB) of the non-silent frame levels, from their histogram: no sorted copy."""
    counts = np.bincount(codes, minlength=65536)
    counts[0] = 0  # digital silence
    cdf = np.cumsum(counts)
    return [float(FrameLevels.to_db(int(np.searchsorted(cdf, q / 100 * cdf[-1])))) for q in qs]


_CODE_POWER = np.concatenate([[0.0], 10 ** (FrameLevels.to_db(np.arange(1, 65536)).astype(np.float64) / 10)])


def _mean_db(codes: np.ndarray) -> float:
    """Level (dB) of the mean power of frames given as level codes; -inf if all silent."""
    if len(codes) > 4096:  # a histogram: no float copy of a long stretch
        mean = float(np.bincount(codes, minlength=65536) @ _CODE_POWER) / len(codes)
    else:
        mean = float(_CODE_POWER[codes].mean()) if len(codes) else 0.0
    return 10 * math.log10(mean) if mean > 0 else float("-inf")


def find_pauses(weighted: np.ndarray, unweighted: np.ndarray, frame_s: float,
                min_pause_s: float = MIN_PAUSE_S) -> PauseMap:
    """Pause map from per-frame level codes (`FrameLevels`): K-weighted for the decision,
    unweighted for the levels reported; both the same length, `frame_s` apart."""
    n = len(weighted)
    result = PauseMap(frame_s=frame_s)
    if n == 0:
        return result
    if not weighted.any():
        result.pauses = [Pause(0.0, round(n * frame_s, 4), float("-inf"), 0.0)]
        return result
    floor, speech = _percentiles(weighted, [FLOOR_PERCENTILE, SPEECH_PERCENTILE])
    threshold = floor + max(MIN_THRESHOLD_DB, THRESHOLD_FRACTION * (speech - floor))
    result.floor_db, result.speech_db, result.threshold_db = floor, speech, threshold

    is_speech = weighted > FrameLevels.to_code(threshold)
    min_frames = max(1, round(MIN_SPEECH_S / frame_s))
    for a, b in _runs(is_speech):
        if b - a < min_frames:
            is_speech[a:b] = False  # mouth click
    isolation = max(1, round(BREATH_ISOLATION_S / frame_s))
    breath_code = FrameLevels.to_code(speech - BREATH_BELOW_SPEECH_DB)
    runs = _runs(is_speech)
    for i, (a, b) in enumerate(runs):
        quiet_before = i == 0 or a - runs[i - 1][1] >= isolation
        quiet_after = i == len(runs) - 1 or runs[i + 1][0] - b >= isolation
        if (quiet_before and quiet_after and (b - a) * frame_s < BREATH_MAX_S
                and weighted[a:b].max() < breath_code):
            is_speech[a:b] = False  # breath

    result.speech_s = float(is_speech.sum() * frame_s)
    speech_db = _mean_db(unweighted[is_speech])
    result.speech_rms_dbfs = speech_db
    min_frames = max(1, round(min_pause_s / frame_s))
    for a, b in _runs(~is_speech):
        if b - a < min_frames and 0 < a and b < n:
            continue
        pause_db = _mean_db(unweighted[a:b])
        result.pauses.append(Pause(round(float(a * frame_s), 4), round(float(b * frame_s), 4), pause_db,
                                   speech_db - pause_db))
    return result
