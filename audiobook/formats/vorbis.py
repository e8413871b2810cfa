"""Ogg Vorbis: lossy (libvorbis's quality mode; no bitrate asked), Vorbis comments with chapters."""

from pathlib import Path

from mutagen.oggvorbis import OggVorbis

from audiobook.formats import Format
from audiobook.formats.libsndfile import writer
from audiobook.formats.vorbiscomment import read_chapters, write_comments


def _tag(path: Path, tags, id3_version: int) -> None:
    write_comments(OggVorbis(str(path)), tags)


FORMAT = Format("ogg", ".ogg", "audio/ogg", "Ogg Vorbis", "Vorbis comments (CHAPTERnnn)", "vorbis",
                open_writer=writer("OGG", "VORBIS", integer_pcm=False), write_tags=_tag, read_chapters=read_chapters)
