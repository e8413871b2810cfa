"""One streaming pass over a recording feeds every analyzer: loudness, peaks, ACX figures, pauses."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from audiobook.analysis.frames import FrameLevels, Hops
from audiobook.analysis.loudness import KWeightedEnergy, loudness_from_hops
from audiobook.analysis.pauses import Pause, find_pauses
from audiobook.analysis.peaks import SampleStats, TruePeak
from audiobook.analysis.reader import audio_info, blocks

NOISE_WINDOW_S = 0.5  # ACX: the noise floor is the RMS of the quietest half second


@dataclass
class Analysis:
    """Every figure of one recording. Levels in dBFS / LUFS / dBTP; times in seconds."""

    path: str
    duration_s: float
    sample_rate: int
    channels: int
    format: str
    subtype: str
    integrated_lufs: float
    loudness_range_lu: float
    max_momentary_lufs: float
    max_short_term_lufs: float
    sample_peak_dbfs: float
    true_peak_dbtp: float
    rms_dbfs: float  # unweighted, whole file: what ACX calls RMS
    noise_floor_dbfs: float  # RMS of the quietest 0.5 s window that is not digital silence
    dc_offset: list[float]  # mean sample value per channel, fraction of full scale
    clipped_samples: int
    digital_silence_s: float
    speech_s: float
    speech_rms_dbfs: float  # unweighted RMS over the speech alone: the session's reading level
    pause_threshold_db: float
    pauses: list[Pause] = field(default_factory=list)
    decoder_errors: int = 0  # damaged frames the decoder (libmpg123) decoded around ...
    decoder_message: str = ""  # ... and the first thing it said of them
    power_hops: np.ndarray | None = field(default=None, repr=False)  # unweighted mean square per 100 ms
    peak_hops: np.ndarray | None = field(default=None, repr=False)  # largest sample magnitude per 100 ms
    loudness_hops: np.ndarray | None = field(default=None, repr=False)  # K-weighted mean square per 100 ms
    momentary_lufs: np.ndarray | None = field(default=None, repr=False)  # per 100 ms, 400 ms windows
    short_term_lufs: np.ndarray | None = field(default=None, repr=False)  # per 100 ms, 3 s windows

    def to_dict(self, series: bool = False) -> dict:
        """JSON-ready: -inf becomes None; the loudness series only when asked for."""
        d = asdict(self)
        d.pop("power_hops")
        d.pop("peak_hops")
        d.pop("loudness_hops")
        for key in ("momentary_lufs", "short_term_lufs"):
            value = d.pop(key)
            if series and value is not None:
                d[key] = [_finite(v, 2) for v in np.asarray(value).tolist()]
        d["pauses"] = [{k: _finite(v, 3) for k, v in p.items()} for p in d["pauses"]]
        return {k: _finite(v, 3) if isinstance(v, float) else v for k, v in d.items()}


def _finite(value, digits: int):
    if isinstance(value, float):
        return round(value, digits) if math.isfinite(value) else None
    return value


def _dbfs(linear: float) -> float:
    return 20 * math.log10(linear) if linear > 0 else float("-inf")


def analyze_file(path: str | Path, progress: Callable[[float], None] | None = None,
                 keep_series: bool = True, true_peak: bool = True) -> Analysis:
    """Analyze one recording in a single streaming pass; memory does not grow with its length
    beyond two bytes per 10 ms frame for the pause map and the 100 ms hops (under 2 MB an hour).

    `progress(seconds)` is called after each block with the seconds of audio just read.
    `true_peak=False` skips the oversampled peak (reported as the sample peak): the build's
    split and gains need none of it.
    """
    info = audio_info(path)
    frame_len = max(1, info.sample_rate // 100)
    frame_s = frame_len / info.sample_rate
    kweighted = KWeightedEnergy(info.sample_rate, info.channels, frame_len)
    peak_meter = TruePeak(info.sample_rate, info.channels) if true_peak else None
    stats = SampleStats(info.channels, frame_len)
    expected_frames = info.frames // frame_len + 1
    weighted_levels, unweighted_levels = FrameLevels(expected_frames), FrameLevels(expected_frames)
    weighted_hops, unweighted_hops, silent_hops = Hops(), Hops(), Hops()
    silent_frames = 0
    decoder_errors: list[str] = []
    for block in blocks(path, complaints=decoder_errors):
        weighted = kweighted.update(block)
        if peak_meter is not None:
            peak_meter.update(block)
        unweighted = stats.update(block)
        weighted_levels.append(weighted)
        unweighted_levels.append(unweighted)
        weighted_hops.update(weighted)
        unweighted_hops.update(unweighted)
        silent = unweighted == 0
        silent_hops.update(silent.astype(np.float64))
        silent_frames += int(silent.sum())
        if progress:
            progress(len(block) / info.sample_rate)

    weighted_hop_values = weighted_hops.result()
    loud = loudness_from_hops(weighted_hop_values)
    unweighted_hop_values = unweighted_hops.result()
    pauses = find_pauses(weighted_levels.codes(), unweighted_levels.codes(), frame_s)
    sample_peak = stats.peak
    return Analysis(
        path=str(path), duration_s=stats.samples / info.sample_rate, sample_rate=info.sample_rate,
        channels=info.channels, format=info.format, subtype=info.subtype,
        integrated_lufs=loud.integrated_lufs, loudness_range_lu=loud.loudness_range_lu,
        max_momentary_lufs=loud.max_momentary_lufs, max_short_term_lufs=loud.max_short_term_lufs,
        sample_peak_dbfs=_dbfs(sample_peak),
        true_peak_dbtp=_dbfs(max(float(peak_meter.result().max()), sample_peak) if peak_meter else sample_peak),
        rms_dbfs=10 * math.log10(stats.mean_square) if stats.mean_square > 0 else float("-inf"),
        noise_floor_dbfs=noise_floor(unweighted_hop_values, silent_hops.result() > 0, frame_s * 10),
        dc_offset=[float(v) for v in stats.dc_offset],
        clipped_samples=stats.clipped,
        digital_silence_s=silent_frames * frame_s,
        speech_s=pauses.speech_s, speech_rms_dbfs=pauses.speech_rms_dbfs,
        pause_threshold_db=pauses.threshold_db, pauses=pauses.pauses,
        decoder_errors=len(decoder_errors), decoder_message=decoder_errors[0] if decoder_errors else "",
        power_hops=unweighted_hop_values.astype(np.float32),
        peak_hops=stats.hop_peaks.result(),
        loudness_hops=weighted_hop_values.astype(np.float32),
        momentary_lufs=loud.momentary_lufs if keep_series else None,
        short_term_lufs=loud.short_term_lufs if keep_series else None,
    )


def noise_floor(hops: np.ndarray, touches_silence: np.ndarray, hop_s: float) -> float:
    """RMS (dBFS) of the quietest 0.5 s window (on the 100 ms grid), from unweighted hop means.

    Windows touching digital silence are passed over: they would flatter the room tone.
    """
    width = max(1, min(round(NOISE_WINDOW_S / hop_s), len(hops)))
    if len(hops) == 0:
        return float("-inf")
    c = np.concatenate([[0.0], np.cumsum(hops)])
    s = np.concatenate([[0], np.cumsum(touches_silence)])
    means = (c[width:] - c[:-width]) / width
    clean = means[((s[width:] - s[:-width]) == 0) & (means > 0)]
    means = clean if len(clean) else means[means > 0]
    return float(10 * np.log10(means.min())) if len(means) else float("-inf")
