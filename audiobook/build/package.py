"""Stage 5: the whole book as one M4B, from the AAC streams encoded with the tracks."""

from __future__ import annotations

from pathlib import Path

from audiobook.analysis import analyze_file
from audiobook.build.context import BuildContext
from audiobook.build.reporting import levels_of
from audiobook.errors import InputError, PresetNotMet
from audiobook.ffmpeg import find_ffmpeg
from audiobook.plan import Plan
from audiobook.render.extras import m4b_name, one_file_m4b
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
    """OUT/<Book Title>.m4b (unless the one there is current), verified before it takes its name:
    decoded and judged as `check` judges it (its tracks' AAC streams were given the headroom their
    codec needs as they were rendered). One that fails stops the build, and is not kept."""
    def inspect(tmp: Path) -> None:
        levels = levels_of(analyze_file(tmp, keep_series=False), ctx.preset)
        if not levels.meets_preset:
            raise PresetNotMet(f"{ctx.out / name}: does not meet {ctx.preset.label} — {'; '.join(levels.failures)}; "
                               "it was not written (its tracks were). Build without it (--no-m4b), or tame the "
                               "recordings' peaks before the build")

    name = m4b_name(ctx.manifest)
    return one_file_m4b(ctx.manifest, plan, [j.aac_path for j in jobs], ctx.out, ctx.folder, ctx.progress("m4b"),
                        ctx.cache, keys, inspect=inspect)
