"""Breaths: found before the voice comes in, turned down by the preset's dB (never cut, never
under the room tone), the voice untouched to the sample; the same block by block as at once."""

from __future__ import annotations

import math

import numpy as np
import pytest

from audiobook.render.breaths import BreathLowerer, BreathReduction
from tests.mouth_noise import plant_breaths, reading
from tests.narrator import have_flite

RATE = 44100
ROOM_DBFS, SPEECH_DBFS = -62.0, -20.0
pytestmark = pytest.mark.skipif(not have_flite(), reason="flite reads the test speech")


@pytest.fixture(scope="module")
def speech():
    return reading(RATE, seed=5, speech_dbfs=SPEECH_DBFS, room_dbfs=ROOM_DBFS)


def _lower(x: np.ndarray, reduce_db: float = 12.0, step: int = RATE) -> tuple[np.ndarray, BreathLowerer]:
    # the session's levels as analysis measures them: its quietest half second, its speech's RMS
    b = BreathLowerer(RATE, 1, BreathReduction(reduce_db, ROOM_DBFS, SPEECH_DBFS - 1.0))
    out = [b.process(x[i:i + step, None]) for i in range(0, len(x), step)]
    return np.concatenate(out + [b.flush()])[:, 0], b


def _db(x: np.ndarray) -> float:
    return 10 * math.log10(np.mean(x.astype(np.float64) ** 2))


def test_speech_without_breaths_is_left_alone(speech):
    x, _ = speech
    y, b = _lower(x)
    assert b.spans == []
    assert np.array_equal(y, x)


def test_planted_breaths_are_turned_down_and_nothing_else(speech):
    x, phrases = speech
    y, planted = plant_breaths(x, RATE, [a for a, _ in phrases], seed=6)
    out, b = _lower(y)
    assert len(b.spans) == len(planted)
    for (a, e, _), (s, t, db) in zip(planted, b.spans):
        assert abs(s - a) < 0.1 * RATE and abs(t - e) < 0.1 * RATE  # where it was planted
        assert db == 12.0
        middle = slice((a + e) // 2 - RATE // 20, (a + e) // 2 + RATE // 20)
        assert _db(y[middle]) - _db(out[middle]) == pytest.approx(12.0, abs=0.2)  # lowered, not cut
    untouched = np.ones(len(y), bool)
    for s, t, _ in b.spans:
        untouched[s:t] = False
    assert np.array_equal(out[untouched], y[untouched])
    for a, _ in phrases:  # the voice, from its first sample
        assert np.array_equal(out[a:a + RATE // 2], y[a:a + RATE // 2])


def test_a_quiet_breath_goes_no_lower_than_just_over_the_room(speech):
    """A breath 11.5 dB over the room tone (RMS) is turned down less than 12 dB: it stays 3 dB over
    the room tone, which does not dip."""
    x, phrases = speech
    y, planted = plant_breaths(x, RATE, [phrases[1][0]], seed=7, level_dbfs=(ROOM_DBFS + 11.5, ROOM_DBFS + 11.5))
    out, b = _lower(y)
    assert len(b.spans) == 1
    s, t, db = b.spans[0]
    assert 6.0 < db < 11.0
    assert _db(out[s:t]) > ROOM_DBFS + 3.0


def test_block_by_block_is_the_whole_at_once(speech):
    x, phrases = speech
    y, _ = plant_breaths(x, RATE, [a for a, _ in phrases], seed=8)
    whole, _ = _lower(y, step=len(y))
    for step in (1000, 3 * RATE + 17):
        blocks, _ = _lower(y, step=step)
        assert np.array_equal(whole, blocks)
