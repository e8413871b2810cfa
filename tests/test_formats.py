"""Output formats: each writes, tags and reads back its chapters through its own module, and an
Opus build works end to end (48 kHz, chapters as Vorbis comments, audio/ogg in the feed) — read
back by ffprobe, mutagen and feedparser, and passed by `check`."""

from __future__ import annotations

import json
import shutil
import subprocess

import feedparser
import numpy as np
import pytest

from audiobook import formats
from audiobook.build import build
from audiobook.check import check_paths
from audiobook.formats import write_tags
from audiobook.presets import get_preset
from audiobook.render.encode import Encoder
from audiobook.tags import Chapter, TrackTags
from tests.signals import read_book
from tests.test_build import _write_book


@pytest.mark.parametrize("name", formats.WRITTEN)
def test_each_format_writes_tags_and_reads_its_chapters_back(tmp_path, name):
    fmt = formats.get(name)
    path = tmp_path / f"t{fmt.extension}"
    rate = fmt.rate_for(44100)
    enc = Encoder(path, name, rate, 1, 64)
    enc.write(np.random.default_rng(1).standard_normal((rate * 3, 1)) * 0.05)
    enc.close()
    chapters = [Chapter("Opening", 0.0, 1.25), Chapter("Second part", 1.25, 3.0)]
    write_tags(path, TrackTags(title="One", album="Book", artist="A", chapters=chapters))
    assert formats.for_path(path) is fmt
    back, problems = formats.read_chapters(path)
    assert problems == []
    if name == "wav":
        assert back == []
    else:
        assert [(c.title, round(c.start_s, 3)) for c in back] == [("Opening", 0.0), ("Second part", 1.25)]


def test_opus_is_written_at_a_rate_its_codec_takes():
    opus = formats.get("opus")
    assert [opus.rate_for(r) for r in (22050, 24000, 32000, 44100, 48000)] == [24000, 24000, 48000, 48000, 48000]
    assert formats.get("mp3").rate_for(44100) == 44100


@pytest.mark.skipif(not shutil.which("ffprobe"), reason="ffprobe is not installed (apt-get install ffmpeg)")
def test_an_opus_build_reads_back_and_passes_check(tmp_path):
    book = read_book([[14, 10], [16]], fs=16000, seed=11)
    _write_book(tmp_path / "rec", book)
    manifest = tmp_path / "rec" / "manifest.yaml"
    text = manifest.read_text()
    assert "format: mp3" in text
    manifest.write_text(text.replace("format: mp3", "format: opus"))
    result = build(tmp_path / "rec", tmp_path / "out", jobs=1, m4b=True)
    assert any("Ogg Opus is written at 48000 Hz" in n for n in result.notes)
    report = json.loads(result.report_path.read_text())
    assert all(t["meets_preset"] for t in report["tracks"]), [t["failures"] for t in report["tracks"]]
    for t, planned in zip(report["tracks"], result.plan.tracks):
        assert t["file"].endswith(".opus")
        probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_chapters", "-of", "json",
                                           t["file"]], capture_output=True, text=True, check=True).stdout)
        stream = probe["streams"][0]
        assert (stream["codec_name"], stream["sample_rate"]) == ("opus", "48000")
        assert [c["tags"]["title"] for c in probe["chapters"]] == [m.title for m in planned.markers]
        assert [round(float(c["start_time"]), 2) for c in probe["chapters"]] == \
            [round(m.start_s, 2) for m in planned.markers]
    feed = feedparser.parse(str(tmp_path / "out" / "feed.xml"))
    assert not feed.bozo
    assert [e.enclosures[0].type for e in feed.entries] == ["audio/ogg"] * len(report["tracks"])
    assert result.m4b is not None and result.m4b.is_file()
    files, findings = check_paths([tmp_path / "out"], get_preset("acx"), jobs=1, listen=False)
    assert sorted(f.suffix for f in files) == [".m4b"] + [".opus"] * len(report["tracks"])
    failed = [f for f in findings if not f.passed]
    assert not failed, failed
