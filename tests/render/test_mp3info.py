"""The Info frame at the head of every MP3: decoders and tag readers get the exact length."""

from __future__ import annotations

import shutil
import struct
import subprocess

import mutagen.mp3
import numpy as np
import pytest
import soundfile as sf

from audiobook.mp3frames import frame_bitrates, frames
from audiobook.render.encode import Encoder

RATE = 44100


def _encode(path, samples: int, channels: int = 1) -> np.ndarray:
    """A 440 Hz tone, `samples` long, through the build's encoder; returns what went in."""
    t = np.arange(samples) / RATE
    x = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[:, None].repeat(channels, axis=1)
    enc = Encoder(path, "mp3", RATE, channels, 192, seed=1)
    for i in range(0, samples, 30000):
        enc.write(x[i:i + 30000])
    enc.close()
    return x[:, 0]


@pytest.mark.parametrize("samples,channels", [(RATE * 3 + 123, 1), (RATE * 2 - 7, 2)])
def test_decoders_return_exactly_the_samples_encoded(tmp_path, samples, channels):
    path = tmp_path / "t.mp3"
    x = _encode(path, samples, channels)
    decoded, rate = sf.read(path, dtype="float32", always_2d=True)
    assert rate == RATE and len(decoded) == samples  # no encoder delay in front, no padding behind
    # and in time: the tone lines up with what went in (LAME's 0.970 scaling aside)
    inner = slice(2000, samples - 2000)
    assert np.max(np.abs(decoded[inner, 0] - 0.970 * x[inner])) < 0.02
    assert set(frame_bitrates(path)) == {192}  # the Info frame is a frame of the same bitrate


def test_tag_readers_see_cbr_and_the_exact_length(tmp_path):
    path = tmp_path / "t.mp3"
    samples = RATE * 4 + 321
    _encode(path, samples)
    info = mutagen.mp3.MP3(path).info
    assert info.bitrate_mode == mutagen.mp3.BitrateMode.CBR
    assert info.bitrate == pytest.approx(192000, rel=1e-4)
    assert info.length == pytest.approx(samples / RATE, abs=0.002)
    assert info.encoder_info.startswith("LAME")


@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg not installed")
def test_ffmpeg_decodes_exactly_the_samples_encoded(tmp_path):
    """ffmpeg reads the encoder delay and padding from the LAME extension and drops them."""
    path = tmp_path / "t.mp3"
    samples = RATE * 5 + 17
    x = _encode(path, samples)
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout
    decoded = np.frombuffer(out, dtype="<f4")
    assert len(decoded) == samples
    inner = slice(2000, samples - 2000)
    assert np.max(np.abs(decoded[inner] - 0.970 * x[inner])) < 0.02


@pytest.mark.parametrize("rate,kbps,channels", [(44100, 192, 1), (44100, 128, 2), (48000, 320, 1), (32000, 192, 1),
                                                (22050, 64, 1), (24000, 160, 2)])
def test_the_info_frame_counts_what_a_walk_over_the_frames_finds(tmp_path, rate, kbps, channels):
    """The frame and byte counts come from the file's size (CBR frames differ by padding bytes alone):
    they must match counting the frames one by one, at every length and frame size."""
    rng = np.random.default_rng(rate + kbps)
    for seconds in (0.05, 1.0, 7.3):
        path = tmp_path / f"t-{seconds}.mp3"
        enc = Encoder(path, "mp3", rate, channels, kbps, seed=2)
        enc.write((rng.standard_normal((int(rate * seconds), channels)) * 0.1).astype(np.float32))
        enc.close()
        walked = list(frames(path))
        info, audio = walked[0], walked[1:]
        with open(path, "rb") as f:
            f.seek(info.offset)
            head = f.read(info.length)
        at = head.index(b"Info")
        count, total = struct.unpack(">II", head[at + 8:at + 16])
        assert count == len(audio)
        assert total == info.length + sum(a.length for a in audio)
        assert {a.kbps for a in walked} == {kbps}
