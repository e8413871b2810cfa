"""Mouth clicks: found where planted, between and within words, repaired; the voice elsewhere
untouched to the sample; the same block by block as at once."""

from __future__ import annotations

import numpy as np
import pytest

from audiobook.render.declick import Declicker, interpolate
from tests.mouth_noise import plant_clicks, reading
from tests.narrator import have_flite

RATE = 44100
pytestmark = pytest.mark.skipif(not have_flite(), reason="flite reads the test speech")


@pytest.fixture(scope="module")
def speech():
    return reading(RATE, seed=1)


def _declick(x: np.ndarray, step: int = RATE) -> tuple[np.ndarray, Declicker]:
    d = Declicker(RATE, 1)
    out = [d.process(x[i:i + step, None]) for i in range(0, len(x), step)]
    return np.concatenate(out + [d.flush()])[:, 0], d


def _energy_db(x: np.ndarray) -> float:
    return 10 * np.log10(np.sum(x.astype(np.float64) ** 2) + 1e-30)


def test_clean_speech_is_left_alone(speech):
    """flite's reading (plosives, fricatives, 'sea shells', 'ticked and tapped'): nothing repaired,
    every sample out as it came in."""
    x, _ = speech
    y, d = _declick(x)
    assert d.spans == []
    assert np.array_equal(y, x)


def test_planted_clicks_are_found_and_repaired(speech):
    """24 clicks, half in the pauses, half inside the phrases: at least 22 found; in the pauses
    each one is gone down to the room tone (what is left differs from the clean reading by no
    more than the room tone there: white noise, which no interpolation predicts), within words
    its energy falls by 6 dB in the median (the voice under a click is interpolated too, never
    exactly); nothing else is touched."""
    x, phrases = speech
    rng = np.random.default_rng(2)
    pauses = [int(rng.uniform(a - 0.6 * RATE, a - 0.2 * RATE)) for a, _ in phrases for _ in range(3)]
    words = [int(rng.uniform(a + 0.2 * RATE, b - 0.2 * RATE)) for a, b in phrases for _ in range(3)]
    y, planted = plant_clicks(x, RATE, pauses + words, seed=3)
    out, d = _declick(y)
    found = [any(a - 50 <= s < b + 50 or s <= a < e for s, e in d.spans) for a, b in planted]
    assert sum(found) >= 22
    assert len(d.spans) <= len(planted) + 1  # hardly anything else
    spans = [slice(a - 50, b + 50) for a, b in planted]
    for s, f in zip(spans[:len(pauses)], found):
        assert _energy_db(y[s] - x[s]) > _energy_db(x[s]) + 10  # a click, well over the room
        if f:
            assert _energy_db(out[s] - x[s]) < _energy_db(x[s]) + 3  # gone
    change = [_energy_db(out[s] - x[s]) - _energy_db(y[s] - x[s]) for s in spans[len(pauses):]]
    assert np.median(change) < -6
    untouched = np.ones(len(y), bool)
    for s, e in d.spans:
        untouched[s:e] = False
    assert np.array_equal(out[untouched], y[untouched])


def test_block_by_block_is_the_whole_at_once(speech):
    x, phrases = speech
    y, _ = plant_clicks(x, RATE, [a + RATE // 3 for a, _ in phrases] + [a - RATE // 3 for a, _ in phrases], seed=4)
    whole, _ = _declick(y, len(y))
    for step in (777, 4096, 3 * RATE):
        blocks, _ = _declick(y, step)
        assert np.array_equal(whole, blocks)


def test_interpolation_fills_a_gap_in_a_predictable_signal():
    """Two sines are an AR process: 100 lost samples come back to within 1e-6 of their energy."""
    t = np.arange(4000) / RATE
    x = np.sin(2 * np.pi * 200 * t) + 0.5 * np.sin(2 * np.pi * 700 * t)
    gap = x.copy()
    gap[2000:2100] = 0.0
    filled = interpolate(gap, 2000, 2100, 800)
    assert np.sum((filled - x[2000:2100]) ** 2) < 1e-6 * np.sum(x[2000:2100] ** 2)
