"""report.json: what a build made, as typed records — written by the build, read back by
`check` through the same types, each serialised by one function.

`SCHEMA_VERSION` counts changes to its shape; a report from a newer version is refused by
name (its fields may mean something this version does not know). Reports written before the
version was recorded read as version 0: the same fields, fewer of them.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from audiobook.errors import InputError
from audiobook.files import write_text_atomic
from audiobook.tags.metadata import Chapter

SCHEMA_VERSION = 3  # 1: schema_version itself; markers with their end_s. 2: the chapters as built. 3: transcript


@dataclass
class Rendered:
    """A track as rendering wrote it (kept in the build's cache with its key)."""

    path: str
    frames: int
    limited_samples: int  # samples the limiter held down
    duration_s: float
    reused: bool = False  # taken from the cache, unchanged since the last build
    ceiling_dbfs: float | None = None  # the limiter's, as rendered: under the job's where a codec needed headroom

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k not in ("path", "reused")}

    @classmethod
    def from_dict(cls, d: dict, path: str, reused: bool = False) -> Rendered:
        ceiling = d.get("ceiling_dbfs")
        return cls(path, int(d["frames"]), int(d["limited_samples"]), float(d["duration_s"]), reused,
                   None if ceiling is None else float(ceiling))


@dataclass
class Levels:
    """A written file's measured levels against the preset."""

    duration_s: float
    rms_dbfs: float | None
    peak_dbfs: float | None  # true peak where measured
    noise_floor_dbfs: float | None
    integrated_lufs: float | None
    meets_preset: bool
    failures: list[str] = field(default_factory=list)


@dataclass
class SourceSpan:
    file: str
    start_s: float
    end_s: float


@dataclass
class TrackReport:
    id: str
    chapter: str | None
    title: str
    file: str
    duration_s: float
    words: int = 0
    spoken_words: int = 0  # with the headings, read aloud too
    source_spans: list[SourceSpan] = field(default_factory=list)
    markers: list[Chapter] = field(default_factory=list)
    rms_dbfs: float | None = None
    peak_dbfs: float | None = None
    noise_floor_dbfs: float | None = None
    integrated_lufs: float | None = None
    limited_samples: int = 0
    room_tone_added_s: dict[str, float] = field(default_factory=lambda: {"head": 0.0, "tail": 0.0})
    placed_by: str = ""
    limiter_makeup_db: float = 0.0
    meets_preset: bool = True
    failures: list[str] = field(default_factory=list)
    transcript: str | None = None  # its WebVTT transcript, where one was written (version 3)

    @property
    def chapter_id(self) -> str:
        """The manifest chapter it is (or is a part of)."""
        return self.chapter or self.id


@dataclass
class RecordingReport:
    file: str
    duration_s: float
    rms_dbfs: float | None
    noise_floor_dbfs: float | None
    speech_rms_dbfs: float | None


@dataclass
class SectionBuilt:
    title: str
    heading_lost: bool = False


@dataclass
class ChapterBuilt:
    """A chapter of the manifest as the build read it: what `check` compares the tracks with,
    so a build stays checkable once its recordings (and manifest) are moved away or published."""

    id: str
    title: str
    sections: list[SectionBuilt] = field(default_factory=list)


@dataclass
class BuildReport:
    book: str
    manifest: str  # the manifest.yaml it was built from
    chapters_selected: list[str]
    preset: str
    total_runtime_s: float
    total_runtime_minutes: int
    pace_wpm: float
    feed: str
    m4b: str | None
    retail_sample: str | None
    retail_sample_levels: Levels | None
    blurb: str | None
    recordings: list[RecordingReport]
    tracks: list[TrackReport]
    notes: list[str]
    build_seconds: float
    stage_seconds: dict[str, float]
    chapters: list[ChapterBuilt] = field(default_factory=list)  # every chapter of the manifest (version 2)
    schema_version: int = SCHEMA_VERSION

    def write(self, path: Path) -> None:
        data = {"schema_version": self.schema_version, **{k: v for k, v in asdict(self).items()
                                                           if k != "schema_version"}}
        write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    @classmethod
    def read(cls, path: Path) -> BuildReport:
        """The report at `path`; an InputError naming it when it is not one this version reads."""
        try:
            d = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{path}: not a build report we can read ({exc}) — build again") from None
        version = d.get("schema_version", 0) if isinstance(d, dict) else None
        if not isinstance(version, int):
            raise InputError(f"{path}: not a build report (no tracks) — build again")
        if version > SCHEMA_VERSION:
            raise InputError(f"{path}: written by a newer audiobook (report schema {version}; this one reads up to "
                             f"{SCHEMA_VERSION}) — upgrade audiobook, or build again with this one")
        try:
            return cls(
                **_known(cls, d, skip=("recordings", "tracks", "retail_sample_levels", "schema_version", "chapters")),
                schema_version=version,
                chapters=[ChapterBuilt(c["id"], c["title"], [SectionBuilt(**_known(SectionBuilt, s))
                                                             for s in c.get("sections", [])])
                          for c in d.get("chapters", [])],
                recordings=[RecordingReport(**_known(RecordingReport, r)) for r in d.get("recordings", [])],
                tracks=[_track(t) for t in d["tracks"]],
                retail_sample_levels=Levels(**_known(Levels, d["retail_sample_levels"]))
                if d.get("retail_sample_levels") else None)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}: a build report with a field missing or wrong ({exc}) — build again") from None


def _track(d: dict) -> TrackReport:
    return TrackReport(**_known(TrackReport, d, skip=("source_spans", "markers")),
                       source_spans=[SourceSpan(**s) for s in d.get("source_spans", [])],
                       markers=[Chapter(m["title"], float(m["start_s"]), m.get("end_s")) for m in d.get("markers", [])])


def _known(cls, d: dict, skip: tuple[str, ...] = ()) -> dict:
    """The fields of `cls` in `d` (a report's extra fields, from a newer minor change, are left)."""
    names = {f.name for f in fields(cls)} - set(skip)
    return {k: v for k, v in d.items() if k in names}


def rounded(v: float, digits: int = 2) -> float | None:
    """A level for the report: rounded, None where it is not finite (digital silence's -inf)."""
    return round(v, digits) if math.isfinite(v) else None
