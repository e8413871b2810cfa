"""Sample-rate conversion block by block, through libsoxr (the `soxr` wheel).

SoX's resampler at its "high quality" setting: 20-bit precision, flat to 91 % of the output's
Nyquist frequency (20 kHz at 44.1 kHz), aliasing below its noise, and 2.2x faster here than
scipy's polyphase `resample_poly` when it replaced it (measured then, not since). Its
stream carries the filter's state from block to block, so the blocks join seamlessly.
"""

from __future__ import annotations

import numpy as np
import soxr

QUALITY = "HQ"


class Resampler:
    """Convert a float32 stream of (frames, channels) blocks from `rate_in` to `rate_out`."""

    def __init__(self, rate_in: int, rate_out: int, channels: int):
        self.identity = rate_in == rate_out
        self.channels = channels
        self._stream = None if self.identity else soxr.ResampleStream(rate_in, rate_out, channels, dtype="float32",
                                                                       quality=QUALITY)

    def process(self, block: np.ndarray) -> np.ndarray:
        if self.identity:
            return block
        return self._stream.resample_chunk(np.ascontiguousarray(block, dtype=np.float32))

    def flush(self) -> np.ndarray:
        if self.identity:
            return np.zeros((0, self.channels), dtype=np.float32)
        return self._stream.resample_chunk(np.zeros((0, self.channels), dtype=np.float32), last=True)
