"""`check --json`'s file list: each file's format, its runtime proven from its media data beside
what its header declares, and its chapters in every form it stores them — a stable shape for
other programs (docs/check.md, `--json`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from audiobook import formats
from audiobook.analysis.reader import audio_info
from audiobook.check.finding import Finding
from audiobook.errors import InputError
from audiobook.formats.mp4 import NotReadable, read_mp4
from audiobook.formats.vorbiscomment import read_chapters as read_comments
from audiobook.mp3frames import length_header

FORMS = {"mp3": "id3", "flac": "vorbis", "ogg": "vorbis", "opus": "vorbis"}  # chapter forms by format


@dataclass
class ChapterEntry:
    start_s: float
    end_s: float | None
    title: str
    form: str  # "id3", "quicktime", "chpl", "vorbis"


@dataclass
class FileSummary:
    path: str
    format: str  # "mp3", "m4b", "flac", "ogg", "opus", "wav"
    runtime_s: float | None  # proven from the media data
    declared_runtime_s: float | None  # what its header says, where it says
    chapters: list[ChapterEntry] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def summarise(path: Path, findings: list[Finding]) -> FileSummary:
    fmt = formats.for_path(path)
    name = fmt.name if fmt else path.suffix.lower().lstrip(".")
    runtime = declared = None
    chapters: list[ChapterEntry] = []
    if name == "m4b":
        try:
            info = read_mp4(path)
            runtime, declared = info.proven_s, info.declared_s
            for form, found in (("quicktime", info.quicktime), ("chpl", info.chpl)):
                chapters += [ChapterEntry(_r(c.start_s), _r(c.end_s), c.title, form) for c in found or []]
        except NotReadable:
            pass
    else:
        try:
            a = audio_info(path)
            runtime = a.duration_s
            header = length_header(path) if name == "mp3" else None
            if header is not None:
                runtime = header.frames * header.samples / a.sample_rate
                declared = header.declared_frames * header.samples / a.sample_rate
        except (InputError, OSError, ValueError):  # what could not be read is in the findings
            pass
        marks, _ = formats.read_chapters(path)
        form = FORMS.get(name, name)
        if name == "flac" and marks and not read_comments(path)[0]:
            form = "cuesheet"  # no CHAPTERnnn comments: the chapters are its cue sheet's
        chapters = [ChapterEntry(_r(c.start_s), _r(c.end_s), c.title, form) for c in marks]
    return FileSummary(str(path), name, _r(runtime), _r(declared), chapters,
                       [f.to_dict() for f in findings if f.file == path.name])


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 3)
