"""Loudness presets (ACX, podcast, EBU R 128), shipped as data in `data/presets.yaml`."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources

import yaml

from audiobook.errors import InputError


@dataclass(frozen=True)
class Preset:
    """What a distributor asks of every file; a limit left as None is not checked."""

    name: str
    description: str = ""
    rms_min_dbfs: float | None = None
    rms_max_dbfs: float | None = None
    target_rms_dbfs: float | None = None
    peak_max_dbfs: float | None = None
    noise_floor_max_dbfs: float | None = None
    target_lufs: float | None = None
    lufs_tolerance: float | None = None
    true_peak_max_dbtp: float | None = None
    head_room_tone_s: tuple[float, float] | None = None
    tail_room_tone_s: tuple[float, float] | None = None
    max_track_minutes: float | None = None


@lru_cache(maxsize=1)
def presets() -> dict[str, Preset]:
    """Every shipped preset by name."""
    data = yaml.safe_load(resources.files("audiobook.data").joinpath("presets.yaml").read_text("utf-8"))
    known = {f.name for f in fields(Preset)}
    out = {}
    for name, values in data.items():
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in known}
        out[name] = Preset(name=name, **values)
    return out


def get_preset(name: str) -> Preset:
    """The preset called `name`; an InputError listing the choices otherwise."""
    try:
        return presets()[name]
    except KeyError:
        raise InputError(f"unknown loudness preset {name!r}: choose one of {', '.join(presets())}") from None
