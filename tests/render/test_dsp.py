"""Mastering blocks against exact expectations."""

from __future__ import annotations

import numpy as np
import pytest

from audiobook.render.dsp import Dither, HighPass, Limiter
from audiobook.render.resample import Resampler
from audiobook.render.track import _Expander


def _stream(proc, x, step):
    parts = [proc.process(x[i:i + step]) for i in range(0, len(x), step)]
    return np.concatenate(parts + [proc.flush()])


@pytest.mark.parametrize("rates", [(48000, 44100), (22050, 44100), (44100, 44100), (96000, 44100)])
def test_block_resampling_equals_resampling_at_once(rates):
    import soxr

    x = np.random.default_rng(1).standard_normal((30011, 1)).astype(np.float32)
    y = _stream(Resampler(*rates, 1), x, 4099)
    if rates[0] == rates[1]:
        assert np.array_equal(y, x)
        return
    whole = soxr.resample(x, rates[0], rates[1], quality="HQ")
    assert len(y) == len(whole) == round(len(x) * rates[1] / rates[0])
    assert np.max(np.abs(y - whole)) < 1e-6


@pytest.mark.parametrize("rate_in", [48000, 22050, 96000])
def test_resampled_tone_lands_on_the_same_tone_at_the_new_rate(rate_in):
    """A 1 kHz sine comes out as the same sine sampled at 44.1 kHz: no delay, no level change."""
    seconds = 2.0
    x = np.sin(2 * np.pi * 1000 * np.arange(int(rate_in * seconds)) / rate_in).astype(np.float32)[:, None]
    y = _stream(Resampler(rate_in, 44100, 1), x, 5000)[:, 0]
    expected = np.sin(2 * np.pi * 1000 * np.arange(len(y)) / 44100)
    inner = slice(1000, -1000)  # the edges start and stop from silence
    assert np.max(np.abs(y[inner] - expected[inner])) < 1e-5


def test_limiter_never_exceeds_the_ceiling_and_leaves_quiet_audio_alone():
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((120000, 2)) * 0.05).astype(np.float32)
    x[30000:30050] *= 30  # peaks far over
    x[90000] = 1.5
    lim = Limiter(44100, 2, 10 ** (-3.5 / 20))
    y = _stream(lim, x, 7000)
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


def test_dither_is_triangular_one_lsb_each_way():
    """Silence comes out as TPDF noise of ±1 LSB: 0 three times in four, ±1 once in eight each."""
    q = Dither(np.random.default_rng(4)).quantise(np.zeros((400000, 1), dtype=np.float32))
    assert q.dtype == np.int16 and q.shape == (400000, 1)
    values, counts = np.unique(q, return_counts=True)
    assert values.tolist() == [-1, 0, 1]
    assert counts / counts.sum() == pytest.approx([0.125, 0.75, 0.125], abs=0.005)


@pytest.mark.parametrize("lsb", [0.3, -2.7, 1000.5])
def test_dithered_quantiser_is_unbiased(lsb):
    """On average the output is the input, even between two codes: no truncation distortion."""
    x = np.full((300000, 2), lsb / 32768, dtype=np.float32)
    q = Dither(np.random.default_rng(5)).quantise(x)
    assert q.mean() == pytest.approx(lsb, abs=0.01)
    assert np.all(np.abs(q - lsb) < 2)


def test_dither_clips_at_full_scale_without_wrapping():
    x = np.array([[1.0], [-1.0], [1.5], [-1.5], [0.99999]], dtype=np.float32)
    q = Dither(np.random.default_rng(6)).quantise(x)[:, 0]
    assert q[:4].tolist() == [32767, -32768, 32767, -32768] and q[4] > 32760


@pytest.mark.parametrize("block", [333, 4410, 44100])
def test_limiter_gain_is_one_for_both_channels_at_any_block_size(block):
    """Peaks in one channel, across block joins: both channels take the same smooth gain, and only
    around the peaks; the ceiling holds everywhere."""
    rng = np.random.default_rng(block)
    x = (rng.standard_normal((60000, 2)) * 0.1).astype(np.float32)
    at = rng.integers(500, 59000, 40)
    x[at, 1] = rng.uniform(0.8, 2.0, 40).astype(np.float32) * rng.choice([-1, 1], 40)
    ceiling = 10 ** (-3.5 / 20)
    lim = Limiter(44100, 2, ceiling)
    y = _stream(lim, x, block)
    assert np.abs(y).max() <= ceiling
    gain = y / x
    assert np.allclose(gain[:, 0], gain[:, 1], atol=1e-6)  # linked: the image does not move
    assert gain.max() <= 1.0 + 1e-6 and np.abs(np.diff(gain[:, 0])).max() < 0.003  # a ramp: 0.03 dB a sample at most
    far = np.ones(len(x), dtype=bool)  # over 100 ms from every peak: untouched
    for a in at:
        far[max(0, a - 4410):a + 4410] = False
    assert np.array_equal(y[far], x[far])
