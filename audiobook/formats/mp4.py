"""Reading an MP4 (M4B, M4A) as it is on disk, for `check`: its runtime proven from the media
data, and both forms its chapters may take.

- **Runtime.** The header's duration is what the file claims; what it holds is the audio
  track's samples whose bytes lie inside the file. A download cut short keeps its header
  (players show the whole length) but not its data: the two disagree, and the check says so.
- **Chapters.** Nero's `chpl` list (moov/udta/chpl: what mutagen, ffmpeg and most Android
  players read) and the QuickTime chapter track (a text track the audio track names in
  `tref/chap`: what Apple's players, Auphonic and ffmpeg write). A file may have either or
  both; players differ in which they show, so the check reports which it has and whether
  they agree.

The box tree is read by mutagen's `Atoms`; the sample tables are parsed here (ISO/IEC 14496-12:
stts, stsz, stsc, stco/co64), with numpy, as a 10-hour book has 1.5 million samples.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from mutagen.mp4 import Atoms
from mutagen.mp4 import error as MP4Error
from mutagen.mp4._atom import AtomError

from audiobook.tags.metadata import Chapter

AGREE_S = 0.1  # the two chapter forms agree when their titles match and their starts are this close


class NotReadable(Exception):
    """The file is not an MP4 this reader can make sense of (say what, with the file's name)."""


class Damaged(NotReadable):
    """A box whose fields do not fit in it, or whose counts and entries cannot be true."""

    handler = ""  # the track's kind, where it was read before the damage ("soun", "text", ...)


@dataclass
class Mp4Track:
    id: int
    handler: str  # "soun", "text", "sbtl", "vide", ...
    timescale: int
    declared_s: float  # its media header's duration
    deltas: np.ndarray  # each sample's duration, in timescale units
    sizes: np.ndarray  # each sample's bytes
    offsets: np.ndarray  # each sample's position in the file
    chapter_tracks: list[int] = field(default_factory=list)  # tref/chap: the tracks holding its chapters
    codec: str = ""  # the sample description's format: "mp4a", "text", ...
    channels: int = 0  # an audio track's, from its sample description
    sample_rate: int = 0


@dataclass
class Mp4Info:
    size: int  # bytes on disk
    declared_s: float  # the movie header's duration
    audio: Mp4Track | None
    chpl: list[Chapter] | None  # None: no chpl box (or one that cannot be read: see problems)
    quicktime: list[Chapter] | None  # None: no chapter track (or one that cannot be read)
    problems: list[str] = field(default_factory=list)  # chapter forms there but damaged

    @property
    def proven_s(self) -> float:
        """The audio the file's bytes hold: its samples up to the first one that runs past the end."""
        a = self.audio
        if a is None or not len(a.sizes):
            return 0.0
        inside = (a.offsets + a.sizes) <= self.size
        whole = len(inside) if inside.all() else int(np.argmin(inside))
        return float(a.deltas[:whole].sum()) / a.timescale

    @property
    def chapter_forms(self) -> list[str]:
        return [name for name, found in (("quicktime", self.quicktime), ("chpl", self.chpl)) if found]

    def chapters_agree(self) -> bool:
        if not self.chpl or not self.quicktime:
            return True
        return len(self.chpl) == len(self.quicktime) and all(
            a.title == b.title and abs(a.start_s - b.start_s) <= AGREE_S for a, b in zip(self.chpl, self.quicktime))


def read_mp4(path: Path) -> Mp4Info:
    """The file's runtime and chapters as its boxes give them. NotReadable (Damaged: a box that
    cannot be true) where its audio cannot be read; a damaged chapter form is one of `problems`."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        try:
            atoms = Atoms(f)
        except (MP4Error, AtomError, struct.error, ValueError, IndexError) as exc:
            raise NotReadable(f"its boxes cannot be read ({exc})") from None
        if b"moov" not in atoms:
            raise NotReadable("it has no movie header (moov box): cut short before its index, or not an MP4")
        moov = atoms[b"moov"]
        if moov.offset + moov.length > size:
            raise NotReadable("its movie header (moov box) is cut short")
        declared = 0.0
        for a in moov.children or []:
            if a.name == b"mvhd":
                declared = _duration(_payload(a, f, size), "mvhd")
        tracks, broken = [], []
        for k, t in enumerate(a for a in moov.children or [] if a.name == b"trak"):
            try:
                tracks.append(_track(t, f, size))
            except Damaged as exc:
                broken.append((k + 1, exc))
        problems = []
        chpl = None
        if b"moov.udta.chpl" in atoms:
            try:
                chpl, short = _chpl(_payload(atoms.path(b"moov", b"udta", b"chpl")[-1], f, size))
                problems += short
            except Damaged as exc:
                problems.append(f"its Nero chpl chapter list cannot be read: {exc}")
    audio = next((t for t in tracks if t.handler == "soun"), None)
    if audio is None:
        if broken:
            n, exc = next(((n, e) for n, e in broken if e.handler in ("soun", "")), broken[0])
            raise Damaged(f"its track {n} cannot be read: {exc}")
        raise NotReadable("it has no audio track")
    quicktime = None
    if audio.chapter_tracks:
        text = next((t for t in tracks if t.id in audio.chapter_tracks and t.handler in ("text", "sbtl")), None)
        if text is not None:
            quicktime = _text_samples(path, text, size)
        elif broken:
            problems.append(f"its QuickTime chapter track cannot be read: {broken[0][1]}")
    return Mp4Info(size, declared, audio, chpl, quicktime, problems)


def _read(atom, f, size: int) -> bytes:
    """The box's bytes, no more than the file holds from where it starts."""
    f.seek(atom.offset)
    return f.read(max(0, min(atom.length, size - atom.offset)))


def _payload(atom, f, size: int) -> bytes:
    """What follows the box's header (8 bytes, 16 with a 64-bit length)."""
    data = _read(atom, f, size)
    header = 16 if len(data) >= 8 and struct.unpack(">I", data[:4])[0] == 1 else 8
    return data[header:]


def _need(data: bytes, n: int, box: str) -> bytes:
    if len(data) < n:
        raise Damaged(f"its {box} box holds {len(data)} bytes, too few for its fields ({n})")
    return data


def _duration(mvhd: bytes, box: str) -> float:
    """mvhd or mdhd: duration / timescale (version 0: 32-bit times, 1: 64-bit)."""
    if _need(mvhd, 1, box)[0] == 1:
        timescale, duration = struct.unpack(">IQ", _need(mvhd, 32, box)[20:32])
    else:
        timescale, duration = struct.unpack(">II", _need(mvhd, 20, box)[12:20])
    return duration / timescale if timescale else 0.0


def _child(atom, *names: bytes):
    for name in names:
        atom = next((c for c in atom.children or [] if c.name == name), None)
        if atom is None:
            return None
    return atom


def _box(trak, f, size: int, *names: bytes) -> bytes:
    """The payload of the box at trak/names..., which a track must have."""
    atom = _child(trak, *names)
    if atom is None:
        raise Damaged(f"it has no {names[-1].decode('latin-1')} box")
    return _payload(atom, f, size)


def _track(trak, f, size: int) -> Mp4Track:
    handler = ""
    try:
        tkhd = _need(_box(trak, f, size, b"tkhd"), 1, "tkhd")
        track_id = struct.unpack(">I", _need(tkhd, 24, "tkhd")[20:24] if tkhd[0] == 1 else _need(tkhd, 16, "tkhd")[12:16])[0]
        hdlr = _need(_box(trak, f, size, b"mdia", b"hdlr"), 12, "hdlr")
        handler = hdlr[8:12].decode("latin-1")
        mdhd = _need(_box(trak, f, size, b"mdia", b"mdhd"), 1, "mdhd")
        timescale = struct.unpack(">I", _need(mdhd, 24, "mdhd")[20:24] if mdhd[0] == 1 else _need(mdhd, 16, "mdhd")[12:16])[0]
        if not timescale and handler in ("soun", "text", "sbtl"):
            raise Damaged("its media header (mdhd) gives a timescale of 0")
        declared = _duration(mdhd, "mdhd")
        tref = _child(trak, b"tref")
        refs = _references(_payload(tref, f, size), b"chap") if tref else []
        stbl = _child(trak, b"mdia", b"minf", b"stbl")
        if stbl is None:
            empty = np.zeros(0, np.int64)
            return Mp4Track(track_id, handler, timescale, declared, empty, empty, empty, refs)
        stsd = _payload(_child(stbl, b"stsd"), f, size) if _child(stbl, b"stsd") else b""
        codec = stsd[12:16].decode("latin-1", "replace")
        channels, rate = (struct.unpack(">H", stsd[32:34])[0], struct.unpack(">I", stsd[40:44])[0] >> 16) \
            if handler == "soun" and len(stsd) >= 44 else (0, 0)
        if codec == "mp4a":  # the sound description says 2 for mono AAC; the decoder's configuration says true
            channels = _aac_channels(stsd) or channels
        sizes = _stsz(_box(stbl, f, size, b"stsz"), size)
        deltas = _stts(_box(stbl, f, size, b"stts"), len(sizes))
        co = _child(stbl, b"stco") or _child(stbl, b"co64")
        if co is None:
            raise Damaged("it has no chunk offsets (stco or co64 box)")
        chunks = _chunk_offsets(_payload(co, f, size), co.name == b"co64")
        offsets = _sample_offsets(_box(stbl, f, size, b"stsc"), chunks, sizes)
    except Damaged as exc:
        exc.handler = handler
        raise
    n = min(len(deltas), len(sizes), len(offsets))
    return Mp4Track(track_id, handler, timescale, declared, deltas[:n], sizes[:n], offsets[:n], refs,
                    codec, channels, rate or timescale)


def _aac_channels(stsd: bytes) -> int:
    """The channel configuration of the AudioSpecificConfig in an mp4a entry's esds box (ISO/IEC
    14496-1 descriptors: ES 0x03 > DecoderConfig 0x04 > DecoderSpecificInfo 0x05); 0 if not found."""
    at = stsd.find(b"esds")
    if at < 0:
        return 0
    pos, data = at + 8, stsd  # past the box type and the full box's version and flags
    try:
        for tag in (0x03, 0x04, 0x05):
            while pos < len(data) and data[pos] != tag:
                pos += 1
            if pos >= len(data):
                return 0
            pos += 1
            while pos < len(data) and data[pos] & 0x80:  # the descriptor's length: up to 4 bytes of 7 bits
                pos += 1
            pos += 1
            if tag == 0x03:
                flags = data[pos + 2]
                pos += 3 + (2 if flags & 0x80 else 0) + (1 + data[pos + 3] if flags & 0x40 else 0) + \
                    (2 if flags & 0x20 else 0)
            elif tag == 0x04:
                pos += 13
    except IndexError:  # descriptors running past the box: no configuration to be found
        return 0
    bits = int.from_bytes(data[pos:pos + 4].ljust(4, b"\0"), "big")
    object_type = bits >> 27
    shift = 27 - 4  # after the frequency index
    if object_type == 31:
        return 0  # an extended object type (xHE-AAC and others): left to the container's count
    if (bits >> shift) & 0xF == 15:
        shift -= 24
    return (bits >> (shift - 4)) & 0xF if shift >= 4 else 0


def _references(tref: bytes, kind: bytes) -> list[int]:
    """The track ids a tref box lists under `kind` (its boxes: size, type, then 32-bit ids)."""
    pos, out = 0, []
    while pos + 8 <= len(tref):
        size, name = struct.unpack(">I4s", tref[pos:pos + 8])
        if size < 8:
            break
        if name == kind:
            ids = tref[pos + 8:pos + size]
            out += np.frombuffer(ids[:len(ids) // 4 * 4], ">u4").astype(int).tolist()
        pos += size
    return out


def _table(data: bytes, box: str, entry: int, dtype: str = ">u4") -> np.ndarray:
    """A full box's table: version and flags, a count, then `count` entries of `entry` bytes."""
    (count,) = struct.unpack(">I", _need(data, 8, box)[4:8])
    if 8 + count * entry > len(data):
        raise Damaged(f"its {box} box says {count} entries, it holds {(len(data) - 8) // entry}")
    return np.frombuffer(data[8:8 + entry * count], dtype).astype(np.int64)


def _stts(data: bytes, samples: int) -> np.ndarray:
    """Each sample's duration, for the first `samples` (the table's runs may claim any number)."""
    table = _table(data, "stts", 8).reshape(-1, 2)
    counts = np.minimum(table[:, 0], samples)
    room = np.maximum(samples - (np.cumsum(counts) - counts), 0)  # what is left for each run
    return np.repeat(table[:, 1], np.minimum(counts, room))


def _stsz(data: bytes, size: int) -> np.ndarray:
    uniform, count = struct.unpack(">II", _need(data, 12, "stsz")[4:12])
    if uniform:  # no more samples than the file could hold: the first one past its end ends the audio
        return np.full(min(count, size // uniform + 1), uniform, np.int64)
    return _table(data[4:], "stsz", 4)


def _chunk_offsets(data: bytes, wide: bool) -> np.ndarray:
    return _table(data, "co64" if wide else "stco", 8 if wide else 4, ">u8" if wide else ">u4")


def _sample_offsets(stsc: bytes, chunks: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Where each sample's bytes start: its chunk's offset plus the samples before it in the chunk."""
    runs = _table(stsc, "stsc", 12).reshape(-1, 3)  # first chunk (1-based), samples per chunk, description index
    if not len(chunks) or not len(runs):
        return np.zeros(0, np.int64)
    firsts = runs[:, 0] - 1
    if firsts[0] != 0 or (np.diff(firsts) <= 0).any():
        raise Damaged("its stsc box's runs do not start at the first chunk and go up")
    per_chunk = np.zeros(len(chunks), np.int64)
    bounds = list(np.minimum(firsts, len(chunks))) + [len(chunks)]
    for k in range(len(runs)):
        per_chunk[bounds[k]:bounds[k + 1]] = runs[k, 1]
    ends = np.cumsum(per_chunk)  # one past each chunk's last sample
    n = int(min(len(sizes), ends[-1]))
    sizes = sizes[:n]
    chunk_of = np.searchsorted(ends, np.arange(n), side="right")
    chunk_start = ends - per_chunk  # the first sample of each chunk
    before = np.cumsum(sizes) - sizes  # bytes of every sample before this one
    within = before - before[np.minimum(chunk_start[chunk_of], max(n - 1, 0))] if n else before
    return chunks[chunk_of] + within


def _chpl(data: bytes) -> tuple[list[Chapter], list[str]]:
    """Nero's chapter list: version and flags, 4 bytes reserved (version 1), a count, then each
    chapter's start in 100 ns units and its title (length-prefixed UTF-8). And a problem where it
    holds fewer chapters than it says."""
    pos = 8 if _need(data, 1, "chpl")[0] == 1 else 4
    count = _need(data, pos + 1, "chpl")[pos]
    pos += 1
    out = []
    for _ in range(count):
        if pos + 9 > len(data):
            break
        (start,) = struct.unpack(">Q", data[pos:pos + 8])
        length = data[pos + 8]
        title = data[pos + 9:pos + 9 + length].decode("utf-8", "replace")
        out.append(Chapter(title, start / 1e7))
        pos += 9 + length
    short = [] if len(out) == count else [f"its Nero chpl chapter list says {count} chapters, it holds {len(out)}"]
    return _ended(out), short


def _text_samples(path: Path, track: Mp4Track, size: int) -> list[Chapter]:
    """A QuickTime text track's samples as chapters: each sample a 16-bit length and the title
    (UTF-8, or UTF-16 after its byte-order mark), the rest (style boxes) skipped; empty samples
    are the gaps between chapters, not chapters."""
    out = []
    t = 0
    with open(path, "rb") as f:
        for delta, length, offset in zip(track.deltas, track.sizes, track.offsets):
            start, t = t, t + int(delta)
            if offset + length > size or length < 2:
                continue
            f.seek(int(offset))
            data = f.read(int(length))
            (n,) = struct.unpack(">H", data[:2])
            raw = data[2:2 + n]
            title = raw.decode("utf-16", "replace") if raw[:2] in (b"\xfe\xff", b"\xff\xfe") else \
                raw.decode("utf-8", "replace")
            if title.strip():
                out.append(Chapter(title, start / track.timescale, t / track.timescale))
    return out


def _ended(chapters: list[Chapter]) -> list[Chapter]:
    return [Chapter(c.title, c.start_s, chapters[i + 1].start_s if i + 1 < len(chapters) else None)
            for i, c in enumerate(chapters)]
