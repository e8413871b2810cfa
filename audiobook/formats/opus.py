"""Ogg Opus: lossy, for speech the most efficient; its codec runs at 8, 12, 16, 24 or 48 kHz only
(a 44.1 kHz manifest is written at 48 kHz). Vorbis comments with chapters; the feed says audio/ogg
(the type podcast apps know for Ogg files; RFC 7845 registers audio/ogg for Opus in Ogg)."""

from pathlib import Path

from mutagen.oggopus import OggOpus

from audiobook.formats import Format
from audiobook.formats.libsndfile import writer
from audiobook.formats.vorbiscomment import read_chapters, write_comments


def _tag(path: Path, tags, id3_version: int) -> None:
    write_comments(OggOpus(str(path)), tags)


FORMAT = Format("opus", ".opus", "audio/ogg", "Ogg Opus", "Vorbis comments (CHAPTERnnn)", "vorbis",
                sample_rates=(8000, 12000, 16000, 24000, 48000),
                open_writer=writer("OGG", "OPUS", integer_pcm=False), write_tags=_tag, read_chapters=read_chapters)
