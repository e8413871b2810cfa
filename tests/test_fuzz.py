"""The parsers `check` and `init` use, fed real files mutated (scripts/fuzz.py, seeded): each run
ends in a verdict or an input error naming the file — never a traceback, never a hang."""

from __future__ import annotations

import shutil

import pytest

from scripts import fuzz

# A sample of the full run (README: 10,000 a format): the M4B's decoding by ffmpeg costs 0.3 s a file
SAMPLE = {"m4b": 60, "pdf": 100, "mp3": 150, "wav": 150, "opus": 150, "ogg": 150, "flac": 150, "epub": 150,
          "docx": 150, "html": 150, "md": 150, "txt": 150}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    formats = tuple(f for f in fuzz.FORMATS if f != "m4b" or shutil.which("ffmpeg"))
    return fuzz.make_corpus(tmp_path_factory.mktemp("real"), seed=3, formats=formats)


def test_the_real_files_are_read_as_they_are(corpus):
    """Unmutated, every one gives a verdict: the mutations start from files the parsers read."""
    for paths in corpus.values():
        for p in paths:
            kind, detail, where = fuzz.classify(p, fuzz.LIMIT_S)
            assert kind == "verdict", (p.name, kind, detail)
    assert {"mp3", "flac", "ogg", "opus", "wav", "epub", "docx", "pdf"} <= set(corpus)


def test_mutated_files_end_in_a_verdict_or_an_error_naming_them(corpus, tmp_path):
    counts = fuzz.run(corpus, SAMPLE, seed=11, jobs=2, keep=tmp_path / "kept")
    bad = {fmt: {k: n for k, n in c.items() if k.startswith(fuzz.BAD)} for fmt, c in counts.items()}
    kept = sorted(p.read_text()[:600] for p in (tmp_path / "kept").glob("*.txt")) if (tmp_path / "kept").is_dir() else []
    assert not any(bad.values()), (bad, kept[:5])
    for fmt, c in counts.items():
        assert c["verdict"] + c["input error"] == SAMPLE[fmt], (fmt, c)
        assert c["input error"] > 0, (fmt, c)  # the mutations reach what they damage


def test_a_traceback_and_a_hang_are_counted_as_such(tmp_path, monkeypatch):
    path = tmp_path / "x.txt"
    path.write_text("Chapter 1\n\nText.\n")
    monkeypatch.setattr(fuzz, "run_parser", lambda p: [][1])
    assert fuzz.classify(path, 5)[0] == "traceback"

    def forever(p):
        while True:
            pass

    monkeypatch.setattr(fuzz, "run_parser", forever)
    assert fuzz.classify(path, 0.2)[0] == "hang"
    from audiobook.errors import InputError

    def unnamed(p):
        raise InputError("something is wrong")

    monkeypatch.setattr(fuzz, "run_parser", unnamed)
    assert fuzz.classify(path, 5)[0] == "unnamed error"


@pytest.mark.parametrize("fmt,index,said", [
    ("opus", 4121, "though its header says 0:04.0"),  # libsndfile's decoder went round
    ("opus", 8157, "though its header says 0:04.0"),
    ("ogg", 7077, "decodes on past the 0:03.0 its header says"),  # soundfile: negative frames left
])
def test_what_the_full_run_found_is_answered(tmp_path, fmt, index, said):
    """Cases of `scripts/fuzz.py --per-format 10000` (seed 1), made again: a hang and a traceback."""
    corpus = fuzz.make_corpus(tmp_path / "real", seed=1, formats=(fmt,))
    name, data = fuzz.mutation(corpus, fmt, index, seed=1)
    path = tmp_path / f"case.{fmt}"
    path.write_bytes(data)
    kind, detail, where = fuzz.classify(path, fuzz.LIMIT_S)
    assert kind == "input error" and said in detail and "case." in detail, (name, kind, detail, where)
