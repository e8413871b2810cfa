"""Listening to a real narrator (LibriVox): phrases spotted where they are said, words timed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr

from audiobook.analysis import analyze_file
from audiobook.listen.listener import SAMPLE_RATE, Listener
from audiobook.listen.speakable import spoken_words

CLIP = Path(__file__).parent.parent / "data" / "real-narration" / "udhr-preamble-en-40s.mp3"
OPENINGS = {  # the UN's text of what the clip holds
    "heading": "Preamble",
    "first": "Whereas recognition of the inherent dignity and of the equal and inalienable rights",
    "second": "Whereas disregard and contempt for human rights have resulted in barbarous acts",
    "third": "Whereas it is essential, if man is not to be compelled to have recourse",
}


@pytest.fixture(scope="module")
def clip():
    x, rate = sf.read(str(CLIP), dtype="float32")
    return soxr.resample(x, rate, SAMPLE_RATE)


@pytest.fixture(scope="module")
def speech_starts():
    """Where the narrator starts speaking after each pause of 0.4 s or more: our pause map, not the recogniser."""
    a = analyze_file(CLIP)
    return [p.end_s for p in a.pauses if p.end_s - p.start_s >= 0.4 and p.end_s < a.duration_s - 1]


def test_each_opening_is_heard_where_the_narrator_says_it(clip, speech_starts):
    with Listener() as listener:
        hits = listener.spot(clip, {k: spoken_words(v)[:7] for k, v in OPENINGS.items() if k != "heading"})
    found = {h.key: h.start_s for h in hits}
    assert sorted(found) == ["first", "second", "third"]  # each once, nothing else
    assert len(hits) == 3
    for key, start in found.items():
        nearest = min(speech_starts, key=lambda t: abs(t - start))
        assert abs(nearest - start) < 0.3, (key, start, nearest)
    assert found["first"] < found["second"] < found["third"]


def test_a_phrase_not_said_is_not_heard(clip):
    with Listener() as listener:
        hits = listener.spot(clip, {"other": spoken_words("the proletariat having seized the power at the head")})
    assert hits == []


def test_words_of_the_heading_are_timed(clip, speech_starts):
    with Listener() as listener:
        words = listener.align(clip[: int(2.4 * SAMPLE_RATE)], ["preamble"])
    assert [w.word for w in words] == ["preamble"]
    assert abs(words[0].start_s - speech_starts[0]) < 0.15
    assert words[0].end_s < 2.4 and np.isfinite(words[0].end_s)


def test_words_said_fit_about_as_well_as_any_sounds_and_other_words_do_not(clip):
    """`fit` measured against `free` (a phone loop on the same stretch): each opening's words come
    close to it where they are said; another book's words forced onto the same speech fall well below."""
    from audiobook.listen.boundary import LEAD_FLOOR

    other = spoken_words("the proletariat having seized the power at the head of the state, the party")
    with Listener() as listener:
        for key in ("first", "second", "third"):
            words = spoken_words(OPENINGS[key])
            hit = next(h for h in listener.spot(clip, {key: words[:7]}))
            stretch = clip[int((hit.start_s - 0.15) * SAMPLE_RATE): int((hit.end_s + 0.15) * SAMPLE_RATE)]
            at_least = 0.5 * (hit.end_s - hit.start_s)
            free = listener.free(stretch)
            said = listener.fit(stretch, words[:7], at_least, after=words[7:])
            forced = listener.fit(stretch, other[:7], at_least, after=other[7:])
            assert free is not None and said is not None, key
            assert said - free >= LEAD_FLOOR, (key, said, free)
            assert forced is None or forced - free < LEAD_FLOOR, (key, forced, free)
