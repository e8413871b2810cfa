"""Sample-rate conversion block by block: a polyphase resampler whose blocks join seamlessly."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy.signal import firwin, resample_poly


class Resampler:
    """Convert a stream from `rate_in` to `rate_out` with scipy's polyphase filter (Kaiser window).

    Each chunk is resampled with a margin of input on both sides and only its middle kept,
    so the result equals resampling the whole stream at once, without holding it.
    """

    def __init__(self, rate_in: int, rate_out: int, channels: int):
        ratio = Fraction(rate_out, rate_in)
        self.up, self.down = ratio.numerator, ratio.denominator
        self.identity = self.up == self.down
        # resample_poly's filter reaches 10 * max(up, down) / up input samples each side
        reach = 10 * max(self.up, self.down) // self.up + 2
        self.margin = -(-reach // self.down) * self.down  # whole multiples of `down` keep the grids aligned
        # resample_poly's own filter (Kaiser, beta 5), designed once rather than on every block
        self._filter = firwin(2 * 10 * max(self.up, self.down) + 1, 1.0 / max(self.up, self.down),
                              window=("kaiser", 5.0)) if not self.identity else None
        self._buf = np.zeros((self.margin, channels), dtype=np.float64)  # silence before the start
        self._pending = np.zeros((0, channels), dtype=np.float64)

    def _run(self, data: np.ndarray, keep_in: int, skip_in: int) -> np.ndarray:
        y = resample_poly(data, self.up, self.down, axis=0, window=self._filter)
        return y[skip_in * self.up // self.down: (skip_in + keep_in) * self.up // self.down]

    def process(self, block: np.ndarray) -> np.ndarray:
        if self.identity:
            return block
        self._pending = np.concatenate([self._pending, block])
        usable = (len(self._pending) - self.margin) // self.down * self.down
        if usable <= 0:
            return np.zeros((0, block.shape[1]))
        data = np.concatenate([self._buf, self._pending[: usable + self.margin]])
        out = self._run(data, usable, self.margin)
        self._buf = self._pending[usable - self.margin: usable]
        self._pending = self._pending[usable:]
        return out

    def flush(self) -> np.ndarray:
        if self.identity or not len(self._pending):
            return np.zeros((0, self._pending.shape[1]))
        n = len(self._pending)
        pad = (-n) % self.down
        data = np.concatenate([self._buf, self._pending, np.zeros((pad + self.margin, self._pending.shape[1]))])
        out = self._run(data, n + pad, self.margin)
        self._pending = self._pending[:0]
        return out[: -(-n * self.up // self.down)]  # as many as resample_poly gives: ceil(n * up / down)
