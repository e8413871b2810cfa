"""Per-frame bookkeeping for streaming analysis: 10 ms frame means, 100 ms hops, compact levels."""

from __future__ import annotations

import numpy as np


def frame_mean_squares(block: np.ndarray, frame_len: int) -> np.ndarray:
    """Mean square, summed over channels, of each whole frame of `block` (frames, channels),
    in float64; the squares of a frame summed in float32 (see FrameEnergy)."""
    n = len(block) // frame_len
    width = frame_len * (block.shape[1] if block.ndim > 1 else 1)  # said, not left to -1: numpy cannot infer it for 0 frames
    body = np.ascontiguousarray(block[: n * frame_len]).reshape(n, width)
    return np.einsum("ij,ij->i", body, body).astype(np.float64) / frame_len


class FrameEnergy:
    """Mean square (summed over channels) of consecutive frames of `frame_len` samples.

    `update(block)` returns the frames the block completed; the samples of an unfinished
    frame wait for the next block. Each frame's squares are summed in float32 (441 of them:
    a relative error under 1e-5, 0.0001 dB) and the frames kept in float64: a frame at a
    time, numpy's fastest way to it.
    """

    def __init__(self, frame_len: int):
        self.frame_len = frame_len
        self._rest: np.ndarray | None = None

    def update(self, block: np.ndarray) -> np.ndarray:
        data = np.concatenate([self._rest, block]) if self._rest is not None and len(self._rest) else block
        n = len(data) // self.frame_len
        self._rest = data[n * self.frame_len:].copy()
        return frame_mean_squares(data[: n * self.frame_len], self.frame_len)

    def pending_sum(self) -> float:
        """Sum of squares of the samples waiting for their frame to be completed."""
        return float(np.square(self._rest, dtype=np.float64).sum()) if self._rest is not None else 0.0


class FrameLevels:
    """Per-frame levels for a whole recording in two bytes a frame: hundredths of a dB.

    Ten-millisecond frames of a 12-hour recording take 8.6 MB this way; 0 means digital
    silence. Given the number of frames to expect, the array is made once and filled in,
    so the levels are never copied.
    """

    STEPS_PER_DB = 100
    FLOOR_DB = -200.0
    MAX_CAPACITY = 24 * 360_000  # frames made at once: 24 hours' (17 MB); a header that claims more is grown into

    def __init__(self, capacity: int = 0) -> None:
        self._codes = np.zeros(min(max(capacity, 0), self.MAX_CAPACITY), dtype=np.uint16)
        self._n = 0

    def append(self, power: np.ndarray) -> None:
        with np.errstate(divide="ignore"):
            db = 10 * np.log10(power)
        q = np.clip(np.round((db - self.FLOOR_DB) * self.STEPS_PER_DB), 0, 65535)
        codes = np.where(power > 0, np.maximum(q, 1), 0).astype(np.uint16)
        if self._n + len(codes) > len(self._codes):  # more than announced: grow
            self._codes = np.concatenate([self._codes[: self._n], np.zeros(len(codes) + self._n, np.uint16)])
        self._codes[self._n: self._n + len(codes)] = codes
        self._n += len(codes)

    def codes(self) -> np.ndarray:
        return self._codes[: self._n]

    @classmethod
    def to_db(cls, codes: np.ndarray | int) -> np.ndarray | float:
        return np.asarray(codes, dtype=np.float32) / cls.STEPS_PER_DB + cls.FLOOR_DB

    @classmethod
    def to_code(cls, db: float) -> int:
        return int(np.clip(round((db - cls.FLOOR_DB) * cls.STEPS_PER_DB), 0, 65535))


class Hops:
    """Means over 100 ms hops (ten 10 ms frames), kept for the whole recording: 0.3 MB an hour."""

    def __init__(self, frames_per_hop: int = 10):
        self.frames_per_hop = frames_per_hop
        self._rest = np.zeros(0, dtype=np.float64)
        self._chunks: list[np.ndarray] = []

    def update(self, frames: np.ndarray) -> None:
        data = np.concatenate([self._rest, frames]) if len(self._rest) else frames
        n = len(data) // self.frames_per_hop
        self._chunks.append(data[: n * self.frames_per_hop].reshape(n, self.frames_per_hop).mean(axis=1))
        self._rest = np.array(data[n * self.frames_per_hop:], dtype=np.float64)

    def result(self) -> np.ndarray:
        return np.concatenate(self._chunks) if self._chunks else np.zeros(0)
