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

from audiobook.align.audio import Recordings
from audiobook.align.listener import Hit, Listener
from audiobook.plan.timeline import Timeline

PHRASE_WORDS = 6
WINDOW_S = 30.0  # audio listened to at once
BEHIND_S, AHEAD_S = 20.0, 45.0  # phrases expected this far before and after a window are listened for in it
OMITTED_SHARE = 0.35  # phrases not heard, in audio shorter than this share of their reading time: omitted ...
OMITTED_MIN_S = 4.0  # ... and at least this much shorter
FLUB_MIN_S = 1.0  # speech the words between two phrases do not account for: a flub, if it holds the next words ...
EXTRA_MIN_S = 3.0  # ... else extra speech, from this much ...
PACE_SLACK = 0.15  # ... beyond this share of their reading time (the pace is not the same everywhere)
REPEAT_GAP_S = 1.0
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
    result.slips = _slips(chain, hits, phrases, first_of, timeline, pace, listener, recordings, start_s, end_s)
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


def _slips(chain: list[Hit], hits: list[Hit], phrases: list[list[str]], first_of: list[int], timeline: Timeline,
           pace: float,
           listener: Listener, recordings: Recordings, start_s: float, end_s: float) -> list[Slip]:
    slips: list[Slip] = []
    chosen = {(h.key, h.start_s) for h in chain}
    by_phrase: dict[str, list[Hit]] = {}
    for h in hits:
        by_phrase.setdefault(h.key, []).append(h)
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
            first, second = sorted((h, other), key=lambda x: x.start_s)
            # read twice, the passage takes longer than its words: heard twice but not, it was misheard
            before = [c for c in chain[:i + 1] if c.end_s <= first.start_s + 0.1]
            after = [c for c in chain[i:] if c.start_s >= second.end_s - 0.1]
            if not before or not after:
                continue
            a, b = before[-1], after[0]
            expected = sum(len(p) for p in phrases[int(a.key) + 1:int(b.key)]) / pace
            if timeline.speech_between(a.end_s, b.start_s) - expected >= 0.6 * len(words) / pace:
                repeats.append(Slip("repeated", " ".join(words), first.start_s, second.end_s, 0.8))
    slips += _merge(repeats)
    for a, b in zip([None] + chain, chain + [None]):
        pa = int(a.key) if a else -1
        pb = int(b.key) if b else len(phrases)
        t0 = a.end_s if a else start_s
        t1 = b.start_s if b else end_s
        between_words = sum(len(p) for p in phrases[pa + 1:pb])
        expected = between_words / pace
        actual = timeline.speech_between(t0, t1) if t1 > t0 else 0.0
        if pb - pa - 1 >= 2 and actual < OMITTED_SHARE * expected and expected - actual >= OMITTED_MIN_S and a and b:
            text = " ".join(w for p in phrases[pa + 1:pb] for w in p)
            # whole paragraphs are left out: the rest of a's paragraph was read (unheard), then the
            # reading goes on, what was said after that being the unheard start of b's
            ends = next((q for q in range(pa + 1, pb) if first_of[q] == q), pb)
            tail = sum(len(p) for p in phrases[pa + 1:ends]) / pace
            x = _before_speech(timeline, t1, max(0.0, actual - tail))
            # in the pause there (paragraphs end in the long ones): its middle, as the passage is nowhere
            near = [g for g in timeline.gaps if abs(g.end_s - x) <= 2.5 and t0 - 0.5 <= g.start_s
                    and g.end_s <= t1 + 0.5]
            at = (lambda g: (g.start_s + g.end_s) / 2)(max(near, key=lambda g: g.length_s)) if near else x
            slips.append(Slip("omitted", text, max(t0, at), t1, 0.8 if actual < 0.15 * expected else 0.6))
        elif a and b and actual - expected >= FLUB_MIN_S + PACE_SLACK * expected:
            if any(s.kind == "repeated" and s.start_s <= t1 and t0 <= s.end_s for s in slips):
                continue  # the repeat is the extra speech
            start = phrases[pb][:3]
            audio = recordings.read(t0, t1)
            again = [h for h in listener.spot(audio, {"start": start}, leniency=10)
                     if h.start_s + t0 < t1 - 0.5] if sum(len(w) for w in start) >= 8 else []
            if again:
                slips.append(Slip("flub", " ".join(start) + " …", again[0].start_s + t0, t1, 0.7))
            elif actual - expected >= EXTRA_MIN_S + PACE_SLACK * expected:
                slips.append(Slip("extra speech", f"{actual - expected:.0f} s of speech not in the text, before "
                                  f"“{' '.join(phrases[pb][:4])} …”", _resumes(timeline, t0, t1), t1, 0.6))
    return sorted(slips, key=lambda s: s.start_s)


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


def _resumes(timeline: Timeline, t0: float, t1: float) -> float:
    """Where the reading goes on after the longest pause between `t0` and `t1`: a passage left out,
    or an aside, falls between paragraphs, and paragraphs end in the longest pauses."""
    inside = [g for g in timeline.gaps if t0 - 0.1 <= g.start_s and g.end_s <= t1 + 0.1 and g.length_s >= 0.3]
    return max(inside, key=lambda g: g.length_s).end_s if inside else t0


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
