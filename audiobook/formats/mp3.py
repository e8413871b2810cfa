"""MP3: LAME (the lameenc wheel) at a constant bitrate, with the Info frame that gives its exact
length; ID3v2.3 (or 2.4) tags with CHAP and CTOC frames for chapters.

Chapter frames follow the ID3v2 Chapter Frame Addendum: one CHAP per marker (element id,
start and end in ms, an embedded TIT2), and a top-level, ordered CTOC listing them all —
Overcast and BookPlayer show chapters only with the CTOC. MP3 goes through lameenc rather
than libsndfile's own LAME because it is faster on the same input (docs/performance.md, MP3 encoders).
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np
from mutagen import MutagenError
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
    ID3NoHeaderError,
    PictureType,
)

from audiobook.formats import Format
from audiobook.formats.mp3info import info_frame
from audiobook.mp3frames import frame_length
from audiobook.tags.metadata import Chapter, TrackTags

LAME_GAIN_DB = -0.26  # LAME at 192 kbps scales its input by 0.970; the renderer makes up for it
SAMPLE_RATES = (22050, 24000, 32000, 44100, 48000)  # MPEG-1 and -2 Layer III, as the manifest allows them


class LameWriter:
    """CBR MP3 through lameenc; room is kept at the start for the Info frame, written at the end."""

    integer_pcm = True

    def __init__(self, file: BinaryIO, path: Path, rate: int, channels: int, kbps: int):
        import lameenc

        self._file, self._path = file, path
        self._lame = lameenc.Encoder()
        self._lame.set_bit_rate(kbps)
        self._lame.set_in_sample_rate(rate)
        self._lame.set_out_sample_rate(rate)
        self._lame.set_channels(channels)
        self._lame.set_quality(3)  # LAME -q 3: high quality at twice the speed of -q 2 (scripts/bench.py encoders)
        self._placeholder = frame_length(kbps, rate)  # an unpadded frame
        file.write(bytes(self._placeholder))  # where the Info frame goes once the length is known

    def write(self, block: np.ndarray) -> None:
        self._file.write(self._lame.encode(block.tobytes()))

    def finish(self, samples: int) -> None:
        self._file.write(self._lame.flush())
        self._file.flush()
        self._file.seek(0)
        self._file.write(info_frame(self._path, samples, skip=self._placeholder))


def write_tags(path: Path, t: TrackTags, version: int = 3) -> None:
    _id3(path, t, version)


def read_chapters(path: Path) -> tuple[list[Chapter], list[str]]:
    """The CHAP frames in the order the top-level CTOC lists them, and problems with the CTOC."""
    problems: list[str] = []
    try:
        tags = ID3(str(path))
    except ID3NoHeaderError:
        return [], []
    except MutagenError as exc:
        return [], [f"its ID3v2 tag cannot be read ({exc}): players show none of its chapters"]
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    markers = {eid: Chapter(str(c.sub_frames["TIT2"]) if "TIT2" in c.sub_frames else "", c.start_time / 1000,
                            c.end_time / 1000)
               for eid, c in chaps.items()}
    tocs = [t for t in tags.getall("CTOC") if t.flags & 2]  # top level
    if chaps and not tocs:
        problems.append("CHAP frames but no top-level CTOC: Overcast and BookPlayer will show no chapters")
    if tocs:
        ids = list(tocs[0].child_element_ids)
        missing = [e for e in ids if e not in chaps]
        unlisted = [e for e in chaps if e not in ids]
        if missing or unlisted:
            problems.append(f"CTOC and CHAP frames disagree (listed but absent: {missing}, present but "
                            f"unlisted: {unlisted})")
        return [markers[e] for e in ids if e in markers], problems
    return sorted(markers.values(), key=lambda m: m.start_s), problems


_NO_OFFSET = 0xFFFFFFFF  # CHAP byte offsets unused: times only


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


_ISO639 = {"en": "eng", "de": "deu", "fr": "fra", "es": "spa", "it": "ita", "ru": "rus", "pt": "por", "nl": "nld"}


def _iso639_2(language: str) -> str:
    """ID3's TLAN wants ISO 639-2 ("eng"); manifests say "en" or "en-GB"."""
    base = language.split("-")[0].lower()
    return _ISO639.get(base, base if len(base) == 3 else "und")


FORMAT = Format("mp3", ".mp3", "audio/mpeg", "MP3 (LAME, constant bitrate)", "ID3v2 CHAP and CTOC frames",
                sample_rates=SAMPLE_RATES, bitrate=True, encoder_gain_db=-LAME_GAIN_DB, open_writer=LameWriter,
                write_tags=write_tags, read_chapters=read_chapters)
