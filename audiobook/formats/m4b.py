"""M4B: the whole book in one AAC file (ffmpeg encodes it: render.m4b), chapters as Nero `chpl`
and a QuickTime chapter track; M4A is the same container. Not written track by track."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from audiobook.formats import Format
from audiobook.tags.metadata import Chapter


def read_chapters(path: Path) -> tuple[list[Chapter], list[str]]:
    """The chapters as ffprobe reads them (none where there is no ffprobe)."""
    if not shutil.which("ffprobe"):
        return [], []
    out = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)],
                         capture_output=True, text=True)
    try:
        data = json.loads(out.stdout or "{}")
    except json.JSONDecodeError:
        return [], [f"ffprobe could not read its chapters ({out.stderr.strip()[:200] or 'no output'})"]
    return [Chapter(c.get("tags", {}).get("title", ""), float(c["start_time"]), float(c["end_time"]))
            for c in data.get("chapters", [])], []


FORMAT = Format("m4b", ".m4b", "audio/mp4", "M4B (AAC)", "Nero chpl and a QuickTime chapter track",
                read_chapters=read_chapters)
