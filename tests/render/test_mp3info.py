"""The Info frame at the head of every MP3: decoders and tag readers get the exact length."""

from __future__ import annotations

import shutil
import subprocess

import mutagen.mp3
import numpy as np
import pytest
import soundfile as sf

from audiobook.mp3frames import frame_bitrates
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
