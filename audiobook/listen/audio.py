"""Stretches of the recordings as the recogniser hears them: 16 kHz mono, read on demand."""

from __future__ import annotations

import numpy as np
import soxr

from audiobook.analysis.reader import audio_info
from audiobook.listen.listener import SAMPLE_RATE


class Recordings:
    """The session files of a timeline, open for reading short stretches at any time."""

    def __init__(self, paths: list[str], offsets: list[float]):
        self.paths = [str(p) for p in paths]
        self.offsets = list(offsets)  # timeline time at which each file starts
        self._open: dict = {}  # file number -> its open SoundFile

    def close(self) -> None:
        for f in self._open.values():
            f.close()
        self._open.clear()

    def read(self, start_s: float, end_s: float) -> np.ndarray:
        """Timeline [start_s, end_s] at 16 kHz mono float32 (across a file change, joined)."""
        pieces = []
        for n, path in enumerate(self.paths):
            lo, hi = self.offsets[n], self.offsets[n + 1]
            if hi <= start_s or lo >= end_s:
                continue
            f = self._open.get(n)
            if f is None:
                f = self._open[n] = audio_info(path).open()
            a = int(max(0.0, start_s - lo) * f.samplerate)
            b = int(min(hi - lo, end_s - lo) * f.samplerate)
            f.seek(min(a, f.frames))
            x = f.read(max(0, b - a), dtype="float32", always_2d=True).mean(axis=1)
            if f.samplerate != SAMPLE_RATE and len(x):
                x = soxr.resample(x, f.samplerate, SAMPLE_RATE, quality="MQ")
            pieces.append(x.astype(np.float32, copy=False))
        return np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
