"""MPEG audio (Layer III) frame headers: every frame's place, length, bitrate and rate, read
from the file itself — to tell CBR from VBR without trusting a header, to count frames, and
to cut a stream on a frame boundary."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_BITRATES_V1_L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0]
_BITRATES_V2_L3 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0]
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def frame_bitrates(path: str | Path, piece: int = 1 << 20) -> dict[int, int]:
    """{kbps: number of frames} over the whole file (Layer III), reading it `piece` bytes at a time."""
    counts: dict[int, int] = {}
    for frame in frames(path, piece):
        counts[frame.kbps] = counts.get(frame.kbps, 0) + 1
    return counts


@dataclass
class Frame:
    offset: int  # in the file
    length: int  # bytes
    kbps: int
    rate: int  # samples per second
    samples: int  # per channel: 1152 (MPEG-1) or 576


def frame_length(kbps: int, rate: int, padding: int = 0) -> int:
    """Bytes in a Layer III frame: 1152 samples (MPEG-1, 32 kHz and up) or 576 at `kbps`."""
    return (144 if rate >= 32000 else 72) * kbps * 1000 // rate + padding


def audio_start(path: str | Path) -> int:
    """Where the first frame can begin: after an ID3v2 tag, if there is one."""
    with open(path, "rb") as f:
        head = f.read(10)
    if head[:3] == b"ID3" and len(head) == 10:
        size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
        return 10 + size + (10 if head[5] & 0x10 else 0)
    return 0


def frames(path: str | Path, piece: int = 1 << 20, start: int | None = None) -> Iterator[Frame]:
    """Every Layer III frame of the file, in order, reading it `piece` bytes at a time; from
    byte `start` (default: after the ID3v2 tag)."""
    with open(path, "rb") as f:
        base = audio_start(path) if start is None else start  # file offset of buf[0]
        f.seek(base)
        buf = f.read(piece)
        pos = 0
        while True:
            if pos + 4 > len(buf):
                more = f.read(piece)
                if not more:
                    break
                # a frame may end past this piece: then the next one starts inside the new piece
                base, buf, pos = (base + pos, buf[pos:] + more, 0) if pos < len(buf) else \
                    (base + len(buf), more, pos - len(buf))
                continue
            b1, b2 = buf[pos + 1], buf[pos + 2]
            if buf[pos] != 0xFF or (b1 & 0xE0) != 0xE0 or ((b1 >> 1) & 3) != 1:  # sync, Layer III
                pos += 1
                continue
            version = (b1 >> 3) & 3
            br_index, sr_index, padding = b2 >> 4, (b2 >> 2) & 3, (b2 >> 1) & 1
            if version == 1 or br_index in (0, 15) or sr_index == 3:
                pos += 1
                continue
            kbps = (_BITRATES_V1_L3 if version == 3 else _BITRATES_V2_L3)[br_index]
            rate = _RATES[version][sr_index]
            length = frame_length(kbps, rate, padding)
            yield Frame(base + pos, length, kbps, rate, 1152 if version == 3 else 576)
            pos += max(length, 1)


@dataclass
class LengthHeader:
    """A Xing/Info frame's frame count against the frames the file holds."""

    offset: int  # where the header's frame is
    length: int  # its bytes
    declared_frames: int
    frames: int  # audio frames counted in the file
    samples: int  # per frame

    @property
    def wrong(self) -> bool:
        """Off by more than a frame or two (and 1 %): players show the wrong length and seek wrong."""
        return abs(self.declared_frames - self.frames) > max(2, self.frames // 100)


def length_header(path: str | Path) -> LengthHeader | None:
    """The file's Xing or Info header (its first frame), checked against a count of its frames;
    None where it has none (or no frame count in it)."""
    it = frames(path)
    first = next(it, None)
    if first is None:
        return None
    with open(path, "rb") as f:
        f.seek(first.offset)
        head = f.read(first.length)
    mono = len(head) > 3 and (head[3] >> 6) == 3
    mpeg1 = len(head) > 1 and (head[1] >> 3) & 3 == 3
    at = 4 + ((17 if mono else 32) if mpeg1 else (9 if mono else 17))
    if head[at:at + 4] not in (b"Xing", b"Info"):
        return None
    flags = int.from_bytes(head[at + 4:at + 8], "big")
    if not flags & 1:
        return None
    declared = int.from_bytes(head[at + 8:at + 12], "big")
    # a constant bitrate's frames are the audio's bytes over the frame length: counted only where
    # that disagrees with the header (a wrong header, or a variable bitrate)
    audio = Path(path).stat().st_size - first.offset - first.length
    estimate = round(audio / (first.samples / 8 * first.kbps * 1000 / first.rate))
    if abs(estimate - declared) <= max(2, declared // 100):
        return LengthHeader(first.offset, first.length, declared, declared, first.samples)
    counted = sum(1 for _ in it)
    return LengthHeader(first.offset, first.length, declared, counted, first.samples)


class WithoutFrame:
    """A read-only view of a file with the bytes [offset, offset + length) left out: an MP3 whose
    length header lies is decoded whole without it (the decoder then counts the frames itself)."""

    def __init__(self, path: str | Path, offset: int, length: int):
        self._f = open(path, "rb")
        self._cut, self._len = offset, length
        self._size = Path(path).stat().st_size - length
        self._pos = 0

    def _real(self, pos: int) -> int:
        return pos if pos < self._cut else pos + self._len

    def read(self, n: int = -1) -> bytes:
        n = self._size - self._pos if n is None or n < 0 else min(n, self._size - self._pos)
        out = b""
        while n > 0:
            upto = self._cut - self._pos if self._pos < self._cut else n
            take = min(n, upto)
            self._f.seek(self._real(self._pos))
            chunk = self._f.read(take)
            if not chunk:
                break
            out += chunk
            self._pos += len(chunk)
            n -= len(chunk)
        return out

    def seek(self, offset: int, whence: int = 0) -> int:
        self._pos = max(0, min(self._size, offset if whence == 0 else self._pos + offset if whence == 1
                               else self._size + offset))
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
