"""Anchor the cuts on what is said: find where each chapter's and section's heading is spoken.

The pause/word-count plan predicts each boundary only to the accuracy of the narrator's
pace (a few per cent: minutes, in a long chapter), and real narrators pause as long
mid-chapter as between chapters. So each boundary is searched for by listening: the
pauses within a window around its prediction are candidates, and the few seconds after
each are spotted for the heading's phrases and the text's first words. The boundaries
are found in order, each predicted from the last one found, so one miss does not drag
the next ones with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from audiobook.listen.audio import Recordings
from audiobook.listen.boundary import (
    HEADING_S,
    PACE_S,
    Pause,
    closing_end,
    rank_opening,
    rank_pauses,
    said_s,
    words_end,
)
from audiobook.listen.listener import Hit, Listener, WordTime
from audiobook.listen.openings import Opening
from audiobook.plan.timeline import Gap, Timeline

SNIPPET_S = 2.5  # listened to after each candidate pause, at least: a heading, or the text's first words
SECONDS_PER_LETTER = 0.08  # a phrase said slowly (150 words a minute), spaces counted
LEAD_IN_S = 0.3  # ... starting this far into the pause
CANDIDATE_PAUSE_S = 1.0  # pauses this long anywhere in the window are candidates ...
NEAR_S = 12.0  # ... shorter ones (down to NEAR_PAUSE_S) only this close to the prediction
NEAR_PAUSE_S = 0.3
CHAPTER_SPREAD = 0.08  # a chapter's reading time strays this far from its words' prediction ...
SECTION_SPREAD = 0.06
WINDOW_EXTRA_S = 20.0  # ... plus this
HEADING_GAP_S = 10.0  # a heading's first word is at most this long before its text's
SECONDS_PER_WORD = 0.6  # a heading read slowly
SCAN_CHUNK_S = 60.0
LOST_CONFIDENCE = 0.7  # a heading the text lost, heard: no text of its own after it to confirm it
WIDER = 3.0  # a boundary not heard in its window is looked for in one this many times as wide
GIVE_UP = 3  # chapter headings none of which is heard: listening stops there
SCAN_SHARE = 0.03
UNHEARD_SCAN_S = 60.0  # whole windows scanned before any boundary is heard, at most: a voice whose words are not
# spotted in a minute of scanning where headings should be is one the recogniser cannot follow (the scan's share of
# a book grew with it: 5 of the 6 s listening took on a 2-hour book it never heard)
LEAD_IN_MIN_S, LEAD_IN_MAX_S = 0.25, 1.5  # speech this long just before a heading heard: its unprinted start
HEADING_BREAK_S = 0.7
HEADING_PAUSE_S = 1.0  # a heading not recognised is taken only between pauses this long  # no pause this long inside a heading read aloud
NUMBER_ALONE_S = 0.9  # a stretch this short before the text, then a pause of a second: the number read alone ("Two.")
CONFIRM_LENIENCY = 20  # powers of ten: a heading's words in the short stretch where it should be
ENDING_REACH_S = 40.0  # the part before's last words looked for this far before an opening heard (an announcement
# "Section two of ... This is a LibriVox recording ..." lies between)
RANK_PAUSE_S = 0.5  # pauses this long in the window are ranked where nothing was spotted
RANK_CONFIDENCE = 0.6  # a boundary found by ranking pauses: for review before the ones heard by their words

HEADING_KEYS = ("heading", "title", "label", "part0", "part1")


@dataclass
class Anchor:
    """Where a boundary's opening was heard: `speech_s` is the timeline time of its first word."""

    speech_s: float
    confidence: float
    how: str  # "heading and text", "heading", "label", "text (heading not heard)", ...
    heard: list[WordTime] = field(default_factory=list)  # the heading's words, timeline seconds


@dataclass
class Anchors:
    chapters: dict[int, Anchor] = field(default_factory=dict)  # chapter index (from 1) -> its start
    sections: dict[tuple[int, int], Anchor] = field(default_factory=dict)  # (chapter, section) -> its start
    listened_s: float = 0.0  # seconds of audio listened to


@dataclass(frozen=True)
class _Event:
    start_s: float
    score: float
    how: str
    hit: Hit | None


_SCORES = {"heading and text": 3.0, "heading": 2.0, "title": 2.0, "label and text": 1.6,
           "text (heading not heard)": 1.0, "text, after a short heading": 1.2, "text, after a word alone": 1.1,
           "text, after a heading-long stretch": 1.05}
_CONFIDENCE = {3.0: 0.95, 2.0: 0.85, 1.6: 0.8, 1.2: 0.75, 1.1: 0.55, 1.05: 0.5, 1.0: 0.7}


class Finder:
    """Listens for openings in a timeline's recordings."""

    def __init__(self, listener: Listener, recordings: Recordings, timeline: Timeline, span_s: float | None = None):
        self.listener, self.recordings, self.timeline = listener, recordings, timeline
        self.listened_s = 0.0
        self.spotting = True  # False: a voice the recogniser spots nothing in — candidate pauses ranked only
        self.spotted = 0  # boundaries found by spotting their words
        self.pace_s = PACE_S  # the narrator's pace (listen.boundary.pace), where the book's words are counted
        # listening to whole windows is the costly fallback: at most this share of what is searched
        self.scan_left_s = SCAN_SHARE * (timeline.duration_s if span_s is None else span_s) + 60.0
        self.unheard_scan_left_s = UNHEARD_SCAN_S  # ... of which this much while nothing is spotted

    def _spot(self, start_s: float, end_s: float, opening: Opening, leniency: int = 0) -> list[Hit]:
        start_s, end_s = max(0.0, start_s), min(self.timeline.duration_s, end_s)
        if end_s - start_s < 0.3:
            return []
        audio = self.recordings.read(start_s, end_s)
        self.listened_s += end_s - start_s
        return [self._snap(Hit(h.key, h.start_s + start_s, h.end_s + start_s))
                for h in self.listener.spot(audio, opening.phrases, leniency)]

    def _snap(self, h: Hit) -> Hit:
        """A phrase heard as starting inside a pause starts where the pause ends (a word said unlike
        the dictionary can stretch the match back over the room tone before it)."""
        g = self.timeline.gap_at(h.start_s)
        if g is not None and g.length_s >= NEAR_PAUSE_S and g.end_s < h.end_s:
            return Hit(h.key, g.end_s, h.end_s)
        return h

    def find(self, opening: Opening, centre_s: float, window_s: float, also_s: float | None = None,
             anywhere: bool = False) -> Anchor | None:
        """Where the part that `opening` opens starts: its heading or first words spotted near the
        prediction, then moved back to the first sound after the part before's last words where
        something else is said between (a heading in the narrator's own words, an announcement).
        Nothing spotted: the candidate pauses ranked by how well the part before's last words fit
        the speech before each (a voice the recogniser follows badly)."""
        found = self._spotted(opening, centre_s, window_s, also_s, anywhere) if self.spotting else None
        if found is not None:
            self.spotted += 1
            return self._after_ending(found, opening)
        if anywhere:
            return None
        fits: dict = {}
        found = self._ranked(opening, centre_s, window_s, also_s, fits)
        if found is None:  # not told in the window: one WIDER times as wide (a passage left out, or read twice)
            found = self._ranked(opening, centre_s, window_s * WIDER, also_s, fits, wide=True)
        return found

    def _after_ending(self, found: Anchor, opening: Opening) -> Anchor:
        """`found` moved to the first sound after the part before's last words, where they are heard
        ending before it with something said between (a closing formula stays with its part)."""
        if not opening.ending:
            return found
        lo = found.speech_s - max(ENDING_REACH_S, opening.heading_words * SECONDS_PER_WORD + 10.0)
        self.listened_s += found.speech_s + 0.3 - max(0.0, lo)
        end = words_end(self.listener, self.recordings, opening.ending, lo, found.speech_s + 0.3)
        if end is None:
            return self._fitted_ending(found, opening)
        if end >= found.speech_s:
            return found
        closed = closing_end(self.listener, self.recordings, list(opening.closes), end, found.speech_s + 0.3)
        if closed is not None and closed < found.speech_s:
            end = closed
        after = [g for g in self.timeline.gaps if g.start_s >= end - 0.3 and g.end_s > end and g.length_s >= NEAR_PAUSE_S]
        if not after or after[0].end_s >= found.speech_s - 0.15:
            return found
        return Anchor(round(after[0].end_s, 3), found.confidence, f"{found.how}, after the part before's last words",
                      found.heard)

    def _fitted_ending(self, found: Anchor, opening: Opening) -> Anchor:
        """The part's text heard, its heading not, and the part before's last words not spotted (a
        voice the recogniser follows badly): the pauses within a heading's length before the text
        ranked by how well those last words fit the speech before each. Where one stands out and
        comes before the text's own pause, something was said between — the heading in the
        narrator's words — and the part opens there, not after it in the previous track."""
        if not found.how.startswith("text"):
            return found
        lo = found.speech_s - HEADING_S - 1.0
        pauses = [Pause(g.start_s, g.end_s) for g in self.timeline.gaps
                  if g.start_s > 0 and g.length_s >= NEAR_PAUSE_S and lo <= g.end_s <= found.speech_s + 0.05]
        if len(pauses) < 2:
            return found
        every = [Pause(g.start_s, g.end_s) for g in self.timeline.gaps if g.length_s >= NEAR_PAUSE_S
                 and lo - HEADING_S <= g.start_s <= found.speech_s + 1.0]
        ranked = rank_pauses(self.listener, self.recordings, pauses, opening.ending, (), (), every, self.pace_s)
        self.listened_s += len(pauses) * said_s(opening.ending)
        if not ranked or not ranked[0].heard or ranked[0].pause.end_s >= found.speech_s - 0.15:
            return found
        return Anchor(round(ranked[0].pause.end_s, 3), found.confidence,
                      f"{found.how}, after the part before's last words (fitted)", found.heard)

    def _ranked(self, opening: Opening, centre_s: float, window_s: float, also_s: float | None,
                fits: dict | None = None, wide: bool = False) -> Anchor | None:
        """The pause in the window that the part before's last words fit best before (and the
        heading or text's first words after, where there is no ending). `wide`: a window WIDER times
        as wide, where only pauses of CANDIDATE_PAUSE_S are taken beyond the narrow one's (a part's
        boundary is a pause of a second, as a rule: ranking every short one there would cost as much
        again for each time as wide)."""
        guesses = [centre_s] + ([also_s] if also_s is not None else [])
        lo, hi = centre_s - window_s, centre_s + window_s
        narrow = window_s / WIDER if wide else window_s
        pauses = [Pause(g.start_s, g.end_s) for g in self.timeline.gaps if g.start_s > 0 and (
            (abs(g.end_s - centre_s) <= narrow and g.length_s >= RANK_PAUSE_S)
            or (lo <= g.end_s <= hi and g.length_s >= CANDIDATE_PAUSE_S)
            or (g.length_s >= NEAR_PAUSE_S and any(abs(g.end_s - c) <= NEAR_S for c in guesses)))]
        if not pauses:
            return None
        heading, text = list(opening.phrases.get("title") or opening.heading), list(opening.phrases.get("text") or [])
        # the pauses around every candidate (one near a guess may lie outside the window): the walls its
        # stretches stop at, and the pause after its heading
        lo, hi = min(lo, pauses[0].start_s), max(hi, pauses[-1].end_s)
        every = [Pause(g.start_s, g.end_s) for g in self.timeline.gaps if g.length_s >= NEAR_PAUSE_S
                 and lo - 1.0 <= g.start_s <= hi + HEADING_GAP_S]
        ranked = rank_opening(self.listener, self.recordings, pauses, opening, every, self.pace_s, fits=fits)
        self.listened_s += len(pauses) * (said_s(opening.ending) + 2 * said_s(heading) + 2 * said_s(text))
        if not ranked or not ranked[0].heard:
            return None  # no pause stands out: not heard (a wrong text, a voice not followed at all)
        best = ranked[0]
        confidence = RANK_CONFIDENCE
        how = "the part before's last words heard before it" if opening.ending else "its opening words fitted"
        return Anchor(round(best.pause.end_s, 3), confidence, how)

    def _spotted(self, opening: Opening, centre_s: float, window_s: float, also_s: float | None = None,
                 anywhere: bool = False) -> Anchor | None:
        """The opening's start, searched within `window_s` of `centre_s` (and near `also_s`, a second guess).

        `anywhere`: no prediction (a heading the text lost, with no text of its own to follow it):
        the longest pauses in the window first, settled by the heading alone, never wider."""
        if not opening.phrases:
            return None
        lo, hi = centre_s - window_s, centre_s + window_s
        guesses = [centre_s] + ([also_s] if also_s is not None else [])
        hits: list[Hit] = []
        heard: set[float] = set()
        events: list[_Event] = []
        # the window, then — not heard there — one WIDER times as wide (a long passage left out, or
        # read twice, moves a heading further than the pace does)
        settle = _SCORES["heading"] if anywhere else _SCORES["heading and text"]
        for scale in (1.0,) if anywhere else (1.0, WIDER):
            wide_lo, wide_hi = centre_s - window_s * scale, centre_s + window_s * scale
            cands = [g for g in self.timeline.gaps if g.end_s not in heard and (
                (wide_lo <= g.end_s <= wide_hi and g.length_s >= CANDIDATE_PAUSE_S)
                or (g.length_s >= NEAR_PAUSE_S and any(abs(g.end_s - c) <= NEAR_S for c in guesses)))]
            # nearest the guesses first: where the plan is right, one or two snippets settle it
            # (a heading follows a long pause, as a rule: those first, then the short ones near the guesses)
            order = sorted(set(cands), key=lambda g: (-g.length_s,) if anywhere else (
                g.length_s < CANDIDATE_PAUSE_S, min(abs(g.end_s - c) for c in guesses)))
            for g in order:
                if g.end_s in heard:
                    continue
                new = self._listen_after(g, opening, heard)
                if any(h.key in HEADING_KEYS for h in new):  # a heading: its text follows the next pause
                    after = [x for x in self.timeline.gaps if x.start_s >= max(h.end_s for h in new) - 0.1]
                    if after and after[0].end_s - g.end_s < HEADING_GAP_S and after[0].end_s not in heard:
                        new += self._listen_after(after[0], opening, heard)
                hits += new
                events = self._events(_dedupe(hits), opening)
                if any(e.score >= settle and abs(e.start_s - g.end_s) < 1.0 for e in events):
                    break  # the heading and the text's first words, as the book has them: settled
            if events:
                break
        if not events and self.scan_left_s > 0 and not anywhere:  # no candidate pause holds it: the window whole
            hits = []
            t = max(0.0, lo)
            while t < hi and self.scan_left_s > 0 and (self.spotted or self.unheard_scan_left_s > 0):
                end = min(hi, t + SCAN_CHUNK_S + SNIPPET_S)
                hits += self._spot(t, end, opening)
                self.scan_left_s -= end - t
                self.unheard_scan_left_s -= end - t
                t += SCAN_CHUNK_S
            events = self._events(_dedupe(hits), opening)
        if not events:
            return None
        best = max(events, key=lambda e: (e.score, -min(abs(e.start_s - c) for c in guesses)))
        rivals = [e for e in events if e.score >= best.score and abs(e.start_s - best.start_s) > 3.0]
        confidence = _CONFIDENCE.get(best.score, 0.6)
        if rivals:  # the same words heard elsewhere: the nearer one is taken, for review
            confidence = 0.45
        return Anchor(round(best.start_s, 3), confidence, best.how, self._heard(best, opening))

    def _listen_after(self, g: Gap, opening: Opening, heard: set[float]) -> list[Hit]:
        """The few seconds after pause `g`: long enough for the longest phrase, said slowly."""
        heard.add(g.end_s)
        longest = max(sum(len(w) + 1 for w in words) for words in opening.phrases.values())
        whole = 0.5 * opening.heading_words + 0.5 if any(k.startswith("part") for k in opening.phrases) else 0.0
        return self._spot(g.end_s - LEAD_IN_S, g.end_s + max(SNIPPET_S, SECONDS_PER_LETTER * longest + 0.5, whole),
                          opening)

    def _events(self, hits: list[Hit], opening: Opening) -> list[_Event]:
        heads = [h for h in hits if h.key in HEADING_KEYS]
        texts = [h for h in hits if h.key == "text"]
        events = []
        for h in heads:
            # the earliest heading phrase just before it starts the heading ("Chapter Three" then the title)
            start = self._lead_in(min([o.start_s for o in heads if h.start_s - 4.0 <= o.start_s <= h.start_s]
                                      + [h.start_s]))
            followed = any(h.end_s - 0.5 <= t.start_s <= h.end_s + HEADING_GAP_S for t in texts)
            if h.key == "part1":  # the heading's second half: it began before
                start = self._lead_in(start, opening.heading_words * SECONDS_PER_WORD + LEAD_IN_MAX_S)
            if h.key == "label":
                if followed:  # the title may come first: "Socialism and the State. Chapter Three."
                    start = self._lead_in(start, opening.heading_words * SECONDS_PER_WORD + LEAD_IN_MAX_S)
                    events.append(_Event(start, _SCORES["label and text"], "label and text", h))
                continue
            how = "heading and text" if followed else "heading"
            events.append(_Event(start, _SCORES[how], how, h))
        for t in texts:
            if any(t.start_s - HEADING_GAP_S <= h.start_s < t.start_s for h in heads):
                continue
            events.append(self._text_event(t, opening))
        return events

    def _lead_in(self, start_s: float, longest_s: float = LEAD_IN_MAX_S) -> float:
        """Where a heading heard from `start_s` really starts: a word or two said just before it,
        after a pause — a section's number ("One. The Principal Indices …"), a label the text
        does not print; or, before a label heard ("… Chapter Four."), a title not recognised —
        belong to it (up to `longest_s` of speech)."""
        # the pause before a heading is a real one; those inside it ("One. | The Principal …") are short
        before = [g for g in self.timeline.gaps if g.length_s >= HEADING_BREAK_S and g.end_s <= start_s + 0.1]
        if before and LEAD_IN_MIN_S < start_s - before[-1].end_s <= longest_s:
            return before[-1].end_s
        return start_s

    def _text_event(self, t: Hit, opening: Opening) -> _Event:
        """The text's first words heard, the heading not. Where the heading was read but not
        recognised, it is in the speech just before, after a pause: taken where the heading's
        words (or either half of them: one word said unlike the dictionary, "Thermidor", must not
        hide the rest) are heard there at a lenient threshold, or where that speech is as short
        as a number read alone ("Two.") and a pause of a second follows (a title, then a breath)."""
        before = self.timeline.gap_ending_near(t.start_s)
        if not opening.heading_words or before is None:
            return _Event(t.start_s, _SCORES["text (heading not heard)"], "text (heading not heard)", t)
        heading = opening.halves().phrases
        reach = opening.heading_words * SECONDS_PER_WORD + 2.0  # a heading read slowly, with a pause or two in it
        if heading:
            hits = self._spot(before.start_s - reach, before.start_s + 0.2, opening.only(heading),
                              leniency=CONFIRM_LENIENCY)
            # a heading runs on to the pause before the text: no pause of HEADING_BREAK_S between
            hits = [h for h in hits if not any(h.end_s - 0.1 <= g.start_s and g.end_s <= before.start_s
                                               and g.length_s >= HEADING_BREAK_S for g in self.timeline.gaps)]
            if hits:
                first = min(h.start_s for h in hits)
                # it starts after the last pause before the first words heard (a half may be its second)
                pauses = [g for g in self.timeline.gaps if g.length_s >= NEAR_PAUSE_S and g.end_s <= first + 0.3
                          and g.end_s >= before.start_s - reach]
                start = min(pauses[-1].end_s, first) if pauses else first
                return _Event(start, _SCORES["text, after a short heading"], "text, after a short heading", None)
        earlier = [g for g in self.timeline.gaps if g.end_s < before.start_s - 0.1]
        if earlier:
            prev = earlier[-1]
            run = before.start_s - prev.end_s
            if 0.15 <= run <= NUMBER_ALONE_S and prev.length_s >= NEAR_PAUSE_S and before.length_s >= 1.0:
                return _Event(prev.end_s, _SCORES["text, after a word alone"], "text, after a word alone", None)
            # a stretch as long as the heading read, set apart by pauses of a second: a heading
            # not recognised (a voice the recogniser follows badly); for review
            said = opening.heading_words * SECONDS_PER_WORD * 0.7
            if (said * 0.4 <= run <= said * 1.6 and prev.length_s >= HEADING_PAUSE_S
                    and before.length_s >= HEADING_PAUSE_S):
                return _Event(prev.end_s, _SCORES["text, after a heading-long stretch"],
                              "text, after a heading-long stretch", None)
        return _Event(t.start_s, _SCORES["text (heading not heard)"], "text (heading not heard)", t)

    def _heard(self, event: _Event, opening: Opening) -> list[WordTime]:
        """The heading's words, timed, where they were heard."""
        words = opening.phrases.get("heading") or opening.phrases.get("title") or []
        if event.hit is None or event.hit.key == "text" or not words:
            return []
        a, b = event.start_s - 0.15, event.hit.end_s + 0.15
        audio = self.recordings.read(max(0.0, a), b)
        self.listened_s += b - a
        return [WordTime(w.word, round(w.start_s + a, 2), round(w.end_s + a, 2))
                for w in self.listener.align(audio, words)]


def _dedupe(hits: list[Hit]) -> list[Hit]:
    out: list[Hit] = []
    for h in sorted(hits, key=lambda h: (h.start_s, h.key)):
        if not any(o.key == h.key and abs(o.start_s - h.start_s) < 0.3 for o in out):
            out.append(h)
    return out


def anchor_chapters(finder: Finder, openings: list[Opening], words: list[int], first_speech_s: float,
                    guesses: list[float]) -> Iterator[tuple[int, Anchor | None]]:
    """Every chapter's start from the second on, in order, each predicted from the last found: (k,
    where chapter k's opening was heard or None), as each is listened for (the caller starts on what
    lies between them meanwhile). Stops early where none of the first GIVE_UP is heard.

    `words`: each chapter's spoken words (headings included); `first_speech_s`: where the
    first chapter's first word is; `guesses`: the pause/word-count plan's starts, searched near too."""
    tl = finder.timeline
    pace = sum(words) / tl.speech_s if tl.speech_s > 0 else 2.5  # words a second of speech
    last, any_found = first_speech_s, False
    for k in range(1, len(openings)):
        expected = words[k - 1] / pace
        centre = tl.after_speech(last, expected)
        found = finder.find(openings[k], centre, CHAPTER_SPREAD * expected + WINDOW_EXTRA_S, guesses[k])
        any_found = any_found or found is not None
        last = found.speech_s if found else guesses[k]
        if finder.spotting and not finder.spotted and k >= GIVE_UP:
            finder.spotting = False  # not one heading spotted: a voice the recogniser cannot follow — rank only
        yield k, found
        if k >= GIVE_UP and not any_found:
            return


def anchor_sections(finder: Finder, openings: list[Opening], words: int, before: list[int | None], start_s: float,
                    end_s: float, guesses: list[float]) -> dict[int, Anchor]:
    """A chapter's sections, in order, between its start and the next chapter's (timeline).

    `words`: the chapter's spoken words; `before[j]`: words read before section j from the
    chapter's start (headings included), None for a section whose heading the text lost
    (searched for between its neighbours); `guesses`: the plan's section starts."""
    tl = finder.timeline
    found_at: dict[int, Anchor] = {}
    left_s, left_words = start_s, 0
    for j, sec in enumerate(openings):
        if before[j] is None:
            continue  # its heading lost from the text: looked for once its neighbours are found
        span_speech = tl.speech_between(left_s, end_s)
        rate = (words - left_words) / span_speech if span_speech > 0 else 2.5
        expected = (before[j] - left_words) / max(rate, 1e-3)
        centre = tl.after_speech(left_s, expected)
        found = finder.find(sec, centre, SECTION_SPREAD * expected + WINDOW_EXTRA_S / 2, guesses[j])
        if found and start_s < found.speech_s < end_s:
            found_at[j] = found
            left_s, left_words = found.speech_s, before[j]
    for j in (j for j, w in enumerate(before) if w is None):  # anywhere between the sections around it
        left = max([found_at[i].speech_s for i in found_at if i < j] + [start_s])
        right = min([found_at[i].speech_s for i in found_at if i > j] + [end_s])
        found = finder.find(openings[j].halves(full=True), (left + right) / 2, (right - left) / 2, anywhere=True)
        if found and left < found.speech_s < right:
            found.confidence = min(found.confidence, LOST_CONFIDENCE)
            found_at[j] = found
    return found_at
