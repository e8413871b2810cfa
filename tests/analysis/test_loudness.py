"""Loudness against EBU Tech 3341/3342 cases and pyloudnorm (BS.1770-4)."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from audiobook.analysis import analyze_file, reader
from tests.signals import narration, noise, sine


def test_full_scale_sine_in_one_channel_reads_minus_3_01(write_audio):
    a = analyze_file(write_audio(sine(1000, 5)))
    assert a.integrated_lufs == pytest.approx(-3.01, abs=0.02)


@pytest.mark.parametrize("both,expected", [(True, -23.0), (False, -26.0)])
def test_ebu_3341_stereo_sine_at_minus_23(write_audio, both, expected):
    s = sine(1000, 20, peak_dbfs=-23.0)
    x = np.stack([s, s if both else np.zeros_like(s)], axis=1)
    assert analyze_file(write_audio(x)).integrated_lufs == pytest.approx(expected, abs=0.1)


@pytest.mark.parametrize("levels,durations", [
    ((-36, -23, -36), (10, 60, 10)),  # Tech 3341 case 3: the relative gate drops the quiet parts
    ((-72, -36, -23, -36, -72), (10, 10, 60, 10, 10)),  # case 4: the absolute gate drops -72
])
def test_ebu_3341_gating(write_audio, levels, durations):
    parts = [sine(1000, d, peak_dbfs=lv) for lv, d in zip(levels, durations)]
    s = np.concatenate(parts)
    a = analyze_file(write_audio(np.stack([s, s], axis=1)))
    assert a.integrated_lufs == pytest.approx(-23.0, abs=0.1)


@pytest.mark.parametrize("first,second,lra", [(-20, -30, 10), (-20, -15, 5), (-40, -20, 20)])
def test_ebu_3342_loudness_range(write_audio, first, second, lra):
    s = np.concatenate([sine(1000, 20, peak_dbfs=first), sine(1000, 20, peak_dbfs=second)])
    a = analyze_file(write_audio(np.stack([s, s], axis=1)))
    assert a.loudness_range_lu == pytest.approx(lra, abs=1.0)


@pytest.mark.parametrize("fs", [44100, 48000, 22050, 96000])
@pytest.mark.parametrize("kind", ["speech", "noise", "stereo-noise"])
def test_matches_pyloudnorm(write_audio, fs, kind):
    if kind == "speech":
        x = narration(20, fs=fs, seed=3, gain_db=-4).audio
    else:
        x = noise(15, fs=fs, seed=4, rms_dbfs=-24, channels=2 if kind == "stereo-noise" else 1)
    ours = analyze_file(write_audio(x, fs)).integrated_lufs
    reference = pyloudnorm.Meter(fs).integrated_loudness(x.astype(np.float64))
    assert ours == pytest.approx(reference, abs=0.1)


def test_block_size_does_not_change_the_result(write_audio, monkeypatch):
    path = write_audio(narration(12, seed=5).audio)
    whole = analyze_file(path)
    monkeypatch.setattr(reader, "BLOCK_SECONDS", 0.0123)  # blocks that cut frames in odd places
    pieces = analyze_file(path)
    assert pieces.integrated_lufs == pytest.approx(whole.integrated_lufs, abs=1e-6)
    assert pieces.true_peak_dbtp == pytest.approx(whole.true_peak_dbtp, abs=1e-6)
    assert pieces.noise_floor_dbfs == pytest.approx(whole.noise_floor_dbfs, abs=1e-6)
    assert [(p.start_s, p.end_s) for p in pieces.pauses] == [(p.start_s, p.end_s) for p in whole.pauses]


def test_momentary_and_short_term_series(write_audio):
    s = np.concatenate([sine(1000, 5, peak_dbfs=-30), sine(1000, 5, peak_dbfs=-10)])
    a = analyze_file(write_audio(s))
    assert len(a.momentary_lufs) == pytest.approx(10 / 0.1 - 3, abs=1)  # 400 ms windows, 100 ms apart
    assert a.momentary_lufs[10] == pytest.approx(-33.01, abs=0.05)
    assert a.max_momentary_lufs == pytest.approx(-13.01, abs=0.05)
    assert a.max_short_term_lufs == pytest.approx(-13.01, abs=0.05)
