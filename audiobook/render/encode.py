"""Encoders: MP3 through LAME (the lameenc wheel), FLAC/Ogg/WAV through soundfile; atomic files.

MP3 goes through lameenc rather than libsndfile's own LAME because it is 3.5x faster on
the same input (README, Performance); both are LAME, CBR at the bitrate asked.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from audiobook.files import TEMP_SUFFIX
from audiobook.mp3frames import frame_length
from audiobook.render.dsp import Dither
from audiobook.render.m4b import AacStream
from audiobook.render.mp3info import info_frame

LAME_GAIN_DB = -0.26  # LAME at 192 kbps scales its input by 0.970; the build makes up for it
EXTENSIONS = {"mp3": ".mp3", "flac": ".flac", "ogg": ".ogg", "opus": ".opus", "wav": ".wav"}


class Encoder:
    """Write float blocks in [-1, 1] to a temporary file; `close()` renames it into place."""

    def __init__(self, path: Path, fmt: str, rate: int, channels: int, bitrate_kbps: int, seed: int = 0,
                 aac: AacStream | None = None):
        """`aac`: also encode the same dithered samples to AAC, for the M4B (see render.m4b)."""
        self.path = Path(path)
        self.fmt = fmt
        self.dither = Dither(np.random.default_rng(seed))
        self.aac = aac
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=TEMP_SUFFIX, dir=self.path.parent)
        self.tmp = Path(tmp)
        self._file = os.fdopen(fd, "wb")
        self.frames = 0
        if fmt == "mp3":
            import lameenc

            self._lame = lameenc.Encoder()
            self._lame.set_bit_rate(bitrate_kbps)
            self._lame.set_in_sample_rate(rate)
            self._lame.set_out_sample_rate(rate)
            self._lame.set_channels(channels)
            self._lame.set_quality(3)  # LAME -q 3: high quality at twice the speed of -q 2 (scripts/bench.py encoders)
            self._sf = None
            self._placeholder = frame_length(bitrate_kbps, rate)  # an unpadded frame
            self._file.write(bytes(self._placeholder))  # where the Info frame goes once the length is known
        else:
            formats = {"flac": ("FLAC", "PCM_16"), "wav": ("WAV", "PCM_16"), "ogg": ("OGG", "VORBIS"),
                       "opus": ("OGG", "OPUS")}
            container, subtype = formats[fmt]
            self._sf = sf.SoundFile(self._file, "w", rate, channels, format=container, subtype=subtype)

    def write(self, block: np.ndarray) -> None:
        if not len(block):
            return
        self.frames += len(block)
        try:
            pcm = self.dither.quantise(block) if self.fmt in ("mp3", "flac", "wav") or self.aac else None
            if self.aac is not None:
                self.aac.write(pcm)
            if self._sf is None:
                self._file.write(self._lame.encode(pcm.tobytes()))
            elif self.fmt in ("flac", "wav"):
                self._sf.write(pcm)
            else:
                self._sf.write(block.astype(np.float32))
        except OSError as exc:
            self.abort()
            raise OSError(exc.errno, exc.strerror, str(self.path)) from None

    def close(self, before_rename=None) -> Path:
        """Finish the file; `before_rename(tmp_path)` may tag it first, so the file appears whole."""
        try:
            if self._sf is None:
                self._file.write(self._lame.flush())
                self._file.flush()
                self._file.seek(0)
                self._file.write(info_frame(self.tmp, self.frames, skip=self._placeholder))
            else:
                self._sf.close()
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            if before_rename is not None:
                before_rename(self.tmp)
            if self.aac is not None:
                self.aac.close()
            os.chmod(self.tmp, 0o644)
            os.replace(self.tmp, self.path)
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
