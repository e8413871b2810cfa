"""The LAME "Info" frame at the head of a CBR MP3: its exact length, for players and decoders.

LAME writes this frame itself when it writes the file; through the lameenc wheel it does
not, so we do. It is a frame of the stream's own bitrate that holds no audio: a Xing
header named "Info" (CBR) with the frame and byte counts and a seek table, then LAME's
extension with the encoder delay and the padding at the end. With it, decoders (mpg123 in
libsndfile, ffmpeg, browsers, Apple's) drop the delay and padding, so a track decodes to
exactly the samples that were encoded, and tag readers know the stream is CBR and its
length without guessing from the file size.

Layout: the Xing header (http://gabriel.mp3-tech.org/mp3infotag.html, as LAME 3.100 writes
it), big-endian, starting after the frame header and the side information.
"""

from __future__ import annotations

import struct
from pathlib import Path

from audiobook.mp3frames import Frame, frame_length, frames

ENCODER_DELAY = 576  # samples LAME puts before the first input sample ...
DECODER_DELAY = 529  # ... and the ones every decoder adds in front of those
LAME_VERSION = b"LAME3.100"  # the encoder lameenc wraps: decoders trust the delay and padding of LAME's tag
_FLAGS = 0x0F  # frames, bytes, seek table, quality
_CBR = 1  # the extension's "VBR method" for constant bitrate


def _crc16(data: bytes) -> int:
    """CRC-16 as LAME computes its tag's (polynomial 0x8005, reflected, from 0)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def info_frame(path: str | Path, samples: int, skip: int = 0) -> bytes:
    """The Info frame for the MP3 stream in `path` (audio frames only, from byte `skip`: the
    placeholder), which holds `samples` encoded samples per channel."""
    first = next(frames(path, start=skip), None)
    if first is None:
        raise ValueError(f"{path}: no MP3 frames")
    count, audio_bytes = cbr_frame_count(path, first)
    with open(path, "rb") as f:
        f.seek(first.offset)
        header = bytearray(f.read(4))
    header[2] &= ~0x02  # no padding slot: the frame is exactly frame_length() long
    length = frame_length(first.kbps, first.rate)
    mono = (header[3] >> 6) == 3
    side = _side_info_bytes(header)
    total = length + audio_bytes
    padding = max(0, count * first.samples - ENCODER_DELAY - samples)
    xing = b"Info" + struct.pack(">III", _FLAGS, count, total)
    xing += bytes(int(i * 256 / 100) for i in range(100))  # CBR: bytes grow linearly with time
    xing += struct.pack(">I", 0)  # quality: not recorded
    source_rate = 0 if first.rate < 32000 else 1 if first.rate == 44100 else 2 if first.rate == 48000 else 3
    lame = LAME_VERSION + struct.pack(
        ">BBIHHBBBBBBBHIH",
        _CBR,  # tag revision 0, VBR method
        0,  # lowpass: not recorded
        0, 0, 0,  # peak amplitude, radio and audiophile replay gain: none
        0,  # encoding flags, ATH type
        min(first.kbps, 255),
        ENCODER_DELAY >> 4, ((ENCODER_DELAY & 0xF) << 4) | (padding >> 8), padding & 0xFF,
        source_rate << 6 | (0 if mono else 1) << 2,  # source rate; stereo mode (mono, or stereo)
        0,  # MP3 gain
        0,  # surround, preset
        total,  # music length: this frame and the audio
        0)  # music CRC: not computed (decoders do not check it)
    body = bytes(header) + bytes(side) + xing + lame
    frame = bytearray(length)
    frame[: len(body)] = body
    frame[len(body): len(body) + 2] = struct.pack(">H", _crc16(bytes(frame[: len(body)])))
    return bytes(frame)


def cbr_frame_count(path: str | Path, first: Frame) -> tuple[int, int]:
    """(frames, bytes) of the CBR stream that starts with `first` and runs to the end of the file.

    CBR frames differ only by the one padding byte the encoder adds to some of them to keep
    the mean length exact (626.94 bytes at 192 kbps, 44.1 kHz), so the byte count divided by
    that mean is the frame count, give or take under a byte: no need to walk the frames.
    A stream that does not add up (another bitrate inside, junk) is walked instead.
    """
    audio_bytes = Path(path).stat().st_size - first.offset
    mean = first.samples / 8 * first.kbps * 1000 / first.rate  # frame_length() before its rounding down
    count = round(audio_bytes / mean)
    if abs(count * mean - audio_bytes) < 1:
        return count, audio_bytes
    walked = list(frames(path, start=first.offset))
    return len(walked), sum(f.length for f in walked)


def is_info(path: str | Path, first_offset: int) -> bool:
    """Whether the frame at `first_offset` is an Info (or Xing) frame rather than audio."""
    with open(path, "rb") as f:
        f.seek(first_offset)
        head = f.read(40)
    if len(head) < 40:
        return False
    side = _side_info_bytes(head)
    return head[4 + side: 8 + side] in (b"Info", b"Xing")


def _side_info_bytes(header: bytes) -> int:
    """Layer III side information after a frame's 4-byte header: where a Xing/Info header starts."""
    mono = (header[3] >> 6) == 3
    mpeg1 = (header[1] >> 3) & 3 == 3
    return (17 if mono else 32) if mpeg1 else (9 if mono else 17)
