"""The one-file audiobook: every track in an M4B (AAC), with a chapter for every chapter and section.

libsndfile cannot write AAC, so ffmpeg does (the system's, or the imageio-ffmpeg wheel's),
fed raw PCM through a pipe block by block: the book is never held in memory. A second,
copy-only ffmpeg pass adds the chapters (timed on the samples actually written), tags and
cover; the file takes its name only when complete.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from audiobook.errors import InputError
from audiobook.parallel import report

AAC_BITRATE = "96k"  # transparent for speech, a third of the MP3s' size
BLOCK_FRAMES = 1 << 17


@dataclass
class M4bTrack:
    path: str
    title: str
    markers: list[tuple[float, str]]  # (seconds into the track, title); the first at 0


def find_ffmpeg() -> str | None:
    """ffmpeg from the system, else from the imageio-ffmpeg wheel; None when neither is there."""
    exe = shutil.which("ffmpeg")
    if exe:
        return exe
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        return None


def _escape(value: str) -> str:
    """FFMETADATA escaping: '=', ';', '#', '\\' and newlines take a backslash."""
    out = str(value)
    for ch in ("\\", "=", ";", "#", "\n"):
        out = out.replace(ch, "\\" + ch)
    return out


def ffmetadata(tags: dict[str, str], chapters: list[tuple[float, float, str]]) -> str:
    lines = [";FFMETADATA1"] + [f"{k}={_escape(v)}" for k, v in tags.items() if v]
    for start, end, title in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={int(round(start * 1000))}",
                  f"END={int(round(end * 1000))}", f"title={_escape(title)}"]
    return "\n".join(lines) + "\n"


def write_m4b(out_path: str | Path, tracks: list[M4bTrack], tags: dict[str, str], cover: str | Path | None = None,
              rate: int = 44100, channels: int = 1, ffmpeg: str | None = None) -> list[tuple[float, float, str]]:
    """Write the M4B; returns its chapters (start, end, title) in seconds."""
    ffmpeg = ffmpeg or find_ffmpeg()
    if ffmpeg is None:
        raise InputError("no AAC encoder for the M4B: install ffmpeg or `pip install imageio-ffmpeg`")
    out_path = Path(out_path)
    chapters: list[tuple[float, float, str]] = []
    with tempfile.TemporaryDirectory(dir=out_path.parent, prefix=".m4b-") as tmp:
        audio = Path(tmp) / "audio.m4a"
        with tempfile.TemporaryFile() as log:
            enc = subprocess.Popen([ffmpeg, "-hide_banner", "-nostats", "-y", "-f", "s16le", "-ar", str(rate),
                                    "-ac", str(channels), "-i", "pipe:0", "-c:a", "aac", "-b:a", AAC_BITRATE,
                                    str(audio)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
            written = 0
            try:
                for t in tracks:
                    start = written / rate
                    with sf.SoundFile(t.path) as f:
                        # f.read, not f.blocks: for MP3, blocks() trusts libsndfile's length estimate and pads
                        while len(block := f.read(BLOCK_FRAMES, dtype="int16", always_2d=True)):
                            if block.shape[1] != channels:
                                block = np.repeat(block[:, :1], channels, axis=1)
                            enc.stdin.write(block.tobytes())
                            written += len(block)
                            report(len(block) / rate)
                    end = written / rate
                    marks = t.markers or [(0.0, t.title)]
                    for i, (at, title) in enumerate(marks):
                        stop = start + marks[i + 1][0] if i + 1 < len(marks) else end
                        chapters.append((start + at, min(stop, end), title))
                enc.stdin.close()
            except BaseException:
                enc.kill()
                enc.wait()
                raise
            if enc.wait() != 0:
                log.seek(0)
                raise InputError(f"{out_path}: ffmpeg could not encode the M4B: "
                                 f"{log.read().decode(errors='replace')[-500:]}")
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
        os.chmod(final, 0o644)
        os.replace(final, out_path)
    return chapters
