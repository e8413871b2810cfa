"""The recordings as one timeline: session files in order, with their pauses in timeline seconds."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from audiobook.analysis import Analysis


@dataclass(frozen=True)
class Gap:
    """A stretch without speech on the timeline: a pause, or the room tone around a file change."""

    start_s: float
    end_s: float
    file_change: bool = False  # the timeline passes from one recording to the next inside it

    @property
    def length_s(self) -> float:
        return self.end_s - self.start_s


class Timeline:
    """Session files played one after another; times are seconds from the first file's start."""

    def __init__(self, analyses: list[Analysis]):
        self.analyses = analyses
        self.offsets = np.concatenate([[0.0], np.cumsum([a.duration_s for a in analyses])])
        self.duration_s = float(self.offsets[-1])
        self.gaps = self._gaps()
        # cumulative speech at each gap's start, for predicting where a chapter ends
        speech = []
        done, last = 0.0, 0.0
        for g in self.gaps:
            done += g.start_s - last
            speech.append(done)
            last = g.end_s
        self.speech_before = np.array(speech)
        self.speech_s = done + (self.duration_s - last)

    def _gaps(self) -> list[Gap]:
        gaps: list[Gap] = []
        for n, a in enumerate(self.analyses):
            base = float(self.offsets[n])
            for p in a.pauses:
                gap = Gap(base + p.start_s, base + p.end_s)
                if gaps and gaps[-1].end_s >= gap.start_s - 0.05:  # a file's tail meets the next one's head (frames end up to 10 ms short)
                    gap = Gap(gaps[-1].start_s, gap.end_s, file_change=True)
                    gaps[-1] = gap
                else:
                    gaps.append(gap)
        return gaps

    def without_analyses(self) -> Timeline:
        """A copy with the gaps and offsets only: light enough to send to a worker process."""
        light = object.__new__(Timeline)
        light.__dict__.update({**self.__dict__, "analyses": []})
        return light

    def locate(self, t: float) -> tuple[int, float]:
        """(file index, seconds into that file) of timeline time `t`."""
        n = min(max(bisect_right(list(self.offsets), t) - 1, 0), len(self.analyses) - 1)
        return n, t - float(self.offsets[n])

    def speech_between(self, a: float, b: float) -> float:
        """Seconds of speech between timeline times `a` and `b`."""
        total = b - a
        for g in self.gaps:
            if g.end_s <= a or g.start_s >= b:
                continue
            total -= min(g.end_s, b) - max(g.start_s, a)
        return max(total, 0.0)

    def gap_at(self, t: float) -> Gap | None:
        for g in self.gaps:
            if g.start_s <= t <= g.end_s:
                return g
        return None

    def spans(self, a: float, b: float) -> list[tuple[int, float, float]]:
        """The pieces of files that make up timeline [a, b]: (file index, start, end) in file seconds."""
        out = []
        for n in range(len(self.analyses)):
            lo, hi = float(self.offsets[n]), float(self.offsets[n + 1])
            if hi <= a or lo >= b:
                continue
            out.append((n, max(a, lo) - lo, min(b, hi) - lo))
        return out

    def after_speech(self, t: float, speech_s: float) -> float:
        """The timeline time at which `speech_s` seconds of speech have passed since `t`."""
        left = speech_s
        for g in self.gaps:
            if g.end_s <= t:
                continue
            start = max(g.start_s, t)
            if start - t >= left:
                break
            left -= start - t
            t = g.end_s
        return min(t + left, self.duration_s)

    def gap_ending_near(self, t: float, before_s: float = 0.4, after_s: float = 0.3) -> Gap | None:
        """The pause whose end (where speech resumes) lies nearest `t`, within the bounds given."""
        near = [g for g in self.gaps if t - before_s <= g.end_s <= t + after_s]
        return min(near, key=lambda g: abs(g.end_s - t)) if near else None
