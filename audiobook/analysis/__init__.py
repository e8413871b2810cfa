"""Streaming analysis of recordings: loudness, true peak, ACX figures and the pause map, in one pass."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from audiobook.analysis.analyze import Analysis, analyze_file
from audiobook.analysis.pauses import Pause, PauseMap
from audiobook.analysis.reader import AudioInfo, audio_info, blocks
from audiobook.parallel import Report, WorkerPool, run_parallel

__all__ = ["Analysis", "AudioInfo", "Pause", "PauseMap", "analyze_file", "analyze_files", "audio_info", "blocks"]


def _analyze_reporting(path: str, progress: Report, keep_series: bool, true_peak: bool) -> Analysis:
    return analyze_file(path, progress=progress, keep_series=keep_series, true_peak=true_peak)


def analyze_files(paths: Sequence[str | Path], *, jobs: int | None = None, keep_series: bool = False,
                  on_progress: Callable[[float, float], None] | None = None, pool: WorkerPool | None = None,
                  true_peak: bool = True) -> list[Analysis]:
    """Analyze recordings in parallel processes (default: every core); results in the given order.

    Every file is opened first, so an unreadable one is reported before any work starts.
    `on_progress(seconds_done, seconds_total)` is called as audio is read.
    """
    infos = [audio_info(p) for p in paths]
    total = sum(i.duration_s for i in infos)
    return run_parallel(partial(_analyze_reporting, keep_series=keep_series, true_peak=true_peak),
                        [str(p) for p in paths],
                        total=total, jobs=jobs, on_progress=on_progress, pool=pool)
