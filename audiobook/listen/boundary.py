"""A boundary lies where one part's words end and the next part's begin, whatever is said between.

Two ways to hear it, both asking only what the book's text says on either side:

- `words_end`: the last words of the part before, spotted in the stretch just before a
  boundary found by its heading or text. The part that follows opens with the first sound
  after them — a heading read in the narrator's own words ("Two" for "Sonnet II"), an
  announcement — never in the previous track.
- `rank_pauses`: for a voice the recogniser cannot spot words in, each candidate pause is
  scored by how well the part before's last words fit the speech just before it and the
  next part's first words the speech just after it (forced alignment, which needs no
  threshold: it ranks). The pause that fits best is the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

from audiobook.listen.audio import Recordings
from audiobook.listen.listener import Listener
from audiobook.listen.openings import Opening

ENDING_WORDS = 7  # the part before's last words, spotted: enough to tell them from any other sentence's
FIT_WORDS = 6  # words fitted on either side of a candidate pause (8 fitted worse on espeak-ng)
MIN_PACE_S, MAX_PACE_S = 0.035, 0.075  # 300 and 140 words a minute, pauses left out: a longer pace measured is
# text the narration does not hold (a wrong book, a text with passages not read), and the longer stretches it
# would ask let other words be forced onto them
PACE_S = 0.06  # seconds a letter (spaces counted) takes to say, where the narrator's own pace is not measured
SPOT_LENIENCY = 15  # powers of ten: the words are looked for in a short stretch where they should be
STRETCHES = (1.0, 1.3)  # each side fitted to a stretch as long as its words take at the narrator's pace and one
# longer, the better kept: too short, the right words cannot be aligned at all (half of espeak-ng's boundaries were
# lost so); speech beyond the words is absorbed (the alignment's silence takes it) at a small cost to the fit — but
# much beyond (twice the words' length) lets other words be forced onto it as well
WALL_REACH = 1.8  # ... and one reaching to the pause after (before) the words, where that is no further
SQUEEZED = 0.5  # words aligned into less than this share of the time they take at the narrator's pace are not
# said there (the rest of the stretch was taken as silence: another sentence, forced onto a sliver of it)
UNFIT = -0.01  # the score a frame of words that cannot be aligned to a stretch at all (a fit is about -0.001 to -0.005)
HEARD_MARGIN = 0.0015  # a fit a frame this far ahead of every other pause's: the boundary is heard (a wrong
# book's text leads by less than 0.0005 on a voice the recogniser follows; the right one's by 0.005 and more)
RELATIVE_MARGIN = 0.25  # ... or ahead by this share of its own score and by WRONG_LEAD at least: a real reader
# whose words fit closely (each side -0.0015 to -0.0017 a frame, LibriVox) leads the next pause by 0.0009-0.0014,
# 0.3-0.5 of its score; a wrong book's text leads by under 0.0005, under 0.1 of its score (-0.008 and worse)
WRONG_LEAD = 0.0005
FIT_FLOOR = -0.0038  # each side's fit a frame at least this good: the words said there (the right text's fit
# -0.0020 to -0.0029 on espeak-ng and flite voices; another book's text forced onto them -0.0040 to -0.0047)
LEAD_FLOOR = -0.0013  # ... and, on each side, no more than this a frame below any sounds at all (a free phone
# loop) on the same stretch: a likelihood ratio, which holds where the voice's every score is low. The right
# text's words on eight synthetic voices: -0.0010 to +0.0011; another book's sentence forced onto flite slt's
# speech (its open-ended fit, which takes what it can): -0.0015 to -0.0016
CONFIRM_LEAD = -0.0008  # the part before's last ten words fitted before the best of two pauses not told apart
# confirm it only this close to a free phone loop: where they confirmed a right one (12 boundaries: flite kal, the
# 10-hour espeak-ng book) -0.0004 to +0.0006; where they were not read at all and forced onto a wrong one -0.0012
WALL_S = 1.0  # no stretch fitted reaches across a pause this long: the pause after a heading read aloud would
# otherwise fit the part before's last words too (its stretch reaching back over the heading to them)
HEADING_S = 8.0  # a heading read aloud, in the narrator's words, is shorter than this
CLOSING = ("end", "of")  # "End of chapter one": a closing formula belongs to the part it closes


@dataclass(frozen=True)
class Pause:
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Ranked:
    pause: Pause
    score: float  # the fits' sum: higher is better
    margin: float  # how far ahead of the next best pause's (0 where it is the only one)
    whole: bool  # every side asked for fitted (the words could be aligned there at all)
    sides: int = 1
    worst: float = UNFIT  # the poorer side's fit
    lead: float = UNFIT  # the poorer side's fit less a free phone loop's on the same stretch (measured for the best
    # pause only, the one that can be heard; 0 where no stretch was long enough for the loop)

    @property
    def heard(self) -> bool:
        """Whether this ranking tells the boundary: the best pause fits on every side, and well — as
        the words said there fit, not as any words can be forced onto speech — ahead of the next."""
        ahead = self.margin >= HEARD_MARGIN or self.margin >= max(WRONG_LEAD, RELATIVE_MARGIN * -self.score)
        return self.whole and ahead and self.worst >= FIT_FLOOR and self.lead >= LEAD_FLOOR


def said_s(words: list[str] | tuple[str, ...], pace_s: float = PACE_S) -> float:
    """About how long `words` take to say at `pace_s` seconds a letter."""
    return pace_s * sum(len(w) + 1 for w in words)


def pace(speech_s: float, letters: float) -> float:
    """The narrator's pace, seconds of speech a letter (spaces counted), within what people read at."""
    return min(MAX_PACE_S, max(MIN_PACE_S, speech_s / letters)) if letters > 0 and speech_s > 0 else PACE_S


def words_end(listener: Listener, recordings: Recordings, words: list[str] | tuple[str, ...], lo_s: float,
              hi_s: float) -> float | None:
    """Where `words` (a part's last ones) are last heard ending in timeline [lo_s, hi_s]; None if not heard."""
    words = list(words)[-ENDING_WORDS:]
    if not words or hi_s - lo_s < 0.3:
        return None
    audio = recordings.read(max(0.0, lo_s), hi_s)
    hits = listener.spot(audio, {"ending": words}, leniency=SPOT_LENIENCY)
    ends = [h.end_s + max(0.0, lo_s) for h in hits]
    return max(ends) if ends else None


def closing_end(listener: Listener, recordings: Recordings, label: list[str], lo_s: float, hi_s: float) -> float | None:
    """Where a closing formula ("End of chapter one", "End of section two") said in [lo_s, hi_s] ends."""
    phrase = list(CLOSING) + list(label)
    if len(label) == 0 or hi_s - lo_s < 0.3:
        return None
    audio = recordings.read(max(0.0, lo_s), hi_s)
    hits = listener.spot(audio, {"closing": phrase}, leniency=SPOT_LENIENCY)
    return max(h.end_s + max(0.0, lo_s) for h in hits) if hits else None


def rank_pauses(listener: Listener, recordings: Recordings, pauses: list[Pause], ending: list[str] | tuple[str, ...],
                opening: list[str] | tuple[str, ...], text: list[str] | tuple[str, ...] = (),
                every_pause: list[Pause] | None = None, pace_s: float = PACE_S,
                follows: list[str] | tuple[str, ...] = (), labelled: list[str] | tuple[str, ...] = (),
                heading: list[str] | tuple[str, ...] = (), read: list[str] | tuple[str, ...] = (),
                fits: dict | None = None) -> list[Ranked]:
    """`pauses` ranked, best first, by how well `ending` fits the speech just before each, and the
    part's opening just after: its heading (`opening`) there, or its text's first words (`text`)
    after the next pause of `every_pause` (a heading read in other words than the book's, then a
    pause). Either side may be missing: then the other alone. `pace_s`: the narrator's (`pace`);
    `follows`: the text's words after `text` (a stretch may end in them: Listener.fit); `labelled`: the
    heading with its label ("chapter six the growth of ..."), fitted after the pause as well as `opening`;
    `heading`: the whole title, whose last words end the speech before the pause after it (by default
    `opening`); `read`: the heading as read, label and title (by default `heading`); `fits`: the fits
    made so far, kept by the caller across rankings of the same part (a wider window's ranking does not
    fit again the stretches the narrower one did)."""
    earlier = listener.speakable(list(ending))[:-FIT_WORDS]
    ending = listener.speakable(list(ending))[-FIT_WORDS:]
    opening = listener.speakable(list(opening))[:FIT_WORDS]
    labelled = listener.speakable(list(labelled))[:FIT_WORDS]
    heading_end = listener.speakable(list(heading))[-FIT_WORDS:] or opening
    whole_heading = listener.speakable(list(read or heading))
    every_text = listener.speakable(list(text) + list(follows))
    text = every_text[:FIT_WORDS]
    if not ending and not opening and not text:
        return []
    def best(fits: list[tuple[float | None, float, float]]) -> tuple[float | None, float, float]:
        """The best of several stretches' fits: (fit, the stretch's start and end), fit None if none fitted."""
        known = [f for f in fits if f[0] is not None]
        return max(known, key=lambda f: f[0]) if known else (None, 0.0, 0.0)

    made = {} if fits is None else fits

    def fitted(words: list[str], lo_s: float, hi_s: float, **around) -> tuple[float | None, float, float]:
        key = (tuple(words), lo_s, hi_s, *(tuple(around.get(k, ())) for k in ("before", "after")), pace_s)
        if key not in made:
            made[key] = (listener.fit(recordings.read(lo_s, hi_s), words, said_s(words, pace_s) * SQUEEZED, **around),
                         lo_s, hi_s)
        return made[key]

    walls = [q for q in every_pause or [] if q.end_s - q.start_s >= WALL_S]

    def reaches(words: list[str], at_s: float, wall_s: float) -> tuple[float, ...]:
        """The stretches' lengths in words' time: STRETCHES, and where the pause beyond them is within
        WALL_REACH of it, one that ends there (a heading read slowly, then a pause: espeak-ng's section
        titles took half as long again a letter as its text). Only after a pause: reaching back to the
        pause before a heading, the part before's last words were forced onto the heading, and fitted it
        better than they fit themselves at the right pause."""
        said = said_s(words, pace_s)
        reach = abs(wall_s - at_s) / said if said > 0 else 0.0
        return STRETCHES + ((reach,) if STRETCHES[-1] < reach <= WALL_REACH else ())

    def fit(words: list[str], at_s: float, after: list[str]) -> tuple[float | None, float, float]:
        if not words:
            return (None, 0.0, 0.0)
        wall = min((q.start_s for q in walls if q.start_s > at_s + 0.05), default=float("inf"))
        return best([fitted(words, max(0.0, at_s - 0.15), min(wall + 0.1, at_s + said_s(words, pace_s) * k), after=after)
                     for k in reaches(words, at_s, wall)])

    def fit_before(words: list[str], at_s: float, before: list[str] | None = None) -> tuple[float | None, float, float]:
        wall = max((q.end_s for q in walls if q.end_s < at_s - 0.05), default=0.0)
        return best([fitted(words, max(0.0, wall - 0.1, at_s - said_s(words, pace_s) * k), at_s + 0.15,
                            before=earlier if before is None else before) for k in STRETCHES])

    afters: dict[int, tuple[float | None, float, float]] = {}  # each pause's opening side, fitted once

    def after_side(n: int) -> tuple[float | None, float, float]:
        if n not in afters:
            afters[n] = opening_side(pauses[n])
        return afters[n]

    def opening_side(p: Pause) -> tuple[float | None, float, float]:
        after = [fit(opening, p.end_s, every_text)] + ([fit(labelled, p.end_s, every_text)] if labelled else [])
        if text:
            after.append(fit(text, p.end_s, every_text[FIT_WORDS:]))
            # the text after the heading's pause: the next pause, or the first clear one (a heading read
            # as "Chapter Four. The Struggle ..." has a short pause inside it, and a long one after it)
            later = [q for q in every_pause or [] if p.end_s + 0.2 < q.start_s <= p.end_s + HEADING_S]
            for q in {id(q): q for q in later[:1] + [q for q in later if q.end_s - q.start_s >= WALL_S][:1]}.values():
                after.append(fit(text, q.end_s, every_text[FIT_WORDS:]))
        return best(after)

    def against_free(fits: list[tuple[float | None, float, float]]) -> float:
        """The poorer fit less a free phone loop's on its stretch (read again: keeping every candidate's
        audio for the one that wins would hold them all); 0 where no stretch was long enough for the loop."""
        return min((f - free for f, lo, hi in fits if f is not None
                    for free in [listener.free(recordings.read(lo, hi))] if free is not None), default=0.0)

    def ranking(chosen: list[int]) -> list:
        """The pauses `chosen` (indices), scored and sorted best first, less those after their own heading."""
        scored = []
        for n in chosen:
            fits = ([befores[n]] if ending else []) + ([after_side(n)] if opening or text else [])
            if any(f[0] is not None for f in fits):
                sides = [UNFIT if f[0] is None else f[0] for f in fits]
                scored.append((sum(sides), pauses[n], all(f[0] is not None for f in fits), len(fits), min(sides), fits))
        scored.sort(key=lambda x: -x[0])
        if not (ending and opening):
            return scored
        # the speech just before the boundary is the part before's last words, not the part's own heading:
        # a pause its heading fits before clearly better than those words do (by WRONG_LEAD: at right pauses on
        # espeak-ng the heading came to within +0.0003 a frame of them, at the pause after a chapter's heading
        # +0.0007 to +0.0014), and as well as any sounds do (said there, not forced: a short title beat a
        # chapter's last words at the right pause on espeak-ng), follows the heading (a chapter heading read,
        # then its first section's): it is no boundary. (Taken also as a witness for the pause before the heading,
        # it had kal's section placed 3.8 s off heard.) Where those words cannot be aligned there at all,
        # nothing is told (on espeak-ng, common at the right pause).
        # Only the best pause and the next (its margin) are read from the ranking: the rule is asked of the
        # pauses in rank order until two stand (a pause ranked below them, dropped or not, changes neither).
        kept: list = []
        for n, entry in enumerate(scored):
            if len(kept) == 2:
                return kept + scored[n:]
            fits = entry[5]
            if fits[0][0] is not None:
                # the heading's last words (a long title's first ones are not what is said before the pause after
                # it), which may start in the part before's last words (all of them): open-ended after only their
                # earlier ones, it was forced onto their last ones, and fitted them better than they did
                heading = fit_before(heading_end, entry[1].start_s, before=earlier + ending)
                if heading[0] is not None and heading[0] > fits[0][0] + WRONG_LEAD and against_free([heading]) >= LEAD_FLOOR:
                    continue
            kept.append(entry)
        return kept

    # The part before's last words first, before every pause. A pause they cannot be aligned before scores
    # UNFIT (-0.01) on that side: below every pause where they can (a fit is -0.001 to -0.005 a frame), and
    # where it would be the next best, the margin it leaves is no less than one that can be heard needs (the
    # best is heard with sides of FIT_FLOOR at worst) — so the opening side is fitted (the costlier: a heading,
    # the text, the text after the heading's pause) only after the pauses they fit before; after every pause
    # where they fit before none, or none of those stands.
    everyone = list(range(len(pauses)))
    befores = [fit_before(ending, p.start_s) for p in pauses] if ending else []
    first = [n for n in everyone if befores and befores[n][0] is not None] if opening or text else everyone
    scored = ranking(first or everyone)
    if (not scored or not scored[0][2]) and first and len(first) < len(pauses):
        scored = ranking(everyone)
    if not scored:
        return []
    margin = (scored[0][0] - scored[1][0]) if len(scored) > 1 else 1.0
    if earlier and len(scored) > 1 and scored[0][2] and scored[1][2] and margin < HEARD_MARGIN:
        # the two best not told apart by six words a side: the part before's last words all (ten), fitted
        # before each — more words, which other speech fits worse (a pause 4.5 minutes from the right one
        # came within 0.0008 a frame of it on a 10-hour espeak-ng book)
        longer = earlier + ending
        fits_long = [fit_before(longer, entry[1].start_s, before=[]) for entry in scored[:2]]
        refit = [((UNFIT if f[0] is None else f[0]) + entry[5][-1][0]) for f, entry in zip(fits_long, scored[:2])]
        # it confirms the best only (ten words can span a wall, a pause of a second, at the right pause and not
        # fit there at all, while forced onto another), and only where they are said there, nearly as well as
        # any sounds are (CONFIRM_LEAD; a narrator who left that part's text out: they were forced onto a wrong
        # pause, 8 s off, at -0.00124)
        if fits_long[0][0] is not None and refit[0] > refit[1] and against_free(fits_long[:1]) >= CONFIRM_LEAD:
            margin = max(margin, refit[0] - refit[1])
    if ending and whole_heading and len(scored) > 1 and scored[0][2] and scored[1][2] and margin < HEARD_MARGIN:
        # the two best pauses close together, not told apart by their sides: the speech between them is either
        # the part before's last words (the later pause is the boundary) or the part's heading (the earlier one
        # is: the heading opens its part) — both fitted to that one stretch, which tells them apart where the
        # sides cannot (on espeak-ng the part before's last words fit the chapter heading at the pause after it
        # as well as their own place)
        a, b = sorted((scored[0][1], scored[1][1]), key=lambda q: q.start_s)
        if b.start_s - a.end_s <= HEADING_S:
            audio = recordings.read(max(0.0, a.end_s - 0.15), b.start_s + 0.15)
            said = listener.fit(audio, whole_heading, said_s(whole_heading, pace_s) * SQUEEZED)
            last = listener.fit(audio, ending, said_s(ending, pace_s) * SQUEEZED, before=earlier)
            free = listener.free(audio) if said is not None else None
            if said is not None and (last is None or said > last + WRONG_LEAD) and free is not None \
                    and said - free >= LEAD_FLOOR:
                winner = a
            elif last is not None and (said is None or last > said + WRONG_LEAD):
                winner = b
            else:
                winner = None
            if winner is not None:
                if winner is not scored[0][1]:
                    scored[0], scored[1] = scored[1], scored[0]
                margin = HEARD_MARGIN  # told apart by what is said between them
    # only the best pause can be heard: its fits alone are measured against the free phone loop
    _, top, *_, best_fits = scored[0]
    lead = against_free(best_fits)
    return [Ranked(p, s, margin if n == 0 else 0.0, whole, sides, worst, lead if n == 0 else UNFIT)
            for n, (s, p, whole, sides, worst, _) in enumerate(scored)]


def rank_opening(listener: Listener, recordings: Recordings, pauses: list[Pause], opening: Opening,
                 every_pause: list[Pause], pace_s: float = PACE_S, ending: bool = True,
                 fits: dict | None = None) -> list[Ranked]:
    """`pauses` ranked for where the part `opening` opens starts — the one judgement of a boundary that the
    build places by and `check` verifies by: the part before's last words before it (unless not `ending`:
    none can be heard there), the part's own title (not its label alone: "Chapter Two" opens another book's
    chapter two as well) or the title with its label, or its text's first words, after it."""
    title = list(opening.phrases.get("title") or opening.heading)
    labelled = list(opening.phrases.get("heading") or []) if "title" in opening.phrases else []
    return rank_pauses(listener, recordings, pauses, opening.ending if ending else (), title,
                       list(opening.phrases.get("text") or []), every_pause, pace_s, opening.follows, labelled,
                       opening.title_words or opening.heading, opening.heading, fits)
