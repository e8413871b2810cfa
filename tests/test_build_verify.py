"""No build writes a file its own `check` fails: every file is decoded back and judged as check
judges it, corrected where a codec moved its peaks, and a file that cannot be brought into line
stops the build by name (exit 2) and is not left behind."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.signals import db_to_amp, read_book
from tests.test_build import DEMO, _write_book
from tests.test_cli_init import _invoke

needs_ffmpeg = pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg is not installed (the M4B's encoder)")


def _format(folder: Path, fmt: str = "mp3") -> None:
    manifest = folder / "manifest.yaml"
    text = manifest.read_text()
    assert "format: mp3" in text
    text = text.replace("format: mp3", f"format: {fmt}")
    manifest.write_text(text)


def _check(out: Path) -> tuple[int, str]:
    code, stdout, err = _invoke(["check", str(out), "--no-listen"])
    return code, stdout + err


def test_room_tone_at_both_ends_when_the_session_leaves_none(tmp_path):
    """One session whose first word is 0.05 s in and whose last ends 0.1 s before the file does, in
    a noisy room (its room tone lifted above ACX's noise floor by the gain, so turned down, by
    noise reduction): the first track's head and the last one's tail are made of the narrator's
    room tone, turned down as the rest of it is — and check measures them as room tone (it found 0.01 s and 0 s)."""
    book = read_book([[14, 10], [16], [12, 9]], fs=16000, seed=9)
    session = book.sessions[0]
    speech = np.flatnonzero(np.abs(session) > 0.01)
    session = session[speech[0] - int(0.05 * book.fs): speech[-1] + int(0.1 * book.fs)].copy()
    session += np.random.default_rng(3).standard_normal(len(session)).astype(np.float32) * db_to_amp(-44.0)
    book.sessions[0] = session
    _write_book(tmp_path / "rec", book)
    _format(tmp_path / "rec")
    code, out, err = _invoke(["build", str(tmp_path / "rec"), "--out", str(tmp_path / "out"), "--no-m4b", "-j", "1",
                              "--no-align"])
    assert code == 0, err
    # turned down: by noise reduction from its own room tone (ACX's, since issue 29), as the pauses are
    assert "noise reduction" in err and "(head +0.6 s)" in err and "(tail +1.2 s)" in err  # what this test is about
    code, said = _check(tmp_path / "out")
    assert code == 0, said
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert all(t["meets_preset"] for t in report["tracks"]), [t["failures"] for t in report["tracks"]]


def _plosive_session(book, n: int, every_s: float, drive_db: float) -> bytes:
    """The session as a narrator's MP3 (lameenc, 128 kbps, 44.1 kHz) whose hard plosives, one every
    `every_s` seconds on average, were driven into clipping."""
    import lameenc
    from scipy.signal import resample_poly

    x = resample_poly(book.sessions[n], 441, 160).astype(np.float32) * db_to_amp(drive_db)
    rng = np.random.default_rng(n)
    k = int(0.012 * 44100)
    burst = 6.0 * np.sign(np.sin(2 * np.pi * 140 * np.arange(k) / 44100)) * np.hanning(k)
    loud = np.flatnonzero(np.abs(x) > 0.05)
    for at in rng.choice(loud, size=int(len(x) / 44100 / every_s), replace=False):
        x[at:at + k] += burst[:len(x) - at]
    x = np.clip(x, -1.0, 1.0)
    assert np.count_nonzero(np.abs(x) >= 1.0) > 1000  # clipped, as the narrator's were
    enc = lameenc.Encoder()
    enc.set_bit_rate(128)
    enc.set_in_sample_rate(44100)
    enc.set_channels(1)
    enc.set_quality(2)
    return bytes(enc.encode((x * 32767).astype(np.int16).tobytes()) + enc.flush())


def _clipped_book(folder: Path, every_s: float, drive_db: float) -> None:
    book = read_book([[14, 10], [16], [12, 9]], fs=16000, seed=9, breaks_after=(0,))
    _write_book(folder, book)
    for n in range(len(book.sessions)):
        (folder / f"take-{n + 1}.wav").unlink()
        (folder / f"take-{n + 1}.mp3").write_bytes(_plosive_session(book, n, every_s, drive_db))
    manifest = folder / "manifest.yaml"
    manifest.write_text(manifest.read_text().replace(".wav", ".mp3"))
    _format(folder)


@needs_ffmpeg
def test_clipped_mp3_sources_build_to_tracks_and_an_m4b_that_pass_check(tmp_path):
    """Clipped plosives in MP3 sessions: the limiter holds their flat tops at its ceiling, and MP3
    coding carried one track's true peak over ACX's -3 dB (-2.8); the build finds it in the file
    it wrote and renders that track again with more headroom."""
    _clipped_book(tmp_path / "rec", every_s=6.0, drive_db=-4.0)
    code, out, err = _invoke(["build", str(tmp_path / "rec"), "--out", str(tmp_path / "out"), "-j", "1", "--no-align"])
    assert code == 0, err
    code, said = _check(tmp_path / "out")
    assert code == 0, said
    assert "A Test Book.m4b" in said
    assert "rendered again with more headroom" in err  # the codec did move the peaks here


def test_a_build_that_cannot_meet_the_preset_fails_naming_each_file(tmp_path):
    """So many clipped plosives that the limiter, even with its 3 dB of make-up, leaves the tracks
    under ACX's RMS window: the build stops with exit status 2 and says which files fail and why;
    none of them, nor the retail sample cut from the first, nor a report or feed, is left."""
    _clipped_book(tmp_path / "rec", every_s=1.0, drive_db=-6.0)
    out = tmp_path / "out"
    code, stdout, err = _invoke(["build", str(tmp_path / "rec"), "--out", str(out), "--no-m4b", "-j", "1",
                                 "--no-align"])
    assert code == 2, err
    for name in ("01 - Chapter 1 - Title 1.mp3", "02 - Chapter 2 - Title 2.mp3", "03 - Chapter 3 - Title 3.mp3"):
        assert f"{name}: does not meet ACX" in err and not (out / name).exists()
    assert "rms_dbfs" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["plan.yaml"]


@needs_ffmpeg
@pytest.mark.parametrize("fmt", ["opus", "ogg", "flac"])
def test_the_demo_in_every_format_passes_its_own_check(tmp_path, fmt):
    """The demo as Opus failed its own check (true peak -2.97 dB: lossy coding moved it) and the
    build exited 0; each format's tracks and the M4B are now verified as written."""
    shutil.copytree(DEMO, tmp_path / "rec")
    manifest = tmp_path / "rec" / "manifest.yaml"
    manifest.write_text(manifest.read_text().replace("  format: mp3", f"  format: {fmt}"))
    code, out, err = _invoke(["build", str(tmp_path / "rec"), "--out", str(tmp_path / "out"), "--no-align"])
    assert code == 0, err
    code, said = _check(tmp_path / "out")
    assert code == 0, said
