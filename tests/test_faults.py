"""Bad input, faults and the narrator's originals: every case provoked, its message and exit
status checked, and nothing lost or half-written."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

import feedparser
import mutagen
import numpy as np
import pytest
import soundfile as sf

from audiobook.analysis.peaks import CLIP_LEVEL
from audiobook.build import build
from audiobook.errors import InputError
from audiobook.render import encode
from tests.children import ctrl_c_heard
from tests.signals import png, read_book
from tests.test_build import _write_book
from tests.test_cli_init import _invoke

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "recordings"


def _hashes(*places: Path) -> dict[str, str]:
    files = [p for place in places for p in ([place] if place.is_file() else sorted(place.rglob("*")))]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}


def _visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.part")) + sorted(p.name for p in folder.glob(".m4b-*"))


# -- the narrator's originals ------------------------------------------------------------------

def test_init_build_check_publish_only_read_the_originals(tmp_path):
    rec = tmp_path / "rec"
    shutil.copytree(DEMO, rec)
    (rec / "manifest.yaml").unlink()
    cover = tmp_path / "cover.png"
    cover.write_bytes(png(1400, 1400))
    sources = [rec / "session-01.flac", rec / "session-02.flac", rec / "book", cover]
    before = _hashes(*sources)

    code, _, err = _invoke(["init", str(rec), "--book", str(rec / "book" / "opening.txt"),
                            "--blurb", str(rec / "book" / "blurb.txt"), "--cover", str(cover)])
    assert code == 0, err
    assert {k: v for k, v in _hashes(*sources).items() if k in before} == before
    everything = _hashes(rec, cover)  # from here on, the manifest too is the producer's

    out, site = tmp_path / "build", tmp_path / "site"
    for args in (["build", str(rec), "--out", str(out), "--base-url", "https://example.org/rb"],
                 ["check", str(out)], ["publish", str(out), "--to", str(site)]):
        code, _, err = _invoke(args)
        assert code == 0, (args, err)
        assert _hashes(rec, cover) == everything, args[0]
    assert len(list(site.glob("*.mp3"))) == 3


def test_an_out_folder_equal_to_the_recordings_is_refused(tmp_path):
    rec = tmp_path / "rec"
    shutil.copytree(DEMO, rec)
    before = _hashes(rec)
    code, _, err = _invoke(["build", str(rec), "--out", str(rec)])
    assert code == 2 and "may not be the recordings folder" in err
    assert _hashes(rec) == before


# -- killed builds, and resuming --------------------------------------------------------------

@pytest.fixture(scope="module")
def long_book(tmp_path_factory):
    """Eight chapters, long enough that a build is still rendering when it is stopped."""
    rng = np.random.default_rng(21)
    book = read_book([list(rng.uniform(16, 24, size=2)) for _ in range(8)], fs=16000, seed=21, breaks_after=(3,))
    rec = tmp_path_factory.mktemp("long") / "rec"
    _write_book(rec, book)
    return rec


def _start_build(rec: Path, out: Path, jobs: int, m4b: bool = False) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "audiobook", "build", str(rec), "--out", str(out), "-j", str(jobs),
                             "--m4b" if m4b else "--no-m4b"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True, preexec_fn=ctrl_c_heard)


def _tracks_done(out: Path) -> int:
    try:
        return len(json.loads((out / ".cache" / "index.json").read_text())["tracks"])
    except (OSError, ValueError, KeyError):
        return 0


def _assert_complete(out: Path) -> None:
    """Every visible track decodes to its end and carries its tags: it was finished before it appeared."""
    for mp3 in out.glob("[0-9]* - *.mp3"):
        tags = mutagen.File(mp3)
        assert tags is not None and "TIT2" in tags.tags and tags.tags.getall("CHAP"), mp3.name
        frames = sum(len(b) for b in sf.blocks(str(mp3), blocksize=1 << 16))
        end = max(c.end_time for c in tags.tags.getall("CHAP")) / 1000  # the length the encoder gave the tagger
        assert frames / 44100 == pytest.approx(end, abs=0.4), mp3.name  # (the decoder adds LAME's padding)
    # the report and the feed never name a file that is not there
    if (out / "report.json").exists():
        report = json.loads((out / "report.json").read_text())
        named = [t["file"] for t in report["tracks"]] + [report[k] for k in ("m4b", "retail_sample") if report[k]]
        assert all(Path(f).is_file() for f in named)
    if (out / "feed.xml").exists():
        for entry in feedparser.parse((out / "feed.xml").read_bytes()).entries:
            assert all((out / unquote(e.href.rsplit("/", 1)[-1])).is_file() for e in entry.enclosures)


def _named_tracks(out: Path) -> list[str]:
    if not (out / "report.json").exists():
        return []
    return [Path(t["file"]).name for t in json.loads((out / "report.json").read_text())["tracks"]]


def _mtimes(out: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in out.rglob("*")}


CTRL_C = "Ctrl-C"  # SIGINT to the whole process group, as a terminal sends it: workers and ffmpeg too


@pytest.mark.parametrize("sig,jobs", [(signal.SIGINT, 2), (CTRL_C, 2), (signal.SIGTERM, 2), (signal.SIGKILL, 1)])
def test_a_build_stopped_mid_render_leaves_complete_files_and_resumes(long_book, tmp_path, sig, jobs):
    out = tmp_path / "out"
    with_m4b = sig == CTRL_C and shutil.which("ffmpeg") is not None
    proc = _start_build(long_book, out, jobs, m4b=with_m4b)
    deadline = time.monotonic() + 120
    while _tracks_done(out) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the build ended before it could be stopped: make the test book longer"
    if sig == CTRL_C:
        os.killpg(proc.pid, signal.SIGINT)
        sig = signal.SIGINT
    else:
        proc.send_signal(sig)
    stopped_at = time.monotonic()
    _, err = proc.communicate(timeout=30)
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert time.monotonic() - stopped_at < 10  # promptly, workers included
        assert proc.returncode == 128 + sig, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and ("interrupted" in lines[0] or "stopped" in lines[0]), err
        assert _leftovers(out) == []
        before = _mtimes(out)
        time.sleep(1.0)
        assert _mtimes(out) == before  # no worker (or ffmpeg) still writing
    finished = _tracks_done(out)
    assert 1 <= finished < 8
    assert not (out / "feed.xml").exists() and not (out / "report.json").exists()
    _assert_complete(out)

    result = build(long_book, out, jobs=1, m4b=with_m4b)  # resume
    assert result.reused >= finished
    assert len(_named_tracks(out)) == 8 and _leftovers(out) == []
    _assert_complete(out)


def test_a_second_build_into_the_same_folder_is_refused(long_book, tmp_path):
    out = tmp_path / "out"
    proc = _start_build(long_book, out, 1)
    try:
        deadline = time.monotonic() + 60
        while not (out / ".cache" / "lock").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        with pytest.raises(InputError, match="another build is writing here"):
            build(long_book, out, jobs=1, m4b=False)
    finally:
        proc.kill()
        proc.communicate()


# -- bad recordings -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_book():
    return read_book([[8, 6], [10], [7, 6]], fs=16000, seed=3, breaks_after=(0,))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _silence(path: Path) -> None:
    sf.write(str(path), np.zeros(16000 * 20, np.float32), 16000, subtype="PCM_24")


def _room_tone(path: Path) -> None:
    rng = np.random.default_rng(1)
    sf.write(str(path), rng.standard_normal(16000 * 20) * 10 ** (-64 / 20), 16000, subtype="PCM_24")


@pytest.mark.parametrize("spoil,message", [
    (lambda p: p.write_bytes(b""), "the file is empty"),
    (lambda p: p.write_bytes(b"not audio at all " * 200), "not an audio file we can read"),
    (_truncate, "truncated"),
    (_silence, "silent — digital silence throughout"),
    (_room_tone, "silent — no speech above its room tone"),
])
def test_an_unusable_recording_stops_the_build_naming_it(tmp_path, small_book, spoil, message):
    rec = tmp_path / "rec"
    _write_book(rec, small_book)
    spoil(rec / "take-2.wav")
    code, _, err = _invoke(["build", str(rec), "--out", str(tmp_path / "out"), "-j", "1"])
    assert code == 2
    assert "take-2.wav" in err and message in err and "Traceback" not in err
    assert _visible(tmp_path / "out") == []  # nothing written that could be taken for a build


@pytest.mark.parametrize("words,message", [
    (lambda n: "9" + n, "far too short for the text"),  # 40 words become 940 ...
    (lambda n: "0", "far too long for the text"),  # ... or none but the headings'
])
def test_recordings_far_too_short_or_long_for_the_text(tmp_path, small_book, words, message):
    rec = tmp_path / "rec"
    _write_book(rec, small_book)
    text = re.sub(r"words: (\d+)", lambda m: "words: " + words(m[1]), (rec / "manifest.yaml").read_text())
    (rec / "manifest.yaml").write_text(text)
    code, _, err = _invoke(["build", str(rec), "--out", str(tmp_path / "out"), "-j", "1"])
    assert code == 2 and message in err and ("--chapters" in err or "every chapter" in err)
    assert _visible(tmp_path / "out") == []


def test_mixed_formats_are_handled_with_a_note_and_clipping_is_warned(tmp_path, small_book):
    rec = tmp_path / "rec"
    _write_book(rec, small_book)
    x, fs = sf.read(str(rec / "take-2.wav"))
    loud = np.clip(x * 12, -1, 1)  # a session recorded far too hot: clipped
    sf.write(str(rec / "take-2.wav"), np.stack([loud, loud * 0.9], axis=1), fs, subtype="PCM_16")
    clipped = int(np.count_nonzero(np.abs(sf.read(str(rec / "take-2.wav"))[0]) >= CLIP_LEVEL))
    code, out, err = _invoke(["build", str(rec), "--out", str(tmp_path / "out"), "-j", "1", "--no-m4b"])
    assert code == 0, err
    assert "different channel counts (1, 2): all mixed to mono" in err
    assert "different sample formats (PCM_16, PCM_24)" in err
    assert clipped > 1000 and f"warning: take-2.wav: {clipped} clipped samples — ACX rejects" in err
    assert len(list((tmp_path / "out").glob("[0-9]* - *.mp3"))) == 3


# -- bad manifests, covers, titles --------------------------------------------------------------

def test_manifest_errors_name_their_line_and_nothing_is_written(tmp_path):
    rec = tmp_path / "rec"
    shutil.copytree(DEMO, rec)
    text = (rec / "manifest.yaml").read_text()
    (rec / "manifest.yaml").write_text(text.replace("  author:", "  autor:", 1))
    line = 1 + text[: text.index("  author:")].count("\n")
    code, _, err = _invoke(["build", str(rec), "--out", str(tmp_path / "out")])
    assert code == 2 and f"manifest.yaml:{line}: book.autor: unknown key 'autor' — did you mean 'author'?" in err
    assert not (tmp_path / "out").exists()


def test_a_book_without_an_author_is_refused_before_anything_is_written(tmp_path, small_book):
    """Every track is tagged with the author and `check` fails a file without one: the build says
    so up front instead of writing tracks its own check then fails (--plan-only still plans)."""
    rec = tmp_path / "rec"
    _write_book(rec, small_book, author=None)
    code, _, err = _invoke(["build", str(rec), "--out", str(tmp_path / "out")])
    assert code == 2 and "manifest.yaml: book.author empty" in err and "fill it in" in err, err
    assert not (tmp_path / "out").exists()
    code, _, err = _invoke(["build", str(rec), "--out", str(tmp_path / "plan"), "--plan-only"])
    assert code == 0 and (tmp_path / "plan" / "plan.yaml").is_file(), err


@pytest.mark.parametrize("cover,message", [
    (None, "no such file"),
    (b"\xff\xd8\xff\xe0 this is no JPEG", "not a JPEG or PNG image"),
    (png(1400, 1400)[:60], "cut short or damaged"),  # the header, then nothing
])
def test_a_missing_or_broken_cover_stops_the_build_before_anything_is_written(tmp_path, small_book, cover, message):
    rec = tmp_path / "rec"
    _write_book(rec, small_book)
    if cover is not None:
        (rec / "cover.jpg").write_bytes(cover)
    text = (rec / "manifest.yaml").read_text()
    (rec / "manifest.yaml").write_text(text.replace("cover: null", "cover: cover.jpg"))
    code, _, err = _invoke(["build", str(rec), "--out", str(tmp_path / "out")])
    assert code == 2 and "cover.jpg" in err and message in err, err
    assert not (tmp_path / "out").exists()


def test_paths_in_the_manifest_stay_inside_the_recordings_folder(tmp_path, small_book):
    rec = tmp_path / "rec"
    _write_book(rec, small_book)
    text = (rec / "manifest.yaml").read_text()
    (rec / "manifest.yaml").write_text(text.replace("cover: null", "cover: ../../../etc/passwd"))
    code, _, err = _invoke(["build", str(rec), "--out", str(tmp_path / "out")])
    assert code == 2 and "is outside the recordings folder" in err


SPECIAL = '<b>Tom & "Jerry"</b>; rm -rf / $(whoami) `id` \\ ✓ 日本語 — café'


def test_titles_with_xml_shell_and_unicode_specials_or_500_characters(tmp_path, small_book):
    rec = tmp_path / "rec"
    _write_book(rec, small_book)
    long_title = ("Ü" + "ber die lange Überschrift " * 20)[:500]
    text = (rec / "manifest.yaml").read_text()
    text = text.replace("title: Title 1", "title: " + json.dumps(SPECIAL, ensure_ascii=False))
    text = text.replace("title: Title 2", "title: " + json.dumps(long_title, ensure_ascii=False))
    (rec / "manifest.yaml").write_text(text, encoding="utf-8")
    result = build(rec, tmp_path / "out", jobs=1, m4b=False)
    files = sorted((tmp_path / "out").glob("[0-9]* - *.mp3"))
    assert len(files) == 3
    for f in (tmp_path / "out").iterdir():
        assert len(f.name.encode()) <= 200 and not set(f.name) & set('/\\:*?"<>|$`')
    titles = [mutagen.File(f).tags["TIT2"].text[0] for f in files]
    assert titles == [f"Chapter 1: {SPECIAL}", f"Chapter 2: {long_title}", "Chapter 3: Title 3"]
    feed = feedparser.parse((tmp_path / "out" / "feed.xml").read_bytes())
    assert not feed.bozo and [e.title for e in feed.entries] == titles
    assert result.plan.tracks[0].title == titles[0]


# -- writing fails --------------------------------------------------------------------------------

class _FillingDisk:
    """A file that takes `room` bytes, then fails as a full disk does."""

    def __init__(self, f, room: int):
        self._f, self._room = f, room

    def write(self, data):
        self._room -= len(data)
        if self._room < 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._f.write(data)

    def __getattr__(self, name):
        return getattr(self._f, name)


def test_disk_full_while_writing_loses_nothing(tmp_path, monkeypatch, demo_build):
    rec, out = tmp_path / "rec", tmp_path / "out"
    shutil.copytree(DEMO, rec)
    shutil.copytree(demo_build, out)  # the last good build: the session's of the same recordings (its cache holds)
    before = _hashes(out)
    text = (rec / "manifest.yaml").read_text()
    (rec / "manifest.yaml").write_text(text.replace("title: What Has Been Achieved", "title: Achievements"))
    real_open = encode.Encoder._open_temp

    def on_a_filling_disk(self):
        tmp, f = real_open(self)
        return tmp, _FillingDisk(f, 100_000)

    monkeypatch.setattr(encode.Encoder, "_open_temp", on_a_filling_disk)
    code, _, err = _invoke(["build", str(rec), "--out", str(out), "-j", "1", "--no-m4b"])
    assert code == 2 and "the disk is full" in err and "02 - Chapter 1 - Achievements.mp3" in err, err
    assert _leftovers(out) == []
    after = _hashes(out)
    def kept(hashes):  # the last good build, as it was (the new plan.yaml is complete, and the producer's to read)
        return {k: v for k, v in hashes.items() if "/.cache/" not in k and not k.endswith("plan.yaml")}

    assert kept(after) == kept(before)
    monkeypatch.undo()
    result = build(rec, out, jobs=1, m4b=False)  # space again: it finishes, the unchanged tracks kept
    assert result.reused == 2 and "02 - Chapter 1 - Achievements.mp3" in _visible(out)


def test_a_read_only_out_folder(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    if os.geteuid() != 0:
        out.chmod(0o555)
    else:  # root writes anywhere: make the folder refuse as a read-only one does
        real_mkdir = Path.mkdir

        def refuse(self, *args, **kwargs):
            if out in self.parents or self == out:
                raise PermissionError(errno.EROFS, "Read-only file system", str(self))
            return real_mkdir(self, *args, **kwargs)

        monkeypatch.setattr(Path, "mkdir", refuse)
    try:
        code, _, err = _invoke(["build", str(DEMO), "--out", str(out)])
    finally:
        out.chmod(0o755)
    assert code == 2 and str(out) in err and "cannot write here" in err and "Traceback" not in err
    assert _visible(out) == []


def _group(pgid: int) -> list[int]:
    """The processes still alive in process group `pgid` (from /proc: no procps needed)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_no_worker_outlives_a_killed_build(long_book, tmp_path):
    """kill -9 of the build, twenty times at moments from analysis to rendering: its forkserver and
    workers end with it (a rebuild would otherwise race them for the same track names)."""
    rng = np.random.default_rng(5)
    left = []
    for n in range(20):
        out = tmp_path / f"out-{n}"
        proc = _start_build(long_book, out, 2)
        deadline = time.monotonic() + 60
        while len(_group(proc.pid)) < 4 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # the build, its forkserver and its two workers
        time.sleep(float(rng.uniform(0.0, 1.5)))
        proc.kill()
        proc.communicate()
        gone_by = time.monotonic() + 5
        while _group(proc.pid) and time.monotonic() < gone_by:
            time.sleep(0.05)
        if _group(proc.pid):
            left.append((n, _group(proc.pid)))
            os.killpg(proc.pid, signal.SIGKILL)
    assert left == []
