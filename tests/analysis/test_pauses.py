"""The pause map on synthetic narration whose pauses are known to the sample."""

from __future__ import annotations

import numpy as np
import pytest

from audiobook.analysis import analyze_file
from audiobook.analysis.pauses import find_pauses
from tests.signals import narration

TOLERANCE_S = 0.020


@pytest.mark.parametrize("gain_db", [-30, -20, -10, 0])
@pytest.mark.parametrize("seed", [1, 2])
def test_pause_boundaries_within_20_ms_at_any_level(write_audio, gain_db, seed):
    nr = narration(45, seed=seed, gain_db=gain_db)  # with breaths and mouth clicks inside pauses
    a = analyze_file(write_audio(nr.audio))
    found = [(p.start_s, p.end_s) for p in a.pauses if p.duration_s >= 0.3]
    assert len(found) == len(nr.pauses)  # none missed, none split by a breath or a click
    for (s, e), (ks, ke) in zip(found, nr.pauses):
        assert abs(s - ks) <= TOLERANCE_S and abs(e - ke) <= TOLERANCE_S


def test_word_gaps_are_not_pauses(write_audio):
    nr = narration(30, seed=6, breaths=False, clicks=False)
    a = analyze_file(write_audio(nr.audio))
    assert all(p.duration_s >= 0.2 for p in a.pauses)
    assert len(a.pauses) == len(nr.pauses)
    speech = sum(e - s for s, e in nr.speech)
    assert a.speech_s == pytest.approx(speech, rel=0.1)  # the gaps between words count as speech


def test_pause_depth_and_level(write_audio):
    nr = narration(30, seed=7, speech_rms_dbfs=-18, room_tone_dbfs=-60, breaths=False, clicks=False)
    a = analyze_file(write_audio(nr.audio))
    long = [p for p in a.pauses if p.duration_s > 1]
    assert long and all(p.level_dbfs == pytest.approx(-60, abs=1.0) for p in long)
    assert all(p.depth_db == pytest.approx(42, abs=3.0) for p in long)


def test_silence_is_one_pause():
    pm = find_pauses(np.zeros(300, np.float32), np.zeros(300, np.float32), 0.01)
    assert len(pm.pauses) == 1 and pm.pauses[0].end_s == pytest.approx(3.0) and pm.speech_s == 0
