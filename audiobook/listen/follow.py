"""Word times of a whole passage: its text forced onto its audio window by window.

Each window (about 30 s, ending in a pause) is aligned with the words its speech should hold
at the passage's pace, and some more; the grammar lets the reading stop after any word (the
window may hold fewer than were given) and skip whole sentences (the narrator left them out)
at a fixed price, set so that a sentence that was read fits its sound better than that (on the
demo's voice). The words placed up to the last few seconds of the window are kept; the next
window starts where they end. Memory is one window's audio and grammar, however long the passage.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from audiobook.listen.audio import Recordings
from audiobook.listen.listener import SAMPLE_RATE, Listener

WINDOW_S = 30.0  # audio aligned at once
END_SLACK_S = 8.0  # the window ends in the longest pause this close to WINDOW_S
KEEP_BEFORE_END_S = 3.0  # words ending this close to a window's end are aligned again with the next
WORDS_SLACK = 1.4  # the window is given this many times the words its speech predicts ...
WORDS_EXTRA = 12  # ... and this many more
SKIP_PROB = 1e-23  # the grammar's price of leaving out a sentence (n at once: its nth power): on the demo's voice a sentence
# inserted in the text was left out from 1e-21 to 1e-25, real ones kept; 1e-18 lost real ones, 1e-30 never skips
STOP_PROB = 1e-2  # the price of the window ending after a word: the same after every word (no bias)
MAX_SKIP = 4  # sentences that can be skipped at once
# an alignment that skips is believed only where it accounts for the window's speech: its last word
# ends less than this much speech before the window does (unless the text ran out) ...
UNACCOUNTED_MAX_S = KEEP_BEFORE_END_S + 3.0
STRETCH_MAX = 4.0  # ... and no word takes more than this many times its sounds at the passage's pace
STRETCH_MIN_S = 1.5  # (or this long, for short words)
HELD_S = 0.1  # a pause inside a word with less of the word than this after it: the word ended before the pause


class _Pause(Protocol):
    start_s: float
    end_s: float
    length_s: float


class Timeline(Protocol):
    """What following needs of the recordings' timeline (plan.Timeline is one): its pauses, and
    the seconds of speech between two times."""

    gaps: Sequence[_Pause]

    def speech_between(self, a: float, b: float) -> float: ...


@dataclass
class Following:
    """What was found of a passage: the words placed, in order, and those the reading left out
    (whole sentences the alignment passed over between placed words)."""

    placed: list[Placed]
    left_out: set[int]


@dataclass(frozen=True)
class Placed:
    """Word `index` of the passage, said at timeline [start_s, end_s]."""

    index: int
    start_s: float
    end_s: float


def follow(listener: Listener, recordings: Recordings, timeline: Timeline, words: Sequence[str],
           sentence_starts: Sequence[int], start_s: float, end_s: float,
           on_progress: Callable[[float], None] | None = None) -> Following:
    """Where each of `words` (spoken words, in reading order; `sentence_starts`: the index each
    sentence opens with) is said in timeline [start_s, end_s]: the words placed, in order. A word
    not placed was left out, or could not be told apart from its neighbours."""
    n = len(words)
    phones = [listener.phones(w) for w in words]
    total_phones = sum(phones)
    speech = timeline.speech_between(start_s, end_s)
    if not n or total_phones == 0 or speech <= 0:
        return Following([], set())
    rate = total_phones / speech  # sounds a second of speech
    starts = sorted(set(sentence_starts) | {0})
    placed: list[Placed] = []
    left_out: set[int] = set()
    i, t = 0, start_s
    while i < n and t < end_s - 0.1:
        w_end = _window_end(timeline, t, end_s)
        last = w_end >= end_s
        want = timeline.speech_between(t, w_end) * rate * WORDS_SLACK
        j, got = i, 0.0
        while j < n and (last or got < want or j - i < WORDS_EXTRA):
            got += phones[j]
            j += 1
        if not last:
            j = min(n, j + WORDS_EXTRA)
        was = t
        audio = recordings.read(t, w_end)
        in_window = [s for s in starts if i <= s < j]
        found = [Placed(k, a + t, b + t) for k, a, b in _align(listener, audio, words, i, j, in_window)]
        if not _accounts(found, phones, rate, timeline, w_end, n):
            # skipping let the words run short of the speech (a misfit passed over, the rest squeezed):
            # the text as it stands, every sentence read
            found = [Placed(k, a + t, b + t) for k, a, b in _align(listener, audio, words, i, j, in_window, False)]
        if not found:  # no path through the window: again from its first pause (the start may cut a word)
            pause = next((g for g in timeline.gaps if t + 0.05 < g.start_s and g.end_s < w_end - 1.0), None)
            if pause is not None:
                t2 = (pause.start_s + pause.end_s) / 2
                again = recordings.read(t2, w_end)
                found = [Placed(k, a + t2, b + t2) for k, a, b in _align(listener, again, words, i, j, in_window, False)]
        if not found:
            i_next, t = i, w_end  # nothing of the text here (an aside, music): on to the next window
        else:
            kept = found if last or found[-1].index == j - 1 == n - 1 else \
                [p for p in found if p.end_s <= w_end - KEEP_BEFORE_END_S] or found[:1]
            placed += kept
            done = i
            for p in kept:  # between the words placed: sentences passed over (unsayable words are in none)
                left_out.update(k for k in range(done, p.index) if listener.knows(words[k]))
                done = p.index + 1
            i_next = kept[-1].index + 1
            t = kept[-1].end_s
        if on_progress:
            on_progress((end_s if last else t) - was)
        i = i_next
        if last and found:
            break
    return Following(_outside_pauses(placed, timeline.gaps), left_out)


def _outside_pauses(placed: list[Placed], gaps: Sequence[_Pause]) -> list[Placed]:
    """The words placed, none reaching over a pause of the pause map: the alignment may stretch a
    sentence's first word back over the pause before it (measured on real readers: 5 of 71 sentence
    starts 0.6-1.5 s early so), where the narrator's level says nothing was said. A word with a pause
    inside begins at its end — or, where little of the word is left after it, ends at its start."""
    starts = [g.start_s for g in gaps]  # the timeline's pauses, in order
    out = []
    for p in placed:
        near = gaps[max(0, bisect_left(starts, p.start_s) - 1):bisect_left(starts, p.end_s)]
        inside = [g for g in near if p.start_s < g.end_s < p.end_s]
        if inside:
            g = inside[-1]
            if p.end_s - g.end_s >= HELD_S:
                p = replace(p, start_s=g.end_s)
            elif g.start_s > p.start_s:
                p = replace(p, end_s=g.start_s)
        out.append(p)
    return out


def _accounts(found: list[Placed], phones: list[int], rate: float, timeline: Timeline, w_end: float, n: int) -> bool:
    """Whether an alignment accounts for its window's speech: none left over after its last word
    (unless the text ran out), no word stretched over speech that is not its own."""
    if not found:
        return False
    if found[-1].index < n - 1 and timeline.speech_between(found[-1].end_s, w_end) > UNACCOUNTED_MAX_S:
        return False
    return all(p.end_s - p.start_s <= max(STRETCH_MIN_S, STRETCH_MAX * phones[p.index] / rate) for p in found)


def _window_end(timeline: Timeline, t: float, end_s: float) -> float:
    """Where a window opening at `t` closes: in the middle of the longest pause near WINDOW_S on."""
    aim = t + WINDOW_S
    if aim + END_SLACK_S >= end_s:
        return end_s
    near = [g for g in timeline.gaps if aim - END_SLACK_S <= (g.start_s + g.end_s) / 2 <= aim + END_SLACK_S]
    if not near:
        return aim
    g = max(near, key=lambda g: g.length_s)
    return (g.start_s + g.end_s) / 2


def _align(listener: Listener, audio: np.ndarray, words: Sequence[str], i: int, j: int,
           sentence_starts: list[int], skips: bool = True) -> list[tuple[int, float, float]]:
    """(word index, start, end) in seconds into `audio` of words[i:j] said there, read from the start
    (i), skipping whole sentences (unless `skips` is False), stopping after any word."""
    if len(audio) < SAMPLE_RATE // 10:
        return []
    # states: k - i before word k; final: j - i + 1
    final = j - i + 1
    transitions: list[tuple] = []
    sayable = []
    for k in range(i, j):
        w = words[k]
        if listener.knows(w):
            transitions.append((k - i, k - i + 1, 1.0, w))
            sayable.append(k)
        else:
            transitions.append((k - i, k - i + 1, 1.0))  # not listened for: passed over
        transitions.append((k - i + 1, final, STOP_PROB))
    bounds = sentence_starts + [j]
    for a, s in enumerate(sentence_starts if skips else []):
        for b in bounds[a + 1:a + 1 + MAX_SKIP]:
            transitions.append((s - i, b - i, SKIP_PROB ** (bounds.index(b) - a)))
    if not sayable:
        return []
    segs = listener.align_grammar(audio, final, transitions)
    return _places(segs, words, i, j, sentence_starts, set(sayable))


def _places(segs: list[tuple[str, float, float]], words: Sequence[str], i: int, j: int, sentence_starts: list[int],
            sayable: set[int]) -> list[tuple[int, float, float]]:
    """The path's words matched back to their places: in order, whole sentences skipped (the first
    sentence whose words the path goes on with), never a word inside one."""
    starts = set(sentence_starts)
    out: list[tuple[int, float, float]] = []
    k, n = i, 0
    while n < len(segs) and k < j:
        while k < j and k not in sayable:
            k += 1
        if k < j and words[k] == segs[n][0]:
            out.append((k, segs[n][1], segs[n][2]))
            k, n = k + 1, n + 1
            continue
        jump = next((s for s in sorted(starts) if s > k and _goes_on(segs, n, words, s, j, starts, sayable)), None)
        if jump is None:
            break
        k = jump
    return out


def _goes_on(segs: list[tuple[str, float, float]], n: int, words: Sequence[str], s: int, j: int, starts: set[int],
             sayable: set[int]) -> bool:
    """Whether the path from its word `n` reads the sentence opening at `s` (to its end or the path's)."""
    k = s
    while n < len(segs) and k < j:
        if k != s and k in starts:
            return True
        if k not in sayable:
            k += 1
            continue
        if words[k] != segs[n][0]:
            return False
        k, n = k + 1, n + 1
    return True


__all__ = ["Following", "Placed", "follow"]
