"""The one-file audiobook: every track in an M4B (AAC), with a chapter for every chapter and section.

libsndfile cannot write AAC, so ffmpeg does (the system's, or the imageio-ffmpeg wheel's).
Each track is encoded to AAC as it is rendered, from the same samples as its MP3, fed
through a pipe block by block (AacStream), in parallel like the tracks; the M4B joins
those streams (ADTS frames join as they are) and a copy-only ffmpeg pass adds the chapters
(timed on the samples actually written), tags and cover. No audio is encoded twice, the
book is never held in memory, and the file takes its name only when complete.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audiobook.analysis.peaks import TruePeak
from audiobook.analysis.reader import ffmpeg_blocks
from audiobook.errors import InputError
from audiobook.ffmpeg import find_ffmpeg
from audiobook.files import TEMP_SUFFIX, uninterrupted, writing, written
from audiobook.parallel import Report
from audiobook.render.aacpeak import DecodedPeak
from audiobook.tags.metadata import Chapter, ending

AAC_BITRATE = "96k"  # transparent for speech, a third of the MP3s' size
PRIMING = 1024  # samples ffmpeg's AAC encoder puts before the audio of every stream


@dataclass
class M4bTrack:
    path: str  # the track's AAC stream
    title: str
    markers: list[Chapter]  # seconds into the track; the first at 0


def _escape(value: str) -> str:
    """FFMETADATA escaping: '=', ';', '#', '\\' and newlines take a backslash."""
    out = str(value)
    for ch in ("\\", "=", ";", "#", "\n"):
        out = out.replace(ch, "\\" + ch)
    return out


def ffmetadata(tags: dict[str, str], chapters: list[Chapter]) -> str:
    lines = [";FFMETADATA1"] + [f"{k}={_escape(v)}" for k, v in tags.items() if v]
    for c in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={int(round(c.start_s * 1000))}",
                  f"END={int(round(c.end_s * 1000))}", f"title={_escape(c.title)}"]
    return "\n".join(lines) + "\n"


class AacStream:
    """One track's samples encoded to AAC (ADTS) by an ffmpeg fed through a pipe, beside its MP3:
    the M4B is then these streams joined, each encoded once from the master, in parallel.

    `gain_db` undoes a level change made for the other encoder (LAME's −0.26 dB made up for).
    `measure`: the stream is also decoded as it is encoded (render.aacpeak), and its true peak is
    `peak_dbtp` once closed. The file appears at `path` only when complete.
    """

    def __init__(self, path: str | Path, rate: int, channels: int, gain_db: float = 0.0, ffmpeg: str | None = None,
                 measure: bool = False):
        ffmpeg = ffmpeg or find_ffmpeg()
        if ffmpeg is None:
            raise InputError("no AAC encoder for the M4B: install ffmpeg or `pip install imageio-ffmpeg`")
        self.path = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=TEMP_SUFFIX, dir=self.path.parent)
        self._out = os.fdopen(fd, "wb")
        self.tmp = Path(tmp)
        writing(self.tmp)
        self._proc = self._peak = self._pump = None
        self.peak_dbtp: float | None = None
        self._pump_error: BaseException | None = None
        try:  # a stop (SIGTERM: SystemExit) while starting leaves no temporary file behind
            self._log = tempfile.TemporaryFile()
            cmd = [ffmpeg, "-hide_banner", "-nostats", "-y", "-f", "s16le", "-ar", str(rate), "-ac", str(channels),
                   "-i", "pipe:0"]
            if gain_db:
                cmd += ["-af", f"volume={gain_db:.4f}dB"]
            cmd += ["-c:a", "aac", "-aac_coder", "fast", "-b:a", AAC_BITRATE, "-f", "adts", "pipe:1"]
            if measure:

                self._peak = DecodedPeak(ffmpeg, rate, channels)
            # held back while ffmpeg starts: stopped half-way through Popen, its ffmpeg would live on
            # unknown to us, and write the file after we removed it
            with uninterrupted():
                self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log)
            self._pump = threading.Thread(target=self._copy, daemon=True)
            self._pump.start()
        except BaseException:
            self.abort()
            raise

    def _copy(self) -> None:
        """The encoder's ADTS frames to the file, and to the decoder that measures them."""
        try:
            while data := self._proc.stdout.read(1 << 16):
                if self._pump_error is None:  # else drained all the same: the encoder must not wait on us
                    try:
                        self._out.write(data)
                    except OSError as exc:  # handed to `close`
                        self._pump_error = exc
                if self._peak is not None:
                    self._peak.feed(data)
        except BaseException as exc:
            self._pump_error = exc

    def write(self, pcm: np.ndarray) -> None:
        self._proc.stdin.write(pcm.tobytes())

    def close(self) -> Path:
        self._proc.stdin.close()
        code = self._proc.wait()
        self._pump.join()
        if code != 0 or self._pump_error is not None:
            self._log.seek(0)
            message = self._log.read().decode(errors="replace")[-500:] or str(self._pump_error)
            self.abort()
            raise InputError(f"{self.path}: ffmpeg could not encode AAC for the M4B: {message}")
        self._log.close()
        self._out.close()
        if self._peak is not None:
            try:
                self.peak_dbtp = self._peak.finish(str(self.path))
            except BaseException:
                self.abort()
                raise
        os.replace(self.tmp, self.path)
        written(self.tmp)
        return self.path

    def abort(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        if self._peak is not None:  # first: the pump may be writing to it
            self._peak.abort()
        if self._pump is not None:
            self._pump.join(timeout=5)
        if getattr(self, "_log", None) is not None:
            self._log.close()
        self._out.close()
        self.tmp.unlink(missing_ok=True)
        written(self.tmp)


def aac_peak_dbtp(path: str | Path, rate: int, channels: int) -> float:
    """An AAC stream's true peak (dBTP) as ffmpeg decodes it, block by block: the same meter and
    decoder that measure the M4B in `check` (analysis.peaks, analysis.reader)."""

    meter, sample_peak = TruePeak(rate, channels), 0.0
    for block in ffmpeg_blocks(path, rate, channels):
        meter.update(block)
        if len(block):
            sample_peak = max(sample_peak, float(np.abs(block).max()))
    peak = max(float(meter.result().max()), sample_peak)
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def _copy_adts(src: Path, dst, chunk: int = 1 << 20) -> int:
    """Append the ADTS stream `src` to the open file `dst`; returns its samples (1024 a block)."""
    samples, pending = 0, b""
    with open(src, "rb") as f:
        while data := f.read(chunk):
            dst.write(data)
            pending += data
            i = 0
            while i + 7 <= len(pending):
                if pending[i] != 0xFF or pending[i + 1] & 0xF0 != 0xF0:
                    raise InputError(f"{src}: not an ADTS AAC stream — delete it and build again")
                length = ((pending[i + 3] & 0x03) << 11) | (pending[i + 4] << 3) | (pending[i + 5] >> 5)
                if i + length > len(pending):
                    break
                samples += 1024 * ((pending[i + 6] & 0x03) + 1)
                i += length
            pending = pending[i:]
    return samples


def write_m4b(out_path: str | Path, tracks: list[M4bTrack], tags: dict[str, str], cover: str | Path | None = None,
              rate: int = 44100, ffmpeg: str | None = None, progress: Report | None = None,
              inspect=None) -> list[Chapter]:
    """Join the tracks' AAC streams (`M4bTrack.path`, written by AacStream) into the M4B, with a
    chapter for every chapter and section and the book's tags and cover; no audio is encoded
    again. Returns its chapters, in seconds into the book. `inspect(tmp_path)`: called on the
    finished file before it takes its name; whatever it raises leaves the M4B there as it was."""
    ffmpeg = ffmpeg or find_ffmpeg()
    if ffmpeg is None:
        raise InputError("no AAC encoder for the M4B: install ffmpeg or `pip install imageio-ffmpeg`")
    out_path = Path(out_path)
    chapters: list[Chapter] = []
    with tempfile.TemporaryDirectory(dir=out_path.parent, prefix=".m4b-") as tmp:
        audio = Path(tmp) / "audio.aac"
        written = 0
        with open(audio, "wb") as joined:
            for t in tracks:
                # each stream opens with the encoder's 1024 samples of priming (ADTS cannot say so, and
                # they play): the track starts after them; the book's first chapter still opens the file
                start = (written + PRIMING) / rate
                written += _copy_adts(Path(t.path), joined)
                if progress is not None:
                    progress(1.0)
                end = written / rate
                for c in ending(t.markers or [Chapter(t.title, 0.0)], end - start):
                    chapters.append(Chapter(c.title, start + c.start_s if chapters else 0.0, min(start + c.end_s, end)))
        meta = Path(tmp) / "chapters.txt"
        meta.write_text(ffmetadata(tags, chapters), encoding="utf-8")
        final = Path(tmp) / "book.m4b"
        cmd = [ffmpeg, "-hide_banner", "-nostats", "-y", "-i", str(audio), "-i", str(meta)]
        if cover:
            cmd += ["-i", str(cover), "-map", "0:a", "-map", "2:v", "-c:v", "copy", "-disposition:v:0", "attached_pic"]
        else:
            cmd += ["-map", "0:a"]
        cmd += ["-map_metadata", "1", "-map_chapters", "1", "-c:a", "copy", "-movflags", "+faststart",
                "-f", "ipod", str(final)]
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if proc.returncode != 0:
            raise InputError(f"{out_path}: ffmpeg could not write the M4B: {proc.stderr[-500:]}")
        if inspect is not None:
            inspect(final)
        os.chmod(final, 0o644)
        os.replace(final, out_path)
    return chapters
