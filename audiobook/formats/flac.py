"""FLAC: lossless, 16-bit, any sample rate; Vorbis comments with chapters. Read back, a FLAC
without CHAPTERnnn comments may carry a cue sheet (a CUESHEET metadata block, as CD rippers
and some audiobook tools write): its tracks are its chapters, titled from the text cue sheet
in its CUESHEET comment where there is one."""

import re
from pathlib import Path

from mutagen import MutagenError
from mutagen.flac import FLAC

from audiobook.formats import Format
from audiobook.formats.libsndfile import writer
from audiobook.formats.vorbiscomment import read_chapters as read_comments
from audiobook.formats.vorbiscomment import write_comments
from audiobook.tags.metadata import Chapter

LEAD_OUT = (170, 255)  # the cue sheet's lead-out track (CD, other)


def _tag(path: Path, tags, id3_version: int) -> None:
    write_comments(FLAC(str(path)), tags)


def read_chapters(path: Path) -> tuple[list[Chapter], list[str]]:
    found, problems = read_comments(path)
    if found:
        return found, problems
    try:
        audio = FLAC(str(path))
    except MutagenError:
        return [], problems
    sheet = audio.cuesheet
    if sheet is None or not audio.info.sample_rate:
        return [], problems
    titles = _titles((audio.get("CUESHEET") or [""])[0])
    tracks = sorted((t for t in sheet.tracks if t.track_number not in LEAD_OUT), key=lambda t: t.start_offset)
    rate = audio.info.sample_rate
    ends = [t.start_offset for t in tracks[1:]] + [audio.info.total_samples]
    return [Chapter(titles.get(t.track_number, f"Track {t.track_number}"), t.start_offset / rate, end / rate)
            for t, end in zip(tracks, ends)], problems


def _titles(text: str) -> dict[int, str]:
    """TRACK nn ... TITLE "..." from a text cue sheet."""
    out, track = {}, None
    for line in text.splitlines():
        if m := re.match(r"\s*TRACK\s+(\d+)", line, re.IGNORECASE):
            track = int(m[1])
        elif track is not None and (m := re.match(r'\s*TITLE\s+"?(.*?)"?\s*$', line, re.IGNORECASE)):
            out.setdefault(track, m[1])
    return out


FORMAT = Format("flac", ".flac", "audio/flac", "FLAC (16-bit)", "Vorbis comments (CHAPTERnnn), or a cue sheet", "vorbis",
                open_writer=writer("FLAC", "PCM_16", integer_pcm=True), write_tags=_tag, read_chapters=read_chapters)
