"""What every stage of a build works with: one explicit record, handed from stage to stage."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from audiobook.cache import BuildCache
from audiobook.manifest import Manifest
from audiobook.parallel import WorkerPool
from audiobook.presets import Preset

Progress = Callable[[str, float, float], None]


class Stopwatch:
    """Seconds per stage of the build, for the report."""

    def __init__(self, started: float):
        self.started = self.last = started
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.last, 2)
        self.last = now

    def total(self) -> float:
        return round(time.perf_counter() - self.started, 2)


@dataclass
class BuildContext:
    manifest: Manifest
    folder: Path  # the recordings folder, where manifest.yaml is
    names: list[str]  # the recordings, in timeline order
    preset: Preset
    out: Path
    cache: BuildCache
    workers: WorkerPool | None  # one set of processes for every stage; None: all in this process
    clock: Stopwatch
    on_progress: Progress | None = None
    cover: tuple[bytes, str] | None = None  # the cover art's bytes and MIME type
    notes: list[str] = field(default_factory=list)  # for the producer: the report's and the terminal's

    @property
    def paths(self) -> list[Path]:
        return [self.folder / n for n in self.names]

    @property
    def jobs(self) -> int | None:
        """For run_parallel: 1 where there are no workers (everything here), else theirs."""
        return 1 if self.workers is None else None

    def progress(self, stage: str) -> Callable[[float, float], None] | None:
        """The progress callback of one stage."""
        on_progress = self.on_progress
        return (lambda done, total: on_progress(stage, done, total)) if on_progress else None
