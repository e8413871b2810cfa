"""Chapters over the preset's length (ACX: 120 minutes) split into parts at section breaks."""

from __future__ import annotations

import pytest

from audiobook.plan import Timeline, make_plan, split_long_tracks
from tests.plan.test_planner import _analyse, _chapters
from tests.signals import read_book


@pytest.fixture(scope="module")
def book_plan(tmp_path_factory):
    """Chapter 2 runs 2:49 in four sections; chapters 1 and 3 under a minute."""
    book = read_book([[28], [22, 30, 18, 26], [30]], seed=5, breaks_after=(1.5,))
    analyses, names = _analyse(tmp_path_factory.mktemp("parts"), book)
    timeline = Timeline(analyses)
    return book, timeline, (lambda: make_plan(_chapters(book), timeline, names))


def test_a_long_chapter_becomes_parts_cut_at_section_breaks(book_plan):
    book, timeline, plan_of = book_plan
    whole = plan_of()
    long = whole.tracks[1]
    assert 150 < long.duration_s < 180
    plan = split_long_tracks(plan_of(), timeline, max_minutes=2.0)
    ids = [t.id for t in plan.tracks]
    assert ids == ["chapter-01", "chapter-02-part-1", "chapter-02-part-2", "chapter-03"]
    assert [t.number for t in plan.tracks] == [1, 2, 3, 4]
    a, b = plan.tracks[1:3]
    assert a.chapter == b.chapter == "chapter-02" and a.title.endswith("(part 1 of 2)")
    assert a.duration_s <= 120 and b.duration_s <= 120
    # the cut is at the break before section 3, the one nearest the middle; part 2 starts on its first word
    assert abs(b.speech_start_s - book.section_starts[1][2]) <= 1.5
    assert 0.5 <= b.speech_start_s - b.start_s + b.pad_head_s <= 1.0  # room tone at its head, as ACX asks
    # every section marker is kept, each in its part, after the part's own first marker at 0
    assert [m.title for m in a.markers] == [a.title, "Section 2.1", "Section 2.2"]
    assert [m.title for m in b.markers] == [b.title, "Section 2.3", "Section 2.4"]
    assert all(0 <= m.start_s < p.duration_s for p in (a, b) for m in p.markers)
    assert b.markers[1].start_s < 1.5  # section 3 opens part 2
    assert a.words + b.words == pytest.approx(long.words, abs=1)
    assert any("split into 2 parts" in n for n in plan.notes)
    # the parts hold the chapter's audio, no more, no less
    assert abs(a.end_s - b.start_s) < 2.0 and a.start_s == long.start_s and b.end_s == long.end_s


def test_three_parts_when_two_would_still_be_too_long(book_plan):
    """At 75 s, the section breaks alone cannot make three parts short enough: a long pause serves."""
    _, timeline, plan_of = book_plan
    plan = split_long_tracks(plan_of(), timeline, max_minutes=1.25)
    parts = [t for t in plan.tracks if t.chapter == "chapter-02"]
    assert len(parts) == 3 and all(p.duration_s <= 75 for p in parts)
    assert [t.number for t in plan.tracks] == list(range(1, 6))
    assert [m.title for p in parts for m in p.markers[1:]] == [f"Section 2.{i}" for i in range(1, 5)]


def test_no_split_under_the_limit_or_without_one(book_plan):
    _, timeline, plan_of = book_plan
    for limit in (None, 3.0):
        plan = split_long_tracks(plan_of(), timeline, limit)
        assert [t.id for t in plan.tracks] == ["chapter-01", "chapter-02", "chapter-03"]
