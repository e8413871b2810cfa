"""Proof-listening: the narrator's slips, found by following the text through the audio.

The chapter's text is cut into phrases of a few words; each window of audio is listened to
for the phrases expected in it (from the last ones heard: nothing drifts, and memory stays
flat however long the chapter). The phrases heard in reading order are the alignment; what
breaks it is a slip:

- omitted: phrases never heard, where the audio between their neighbours is too short to hold them;
- repeated: a phrase heard twice in a row, a little apart;
- flub: speech before a phrase that its words do not account for, holding the phrase's start;
- extra speech: the same without it (an aside, "take two").

A chapter whose phrases are mostly not heard is reported as not matching its text, once.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field

from audiobook.listen.audio import Recordings
from audiobook.listen.boundary import UNFIT
from audiobook.listen.listener import Hit, Listener
from audiobook.plan.timeline import Timeline

PHRASE_WORDS = 6
WINDOW_S = 30.0  # audio listened to at once
BEHIND_S, AHEAD_S = 20.0, 45.0  # phrases expected this far before and after a window are listened for in it
OMITTED_SHARE = 0.35  # phrases not heard, in audio shorter than this share of their reading time: omitted ...
OMITTED_MIN_S = 4.0  # ... and at least this much shorter
FLUB_MIN_S = 0.8  # speech the words between two phrases do not account for: a flub, if it holds the next words ...
FLUB_MAX_S = 4.0  # ... (said before them, parted by a pause, in a stretch of speech at most this long) ...
FLUB_LENGTHS = (0.6, 1.6)  # ... their start, as long as this share of the stretch at the chapter's pace, ...
FLUB_LEAD = -0.0006  # ... where their start fits it no more than this a frame below any sounds at all (flite's
# four voices: a sentence's first 2-5 words broken off -0.0001 to +0.0005; an aside, other words of the
# sentence, a remark: -0.0011 and below)
EXTRA_MIN_S = 3.0  # ... else extra speech, from this much ...
PACE_SLACK = 0.15  # ... beyond this share of their reading time (the pace is not the same everywhere)
REPEAT_GAP_S = 1.0
FLUB_SHARE = 1.5  # a phrase heard twice with less speech than this many times its length from one to the other:
# broken off, then read (a sentence read twice holds more than one phrase)
MAX_WIDEN = 8  # times BEHIND_S and AHEAD_S, at most
MATCHED_SHARE_MIN = 0.25  # under this share of phrases heard, the audio is not this text


@dataclass
class Slip:
    kind: str  # "omitted", "repeated", "flub", "extra speech"
    text: str  # the words involved
    start_s: float  # timeline seconds
    end_s: float
    confidence: float


@dataclass
class ChapterProof:
    words: int
    phrases: int
    heard: int  # phrases heard in order
    slips: list[Slip] = field(default_factory=list)
    listened_s: float = 0.0

    @property
    def heard_share(self) -> float:
        return self.heard / self.phrases if self.phrases else 0.0

    @property
    def matches_text(self) -> bool:
        return self.heard_share >= MATCHED_SHARE_MIN


def proof_chapter(listener: Listener, recordings: Recordings, timeline: Timeline, blocks: list[list[str]],
                  start_s: float, end_s: float, on_progress: Callable[[float], None] | None = None) -> ChapterProof:
    """Follow the chapter as read — `blocks` of words: its headings and paragraphs, in order —
    through timeline [start_s, end_s]. Phrases never run from one block into the next (a
    narrator pauses there, and a phrase said across a pause is not heard as one)."""
    phrases: list[list[str]] = []
    opens: list[int] = []  # the phrase each block opens with
    for block in blocks:
        opens.append(len(phrases))
        block = listener.speakable(block)
        cut = [block[i:i + PHRASE_WORDS] for i in range(0, len(block), PHRASE_WORDS)]
        if len(cut) > 1 and len(cut[-1]) < 3:
            last = cut.pop()
            cut[-1] = cut[-1] + last
        phrases += cut
    words = [w for p in phrases for w in p]
    starts_at = [sum(len(p) for p in phrases[:i]) for i in range(len(phrases))]
    result = ChapterProof(len(words), len(phrases), 0)
    speech = timeline.speech_between(start_s, end_s)
    if not phrases or speech <= 0:
        return result
    pace = len(words) / speech  # words a second of speech
    anchor_t, anchor_word = start_s, 0
    hits: list[Hit] = []
    t = start_s
    stalled = 0  # windows since the text was last heard to go on: the reading has jumped (a long
    # passage left out, or read again); the phrases listened for widen until it is found again
    while t < end_s:
        w_end = min(end_s, t + WINDOW_S + 3.0)
        widen = min(1 + stalled, MAX_WIDEN)
        lo_word = anchor_word + (timeline.speech_between(anchor_t, max(anchor_t, t)) - BEHIND_S * widen) * pace
        hi_word = anchor_word + (timeline.speech_between(anchor_t, w_end) + AHEAD_S * widen) * pace
        wanted = {str(p): phrases[p] for p in range(len(phrases)) if lo_word <= starts_at[p] <= hi_word}
        if wanted:
            audio = recordings.read(t, w_end)
            result.listened_s += w_end - t
            found = [Hit(h.key, h.start_s + t, h.end_s + t) for h in listener.spot(audio, wanted)]
            hits += found
            chain = _in_order(hits)
            stalled += 1
            if chain and chain[-1].end_s > anchor_t:  # the furthest phrase heard in order: the next windows' guide
                last = chain[-1]
                anchor_t, anchor_word = last.end_s, starts_at[int(last.key)] + len(phrases[int(last.key)])
                stalled = 0
        if on_progress:
            on_progress(w_end - t)
        t += WINDOW_S
    hits = _dedupe(hits)
    chain = _in_order(hits)
    result.heard = len(chain)
    if not result.matches_text:
        return result
    first_of = [max(o for o in opens if o <= p) for p in range(len(phrases))]  # each phrase's block's first
    result.slips = _slips(chain, hits, phrases, first_of, timeline, listener, recordings, start_s, end_s)
    return result


def _dedupe(hits: list[Hit]) -> list[Hit]:
    out: list[Hit] = []
    for h in sorted(hits, key=lambda h: (h.key, h.start_s)):
        if out and out[-1].key == h.key and abs(out[-1].start_s - h.start_s) < 0.3:
            continue
        out.append(h)
    return sorted(out, key=lambda h: h.start_s)


def _in_order(hits: list[Hit]) -> list[Hit]:
    """The longest run of hits whose phrases and times both increase (patience sorting)."""
    hits = sorted(hits, key=lambda h: (h.start_s, int(h.key)))
    tails: list[int] = []  # phrase number ending the best chain of each length
    tail_hit: list[int] = []
    back: list[int] = [-1] * len(hits)
    for i, h in enumerate(hits):
        p = int(h.key)
        k = bisect_left(tails, p)
        if k == len(tails):
            tails.append(p)
            tail_hit.append(i)
        else:
            tails[k], tail_hit[k] = p, i
        back[i] = tail_hit[k - 1] if k else -1
    chain, i = [], tail_hit[-1] if tail_hit else -1
    while i >= 0:
        chain.append(hits[i])
        i = back[i]
    return chain[::-1]


class _Reading:
    """How long the text takes to say: each phrase's sounds (phones), at the chapter's pace in sounds
    a second of speech. Counting sounds rather than words keeps numbers ("562000": 27 sounds) and
    runs of long words from looking like speech the text does not hold."""

    def __init__(self, phrases: list[list[str]], listener: Listener, speech_s: float):
        self.phrases, self.listener = phrases, listener
        self.cum = [0]
        for p in phrases:
            self.cum.append(self.cum[-1] + sum(listener.phones(w) for w in p))
        self.rate = self.cum[-1] / speech_s if speech_s > 0 else 1.0

    def words_s(self, words: list[str]) -> float:
        """Speech seconds `words` take."""
        return sum(self.listener.phones(w) for w in words) / self.rate

    def seconds(self, first: int, stop: int) -> float:
        """Speech seconds phrases[first:stop] take."""
        first = max(first, 0)
        return max(0, self.cum[max(stop, first)] - self.cum[first]) / self.rate


def _settle(chain: list[Hit], by_phrase: dict[str, list[Hit]], reading: _Reading, timeline: Timeline) -> list[Hit]:
    """Where a phrase was heard more than once between its neighbours in the chain, the hit that
    leaves the least speech unaccounted for on either side (the order alone does not choose)."""
    out = list(chain)
    for i, h in enumerate(out):
        before = out[i - 1] if i else None
        after = out[i + 1] if i + 1 < len(out) else None
        lo = before.end_s - 0.3 if before else float("-inf")
        hi = after.start_s + 0.3 if after else float("inf")
        options = [h] + [o for o in by_phrase[h.key] if o != h and o.start_s >= lo and o.end_s <= hi]
        if len(options) < 2:
            continue
        out[i] = min(options, key=lambda o, b=before, a=after: _unaccounted(o, b, a, reading, timeline))
    return out


def _unaccounted(h: Hit, before: Hit | None, after: Hit | None, reading: _Reading, timeline: Timeline) -> float:
    """Speech seconds between `h` and its neighbours in the chain more or less than their text takes."""
    p, c = int(h.key), 0.0
    if before:
        c += abs(timeline.speech_between(before.end_s, h.start_s) - reading.seconds(int(before.key) + 1, p))
    if after:
        c += abs(timeline.speech_between(h.end_s, after.start_s) - reading.seconds(p + 1, int(after.key)))
    return c


def _overlap(h: Hit, others: list[Hit]) -> float:
    """The share of `h` that hits in `others` cover."""
    covered = sum(max(0.0, min(h.end_s, o.end_s) - max(h.start_s, o.start_s)) for o in others)
    return covered / max(h.end_s - h.start_s, 1e-3)


def _slips(chain: list[Hit], hits: list[Hit], phrases: list[list[str]], first_of: list[int], timeline: Timeline,
           listener: Listener, recordings: Recordings, start_s: float, end_s: float) -> list[Slip]:
    slips: list[Slip] = []
    reading = _Reading(phrases, listener, timeline.speech_between(start_s, end_s))
    by_phrase: dict[str, list[Hit]] = {}
    for h in hits:
        by_phrase.setdefault(h.key, []).append(h)
    chain = _settle(chain, by_phrase, reading, timeline)
    chosen = {(h.key, h.start_s) for h in chain}
    # repeated: the same phrase heard again just after (or before) where it was read in order
    repeats = []
    text = " " + " ".join(w for p in phrases for w in p) + " "
    for i, h in enumerate(chain):
        for other in by_phrase[h.key]:
            if (other.key, other.start_s) in chosen or abs(other.start_s - h.start_s) > 45.0:
                continue
            words = phrases[int(h.key)]
            if abs(other.start_s - h.start_s) < REPEAT_GAP_S or text.count(" " + " ".join(words) + " ") != 1:
                continue  # a phrase the text itself says twice is no slip
            if _overlap(other, [c for c in chain if c.key != h.key and c.end_s > other.start_s
                                and c.start_s < other.end_s]) > 0.5:
                continue  # heard where other words of the text were: like them, not said again
            first, second = sorted((h, other), key=lambda x: x.start_s)
            # read twice, the passage takes longer than its words: heard twice but not, it was misheard
            before = [c for c in chain[:i + 1] if c.end_s <= first.start_s + 0.1]
            after = [c for c in chain[i:] if c.start_s >= second.end_s - 0.1]
            if not before or not after:
                continue
            a, b = before[-1], after[0]
            expected = reading.seconds(int(a.key) + 1, int(b.key))
            said = reading.seconds(int(h.key), int(h.key) + 1)
            if timeline.speech_between(a.end_s, b.start_s) - expected < 0.6 * said:
                continue
            if timeline.speech_between(first.start_s, second.start_s) < FLUB_SHARE * said:
                # broken off before the phrase was all said, then said again: a flub
                slips.append(Slip("flub", " ".join(words[:3]) + " …", first.start_s, second.start_s, 0.7))
            else:
                repeats.append(Slip("repeated", " ".join(words), first.start_s, second.end_s, 0.8))
    slips += _merge(repeats)
    for a, b in zip([None] + chain, chain + [None]):
        pa = int(a.key) if a else -1
        pb = int(b.key) if b else len(phrases)
        t0 = a.end_s if a else start_s
        t1 = b.start_s if b else end_s
        expected = reading.seconds(pa + 1, pb)
        actual = timeline.speech_between(t0, t1) if t1 > t0 else 0.0
        if pb - pa - 1 >= 2 and actual < OMITTED_SHARE * expected and expected - actual >= OMITTED_MIN_S and a and b:
            first, stop = _left_out(pa, pb, first_of, reading, actual)
            text = " ".join(w for p in phrases[first:stop] for w in p)
            at = _pause_between(timeline, t0, t1, reading.seconds(pa + 1, first), reading.seconds(stop, pb))
            slips.append(Slip("omitted", text, max(t0, at), t1, 0.8 if actual < 0.15 * expected else 0.6))
        elif a and b and actual - expected >= FLUB_MIN_S + PACE_SLACK * expected:
            if any(s.start_s <= t1 and t0 <= s.end_s for s in slips):
                continue  # a repeat (or a flub heard so) is the extra speech
            # speech there that no phrase of the text was heard in: what is not in the text
            others = [h for h in hits if h.end_s > t0 and h.start_s < t1 and (h.key, h.start_s) not in chosen]
            heard_s = sum(max(0.0, min(h.end_s, t1) - max(h.start_s, t0)) for h in _union(others))
            unexplained = actual - max(expected, heard_s)
            if unexplained < FLUB_MIN_S + PACE_SLACK * expected:
                continue
            # a flub: the start of what is read next, or of what follows `a`, said there once too often
            said = " " + " ".join(w for q in phrases[max(pa, 0):pb] for w in q) + " "
            starts = {"b": phrases[pb][:3], "next": phrases[pa + 1][:3] if pa + 1 < pb else []}
            starts = {k: v for k, v in starts.items() if sum(len(w) for w in v) >= 8}
            heard_again = [h for h in listener.spot(recordings.read(t0, t1), starts, leniency=10)] if starts else []
            flubbed = [h for h in heard_again if h.key == "b" and h.start_s + t0 < t1 - 0.5
                       and f" {' '.join(starts['b'])} " not in said]  # the text itself says them before b
            nexts = [h for h in heard_again if h.key == "next"]
            if len(nexts) >= 2 and nexts[1].start_s - nexts[0].start_s >= REPEAT_GAP_S:
                flubbed = [nexts[0]]
            if flubbed:
                words = starts[flubbed[0].key]
                slips.append(Slip("flub", " ".join(words) + " …", flubbed[0].start_s + t0, t1, 0.7))
            elif (at := _said_first(listener, recordings, timeline, t0, t1, phrases[pb], reading.words_s)) is not None:
                slips.append(Slip("flub", " ".join(phrases[pb][:3]) + " …", at, t1, 0.6))
            elif unexplained >= EXTRA_MIN_S + PACE_SLACK * expected:
                slips.append(Slip("extra speech", f"{unexplained:.0f} s of speech not in the text, before "
                                  f"“{' '.join(phrases[pb][:4])} …”", _longest_speech(timeline, t0, t1, others),
                                  t1, 0.6))
    return sorted(slips, key=lambda s: s.start_s)


def _left_out(pa: int, pb: int, first_of: list[int], reading: _Reading, said_s: float) -> tuple[int, int]:
    """Which phrases between the chain's `pa` and `pb` were left out, `said_s` seconds of speech
    being there: whole blocks (a narrator skips paragraphs, or a heading), the rest of a's block
    and the start of b's having been read unheard — the run of blocks whose leaving out best
    accounts for the speech heard. Where no whole block lies between, all of them."""
    opens = [q for q in range(pa + 1, pb + 1) if first_of[q] == q] + [first_of[pb]]
    runs = [(q1, q2) for q1 in opens for q2 in opens if q1 < q2 <= first_of[pb]]
    if not runs:
        return pa + 1, pb
    return min(runs, key=lambda r: (abs(reading.seconds(pa + 1, r[0]) + reading.seconds(r[1], pb) - said_s),
                                    r[0] - r[1]))


def _pause_between(timeline: Timeline, t0: float, t1: float, before_s: float, after_s: float) -> float:
    """Where between `t0` and `t1` a passage was left out, `before_s` seconds of speech being read
    before it and `after_s` after: the middle of the pause (paragraphs end in the long ones) that
    parts the speech there most nearly so, the longer of those about as near."""
    pauses = [g for g in timeline.gaps if t0 - 0.5 <= g.start_s and g.end_s <= t1 + 0.5 and g.length_s >= 0.3]
    if not pauses:
        return _before_speech(timeline, t1, after_s)

    def miss(g) -> float:
        return (abs(timeline.speech_between(t0, max(t0, g.start_s)) - before_s)
                + abs(timeline.speech_between(min(t1, g.end_s), t1) - after_s))

    best = min(miss(g) for g in pauses)
    g = max((g for g in pauses if miss(g) <= best + 1.0), key=lambda g: g.length_s)
    return (g.start_s + g.end_s) / 2


def _said_first(listener: Listener, recordings: Recordings, timeline: Timeline, t0: float, t1: float,
                words: list[str], seconds: Callable[[list[str]], float]) -> float | None:
    """Where the last stretch of speech before `t1` (a pause parting it from what is read there) is
    the first of `words`, broken off: when it and the words' start, forced onto each other, fit about
    as well as any sounds at all do there (a free phone loop) — a measure that holds on voices the
    recogniser spots badly, where a spotted phrase was missed (`seconds`: how long words take to say at
    the chapter's pace). Its start, or None."""
    speech = [(a, b) for a, b in _speech_stretches(timeline, t0, t1) if b <= t1 - 0.3]
    if not speech:
        return None
    a, b = speech[-1]
    if not FLUB_MIN_S <= b - a <= FLUB_MAX_S:
        return None
    # however many of the words were said before the break: the best fit of their starts that take about
    # as long as the stretch at the chapter's pace, each made to cover most of it (two words stretched over
    # a sentence read twice, or over an aside, fit as well as a flub does)
    starts = [k for k in range(2, min(len(words), PHRASE_WORDS) + 1)
              if FLUB_LENGTHS[0] <= seconds(words[:k]) / (b - a) <= FLUB_LENGTHS[1]]
    if not starts:
        return None
    audio = recordings.read(max(t0, a - 0.15), min(t1, b + 0.15))
    free = listener.free(audio)
    if free is None:
        return None
    lead = max((fit - free for k in starts
                for fit in [listener.fit(audio, words[:k], min_s=0.7 * (b - a))] if fit is not None), default=UNFIT)
    return a if lead >= FLUB_LEAD else None


def _speech_stretches(timeline: Timeline, t0: float, t1: float) -> list[tuple[float, float]]:
    """The stretches of speech between `t0` and `t1`, parted by pauses of 0.3 s and more."""
    cuts = [t0] + [x for g in timeline.gaps if t0 < g.end_s and g.start_s < t1 and g.length_s >= 0.3
                   for x in (max(t0, g.start_s), min(t1, g.end_s))] + [t1]
    return [(cuts[k], cuts[k + 1]) for k in range(0, len(cuts) - 1, 2) if cuts[k + 1] > cuts[k]]


def _union(hits: list[Hit]) -> list[Hit]:
    out: list[Hit] = []
    for h in sorted(hits, key=lambda h: h.start_s):
        if out and h.start_s <= out[-1].end_s:
            out[-1] = Hit(out[-1].key, out[-1].start_s, max(out[-1].end_s, h.end_s))
        else:
            out.append(h)
    return out


def _longest_speech(timeline: Timeline, t0: float, t1: float, heard: list[Hit]) -> float:
    """Where the longest stretch of speech between `t0` and `t1` (pauses of 0.3 s and more part
    them) that holds none of the text heard begins: an aside, or a passage said twice."""
    stretches = _speech_stretches(timeline, t0, t1)

    def free(span: tuple[float, float]) -> float:
        a, b = span
        return (b - a) - sum(max(0.0, min(b, h.end_s) - max(a, h.start_s)) for h in _union(heard))

    return max(stretches, key=free)[0] if stretches else t0


def _before_speech(timeline: Timeline, t: float, speech_s: float) -> float:
    """The latest time with `speech_s` seconds of speech between it and `t` (pauses skipped)."""
    lo, hi = max(0.0, t - 4 * speech_s - 30.0), t
    for _ in range(30):  # bisection: speech_between grows as the start moves back
        mid = (lo + hi) / 2
        if timeline.speech_between(mid, t) >= speech_s:
            lo = mid
        else:
            hi = mid
    return lo


def _merge(slips: list[Slip]) -> list[Slip]:
    """Repeats of neighbouring phrases are one repeated passage."""
    out: list[Slip] = []
    for s in sorted(slips, key=lambda s: s.start_s):
        if out and s.start_s <= out[-1].end_s + 2.0:
            out[-1].end_s = max(out[-1].end_s, s.end_s)
            out[-1].text += " " + s.text
        else:
            out.append(s)
    return out
