"""An AAC stream's true peak measured while it is being encoded: its ADTS frames, as the encoder
writes them, go both to the file and to an ffmpeg decoder started with it, whose samples a
thread meters as they come (analysis.peaks: the meter `check` reads the M4B with). The peak is
known when the stream closes: no ffmpeg is started afterwards to decode the finished file, and
the decoding runs beside the rendering instead of after it."""

from __future__ import annotations

import subprocess
import tempfile
import threading

import numpy as np

from audiobook.analysis.peaks import TruePeak
from audiobook.errors import InputError
from audiobook.files import uninterrupted

CHUNK = 1 << 16


class DecodedPeak:
    """Feed ADTS bytes with `feed`, then `finish()`: the true peak (dBTP) of what ffmpeg decodes from
    them, the same figure as `analysis.analyze_file` on the stream (and `aac_peak_dbtp`)."""

    def __init__(self, ffmpeg: str, rate: int, channels: int):

        self.channels = channels
        self._meter, self._sample_peak = TruePeak(rate, channels), 0.0
        self._log = tempfile.TemporaryFile()
        with uninterrupted():  # stopped half-way through Popen, its ffmpeg would live on unknown to us
            self._proc = subprocess.Popen([ffmpeg, "-v", "error", "-nostdin", "-f", "aac", "-i", "pipe:0", "-f", "f32le",
                                           "-ac", str(channels), "-ar", str(rate), "pipe:1"],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log)
        self._error: BaseException | None = None
        self._broken: OSError | None = None  # the decoder's pipe, broken
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        frame = 4 * self.channels
        pending = b""
        try:
            while data := self._proc.stdout.read(CHUNK * frame):
                data = pending + data
                whole = len(data) // frame * frame
                pending = data[whole:]
                block = np.frombuffer(data[:whole], "<f4").reshape(-1, self.channels)
                if len(block):
                    self._meter.update(block)
                    self._sample_peak = max(self._sample_peak, float(np.abs(block).max()))
        except BaseException as exc:  # handed to `finish`
            self._error = exc

    def feed(self, data: bytes) -> None:
        """More of the stream; should the decoder have gone, `finish` says why (the file is written on)."""
        if self._broken is None:
            try:
                self._proc.stdin.write(data)
            except OSError as exc:
                self._broken = exc

    def finish(self, what: str) -> float:
        """The decoded stream's true peak, dBTP (what: the stream, for the message should ffmpeg fail)."""
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        self._thread.join()
        code = self._proc.wait()
        if self._error is not None:
            raise self._error
        if code != 0 or self._broken is not None:
            self._log.seek(0)
            said = self._log.read().decode(errors="replace").strip().splitlines()
            raise InputError(f"{what}: ffmpeg cannot decode the AAC it encoded ({said[-1][:200] if said else code})")
        self._log.close()
        peak = max(float(self._meter.result().max()), self._sample_peak)
        return 20 * np.log10(peak) if peak > 0 else float("-inf")

    def abort(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        self._proc.wait()
        self._thread.join(timeout=5)
        self._log.close()
