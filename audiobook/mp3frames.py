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
