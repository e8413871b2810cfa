"""Mouth clicks and breaths in the build: asked for by ACX's preset (off elsewhere, and off when
asked), set on every span from its session's levels, done in the render in time."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

from audiobook.presets import get_preset
from audiobook.render.breaths import BreathReduction
from audiobook.render.jobs import _mouth_noise
from audiobook.render.track import SpanJob, TrackJob, render_track
from tests.mouth_noise import plant_breaths, plant_clicks, reading
from tests.narrator import have_flite

RATE = 44100


def test_acx_asks_for_it_and_other_presets_do_not():
    session = SimpleNamespace(noise_floor_dbfs=-62.0, speech_rms_dbfs=-21.0)
    assert _mouth_noise(session, get_preset("acx")) == (True, BreathReduction(12.0, -62.0, -21.0))
    assert _mouth_noise(session, get_preset("podcast")) == (False, None)
    assert _mouth_noise(session, get_preset("acx,breaths=0,declick=0")) == (False, None)
    assert _mouth_noise(session, get_preset("podcast,breaths=6")) == (False, BreathReduction(6.0, -62.0, -21.0))
    silent = SimpleNamespace(noise_floor_dbfs=-math.inf, speech_rms_dbfs=-21.0)  # no room tone measured
    assert _mouth_noise(silent, get_preset("acx")) == (True, None)


def test_the_cache_tells_a_track_with_them_from_one_without():
    from audiobook.cache import job_key

    def key(**mouth):
        span = SpanJob("s.wav", 0.0, 10.0, 0.0, **mouth)
        return job_key(TrackJob("01.mp3", [span], "mp3", 44100, 1, 192, -3.5), {"s.wav": "d"})

    assert len({key(), key(declick=True), key(breaths=BreathReduction(12.0, -62.0, -21.0)),
                key(breaths=BreathReduction(6.0, -62.0, -21.0))}) == 4


@pytest.mark.skipif(not have_flite(), reason="flite reads the test speech")
def test_a_rendered_track_has_its_click_repaired_and_its_breath_lowered_in_time(tmp_path):
    """Through the whole render (read, repair, lower, gain, resample to 44.1 kHz, limiter), from a
    48 kHz session: the click is gone, the breath 12 dB lower, the voice where it was."""
    x, phrases = reading(48000, seed=9, phrases=["Whereas recognition of the inherent dignity",
                                                 "is the foundation of freedom."])
    x, breaths = plant_breaths(x, 48000, [phrases[1][0]], seed=10)
    click = phrases[0][0] - int(0.4 * 48000)  # in the pause before the first phrase; the breath, before the second
    x, _ = plant_clicks(x, 48000, [click], seed=11, peak_dbfs=(-20.0, -20.0))
    src = tmp_path / "session.wav"
    sf.write(src, x, 48000, subtype="FLOAT")
    out = {}
    for name, mouth in (("plain", {}), ("clean", {"declick": True, "breaths": BreathReduction(12.0, -62.0, -21.0)})):
        span = SpanJob(str(src), 0.0, len(x) / 48000, gain_db=0.0, **mouth)
        render_track(TrackJob(str(tmp_path / f"{name}.wav"), [span], "wav", RATE, 1, 192, -3.0))
        out[name], _ = sf.read(tmp_path / f"{name}.wav", dtype="float32")
    plain, clean = out["plain"], out["clean"]
    assert len(plain) == len(clean)
    at = round(click * RATE / 48000)
    near = slice(at - RATE // 500, at + RATE // 200)
    assert np.abs(plain[near]).max() > 0.05 > 10 * np.abs(clean[near]).max()
    a, b, _ = breaths[0]
    middle = slice(round((a + b) / 2 * RATE / 48000) - RATE // 20, round((a + b) / 2 * RATE / 48000) + RATE // 20)
    drop = 10 * math.log10(np.mean(plain[middle] ** 2) / np.mean(clean[middle] ** 2))
    assert drop == pytest.approx(12.0, abs=0.5)
    voice = slice(round(phrases[1][0] * RATE / 48000) + RATE // 20, round(phrases[1][1] * RATE / 48000) - RATE // 20)
    assert np.max(np.abs(plain[voice] - clean[voice])) < 1e-4
