"""Vorbis comments (FLAC, Ogg Vorbis, Ogg Opus): the tags, the cover as a METADATA_BLOCK_PICTURE,
and chapter markers as CHAPTERnnn / CHAPTERnnnNAME (the Vorbis chapter extension players read)."""

from __future__ import annotations

import base64
from pathlib import Path

import mutagen
from mutagen.flac import FLAC, Picture

from audiobook.tags.metadata import Chapter, TrackTags


def write_comments(audio, t: TrackTags) -> None:
    """Tag `audio` (a mutagen FLAC, OggVorbis or OggOpus) with `t`, and save it."""
    values = {"title": t.title, "album": t.album, "artist": t.artist, "albumartist": t.artist,
              "composer": t.narrator, "narrator": t.narrator, "performer": t.narrator,
              "tracknumber": str(t.track), "tracktotal": str(t.tracks), "discnumber": str(t.disc),
              "genre": t.genre, "date": str(t.year) if t.year else None, "organization": t.publisher,
              "language": t.language, "copyright": t.copyright, "description": t.description}
    for key, value in values.items():
        if value:
            audio[key] = [value]
    for n, ch in enumerate(t.chapters, 1):
        audio[f"CHAPTER{n:03d}"] = [_hms(ch.start_s)]
        audio[f"CHAPTER{n:03d}NAME"] = [ch.title]
    if t.cover:
        pic = Picture()
        pic.type, pic.mime, pic.desc, pic.data = 3, t.cover_mime, "Cover", t.cover
        if isinstance(audio, FLAC):
            audio.clear_pictures()
            audio.add_picture(pic)
        else:
            audio["metadata_block_picture"] = [base64.b64encode(pic.write()).decode("ascii")]
    audio.save()


def read_chapters(path: Path) -> tuple[list[Chapter], list[str]]:
    """CHAPTER001=00:00:00.000, CHAPTER001NAME=..., in number order until one is missing."""
    try:
        f = mutagen.File(str(path))
    except mutagen.MutagenError as exc:
        return [], [f"its tags cannot be read ({exc}): players show none of its chapters"]
    if f is None or f.tags is None or not hasattr(f.tags, "get"):
        return [], []
    found, problems = [], []
    n = 1
    while f.tags.get(f"CHAPTER{n:03d}"):
        stamp = f.tags[f"CHAPTER{n:03d}"][0]
        try:  # HH:MM:SS.sss as the extension says; tools also write MM:SS.sss and plain seconds
            start = sum(float(part) * 60 ** i for i, part in enumerate(reversed(stamp.strip().split(":"))))
        except ValueError:
            problems.append(f"CHAPTER{n:03d} is {stamp!r}, not a time like 00:12:03.500")
            break
        found.append(Chapter((f.tags.get(f"CHAPTER{n:03d}NAME") or [""])[0], start, None))
        n += 1
    return found, problems


def _hms(seconds: float) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}"
