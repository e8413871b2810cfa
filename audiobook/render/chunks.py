"""Streamed edits that need to see around them: the stream cut into chunks on a grid fixed to it,
each decided with the original samples either side, the edits landing in the output in time."""

from __future__ import annotations

import numpy as np


class ChunkedEdit:
    """Base of a streamed stage whose decisions read `context` samples of the original either side of
    a `chunk`-sample chunk, chunks lying on a grid fixed to the stream (its first sample is 0).

    A subclass's `_edit(x, y, gain, lo, hi)` sees the original `x` (samples x channels) from
    `context` before the chunk to `context` after it, the chunk being `x[lo:hi]`; it decides the
    events anchored in the chunk, and writes their repairs into `y` (the output, the same span) or
    lowers `gain` (per sample, 1 where untouched), anywhere in the span. What comes out is `y * gain`.

    An event is decided once, in the chunk its anchor falls in, from samples of the original
    only: the result does not depend on how the stream is cut into blocks, to the sample. What
    is not edited leaves exactly as it came. The first calls return fewer samples than they are
    given (`chunk` + 2 `context` held back at most), `flush()` the rest.
    """

    def __init__(self, channels: int, chunk: int, context: int):
        self.channels, self.chunk, self.context = channels, chunk, context
        # the buffers start at stream sample `_lo`: the stream is read as if silence came first
        self._lo = -context
        self._x = np.zeros((context, channels), dtype=np.float32)
        self._y = self._x.copy()
        self._gain = np.ones(context, dtype=np.float32)
        self._next = 0  # the next chunk to decide
        self._origin = 0
        self._taken = 0
        self._given = 0
        self.delay = chunk + 2 * context

    def process(self, block: np.ndarray) -> np.ndarray:
        block = np.asarray(block, dtype=np.float32)
        if block.ndim == 1:
            block = block[:, None]
        self._taken += len(block)
        self._x = np.concatenate([self._x, block])
        self._y = np.concatenate([self._y, block])
        self._gain = np.concatenate([self._gain, np.ones(len(block), dtype=np.float32)])
        c, s = self.context, self.chunk
        while self._lo + len(self._x) >= (self._next + 1) * s + c:
            self._origin = self._next * s - c  # the stream's sample at x[0], for the records of subclasses
            a = self._origin - self._lo  # the chunk's span with its context, in the buffers
            b = a + s + 2 * c
            self._edit(self._x[a:b], self._y[a:b], self._gain[a:b], c, c + s)
            self._next += 1
        # final: everything before the next chunk's context, which that chunk may still edit
        final = self._next * self.chunk - c - self._lo
        if final <= 0:
            return np.zeros((0, self.channels), dtype=np.float32)
        out = self._y[:final] * self._gain[:final, None]
        self._x, self._y, self._gain = self._x[final:], self._y[final:], self._gain[final:]
        start = max(0, -self._lo)  # the silence read before the stream never leaves
        self._lo += final
        out = out[start:][:max(0, self._taken - self._given)]
        self._given += len(out)
        return np.ascontiguousarray(out)

    def flush(self) -> np.ndarray:
        """The samples still held back: as many as were given, in all."""
        taken = self._taken
        parts = [np.zeros((0, self.channels), dtype=np.float32)]
        while self._given < taken:  # silence after the stream, until every sample is decided
            parts.append(self.process(np.zeros((self.chunk, self.channels), dtype=np.float32)))
            self._taken = taken
        tail = np.concatenate(parts)
        over = self._given - taken
        if over > 0:
            tail = tail[:len(tail) - over]
            self._given -= over
        return tail

    def _edit(self, x: np.ndarray, y: np.ndarray, gain: np.ndarray, lo: int, hi: int) -> None:
        raise NotImplementedError
