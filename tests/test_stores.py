"""The stores' presets (data/presets.yaml): each builds a short generated book that its own `check`
passes; `check` fails files that break a store's rule; the build notes missing credits."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lameenc
import numpy as np
import pytest

from audiobook.manifest.credits import credits_script, missing_credits
from audiobook.manifest.model import BookInfo, ChapterEntry, Manifest
from audiobook.presets import presets
from tests.signals import read_book
from tests.test_build import _write_book
from tests.test_cli_init import _invoke

PACKAGE = Path(__file__).resolve().parents[1] / "audiobook"
STORES = ("acx", "findaway", "google", "apple", "podcast")
FORMAT = {"google": "flac"}  # Google prefers lossless: its build is FLAC, held to its lossless rules


@pytest.fixture(scope="module")
def short_book(tmp_path_factory) -> Path:
    """Two chapters, one of two sections, read in about 20 s of (speech-shaped) noise."""
    folder = tmp_path_factory.mktemp("stores") / "rec"
    _write_book(folder, read_book([[3, 3], [4]], seed=21, chapter_pause_s=(1.6, 2.0)))
    _credit(folder)
    return folder


def _credit(folder: Path) -> None:
    """An author and a narrator in the manifest: the tags' artist, and the credits' names."""
    manifest = folder / "manifest.yaml"
    manifest.write_text(manifest.read_text().replace("  author: null", "  author: A. Writer", 1)
                        .replace("  narrator: null", "  narrator: A. Reader", 1))


def _with(folder: Path, tmp_path: Path, **output) -> Path:
    import shutil

    rec = tmp_path / "rec"
    shutil.copytree(folder, rec)
    manifest = rec / "manifest.yaml"
    text = manifest.read_text()
    for key, value in output.items():
        text = re.sub(rf"\n  {key}: .*", f"\n  {key}: {value}", text, count=1)
    manifest.write_text(text)
    return rec


@pytest.mark.parametrize("store", STORES)
def test_every_store_preset_builds_a_book_its_check_passes(short_book, tmp_path, store):
    rec = _with(short_book, tmp_path, format=FORMAT.get(store, "mp3"))
    out = tmp_path / "out"
    code, said, err = _invoke(["build", str(rec), "--out", str(out), "--preset", store, "--no-align", "--no-m4b",
                               "-j", "1"])
    assert code == 0, err
    report = json.loads((out / "report.json").read_text())
    assert report["preset"] == store and all(t["meets_preset"] for t in report["tracks"]), report["tracks"]
    code, said, err = _invoke(["check", str(out), "--no-listen", "--json"])  # the build's own preset
    checks = json.loads(said)["findings"]
    assert code == 0, [f for f in checks if not f["passed"]]
    names = {f["check"] for f in checks}
    preset = presets()[store]
    assert ("format" in names) == (preset.formats is not None)  # the store's rules were checked, not skipped
    assert ("chapters_whole" in names) == preset.whole_chapters
    credits_noted = [n for n in report["notes"] if "credits" in n]
    assert len(credits_noted) == (2 if preset.credits else 0), report["notes"]


def _mp3(path: Path, kbps: int, channels: int = 1) -> Path:
    """Ten seconds of speech-shaped noise as a LAME MP3 at `kbps`, 44.1 kHz, constant bitrate."""
    book = read_book([[8]], fs=44100, seed=3, chapter_pause_s=(1.0, 1.1))
    pcm = np.clip(book.sessions[0] * 32767, -32768, 32767).astype(np.int16)
    if channels == 2:
        pcm = np.repeat(pcm[:, None], 2, axis=1)
    enc = lameenc.Encoder()
    enc.set_bit_rate(kbps)
    enc.set_in_sample_rate(44100)
    enc.set_channels(channels)
    enc.set_quality(5)
    path.write_bytes(enc.encode(pcm.tobytes()) + enc.flush())
    return path


def _finding(path: Path, preset: str, check: str) -> dict:
    code, said, err = _invoke(["check", str(path), "--preset", preset, "--json"])
    (found,) = [f for f in json.loads(said)["findings"] if f["check"] == check]
    return found


def test_files_breaking_a_stores_file_rules_fail_its_check(tmp_path):
    low = _finding(_mp3(tmp_path / "low.mp3", 96), "google", "bitrate")
    assert not low["passed"] and low["value"] == "96 kbps" and "128 kbps or more" in low["message"]
    assert _finding(_mp3(tmp_path / "floor.mp3", 128), "google", "bitrate")["passed"]
    # the floor is the preset's per channel layout: stereo at 192 kbps is under Google's 256
    stereo = _finding(_mp3(tmp_path / "stereo.mp3", 192, channels=2), "google", "bitrate")
    assert not stereo["passed"] and stereo["limit"] == ">= 256 kbps (stereo)"
    # and a store that takes only some file types says so
    ogg = tmp_path / "book.ogg"
    import soundfile as sf

    sf.write(str(ogg), np.random.default_rng(1).standard_normal(44100 * 3) * 0.05, 44100, format="OGG",
             subtype="VORBIS")
    found = _finding(ogg, "findaway", "format")
    assert not found["passed"] and found["limit"] == "MP3, FLAC"
    # lossless files: Google's floor is a sample rate
    flac = tmp_path / "low.flac"
    sf.write(str(flac), np.random.default_rng(1).standard_normal(22050 * 3) * 0.05, 22050, subtype="PCM_16")
    found = _finding(flac, "google", "sample_rate")
    assert not found["passed"] and found["value"] == "22050 Hz" and found["limit"] == ">= 44100 Hz"


def test_a_build_refuses_output_a_store_does_not_take_before_any_work(short_book, tmp_path):
    rec = _with(short_book, tmp_path, bitrate_kbps=96)
    code, said, err = _invoke(["build", str(rec), "--out", str(tmp_path / "out"), "--preset", "google"])
    assert code == 2 and "manifest.yaml: output.bitrate_kbps is 96: GOOGLE takes mono MP3 at 128 kbps" in err
    assert "Traceback" not in err and not (tmp_path / "out" / "plan.yaml").exists()


def test_apple_fails_a_chapter_split_across_files_and_builds_it_whole(tmp_path):
    """With ACX's file length at 30 s, a 41 s chapter of two sections is built as two files;
    `check --preset apple` fails that build, and Apple's plan of it, at the same length, leaves
    the chapter whole."""
    _write_book(tmp_path / "rec", read_book([[9, 9], [5]], seed=22, chapter_pause_s=(1.6, 2.0)))
    _credit(tmp_path / "rec")
    out = tmp_path / "parts"
    code, said, err = _invoke(["build", str(tmp_path / "rec"), "--out", str(out), "--preset", "acx,max_minutes=0.5",
                               "--no-align", "--no-m4b", "-j", "1"])
    assert code == 0, err
    assert [t["chapter"] for t in json.loads((out / "report.json").read_text())["tracks"]] == \
        ["chapter-01", "chapter-01", "chapter-02"]
    code, said, err = _invoke(["check", str(out), "--preset", "apple", "--no-listen", "--json"])
    failed = [f for f in json.loads(said)["findings"] if not f["passed"]]
    assert code == 1 and [f["check"] for f in failed] == ["chapters_whole"], failed
    assert "chapter-01 is in 2 files" in failed[0]["message"]
    from audiobook.build import build

    plan = build(tmp_path / "rec", tmp_path / "whole", preset="apple,max_minutes=0.5", plan_only=True, align=False,
                 jobs=1).plan
    assert [t.chapter for t in plan.tracks] == ["chapter-01", "chapter-02"]


def test_credits_are_read_from_the_manifest_and_missing_ones_named():
    book = BookInfo(title="The Revolution Betrayed", subtitle="Where is it going?", author="Leon Trotsky",
                    narrator="Jonathan Booth")
    assert credits_script(book, closing=False) == ("The Revolution Betrayed: Where is it going? Written by Leon "
                                                   "Trotsky. Narrated by Jonathan Booth.")
    assert credits_script(book, closing=True).startswith("You have been listening to The Revolution Betrayed")
    assert credits_script(book, closing=True).endswith("The End.")
    chapters = [ChapterEntry(id="c1", title="One")]
    assert missing_credits(Manifest(book=book, chapters=chapters)) == ["opening", "closing"]
    opening = ChapterEntry(id="opening-credits", kind="opening-credits")
    closing = ChapterEntry(id="closing-credits", kind="credits")  # credits after the first part close the book
    assert missing_credits(Manifest(book=book, chapters=[opening] + chapters)) == ["closing"]
    assert missing_credits(Manifest(book=book, chapters=[opening] + chapters + [closing])) == []


def test_credits_are_listened_for_as_the_narrator_reads_them(tmp_path):
    from audiobook.plan.hearing import openings

    book = BookInfo(title="Moby Dick", author="Herman Melville", narrator="Stewart Wills")
    chapters = [ChapterEntry(id="opening-credits", kind="opening-credits"), ChapterEntry(id="c1", title="Loomings"),
                ChapterEntry(id="closing-credits", kind="closing-credits")]
    ops = openings(chapters, Manifest(book=book, chapters=chapters), tmp_path)
    assert ops[0][0].phrases["heading"][:4] == ["moby", "dick", "written", "by"]
    assert ops[2][0].phrases["heading"][:4] == ["you", "have", "been", "listening"]


def test_store_rules_are_data_not_code():
    """No module names a store: what differs between them is in data/presets.yaml."""
    stores = [n for n in presets() if n not in ("acx", "podcast", "ebu-r128")]
    assert stores
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in stores:
            assert not re.search(rf"[\"']{name}[\"']", text), (path, name)
    for name in stores:
        assert presets()[name].source.startswith("https://")  # each cites where the store says so


def test_the_stores_page_lists_every_preset_and_its_source():
    page = (PACKAGE.parent / "docs" / "stores.md").read_text(encoding="utf-8")
    rows = [line for line in page.splitlines() if line.startswith("| ") and "(`" in line]
    for name, preset in presets().items():
        (row,) = [r for r in rows if f"(`{name}`)" in r]
        assert not preset.source or preset.source in row, name
