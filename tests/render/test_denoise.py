"""Noise reduction from the room tone: block by block as at once, no delay, the floor lowered under
the words as much as in the pauses, the voice kept."""

from __future__ import annotations

import math

import numpy as np
import pytest
import soundfile as sf

from audiobook.analysis import Pause
from audiobook.presets import get_preset
from audiobook.render.denoise import FRAME, Denoiser, NoiseReduction, noise_power, noise_spans, reduction_db
from audiobook.render.jobs import _expansion, _noise_reduction
from audiobook.render.track import SpanJob, TrackJob, render_track

RATE = 48000


def _stream(d: Denoiser, x: np.ndarray, step: int) -> np.ndarray:
    out = [d.process(x[i:i + step]) for i in range(0, len(x), step)]
    return np.concatenate(out + [d.flush()])


def _voice_and_noise(seconds: float, seed: int, channels: int = 1, noise_dbfs: float = -40.0):
    """A 'voice' (harmonics of 150 Hz under 2 kHz, on for 1 s, off for 1 s) and white room tone."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    on = (t % 2.0) < 1.0
    voice = sum(0.05 / k * np.sin(2 * np.pi * 150 * k * t + rng.uniform(0, 6)) for k in range(1, 13)) * on
    noise = rng.standard_normal((n, channels)) * 10 ** (noise_dbfs / 20)
    return voice.astype(np.float32), noise.astype(np.float32), on


def _band_db(x: np.ndarray, lo_hz: float, hi_hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / RATE)
    return 10 * math.log10(spectrum[(freqs >= lo_hz) & (freqs < hi_hz)].sum() / len(x) ** 2 * 2)


@pytest.mark.parametrize("step", [1, 777, FRAME, 48000])
def test_block_by_block_equals_the_whole_at_once(step):
    """The frames lie on the stream's grid, not the blocks': the same samples whatever the blocks."""
    voice, noise, _ = _voice_and_noise(3.0 if step > 1 else 0.3, seed=1, channels=2)
    x = voice[:, None] + noise
    profile = noise_power([noise[:RATE // 4]])
    whole = _stream(Denoiser(profile, 20.0, 2), x, len(x))
    blocks = _stream(Denoiser(profile, 20.0, 2), x, step)
    assert whole.shape == blocks.shape == x.shape
    assert np.array_equal(whole, blocks)


def test_without_noise_it_gives_the_input_back_in_time():
    """Against a silent profile every gain is 1: the windows reconstruct the input, to the sample."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((RATE, 1)).astype(np.float32) * 0.1
    x[20000] = 0.9  # a click, at its own sample
    y = _stream(Denoiser(np.zeros(FRAME // 2 + 1), 20.0, 1), x, 4000)
    assert len(y) == len(x)
    assert np.abs(y - x).max() < 1e-5
    assert int(np.argmax(np.abs(y))) == 20000


def test_the_floor_goes_down_under_the_words_as_in_the_pauses_and_the_voice_stays():
    """Above the voice's band (4-12 kHz) only room tone: turned down by about the same amount while
    the voice speaks as while it is silent (no gating); the voice's band while it speaks within 0.5 dB."""
    voice, noise, on = _voice_and_noise(8.0, seed=3)
    x = voice[:, None] + noise
    y = _stream(Denoiser(noise_power([noise[:RATE]]), 18.0, 1), x, RATE // 2)[:, 0]
    half = RATE // 4  # a quarter second away from each switch
    speaking = np.concatenate([np.arange(s + half, s + RATE - half) for s in range(0, len(x), 2 * RATE)])
    silent = speaking + RATE
    under_in, under_out = _band_db(x[speaking, 0], 4000, 12000), _band_db(y[speaking], 4000, 12000)
    pause_in, pause_out = _band_db(x[silent, 0], 4000, 12000), _band_db(y[silent], 4000, 12000)
    assert 15 < pause_in - pause_out < 19
    assert abs((under_in - under_out) - (pause_in - pause_out)) < 2.0
    assert abs(_band_db(y[speaking], 100, 2000) - _band_db(voice[speaking], 100, 2000)) < 0.5


def test_noise_spans_are_the_middles_of_the_quietest_pauses():
    pauses = [Pause(1.0, 3.0, -55.0, 30.0), Pause(5.0, 5.2, -70.0, 50.0), Pause(8.0, 20.0, -45.0, 35.0),
              Pause(30.0, 31.0, -50.0, 22.0)]
    spans = noise_spans(pauses, max_s=8.0)
    # the 0.2 s pause is too short; the quietest long ones first (1.84 + 0.84 s), then 5.32 s of the loudest
    assert spans == ((1.08, 2.92), (8.08, 13.4), (30.08, 30.92))
    assert noise_spans([]) == ()


def test_reduction_lands_the_room_tone_under_the_limit_and_no_deeper_than_asked():
    assert reduction_db(-42.0, -60.0, 3.0, 30.0) == 21.0
    assert reduction_db(-70.0, -60.0, 3.0, 30.0) == 0.0
    assert reduction_db(-20.0, -60.0, 3.0, 30.0) == 30.0


def _analysis(floor_dbfs: float, pauses):
    from types import SimpleNamespace
    return SimpleNamespace(noise_floor_dbfs=floor_dbfs, pauses=pauses)


def test_acx_reduces_noise_and_leaves_the_expander_only_what_is_left():
    """ACX asks for it; at +10 dB a -52 dBFS room would be -42: reduced 21 dB to -63, no expander.
    A room at -20 after the gain: 30 dB takes it to -50, the expander trims the 13 dB left in the pauses."""
    acx, podcast = get_preset("acx"), get_preset("podcast")
    pauses = [Pause(1.0, 3.0, -52.0, 30.0)]
    cleaning = _noise_reduction(_analysis(-52.0, pauses), 10.0, acx)
    assert cleaning == NoiseReduction(((1.08, 2.92),), 21.0)
    assert _expansion(_analysis(-52.0, pauses), 10.0 - cleaning.reduce_db, acx) == (None, 0.0)
    loud = _noise_reduction(_analysis(-30.0, pauses), 10.0, acx)
    assert loud.reduce_db == 30.0 and _expansion(_analysis(-30.0, pauses), 10.0 - 30.0, acx)[1] == pytest.approx(13.0)
    assert _noise_reduction(_analysis(-75.0, pauses), 10.0, acx) is None  # quiet enough already
    assert _noise_reduction(_analysis(-52.0, pauses), 10.0, podcast) is None  # not asked for
    assert _noise_reduction(_analysis(-52.0, []), 10.0, acx) is None  # nothing to learn the room from


def test_a_rendered_track_has_its_room_tone_reduced_in_time(tmp_path):
    """Through the whole render (read, reduce, gain, resample, limiter): a burst stays on its sample
    and the room tone around it comes out the asked-for dB lower than without the reduction."""
    rng = np.random.default_rng(5)
    x = (rng.standard_normal(4 * RATE) * 0.003).astype(np.float32)
    at = int(2.5 * RATE)
    x[at:at + RATE // 10] += 0.5 * np.sin(2 * np.pi * 1000 * np.arange(RATE // 10) / RATE).astype(np.float32)
    src = tmp_path / "session.wav"
    sf.write(src, x, RATE, subtype="FLOAT")
    plain = SpanJob(str(src), 0.5, 3.5, gain_db=0.0)
    reduced = SpanJob(str(src), 0.5, 3.5, gain_db=0.0, denoise=NoiseReduction(((0.0, 2.0),), 20.0))
    out = {}
    for name, span in (("plain", plain), ("reduced", reduced)):
        render_track(TrackJob(str(tmp_path / f"{name}.wav"), [span], "wav", 44100, 1, 192, -3.0))
        out[name], _ = sf.read(tmp_path / f"{name}.wav", dtype="float32")
    assert len(out["plain"]) == len(out["reduced"]) == 3 * 44100
    for y in out.values():
        assert abs(int(np.flatnonzero(np.abs(y) > 0.1)[0]) - 2 * 44100) <= 3
    room = slice(int(0.3 * 44100), int(1.7 * 44100))
    drop = 10 * math.log10(np.mean(out["plain"][room] ** 2) / np.mean(out["reduced"][room] ** 2))
    assert 17 < drop < 21


def test_a_second_rendering_with_more_gain_reduces_the_noise_by_as_much_more():
    """A track whose level missed is rendered again with more gain: its room tone rises with it,
    so the reduction deepens by as much (within its cap); a lower gain leaves it as it was."""
    from audiobook.build.render import _regain

    span = SpanJob("s.wav", 0.0, 10.0, 5.0, denoise=NoiseReduction(((1.0, 2.0),), 20.0))
    job = TrackJob("01.mp3", [span], "mp3", 44100, 1, 192, -3.5)
    _regain(job, 1.5)
    assert span.gain_db == 6.5 and span.denoise.reduce_db == 21.5
    _regain(job, -1.0)
    assert span.gain_db == 5.5 and span.denoise.reduce_db == 21.5
    _regain(job, 20.0)
    assert span.denoise.reduce_db == 30.0


def test_room_tone_the_reduction_leaves_over_the_limit_is_trimmed_by_the_expander(tmp_path):
    """A room that the profile under-reads (its 'room tone' taken where the room was quieter):
    the reduction leaves the pauses over ACX's -60 dBFS; the track is rendered again with the
    expander taking the rest off in the pauses, and passes."""
    from audiobook.build.render import render_and_measure

    rng = np.random.default_rng(6)
    x = (rng.standard_normal(6 * RATE) * 10 ** (-45 / 20)).astype(np.float32)
    x[:RATE] *= 10 ** (-25 / 20)  # the first second: a quieter room, where the profile is read
    for start in (2.0, 4.0):  # two 'words'
        at = int(start * RATE)
        x[at:at + RATE // 2] += 0.3 * np.sin(2 * np.pi * 300 * np.arange(RATE // 2) / RATE).astype(np.float32)
    src = tmp_path / "session.wav"
    sf.write(src, x, RATE, subtype="FLOAT")
    span = SpanJob(str(src), 1.0, 6.0, gain_db=0.0, denoise=NoiseReduction(((0.1, 0.9),), 20.0))
    job = TrackJob(str(tmp_path / "01.wav"), [span], "wav", 44100, 1, 192, -3.5, preset=get_preset("acx"))
    _, measured = render_and_measure(job, lambda s: None)
    assert job.noise_trim_db > 0 and span.expand_below_db is not None
    assert measured.noise_floor_dbfs <= -60.0
