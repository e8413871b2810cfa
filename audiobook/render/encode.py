"""Writing a track: dithered (for formats that take integers) and encoded block by block into a
temporary file, renamed into place when whole. What each format does is its own module's
(audiobook.formats)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from audiobook import formats
from audiobook.files import TEMP_SUFFIX, writing, written
from audiobook.render.dsp import Dither
from audiobook.render.m4b import AacStream


class Encoder:
    """Write float blocks in [-1, 1] to a temporary file; `close()` renames it into place."""

    def __init__(self, path: Path, fmt: str, rate: int, channels: int, bitrate_kbps: int, seed: int = 0,
                 aac: AacStream | None = None):
        """`aac`: also encode the same dithered samples to AAC, for the M4B (see render.m4b)."""
        self.path = Path(path)
        self.fmt = fmt
        self.dither = Dither(np.random.default_rng(seed))
        self.aac = aac
        self.tmp, self._file = self._open_temp()
        self.frames = 0
        try:
            self._writer = formats.get(fmt).open_writer(self._file, self.tmp, rate, channels, bitrate_kbps)
        except BaseException:  # a stop while starting (SIGTERM's SystemExit) leaves no temporary file
            self._file.close()
            self.tmp.unlink(missing_ok=True)
            raise

    def _open_temp(self):
        """A new file beside the track's, hidden until it is whole: (its path, open for writing)."""
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=TEMP_SUFFIX, dir=self.path.parent)
        writing(tmp)
        return Path(tmp), os.fdopen(fd, "wb")

    def write(self, block: np.ndarray) -> None:
        if not len(block):
            return
        self.frames += len(block)
        try:
            pcm = self.dither.quantise(block) if self._writer.integer_pcm or self.aac else None
            if self.aac is not None:
                self.aac.write(pcm)
            self._writer.write(pcm if self._writer.integer_pcm else block)
        except OSError as exc:
            self.abort()
            raise OSError(exc.errno, exc.strerror, str(self.path)) from None

    def close(self, before_rename=None) -> Path:
        """Finish the file; `before_rename(tmp_path)` may tag it first, so the file appears whole."""
        try:
            self._writer.finish(self.frames)
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            if self.aac is not None:  # first: `before_rename` may measure it too
                self.aac.close()
            if before_rename is not None:
                before_rename(self.tmp)
            os.chmod(self.tmp, 0o644)
            os.replace(self.tmp, self.path)
            written(self.tmp)
        except OSError as exc:
            self.abort()
            raise OSError(exc.errno, exc.strerror, str(self.path)) from None
        return self.path

    def abort(self) -> None:
        if self.aac is not None:
            self.aac.abort()
        try:
            self._file.close()
        except OSError:
            pass
        self.tmp.unlink(missing_ok=True)
        written(self.tmp)
