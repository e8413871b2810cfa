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
    return [_unlisted_note(p) for p in unlisted(folder, listed)]


def _unlisted_note(p: Path) -> str:
    return f"{p.name} is in the recordings folder but not in manifest.yaml's recordings.files — add it there to build it"


def unlisted_in(paths: list[Path]) -> list[str]:
    """`unlisted_notes` for what `analyze` was given: each recordings folder named (its manifest
    listing its sessions), and the folder of each file named — for the named files only."""
    from audiobook.errors import InputError
    from audiobook.manifest import load_manifest

    notes: list[str] = []
    folders: dict[Path, set[str] | None] = {}  # a folder, and the names asked about there (None: all)
    for p in map(Path, paths):
        folder, name = (p, None) if p.is_dir() else (p.parent, p.name)
        if not (folder / "manifest.yaml").is_file():
            continue
        asked = folders.setdefault(folder.resolve(), set())
        if name is None:
            folders[folder.resolve()] = None
        elif asked is not None:
            asked.add(name)
    for folder, asked in folders.items():
        try:
            manifest, _ = load_manifest(folder)
        except InputError:
            continue  # `validate` is the place to say what is wrong with it
        notes += [_unlisted_note(p) for p in unlisted(folder, manifest.recordings.files)
                  if asked is None or p.name in asked]
    return notes
