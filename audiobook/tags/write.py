"""Tag a finished track: each format writes its own (audiobook.formats: ID3 with CHAP/CTOC for
MP3, Vorbis comments for FLAC and Ogg)."""

from __future__ import annotations

from pathlib import Path

from audiobook.tags.metadata import TrackTags


def write_tags(path: str | Path, tags: TrackTags, id3_version: int = 3, kind: str | None = None) -> None:
    """Tag the file at `path` in place; `kind` (a format's name) when its file name does not say."""
    from audiobook import formats

    path = Path(path)
    fmt = formats.get(kind) if kind else formats.for_path(path)
    if fmt is not None and fmt.write_tags is not None:
        fmt.write_tags(path, tags, id3_version)
