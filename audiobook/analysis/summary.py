"""Plain-text summary of analyses for people: one block per file, failures spelled out."""

from __future__ import annotations

import math
from pathlib import Path

from audiobook.analysis.analyze import Analysis
from audiobook.analysis.compliance import Finding
from audiobook.files import clock


def _db(value: float, unit: str) -> str:
    return f"{value:.1f} {unit}" if math.isfinite(value) else f"-inf {unit}"


def describe_format(a: Analysis) -> str:
    bits = {"PCM_16": "16-bit", "PCM_24": "24-bit", "PCM_32": "32-bit", "FLOAT": "32-bit float",
            "DOUBLE": "64-bit float", "PCM_U8": "8-bit", "PCM_S8": "8-bit"}.get(a.subtype, a.subtype.lower())
    layout = {1: "mono", 2: "stereo"}.get(a.channels, f"{a.channels} ch")
    return f"{a.format} {a.sample_rate / 1000:g} kHz {bits} {layout}"


def summarize(a: Analysis, findings: list[Finding], preset_name: str,
              limiter: tuple[float, float] | None = None) -> list[str]:
    """Lines describing one file: figures, pass/fail per check, what the build's limiter would
    make of its peaks (`limiter`: make-up dB, dB still short), and advice for each failure."""
    longest = max((p.duration_s for p in a.pauses), default=0.0)
    marks = {f.check: ("ok" if f.passed else "FAIL") for f in findings}
    lines = [
        f"{Path(a.path).name}  {clock(a.duration_s)}  {describe_format(a)}",
        f"  loudness     {_db(a.integrated_lufs, 'LUFS')}   range {a.loudness_range_lu:.1f} LU   "
        f"max short-term {_db(a.max_short_term_lufs, 'LUFS')}",
        f"  peaks        true {_db(a.true_peak_dbtp, 'dBTP')}   sample {_db(a.sample_peak_dbfs, 'dBFS')}   "
        f"clipped {a.clipped_samples}   DC {max(map(abs, a.dc_offset), default=0) * 100:.2f} %",
        f"  {preset_name.upper():<12} RMS {_db(a.rms_dbfs, 'dBFS')} [{marks.get('rms_dbfs', '-')}]   "
        f"peak {_db(a.true_peak_dbtp, 'dBFS')} [{marks.get('peak_dbfs', marks.get('true_peak_dbtp', '-'))}]   "
        f"noise floor {_db(a.noise_floor_dbfs, 'dBFS')} [{marks.get('noise_floor_dbfs', '-')}]",
        f"  speech       {clock(a.speech_s)} of {clock(a.duration_s)}   {len(a.pauses)} pauses, longest {longest:.1f} s",
    ]
    if limiter is not None:
        makeup, short = limiter
        lines.append("  limiter      " + (
            "the peaks leave room: no make-up for the limiter at the preset's level" if not makeup else
            f"the peaks stand high: {makeup:+.1f} dB of make-up for what the limiter holds down" if short < 0.3 else
            f"the peaks stand too high: {short:.1f} dB short of the preset's level even with {makeup:+.1f} dB of "
            "make-up — tame the plosives and peaks (a pop filter, the microphone a little off-axis)"))

    lines += [f"  FAIL {f.advice}" for f in findings if not f.passed]
    return lines
