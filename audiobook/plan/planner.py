"""Plan the tracks: where every chapter and section starts in the recordings, with no timestamps typed.

Chapters first, over the whole timeline; then each chapter's sections, one level down.
Pinned times from the manifest win; the automatic plan fills in around them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from audiobook.book.model import title_is_label
from audiobook.errors import InputError
from audiobook.manifest.credits import is_credits  # noqa: F401 (where the planner's users find it)
from audiobook.manifest.model import ChapterEntry, parse_time
from audiobook.plan.anchor import HEADING_PAUSE_S, SECONDS_PER_WORD, Anchor, Anchors
from audiobook.plan.split import choose
from audiobook.plan.timeline import Gap, Timeline
from audiobook.presets import DEFAULT_PRESET, RoomTone, presets
from audiobook.tags.metadata import Chapter, ending

MARKER_LEAD_S = 0.3  # a section marker sits this far before the section's first word
JOIN_TAIL_S = 1.0  # where a chapter crosses from one session to the next, room tone kept from each side
JOIN_HEAD_S = 0.75
CHAPTER_MIN_PAUSE_S = 0.8
CHAPTER_LONG_PAUSE_S = 4.0  # a chapter break in a pause this long costs nothing
SECTION_MIN_PAUSE_S = 0.5
SECTION_LONG_PAUSE_S = 2.5
HEADING_BREAK_S = HEADING_PAUSE_S  # the pauses around a heading read aloud are this long at least
HEADING_WORD_S = SECONDS_PER_WORD * 0.7  # a heading's words take about this long each (anchor's heading-long stretch)
WPM_RANGE = (70, 380)  # words a minute of speech time (pauses left out) outside this: the recordings do not carry
# the text. Real readers reach 260-292 (LibriSpeech readers, short readings, docs/voices.md); a book missing half its
# sessions reads at twice its narrator's pace


@dataclass
class Marker:
    title: str
    start_s: float  # seconds into the track
    timeline_s: float
    pause_s: float = 0.0  # the pause it sits in
    deviation_s: float = 0.0
    confidence: float = 1.0
    pinned: bool = False
    speech_start_s: float = 0.0  # timeline: where the first word after it begins
    placed_by: str = "pause+words"  # or "aligned" (its heading heard there), "pinned", "start"
    heard: list = field(default_factory=list)  # the heading's words as heard: WordTime, timeline seconds
    how: str = ""  # what was heard, when aligned: "heading and text", ...


@dataclass
class Span:
    file: int  # index into the plan's files
    start_s: float  # seconds into that file
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass
class TrackPlan:
    id: str
    title: str  # as the track's title tag: "Chapter 1: What Has Been Achieved"
    number: int  # position among the tracks built, from 1
    words: int
    start_s: float  # timeline
    end_s: float
    spoken_words: int = 0  # what the narrator reads: the text and its headings
    spans: list[Span] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)  # its own first (the opening), then its sections'
    speech_start_s: float = 0.0  # timeline: its first word
    speech_end_s: float = 0.0  # timeline: the end of its last word
    pad_head_s: float = 0.0  # room tone to add before the first span, and after the last
    pad_tail_s: float = 0.0
    room_tone: Span | None = None  # where to take it from: a pause inside the chapter
    chapter: str = ""  # the manifest chapter's id: the track's own, or shared by the parts of a long one

    def __post_init__(self) -> None:
        self.chapter = self.chapter or self.id

    @property
    def opening(self) -> Marker:
        """The track's own marker, at 0: where and how its start was placed (the one record of it)."""
        return self.markers[0] if self.markers else Marker(self.title, 0.0, self.start_s,
                                                           speech_start_s=self.speech_start_s)

    @property
    def placed_by(self) -> str:
        return self.opening.placed_by

    @property
    def confidence(self) -> float:
        return self.opening.confidence

    @property
    def pinned(self) -> bool:
        return self.opening.pinned

    @property
    def pause_s(self) -> float:
        return self.opening.pause_s

    @property
    def deviation_s(self) -> float:
        return self.opening.deviation_s

    @property
    def heard(self) -> list:
        return self.opening.heard

    @property
    def how(self) -> str:
        return self.opening.how

    def chapter_marks(self, end_s: float | None = None) -> list[Chapter]:
        """The track's markers as its tags, feed and report carry them — the one conversion from the
        plan's markers: its own heading at 0, then its sections; each ending where the next begins and
        the last at `end_s`, where the track's length is known."""
        marks = [Chapter(m.title, m.start_s) for m in self.markers]
        return marks if end_s is None else ending(marks, end_s)

    @property
    def duration_s(self) -> float:
        return sum(s.duration_s for s in self.spans) + self.pad_head_s + self.pad_tail_s


@dataclass
class Plan:
    files: list[str]
    tracks: list[TrackPlan]
    pace_wpm: float
    speech_s: float
    duration_s: float
    notes: list[str] = field(default_factory=list)


CREDITS_WORDS = 25  # what opening or closing credits take to read, when the manifest gives no count


def chapter_label(ch: ChapterEntry) -> str | None:
    """What goes before the chapter's title: "Chapter 5", "Introduction"; None for credits and for a
    title that is the book's own label ("Sonnet II", "3.2 Biographical background")."""
    if is_credits(ch) or title_is_label(ch.kind, ch.number, ch.title):
        return None
    return ch.kind.capitalize() + (f" {ch.number}" if ch.number is not None else "")


def chapter_title(ch: ChapterEntry) -> str:
    """The track's title: "Chapter 5: The Soviet Thermidor", "Introduction: The Purpose ...", or
    the book's own label as printed: "Sonnet II", "Letter 4: To Mrs Saville"."""
    if is_credits(ch):
        return ch.title or ch.kind.replace("-", " ").title()
    label = chapter_label(ch)
    if label is None:
        return ch.title
    if not ch.title or ch.title.lower() == label.lower():
        return label
    return f"{label}: {ch.title}"


def spoken_title(ch: ChapterEntry) -> str:
    """The track's title as the narrator reads it: a label's numeral said as a number ("Sonnet II" is
    read "Sonnet two", listened for as "Sonnet 2"), as a chapter's number always was."""
    title = chapter_title(ch)
    if ch.number is not None and chapter_label(ch) is None and not is_credits(ch):
        title = re.sub(rf"^({re.escape(ch.kind)})\s+[IVXLC]+\b", rf"\g<1> {ch.number}", title, flags=re.IGNORECASE)
    return title


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def spoken_counts(chapters: list[ChapterEntry]) -> tuple[list[int], list[int]]:
    """Each chapter's words as read (text, headings) and its heading's words."""
    heading = [_words(chapter_title(c)) + 1 for c in chapters]  # "Chapter One. Title."
    words = [(c.words or (CREDITS_WORDS if is_credits(c) else 0)) + h + sum(_words(s.title) + 1 for s in c.sections)
             for c, h in zip(chapters, heading)]
    return words, heading


def section_lead_words(ch: ChapterEntry, heading_words: int) -> list[int | None]:
    """Words read from the chapter's start to each section's start, headings included
    (None for a section whose heading the text lost: its words are not known apart)."""
    done = max(ch.words - sum(s.words for s in ch.sections), 0) + heading_words
    before: list[int | None] = []
    for s in ch.sections:
        if s.heading_lost:  # its words are counted in the section before: its place is unknown
            before.append(None)
            continue
        before.append(done)
        done += s.words + _words(s.title) + 1
    return before


def make_plan(chapters: list[ChapterEntry], timeline: Timeline, files: list[str], anchors: Anchors | None = None,
              room: RoomTone | None = None) -> Plan:
    """Place `chapters` (in order) on `timeline`; raise InputError when the recordings cannot carry them.
    `anchors`: where headings were heard (plan.anchor); a boundary pinned in the manifest keeps its pin.
    `room`: the room tone each track keeps at its ends (the preset's; default ACX's)."""
    room = room or default_room_tone()
    words, heading = spoken_counts(chapters)
    total_words = sum(words)
    if timeline.speech_s <= 0:
        raise InputError("the recordings hold no speech — are these the right files?")
    wpm = total_words / timeline.speech_s * 60
    minutes = timeline.speech_s / 60
    if not WPM_RANGE[0] <= wpm <= WPM_RANGE[1]:
        how = "short" if wpm > WPM_RANGE[1] else "long"
        raise InputError(
            f"the recordings are far too {how} for the text: {minutes:.1f} min of speech for {total_words:,} words "
            f"would be {wpm:.0f} words a minute (narration runs {WPM_RANGE[0]}–{WPM_RANGE[1]}). "
            + ("Are all the sessions here? To build the chapters recorded so far, pass --chapters (e.g. 1-3)."
               if how == "short" else "Does the manifest list every chapter read in them?"))
    pace = total_words / timeline.speech_s
    expected = [w / pace for w in words]

    gaps = [g for g in timeline.gaps if g.length_s >= CHAPTER_MIN_PAUSE_S
            and g.start_s > 0 and g.end_s < timeline.duration_s]
    pins = _chapter_pins(chapters, timeline, files)
    heard = in_order({k - 1: a for k, a in (anchors.chapters.items() if anchors else []) if k - 1 not in pins}, pins)
    gaps, forced = _with_pins(gaps, pins, {k: _pause_before(timeline, a.speech_s) for k, a in heard.items()})
    speech_at = np.array([timeline.speech_between(0, g.start_s) for g in gaps])
    lengths = np.array([g.length_s if not g.file_change else max(g.length_s, CHAPTER_LONG_PAUSE_S) for g in gaps])
    try:
        bounds = choose(expected, speech_at, lengths, timeline.speech_s, CHAPTER_LONG_PAUSE_S, forced=forced)
    except ValueError as exc:
        raise InputError(f"the recordings cannot carry the manifest's {len(chapters)} chapters: {exc}. "
                         "Record the missing chapters, or build the ones there are with --chapters.") from None

    plan = Plan(files=files, tracks=[], pace_wpm=round(wpm, 1), speech_s=timeline.speech_s,
                duration_s=timeline.duration_s)
    plan_notes = plan.notes
    first, last = timeline.gaps[0] if timeline.gaps else None, timeline.gaps[-1] if timeline.gaps else None
    starts = [max(0.0, first.end_s - room.head_s) if first and first.start_s <= 0 else 0.0]
    words_at = [first.end_s if first and first.start_s <= 0 else 0.0]
    ends, last_words = [], []
    for n, b in enumerate(bounds):
        g = gaps[b.gap]
        if n not in forced:
            g = before_heading(timeline, g, heading[n + 1], words_at[-1])
        end, start = cut_in_pause(g.start_s, g.end_s, room)
        ends.append(end)
        last_words.append(g.start_s)
        starts.append(start)
        words_at.append(g.end_s)
    ends.append(min(timeline.duration_s, last.start_s + room.tail_s) if last and last.end_s >= timeline.duration_s
                else timeline.duration_s)
    last_words.append(last.start_s if last and last.end_s >= timeline.duration_s else timeline.duration_s)

    for n, ch in enumerate(chapters):
        opening = Marker(chapter_title(ch), 0.0, starts[n], speech_start_s=words_at[n], placed_by="start")
        if n:
            b = bounds[n - 1]
            opening.pause_s, opening.deviation_s = round(gaps[b.gap].length_s, 2), round(b.deviation_s, 1)
            opening.confidence, opening.pinned = b.confidence, n - 1 in pins
            opening.placed_by = "pinned" if opening.pinned else "pause+words"
            if n - 1 in heard:
                a = heard[n - 1]
                opening.placed_by, opening.confidence, opening.heard, opening.how = "aligned", a.confidence, a.heard, a.how
        t = TrackPlan(id=ch.id, title=opening.title, number=n + 1, words=ch.words, start_s=starts[n], end_s=ends[n],
                      speech_start_s=words_at[n], speech_end_s=last_words[n], spoken_words=words[n], markers=[opening])
        t.spans = track_spans(timeline, t.start_s, t.end_s)
        found = fit_pads(t, timeline, room)
        if not found:
            plan_notes.append(f"{t.title}: too little room tone at its ends, and no pause of 0.5 s or more in the "
                              "recordings to take the narrator's room tone from: record some (ACX asks for room tone "
                              "at both ends of every file)")
        elif t.room_tone is not None and not t.start_s < timeline.offsets[t.room_tone.file] + t.room_tone.start_s \
                < t.end_s:
            plan_notes.append(f"{t.title}: too little room tone at its ends and no pause in it; the narrator's room "
                              f"tone taken from the longest pause in {files[t.room_tone.file]} "
                              f"({t.room_tone.start_s:.1f} s)")
        if ch.sections:
            found = {j: a for (k, j), a in (anchors.sections.items() if anchors else []) if k == n}
            sections = _section_markers(ch, heading[n], timeline, t, files, found)
            if not sections:
                plan_notes.append(f"{t.title}: too few pauses to place its {len(ch.sections)} section markers; "
                                  "pin them in the manifest (sections: start:)")
            t.markers += sections
        for m in t.markers[1:]:
            m.start_s = round(m.start_s + t.pad_head_s, 3)
        plan.tracks.append(t)
    low = [t.title for t in plan.tracks[1:] if t.confidence < 0.5 and not t.pinned]
    if low:
        plan.notes.append(f"{len(low)} chapter boundaries are uncertain (confidence under 0.5): review them in plan.yaml")
    return plan


def default_room_tone() -> RoomTone:
    """ACX's, the default preset's."""
    return presets()[DEFAULT_PRESET].room_tone


def cut_in_pause(pause_start_s: float, pause_end_s: float, room: RoomTone) -> tuple[float, float]:
    """Where a track ending in this pause ends, and the next one starts: up to `room.tail_s` of room
    tone after the last word, up to `room.head_s` (40 % of a short pause) before the next first word."""
    length = pause_end_s - pause_start_s
    head = min(room.head_s, length * 0.4)
    return pause_start_s + min(room.tail_s, length - head), pause_end_s - head


def fit_pads(t: TrackPlan, timeline: Timeline, room: RoomTone) -> bool:
    """The narrator's room tone to add where the track's ends hold less than the preset asks
    (`room.head_min_s` before its first word, `room.tail_min_s` after its last), taken from a
    pause in it; False when it needs some and has no pause to take it from (then it gets none)."""
    t.pad_head_s = round(max(0.0, room.head_min_s - (t.speech_start_s - t.start_s)), 3)
    t.pad_tail_s = round(max(0.0, room.tail_min_s - (t.end_s - t.speech_end_s)), 3)
    if t.pad_head_s or t.pad_tail_s:
        t.room_tone = t.room_tone or room_tone_in(timeline, t) or room_tone_in(timeline, None)
        if t.room_tone is None:
            t.pad_head_s = t.pad_tail_s = 0.0
            return False
    return True


def room_tone_in(timeline: Timeline, track: TrackPlan | None) -> Span | None:
    """The middle of the longest pause inside the track (up to 1.5 s): the narrator's own room
    tone; `track` None: of the longest pause anywhere in the recordings."""
    inside = [g for g in timeline.gaps if (track is None or track.start_s < g.start_s and g.end_s < track.end_s)
              and not g.file_change and g.length_s >= 0.5 and g.start_s > 0 and g.end_s < timeline.duration_s]
    if not inside:
        return None
    g = max(inside, key=lambda g: g.length_s)
    length = min(1.5, g.length_s - 0.2)
    mid = (g.start_s + g.end_s) / 2
    (f, a, b), *_ = timeline.spans(mid - length / 2, mid + length / 2)
    return Span(f, a, b)


def in_order(heard: dict[int, Anchor], pins: dict[int, float]) -> dict[int, Anchor]:
    """The boundaries heard (boundary -> where), less those that contradict the order of the book: two
    parts heard opening at one place, or a later part before an earlier one (a part whose text the
    narrator left out, its heading read straight after the one before: the next part's text heard,
    and moved back over both headings). The surer of two that contradict each other is kept, and
    every pin; the others are placed by pauses and word counts between them."""
    kept: dict[int, float] = dict(pins)
    for k, a in sorted(heard.items(), key=lambda item: (-item[1].confidence, item[0])):
        if all(t < a.speech_s - 0.05 for j, t in kept.items() if j < k) and \
                all(t > a.speech_s + 0.05 for j, t in kept.items() if j > k):
            kept[k] = a.speech_s
    return {k: a for k, a in heard.items() if k in kept and k not in pins}


def _with_pins(gaps: list[Gap], pins: dict[int, float], heard: dict[int, Gap] | None = None
               ) -> tuple[list[Gap], dict[int, int]]:
    """Add a candidate at each pinned time (or use the pause it falls in), and each pause a
    heading was heard after (`heard`: boundary -> that pause); boundary -> candidate."""
    heard = heard or {}
    gaps = [g for g in gaps if not any(h.start_s <= g.end_s and g.start_s <= h.end_s for h in heard.values())]
    gaps += list(heard.values())
    for t in pins.values():
        if not any(g.start_s <= t <= g.end_s for g in gaps):
            gaps.append(Gap(t - 0.01, t + 0.01))
    gaps.sort(key=lambda g: g.start_s)
    forced = {k: gaps.index(g) for k, g in heard.items()}
    for k, t in pins.items():
        forced[k] = next(i for i, g in enumerate(gaps) if g.start_s <= t <= g.end_s)
    return gaps, forced


def _pause_before(timeline: Timeline, speech_s: float) -> Gap:
    """The pause a heading heard at `speech_s` follows, ending where its first word begins
    (or where the pause map has speech resume, if sooner: a cut never falls after the first word)."""
    g = timeline.gap_ending_near(speech_s)
    if g is None:
        return Gap(speech_s - 0.02, speech_s)
    return Gap(g.start_s, min(g.end_s, speech_s), g.file_change)


def _resolve(value, timeline: Timeline, files: list[str], where: str) -> float:
    file, seconds = parse_time(value)
    if file is None:
        return seconds
    if file not in files:
        raise InputError(f"{where}: '{file}' is not one of the recordings ({', '.join(files)})")
    return float(timeline.offsets[files.index(file)]) + seconds


def _chapter_pins(chapters: list[ChapterEntry], timeline: Timeline, files: list[str]) -> dict[int, float]:
    """Boundary index k (between chapters k and k+1) -> pinned timeline time.

    A chapter's `start:` or the start of its first `files:` pins the boundary before it;
    its `end:` or the end of its last `files:` pins the one after it.
    """
    def file_index(ch: ChapterEntry, name: str) -> int:
        if name not in files:
            raise InputError(f"manifest.yaml: chapter {ch.id}: '{name}' is not one of the recordings")
        return files.index(name)

    pins: dict[int, float] = {}
    for k, ch in enumerate(chapters):
        where = f"manifest.yaml: chapter {ch.id}"
        if k > 0:
            if ch.start is not None:
                pins[k - 1] = _resolve(ch.start, timeline, files, f"{where}: start")
            elif ch.files:
                pins.setdefault(k - 1, float(timeline.offsets[file_index(ch, ch.files[0])]))
        if k < len(chapters) - 1:
            if ch.end is not None:
                pins[k] = _resolve(ch.end, timeline, files, f"{where}: end")
            elif ch.files:
                pins.setdefault(k, float(timeline.offsets[file_index(ch, ch.files[-1]) + 1]) - 0.05)
    return pins


def track_spans(timeline: Timeline, start: float, end: float) -> list[Span]:
    """File pieces for timeline [start, end], trimming the long room tone where sessions join."""
    pieces: list[tuple[float, float]] = [(start, end)]
    for g in timeline.gaps:
        if g.file_change and start < g.start_s and g.end_s < end and g.length_s > JOIN_TAIL_S + JOIN_HEAD_S:
            a, b = pieces.pop()
            pieces += [(a, g.start_s + JOIN_TAIL_S), (g.end_s - JOIN_HEAD_S, b)]
    spans = []
    for a, b in pieces:
        spans += [Span(f, s, e) for f, s, e in timeline.spans(a, b) if e - s > 1e-3]
    return spans


def track_time(track: TrackPlan, timeline: Timeline, t: float) -> float:
    """Seconds into the track of timeline time `t` (which must fall inside one of its spans)."""
    done = 0.0
    for s in track.spans:
        lo = float(timeline.offsets[s.file]) + s.start_s
        hi = lo + s.duration_s
        if lo - 1e-6 <= t <= hi + 1e-6:
            return done + (t - lo)
        done += s.duration_s
    return done


def _section_markers(ch: ChapterEntry, heading_words: int, timeline: Timeline, track: TrackPlan,
                     files: list[str], heard: dict[int, Anchor] | None = None) -> list[Marker]:
    """The chapter's section markers: by pauses and word counts, pinned, or where heard. A section
    whose heading the text lost (`heading_lost`) has no words to place it by: it gets a marker
    where its title is heard (or pinned), and none otherwise."""
    inside = [g for g in timeline.gaps if track.start_s + 0.5 < g.start_s and g.end_s < track.end_s - 0.5
              and g.length_s >= SECTION_MIN_PAUSE_S]
    pins = {}
    for j, s in enumerate(ch.sections):
        if s.start is not None:
            pins[j] = _resolve(s.start, timeline, files, f"manifest.yaml: chapter {ch.id}: section {s.title!r}")
    heard = in_order({j: a for j, a in (heard or {}).items() if j not in pins
                      and track.start_s + 0.5 < a.speech_s < track.end_s - 0.5}, pins)
    placed = [j for j, s in enumerate(ch.sections) if not s.heading_lost or j in pins]  # by the split
    lead = max(ch.words - sum(s.words for s in ch.sections), 0) + heading_words
    words = [lead] + [ch.sections[j].words + _words(ch.sections[j].title) + 1 for j in placed]
    speech = timeline.speech_between(track.start_s, track.end_s)
    pace = sum(words) / speech if speech > 0 else 1.0
    local = {j: n for n, j in enumerate(placed)}
    inside, forced = _with_pins(inside, {local[j]: t for j, t in pins.items()},
                                {local[j]: _pause_before(timeline, a.speech_s) for j, a in heard.items() if j in local})
    speech_at = np.array([timeline.speech_between(track.start_s, g.start_s) for g in inside])
    lengths = np.array([g.length_s for g in inside])
    try:
        bounds = choose([w / pace for w in words], speech_at, lengths, speech, SECTION_LONG_PAUSE_S, forced=forced)
    except ValueError:
        return []  # too few pauses: the track keeps its one marker, and the plan says so below
    markers = []
    floor = track.start_s + 0.5
    for j, b in zip(placed, bounds):
        g = inside[b.gap]
        if j not in pins and j not in heard:
            g = before_heading(timeline, g, _words(ch.sections[j].title), max(floor, markers[-1].timeline_s if markers
                                                                               else floor))
        markers.append(_marker(ch.sections[j].title, g, track, timeline, round(b.deviation_s, 1), b.confidence,
                               j in pins, heard.get(j)))
    for j, a in heard.items():
        if j not in local:  # a lost heading, heard
            markers.append(_marker(ch.sections[j].title, _pause_before(timeline, a.speech_s), track, timeline,
                                   0.0, a.confidence, False, a))
    return sorted(markers, key=lambda m: m.timeline_s)


def before_heading(timeline: Timeline, g: Gap, heading_words: int, after_s: float) -> Gap:
    """The pause a part placed by pauses and word counts opens in, where `g` is the one after its heading.

    A heading read aloud is a short stretch between two pauses of a second or more, the one before it
    (the break between parts) no shorter than the one after it (a breath before the text). The pause
    after it may be nearer the words' count, and the part cut there would leave its spoken title in
    the track before. Where the speech just before `g` is as long as the heading takes to say, set off
    by such a pause at least as long as `g`, the part opens in that earlier pause (after `after_s`) —
    unless the speech just after `g` is as much like the heading (as long as it takes to say, or
    nearer, then a pause no longer than `g`): then `g` may be the pause before the heading itself."""
    if heading_words <= 0 or g.length_s < HEADING_BREAK_S:
        return g
    said = heading_words * HEADING_WORD_S

    def off(run_s: float) -> float:
        """How far a stretch is from the heading's length (a factor, as a logarithm); inf outside 0.4-1.6 times."""
        return abs(math.log(run_s / said)) if 0.4 * said <= run_s <= 1.6 * said else math.inf

    # the longest such pause (a chapter's label and title may have a pause of a second between them, shorter
    # than the one before the heading)
    earlier = [q for q in timeline.gaps if q.length_s >= max(HEADING_BREAK_S, g.length_s) and q.start_s > after_s
               and g.start_s - q.end_s > 0 and off(g.start_s - q.end_s) < math.inf]
    if not earlier:
        return g
    q = max(earlier, key=lambda q: (q.length_s, q.end_s))
    later = next((r for r in timeline.gaps if r.start_s >= g.end_s + 0.1 and r.length_s >= HEADING_BREAK_S), None)
    if later is not None and later.length_s <= g.length_s and off(later.start_s - g.end_s) <= off(g.start_s - q.end_s):
        return g
    return q


def _marker(title: str, g: Gap, track: TrackPlan, timeline: Timeline, deviation_s: float, confidence: float,
            pinned: bool, heard: Anchor | None) -> Marker:
    """A section marker in pause `g`, MARKER_LEAD_S before the first word after it."""
    at = max(g.start_s, g.end_s - MARKER_LEAD_S)
    m = Marker(title, round(track_time(track, timeline, at), 3), at, round(g.length_s, 2), deviation_s, confidence,
               pinned, speech_start_s=g.end_s, placed_by="pinned" if pinned else "pause+words")
    if heard is not None:
        m.placed_by, m.confidence, m.heard, m.how = "aligned", heard.confidence, heard.heard, heard.how
    return m
