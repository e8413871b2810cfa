from __future__ import annotations

import json

import soundfile as sf

from tests.signals import narration
from tests.test_cli_init import _invoke


def test_analyze_folder_pass_fail_and_json(tmp_path):
    sf.write(str(tmp_path / "s1.flac"), narration(10, seed=1, speech_rms_dbfs=-18).audio, 48000, subtype="PCM_24")
    code, out, err = _invoke(["analyze", str(tmp_path)])
    assert code == 0, err
    assert "s1.flac" in out and "1 of 1 files pass ACX" in out and "FAIL" not in out

    sf.write(str(tmp_path / "s2.flac"), narration(10, seed=2, room_tone_dbfs=-48).audio, 48000, subtype="PCM_24")
    code, out, err = _invoke(["analyze", str(tmp_path), "--json", "-j", "1"])
    assert code == 1
    report = json.loads(out)
    assert [r["passed"] for r in report] == [True, False]
    failed = [c for c in report[1]["checks"] if not c["passed"]]
    assert failed[0]["check"] == "noise_floor_dbfs" and "quieter room" in failed[0]["advice"]
    assert report[0]["pauses"] and "momentary_lufs" not in report[0]


def test_analyze_unreadable_file_exits_2(tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnothing")
    code, out, err = _invoke(["analyze", str(bad)])
    assert code == 2 and "broken.wav" in err and "error:" in err


def test_analyze_empty_folder_exits_2(tmp_path):
    code, out, err = _invoke(["analyze", str(tmp_path)])
    assert code == 2 and "no audio files" in err


def test_analyze_says_what_the_limiter_would_make_of_the_peaks(tmp_path):
    """Clean narration leaves the limiter nothing at ACX's level; plosive-like bursts 15 dB over
    the speech need make-up; clicks at full scale over quiet speech cannot reach it at all."""
    import numpy as np

    from tests.signals import db_to_amp

    clean = narration(20, seed=1, speech_rms_dbfs=-20).audio
    peaky = clean.copy()
    for at in range(4800, len(peaky) - 500, 48000):  # a 4 ms burst every second
        peaky[at:at + 192] += (np.hanning(192) * db_to_amp(-5)).astype(np.float32)
    clicks = (clean * db_to_amp(-20)).copy()
    clicks[::2400] = 0.99
    for name, x in (("a-clean", clean), ("b-peaky", peaky), ("c-clicks", clicks)):
        sf.write(str(tmp_path / f"{name}.wav"), x, 48000, subtype="PCM_24")
    code, out, err = _invoke(["analyze", str(tmp_path), "--json", "-j", "1"])
    limiter = [r["limiter"] for r in json.loads(out)]
    assert limiter[0] == {"makeup_db": 0.0, "short_db": 0.0}
    assert 0.3 < limiter[1]["makeup_db"] <= 3.0 and limiter[1]["short_db"] == 0.0
    assert limiter[2]["makeup_db"] == 3.0 and limiter[2]["short_db"] > 3.0
    code, out, err = _invoke(["analyze", str(tmp_path / "b-peaky.wav")])
    assert "the peaks stand high" in out and "make-up" in out
