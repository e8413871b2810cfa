"""Stage 5: the whole book as one M4B, from the AAC streams encoded with the tracks."""

from __future__ import annotations

from pathlib import Path

from audiobook.build.context import BuildContext
from audiobook.errors import InputError
from audiobook.plan import Plan
from audiobook.render.extras import one_file_m4b
from audiobook.render.m4b import find_ffmpeg
from audiobook.render.track import TrackJob


def m4b_wanted(wanted: bool | None, notes: list[str]) -> bool:
    """--m4b: yes, or an error now (before any work) without ffmpeg; by default, when ffmpeg is here."""
    if wanted is False:
        return False
    if find_ffmpeg() is None:
        if wanted:
            raise InputError("--m4b needs an AAC encoder: install ffmpeg or `pip install imageio-ffmpeg`")
        notes.append("no M4B: no AAC encoder here (install ffmpeg or `pip install imageio-ffmpeg`)")
        return False
    return True


def package(ctx: BuildContext, plan: Plan, jobs: list[TrackJob], keys: list[str]) -> Path:
    """OUT/<Book Title>.m4b (unless the one there is current)."""
    return one_file_m4b(ctx.manifest, plan, [j.aac_path for j in jobs], ctx.out, ctx.folder, ctx.progress("m4b"),
                        ctx.cache, keys)
