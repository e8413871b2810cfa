"""Following a chapter's text through the demo's narration: every sentence read is timed where it is
said, a sentence the narrator did not read is left out, and headings land where they are spoken."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audiobook.listen.audio import Recordings
from audiobook.listen.listener import Listener
from audiobook.manifest import load_manifest
from audiobook.transcript import Line, chapter_lines
from audiobook.transcript.chapter import time_chapter

DEMO = Path(__file__).resolve().parents[2] / "recordings"
NOT_READ = Line("Nobody in the whole of the country had ever imagined such a remarkable sight before.")


@pytest.fixture(scope="module")
def chapter_one(demo_built):
    manifest, folder = load_manifest(DEMO)
    timeline = demo_built.timeline
    track = demo_built.plan.tracks[1]
    lines = chapter_lines([c for c in manifest.chapters if c.id == track.chapter], manifest, folder)[0]
    recordings = Recordings([str(folder / n) for n in demo_built.plan.files], [float(x) for x in timeline.offsets])
    listener = Listener("en")
    yield listener, recordings, timeline, track, lines
    recordings.close()
    listener.close()


@pytest.mark.parametrize("at", [None, 2, 4, 7])
def test_every_sentence_read_is_timed_and_one_not_read_is_left_out(chapter_one, at):
    listener, recordings, timeline, track, lines = chapter_one
    text = list(lines)
    if at is not None:
        text.insert(at, NOT_READ)
    cues = time_chapter(listener, recordings, timeline, text, track.start_s, track.end_s)
    assert [c.text for c in cues] == [x.text for x in lines]
    assert all(a.end_s <= b.start_s and a.start_s < a.end_s for a, b in zip(cues, cues[1:]))
    # headings where the narrator starts them (demo-timings.json: the truth of the demo's reading)
    marks = json.loads((DEMO / "demo-timings.json").read_text())["marks"]
    spoken = [m["timeline_s"] for m in marks if track.start_s <= m["timeline_s"] < track.end_s]
    headings = [c.start_s for c, x in zip(cues, lines) if x.heading]
    assert len(headings) == len(spoken) == 4
    assert max(abs(a - b) for a, b in zip(headings, spoken)) < 0.25


def test_a_word_never_reaches_over_a_pause_the_level_measured():
    """A sentence's first word stretched back over the pause before it begins where the pause ends;
    a word that mostly ends before a pause ends where it starts; words clear of pauses are kept."""
    from audiobook.listen.follow import Placed, _outside_pauses
    from audiobook.plan.timeline import Gap

    gaps = [Gap(10.0, 11.0), Gap(20.0, 20.6)]
    placed = [Placed(0, 9.5, 9.9), Placed(1, 10.4, 11.3), Placed(2, 19.7, 20.65), Placed(3, 9.0, 12.0)]
    assert _outside_pauses(placed, gaps) == [Placed(0, 9.5, 9.9), Placed(1, 11.0, 11.3), Placed(2, 19.7, 20.0),
                                             Placed(3, 11.0, 12.0)]
