"""Where ffmpeg is: the system's, else the imageio-ffmpeg wheel's. Only the AAC of the M4B, and
reading what libsndfile cannot (AAC, M4B), need it."""

from __future__ import annotations

import shutil


def find_ffmpeg() -> str | None:
    """ffmpeg from the system, else from the imageio-ffmpeg wheel; None when neither is there."""
    exe = shutil.which("ffmpeg")
    if exe:
        return exe
    try:
        import imageio_ffmpeg  # optional: a wheel with its own ffmpeg, where the system has none

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        return None
