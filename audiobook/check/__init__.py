"""`audiobook check`: prove runtime, chapter markers and compliance, for our builds and any audiobook."""

from __future__ import annotations

from pathlib import Path

from audiobook.analysis import analyze_files
from audiobook.check.build import check_build, check_published, is_build, is_published
from audiobook.check.files import AUDIO, check_files, measure_books, read_markers
from audiobook.check.finding import Finding
from audiobook.errors import InputError
from audiobook.report import BuildReport

__all__ = ["AUDIO", "Finding", "build_preset", "check_files", "check_paths", "collect", "read_markers"]


def build_preset(paths: list[Path]) -> str | None:
    """The preset the build folders among `paths` were mastered to, when they agree on one."""

    found = set()
    for p in paths:
        if p.is_dir() and is_build(p):
            found.add(BuildReport.read(p / "report.json").preset)
    return found.pop() if len(found) == 1 and None not in found else None


def check_paths(paths: list[Path], preset, jobs: int | None = None, on_progress=None,
                listen: bool = True, allow_unverified: bool = False) -> tuple[list[Path], list[Finding]]:
    """Check every audio file named or found, and every build folder named as a whole
    (`listen`: its markers by ear too; `allow_unverified`: a marker that cannot be heard passes)."""

    files = collect(paths)
    measurable = [p for p in files if p.suffix.lower() not in (".m4b", ".m4a")]
    analyses = dict(zip(measurable, analyze_files(measurable, jobs=jobs, on_progress=on_progress)))
    books, not_measured = measure_books(files)  # the M4B decoded: held to the preset like the tracks
    analyses.update(books)
    findings = check_files(files, preset, analyses=analyses) + not_measured
    by_path = {p.resolve(): a for p, a in analyses.items()}
    for p in paths:
        if p.is_dir() and is_build(p):
            findings += check_build(p, {Path(k): v for k, v in by_path.items()}, listen=listen,
                                    allow_unverified=allow_unverified, preset=preset)
        elif p.is_dir() and is_published(p):
            findings += check_published(p, {q: a for q, a in analyses.items() if q.parent == p})
    return files, findings


def collect(paths: list[Path]) -> list[Path]:
    """Audio files named, or found directly in the folders named (retail samples left out)."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.suffix.lower() in AUDIO and not q.name.startswith(".")
                           and not q.name.startswith("retail-sample"))
            if not found:
                raise InputError(f"{p}: no audiobook files here (MP3, M4B, M4A, FLAC, Ogg, WAV)")
            files += found
        else:
            files.append(p)
    return files
