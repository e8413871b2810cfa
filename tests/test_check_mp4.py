"""`check` of M4B/M4A files shaped as other tools make them: the runtime proven from the media
data (a file cut short is caught), both chapter forms read natively (QuickTime chapter track,
Nero chpl) and compared — files made here by ffmpeg, then cut or patched."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from audiobook.formats.mp4 import read_mp4
from tests.test_cli_init import _invoke

pytestmark = pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg is not installed (apt-get install ffmpeg)")

TITLES = [f"Chapter {n}: Part {n}" for n in range(1, 10)]


def _m4b(tmp_path, name="book.m4b", *flags: str, seconds: float = 27.0):
    """A 27-second AAC book with 9 chapters of 3 s, tagged, made by ffmpeg as other tools use it."""
    meta = tmp_path / "meta.txt"
    lines = [";FFMETADATA1", "title=Book", "artist=Author", "album=Book"]
    for n, title in enumerate(TITLES):
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={n * 3000}", f"END={(n + 1) * 3000}", f"title={title}"]
    meta.write_text("\n".join(lines) + "\n")
    path = tmp_path / name
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=f=330:d={seconds}", "-i", str(meta),
                    "-map", "0", "-map_metadata", "1", "-map_chapters", "1", "-c:a", "aac", "-b:a", "64k",
                    *flags, str(path)], check=True)
    return path


def test_both_chapter_forms_are_read_and_agree(tmp_path):
    info = read_mp4(_m4b(tmp_path, "book.m4b", "-movflags", "+faststart"))
    assert info.chapter_forms == ["quicktime", "chpl"] and info.chapters_agree()
    assert [c.title for c in info.quicktime] == TITLES == [c.title for c in info.chpl]
    assert [round(c.start_s, 2) for c in info.quicktime] == [n * 3.0 for n in range(9)]
    assert info.proven_s == pytest.approx(info.declared_s, abs=0.05) and info.proven_s == pytest.approx(27.0, abs=0.1)


def test_a_quicktime_chapter_track_alone_is_read_whole_without_ffprobe(tmp_path, monkeypatch):
    """As Apple's tools and Auphonic write them: ffprobe 5.1 lost one and repeated the last."""
    path = _m4b(tmp_path, "qt.m4a", "-movflags", "+faststart+disable_chpl")
    monkeypatch.setenv("PATH", "/nonexistent")  # no ffprobe (the build's ffmpeg may be the wheel's, which has none)
    code, out, err = _invoke(["check", str(path), "--json"])
    import json

    data = json.loads(out)
    findings = {f["check"]: f for f in data["findings"]}
    assert findings["chapter_forms"]["value"] == "quicktime" and "chpl" in findings["chapter_forms"]["message"]
    assert not any(f["check"] in ("markers_overlap", "markers_ordered") and not f["passed"] for f in data["findings"])
    failed = {f["check"] for f in data["findings"] if not f["passed"]}
    assert failed <= {"rms_dbfs", "peak_dbfs", "noise_floor_dbfs", "head_room_tone", "tail_room_tone"}, failed
    assert code in (0, 1) and "Traceback" not in err


def test_a_cut_short_m4b_fails_with_what_is_missing(tmp_path):
    path = _m4b(tmp_path, "book.m4b", "-movflags", "+faststart")
    data = path.read_bytes()
    cut = tmp_path / "cut.m4b"
    cut.write_bytes(data[:len(data) * 2 // 5])
    info = read_mp4(cut)
    assert info.declared_s == pytest.approx(27.0, abs=0.1) and info.proven_s < 12.0
    code, out, err = _invoke(["check", str(cut)])
    assert code == 1 and "cut short: its header says 0:27.0" in out and "re-download or re-export" in out, out
    code, out, err = _invoke(["check", str(path)])
    assert "cut short" not in out


def test_an_m4b_cut_before_its_index_is_named_not_a_traceback(tmp_path):
    path = _m4b(tmp_path, "book.m4b")  # the index (moov) at the end, as ffmpeg writes without faststart
    cut = tmp_path / "cut.m4b"
    cut.write_bytes(path.read_bytes()[:80_000])
    code, out, err = _invoke(["check", str(cut)])
    assert code == 2 and "cut.m4b" in err and "re-download or re-export" in err and "Traceback" not in err


def _boxes(data: bytes, start: int, end: int, path: tuple = ()) -> list[tuple[tuple, int, int]]:
    """Every box, and those inside moov's containers: (its path, offset, size)."""
    out, pos = [], start
    while pos + 8 <= end:
        size, name = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8]
        out.append((path + (name,), pos, size))
        if name in (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta"):
            out += _boxes(data, pos + 8, pos + size, path + (name,))
        pos += size
    return out


def test_an_m4b_stripped_of_its_media_as_mutagens_test_file_is_named_not_a_traceback(tmp_path):
    """mutagen's nero-chapters.m4b: tags and a chpl list kept, each track's sample sizes (stsz)
    emptied to a bare box header and its media data gone — `struct.error` in _stsz before."""
    path = _m4b(tmp_path, "book.m4b", "-movflags", "+faststart")
    data = bytearray(path.read_bytes())
    boxes = _boxes(bytes(data), 0, len(data))
    assert any(p[-1] == b"chpl" for p, _, _ in boxes)
    for box, at, size in boxes:
        if box[-1] == b"stsz":
            data[at:at + 8] = (8).to_bytes(4, "big") + b"stsz"  # the box bare; the rest of its bytes free space
            data[at + 8:at + 16] = (size - 8).to_bytes(4, "big") + b"free"
    mdat = next(at for box, at, _ in boxes if box == (b"mdat",))
    stripped = tmp_path / "nero-chapters.m4b"
    stripped.write_bytes(bytes(data[:mdat]) + (8).to_bytes(4, "big") + b"mdat")
    code, out, err = _invoke(["check", str(stripped)])
    assert code == 2 and "Traceback" not in err, err
    assert "nero-chapters.m4b: cannot be read as an M4B" in err and "stsz box holds 0 bytes" in err, err


def test_a_damaged_chpl_list_is_a_finding_the_rest_is_checked(tmp_path):
    path = _m4b(tmp_path, "book.m4b", "-movflags", "+faststart")
    data = bytearray(path.read_bytes())
    at = next(at for box, at, _ in _boxes(bytes(data), 0, len(data)) if box[-1] == b"chpl")
    data[at + 8 + 8] = 200  # it says 200 chapters; it holds 9
    path.write_bytes(bytes(data))
    code, out, err = _invoke(["check", str(path), "--json"])
    assert code == 1 and "Traceback" not in err, err
    import json

    (table,) = [f for f in json.loads(out)["findings"] if f["check"] == "chapter_table"]
    assert "chpl chapter list says 200 chapters, it holds 9" in table["message"] and not table["passed"]


def test_chapter_forms_that_disagree_are_reported(tmp_path):
    path = _m4b(tmp_path, "book.m4b", "-movflags", "+faststart")
    data = bytearray(path.read_bytes())
    at = data.index(b"chpl")
    title = data.index(b"Chapter 4: Part 4", at)
    data[title:title + 17] = b"Chapter 4: Part X"  # the chpl list says one thing, the chapter track another
    path.write_bytes(bytes(data))
    info = read_mp4(path)
    assert not info.chapters_agree()
    code, out, err = _invoke(["check", str(path)])
    assert code == 1 and "two chapter lists disagree" in out and "'Chapter 4: Part 4' at 9.00 s" in out, out


def test_check_json_lists_each_file_with_its_runtimes_and_chapters_by_form(tmp_path):
    import json

    path = _m4b(tmp_path, "book.m4b", "-movflags", "+faststart")
    cut = tmp_path / "cut.m4b"
    cut.write_bytes(path.read_bytes()[:path.stat().st_size // 2])
    code, out, err = _invoke(["check", str(path), str(cut), "--json"])
    data = json.loads(out)
    assert set(data) == {"passed", "files", "findings"} and data["passed"] is False
    whole, half = data["files"]
    assert whole["path"] == str(path) and whole["format"] == "m4b"
    assert whole["runtime_s"] == pytest.approx(whole["declared_runtime_s"], abs=0.05)
    assert half["declared_runtime_s"] == pytest.approx(27.0, abs=0.1) and half["runtime_s"] < 15.0
    forms = [c["form"] for c in whole["chapters"]]
    assert forms == ["quicktime"] * 9 + ["chpl"] * 9
    assert set(whole["chapters"][0]) == {"start_s", "end_s", "title", "form"}
    assert any(f["check"] == "runtime" and not f["passed"] for f in half["findings"])


def test_an_m4bs_levels_are_held_to_the_preset_like_the_tracks(tmp_path, monkeypatch):
    import json

    path = _m4b(tmp_path, "loud.m4b", "-af", "volume=12dB", "-movflags", "+faststart")  # over ACX's RMS window
    code, out, err = _invoke(["check", str(path), "--json"])
    by = {f["check"]: f for f in json.loads(out)["findings"]}
    assert not by["rms_dbfs"]["passed"] and float(by["rms_dbfs"]["value"]) > -12, by["rms_dbfs"]
    assert code == 1
    import audiobook.analysis.reader as reader

    monkeypatch.setattr(reader, "find_ffmpeg", lambda: None)  # nothing to decode AAC with: said, not a failure
    code, out, err = _invoke(["check", str(path), "--json"])
    by = {f["check"]: f for f in json.loads(out)["findings"]}
    assert "rms_dbfs" not in by and by["levels"]["value"] == "not measured"
    assert "needs ffmpeg" in by["levels"]["message"] and by["runtime"]["passed"]


def test_an_m4b_whose_codec_ffmpeg_cannot_decode_is_checked_for_the_rest(tmp_path):
    """As an xHE-AAC book is to ffmpeg 5.1 (made here by changing its decoder configuration): its
    runtime and chapters are still checked, its levels said to be unchecked — never a traceback."""
    import json

    path = _m4b(tmp_path, "odd.m4b", "-movflags", "+faststart")
    data = bytearray(path.read_bytes())
    asc = data.index(b"\x12\x08", data.index(b"esds"))  # AudioSpecificConfig: AAC-LC, 44.1 kHz, mono
    data[asc] = 0x42  # audio object type 8 (CELP), which ffmpeg has no decoder for, as it has none for USAC
    path.write_bytes(bytes(data))
    code, out, err = _invoke(["check", str(path), "--json"])
    assert "Traceback" not in err and code in (0, 1), err
    by = {f["check"]: f for f in json.loads(out)["findings"]}
    assert by["levels"]["value"] == "not measured" and "cannot decode its audio" in by["levels"]["message"]
    assert by["runtime"]["passed"] and by["runtime"]["value"] == "0:27.0"
    assert by["chapter_forms"]["value"] == "quicktime and chpl"
