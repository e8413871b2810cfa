#!/usr/bin/env python3
"""Fuzz the parsers `check` and `init` use, against real files mutated.

    python3 scripts/fuzz.py --per-format 10000 [--formats mp3,m4b] [--seed 1] [--jobs 2] [--keep DIR]

Real files first, one folder of them made afresh (seeded): tracks our library writes (its MP3,
FLAC, Ogg Vorbis, Opus and WAV writers and taggers, and its M4B from its AAC streams) from
generated narration-like audio, files other tools write (ffmpeg's MP3 with ID3 chapters and a
Xing header, its M4B with both chapter forms, with the index at the end, with a QuickTime
chapter track only, its Ogg, Opus and FLAC with chapter comments), files mutagen tags (ID3v2.4
CHAP/CTOC, MP4 tags rewritten, a FLAC cue sheet), and books made as tests/book/made_books.py
makes them (EPUB 3 and 2, DOCX with styles and with fake headings, a print PDF, HTML,
Markdown, plain text).

Then each is mutated: cut short at a random place or at a box's or block's edge, bytes
flipped, ranges zeroed — and, knowing each format, lies told in its lengths and counts: MP4
boxes (stsz, stco/co64, stts, stsc, chpl, tref, the QuickTime chapter track's samples, the
headers), ID3 tags and frames (CHAP, CTOC), the Xing/Info frame, MP3 frame headers, Ogg pages
(their CRC made right again, so the lie is read) and Vorbis comment packets, FLAC metadata
blocks (STREAMINFO, the cue sheet, comments), WAV chunks, the members of an EPUB or DOCX
(their XML cut or damaged, members dropped) and the zip's own directory, a PDF's lengths and
cross-reference offsets.

Each mutated file is run in-process through what `check` runs on a file (`check_paths`, and
the summary of `--json`), or through `init`'s book reader (`read_book`), with a time limit
(signal.alarm; a worker stuck in C code past twice that is killed and replaced). Outcomes: a
verdict, a clear input error (AudiobookError, exit 2, naming the file), an error that does not
name the file, a traceback, a hang. Tracebacks and hangs are kept (with --keep) to be replayed:

    python3 scripts/fuzz.py --replay DIR/mp3-00042.mp3

Exit status 1 when any run ended in a traceback, a hang or an unnamed error.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import os
import random
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AUDIO = ("mp3", "m4b", "opus", "ogg", "flac", "wav")
BOOKS = ("epub", "docx", "pdf", "html", "md", "txt")
FORMATS = AUDIO + BOOKS
LIMIT_S = 10  # per file: a run longer than this is a hang
MEMORY_BYTES = 3 << 30  # per worker: a file that makes us allocate more is a bug, not a slow machine
RATE = 22050  # the generated audio's; short and small, so thousands run in minutes


# -- the real files ---------------------------------------------------------------------------

def _narration(seconds: float, seed: int, rate: int = RATE):
    """Speech-like audio: bursts of shaped noise ("words") between pauses of room tone."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    out = rng.standard_normal(n) * 10 ** (-70 / 20)
    t = int(0.3 * rate)
    while t < n - int(0.3 * rate):
        length = int(rng.uniform(0.15, 0.45) * rate)
        env = np.sin(np.linspace(0, np.pi, length)) ** 2
        tone = np.sin(2 * np.pi * rng.uniform(120, 220) * np.arange(length) / rate)
        out[t:t + length] += 0.25 * env * (tone + 0.3 * rng.standard_normal(length))
        t += length + int(rng.uniform(0.05, 0.5) * rate)
    return out.astype(np.float32)[:, None]


def _ours(fmt_name: str, path: Path, audio, seed: int) -> Path:
    """A track as the library writes it: its format's writer, then its tagger with chapters."""
    import numpy as np

    from audiobook import formats
    from audiobook.tags.metadata import Chapter, TrackTags

    fmt = formats.get(fmt_name)
    rate = fmt.rate_for(RATE)
    if rate != RATE:
        from scipy.signal import resample_poly

        audio = resample_poly(audio, rate, RATE).astype(np.float32)
    with open(path, "wb") as f:
        w = fmt.open_writer(f, path, rate, 1, 64)
        block = (np.clip(audio, -1, 1) * 32767).astype(np.int16) if w.integer_pcm else audio
        for i in range(0, len(block), 8192):
            w.write(block[i:i + 8192])
        w.finish(len(block))
    duration = len(audio) / rate
    if fmt.write_tags:
        marks = [Chapter("Chapter 1", 0.0, duration / 3), Chapter("A section", duration / 3, 2 * duration / 3),
                 Chapter("Another", 2 * duration / 3, duration)]
        fmt.write_tags(path, TrackTags("Chapter 1", "The Book", "An Author", "A Narrator", track=1, tracks=3,
                                       year=1937, description="A description " * 5, chapters=marks), 3)
    return path


def _ffmetadata(duration: float, n: int = 3) -> str:
    lines = [";FFMETADATA1", "title=The Book", "artist=An Author", "album=The Book"]
    for k in range(n):
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={int(k * duration / n * 1000)}",
                  f"END={int((k + 1) * duration / n * 1000)}", f"title=Chapter {k + 1}"]
    return "\n".join(lines) + "\n"


def _ffmpeg(src: Path, meta: Path, out: Path, *args: str) -> Path | None:
    proc = subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(src), "-i", str(meta), "-map", "0:a",
                           "-map_metadata", "1", "-map_chapters", "1", *args, str(out)],
                          stdin=subprocess.DEVNULL, capture_output=True)
    return out if proc.returncode == 0 and out.is_file() else None


def make_corpus(folder: Path, seed: int = 1, formats: tuple[str, ...] = FORMATS) -> dict[str, list[Path]]:
    """The real files, by format, written into `folder`."""
    import soundfile as sf

    folder.mkdir(parents=True, exist_ok=True)
    audio = _narration(3.0, seed)
    duration = len(audio) / RATE
    corpus: dict[str, list[Path]] = {f: [] for f in formats}
    wav = folder / "source.wav"
    sf.write(str(wav), audio, RATE, subtype="PCM_16")
    meta = folder / "chapters.txt"
    meta.write_text(_ffmetadata(duration), encoding="utf-8")
    have_ffmpeg = shutil.which("ffmpeg") is not None
    for name in ("mp3", "flac", "ogg", "opus", "wav"):
        if name in formats:
            corpus[name].append(_ours(name, folder / f"ours.{name}", audio, seed))
    if have_ffmpeg:
        made = {"mp3": [("ffmpeg.mp3", ["-c:a", "libmp3lame", "-b:a", "64k", "-id3v2_version", "3"])],
                "flac": [("ffmpeg.flac", ["-c:a", "flac"])],
                "ogg": [("ffmpeg.ogg", ["-c:a", "libvorbis", "-q:a", "1"])],
                "opus": [("ffmpeg.opus", ["-c:a", "libopus", "-b:a", "24k"])],
                "wav": [("ffmpeg.wav", ["-c:a", "pcm_s24le"])],
                "m4b": [("ffmpeg-faststart.m4b", ["-c:a", "aac", "-b:a", "32k", "-movflags", "+faststart"]),
                        ("ffmpeg-index-last.m4b", ["-c:a", "aac", "-b:a", "32k"]),
                        ("ffmpeg-quicktime-only.m4a", ["-c:a", "aac", "-b:a", "32k", "-movflags",
                                                       "+faststart+disable_chpl"])]}
        for name, outs in made.items():
            if name in formats:
                corpus[name] += [p for out, args in outs if (p := _ffmpeg(wav, meta, folder / out, *args))]
    if "m4b" in formats and have_ffmpeg:
        corpus["m4b"].append(_our_m4b(folder, audio))
    _mutagen_written(folder, corpus, duration)
    books = [f for f in formats if f in BOOKS]
    if books:
        corpus.update(_books(folder, books))
    return {k: v for k, v in corpus.items() if v}


def _our_m4b(folder: Path, audio) -> Path:
    """The M4B as a build writes it: each track's AAC stream (AacStream), joined with chapters."""
    import numpy as np

    from audiobook.render.m4b import AacStream, M4bTrack, write_m4b
    from audiobook.tags.metadata import Chapter

    tracks = []
    half = len(audio) // 2
    for k, piece in enumerate((audio[:half], audio[half:])):
        stream = AacStream(folder / f"track{k}.aac", RATE, 1)
        stream.write((np.clip(piece, -1, 1) * 32767).astype(np.int16))
        path = stream.close()
        tracks.append(M4bTrack(str(path), f"Chapter {k + 1}", [Chapter(f"Chapter {k + 1}", 0.0),
                                                               Chapter("A section", len(piece) / RATE / 2)]))
    out = folder / "ours.m4b"
    write_m4b(out, tracks, {"title": "The Book", "artist": "An Author", "album": "The Book"}, rate=RATE)
    return out


def _mutagen_written(folder: Path, corpus: dict[str, list[Path]], duration: float) -> None:
    """Tags written by mutagen as other taggers write them: ID3v2.4 CHAP/CTOC (nested, unordered),
    MP4 tags (the moov rewritten, the chunk offsets moved), a FLAC cue sheet with its text."""
    if "mp3" in corpus and corpus["mp3"]:
        from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags

        src = corpus["mp3"][-1]
        out = folder / "mutagen-v24.mp3"
        shutil.copyfile(src, out)
        tags = ID3()
        tags.add(TIT2(encoding=3, text=["The Book"]))
        ids = []
        for k in range(3):
            ids.append(f"ch{k}")
            tags.add(CHAP(element_id=f"ch{k}", start_time=int(k * duration / 3 * 1000),
                          end_time=int((k + 1) * duration / 3 * 1000), start_offset=0xFFFFFFFF,
                          end_offset=0xFFFFFFFF, sub_frames=[TIT2(encoding=3, text=[f"Part {k}"])]))
        tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids[::-1][1:],
                      sub_frames=[TIT2(encoding=3, text=["Contents"])]))
        tags.add(CTOC(element_id="sub", flags=CTOCFlags.ORDERED, child_element_ids=ids[:1]))
        tags.save(str(out), v2_version=4)
        corpus["mp3"].append(out)
    if corpus.get("m4b"):
        from mutagen.mp4 import MP4

        out = folder / "mutagen-tagged.m4b"
        shutil.copyfile(corpus["m4b"][0], out)
        m = MP4(str(out))
        m["\xa9nam"], m["\xa9ART"], m["desc"] = ["Retagged"], ["Someone"], ["x" * 3000]  # the moov grows
        m.save()
        corpus["m4b"].append(out)
    if corpus.get("flac"):
        from mutagen.flac import FLAC, CueSheet, CueSheetTrack, CueSheetTrackIndex

        out = folder / "cuesheet.flac"
        shutil.copyfile(corpus["flac"][0], out)
        audio = FLAC(str(out))
        for key in list(audio.keys()):
            if key.upper().startswith("CHAPTER"):
                del audio[key]
        rate = audio.info.sample_rate
        sheet = CueSheet(None)
        sheet.media_catalog_number, sheet.lead_in_samples, sheet.compact_disc = b"", 88200, True
        sheet.tracks = []
        for n in range(3):
            t = CueSheetTrack(n + 1, int(n * duration / 3 * rate))
            t.indexes = [CueSheetTrackIndex(1, 0)]
            sheet.tracks.append(t)
        lead_out = CueSheetTrack(170, audio.info.total_samples)
        lead_out.indexes = []
        sheet.tracks.append(lead_out)
        audio.metadata_blocks.append(sheet)
        audio["CUESHEET"] = ['FILE "x.flac" WAVE\n  TRACK 01 AUDIO\n    TITLE "Opening"\n    INDEX 01 00:00:00\n'
                             '  TRACK 02 AUDIO\n    TITLE "Middle"\n    INDEX 01 00:01:00\n']
        audio.save()
        corpus["flac"].append(out)


def _books(folder: Path, wanted: list[str]) -> dict[str, list[Path]]:
    """A short novel in each shape tests/book/made_books.py writes."""
    from audiobook.book.model import Book, Part, Section
    from tests.book import made_books as made

    prose = ("She walked down to the harbour before dawn, counting the boats as the light came up over the "
             "water, and wondered which of them would carry her away. ")
    titles = ["Chapter 1: The Harbour", "Chapter 2: A Letter from Nowhere", "Chapter 3: The Keeper"]
    book = Book(parts=[Part(kind="chapter", number=n + 1, title=t.split(": ")[1], text=prose * (2 + n),
                            sections=[Section(title="Later That Night", text=prose * 2)])
                       for n, t in enumerate(titles)])
    out: dict[str, list[Path]] = {}
    makers = {"epub": [lambda p: made.write_epub(book, p / "book3.epub"),
                       lambda p: made.write_epub(book, p / "book2.epub", version=2)],
              "docx": [lambda p: made.write_docx(book, p / "styles.docx"),
                       lambda p: made.write_docx(book, p / "fake.docx", fake_headings=True)],
              "pdf": [lambda p: made.write_pdf(book, p / "print.pdf")],
              "html": [lambda p: made.write_html(book, p / "gutenberg.html")],
              "txt": [lambda p: made.write_essay(book, p / "essay.txt")],
              "md": [lambda p: _markdown(book, p / "book.md")]}
    for name in wanted:
        out[name] = [make(folder) for make in makers[name]]
    return out


def _markdown(book, path: Path) -> Path:
    lines = ["# The Book", ""]
    for p in book.parts:
        lines += [f"## Chapter {p.number}: {p.title}", "", p.text, ""]
        lines += [f"### {s.title}\n\n{s.text}\n" for s in p.sections]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# -- mutations --------------------------------------------------------------------------------

LIES32 = (0, 1, 2, 7, 8, 9, 0x7F, 0xFF, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF)


def _lie(rng: random.Random, honest: int, bits: int = 32) -> int:
    top = (1 << bits) - 1
    choice = rng.random()
    if choice < 0.4:
        return rng.choice([v & top for v in LIES32] + [top])
    if choice < 0.7:
        return max(0, min(top, honest + rng.choice((-9, -8, -4, -2, -1, 1, 2, 4, 8, 9, 100, -100))))
    if choice < 0.85:
        return min(top, honest * rng.choice((2, 3, 10, 1000)))
    return rng.randrange(top + 1)


def _put(data: bytearray, at: int, value: int, size: int, order: str = "big") -> None:
    if 0 <= at and at + size <= len(data):
        data[at:at + size] = value.to_bytes(size, order)


def _get(data: bytes, at: int, size: int, order: str = "big") -> int:
    return int.from_bytes(data[at:at + size], order) if at + size <= len(data) else 0


def truncate(rng, data: bytes, edges: list[int]) -> bytes:
    if edges and rng.random() < 0.5:
        at = rng.choice(edges) + rng.choice((-1, 0, 0, 1, 4, 8, 12, 16))
    else:
        at = rng.randrange(len(data))
    return data[:max(0, at)]


def flip(rng, data: bytes, edges: list[int]) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4, 16))):
        at = rng.choice(edges) + rng.randrange(16) if edges and rng.random() < 0.5 else rng.randrange(len(out))
        if at < len(out):
            out[at] ^= 1 << rng.randrange(8)
    return bytes(out)


def zero(rng, data: bytes, edges: list[int]) -> bytes:
    out = bytearray(data)
    at = rng.choice(edges) if edges and rng.random() < 0.5 else rng.randrange(len(out))
    n = rng.choice((1, 4, 8, 16, 64, 512, 4096))
    fill = rng.choice((b"\0", b"\xff"))
    out[at:at + n] = fill * len(out[at:at + n])
    return bytes(out)


def splice(rng, data: bytes, edges: list[int]) -> bytes:
    """A range removed, repeated or moved: parents' lengths left as they were."""
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.choice((1, 4, 8, 64, 1000)))
    kind = rng.random()
    if kind < 0.4:
        return data[:a] + data[b:]
    if kind < 0.7:
        return data[:b] + data[a:b] + data[b:]
    c = rng.randrange(len(data))
    return data[:c] + data[a:b] + data[c:]


GENERIC = (truncate, flip, zero, splice)


# MP4 ------------------------------------------------------------------------------------------

MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"edts", b"dinf", b"tref", b"ilst", b"gmhd"}
MP4_FULL_COUNTED = {b"stts": 12, b"stsc": 12, b"stco": 12, b"co64": 12, b"stsz": 16, b"stsd": 12, b"dref": 12,
                    b"elst": 12, b"ctts": 12, b"stss": 12}
MP4_INTERESTING = {b"stsz", b"stco", b"co64", b"stts", b"stsc", b"chpl", b"tref", b"chap", b"stsd", b"mdhd",
                   b"mvhd", b"tkhd", b"hdlr", b"moov", b"trak", b"mdat", b"esds", b"text"}


@dataclass
class Box:
    name: bytes
    offset: int
    size: int
    header: int
    parents: list = field(default_factory=list)  # offsets of the boxes holding it


def mp4_boxes(data: bytes, start: int = 0, end: int | None = None, parents=None, depth: int = 0) -> list[Box]:
    end = len(data) if end is None else end
    out, pos = [], start
    parents = parents or []
    while pos + 8 <= end and depth < 12:
        size, name = struct.unpack(">I4s", data[pos:pos + 8])
        header = 8
        if size == 1 and pos + 16 <= end:
            size, header = struct.unpack(">Q", data[pos + 8:pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            break
        box = Box(name, pos, size, header, list(parents))
        out.append(box)
        inner = pos + header + (4 if name == b"meta" else 0)
        if name in MP4_CONTAINERS or name == b"meta":
            out += mp4_boxes(data, inner, pos + size, parents + [pos], depth + 1)
        elif name == b"stsd":
            out += mp4_boxes(data, pos + header + 8, pos + size, parents + [pos], depth + 1)
        elif name in (b"mp4a", b"text"):
            skip = 28 if name == b"mp4a" else 0
            if skip:
                out += mp4_boxes(data, pos + header + skip, pos + size, parents + [pos], depth + 1)
        pos += size
    return out


def mp4_lie(rng, data: bytes, extra: dict) -> bytes:
    boxes = mp4_boxes(data)
    if not boxes:
        return flip(rng, data, [])
    interesting = [b for b in boxes if b.name in MP4_INTERESTING]
    box = rng.choice(interesting if interesting and rng.random() < 0.8 else boxes)
    out = bytearray(data)
    kind = rng.random()
    body = box.offset + box.header
    if kind < 0.25:  # the box's own length
        if box.header == 16:
            _put(out, box.offset + 8, _lie(rng, box.size, 64), 8)
        else:
            _put(out, box.offset, _lie(rng, box.size), 4)
    elif kind < 0.55 and box.name in MP4_FULL_COUNTED:  # its entry count
        at = box.offset + MP4_FULL_COUNTED[box.name]
        _put(out, at, _lie(rng, _get(data, at, 4)), 4)
    elif kind < 0.65 and box.name == b"chpl":
        version = data[body] if body < len(data) else 0
        at = body + (8 if version == 1 else 4)
        if at < len(out):
            out[at] = rng.randrange(256)
        else:
            out[body] = rng.choice((0, 1, 2))
    elif kind < 0.8 and box.size > box.header + 8:  # an entry in its table, or a field
        at = body + rng.randrange(box.size - box.header - 4)
        at -= (at - body) % 4
        _put(out, at, _lie(rng, _get(data, at, 4)), 4)
    elif kind < 0.85:  # its version byte (64-bit times read from 32-bit ones)
        if body < len(out):
            out[body] = rng.choice((0, 1, 2, 255))
    elif kind < 0.9:  # renamed
        names = [b"co64", b"stco", b"stsz", b"stz2", b"chpl", b"free", b"trak", b"moov", b"mdat", b"xxxx"]
        out[box.offset + 4:box.offset + 8] = rng.choice(names)
    elif kind < 0.95:  # removed, its parents' lengths made to agree (so what is missing is read as missing)
        del out[box.offset:box.offset + box.size]
        for p in box.parents:
            _put(out, p, max(0, _get(data, p, 4) - box.size), 4)
    else:  # a text chapter sample's length prefix
        samples = extra.get("text_samples") or []
        if samples:
            at = rng.choice(samples)
            _put(out, at, _lie(rng, _get(data, at, 2), 16), 2)
    return bytes(out)


def mp4_extra(data: bytes, path: Path) -> dict:
    samples = []
    try:
        samples = [int(o) for t in _all_tracks(path) if t.handler in ("text", "sbtl") for o in t.offsets]
    except Exception:  # noqa: BLE001 - only for finding places to mutate
        pass
    return {"edges": [b.offset for b in mp4_boxes(data)], "text_samples": samples}


def _all_tracks(path: Path):
    from mutagen.mp4 import Atoms

    from audiobook.formats.mp4 import _track

    with open(path, "rb") as f:
        atoms = Atoms(f)
        return [_track(t, f) for t in atoms[b"moov"].children if t.name == b"trak"]


# ID3, Xing, MP3 frames -------------------------------------------------------------------------

def _syncsafe(b: bytes) -> int:
    return (b[0] << 21) | (b[1] << 14) | (b[2] << 7) | b[3]


def _to_syncsafe(v: int) -> bytes:
    v &= 0x0FFFFFFF
    return bytes(((v >> 21) & 0x7F, (v >> 14) & 0x7F, (v >> 7) & 0x7F, v & 0x7F))


def id3_frames(data: bytes) -> list[tuple[bytes, int, int]]:
    """(id, offset, length of its body) of each frame of the ID3v2 tag at the start."""
    if data[:3] != b"ID3" or len(data) < 10:
        return []
    version, size = data[3], _syncsafe(data[6:10])
    out, pos, end = [], 10, min(len(data), 10 + size)
    while pos + 10 <= end and data[pos:pos + 4].strip(b"\0"):
        raw = data[pos + 4:pos + 8]
        length = _syncsafe(raw) if version == 4 else int.from_bytes(raw, "big")
        out.append((data[pos:pos + 4], pos, length))
        pos += 10 + length
    return out


def id3_lie(rng, data: bytes, extra: dict) -> bytes:
    out = bytearray(data)
    frames = id3_frames(data)
    kind = rng.random()
    if not frames or kind < 0.15:  # the tag's header: version, flags, size
        which = rng.random()
        if which < 0.3:
            out[3] = rng.choice((2, 3, 4, 5, 255))
        elif which < 0.6:
            out[5] = rng.choice((0x80, 0x40, 0x20, 0x10, 0xF0, 0x0F))
        else:
            out[6:10] = _to_syncsafe(_lie(rng, _syncsafe(data[6:10]), 28))
        return bytes(out)
    chapters = [f for f in frames if f[0] in (b"CHAP", b"CTOC")]
    fid, at, length = rng.choice(chapters if chapters and rng.random() < 0.7 else frames)
    body = at + 10
    if kind < 0.4:  # the frame's length
        value = _lie(rng, length, 28)
        out[at + 4:at + 8] = _to_syncsafe(value) if data[3] == 4 else value.to_bytes(4, "big")
    elif kind < 0.5:  # its flags: compressed, encrypted, unsynchronised, a data length
        out[at + 8:at + 10] = bytes((rng.randrange(256), rng.choice((0x80, 0x40, 0x08, 0x04, 0x02, 0x01, 0xFF))))
    elif fid == b"CHAP" and kind < 0.8:
        end_id = data.find(b"\0", body, body + length)
        if end_id < 0:
            return flip(rng, data, [body])
        if rng.random() < 0.2:
            out[end_id] = 0x41  # the element id not ended
        else:  # start, end times and offsets
            field_at = end_id + 1 + 4 * rng.randrange(4)
            _put(out, field_at, _lie(rng, _get(data, field_at, 4)), 4)
    elif fid == b"CTOC" and kind < 0.8:
        end_id = data.find(b"\0", body, body + length)
        if end_id < 0:
            return flip(rng, data, [body])
        if rng.random() < 0.5:
            out[end_id + 2] = rng.randrange(256)  # the entry count
        else:
            out[end_id + 1] = rng.randrange(256)  # its flags
    else:  # a text frame's encoding, or its body
        if rng.random() < 0.5 and body < len(out):
            out[body] = rng.choice((0, 1, 2, 3, 4, 0x7F, 0xFF))
        else:
            return zero(rng, data, [body])
    return bytes(out)


def xing_lie(rng, data: bytes, extra: dict) -> bytes:
    at = data.find(b"Xing", 0, extra.get("audio_start", 0) + 4096)
    if at < 0:
        at = data.find(b"Info", 0, extra.get("audio_start", 0) + 4096)
    if at < 0:
        return mp3_frame_lie(rng, data, extra)
    out = bytearray(data)
    which = rng.random()
    if which < 0.2:
        _put(out, at + 4, rng.choice((0, 1, 2, 3, 15, 0xFFFFFFFF)), 4)  # flags
    elif which < 0.7:
        _put(out, at + 8, _lie(rng, _get(data, at + 8, 4)), 4)  # frames
    elif which < 0.9:
        _put(out, at + 12, _lie(rng, _get(data, at + 12, 4)), 4)  # bytes
    else:
        out[at:at + 4] = rng.choice((b"Info", b"Xing", b"Xinf"))
    return bytes(out)


def mp3_frame_lie(rng, data: bytes, extra: dict) -> bytes:
    heads = extra.get("frames") or []
    if not heads:
        return flip(rng, data, [])
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 3, 20))):
        at = rng.choice(heads)
        if at + 4 <= len(out):
            b = rng.choice((1, 2, 3))
            out[at + b] = rng.randrange(256) if rng.random() < 0.5 else out[at + b] ^ (1 << rng.randrange(8))
    return bytes(out)


def mp3_extra(data: bytes, path: Path) -> dict:
    from audiobook.mp3frames import audio_start, frames

    try:
        heads = [fr.offset for fr in frames(path)]
    except Exception:  # noqa: BLE001
        heads = []
    return {"audio_start": audio_start(path), "frames": heads,
            "edges": [at for _, at, _ in id3_frames(data)] + heads[:3] + heads[-3:]}


# Ogg -------------------------------------------------------------------------------------------

def _ogg_crc_table() -> list[int]:
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else r << 1
        table.append(r & 0xFFFFFFFF)
    return table


_OGG_CRC = _ogg_crc_table()


def ogg_crc(page: bytes) -> int:
    crc = 0
    for b in page:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _OGG_CRC[((crc >> 24) & 0xFF) ^ b]
    return crc


def ogg_pages(data: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each page."""
    out, pos = [], 0
    while True:
        pos = data.find(b"OggS", pos)
        if pos < 0 or pos + 27 > len(data):
            return out
        n = data[pos + 26]
        length = 27 + n + sum(data[pos + 27:pos + 27 + n])
        out.append((pos, length))
        pos += max(length, 4)


def _recrc(out: bytearray, at: int) -> None:
    n = out[at + 26] if at + 26 < len(out) else 0
    length = 27 + n + sum(out[at + 27:at + 27 + n])
    page = bytearray(out[at:at + length])
    if len(page) < 27:
        return
    page[22:26] = b"\0\0\0\0"
    out[at + 22:at + 26] = ogg_crc(bytes(page)).to_bytes(4, "little")


def ogg_lie(rng, data: bytes, extra: dict) -> bytes:
    pages = ogg_pages(data)
    if not pages:
        return flip(rng, data, [])
    out = bytearray(data)
    kind = rng.random()
    comment = next((p for p in pages if data.find(b"OpusTags", p[0], p[0] + p[1]) > 0
                    or data.find(b"\x03vorbis", p[0], p[0] + p[1]) > 0), None)
    if comment and kind < 0.45:  # the comment packet: vendor length, count, a comment's length
        at, length = comment
        start = max(data.find(b"OpusTags", at, at + length), data.find(b"\x03vorbis", at, at + length))
        start += 8 if data[start:start + 8] == b"OpusTags" else 7
        fields = [start]  # the vendor string's length, then the count, then the first comment's length
        vendor = _get(data, start, 4, "little")
        fields.append(start + 4 + vendor)
        pos = start + 8 + vendor
        for _ in range(rng.randrange(8)):
            fields.append(pos)
            pos += 4 + _get(data, pos, 4, "little")
        f = rng.choice(fields)
        _put(out, f, _lie(rng, _get(data, f, 4, "little")), 4, "little")
        page_at = at
    else:
        page_at, length = rng.choice(pages)
        which = rng.random()
        if which < 0.3:
            out[page_at + 26] = rng.randrange(256)  # segment count
        elif which < 0.5 and out[page_at + 26]:
            seg = page_at + 27 + rng.randrange(out[page_at + 26])
            if seg < len(out):
                out[seg] = rng.randrange(256)  # a lacing value
        elif which < 0.7:
            _put(out, page_at + 6, _lie(rng, _get(data, page_at + 6, 8, "little"), 64), 8, "little")  # granule
        elif which < 0.8:
            out[page_at + 5] = rng.randrange(8)  # continued / first / last
        elif which < 0.9:
            _put(out, page_at + 18, _lie(rng, _get(data, page_at + 18, 4, "little")), 4, "little")  # sequence
        else:
            _put(out, page_at + 14, rng.randrange(1 << 32), 4, "little")  # serial
    if rng.random() < 0.9:
        _recrc(out, page_at)
    return bytes(out)


def ogg_extra(data: bytes, path: Path) -> dict:
    return {"edges": [p for p, _ in ogg_pages(data)]}


# FLAC ------------------------------------------------------------------------------------------

def flac_blocks(data: bytes) -> list[tuple[int, int, int]]:
    """(type, offset of its header, length) of each metadata block."""
    if data[:4] != b"fLaC":
        return []
    out, pos = [], 4
    while pos + 4 <= len(data):
        head = data[pos]
        length = int.from_bytes(data[pos + 1:pos + 4], "big")
        out.append((head & 0x7F, pos, length))
        pos += 4 + length
        if head & 0x80:
            break
    return out


def flac_lie(rng, data: bytes, extra: dict) -> bytes:
    blocks = flac_blocks(data)
    if not blocks:
        return flip(rng, data, [])
    out = bytearray(data)
    cue = [b for b in blocks if b[0] == 5]
    comments = [b for b in blocks if b[0] == 4]
    kind = rng.random()
    if cue and kind < 0.35:  # the cue sheet: its track count, a track's offset, number, index count
        _, at, length = cue[0]
        body = at + 4
        which = rng.random()
        if which < 0.3:
            out[body + 395] = rng.randrange(256) if body + 395 < len(out) else 0
        else:
            tracks_at = body + 396
            track = tracks_at + 36 * rng.randrange(4)  # the first tracks (one index point each: 36 bytes)
            if which < 0.6:
                _put(out, track, _lie(rng, _get(data, track, 8), 64), 8)
            elif which < 0.8 and track + 8 < len(out):
                out[track + 8] = rng.randrange(256)
            elif track + 35 < len(out):
                out[track + 35] = rng.randrange(256)
    elif comments and kind < 0.55:
        _, at, length = comments[0]
        body = at + 4
        vendor = _get(data, body, 4, "little")
        f = rng.choice([body, body + 4 + vendor, body + 8 + vendor])
        _put(out, f, _lie(rng, _get(data, f, 4, "little")), 4, "little")
    elif kind < 0.75:  # a block's header: its type, last flag, length
        _, at, length = rng.choice(blocks)
        which = rng.random()
        if which < 0.5:
            _put(out, at + 1, _lie(rng, length, 24), 3)
        else:
            out[at] = rng.choice((0, 1, 3, 4, 5, 6, 7, 126, 127)) | rng.choice((0, 0x80))
    else:  # STREAMINFO: block sizes, frame sizes, rate/channels/bits/total samples, MD5
        body = blocks[0][1] + 4
        at = body + rng.choice((0, 2, 4, 7, 10, 12, 13, 14))
        span = 3 if at in (body + 4, body + 7) else 4 if at >= body + 14 else 2
        _put(out, at, _lie(rng, _get(data, at, span), 8 * span), span)
    return bytes(out)


def flac_extra(data: bytes, path: Path) -> dict:
    return {"edges": [at for _, at, _ in flac_blocks(data)]}


# WAV -------------------------------------------------------------------------------------------

def wav_lie(rng, data: bytes, extra: dict) -> bytes:
    out = bytearray(data)
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        chunks.append((data[pos:pos + 4], pos))
        pos += 8 + _get(data, pos + 4, 4, "little") + (_get(data, pos + 4, 4, "little") & 1)
    which = rng.random()
    if which < 0.15 or not chunks:
        _put(out, 4, _lie(rng, _get(data, 4, 4, "little")), 4, "little")
    elif which < 0.5:
        _, at = rng.choice(chunks)
        _put(out, at + 4, _lie(rng, _get(data, at + 4, 4, "little")), 4, "little")
    else:
        fmt = next((at for cid, at in chunks if cid == b"fmt "), None)
        if fmt is None:
            return flip(rng, data, [])
        f = fmt + 8 + rng.choice((0, 2, 4, 8, 12, 14))
        span = 4 if f in (fmt + 12, fmt + 16) else 2
        _put(out, f, _lie(rng, _get(data, f, span, "little"), 8 * span), span, "little")
    return bytes(out)


# ZIP (EPUB, DOCX) ------------------------------------------------------------------------------

def zip_member_lie(rng, data: bytes, extra: dict) -> bytes:
    """The zip rewritten whole with one member changed: its XML cut, damaged or gone."""
    try:
        src = zipfile.ZipFile(io.BytesIO(data))
        members = [(i, src.read(i.filename)) for i in src.infolist()]
    except Exception:  # noqa: BLE001
        return flip(rng, data, [])
    if not members:
        return data
    xml = [k for k, (i, _) in enumerate(members) if i.filename.endswith((".xml", ".opf", ".xhtml", ".ncx", ".rels"))]
    k = rng.choice(xml if xml and rng.random() < 0.85 else range(len(members)))
    info, body = members[k]
    which = rng.random()
    if which < 0.15:
        del members[k]
    elif which < 0.25 and body:
        members[k] = (info, b"")
    elif which < 0.4:
        members.append((info, body))  # the name twice
    elif which < 0.5:
        snippets = [b"<!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'>]>", b"<h1>", b"</p>", b"&nbsp;", b"&#0;", b"\xff\xfe",
                    b"<w:p><w:pPr><w:pStyle w:val='Heading1'/></w:pPr></w:p>", b"<itemref idref='nope'/>",
                    b"<item id='x' href='../../../etc/passwd' media-type='application/xhtml+xml'/>",
                    b"<rootfile full-path='' media-type='application/oebps-package+xml'/>"]
        at = rng.randrange(len(body) + 1)
        members[k] = (info, body[:at] + rng.choice(snippets) + body[at:])
    else:
        members[k] = (info, rng.choice(GENERIC)(rng, body, [])) if body else (info, b"\0")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i, b in members:
            z.writestr(i, b)
    return buf.getvalue()


def zip_structure_lie(rng, data: bytes, extra: dict) -> bytes:
    """The zip's own records lie: local headers, the central directory, its end record."""
    out = bytearray(data)
    eocd = data.rfind(b"PK\x05\x06")
    locals_ = [i for i in range(len(data) - 4) if data[i:i + 4] == b"PK\x03\x04"][:50] if len(data) < 2_000_000 else []
    centrals = []
    pos = data.find(b"PK\x01\x02")
    while pos >= 0 and len(centrals) < 50:
        centrals.append(pos)
        pos = data.find(b"PK\x01\x02", pos + 4)
    which = rng.random()
    if which < 0.2 and eocd >= 0:
        f = eocd + rng.choice((8, 10, 12, 16, 20))
        span = 2 if f in (eocd + 8, eocd + 10, eocd + 20) else 4
        _put(out, f, _lie(rng, _get(data, f, span, "little"), 8 * span), span, "little")
    elif which < 0.6 and centrals:
        c = rng.choice(centrals)
        f = c + rng.choice((10, 16, 20, 24, 28, 30, 32, 42))
        span = 2 if f in (c + 10, c + 28, c + 30, c + 32) else 4
        _put(out, f, _lie(rng, _get(data, f, span, "little"), 8 * span), span, "little")
    elif locals_:
        loc = rng.choice(locals_)
        f = loc + rng.choice((6, 8, 14, 18, 22, 26, 28))
        span = 2 if f in (loc + 6, loc + 8, loc + 26, loc + 28) else 4
        _put(out, f, _lie(rng, _get(data, f, span, "little"), 8 * span), span, "little")
    return bytes(out)


def zip_extra(data: bytes, path: Path) -> dict:
    return {"edges": [i for i in range(len(data) - 4) if data[i:i + 2] == b"PK"][:200]}


# PDF, text ---------------------------------------------------------------------------------------

def pdf_lie(rng, data: bytes, extra: dict) -> bytes:
    import re

    numbers = [m for m in re.finditer(rb"(/Length|/Count|/Size|/Prev|startxref|/First|/N)\s+(\d+)", data)]
    xref = [m for m in re.finditer(rb"\n(\d{10}) (\d{5}) ([nf])", data)]
    which = rng.random()
    out = bytes(data)
    if numbers and which < 0.5:
        m = rng.choice(numbers)
        value = _lie(rng, int(m[2]), 32)
        out = data[:m.start(2)] + str(rng.choice((value, -value, 0))).encode() + data[m.end(2):]
    elif xref and which < 0.8:
        m = rng.choice(xref)
        value = _lie(rng, int(m[1]), 32) % 10**10
        out = data[:m.start(1)] + f"{value:010d}".encode() + data[m.end(1):]
    else:
        refs = list(re.finditer(rb"(\d+) 0 R", data))
        if refs:
            m = rng.choice(refs)
            out = data[:m.start(1)] + str(rng.choice((0, 1, 9999, int(m[1]) + 1))).encode() + data[m.end(1):]
    return out


def text_lie(rng, data: bytes, extra: dict) -> bytes:
    snippets = [b"# ", b"## ", b"### ", b"CHAPTER ", b"Chapter IV", b"\n\n", b"<h1>", b"</h2>", b"<section id='pg-header'>",
                b"\xef\xbb\xbf", b"\xe2\x80", b"\xc3\xa2\xe2\x82\xac\xe2\x84\xa2", b"\0", b"\r", b"\x1b[31m",
                b"1) ", b"PART TWO\n", b"<script>", b"<!--", b"&#x110000;", b"x" * 5000, b"\n" * 500,
                b"# " * 300, b"<b>" * 300]
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice(snippets) * rng.choice((1, 1, 3, 50)) + data[at:]


STRUCTURED = {"m4b": (mp4_lie,), "mp3": (id3_lie, xing_lie, mp3_frame_lie), "opus": (ogg_lie,), "ogg": (ogg_lie,),
              "flac": (flac_lie,), "wav": (wav_lie,), "epub": (zip_member_lie, zip_structure_lie),
              "docx": (zip_member_lie, zip_structure_lie), "pdf": (pdf_lie,), "html": (text_lie,),
              "md": (text_lie,), "txt": (text_lie,)}
EXTRA = {"m4b": mp4_extra, "mp3": mp3_extra, "opus": ogg_extra, "ogg": ogg_extra, "flac": flac_extra,
         "epub": zip_extra, "docx": zip_extra}


def mutate(fmt: str, data: bytes, extra: dict, rng: random.Random) -> tuple[str, bytes]:
    """One mutation of `data` (more than one now and then): its name, and the bytes."""
    names, out = [], data
    for _ in range(1 if rng.random() < 0.8 else rng.choice((2, 3))):
        if not out:
            break
        structured = STRUCTURED[fmt]
        fn = rng.choice(structured) if rng.random() < 0.65 else rng.choice(GENERIC)
        edges = extra.get("edges") or []
        out = fn(rng, out, extra) if fn in structured else fn(rng, out, edges)
        names.append(fn.__name__)
    return "+".join(names), out


# -- running the parsers ----------------------------------------------------------------------

class Hang(BaseException):
    """The per-file time limit passed (a BaseException: no `except Exception` in the code swallows it)."""


def _alarm(signum, frame):
    raise Hang()


def run_parser(path: Path) -> object:
    """What `check` (or `init`) does with the file."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix in BOOKS:
        from audiobook.book import read_book

        return read_book(path)
    from audiobook.check import check_paths
    from audiobook.check.summary import summarise
    from audiobook.presets import get_preset

    files, findings = check_paths([path], get_preset("acx"), jobs=1, listen=False)
    return [summarise(p, findings).to_dict() for p in files], [f.to_dict() for f in findings]


@dataclass
class Outcome:
    fmt: str
    index: int
    mutation: str
    kind: str  # "verdict", "input error", "unnamed error", "traceback", "hang"
    detail: str = ""  # the error's message, or the traceback's last lines
    where: str = ""  # a traceback's innermost frame in our code (or the library's), for grouping
    seconds: float = 0.0


def classify(path: Path, limit_s: float) -> tuple[str, str, str]:
    from audiobook.errors import AudiobookError

    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit_s)
    try:
        run_parser(path)
        return "verdict", "", ""
    except Hang:
        return "hang", f"over {limit_s:g} s", _where(sys.exc_info()[2])
    except AudiobookError as exc:
        if exc.exit_code != 2:
            return "traceback", f"{type(exc).__name__}: {exc}", "exit status"
        named = path.name in str(exc)
        return ("input error" if named else "unnamed error"), str(exc)[:300], ""
    except BaseException as exc:  # noqa: BLE001 - what we are looking for
        if isinstance(exc, KeyboardInterrupt):
            raise
        tb = traceback.format_exception(exc)
        return "traceback", "".join(tb[-6:])[-1500:], _where(exc.__traceback__) + f" {type(exc).__name__}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _where(tb) -> str:
    frames = traceback.extract_tb(tb)
    ours = [f for f in frames if "/audiobook/" in f.filename]
    f = ours[-1] if ours else (frames[-1] if frames else None)
    return f"{Path(f.filename).name}:{f.lineno} {f.name}" if f else "?"


_SEEDS: dict[str, list[tuple[Path, bytes, dict]]] = {}


def _load_seeds(corpus: dict[str, list[str]]) -> None:
    for fmt, paths in corpus.items():
        _SEEDS[fmt] = []
        for p in map(Path, paths):
            data = p.read_bytes()
            _SEEDS[fmt].append((p, data, EXTRA[fmt](data, p) if fmt in EXTRA else {}))


def one(fmt: str, index: int, seed: int, work: Path, limit_s: float) -> tuple[Outcome, bytes]:
    rng = random.Random(f"{seed}:{fmt}:{index}")
    src, data, extra = rng.choice(_SEEDS[fmt])
    mutation, mutated = mutate(fmt, data, extra, rng)
    path = work / f"{fmt}-{index:05d}{src.suffix}"
    path.write_bytes(mutated)
    started = time.perf_counter()
    kind, detail, where = classify(path, limit_s)
    seconds = time.perf_counter() - started
    path.unlink(missing_ok=True)
    return Outcome(fmt, index, f"{src.name}: {mutation}", kind, detail, where, seconds), mutated


def _quiet() -> None:
    """What libraries say of damaged files (libmpg123's notes on fd 2, pypdf's warnings) not shown:
    thousands of runs would bury the counts."""
    import logging

    logging.disable(logging.WARNING)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _worker(corpus, tasks, results, seed, limit_s) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _quiet()
    _load_seeds(corpus)
    work = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        while (task := tasks.get()) is not None:
            fmt, index = task
            results.put(("start", os.getpid(), fmt, index))
            outcome, mutated = one(fmt, index, seed, work, limit_s)
            keep = mutated if outcome.kind in ("traceback", "hang", "unnamed error") else None
            results.put(("done", os.getpid(), outcome, keep))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(corpus: dict[str, list[Path]], per_format: int | dict[str, int], seed: int = 1, jobs: int = 2, limit_s: float = LIMIT_S,
        keep: Path | None = None, on_outcome=None) -> dict[str, Counter]:
    """Mutate each format's real files `per_format` times (or as many as it says for the format)
    and run the parsers on each, in `jobs` processes. Returns the outcomes' counts by format (and
    "seconds": the time spent on each)."""
    ctx = mp.get_context("fork")
    tasks, results = ctx.Queue(), ctx.Queue()
    many = per_format if isinstance(per_format, dict) else dict.fromkeys(corpus, per_format)
    todo = [(fmt, i) for i in range(max(many.values(), default=0)) for fmt in corpus if i < many.get(fmt, 0)]
    for t in todo:
        tasks.put(t)
    plain = {k: [str(p) for p in v] for k, v in corpus.items()}

    def start():
        p = ctx.Process(target=_worker, args=(plain, tasks, results, seed, limit_s), daemon=True)
        p.start()
        return p

    workers = {p.pid: p for p in (start() for _ in range(jobs))}
    for _ in workers:
        tasks.put(None)
    running: dict[int, tuple[str, int, float]] = {}
    counts: dict[str, Counter] = {fmt: Counter() for fmt in corpus}
    done = 0
    while done < len(todo):
        try:
            msg = results.get(timeout=1.0)
        except Exception:  # noqa: BLE001 - queue.Empty: look for a worker stuck in C code, or dead
            msg = None
        if msg is not None and msg[0] == "start":
            running[msg[1]] = (msg[2], msg[3], time.monotonic())
        elif msg is not None:
            _, pid, outcome, mutated = msg
            running.pop(pid, None)
            done += 1
            _count(counts, outcome, keep, mutated, on_outcome)
        for pid, (fmt, index, since) in list(running.items()):
            dead = not workers[pid].is_alive()
            if dead or time.monotonic() - since > 2 * limit_s + 5:
                workers[pid].kill()
                workers[pid].join()
                del workers[pid], running[pid]
                outcome, mutated = _replayed(plain, fmt, index, seed)
                outcome.kind = "hang" if not dead else "traceback"
                outcome.detail = "stuck in C code past the time limit" if not dead else "the worker died"
                done += 1
                _count(counts, outcome, keep, mutated, on_outcome)
                w = start()
                workers[w.pid] = w
                tasks.put(None)
    for p in workers.values():
        p.join(timeout=5)
        if p.is_alive():
            p.kill()
    return counts


def _replayed(corpus, fmt: str, index: int, seed: int) -> tuple[Outcome, bytes]:
    """The mutation a killed worker was running, made again (without running it)."""
    name, mutated = mutation(corpus, fmt, index, seed)
    return Outcome(fmt, index, name, "hang"), mutated


def mutation(corpus, fmt: str, index: int, seed: int) -> tuple[str, bytes]:
    """Run `index` of `fmt` made again from the same real files: what it was, and its bytes."""
    if fmt not in _SEEDS:
        _load_seeds({fmt: [str(p) for p in corpus[fmt]]})
    rng = random.Random(f"{seed}:{fmt}:{index}")
    src, data, extra = rng.choice(_SEEDS[fmt])
    name, mutated = mutate(fmt, data, extra, rng)
    return f"{src.name}: {name}", mutated


def _count(counts, outcome: Outcome, keep: Path | None, mutated, on_outcome) -> None:
    c = counts[outcome.fmt]
    c[outcome.kind] += 1
    c["seconds"] += outcome.seconds
    if outcome.kind in ("traceback", "hang", "unnamed error"):
        c[f"{outcome.kind} at {outcome.where}"] += 1
        if keep is not None and mutated is not None:
            keep.mkdir(parents=True, exist_ok=True)
            suffix = {"m4b": ".m4b"}.get(outcome.fmt, f".{outcome.fmt}")
            name = f"{outcome.fmt}-{outcome.index:05d}{suffix}"
            (keep / name).write_bytes(mutated)
            (keep / (name + ".txt")).write_text(f"{outcome.mutation}\n{outcome.kind} {outcome.where}\n"
                                                f"{outcome.detail}\n", encoding="utf-8")
    if on_outcome is not None:
        on_outcome(outcome)


BAD = ("traceback", "hang", "unnamed error")


def table(counts: dict[str, Counter], seconds: dict[str, float] | None = None) -> str:
    lines = ["| format | mutations | verdicts | exit 2 | tracebacks | hangs | seconds |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for fmt, c in counts.items():
        n = sum(c[k] for k in ("verdict", "input error", *BAD))
        lines.append(f"| {fmt} | {n} | {c['verdict']} | {c['input error']} | {c['traceback'] + c['unnamed error']} "
                     f"| {c['hang']} | {c['seconds']:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-format", type=int, default=300)
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--limit", type=float, default=LIMIT_S, help="seconds a file may take")
    ap.add_argument("--keep", type=Path, help="write the files that gave tracebacks or hangs here")
    ap.add_argument("--replay", type=Path, nargs="*", help="run the parsers on these files and show what happens")
    args = ap.parse_args(argv)
    if args.replay:
        for p in args.replay:
            kind, detail, where = classify(p, args.limit)
            print(f"{p}: {kind} {where}\n{detail}\n")
        return 0
    wanted = tuple(f for f in args.formats.split(",") if f)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fuzz-corpus-") as tmp:
        corpus = make_corpus(Path(tmp), args.seed, wanted)
        print("real files: " + ", ".join(f"{k} {len(v)}" for k, v in corpus.items()), file=sys.stderr)
        counts = run(corpus, args.per_format, args.seed, args.jobs, args.limit, args.keep)
    print(table(counts))
    for fmt, c in counts.items():
        for key, n in sorted(c.items()):
            if " at " in key:
                print(f"  {fmt}: {n} x {key}")
    print(f"{time.perf_counter() - started:.0f} s on {args.jobs} processes")
    return 1 if any(c[k] for c in counts.values() for k in BAD) else 0


if __name__ == "__main__":
    sys.exit(main())
