from __future__ import annotations

import numpy as np
import pytest

from audiobook.plan.split import choose


def test_long_pauses_near_the_predictions_win():
    # 3 parts predicted 100, 50, 150 s of speech; candidate pauses every ~10 s, the long ones at 98 and 152
    speech_at = np.arange(5.0, 300.0, 10.0)
    lengths = np.full(len(speech_at), 0.7)
    speech_at[9], lengths[9] = 98.0, 4.5
    speech_at[15], lengths[15] = 152.0, 3.8
    bounds = choose([100.0, 50.0, 150.0], speech_at, lengths, 300.0, long_s=4.0)
    assert [b.gap for b in bounds] == [9, 15]
    assert bounds[0].deviation_s == pytest.approx(-2.0)
    assert all(0.5 < b.confidence <= 1 for b in bounds)


def test_the_prediction_beats_a_long_pause_far_away():
    speech_at = np.array([40.0, 100.0, 160.0])
    lengths = np.array([6.0, 2.5, 6.0])
    (bound,) = choose([100.0, 100.0], speech_at, lengths, 200.0, long_s=4.0)
    assert bound.gap == 1


def test_pins_are_kept_and_too_few_pauses_are_an_error():
    speech_at = np.array([30.0, 50.0, 100.0])
    lengths = np.array([1.0, 5.0, 5.0])
    assert [b.gap for b in choose([50.0, 50.0, 50.0], speech_at, lengths, 150.0, 4.0, forced={0: 0})][0] == 0
    with pytest.raises(ValueError, match="need 3 pauses"):
        choose([10.0] * 4, speech_at[:2], lengths[:2], 40.0, 4.0)
