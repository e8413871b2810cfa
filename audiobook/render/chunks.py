"""Streamed edits that need to see around them: the stream cut into chunks on a grid fixed to it,
each decided with the original samples either side, the edits landing in the output in time."""

from __future__ import annotations

import numpy as np


class ChunkedEdit:
    """Base of a streamed stage whose decisions read `context` samples of the original either side of
    a `chunk`-sample chunk, chunks lying on a grid fixed to the stream (its first sample is 0).

    A subclass's `_edit(x, lo, hi)` sees the original `x` (samples x channels) from `context`
    before the chunk to `context` after it, the chunk being `x[lo:hi]` and `x[0]` the stream's
    sample `self._origin`; it decides the events anchored in the chunk, and keeps what it will
    do to them (anywhere in that span). Its `_apply(out, at)` then does it to each block as it
    leaves (`out`, the stream's samples from `at`, to change in place).

    An event is decided once, in the chunk its anchor falls in, from samples of the original
    only: the result does not depend on how the stream is cut into blocks, to the sample. What
    is not edited leaves exactly as it came. The first calls return fewer samples than they are
    given (`chunk` + 2 `context` held back at most), `flush()` the rest.
    """

    def __init__(self, channels: int, chunk: int, context: int):
        self.channels, self.chunk, self.context = channels, chunk, context
        # the buffer starts at stream sample `_lo`: the stream is read as if silence came first
        self._lo = -context
        self._x = np.zeros((context, channels), dtype=np.float32)
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
        c, s = self.context, self.chunk
        while self._lo + len(self._x) >= (self._next + 1) * s + c:
            self._origin = self._next * s - c
            a = self._origin - self._lo  # the chunk's span with its context, in the buffer
            self._edit(self._x[a:a + s + 2 * c], c, c + s)
            self._next += 1
        # final: everything before the next chunk's context, which that chunk may still edit
        final = self._next * s - c - self._lo
        if final <= 0:
            return np.zeros((0, self.channels), dtype=np.float32)
        out = self._x[:final]  # never read again: the caller may change it in place
        self._apply(out, self._lo)
        self._x = self._x[final:]
        start = max(0, -self._lo)  # the silence read before the stream never leaves
        self._lo += final
        out = out[start:][:max(0, self._taken - self._given)]
        self._given += len(out)
        return out

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

    def _edit(self, x: np.ndarray, lo: int, hi: int) -> None:
        raise NotImplementedError

    def _apply(self, out: np.ndarray, at: int) -> None:
        raise NotImplementedError
