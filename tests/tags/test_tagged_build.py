"""A tagged build of the demo, read back with mutagen, ffprobe, podcastparser and feedparser."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import feedparser
import numpy as np
import podcastparser
import pytest
from mutagen.id3 import ID3, CTOCFlags

from audiobook.build import build
from tests.signals import png

DEMO = Path(__file__).resolve().parents[2] / "recordings"


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    root = tmp_path_factory.mktemp("tagged")
    rec = root / "rec"
    shutil.copytree(DEMO, rec)
    (rec / "cover.png").write_bytes(png(1400, 1400))
    text = (rec / "manifest.yaml").read_text()
    assert "  cover: null" in text and "  base_url: null" in text
    text = text.replace("  cover: null", "  cover: cover.png").replace("  base_url: null",
                                                                       "  base_url: https://example.org/rb")
    (rec / "manifest.yaml").write_text(text)
    result = build(rec, root / "out", jobs=1)
    return result, json.loads(result.report_path.read_text())


def test_id3_tags_and_chapter_frames(tagged):
    result, report = tagged
    for n, t in enumerate(report["tracks"], 1):
        tags = ID3(t["file"])
        assert tags.version == (2, 3, 0)
        assert str(tags["TIT2"]) == t["title"] and str(tags["TALB"]) == "The Revolution Betrayed"
        assert str(tags["TPE1"]) == "Leon Trotsky" and str(tags["TPE2"]) == "Leon Trotsky"
        assert str(tags["TCOM"]) == "Jonathan Booth" and str(tags["TXXX:NARRATOR"]) == "Jonathan Booth"
        assert str(tags["TRCK"]) == f"{n}/3" and str(tags["TCON"]) == "Audiobook"
        assert tags.getall("APIC")[0].mime == "image/png" and tags.getall("APIC")[0].type == 3
        (toc,) = tags.getall("CTOC")
        assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
        chaps = {c.element_id: c for c in tags.getall("CHAP")}
        ordered = [chaps[e] for e in toc.child_element_ids]
        assert [c.sub_frames["TIT2"].text[0] for c in ordered] == [m["title"] for m in t["markers"]]
        assert ordered[0].start_time == 0
        assert all(a.end_time == b.start_time for a, b in zip(ordered, ordered[1:]))
        assert ordered[-1].end_time == pytest.approx(t["duration_s"] * 1000, abs=60)


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe is not installed")
def test_ffprobe_reads_the_chapters_and_tags(tagged):
    _, report = tagged
    t = report["tracks"][1]
    out = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-show_format", "-of", "json", t["file"]],
                         capture_output=True, text=True, check=True)
    probe = json.loads(out.stdout)
    assert [c["tags"]["title"] for c in probe["chapters"]] == [m["title"] for m in t["markers"]]
    assert [round(float(c["start_time"]), 2) for c in probe["chapters"]] == [round(m["start_s"], 2)
                                                                              for m in t["markers"]]
    assert probe["format"]["tags"]["album"] == "The Revolution Betrayed"


def test_feed_blurb_and_chapter_files(tagged):
    result, report = tagged
    out = result.out
    xml = (out / "feed.xml").read_bytes()
    parsed = podcastparser.parse("https://example.org/rb/feed.xml", io.BytesIO(xml))
    assert [e["title"] for e in sorted(parsed["episodes"], key=lambda e: e["number"])] == [
        t["title"] for t in report["tracks"]]
    for ep in parsed["episodes"]:
        t = report["tracks"][ep["number"] - 1]
        enc = ep["enclosures"][0]
        assert enc["file_size"] == Path(t["file"]).stat().st_size
        assert enc["url"].startswith("https://example.org/rb/")
        assert ep["total_time"] == round(t["duration_s"])
        assert [c["title"] for c in ep["chapters"]] == [m["title"] for m in t["markers"]]
        chapters = json.loads((out / (Path(t["file"]).stem + ".chapters.json")).read_text())
        assert chapters["version"] == "1.2.0"
        assert [c["startTime"] for c in chapters["chapters"]] == [round(m["start_s"], 3) for m in t["markers"]]
    d = feedparser.parse(xml)
    assert not d.bozo and d.feed.image.href == "https://example.org/rb/cover.png"
    assert (out / "cover.png").is_file()
    minutes = round(sum(t["duration_s"] for t in report["tracks"]) / 60)
    before = (DEMO / "book" / "blurb.txt").read_text().split("\n")
    after = (out / "blurb.txt").read_text().split("\n")
    assert [(a, b) for a, b in zip(before, after) if a != b] == [("tbc minutes", f"{minutes} minutes")]
    assert f"{minutes} minutes." in d.feed.summary


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe is not installed")
def test_m4b_has_every_chapter_and_section_tags_and_cover(tagged):
    from mutagen.mp4 import MP4

    result, report = tagged
    assert result.m4b is not None and result.m4b.name == "The Revolution Betrayed.m4b"
    out = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-show_format", "-of", "json", str(result.m4b)],
                         capture_output=True, text=True, check=True)
    probe = json.loads(out.stdout)
    titles = [c["tags"]["title"] for c in probe["chapters"]]
    assert titles == [m["title"] for t in report["tracks"] for m in t["markers"]]
    total = sum(t["duration_s"] for t in report["tracks"])
    assert float(probe["format"]["duration"]) == pytest.approx(total, abs=0.5)
    starts = [float(c["start_time"]) for c in probe["chapters"]]
    assert starts == sorted(starts) and starts[0] == 0
    offset = 0.0  # every chapter and section where its track's audio puts it
    for t in report["tracks"]:
        for m in t["markers"]:
            assert starts.pop(0) == pytest.approx(offset + m["start_s"], abs=0.1), m["title"]
        offset += t["duration_s"]
    # the AAC is made from the same master as the MP3s, at the same level (LAME's -0.26 dB matched)
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", str(result.m4b), "-f", "f32le", "-ac", "1", "-"],
                         capture_output=True, check=True).stdout
    rms = 10 * np.log10(np.mean(np.frombuffer(pcm, np.float32).astype(np.float64) ** 2))
    power = sum(10 ** (t["rms_dbfs"] / 10) * t["duration_s"] for t in report["tracks"]) / total
    assert rms == pytest.approx(10 * np.log10(power), abs=0.1)
    m4b = MP4(str(result.m4b))
    assert m4b["\xa9nam"] == ["The Revolution Betrayed"] and m4b["\xa9ART"] == ["Leon Trotsky"]
    assert m4b["covr"] and m4b.info.codec.startswith("mp4a")
