"""Write tags with mutagen: ID3v2.3 (or 2.4) with CHAP and CTOC frames for MP3; Vorbis comments otherwise.

Chapter frames follow the ID3v2 Chapter Frame Addendum: one CHAP per marker (element id,
start and end in ms, an embedded TIT2), and a top-level, ordered CTOC listing them all —
Overcast and BookPlayer show chapters only with the CTOC.
"""

from __future__ import annotations

import base64
from pathlib import Path

from mutagen.flac import FLAC, Picture
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCOM,
    TCON,
    TCOP,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    TPE2,
    TPOS,
    TPUB,
    TRCK,
    TXXX,
    CTOCFlags,
    PictureType,
)
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from audiobook.tags.metadata import TrackTags

_NO_OFFSET = 0xFFFFFFFF  # CHAP byte offsets unused: times only


def write_tags(path: str | Path, tags: TrackTags, id3_version: int = 3, kind: str | None = None) -> None:
    """Tag the file at `path` (MP3, FLAC, Ogg Vorbis/Opus) in place; `kind` when its name does not say."""
    path = Path(path)
    kind = kind or path.suffix.lower().lstrip(".")
    if kind == "mp3":
        _id3(path, tags, id3_version)
    elif kind in ("flac", "ogg", "opus"):
        _vorbis(path, tags, kind)


def _id3(path: Path, t: TrackTags, version: int) -> None:
    tags = ID3()
    enc = 1 if version == 3 else 3  # UTF-16 in v2.3 (no UTF-8 there), UTF-8 in v2.4
    tags.add(TIT2(encoding=enc, text=[t.title]))
    tags.add(TALB(encoding=enc, text=[t.album]))
    if t.artist:
        tags.add(TPE1(encoding=enc, text=[t.artist]))
        tags.add(TPE2(encoding=enc, text=[t.artist]))
    if t.narrator:
        tags.add(TCOM(encoding=enc, text=[t.narrator]))  # where audiobook players look for the narrator
        tags.add(TXXX(encoding=enc, desc="NARRATOR", text=[t.narrator]))
    tags.add(TRCK(encoding=enc, text=[f"{t.track}/{t.tracks}"]))
    tags.add(TPOS(encoding=enc, text=[f"{t.disc}/{t.discs}"]))
    tags.add(TCON(encoding=enc, text=[t.genre]))
    if t.year:
        tags.add(TDRC(encoding=enc, text=[str(t.year)]))
    if t.publisher:
        tags.add(TPUB(encoding=enc, text=[t.publisher]))
    if t.language:
        tags.add(TLAN(encoding=enc, text=[_iso639_2(t.language)]))
    if t.copyright:
        tags.add(TCOP(encoding=enc, text=[t.copyright]))
    if t.description:
        tags.add(COMM(encoding=enc, lang="eng", desc="", text=[t.description]))
    if t.cover:
        tags.add(APIC(encoding=enc, mime=t.cover_mime, type=PictureType.COVER_FRONT, desc="Cover", data=t.cover))
    ids = []
    for n, ch in enumerate(t.chapters):
        eid = f"chp{n}"
        ids.append(eid)
        tags.add(CHAP(element_id=eid, start_time=int(round(ch.start_s * 1000)), end_time=int(round(ch.end_s * 1000)),
                      start_offset=_NO_OFFSET, end_offset=_NO_OFFSET,
                      sub_frames=[TIT2(encoding=enc, text=[ch.title])]))
    if ids:
        tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                      sub_frames=[TIT2(encoding=enc, text=[t.title])]))
    if version == 3:
        tags.update_to_v23()
    tags.save(str(path), v2_version=version)
    _chapters_in_time_order(path)


def _chapters_in_time_order(path: Path) -> None:
    """Put the CHAP frames in the order of their start times.

    mutagen orders frames by size, and some readers (ffmpeg among them) list chapters in
    frame order, whatever the CTOC says; the frames are rewritten in place, same size.
    """
    with open(path, "r+b") as f:
        header = f.read(10)
        if header[:3] != b"ID3":
            return
        version = header[3]
        size = _syncsafe(header[6:10])
        body = f.read(size)
        frames, pos = [], 0
        while pos + 10 <= len(body) and body[pos:pos + 4].strip(b"\x00"):
            raw = body[pos + 4:pos + 8]
            length = _syncsafe(raw) if version == 4 else int.from_bytes(raw, "big")
            frames.append(body[pos:pos + 10 + length])
            pos += 10 + length
        chap = [i for i, fr in enumerate(frames) if fr[:4] == b"CHAP"]
        if len(chap) < 2:
            return
        def start(fr: bytes) -> int:
            eid_end = fr.index(b"\x00", 10)
            return int.from_bytes(fr[eid_end + 1:eid_end + 5], "big")
        ordered = sorted((frames[i] for i in chap), key=start)
        for i, fr in zip(chap, ordered):
            frames[i] = fr
        f.seek(10)
        f.write(b"".join(frames))


def _syncsafe(b: bytes) -> int:
    return (b[0] << 21) | (b[1] << 14) | (b[2] << 7) | b[3]


def _vorbis(path: Path, t: TrackTags, kind: str) -> None:
    audio = FLAC(str(path)) if kind == "flac" else OggOpus(str(path)) if kind == "opus" else OggVorbis(str(path))
    values = {"title": t.title, "album": t.album, "artist": t.artist, "albumartist": t.artist,
              "composer": t.narrator, "narrator": t.narrator, "performer": t.narrator,
              "tracknumber": str(t.track), "tracktotal": str(t.tracks), "discnumber": str(t.disc),
              "genre": t.genre, "date": str(t.year) if t.year else None, "organization": t.publisher,
              "language": t.language, "copyright": t.copyright, "description": t.description}
    for key, value in values.items():
        if value:
            audio[key] = [value]
    for n, ch in enumerate(t.chapters, 1):  # the Vorbis chapter extension, as players read it
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


def _hms(seconds: float) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}"


_ISO639 = {"en": "eng", "de": "deu", "fr": "fra", "es": "spa", "it": "ita", "ru": "rus", "pt": "por", "nl": "nld"}


def _iso639_2(language: str) -> str:
    """ID3's TLAN wants ISO 639-2 ("eng"); manifests say "en" or "en-GB"."""
    base = language.split("-")[0].lower()
    return _ISO639.get(base, base if len(base) == 3 else "und")
