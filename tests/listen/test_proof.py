"""`audiobook proof`: slips planted in a flite narration are found where they are, and a clean one passes."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
import soundfile as sf
from click.testing import CliRunner

from audiobook.cli import cli, main
from audiobook.files import clock
from audiobook.manifest.write import init_manifest
from audiobook.proof import proof
from tests.listen.book import CHAPTERS, markdown
from tests.narrator import have_flite, read_book

pytestmark = pytest.mark.skipif(not have_flite(), reason="flite is not installed (apt-get install flite)")

PLANTED = {(0, 1): "omitted", (1, 2): "repeated", (2, 1): "flub", (2, 4): "extra", (3, 3): "flub"}
KINDS = {"omitted": "omitted", "repeated": "repeated", "flub": "flub", "extra": "extra speech"}


def _narrate(tmp_path, slips=None, voice="rms"):
    rec = tmp_path / "rec"
    rec.mkdir()
    (rec / "book.md").write_text(markdown(), encoding="utf-8")
    truth = read_book(CHAPTERS, rec, voice=voice, sessions=2, slips=slips, seed=7)
    init_manifest(rec, rec / "book.md", author="A. Writer")
    offsets = [0.0]
    for p in truth.sessions:
        offsets.append(offsets[-1] + sf.info(str(p)).duration)
    return rec, truth, offsets


def test_planted_slips_are_found_where_they_happened(tmp_path):
    rec, truth, offsets = _narrate(tmp_path, PLANTED)
    result = proof(rec, tmp_path / "out", jobs=1)
    found = result.slips
    planted = [(kind, offsets[s] + at) for kind, s, at in truth.slips]
    assert len(planted) == 5
    hits = [any(f.kind == KINDS[kind] and abs(f.timeline_s - at) <= 2.0 for f in found) for kind, at in planted]
    assert sum(hits) >= 4, (planted, [(f.kind, f.timeline_s, f.text) for f in found])
    false = [f for f in found if not any(abs(f.timeline_s - at) <= 2.0 for _, at in planted)]
    assert len(false) <= 1, [(f.kind, f.timeline_s, f.text) for f in false]
    omitted = next(f for f in found if f.kind == "omitted")
    assert "proletariat however having seized the power" in omitted.text  # the paragraph skipped
    assert omitted.source.startswith("session-01.wav ") and omitted.track_at.startswith("track 01 ")
    written = json.loads((tmp_path / "out" / "proof.json").read_text())
    slips = [s for c in written["chapters"] for s in c["slips"]]
    assert len(slips) == len(found)
    for s in slips:  # the times as numbers, beside the readable strings, and saying the same
        n = [p.name for p in truth.sessions].index(s["file"])
        assert s["source"] == f"{s['file']} {clock(s['start_s'])}"
        assert abs(offsets[n] + s["start_s"] - s["timeline_s"]) <= 0.01
        assert 0 <= s["start_s"] < s["end_s"] <= s["start_s"] + 60
        if s["track"] is not None:
            assert s["track_at"] == f"track {s['track']:02d} {clock(s['track_start_s'])}"
            assert 0 <= s["track_start_s"] <= s["timeline_s"]
    first = next(s for s in slips if s["kind"] == "omitted")
    assert first["file"] == "session-01.wav" and first["track"] == 1


def test_a_clean_reading_passes_and_the_cli_says_so(tmp_path):
    rec, _, _ = _narrate(tmp_path, voice="slt")
    runner = CliRunner()
    res = runner.invoke(cli, ["proof", str(rec), "--out", str(tmp_path / "out"), "-j", "1"])
    assert res.exit_code == 0, res.output
    assert "nothing found" in res.output
    assert res.output.count("% heard") == 4
    res = runner.invoke(cli, ["proof", str(rec), "--out", str(tmp_path / "out"), "-j", "1", "--json"])
    data = json.loads(res.output)
    assert all(c["heard_share"] >= 0.5 and c["matches_text"] for c in data["chapters"])


def test_proof_without_the_books_text_says_what_to_do(tmp_path):
    rec, _, _ = _narrate(tmp_path, voice="slt")
    manifest = rec / "manifest.yaml"
    manifest.write_text(manifest.read_text().replace("text: book.md", "text: null"))
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exit_:
        main(["proof", str(rec), "--out", str(tmp_path / "out")])
    assert exit_.value.code == 2 and "proof needs the book's text" in err.getvalue()
    assert "Traceback" not in err.getvalue()


def test_a_chapter_read_from_another_text_is_said_to_not_match_not_listed_as_omissions(tmp_path):
    rec, _, _ = _narrate(tmp_path, voice="slt")
    book = (rec / "book.md").read_text(encoding="utf-8")
    for i, p in enumerate(p for p in CHAPTERS[2].paragraphs + [q for _, ps in CHAPTERS[2].sections for q in ps]):
        book = book.replace(p, f"Pelagic seabirds follow the trawlers for offal on calm grey mornings, number {i}. "
                               "The gulls wheel and cry above the nets while the crew sorts the catch on deck.")
    (rec / "book.md").write_text(book, encoding="utf-8")
    result = proof(rec, tmp_path / "out", jobs=1)
    third = result.chapters[2]
    assert not third.matches_text and third.slips == []
    assert any(n.startswith("Chapter 3") and "does not match its text" in n for n in result.notes)
    assert all(c.matches_text for n, c in enumerate(result.chapters) if n != 2)


def test_the_time_a_passage_takes_is_counted_in_its_sounds_not_its_words():
    """A number is one word of text and many to say: counted as words, the speech it takes
    would look like speech not in the text (the false "extra speech" of a book's figures)."""
    from audiobook.listen.listener import Listener
    from audiobook.proof.slips import _Reading

    with Listener() as listener:
        reading = _Reading([["the", "war"], ["in", "562000"], ["of", "the", "revolutionary", "bureaucracy"]],
                           listener, 10.0)
    assert reading.seconds(1, 2) > 3 * reading.seconds(0, 1)
    assert reading.seconds(2, 3) > reading.seconds(0, 1)
    assert reading.seconds(0, 3) == pytest.approx(10.0)
    assert reading.seconds(2, 1) == 0.0


@pytest.mark.parametrize("voice", ["awb", "rms", "slt", "kal"])
def test_a_sentence_broken_off_before_it_is_read_is_a_flub_where_a_stray_remark_is_not(tmp_path, voice):
    """Speech before a sentence, parted from it by a pause, that is the sentence's start broken off
    ("The policy of Bolshevism on—"): a flub, found by fitting the words' start to it against any
    sounds at all (the spotter misses short words on some voices: awb's 'the policy of' was not
    heard, and the flub went unreported). A remark of other words there is not one, nor an aside,
    nor the sentence before read twice."""
    import numpy as np

    from audiobook.listen.audio import Recordings
    from audiobook.listen.listener import Listener
    from audiobook.plan.timeline import Gap
    from audiobook.proof.slips import _said_first
    from tests.narrator import RATE, say

    words = "the policy of bolshevism on the national question having ensured the victory".split()
    for name, before in (("flub", "The policy of Bolshevism on—"), ("remark", "Sorry, where was I."),
                         ("aside", "Sorry, hold on, I lost my place there. Take two."),
                         ("again", "Facts win out, however, in the end.")):
        pieces = [np.zeros(RATE, np.float32), say(before, voice), np.zeros(int(0.8 * RATE), np.float32)]
        said_at = len(pieces[0]) / RATE
        said_end = said_at + len(pieces[1]) / RATE
        sentence = say("The policy of Bolshevism on the national question, having ensured the victory.", voice)
        pieces += [sentence, np.zeros(RATE // 2, np.float32)]
        audio = np.concatenate(pieces)
        path = tmp_path / f"{name}.wav"
        sf.write(str(path), audio, RATE)
        timeline = type("Pauses", (), {"gaps": [Gap(0.0, said_at), Gap(said_end, said_end + 0.8)]})()
        recordings = Recordings([str(path)], [0.0, len(audio) / RATE])
        with Listener() as listener:
            rate = sum(listener.phones(w) for w in words) / (len(sentence) / RATE)  # the voice's pace: sounds a second
            found = _said_first(listener, recordings, timeline, 0.0, said_end + 0.8, words[:6],
                                lambda ws, listener=listener, rate=rate: sum(listener.phones(w) for w in ws) / rate)
        recordings.close()
        if name == "flub":
            assert found is not None and abs(found - said_at) < 0.1, found
        else:
            assert found is None, found


def test_a_voice_the_recogniser_follows_poorly_is_not_called_the_wrong_recording(tmp_path):
    """flite kal: the right text, but only 6-29 % of its phrases heard in every chapter. Proof cannot
    tell its slips, and says so — not that the audio is another edition's text (it said that of all
    four chapters, and of all 13 of a whole book)."""
    rec, _, _ = _narrate(tmp_path, voice="kal")
    result = proof(rec, tmp_path / "out", jobs=1)
    poorly = [c for c in result.chapters if not c.matches_text]
    assert poorly, [c.heard_share for c in result.chapters]
    assert not any("does not match its text" in n for n in result.notes), result.notes
    assert sum("follows this voice too poorly" in n for n in result.notes) == len(poorly)
