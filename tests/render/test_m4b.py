"""The M4B's chapters start where their audio does, to the millisecond, in every track."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

from audiobook.render.m4b import AacStream, M4bTrack, write_m4b
from audiobook.tags import Chapter

RATE = 44100
pytestmark = pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg not installed")


def _track(path, seconds: float, clicks: list[float]) -> str:
    """A track of quiet noise with a 5 ms burst at each of `clicks` (seconds), as AAC."""
    rng = np.random.default_rng(len(clicks))
    x = rng.standard_normal(int(seconds * RATE)) * 30
    for at in clicks:
        i = int(round(at * RATE))
        x[i:i + RATE // 200] = 20000 * np.sin(2 * np.pi * 2000 * np.arange(RATE // 200) / RATE)
    stream = AacStream(path, RATE, 1)
    stream.write(x.astype(np.int16)[:, None])
    stream.close()
    return str(path)


def _onsets(m4b) -> np.ndarray:
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", str(m4b), "-f", "s16le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout
    loud = np.abs(np.frombuffer(pcm, dtype=np.int16)) > 8000
    rises = np.flatnonzero(loud[1:] & ~loud[:-1]) + 1
    return rises[np.concatenate([[True], np.diff(rises) > RATE // 10])] / RATE  # a burst's first rise


def test_every_chapter_starts_on_its_audio(tmp_path):
    # each section marker sits on a burst; the first track's markers too (the encoder's priming plays)
    tracks = [M4bTrack(_track(tmp_path / "1.aac", 3.0, [1.0, 2.0]), "One",
                       [Chapter("One", 0.0), Chapter("One, 2", 1.0), Chapter("One, 3", 2.0)]),
              M4bTrack(_track(tmp_path / "2.aac", 2.5, [0.0 + 0.5, 1.5]), "Two",
                       [Chapter("Two", 0.0), Chapter("Two, 2", 0.5), Chapter("Two, 3", 1.5)])]
    write_m4b(tmp_path / "book.m4b", tracks, {"title": "Test"})
    probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json",
                                       str(tmp_path / "book.m4b")], capture_output=True, check=True).stdout)
    starts = [(float(c["start_time"]), c["tags"]["title"]) for c in probe["chapters"]]
    assert len(starts) == 6 and starts[0][0] == 0.0  # the book's first chapter opens the file
    onsets = _onsets(tmp_path / "book.m4b")
    marked = [start for start, title in starts if "," in title]
    assert len(onsets) == len(marked) == 4
    assert np.abs(onsets - np.array(marked)).max() < 0.003


def test_a_stream_measured_as_it_is_encoded_reads_as_its_file_decoded(tmp_path):
    """The build judges each track's AAC by the true peak measured while it was encoded (decoded
    beside the encoder): the same figure as the finished stream decoded again, as check reads it."""
    from audiobook.render.m4b import aac_peak_dbtp

    x = np.random.default_rng(5).standard_normal(int(6.5 * RATE)) * 6000
    x[RATE:RATE + 64] = 32000  # a flat top: AAC carries its peak over the samples'
    stream = AacStream(tmp_path / "t.aac", RATE, 1, measure=True)
    for i in range(0, len(x), 30000):  # blocks unlike the decoder's
        stream.write(x[i:i + 30000].astype(np.int16)[:, None])
    stream.close()
    assert stream.peak_dbtp == aac_peak_dbtp(tmp_path / "t.aac", RATE, 1)
    assert stream.peak_dbtp > 20 * np.log10(32000 / 32768)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.aac"]  # no temporary file left
