"""Reading recordings block by block through soundfile: every format libsndfile reads.

Never loads a whole file: `blocks()` yields float32 arrays of a fixed number of frames.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from audiobook.errors import InputError
from audiobook.ffmpeg import find_ffmpeg
from audiobook.files import clock
from audiobook.formats.mp4 import NotReadable, read_mp4
from audiobook.mp3frames import LengthHeader, WithoutFrame, length_header

MATROSKA = (".mka", ".mkv", ".webm")
DAMAGED_OVER = 2.0  # an MP3 sample beyond 6 dB over full scale is the decoder's garbage, not audio
MP4_SUFFIXES = (".m4b", ".m4a")  # decoded by ffmpeg (libsndfile reads no AAC)
BLOCK_SECONDS = 4.0  # large enough that per-block Python overhead vanishes, small enough to stay flat
RATES_HZ = (4000, 768_000)  # sample rates a recording is made at (speech needs 4 kHz; 768 kHz is the highest in use):
# a header saying 2 Hz or 4 GHz is damaged (at 2 Hz, 3 seconds of samples read as 9 hours, block by block)
MAX_CHANNELS = 64


@dataclass(frozen=True)
class AudioInfo:
    path: str
    sample_rate: int
    channels: int
    frames: int
    format: str  # "WAV", "FLAC", "MP3" ...
    subtype: str  # "PCM_24", "FLOAT", "MPEG_LAYER_III" ...
    lying_header: LengthHeader | None = None  # an MP3 whose Xing/Info length is wrong: decoded without it

    def open(self) -> sf.SoundFile:
        """The file, for reading: an MP3 with a wrong length header without that header's frame
        (the decoder would stop where it says the stream ends)."""
        if self.lying_header is not None:
            return sf.SoundFile(WithoutFrame(self.path, self.lying_header.offset, self.lying_header.length))
        return sf.SoundFile(self.path)

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate


def audio_info(path: str | Path) -> AudioInfo:
    """What a recording holds, or an InputError naming the file and what to do."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not an audio file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (0 bytes) — re-export it from your recording software")
    if path.suffix.lower() in MP4_SUFFIXES:
        return _mp4_info(path)
    if path.suffix.lower() in MATROSKA:
        raise InputError(f"{path}: Matroska ({path.suffix}) is a container audiobook does not read — its runtime and "
                         "chapters cannot be checked here; remux it (ffmpeg -i IN -c copy OUT.m4b for AAC, "
                         "OUT.ogg for Vorbis or Opus) or export it as FLAC")
    lying = None
    try:
        info = sf.info(str(path))
        if info.format in ("MP3", "MPEG"):
            header = length_header(path)
            if header is not None and header.wrong:
                lying = header
                with WithoutFrame(path, header.offset, header.length) as view:
                    info = sf.info(view)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise InputError(f"{path}: not an audio file we can read ({_reason(exc)}) — export it as WAV or FLAC") from None
    if info.frames <= 0 or info.samplerate <= 0:
        raise InputError(f"{path}: holds no audio (0 samples) — re-export it from your recording software")
    _plausible(path, int(info.samplerate), int(info.channels))
    if info.format == "WAV":
        declared = _wav_declared_frames(path, info.channels, info.subtype)
        if declared is not None and declared > info.frames + info.samplerate // 10:
            raise InputError(f"{path}: truncated WAV (its header says {clock(declared / info.samplerate)}, the data "
                             f"ends at {clock(info.frames / info.samplerate)}) — re-export or re-copy it")
    return AudioInfo(str(path), int(info.samplerate), int(info.channels), int(info.frames), info.format, info.subtype,
                     lying)


_PCM_BYTES = {"PCM_U8": 1, "PCM_S8": 1, "PCM_16": 2, "PCM_24": 3, "PCM_32": 4, "FLOAT": 4, "DOUBLE": 8}


def _wav_declared_frames(path: Path, channels: int, subtype: str) -> int | None:
    """Frames the WAV's data chunk claims (libsndfile quietly reads what is there instead)."""
    width = _PCM_BYTES.get(subtype)
    if width is None:
        return None
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos = 12
    while pos + 8 <= len(head):
        cid, size = head[pos:pos + 4], int.from_bytes(head[pos + 4:pos + 8], "little")
        if cid == b"data":
            return None if size in (0, 0xFFFFFFFF) else size // (width * channels)
        pos += 8 + size + (size & 1)
    return None


def blocks(path: str | Path, block_frames: int | None = None, complaints: list[str] | None = None
           ) -> Iterator[np.ndarray]:
    """Yield the recording as float32 arrays shaped (frames, channels), `block_frames` at a time.

    A file that ends before its header says it should is reported as truncated. `complaints`
    gathers what the MP3 decoder (libmpg123) says of damaged frames — it writes to the process's
    stderr, which is caught while it decodes, so no raw line reaches the terminal.
    """
    info = audio_info(path)
    block_frames = block_frames or int(info.sample_rate * BLOCK_SECONDS)
    if info.format == "MP4":
        yield from _ffmpeg_blocks(info, block_frames)
        return
    read = 0
    # an Ogg page that lies can set libsndfile's decoder going round for ever (28 million samples
    # from 4 s of Opus, and on): a tenth and 10 s more than the header says is damage, not a
    # codec's padding; an MP3's length is an estimate from its first frame (VBR: any)
    endless = float("inf") if info.format in ("MP3", "MPEG") else info.frames * 1.1 + 10 * info.sample_rate
    try:
        with info.open() as f, _DecoderStderr(info.format in ("MP3", "MPEG"), complaints) as caught:
            while True:
                with caught:
                    try:
                        data = f.read(block_frames, dtype="float32", always_2d=True)
                    except ValueError:  # soundfile: the decoder has gone past the header's length (frames left < 0)
                        raise InputError(f"{path}: damaged — its audio decodes on past the {clock(info.duration_s)} "
                                         "its header says; re-export or re-copy it") from None
                if caught.active:  # a damaged MP3 frame decodes to garbage (1e9): silence stands in for it
                    bad = ~np.isfinite(data) | (np.abs(data) > DAMAGED_OVER)
                    if bad.any():
                        data[bad] = 0.0
                if not len(data):
                    break
                read += len(data)
                if read > endless:
                    raise InputError(f"{path}: damaged — its audio decodes on past {clock(read / info.sample_rate)}, "
                                     f"though its header says {clock(info.duration_s)}; re-export or re-copy it")
                yield data
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise InputError(f"{path}: damaged or cut short — reading failed near {clock(read / info.sample_rate)} of "
                         f"{clock(info.duration_s)} ({_reason(exc)}); re-export or re-copy it") from None
    # (an MP3's length in its header is libsndfile's estimate, off by the encoder's padding)
    if info.format not in ("MP3", "MPEG") and read < info.frames * 0.999 and info.frames - read > info.sample_rate // 10:
        raise InputError(f"{path}: truncated (its header says {clock(info.frames / info.sample_rate)}, the audio "
                         f"ends at {clock(read / info.sample_rate)}) — re-export or re-copy it")


class _DecoderStderr:
    """Around each decoding call (reentered per block): the process's stderr (fd 2) goes to a
    temporary file, whose lines — libmpg123's "[layer3.c:...] error: big_values too large!" —
    are kept in `complaints` at the end. Nothing else runs in this thread meanwhile; progress is
    drawn between blocks, outside it."""

    def __init__(self, active: bool, complaints: list[str] | None):
        self.active = active
        self.complaints = complaints
        self._file = None
        self._saved: int | None = None
        self._outer = True

    def __enter__(self):
        if not self.active:
            return self
        if self._outer:  # the first entry opens the catch; each later one is one decoding call
            self._outer = False
            self._file = tempfile.TemporaryFile()
            return self
        sys.stderr.flush()
        self._saved = os.dup(2)
        os.dup2(self._file.fileno(), 2)
        return self

    def __exit__(self, *exc) -> None:
        if not self.active:
            return
        if self._saved is not None:
            os.dup2(self._saved, 2)
            os.close(self._saved)
            self._saved = None
            return
        self._file.seek(0)
        lines = [ln.strip() for ln in self._file.read().decode(errors="replace").splitlines() if ln.strip()]
        self._file.close()
        if self.complaints is not None:
            self.complaints += lines


def _mp4_info(path: Path) -> AudioInfo:
    """An M4B/M4A's audio: its rate and channels from its sample description, its length the
    samples its data holds (formats.mp4), decoded by ffmpeg when read."""

    try:
        held = read_mp4(path)
    except NotReadable as exc:
        raise InputError(f"{path}: cannot be read as an M4B — {exc}; re-download or re-export it") from None
    rate, channels = (held.audio.sample_rate, held.audio.channels) if held.audio else (0, 0)
    if not rate or not channels or held.audio is None:
        raise InputError(f"{path}: holds no audio track we can read — re-download or re-export it")
    _plausible(path, rate, channels)
    return AudioInfo(str(path), rate, channels, int(round(held.proven_s * rate)), "MP4", held.audio.codec)


def ffmpeg_blocks(path: str | Path, rate: int, channels: int, codec: str = "aac") -> Iterator[np.ndarray]:
    """A stream ffmpeg decodes (an ADTS AAC stream the build wrote for the M4B) as blocks, as an
    M4B's audio is read: through a pipe, never whole."""
    info = AudioInfo(str(path), rate, channels, 0, "MP4", codec)
    return _ffmpeg_blocks(info, int(rate * BLOCK_SECONDS))


def _plausible(path: Path, rate: int, channels: int) -> None:
    """A header's sample rate and channels, as a recording can have them; else the header is damaged."""
    if not RATES_HZ[0] <= rate <= RATES_HZ[1]:
        raise InputError(f"{path}: its header says {rate} samples a second, not a rate audio is recorded at "
                         f"({RATES_HZ[0]}–{RATES_HZ[1]}) — the file is damaged: re-export or re-copy it")
    if channels > MAX_CHANNELS:
        raise InputError(f"{path}: its header says {channels} channels — the file is damaged: re-export or re-copy it")


def _ffmpeg_blocks(info: AudioInfo, block_frames: int) -> Iterator[np.ndarray]:
    """An M4B's audio decoded by ffmpeg (the system's or the imageio-ffmpeg wheel's) through a pipe."""
    ffmpeg = find_ffmpeg()
    if ffmpeg is None:
        raise InputError(f"{info.path}: decoding AAC needs ffmpeg — install it, or `pip install imageio-ffmpeg`")
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([ffmpeg, "-v", "error", "-nostdin", "-i", info.path, "-map", "0:a:0", "-f", "f32le",
                                 "-ac", str(info.channels), "-ar", str(info.sample_rate), "pipe:1"],
                                stdout=subprocess.PIPE, stderr=log)
        _deepen(proc.stdout.fileno(), block_frames * info.channels * 4)
        try:
            while True:
                data = proc.stdout.read(block_frames * info.channels * 4)
                if not data:
                    break
                yield np.frombuffer(data[:len(data) // (4 * info.channels) * 4 * info.channels],
                                    "<f4").reshape(-1, info.channels)
        finally:
            proc.stdout.close()
            if proc.poll() is None:
                proc.kill()
            code = proc.wait()
        if code != 0:
            log.seek(0)
            said = log.read().decode(errors="replace").strip().splitlines()
            raise InputError(f"{info.path}: ffmpeg cannot decode its audio ({info.subtype or 'unknown codec'}: "
                             f"{said[-1][:200] if said else 'no message'})")


def _deepen(fd: int, size: int) -> None:
    """Let the pipe hold a whole block (Linux: 64 kB by default, up to 1 MB unprivileged): ffmpeg
    decodes the next block while this process measures the last, instead of waiting on it."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, min(size, 1 << 20))
    except (ImportError, AttributeError, OSError):
        pass  # another system, or a lower limit: the pipe as it is


def _reason(exc: Exception) -> str:
    text = str(exc)
    if ":" in text:
        text = text.rsplit(":", 1)[-1]
    return text.strip().rstrip(".") or type(exc).__name__
