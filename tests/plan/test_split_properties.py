"""Property tests of the split: whatever the book and the pauses, the plan keeps its invariants."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audiobook.analysis import Pause
from audiobook.errors import InputError
from audiobook.manifest.model import ChapterEntry, SectionEntry
from audiobook.plan import Timeline, make_plan

SECTION = st.tuples(st.floats(3.0, 60.0), st.floats(0.3, 3.0), st.floats(0.5, 1.6))  # speech, pause after, pace jitter
CHAPTER = st.tuples(st.lists(SECTION, min_size=1, max_size=4), st.floats(0.5, 7.0))  # sections, pause before
BOOK = st.tuples(st.lists(CHAPTER, min_size=1, max_size=7), st.integers(1, 4), st.floats(0.0, 1.0))


def _recorded(book):
    """Sessions (duration and pauses, as the analysis reports them) and the manifest's chapters."""
    chapters_spec, sessions, cut_at = book
    events: list[tuple[float, float]] = []  # (speech seconds, pause seconds after it)
    chapters = []
    for c, (sections, before) in enumerate(chapters_spec):
        if events:
            events[-1] = (events[-1][0], before)
        entries = []
        for s, (speech, after, jitter) in enumerate(sections):
            while speech > 0:  # sentences of up to 4 s, 0.4 s apart
                events.append((min(speech, 4.0), 0.4))
                speech -= 4.0
            events[-1] = (events[-1][0], after)
            entries.append(SectionEntry(title=f"Section {s + 1}", words=max(1, int(sum(x[0] for x in sections[s:s + 1])
                                                                                   * 2.5 * jitter))))
        chapters.append(ChapterEntry(id=f"chapter-{c + 1:02d}", title=f"Title {c + 1}", number=c + 1,
                                     words=sum(e.words for e in entries), sections=entries))
    t, pauses = 1.0, [(0.0, 1.0)]
    for speech, pause in events:
        t += speech
        pauses.append((t, t + pause))
        t += pause
    total = t
    cuts = sorted({round(total * (cut_at + k) / sessions, 1) % total for k in range(1, sessions)})
    bounds = [0.0] + [c for c in cuts if 0 < c < total] + [total]
    analyses = []
    for a, b in zip(bounds, bounds[1:]):
        inside = [Pause(max(p, a) - a, min(q, b) - a, -60.0, 40.0) for p, q in pauses if q > a and p < b]
        analyses.append(SimpleNamespace(duration_s=b - a, pauses=[p for p in inside if p.end_s > p.start_s]))
    return analyses, chapters


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BOOK)
def test_the_plan_is_ordered_inside_the_recordings_and_nothing_is_empty(book):
    analyses, chapters = _recorded(book)
    timeline = Timeline(analyses)
    try:
        plan = make_plan(chapters, timeline, [f"take-{n}.wav" for n in range(len(analyses))])
    except InputError:
        return  # recordings that cannot carry the manifest are refused, with a message; nothing else is raised
    assert [t.number for t in plan.tracks] == list(range(1, len(chapters) + 1))
    ends = [0.0]
    for track in plan.tracks:
        assert 0.0 <= track.start_s < track.end_s <= timeline.duration_s + 1e-6
        assert track.start_s >= ends[-1] - 1e-6  # boundaries ordered, tracks never overlap
        ends.append(track.end_s)
        assert track.spans and all(s.end_s > s.start_s for s in track.spans)
        assert sum(s.end_s - s.start_s for s in track.spans) > 0
        markers = [m.start_s for m in track.markers]
        assert markers[0] == 0.0 and markers == sorted(markers)
        sections = chapters[track.number - 1].sections  # a marker each, after the chapter's own at 0 ...
        assert len(track.markers) == 1 + len(sections) or (  # ... or, with too few pauses, the plan says so
            len(track.markers) == 1 and any(track.title in n and "section" in n for n in plan.notes))
        assert all(0.0 <= m < track.duration_s for m in markers)
        assert all(track.start_s <= m.timeline_s < track.end_s for m in track.markers[1:])
