"""A store's file rules, as its preset gives them: the file types it takes, the bitrate floor of
lossy files, the sample-rate floor of lossless ones (Google Play's), and a chapter never split
across files (Apple's). Every number is the preset's (data/presets.yaml); none is written here."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from audiobook.check.finding import Finding
from audiobook.mp3frames import frame_bitrates
from audiobook.presets import Preset
from audiobook.report import TrackReport

AAC_SUFFIXES = (".m4a", ".m4b", ".aac")
LOSSLESS_SUFFIXES = (".flac", ".wav")


def file_rules(p: Path, f, rate: int, channels: int, preset: Preset) -> list[Finding]:
    """`p` (mutagen's view of it `f`, its sample rate and channels) against the store's file rules.
    The one-file M4B is the listeners' extra, held to them only where the store takes M4Bs."""
    suffix = p.suffix.lower()
    if suffix == ".m4b" and preset.formats is not None and "m4b" not in preset.formats:
        return []
    out: list[Finding] = []
    if preset.formats is not None:
        ok = suffix.lstrip(".") in preset.formats
        taken = ", ".join(x.upper() for x in preset.formats)
        out.append(Finding(p.name, "format", ok, suffix.lstrip(".").upper(), taken,
                           "" if ok else f"{preset.label} takes {taken} files, not {suffix.lstrip('.').upper()}: "
                           "set output.format in manifest.yaml and build again"))
    if preset.lossy_min_kbps is not None and (suffix == ".mp3" or suffix in AAC_SUFFIXES):
        floor = preset.lossy_min_kbps[min(max(channels, 1), 2) - 1]
        if suffix == ".mp3":
            rates = frame_bitrates(p)
            kbps = min(rates) if rates else 0  # a VBR file's every frame must reach it
        else:
            kbps = round(getattr(getattr(f, "info", None), "bitrate", 0) / 1000)
        ok = kbps >= floor
        layout = "stereo" if channels >= 2 else "mono"
        out.append(Finding(p.name, "bitrate", ok, f"{kbps} kbps", f">= {floor} kbps ({layout})",
                           "" if ok else f"{preset.label} takes {layout} files at {floor} kbps or more: set "
                           f"output.bitrate_kbps to {floor} or more (or a lossless format) and build again"))
    if preset.lossless_sample_rate_min_hz is not None and suffix in LOSSLESS_SUFFIXES:
        floor = preset.lossless_sample_rate_min_hz
        ok = rate >= floor
        out.append(Finding(p.name, "sample_rate", ok, f"{rate} Hz", f">= {floor} Hz",
                           "" if ok else f"{preset.label} takes {suffix.lstrip('.').upper()} at {floor / 1000:g} kHz "
                           "or more: set output.sample_rate_hz and build again"))
    return out


def whole_chapters(name: str, tracks: list[TrackReport], preset: Preset) -> list[Finding]:
    """A build's chapters each in one file, where the store asks it (Apple: a track break never
    interrupts a chapter)."""
    if not preset.whole_chapters:
        return []
    split = [(key, len(list(group))) for key, group in groupby(tracks, key=lambda t: t.chapter_id)]
    split = [(key, n) for key, n in split if n > 1]
    ok = not split
    return [Finding(name, "chapters_whole", ok, f"{len(split)} chapter(s) in parts" if split else "each in one file",
                    "each chapter in one file",
                    "" if ok else f"{preset.label} takes no chapter split across files: "
                    + ", ".join(f"{key} is in {n} files" for key, n in split)
                    + f" — build with --preset {preset.name}, which leaves long chapters whole")]
