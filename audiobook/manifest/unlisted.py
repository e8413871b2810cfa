"""Recordings in a folder that its manifest does not list, for what `analyze` was given."""

from __future__ import annotations

from pathlib import Path

from audiobook.errors import InputError
from audiobook.manifest.load import load_manifest
from audiobook.recordings import unlisted, unlisted_note


def unlisted_in(paths: list[Path]) -> list[str]:
    """`unlisted_notes` for what `analyze` was given: each recordings folder named (its manifest
    listing its sessions), and the folder of each file named — for the named files only."""
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
        notes += [unlisted_note(p) for p in unlisted(folder, manifest.recordings.files)
                  if asked is None or p.name in asked]
    return notes
