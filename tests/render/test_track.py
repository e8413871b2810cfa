"""Rendering one track: the audio lands where the plan says, to the sample."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from audiobook.render.track import SpanJob, TrackJob, render_track


@pytest.mark.parametrize("source_rate", [44100, 48000])
def test_a_sound_lands_where_its_span_puts_it(tmp_path, source_rate):
    """A burst 1.5 s into the recording, in a span from 0.5 s, starts 1.0 s into the track: the
    mastering (filters, limiter, resampler) adds no delay. Loud enough for the limiter to act."""
    rng = np.random.default_rng(4)
    x = (rng.standard_normal(3 * source_rate) * 0.001).astype(np.float32)
    at = int(1.5 * source_rate)
    x[at:at + source_rate // 10] = 0.9 * np.sin(2 * np.pi * 1000 * np.arange(source_rate // 10) / source_rate)
    src = tmp_path / "session.wav"
    sf.write(src, x, source_rate, subtype="FLOAT")
    job = TrackJob(str(tmp_path / "01.wav"), [SpanJob(str(src), 0.5, 2.5, gain_db=0.0)], "wav", 44100, 1, 192, -3.0)
    render_track(job)
    y, rate = sf.read(tmp_path / "01.wav", dtype="float32")
    assert rate == 44100 and len(y) == 2 * 44100
    onset = int(np.flatnonzero(np.abs(y) > 0.05)[0])
    assert abs(onset - 44100) <= 3  # the burst's first rise above 0.05 (its first cycle is steep)
    assert np.abs(y).max() <= 10 ** (-3 / 20) + 2 ** -15
