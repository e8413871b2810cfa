"""The limiter's make-up gain: predicted from 100 ms hops, checked against the real limiter."""

from __future__ import annotations

import math

import numpy as np
import pytest

from audiobook.analysis.peaks import HopPeaks
from audiobook.render.dsp import Limiter
from audiobook.render.makeup import MAKEUP_MAX_DB, TrackHops, level_db, track_gain
from tests.signals import narration

FS = 44100
CEILING_DB = -3.5


def _peaky_narration(seed: int = 0) -> np.ndarray:
    """Narration with plosive-like bursts in its words: peaks 14 dB over the speech level."""
    n = narration(40.0, FS, seed=seed, speech_rms_dbfs=-20.0)
    x = n.audio.astype(np.float64)
    rng = np.random.default_rng(seed)
    for a, _end in n.speech[::2]:
        at = int(a * FS) + int(0.01 * FS)
        burst = rng.standard_normal(int(0.004 * FS)) * np.hanning(int(0.004 * FS))
        x[at:at + len(burst)] += burst / np.abs(burst).max() * 10 ** ((-20 + 14) / 20)
    return x.astype(np.float32)


def _hops(x: np.ndarray) -> TrackHops:
    """Mean square and peak of each 100 ms hop, worked out here (the loudness ones unused)."""
    hop = FS // 10
    body = x[: len(x) // hop * hop].astype(np.float64).reshape(-1, hop)
    power = np.mean(body ** 2, axis=1)
    return TrackHops(power, power, np.abs(body).max(axis=1))


def _gain_to(hops: TrackHops, level_db: float) -> float:
    return level_db - 10 * math.log10(float(np.mean(hops.power)))


def _limited(x: np.ndarray, gain_db: float) -> float:
    """The level (dB) the build's limiter leaves of `x` at `gain_db`."""
    lim = Limiter(FS, 1, 10 ** (CEILING_DB / 20))
    y = np.float32(10 ** (gain_db / 20)) * x[:, None]
    out = [lim.process(y[i:i + 44100]) for i in range(0, len(y), 44100)] + [lim.flush()]
    y = np.concatenate(out)
    return 10 * math.log10(float(np.mean(y.astype(np.float64) ** 2)))


def test_hop_peaks_are_each_hops_largest_magnitude_whatever_the_blocks():
    rng = np.random.default_rng(4)
    x = (rng.standard_normal((10 * 4410 + 1234, 2)) * rng.uniform(0.01, 1, (10 * 4410 + 1234, 1))).astype(np.float32)
    for step in (333, 4410, 10000, len(x)):
        hp = HopPeaks(4410)
        block_peaks = [hp.update(x[i:i + step]) for i in range(0, len(x), step)]
        got = hp.result()
        want = [np.abs(x[i:i + 4410]).max() for i in range(0, len(x), 4410)]  # the last hop is short
        assert np.array_equal(got, np.array(want, dtype=np.float32))
        assert max(block_peaks) == np.abs(x).max()


@pytest.mark.parametrize("level", [-22.0, -20.0, -18.0, -17.0, -16.0])
def test_predicted_level_after_the_limiter_is_within_a_third_of_a_db(level):
    x = _peaky_narration()
    hops = _hops(x)
    gain = _gain_to(hops, level)
    assert abs(level_db(hops, gain, CEILING_DB, lufs=False) - _limited(x, gain)) < 0.3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_makeup_brings_a_limited_track_to_its_target(seed):
    """Without it the track ends half a dB and more under its target; with it, within 0.35 dB."""
    x = _peaky_narration(seed)
    hops = _hops(x)
    target = -17.0
    assert _limited(x, _gain_to(hops, target)) < target - 0.35
    gain, makeup, under = track_gain(hops, target, CEILING_DB, lufs=False)
    assert 0.5 < makeup < MAKEUP_MAX_DB and under == 0.0 and gain == pytest.approx(_gain_to(hops, target) + makeup)
    assert abs(_limited(x, gain) - target) < 0.35


def test_no_makeup_where_the_limiter_has_nothing_to_do():
    hops = _hops(_peaky_narration())
    assert track_gain(hops, -26.0, CEILING_DB, lufs=False) == (pytest.approx(_gain_to(hops, -26.0)), 0.0, 0.0)


def test_makeup_stops_at_its_limit_and_says_how_far_short():
    """Clicks far over a quiet level: no gain the limiter allows reaches the target."""
    x = np.full(FS * 10, 10 ** (-40 / 20), dtype=np.float32)
    x[:: FS // 20] = 1.0  # a full-scale click every 50 ms: every hop is limited
    _, makeup, under = track_gain(_hops(x), -10.0, CEILING_DB, lufs=False)
    assert makeup == MAKEUP_MAX_DB and under > 5.0


@pytest.mark.parametrize("target_lufs", [-23.0, -16.0])
def test_track_gain_reaches_a_loudness_target_through_the_limiter(tmp_path, target_lufs):
    """From the analysis's hops of a recording to a gain: the limited result, measured by the
    loudness meter (itself checked against pyloudnorm), is at the target."""
    import soundfile as sf

    from audiobook.analysis import analyze_file

    x = _peaky_narration(seed=3)
    sf.write(tmp_path / "in.wav", x, FS, subtype="FLOAT")
    a = analyze_file(tmp_path / "in.wav")
    hops = TrackHops.of([(a, 0.0, a.duration_s, 0.0)], channels=1)
    gain, makeup, under = track_gain(hops, target_lufs, CEILING_DB, lufs=True)
    assert under == 0.0 and (makeup > 0.3) == (target_lufs > -20)  # at -16 the limiter works
    lim = Limiter(FS, 1, 10 ** (CEILING_DB / 20))
    y = np.float32(10 ** (gain / 20)) * x[:, None]
    y = np.concatenate([lim.process(y[i:i + 44100]) for i in range(0, len(y), 44100)] + [lim.flush()])
    sf.write(tmp_path / "out.wav", y, FS, subtype="FLOAT")
    assert abs(analyze_file(tmp_path / "out.wav").integrated_lufs - target_lufs) < 0.3
