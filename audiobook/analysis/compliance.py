"""Judge an analysis against a preset (ACX, podcast, EBU R 128), with advice a narrator can act on."""

from __future__ import annotations

import math
from dataclasses import dataclass

from audiobook.analysis.analyze import Analysis
from audiobook.presets import Preset

SILENT_PEAK_DBFS = -70.0  # a file whose loudest sample is under this holds no narration
DC_OFFSET_LIMIT = 0.005  # 0.5 % of full scale: audible as a thump at cuts, and wastes headroom


@dataclass
class Finding:
    """One figure against its limit."""

    check: str
    value: float | None
    limit: str
    passed: bool
    advice: str = ""

    def to_dict(self) -> dict:
        v = self.value if self.value is None or math.isfinite(self.value) else None
        return {"check": self.check, "value": None if v is None else round(v, 2), "limit": self.limit,
                "passed": self.passed, "advice": self.advice}


def evaluate(a: Analysis, preset: Preset) -> list[Finding]:
    """Every check the preset asks for, plus clipping and DC offset (which no distributor accepts)."""
    out: list[Finding] = []
    if not math.isfinite(a.rms_dbfs) or a.sample_peak_dbfs < SILENT_PEAK_DBFS:
        # nothing to level: "-inf dB, the build applies +inf dB" helps no one
        what = "digital silence" if not math.isfinite(a.rms_dbfs) else f"nothing louder than {a.sample_peak_dbfs:.0f} dBFS"
        out.append(Finding("silent", a.sample_peak_dbfs if math.isfinite(a.sample_peak_dbfs) else None, "speech", False,
                           f"the file is silent ({what}): is it the right file? Re-export it from the recording"))
        return out
    if preset.rms_min_dbfs is not None and preset.rms_max_dbfs is not None:
        ok = preset.rms_min_dbfs <= a.rms_dbfs <= preset.rms_max_dbfs
        target = preset.target_rms_dbfs if preset.target_rms_dbfs is not None else preset.rms_max_dbfs
        advice = "" if ok else (
            f"RMS {a.rms_dbfs:.1f} dB: outside {preset.label}'s {preset.rms_min_dbfs:g} to {preset.rms_max_dbfs:g} dB; "
            f"the build applies {target - a.rms_dbfs:+.1f} dB of gain — record a little "
            f"{'louder' if a.rms_dbfs < preset.rms_min_dbfs else 'quieter'} next time")
        out.append(Finding("rms_dbfs", a.rms_dbfs, f"{preset.rms_min_dbfs:g}…{preset.rms_max_dbfs:g}", ok, advice))
    if preset.peak_max_dbfs is not None:
        ok = a.true_peak_dbtp <= preset.peak_max_dbfs
        out.append(Finding("peak_dbfs", a.true_peak_dbtp, f"<= {preset.peak_max_dbfs:g} (true peak)", ok,
                           "" if ok else f"peak {a.true_peak_dbtp:.1f} dB: above {preset.peak_max_dbfs:g} dB; "
                           "the build's limiter will hold it down, but leave more headroom when recording"))
    if preset.noise_floor_max_dbfs is not None:
        ok = a.noise_floor_dbfs <= preset.noise_floor_max_dbfs
        out.append(Finding("noise_floor_dbfs", a.noise_floor_dbfs, f"<= {preset.noise_floor_max_dbfs:g}", ok,
                           "" if ok else f"noise floor {a.noise_floor_dbfs:.0f} dB: above {preset.label}'s "
                           f"{preset.noise_floor_max_dbfs:g} dB; record room tone in a quieter room or apply "
                           "noise reduction"))
    if preset.target_lufs is not None:
        tol = preset.loudness_tolerance
        ok = abs(a.integrated_lufs - preset.target_lufs) <= tol
        out.append(Finding("integrated_lufs", a.integrated_lufs, f"{preset.target_lufs:g} ± {tol:g}", ok,
                           "" if ok else f"loudness {a.integrated_lufs:.1f} LUFS: the build applies "
                           f"{preset.target_lufs - a.integrated_lufs:+.1f} dB to reach {preset.target_lufs:g}"))
    if preset.true_peak_max_dbtp is not None:
        ok = a.true_peak_dbtp <= preset.true_peak_max_dbtp
        out.append(Finding("true_peak_dbtp", a.true_peak_dbtp, f"<= {preset.true_peak_max_dbtp:g}", ok,
                           "" if ok else f"true peak {a.true_peak_dbtp:.1f} dBTP: the build's limiter will catch it"))
    out.append(Finding("clipped_samples", float(a.clipped_samples), "0", a.clipped_samples == 0,
                       "" if a.clipped_samples == 0 else f"{a.clipped_samples} clipped samples: distributors reject "
                       "audible clipping; re-record those passages with the gain lower"))
    dc = max((abs(v) for v in a.dc_offset), default=0.0)
    out.append(Finding("dc_offset_percent", dc * 100, f"<= {DC_OFFSET_LIMIT * 100:g}", dc <= DC_OFFSET_LIMIT,
                       "" if dc <= DC_OFFSET_LIMIT else f"DC offset {dc * 100:.2f} %: check the interface; "
                       "the build removes it"))
    if a.speech_s == 0:
        out.append(Finding("speech_s", 0.0, "> 0", False, "no speech found: is this the right file, or is it silent?"))
    return out


PEAK_CHECKS = ("peak_dbfs", "true_peak_dbtp")
ROOM_TONE_SLACK_S = 0.05  # a pause's ends fall on the pause map's 10 ms frames, and MP3's frames pad a little


def evaluate_deliverable(a: Analysis, preset: Preset) -> list[Finding]:
    """A finished file (a track, an M4B) as a distributor takes it: `evaluate`'s figures and the
    room tone at its head and tail. The one judgement `check` passes on a file and a build on each
    file it writes."""
    out = evaluate(a, preset)
    if not any(f.check == "silent" for f in out):  # a silent file's "room tone" is the whole file
        out += room_tone(a, preset)
    return out


def room_tone(a: Analysis, preset: Preset) -> list[Finding]:
    """The pause the file opens with and the one it ends with, against the preset's windows
    (ACX: 0.5–1 s at the head, 1–5 s at the tail)."""
    out = []
    head = a.pauses[0].duration_s if a.pauses and a.pauses[0].start_s == 0 else 0.0
    tail = a.pauses[-1].duration_s if a.pauses and abs(a.pauses[-1].end_s - a.duration_s) < 0.05 else 0.0
    for check, value, limits in (("head_room_tone", head, preset.head_room_tone_s),
                                 ("tail_room_tone", tail, preset.tail_room_tone_s)):
        if limits is None:
            continue
        lo, hi = limits
        ok = lo - ROOM_TONE_SLACK_S <= value <= hi + ROOM_TONE_SLACK_S
        where = "start" if check.startswith("head") else "end"
        out.append(Finding(check, value, f"{lo:g}–{hi:g} s", ok,
                           "" if ok else f"{value:.2f} s of room tone at the {where}: {preset.label} asks {lo:g}–{hi:g} s"))
    return out


def peak_overshoot_db(findings: list[Finding], preset: Preset) -> float:
    """How far (dB) the file's peak stands over the preset's limit, by `findings` (0: it does not)."""
    limit = preset.peak_limit
    over = [f.value - limit for f in findings if f.check in PEAK_CHECKS and not f.passed and f.value is not None]
    return max(over, default=0.0)
