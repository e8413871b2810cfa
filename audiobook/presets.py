"""Presets: what a store or a loudness standard asks of every file (ACX, Findaway/Spotify, Google
Play, Apple through aggregators, podcast, EBU R 128), shipped as data in `data/presets.yaml`, or
explicit numbers: "podcast,lufs=-18" or "lufs=-19,true_peak=-2" (see `get_preset`)."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from importlib import resources

import yaml

from audiobook.errors import InputError

DEFAULT_LUFS_TOLERANCE = 1.0  # dB a track may stray from a loudness target, where a preset gives none
DEFAULT_PEAK_DBTP = -1.0  # the peak limit of a preset that gives none (every streaming platform's)
RMS_WINDOW_DB = 1.0  # either side of an RMS target, where a preset gives no window


@dataclass(frozen=True)
class RoomTone:
    """Room tone at a track's ends: how much of the pause is kept before the first word and
    after the last, and the least each end may hold — under it, the narrator's own room tone,
    taken from a pause in the track, makes up the rest (0: any is enough)."""

    head_s: float = 0.75
    tail_s: float = 2.5
    head_min_s: float = 0.0
    tail_min_s: float = 0.0


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
    noise_reduction: bool = False  # room tone over the noise-floor limit reduced under the words too, not only in pauses
    target_lufs: float | None = None
    lufs_tolerance: float | None = None
    true_peak_max_dbtp: float | None = None
    head_room_tone_s: tuple[float, float] | None = None
    tail_room_tone_s: tuple[float, float] | None = None
    max_track_minutes: float | None = None
    mp3_cbr_kbps: int | None = None  # MP3 files at this constant bitrate ...
    mp3_sample_rate_hz: int | None = None  # ... and this sample rate (ACX's file rules)
    formats: tuple[str, ...] | None = None  # the file types the store takes ("mp3", "flac"); None: any
    lossy_min_kbps: tuple[int, int] | None = None  # MP3 and AAC at least this bitrate: (mono, stereo) (Google)
    lossless_sample_rate_min_hz: int | None = None  # FLAC and WAV at least this sample rate (Google)
    whole_chapters: bool = False  # a chapter is never split across files (Apple): long ones are not cut in parts
    credits: bool = False  # opening and closing credits asked for, each a file of its own (ACX, Findaway)
    source: str = ""  # where the store publishes these rules
    spec: str = ""  # as asked for: "acx" (a shipped one: its name), or "podcast,target_lufs=-18"

    @property
    def label(self) -> str:
        """How messages name it: "ACX", "PODCAST (target_lufs=-18)", "your preset (...)"."""
        if self.spec in ("", self.name):
            return self.name.upper()
        extra = self.spec.split(",", 1)[1] if self.name != "custom" else self.spec
        return f"{'your preset' if self.name == 'custom' else self.name.upper()} ({extra})"

    @property
    def room_tone(self) -> RoomTone:
        """The preset's room-tone window (ACX: 0.5–1 s at the head, 1–5 s at the tail) as what the
        planner keeps: 0.75 s and 2.5 s where the window allows, each end made up to a little over
        its minimum (a cut rounds to the pause detector's 10 ms hops)."""
        head, tail = RoomTone().head_s, RoomTone().tail_s
        head_min = tail_min = 0.0
        if self.head_room_tone_s:
            lo, hi = self.head_room_tone_s
            head, head_min = min(max(head, lo), hi), min(lo + 0.1, hi)
        if self.tail_room_tone_s:
            lo, hi = self.tail_room_tone_s
            tail, tail_min = min(max(tail, lo), hi), min(lo + 0.2, hi)
        return RoomTone(head, tail, head_min, tail_min)

    def unmet_by_output(self, fmt: str, bitrate_kbps: int, sample_rate_hz: int, channels: int) -> list[str]:
        """What of the store's file rules tracks written as `fmt` ("mp3", "flac": a file type) at
        these settings would break: checked before a build does any work."""
        out = []
        if self.formats is not None and fmt not in self.formats:
            out.append(f"output.format is {fmt}: {self.label} takes {', '.join(self.formats)}")
        if self.lossy_min_kbps is not None and fmt == "mp3":
            floor = self.lossy_min_kbps[min(max(channels, 1), 2) - 1]
            if bitrate_kbps < floor:
                out.append(f"output.bitrate_kbps is {bitrate_kbps}: {self.label} takes "
                           f"{'stereo' if channels >= 2 else 'mono'} MP3 at {floor} kbps or more")
        if self.lossless_sample_rate_min_hz is not None and fmt in ("flac", "wav") \
                and sample_rate_hz < self.lossless_sample_rate_min_hz:
            out.append(f"output.sample_rate_hz is {sample_rate_hz}: {self.label} takes {fmt.upper()} at "
                       f"{self.lossless_sample_rate_min_hz} Hz or more")
        return out

    @property
    def peak_limit(self) -> tuple[float, bool]:
        """The peak limit and whether it is a true peak (dBTP) rather than a sample peak."""
        if self.peak_max_dbfs is not None:
            return self.peak_max_dbfs, False
        return (self.true_peak_max_dbtp if self.true_peak_max_dbtp is not None else DEFAULT_PEAK_DBTP), True

    @property
    def loudness_tolerance(self) -> float:
        return self.lufs_tolerance if self.lufs_tolerance is not None else DEFAULT_LUFS_TOLERANCE

    @property
    def level_target(self) -> tuple[float, bool]:
        """The level the build sets each track to, and whether it is loudness (LUFS) rather than
        ACX's RMS (dBFS); an RMS target wins when a preset has both."""
        if self.target_rms_dbfs is not None:
            return self.target_rms_dbfs, False
        return (self.target_lufs if self.target_lufs is not None else -16.0), True

    @property
    def level_tolerance(self) -> float:
        """How far (dB) a track may stray from `level_target` and pass: the nearer edge of the RMS
        window, or the loudness tolerance."""
        target, lufs = self.level_target
        if lufs:
            return self.loudness_tolerance
        low = self.rms_min_dbfs if self.rms_min_dbfs is not None else target - RMS_WINDOW_DB
        high = self.rms_max_dbfs if self.rms_max_dbfs is not None else target + RMS_WINDOW_DB
        return min(target - low, high - target)


@lru_cache(maxsize=1)
def presets() -> dict[str, Preset]:
    """Every shipped preset by name."""
    data = yaml.safe_load(resources.files("audiobook.data").joinpath("presets.yaml").read_text("utf-8"))
    known = {f.name for f in fields(Preset)}
    out = {}
    for name, values in data.items():
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in known}
        out[name] = Preset(name=name, spec=name, **values)
    return out


# short names for the numbers a producer sets most
ALIASES = {"lufs": "target_lufs", "rms": "target_rms_dbfs", "peak": "peak_max_dbfs",
           "true_peak": "true_peak_max_dbtp", "tp": "true_peak_max_dbtp", "noise_floor": "noise_floor_max_dbfs",
           "max_minutes": "max_track_minutes"}
_NUMBERS = [f.name for f in fields(Preset) if f.name not in (
    "name", "description", "spec", "source", "head_room_tone_s", "tail_room_tone_s", "mp3_cbr_kbps", "mp3_sample_rate_hz",
    "formats", "lossy_min_kbps", "lossless_sample_rate_min_hz", "whole_chapters", "credits")]


def get_preset(spec: str) -> Preset:
    """A shipped preset by name ("acx"), or explicit numbers, alone or over a shipped preset:
    "podcast,lufs=-18", "lufs=-19,true_peak=-2", "acx,rms=-19". Keys are the Preset's fields or
    their short names (lufs, rms, peak, true_peak/tp, noise_floor, max_minutes).

    The target given drives the gain: a LUFS target over ACX replaces its RMS target, and an
    RMS target over a LUFS preset its LUFS target. Explicit numbers with no preset under them
    need a target; they get a true-peak limit of -1 dBTP unless they set a peak. An
    InputError says what is wrong, and lists the choices."""
    spec = str(spec).strip()
    items = [p.strip() for p in spec.lower().split(",") if p.strip()]  # "ACX" is acx
    if not items:
        raise InputError(f"no loudness preset given: choose one of {', '.join(presets())}, or numbers like lufs=-18")
    base = None
    if "=" not in items[0]:
        base = items.pop(0)
        if base not in presets():
            close = difflib.get_close_matches(base, list(presets()), n=1)
            hint = f" — did you mean '{close[0]}'?" if close else ""
            raise InputError(f"unknown loudness preset {base!r}{hint}: choose one of {', '.join(presets())}, "
                             "or give numbers (lufs=-18,true_peak=-1.5)")
    numbers: dict[str, float] = {}
    for item in items:
        key, sep, value = (x.strip() for x in item.partition("="))
        field = ALIASES.get(key, key)
        if not sep or field not in _NUMBERS:
            known = sorted(set(ALIASES) | set(_NUMBERS))
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" — did you mean '{close[0]}'?" if close else ""
            raise InputError(f"loudness preset {spec!r}: {item!r} is not a preset or a setting{hint} "
                             f"(settings: {', '.join(known)}; a preset name comes first)")
        try:
            number = float(value)
        except ValueError:
            raise InputError(f"loudness preset {spec!r}: {key} needs a number, not {value!r}") from None
        if not math.isfinite(number):
            raise InputError(f"loudness preset {spec!r}: {key} needs a number, not {value!r}")
        numbers[field] = number
    if base is not None and not numbers:
        return presets()[base]
    return _with_numbers(presets()[base] if base else Preset(name="custom"), numbers, spec)


def _with_numbers(preset: Preset, numbers: dict[str, float], spec: str) -> Preset:
    def bad(why: str) -> InputError:
        return InputError(f"loudness preset {spec!r}: {why}")

    if "target_lufs" in numbers and "target_rms_dbfs" not in numbers:
        preset = replace(preset, target_rms_dbfs=None, rms_min_dbfs=None, rms_max_dbfs=None)
    if "target_rms_dbfs" in numbers and "target_lufs" not in numbers:
        preset = replace(preset, target_lufs=None, lufs_tolerance=None)
    preset = replace(preset, spec=spec, **numbers)
    if preset.target_lufs is None and preset.target_rms_dbfs is None:
        raise bad("give a target to level to: lufs=-18 (loudness) or rms=-20 (ACX's RMS)")
    if preset.target_lufs is not None:
        if not -40 <= preset.target_lufs <= -5:
            raise bad(f"a loudness target of {preset.target_lufs:g} LUFS is out of range (-40 to -5)")
        preset = replace(preset, lufs_tolerance=preset.loudness_tolerance)
    if preset.target_rms_dbfs is not None:
        t = preset.target_rms_dbfs
        if not -40 <= t <= -6:
            raise bad(f"an RMS target of {t:g} dBFS is out of range (-40 to -6)")
        lo = preset.rms_min_dbfs if preset.rms_min_dbfs is not None else t - RMS_WINDOW_DB
        hi = preset.rms_max_dbfs if preset.rms_max_dbfs is not None else t + RMS_WINDOW_DB
        if not lo <= t <= hi:
            raise bad(f"the RMS target {t:g} dBFS is outside the RMS window {lo:g} to {hi:g}")
        preset = replace(preset, rms_min_dbfs=lo, rms_max_dbfs=hi)
    if preset.peak_max_dbfs is None and preset.true_peak_max_dbtp is None:
        preset = replace(preset, true_peak_max_dbtp=DEFAULT_PEAK_DBTP)
    for name in ("peak_max_dbfs", "true_peak_max_dbtp", "noise_floor_max_dbfs"):
        value = getattr(preset, name)
        if value is not None and not -100 < value <= 0:
            raise bad(f"{name} {value:g} dB is out of range (below 0 dBFS)")
    if preset.max_track_minutes is not None and preset.max_track_minutes <= 0:
        raise bad("max_track_minutes must be above 0")
    return preset
