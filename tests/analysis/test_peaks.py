"""True peak (BS.1770-4 Annex 2) against exact answers, brute force, and ffmpeg's ebur128."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

from audiobook.analysis import analyze_file
from audiobook.analysis.peaks import TAPS_PER_PHASE, TruePeak, interpolation_phases
from tests.signals import narration, noise, sine


def _faded(x: np.ndarray, fs: int) -> np.ndarray:
    fade = np.minimum(1.0, np.arange(len(x)) / (0.05 * fs))
    return x * fade * fade[::-1]


def test_quarter_rate_sine_between_samples(write_audio):
    # fs/4 at 45°: every sample is at 0.707 of the crest, so the sample peak reads 3.01 dB low
    x = _faded(sine(12000, 2, peak_dbfs=-6.0, phase=np.pi / 4), 48000)
    a = analyze_file(write_audio(x))
    assert a.sample_peak_dbfs == pytest.approx(-9.01, abs=0.02)
    assert a.true_peak_dbtp == pytest.approx(-6.0, abs=0.05)


@pytest.mark.parametrize("freq", [997, 4000, 9000, 16000, 19000])
@pytest.mark.parametrize("phase", [0.0, 0.6, np.pi / 4])
def test_sines_read_within_the_ebu_tolerance(write_audio, freq, phase):
    # EBU Tech 3341: true-peak meters read within +0.2 / -0.4 dB
    x = _faded(sine(freq, 1, peak_dbfs=-3.0, phase=phase), 48000)
    assert -3.4 <= analyze_file(write_audio(x)).true_peak_dbtp <= -2.8


def test_the_shortcut_is_exact(rng=np.random.default_rng(7)):
    """Skipping chunks that cannot beat the running maximum must not change the answer."""
    phases = interpolation_phases(4)
    for _ in range(5):
        x = (rng.standard_normal((20000, 2)) * np.linspace(0.05, 1, 20000)[:, None] ** 3).astype(np.float32)
        x[rng.integers(0, 20000)] *= 3  # one lone spike
        meter = TruePeak(48000, 2)
        for i in range(0, len(x), 3001):
            meter.update(x[i:i + 3001])
        padded = np.concatenate([np.zeros((TAPS_PER_PHASE - 1, 2), np.float32), x])
        for ch in range(2):
            windows = np.lib.stride_tricks.sliding_window_view(padded[:, ch], TAPS_PER_PHASE)
            brute = max(np.abs(windows @ phases.T).max(), np.abs(x[:, ch]).max())
            assert meter.result()[ch] == pytest.approx(brute, rel=1e-6)


def _ffmpeg_ebur128(path) -> tuple[float, float]:
    proc = subprocess.run(["ffmpeg", "-nostdin", "-nostats", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true",
                           "-f", "null", "-"], capture_output=True, text=True, check=True)
    summary = proc.stderr[proc.stderr.rfind("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary)[1])
    peak = float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+) dBFS", summary)[1])
    return integrated, peak


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
@pytest.mark.parametrize("kind", ["speech", "noise", "stereo-noise"])
def test_matches_ffmpeg_ebur128(write_audio, kind):
    fs = 48000
    if kind == "speech":
        x = narration(20, seed=11, gain_db=2).audio
    else:
        x = noise(10, seed=12, rms_dbfs=-18, channels=2 if kind == "stereo-noise" else 1)
    path = write_audio(x, fs, subtype="PCM_24")
    a = analyze_file(path)
    integrated, peak = _ffmpeg_ebur128(path)
    assert a.integrated_lufs == pytest.approx(integrated, abs=0.1)
    assert a.true_peak_dbtp == pytest.approx(peak, abs=0.2)


@pytest.mark.parametrize("fs", [44100, 64000, 96000])
def test_one_phase_is_the_samples_themselves(fs):
    """The phase landing on the input samples reproduces them exactly: the sample peak stands for it."""
    meter = TruePeak(fs, 1)
    phases = interpolation_phases(meter.factor)
    x = np.random.default_rng(3).standard_normal(4000).astype(np.float32) * 0.1
    padded = np.concatenate([np.zeros(TAPS_PER_PHASE - 1, np.float32), x])
    outputs = np.lib.stride_tricks.sliding_window_view(padded, TAPS_PER_PHASE) @ phases.T
    lag = TAPS_PER_PHASE - 1 - TAPS_PER_PHASE // 2  # the filter's delay, in input samples
    on_samples = [p for p in range(meter.factor) if np.array_equal(outputs[lag:, p], x[:len(x) - lag])]
    assert len(on_samples) == 1
    assert meter._matrix.shape == (TAPS_PER_PHASE, meter.factor - 1)  # the others are interpolated


def test_recordings_sampled_at_192_khz_read_their_sample_peak(write_audio):
    # BS.1770-4 oversamples to 176.4 kHz or more: at 192 kHz the samples are fine enough already
    x = _faded(sine(1000, 1, fs=192000, peak_dbfs=-6.0), 192000)
    a = analyze_file(write_audio(x, fs=192000))
    assert a.true_peak_dbtp == pytest.approx(a.sample_peak_dbfs)
    assert a.true_peak_dbtp == pytest.approx(-6.0, abs=0.01)
