"""Writing through libsndfile (the soundfile wheel): FLAC, Ogg Vorbis, Ogg Opus, WAV."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np
import soundfile as sf


class SoundfileWriter:
    def __init__(self, file: BinaryIO, rate: int, channels: int, container: str, subtype: str, integer_pcm: bool):
        self.integer_pcm = integer_pcm
        self._sf = sf.SoundFile(file, "w", rate, channels, format=container, subtype=subtype)

    def write(self, block: np.ndarray) -> None:
        self._sf.write(block if self.integer_pcm else block.astype(np.float32))

    def finish(self, samples: int) -> None:
        self._sf.close()


def writer(container: str, subtype: str, integer_pcm: bool):
    """An `open_writer` for a Format: (file, path, rate, channels, kbps) -> SoundfileWriter."""

    def open_writer(file: BinaryIO, path: Path, rate: int, channels: int, kbps: int) -> SoundfileWriter:
        return SoundfileWriter(file, rate, channels, container, subtype, integer_pcm)

    return open_writer
