"""Finding the narrator's session files in a recordings folder, in the order they are played."""

from __future__ import annotations

import re
from pathlib import Path

# What libsndfile reads (soundfile's bundled build: WAV/RF64/W64, FLAC, AIFF, Ogg, MP3, CAF, AU).
AUDIO_EXTENSIONS = (".wav", ".wave", ".rf64", ".w64", ".bwf", ".flac", ".aif", ".aiff", ".aifc",
                    ".ogg", ".oga", ".opus", ".mp3", ".caf", ".au", ".snd")


def natural_key(name: str) -> list:
    """Sort "session-2" before "session-10", as a person reads them."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


def find_recordings(folder: str | Path, exclude: Path | None = None) -> list[Path]:
    """The audio files directly in `folder` (not in subfolders), in natural name order.

    Hidden files and `exclude` (an output folder inside it, say) are left out.
    """
    folder = Path(folder)
    found = [p for p in folder.iterdir()
             if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS and not p.name.startswith(".")]
    if exclude is not None:
        found = [p for p in found if exclude.resolve() not in p.resolve().parents]
    return sorted(found, key=lambda p: natural_key(p.name))


def unlisted(folder: str | Path, listed: list[str]) -> list[Path]:
    """The audio files in `folder` that the manifest's `recordings.files` (when it lists them)
    leaves out."""
    if not listed:
        return []
    names = {Path(n).name for n in listed}
    return [p for p in find_recordings(folder) if p.name not in names]


def unlisted_notes(folder: str | Path, listed: list[str]) -> list[str]:
    """Notes on the files `unlisted` finds: a session recorded later and dropped in is not built
    without a word."""
    return [unlisted_note(p) for p in unlisted(folder, listed)]


def unlisted_note(p: Path) -> str:
    return f"{p.name} is in the recordings folder but not in manifest.yaml's recordings.files — add it there to build it"
