"""FLAC: lossless, 16-bit, any sample rate; Vorbis comments with chapters."""

from pathlib import Path

from mutagen.flac import FLAC

from audiobook.formats import Format
from audiobook.formats.libsndfile import writer
from audiobook.formats.vorbiscomment import read_chapters, write_comments


def _tag(path: Path, tags, id3_version: int) -> None:
    write_comments(FLAC(str(path)), tags)


FORMAT = Format("flac", ".flac", "audio/flac", "FLAC (16-bit)", "Vorbis comments (CHAPTERnnn)",
                open_writer=writer("FLAC", "PCM_16", integer_pcm=True), write_tags=_tag, read_chapters=read_chapters)
