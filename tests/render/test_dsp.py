"""Mastering blocks against exact expectations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import resample_poly

from audiobook.render.dsp import HighPass, Limiter, tpdf_dither
from audiobook.render.resample import Resampler
from audiobook.render.track import _Expander


def _stream(proc, x, step):
    parts = [proc.process(x[i:i + step]) for i in range(0, len(x), step)]
    return np.concatenate(parts + [proc.flush()])


@pytest.mark.parametrize("rates", [(48000, 44100), (22050, 44100), (44100, 44100), (96000, 44100)])
def test_block_resampling_equals_resampling_at_once(rates):
    x = np.random.default_rng(1).standard_normal((30011, 1))
    y = _stream(Resampler(*rates, 1), x, 4099)
    if rates[0] == rates[1]:
        assert np.array_equal(y, x)
        return
    from fractions import Fraction

    r = Fraction(rates[1], rates[0])
    whole = resample_poly(x, r.numerator, r.denominator, axis=0)
    assert len(y) == len(whole)
    assert np.max(np.abs(y - whole)) < 1e-12


def test_limiter_never_exceeds_the_ceiling_and_leaves_quiet_audio_alone():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((120000, 2)) * 0.05
    x[30000:30050] *= 30  # peaks far over
    x[90000] = 1.5
    lim = Limiter(44100, 2, 10 ** (-3.5 / 20))
    y = _stream(lim, x, 7000)[lim.look:]
    assert len(y) == len(x)
    assert np.abs(y).max() <= 10 ** (-3.5 / 20) + 1e-12
    assert np.array_equal(y[:25000], x[:25000]) and np.array_equal(y[100000:], x[100000:])
    gain = y[29000:31000, 0] / x[29000:31000, 0]
    assert np.all(np.abs(np.diff(gain)) < 0.2)  # ramps, not steps


def test_highpass_removes_dc_and_rumble_keeps_the_voice():
    fs = 44100
    t = np.arange(fs * 2) / fs
    hp = HighPass(fs, 1)
    dc = hp.process(np.full((len(t), 1), 0.1))
    assert abs(dc[-1000:].mean()) < 1e-4
    hp = HighPass(fs, 1)
    rumble = hp.process(np.sin(2 * np.pi * 20 * t)[:, None])
    voice = HighPass(fs, 1).process(np.sin(2 * np.pi * 300 * t)[:, None])
    assert np.abs(rumble[-fs // 2:]).max() < 0.07  # 20 Hz down by more than 23 dB
    assert np.abs(voice[-fs // 2:]).max() > 0.95


def test_expander_turns_room_tone_down_but_never_to_silence():
    fs = 44100
    rng = np.random.default_rng(3)
    tone = rng.standard_normal((fs * 2, 1)) * 10 ** (-55 / 20)
    speech = rng.standard_normal((fs * 2, 1)) * 10 ** (-20 / 20)
    ex = _Expander(fs, below_db=-49, by_db=8)
    out = np.concatenate([ex.process(tone[i:i + 4410]) for i in range(0, len(tone), 4410)]
                         + [ex.process(speech[i:i + 4410]) for i in range(0, len(speech), 4410)])
    quiet = 10 * np.log10(np.mean(out[fs:2 * fs] ** 2))
    loud = 10 * np.log10(np.mean(out[3 * fs:] ** 2))
    assert quiet == pytest.approx(-63, abs=0.5) and loud == pytest.approx(-20, abs=0.2)


def test_dither_is_triangular_and_bounded():
    x = np.zeros((100000, 1))
    q = tpdf_dither(x, np.random.default_rng(4))
    assert q.dtype == np.int16 and set(np.unique(q)) <= {-1, 0, 1}
