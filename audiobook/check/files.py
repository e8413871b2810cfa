"""Check audiobook files from anywhere: runtime, format, levels, room tone, tags, chapter markers.

Every check is a `Finding`: the figure beside its limit, passed or not, with a message a
producer can act on. Audio is measured by the same streaming analysis as `analyze`.
"""

from __future__ import annotations

from pathlib import Path

import mutagen

from audiobook import formats
from audiobook.analysis import Analysis, analyze_file, analyze_files
from audiobook.analysis.compliance import evaluate_deliverable
from audiobook.check.finding import Finding
from audiobook.check.store import file_rules
from audiobook.errors import InputError
from audiobook.files import clock
from audiobook.formats.mp4 import NotReadable, read_mp4
from audiobook.mp3frames import frame_bitrates, length_header
from audiobook.presets import Preset
from audiobook.tags.metadata import Chapter

AUDIO = formats.extensions()
NEAR_S = 0.05  # a marker this close to a pause counts as in it
MP4_SUFFIXES = (".m4b", ".m4a")
TRUNCATED_S = 0.5  # an M4B whose data holds this much less than its header says is cut short


Marker = Chapter  # a chapter marker read back from a file: title, start_s, end_s (None: starts only)


def read_markers(path: Path) -> tuple[list[Marker], list[str]]:
    """The file's chapter markers as its format stores them, and problems with how they are stored
    (MP3: the CTOC)."""
    return formats.read_chapters(path)


def marker_findings(name: str, markers: list[Marker], a: Analysis | None, duration: float,
                    expected: bool) -> list[Finding]:
    out: list[Finding] = []
    if not markers:
        if expected:
            out.append(Finding(name, "chapter_markers", False, "none", ">= 1", "no chapter markers in the file"))
        return out
    out.append(Finding(name, "first_marker_at_0", markers[0].start_s < 0.001, f"{markers[0].start_s:.3f} s", "0 s",
                       "" if markers[0].start_s < 0.001 else "the first marker should be at 0: the chapter's heading"))
    for i, m in enumerate(markers):
        label = f"marker {i + 1} ({m.title or 'untitled'})"
        if not m.title.strip():
            out.append(Finding(name, "marker_title", False, "''", "non-empty", f"{label}: no title"))
        if m.start_s >= duration or (m.end_s is not None and m.end_s > duration + NEAR_S):
            out.append(Finding(name, "marker_inside", False, clock(m.start_s), f"< {clock(duration)}",
                               f"{label} at {clock(m.start_s)} lies past the end of the file ({clock(duration)})"))
        if i and m.start_s < markers[i - 1].start_s:
            out.append(Finding(name, "markers_ordered", False, clock(m.start_s), f">= {clock(markers[i - 1].start_s)}",
                               f"{label} starts before the marker listed before it"))
        if i and markers[i - 1].end_s is not None and markers[i - 1].end_s > m.start_s + 0.001:
            out.append(Finding(name, "markers_overlap", False, clock(markers[i - 1].end_s), f"<= {clock(m.start_s)}",
                               f"marker {i} ends at {clock(markers[i - 1].end_s)}, after {label} begins"))
        if a is not None and 0 < m.start_s < duration:
            distance = _distance_to_pause(a, m.start_s)
            out.append(Finding(name, "marker_in_pause", distance <= NEAR_S, f"{distance:.2f} s from a pause",
                               f"<= {NEAR_S} s",
                               "" if distance <= NEAR_S else f"{label} at {clock(m.start_s)} falls in speech, "
                               f"{distance:.2f} s from the nearest pause: move it into the pause before the words"))
    return out


def _distance_to_pause(a: Analysis, t: float) -> float:
    best = float("inf")
    for p in a.pauses:
        if p.start_s <= t <= p.end_s:
            return 0.0
        best = min(best, abs(p.start_s - t), abs(p.end_s - t))
    return best


def check_files(paths: list[Path], preset: Preset, jobs: int | None = None, on_progress=None,
                analyses: dict[Path, Analysis] | None = None) -> list[Finding]:
    """Every per-file check on `paths`: levels too for those measured (`analyses`, by path: by
    default every file but the M4Bs, which `measure_books` decodes)."""
    if analyses is None:
        measurable = [p for p in paths if p.suffix.lower() not in MP4_SUFFIXES]
        analyses = dict(zip(measurable, analyze_files(measurable, jobs=jobs, on_progress=on_progress)))
    findings: list[Finding] = []
    channels = set()
    for p in paths:
        findings += _file_findings(p, analyses.get(p), preset, channels)
    if len(channels) > 1:
        findings.append(Finding("(all)", "channels_alike", False, "/".join(sorted(channels)), "all alike",
                                "the files mix mono and stereo: ACX wants them all alike"))
    return findings


def measure_books(paths: list[Path]) -> tuple[dict[Path, Analysis], list[Finding]]:
    """The M4B/M4As among `paths` decoded (by ffmpeg) and measured like the tracks; where one cannot
    be (no ffmpeg, a codec it does not decode: xHE-AAC), a finding says its levels were not checked."""

    measured, findings = {}, []
    for p in paths:
        if p.suffix.lower() not in MP4_SUFFIXES:
            continue
        try:
            measured[p] = analyze_file(p, keep_series=False)
        except InputError as exc:
            if "cannot be read as an M4B" in str(exc):
                raise
            findings.append(Finding(p.name, "levels", True, "not measured", "",
                                    f"its levels were not checked: {str(exc).split(': ', 1)[-1]}"))
    return measured, findings


def _file_findings(p: Path, a: Analysis | None, preset: Preset, channels: set) -> list[Finding]:
    name = p.name
    out: list[Finding] = []
    mp4 = p.suffix.lower() in (".m4b", ".m4a")
    if mp4:
        duration, found = _mp4_runtime(p)  # first: it says what is wrong with a damaged one
    f = _mutagen(p)
    if f is None and a is None:
        raise InputError(f"{p}: not an audio file we can read")
    if mp4:
        out += found
    else:
        duration = a.duration_s if a is not None else float(f.info.length)
        out.append(Finding(name, "runtime", True, clock(duration), "", ""))
    if preset.max_track_minutes and p.suffix.lower() not in (".m4b", ".m4a"):
        ok = duration <= preset.max_track_minutes * 60
        out.append(Finding(name, "length", ok, clock(duration), f"<= {preset.max_track_minutes:g} min",
                           "" if ok else f"{preset.label} takes files of at most {preset.max_track_minutes:g} minutes: "
                           "split this chapter"))
    rate = a.sample_rate if a is not None else getattr(f.info, "sample_rate", 0)
    n_channels = a.channels if a is not None else getattr(f.info, "channels", 0)
    if p.suffix.lower() not in (".m4b", ".m4a"):  # the one-file book is a deliverable of its own
        channels.add({1: "mono", 2: "stereo"}.get(n_channels, str(n_channels)))
    if p.suffix.lower() == ".mp3":
        out += _length_header(p, rate)
    if a is not None and a.decoder_errors:
        said = a.decoder_message.split("error:", 1)[-1].strip()
        out.append(Finding(name, "damaged_frames", False, f"{a.decoder_errors} damaged", "0",
                           f"{a.decoder_errors} damaged MP3 frames, decoded around (the decoder: {said}) — players may "
                           "click or skip there: re-export or re-download it"))
    if preset.mp3_cbr_kbps and p.suffix.lower() == ".mp3":
        kbps = preset.mp3_cbr_kbps
        rates = frame_bitrates(p)
        cbr = set(rates) == {kbps}
        out.append(Finding(name, f"mp3_{kbps}k_cbr", cbr, ", ".join(f"{k} kbps" for k in sorted(rates)) or "no frames",
                           f"{kbps} kbps CBR", "" if cbr else f"{preset.label} wants MP3 at {kbps} kbps constant "
                           "bitrate: re-encode"))
    if preset.mp3_sample_rate_hz and p.suffix.lower() == ".mp3":
        want = preset.mp3_sample_rate_hz
        out.append(Finding(name, "sample_rate", rate == want, f"{rate} Hz", f"{want} Hz",
                           "" if rate == want else f"{preset.label} wants {want / 1000:g} kHz: resample"))

    out += file_rules(p, f, rate, n_channels, preset)
    if a is not None:
        for c in evaluate_deliverable(a, preset):
            if c.check in ("dc_offset_percent", "speech_s"):
                continue
            value = ("-inf" if c.value is None else f"{c.value:.0f}" if c.check == "clipped_samples"
                     else f"{c.value:.2f} s" if c.check.endswith("room_tone") else f"{c.value:.1f}")
            out.append(Finding(name, c.check, c.passed, value, c.limit, c.advice))
    easy = _mutagen(p, easy=True) if f is not None else None
    has = {k: bool(easy and easy.tags and easy.tags.get(k)) for k in ("title", "album", "artist")}
    missing = [k for k, v in has.items() if not v]
    out.append(Finding(name, "tags", not missing, "missing " + ", ".join(missing) if missing else "present",
                       "title, album, artist", "" if not missing else f"tag the file's {', '.join(missing)}"))
    markers, problems = read_markers(p)
    what = "the QuickTime and chpl chapters agree" if p.suffix.lower() in (".m4b", ".m4a") else "CTOC lists every CHAP"
    out += [Finding(name, "chapter_table", False, "inconsistent", what, msg) for msg in problems]
    out += marker_findings(name, markers, a, duration, expected=False)
    return out


def _length_header(p: Path, rate: int) -> list[Finding]:
    """An MP3's Xing/Info frame count against the frames it holds (the runtime is the frames')."""
    header = length_header(p)
    if header is None or not rate:
        return []
    said, held = clock(header.declared_frames * header.samples / rate), clock(header.frames * header.samples / rate)
    return [Finding(p.name, "length_header", not header.wrong, f"{header.declared_frames} frames ({said})",
                    f"{header.frames} frames in the file ({held})",
                    "" if not header.wrong else f"its Xing/Info header says {said}, the file holds {held}: players "
                    "show the wrong length and seek to the wrong place — re-encode it, or rewrite the header "
                    "(mp3val -f, or vbrfix); the runtime and levels here are the whole file's")]


def _mutagen(p: Path, easy: bool = False):
    """mutagen's view of the file; None where it cannot make one (the checks say what is wrong)."""
    try:
        return mutagen.File(str(p), easy=easy)
    except mutagen.MutagenError:
        return None


def _mp4_runtime(p: Path) -> tuple[float, list[Finding]]:
    """An M4B's runtime, proven from its media data (its audio samples that the file's bytes
    hold), against what its header declares; the chapter forms it has."""
    try:
        info = read_mp4(p)
    except NotReadable as exc:
        raise InputError(f"{p}: cannot be read as an M4B — {exc}; re-download or re-export it") from None
    proven, declared = info.proven_s, info.declared_s
    whole = proven >= declared - TRUNCATED_S
    out = [Finding(p.name, "runtime", whole, clock(proven), f"{clock(declared)} (its header)",
                   "" if whole else f"cut short: its header says {clock(declared)}, its data holds {clock(proven)} "
                   f"({clock(declared - proven)} missing) — re-download or re-export it")]
    forms = info.chapter_forms
    out.append(Finding(p.name, "chapter_forms", True, " and ".join(forms) or "none", "",
                       {("quicktime",): "a QuickTime chapter track only: players that read Nero's chpl list (many "
                                        "Android players, older tools) show no chapters",
                        ("chpl",): "Nero's chpl list only: Apple's players show no chapters"}.get(tuple(forms), "")))
    return proven, out
