"""WebVTT as written, read back by a real parser (webvtt-py)."""

from __future__ import annotations

import io

import webvtt

from audiobook.transcript import Cue, to_webvtt
from audiobook.transcript.webvtt import timestamp


def test_timestamps_carry_hours_and_thousandths():
    assert timestamp(0) == "00:00:00.000"
    assert timestamp(3725.4567) == "01:02:05.457"


def test_a_parser_reads_every_cue_with_its_times_and_the_books_punctuation():
    cues = [Cue(0.74, 3.82, "Chapter 1: What Has Been Achieved"),
            Cue(5.0, 16.7, 'The "terrorist" trial <of Moscow> & its --> pages—all of it.'),
            Cue(3700.0, 3702.5, "Late.")]
    parsed = webvtt.from_buffer(io.StringIO(to_webvtt(cues)))
    assert [(c.start_in_seconds, c.end_in_seconds) for c in parsed.captions] == [(0, 3), (5, 16), (3700, 3702)]
    assert [c.start for c in parsed.captions] == ["00:00:00.740", "00:00:05.000", "01:01:40.000"]
    assert parsed.captions[0].text == "Chapter 1: What Has Been Achieved"
    raw = parsed.captions[1].raw_text
    assert "-->" not in raw and "&lt;of Moscow&gt; &amp; its" in raw and '"terrorist"' in raw


def test_read_back_as_written():
    from audiobook.transcript import read_webvtt

    cues = [Cue(0.74, 3.82, "Chapter 1: What Has Been Achieved"), Cue(5.0, 16.7, "A <b> & c -> d."),
            Cue(3700.0, 3702.5, "Late.")]
    assert read_webvtt(to_webvtt(cues)) == cues
