"""Lines timed from their words: left-out text has no cue, unplaced text spans its neighbours, and
times land in the track's own time."""

from __future__ import annotations

from audiobook.listen.follow import Following, Placed
from audiobook.plan import Span, TrackPlan
from audiobook.transcript import Line, time_lines
from audiobook.transcript.cues import in_track


def _lines():
    lines = [Line("Chapter 1: Title", heading=True), Line("One two three."), Line("Four five."), Line("Six."),
             Line("Seven eight.")]
    words_of = [range(0, 3), range(3, 6), range(6, 8), range(8, 9), range(9, 11)]
    return lines, words_of


def test_a_line_left_out_has_no_cue_and_one_not_placed_spans_its_neighbours():
    lines, words_of = _lines()
    placed = [Placed(0, 1.0, 1.3), Placed(1, 1.3, 1.5), Placed(2, 1.5, 2.0),  # the heading
              Placed(9, 9.0, 9.4), Placed(10, 9.4, 10.0)]  # "Seven eight."
    left_out = {3, 4, 5}  # "One two three." passed over; "Four five." and "Six." not placed
    cues = time_lines(lines, words_of, Following(placed, left_out))
    assert [(c.start_s, c.end_s, c.text) for c in cues] == [
        (1.0, 2.0, "Chapter 1: Title"), (2.0, 9.0, "Four five. Six."), (9.0, 10.0, "Seven eight.")]


def test_cue_times_never_go_back():
    lines, words_of = _lines()
    placed = [Placed(0, 1.0, 2.0), Placed(3, 1.8, 2.5), Placed(6, 2.6, 3.0), Placed(8, 3.1, 3.2), Placed(9, 3.3, 3.6)]
    cues = time_lines(lines, words_of, Following(placed, set()))
    assert all(a.end_s <= b.start_s for a, b in zip(cues, cues[1:]))
    assert cues[1].start_s == 2.0  # held back to where the heading ends


def test_times_in_the_track_count_its_head_room_tone_and_skip_the_cut_at_a_session_join():
    class Offsets:  # the timeline's file offsets are all in_track needs
        offsets = [0.0, 100.0]

    # timeline 10..60 in file 0, then the cut, then file 1 from 2 s (timeline 102) to 30 s
    track = TrackPlan("c1", "Chapter 1", 1, 100, 10.0, 130.0, spans=[Span(0, 10.0, 60.0), Span(1, 2.0, 30.0)],
                      pad_head_s=0.5)
    cues = time_lines(*_lines()[:2], Following([Placed(0, 11.0, 12.0), Placed(3, 101.0, 103.0),
                                                Placed(6, 104.0, 105.0)], set()))
    got = in_track(cues, track, Offsets())
    assert [(c.start_s, c.end_s) for c in got] == [(1.5, 2.5), (50.5, 51.5), (52.5, 53.5)]
