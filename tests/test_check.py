"""`audiobook check` on a good build, and on files made to break each rule."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import lameenc
import numpy as np
import pytest
from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags

from audiobook.analysis import analyze_file
from tests.signals import narration
from tests.test_cli_init import _invoke


@pytest.fixture(scope="module")
def good(demo_built):
    """The demo built once for the session, M4B and all (conftest.demo_built): read, never changed."""
    return demo_built.out


def _failed(args) -> tuple[int, list[dict]]:
    code, out, err = _invoke(["check", *map(str, args), "--json", "-j", "1"])
    assert code in (0, 1), err
    return code, [f for f in json.loads(out)["findings"] if not f["passed"]]


def _track(good: Path, tmp_path: Path) -> Path:
    src = next(good.glob("02 - *.mp3"))
    dst = tmp_path / src.name
    shutil.copyfile(src, dst)
    return dst


def _set_chapters(path: Path, chapters: list[tuple[int, int, str]]) -> None:
    tags = ID3(str(path))
    tags.delall("CHAP")
    tags.delall("CTOC")
    for n, (a, b, title) in enumerate(chapters):
        tags.add(CHAP(element_id=f"c{n}", start_time=a, end_time=b, sub_frames=[TIT2(text=[title])]))
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                  child_element_ids=[f"c{n}" for n in range(len(chapters))], sub_frames=[]))
    tags.save(str(path), v2_version=3)


def test_a_good_build_passes_and_reads_the_m4b(good):
    code, failed = _failed([good])
    assert code == 0 and failed == []
    code, out, err = _invoke(["check", str(good / "The Revolution Betrayed.m4b")])
    assert code == 0 and "runtime" in out and "first_marker_at_0" in out


def test_marker_past_the_end_and_overlapping(good, tmp_path):
    path = _track(good, tmp_path)
    length_ms = int(analyze_file(path).duration_s * 1000)
    _set_chapters(path, [(0, 40000, "One"), (30000, length_ms, "Two"), (length_ms + 3000, length_ms + 4000, "Three")])
    code, failed = _failed([path])
    checks = {f["check"]: f for f in failed}
    assert code == 1 and {"markers_overlap", "marker_inside"} <= set(checks)
    assert "past the end" in checks["marker_inside"]["message"]


def test_marker_in_the_middle_of_a_word(good, tmp_path):
    path = _track(good, tmp_path)
    a = analyze_file(path)
    speech = next(p.end_s + 0.4 for p in a.pauses[1:] if p.end_s + 0.6 < a.duration_s)  # 0.4 s into speech
    duration_ms = int(a.duration_s * 1000)
    _set_chapters(path, [(0, int(speech * 1000), "Heading"), (int(speech * 1000), duration_ms, "Mid-word")])
    code, failed = _failed([path])
    (mid,) = [f for f in failed if f["check"] == "marker_in_pause"]
    assert "falls in speech" in mid["message"] and "Mid-word" in mid["message"]


def _encode(path: Path, audio: np.ndarray, vbr: bool = False) -> Path:
    enc = lameenc.Encoder()
    enc.set_in_sample_rate(44100)
    enc.set_channels(1)
    if vbr:
        enc.set_vbr(4)
        enc.set_vbr_quality(2)
    else:
        enc.set_bit_rate(192)
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes()
    path.write_bytes(enc.encode(pcm) + enc.flush())
    return path


def test_too_hot_and_vbr(tmp_path):
    hot = narration(20, fs=44100, seed=3, speech_rms_dbfs=-14, room_tone_dbfs=-66).audio
    code, failed = _failed([_encode(tmp_path / "hot.mp3", hot)])
    assert "rms_dbfs" in {f["check"] for f in failed}
    ok = narration(20, fs=44100, seed=3, speech_rms_dbfs=-18, room_tone_dbfs=-66).audio
    code, failed = _failed([_encode(tmp_path / "vbr.mp3", ok, vbr=True)])
    (cbr,) = [f for f in failed if f["check"] == "mp3_192k_cbr"]
    assert "constant bitrate" in cbr["message"]


def test_unreadable_file_exits_2(tmp_path):
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"not audio at all" * 10)
    code, out, err = _invoke(["check", str(bad)])
    assert code == 2 and "bad.mp3" in err


def test_build_folder_feed_length_and_blurb_runtime(good, tmp_path):
    broken = tmp_path / "build"
    shutil.copytree(good, broken)
    feed = (broken / "feed.xml").read_text(encoding="utf-8")
    first = next(broken.glob("01 - *.mp3"))
    size = first.stat().st_size
    (broken / "feed.xml").write_text(feed.replace(f'length="{size}"', f'length="{size + 7}"'), encoding="utf-8")
    blurb = (broken / "blurb.txt").read_text(encoding="utf-8")
    (broken / "blurb.txt").write_text(re.sub(r"\n\d+ minutes\n", "\n643 minutes\n", blurb, count=1), encoding="utf-8")
    code, failed = _failed([broken])
    checks = {f["check"]: f for f in failed}
    assert code == 1 and set(checks) == {"enclosure_length", "blurb_runtime"}
    assert f"the feed says {size + 7} bytes, the file has {size}" in checks["enclosure_length"]["message"]
    assert checks["blurb_runtime"]["value"] == "643 minutes"


def test_build_folder_wrong_chapter_count_and_pace(good, tmp_path):
    import json as _json

    broken = tmp_path / "build"
    shutil.copytree(good, broken)
    report = _json.loads((broken / "report.json").read_text())
    report["tracks"][1]["spoken_words"] *= 2  # as if the narrator had skipped half of chapter 1
    report["chapters_selected"] = report["chapters_selected"] + ["chapter-99"]
    (broken / "report.json").write_text(_json.dumps(report))
    code, failed = _failed([broken])
    checks = {f["check"] for f in failed}
    assert {"narration_pace", "every_chapter_a_track"} <= checks


def _lame(seconds: float, kbps: int, seed: int) -> bytes:
    enc = lameenc.Encoder()
    enc.set_bit_rate(kbps)
    enc.set_in_sample_rate(44100)
    enc.set_channels(1)
    pcm = (np.random.default_rng(seed).standard_normal(int(44100 * seconds)) * 3000).astype(np.int16)
    return enc.encode(pcm.tobytes()) + enc.flush()


def test_frame_count_does_not_depend_on_where_the_file_is_cut_for_reading(tmp_path):
    """Frames that straddle two pieces of the read are followed, not resynchronised on noise:
    the counts of a file made of two encodings are the sums of theirs, whatever the piece size."""
    from audiobook.mp3frames import frame_bitrates

    a, b = tmp_path / "a.mp3", tmp_path / "b.mp3"
    a.write_bytes(_lame(50, 192, 1))  # 1.2 MB: more than one piece
    b.write_bytes(_lame(20, 128, 2))
    both = tmp_path / "both.mp3"
    both.write_bytes(a.read_bytes() + b.read_bytes())
    expected = {**frame_bitrates(a, piece=1 << 30), **frame_bitrates(b, piece=1 << 30)}
    assert set(expected) == {192, 128} and expected[192] > 1900
    for piece in (1 << 20, 100_003, 4_099, 700):
        assert frame_bitrates(both, piece=piece) == expected, piece
