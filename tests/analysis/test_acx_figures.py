"""ACX's figures (RMS, peak, noise floor) and DC offset and clipping, against direct numpy computation."""

from __future__ import annotations

import numpy as np
import pytest

from audiobook.analysis import analyze_file
from audiobook.analysis.compliance import evaluate
from audiobook.presets import get_preset
from tests.signals import narration


def _noise_floor_brute(x: np.ndarray, fs: int) -> float:
    frame = fs // 100
    power = (x[: len(x) // frame * frame] ** 2).reshape(-1, frame).mean(axis=1)
    windows = [power[i:i + 50].mean() for i in range(0, len(power) - 50 + 1, 10)]
    return 10 * np.log10(min(windows))


def test_rms_peak_and_noise_floor(write_audio):
    x = narration(30, seed=2, speech_rms_dbfs=-17, room_tone_dbfs=-63).audio.astype(np.float64)
    a = analyze_file(write_audio(x))
    assert a.rms_dbfs == pytest.approx(10 * np.log10(np.mean(x ** 2)), abs=0.01)
    assert a.sample_peak_dbfs == pytest.approx(20 * np.log10(np.abs(x).max()), abs=0.01)
    assert a.noise_floor_dbfs == pytest.approx(_noise_floor_brute(x, 48000), abs=0.01)
    assert a.noise_floor_dbfs == pytest.approx(-63, abs=1.0)


def test_digital_silence_does_not_flatter_the_noise_floor(write_audio):
    x = narration(20, seed=3, room_tone_dbfs=-58).audio
    x[: 48000 * 2] = 0.0  # two seconds of digital silence at the head
    a = analyze_file(write_audio(x))
    assert a.digital_silence_s == pytest.approx(2.0, abs=0.02)
    assert a.noise_floor_dbfs == pytest.approx(-58, abs=1.0)


def test_dc_offset_and_clipping_are_counted_and_fail(write_audio):
    x = narration(10, seed=4).audio + 0.01
    x[1000:1010] = 1.0
    a = analyze_file(write_audio(x))
    assert a.dc_offset[0] == pytest.approx(np.mean(x.astype(np.float64)), abs=1e-6)
    assert a.clipped_samples == 10
    failed = {f.check: f for f in evaluate(a, get_preset("acx")) if not f.passed}
    assert {"clipped_samples", "dc_offset_percent"} <= set(failed)
    assert "clipped" in failed["clipped_samples"].advice


def test_acx_verdicts_and_advice(write_audio):
    good = analyze_file(write_audio(narration(20, seed=5, speech_rms_dbfs=-18, room_tone_dbfs=-65).audio, name="a.wav"))
    assert all(f.passed for f in evaluate(good, get_preset("acx")))
    noisy = analyze_file(write_audio(narration(20, seed=5, room_tone_dbfs=-50).audio, name="b.wav"))
    failed = [f for f in evaluate(noisy, get_preset("acx")) if not f.passed]
    assert [f.check for f in failed] == ["noise_floor_dbfs"]
    assert "above ACX's -60 dB; record room tone in a quieter room or apply noise reduction" in failed[0].advice
    quiet = analyze_file(write_audio(narration(20, seed=5, gain_db=-12).audio, name="c.wav"))
    assert [f.check for f in evaluate(quiet, get_preset("acx")) if not f.passed] == ["rms_dbfs"]
