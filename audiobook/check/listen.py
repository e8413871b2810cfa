"""Check a build by ear: every track begins with its chapter's heading and every marker with
its section's, heard in the built files (the same listening that places them in a build).

One judgement with the build's (listen.boundary): a part opens at the first sound after the
part before's last words, whatever is said between. A marker is failed, with what was heard,
when its heading is heard elsewhere near it, when its text's first words are heard at another
pause than the one after its heading (read in whatever words), or when the words heard where
it sits are another part of the chapter's text. Where no words can be spotted (a voice the
recogniser cannot follow), the pauses around it are ranked by how well the part before's last
words and its own title or first words fit around each: the marker's pause standing out
verifies it, another's fails it; where none stands out it is "not verified", which fails
unless allowed (--allow-unverified)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from audiobook.check.files import read_markers
from audiobook.check.finding import Finding
from audiobook.files import clock
from audiobook.listen.audio import Recordings
from audiobook.listen.boundary import PACE_S, Pause, pace, rank_opening
from audiobook.listen.listener import SAMPLE_RATE, Listener, NoModel, has_model
from audiobook.listen.openings import Opening
from audiobook.listen.pauses import pauses_in, speech_between
from audiobook.listen.speakable import spoken_words
from audiobook.manifest.model import Manifest
from audiobook.plan.anchor import (
    CONFIRM_LENIENCY,
    HEADING_KEYS,
    NEAR_S,
    RANK_PAUSE_S,
    SECONDS_PER_LETTER,
    SECONDS_PER_WORD,
)
from audiobook.plan.hearing import chapter_texts, openings
from audiobook.report import TrackReport

EARLY_S = 0.5  # a heading may be heard this far before its marker (the recogniser's timing) ...
LATE_S = 2.0  # ... or this far after (the room tone before it)
SEARCH_S = 90.0  # a heading not heard at its marker is looked for this far around it
LOOK_BACK_S = 12.0  # a marker at its text's first words: its heading looked for this far before
PHRASE_WORDS = 6
OWN_OPENING_WORDS = 24  # a part's own first words: heard at its marker, they are no sign it is misplaced
RANK_S = 30.0  # a marker whose words cannot be spotted: the pauses this far around it ranked
PACE_BLOCK_S = 60.0  # a track's speech measured this much at a time
HEADING_STRETCHES = 2  # a heading read aloud is at most this many stretches of speech ("Chapter Two. | Loomings.")


def listen_to_markers(tracks: list[TrackReport], manifest: Manifest, folder: Path,
                      allow_unverified: bool = False, pace_wpm: float = 0.0) -> list[Finding]:
    """Findings `marker_heard` for every marker of every track of a build (`tracks`: report.json's).
    `pace_wpm`: the narration's words a minute of speech, as the build measured it over the whole book
    (report.json's): the narrator's pace the build ranked pauses at, which `check` ranks at too."""
    if not has_model(manifest.book.language or "en"):
        return [Finding("markers", "marker_heard", True, "not listened", "English",
                        f"no speech model for {manifest.book.language!r}: markers not checked by ear")]
    by_id = {c.id: c for c in manifest.chapters}
    chapter_ids = list(dict.fromkeys(t.chapter_id for t in tracks))
    entries = [by_id[c] for c in chapter_ids if c in by_id]
    ops = dict(zip((c.id for c in entries), openings(entries, manifest, folder)))
    texts: dict[str, list[str]] = {}
    if manifest.book.text and (folder / manifest.book.text).is_file():
        texts = {c.id: spoken_words(t) for c, t in zip(entries, chapter_texts(entries, manifest, folder))}
    # one pace for the book, as the build has it: a track's own (its speech over its chapter's letters) strays
    # from it (0.045-0.067 s a letter on one espeak-ng book whose pace is 0.059), and the stretches fitted at
    # it cut into words, or reach over a heading's label, where the build's did not
    every = [w for ws in texts.values() for w in ws]
    book_pace = pace(len(every) * 60.0 / pace_wpm, sum(len(w) + 1 for w in every)) if pace_wpm > 0 and every else None
    out: list[Finding] = []
    try:
        listener = Listener(manifest.book.language or "en")
    except NoModel as exc:
        return [Finding("markers", "marker_heard", True, "not listened", "a speech model", str(exc))]
    with listener:
        for t in tracks:
            cid = t.chapter_id
            if cid not in ops:
                continue
            path = Path(t.file)
            chapter_op, section_ops = ops[cid]
            titles = [s.title for s in by_id[cid].sections]
            markers, _ = read_markers(path)
            recordings = Recordings([str(path)], [0.0, t.duration_s])
            paced = _Pace(recordings, t.duration_s, texts.get(cid, []), book_pace)
            before = tracks.index(t)
            previous = (Path(tracks[before - 1].file), tracks[before - 1].duration_s) if before else None
            try:
                for k, m in enumerate(markers):
                    if k == 0:
                        if "(part " in m.title and "(part 1 " not in m.title:
                            continue  # a long chapter's later part opens mid-chapter
                        op = chapter_op
                    elif m.title in titles:
                        op = section_ops[titles.index(m.title)]
                    else:
                        continue
                    out.append(_listen(listener, recordings, path.name, m.title, m.start_s, t.duration_s,
                                       op, texts.get(cid, []), previous if k == 0 else None, allow_unverified, paced,
                                       first=before == 0 and k == 0))
            finally:
                recordings.close()
    return out


def _listen(listener: Listener, recordings: Recordings, name: str, title: str, at_s: float, duration_s: float,
            op: Opening, words: list[str], previous: tuple[Path, float] | None = None,
            allow_unverified: bool = False, paced: _Pace | None = None, first: bool = False) -> Finding:
    """One marker: its heading heard where it sits (`previous`: for a track's start, the track
    before it and its length, where a late cut leaves the heading)."""
    limit = f"heading within {LATE_S:g} s"
    if not op.phrases:
        return Finding(name, "marker_heard", True, "nothing to listen for", limit)
    longest = max(sum(len(w) + 1 for w in p) for p in op.phrases.values())
    text_late = op.heading_words * SECONDS_PER_WORD + 4.0  # a heading not recognised, then its pause
    span = LATE_S + max(SECONDS_PER_LETTER * longest + 0.5, text_late + 3.0)
    a = max(0.0, at_s - 1.0)
    phrases = {**op.phrases, **op.halves().phrases}  # one word said unlike the dictionary must not hide the rest
    hits = [(h.key, h.start_s + a) for h in listener.spot(recordings.read(a, min(duration_s, at_s + span)), phrases,
                                                          leniency=CONFIRM_LENIENCY)]
    heads = [s for k, s in hits if k != "text" and at_s - EARLY_S <= s <= at_s + LATE_S + 1.5 * (k == "part1")]
    texts = [s for k, s in hits if k == "text" and at_s - EARLY_S <= s <= at_s + text_late]
    where = f"{title!r} at {clock(at_s)}"
    if texts and not heads and op.heading_words:
        # the text is heard at the marker, its heading not: was the heading read before it?
        back = {k: v for k, v in phrases.items() if k != "text"}
        lo = max(0.0, at_s - LOOK_BACK_S)
        earlier = [h.start_s + lo for h in listener.spot(recordings.read(lo, max(lo, at_s - EARLY_S)), back,
                                                         leniency=CONFIRM_LENIENCY)]
        if earlier:
            return Finding(name, "marker_heard", False, f"heading at {clock(earlier[0])}", limit,
                           f"marker {where}: its heading is heard at {clock(earlier[0])} "
                           f"({earlier[0] - at_s:+.1f} s), before it — the cut is late; pin its start in "
                           "manifest.yaml and build again")
        if previous is not None and at_s < LOOK_BACK_S:  # a track's start: at the end of the track before?
            prev_path, prev_s = previous
            tail = Recordings([str(prev_path)], [0.0, prev_s])
            try:
                late = [h.start_s for h in listener.spot(tail.read(max(0.0, prev_s - LOOK_BACK_S), prev_s), back,
                                                         leniency=CONFIRM_LENIENCY)]
            finally:
                tail.close()
            if late:
                ago = min(LOOK_BACK_S, prev_s) - late[0]
                return Finding(name, "marker_heard", False, f"heading in {prev_path.name}", limit,
                               f"track {name}: its heading is heard {ago:.1f} s before the end of {prev_path.name}, "
                               "not at its start — the cut is late; pin the chapter's start in manifest.yaml and "
                               "build again")
    if heads or texts:
        heard = heads[0] if heads else texts[0]
        what = "its heading" if heads else "its first words"
        return Finding(name, "marker_heard", True, f"{what} at {clock(heard)}", limit)
    # not where it should be: heard nearby?
    lo, hi = max(0.0, at_s - SEARCH_S), min(duration_s, at_s + SEARCH_S)
    # (a phrase the chapter says more than once — a title whose words its text uses: "State Capitalism",
    # then 'calling it "state capitalism"' — heard elsewhere is no sign the marker is misplaced)
    near = [(k, h.start_s + lo) for h in listener.spot(recordings.read(lo, hi), op.phrases) for k in [h.key]
            if abs(h.start_s + lo - at_s) > LATE_S and _occurrences(words, op.phrases[k]) <= 1]
    if near:
        k, s = min(near, key=lambda x: abs(x[1] - at_s))
        what = "its heading" if k in HEADING_KEYS else "its first words"
        if s > at_s:  # heard at the marker's pause, after no more than a heading's worth of speech?
            heading = _heading_between(recordings, at_s, s, op.heading_words if k == "text" else
                                       op.heading_words - len(op.phrases.get(k) or []))
            if heading is not None:
                said = ("its heading, read in the narrator's own words" if k == "text" else
                        "the rest of its heading, read first")
                return Finding(name, "marker_heard", True, f"{what} at {clock(s)}", limit,
                               f"marker {where}: {what} at {clock(s)}, after {heading} of speech at the marker ({said})")
        return Finding(name, "marker_heard", False, f"{what} at {clock(s)}", limit,
                       f"marker {where}: {what} heard at {clock(s)} ({s - at_s:+.1f} s) — the marker is misplaced; "
                       "pin the section's start in manifest.yaml and build again")
    # what is said there instead: another part of the chapter's text? (not the part's own opening: a
    # section's first words lie that far into its chapter's text, and are what should be heard there)
    own = _offset(words, list(op.phrases.get("text") or []))
    phrases = {str(i): words[i:i + PHRASE_WORDS] for i in range(0, max(0, len(words) - 2), PHRASE_WORDS)
               if own is None or not own - PHRASE_WORDS <= i < own + OWN_OPENING_WORDS}
    if phrases:
        said = sorted((h.start_s + at_s, h.key) for h in listener.spot(recordings.read(at_s, min(duration_s, at_s + 8.0)),
                                                                          phrases))
        if said:
            s, key = said[0]
            text = " ".join(phrases[key])
            return Finding(name, "marker_heard", False, f"“{text} …”", limit,
                           f"marker {where}: heard “{text} …” there ({int(key)} words into the chapter's text), "
                           "not its heading — the marker is misplaced")
    if first and at_s < 0.05:
        return Finding(name, "marker_heard", True, "the recordings' start", limit,
                       f"marker {where}: the book's first, at the start of the recordings — nothing read before it")
    # ranked at the book's pace, then — where that tells nothing — at the track's own: the stretches fitted are
    # cut to the words' length at the pace, and a fit can be lost where one cuts into a word
    shift_s = 0.0
    heard_in = recordings
    if previous is not None:  # a track's start: the part before ends in the track before — heard across the two
        prev_path, shift_s = previous
        heard_in = Recordings([str(prev_path), recordings.paths[0]], [0.0, shift_s, shift_s + duration_s])
    try:
        for pace_s in paced.seconds() if paced is not None else [PACE_S]:
            found = _ranked(listener, heard_in, name, where, shift_s + at_s, shift_s + duration_s, op, limit,
                            allow_unverified, ending=previous is not None or at_s >= 0.05, shift_s=shift_s,
                            pace_s=pace_s)
            if found.value != "not verified":
                break
        return found
    finally:
        if heard_in is not recordings:
            heard_in.close()


class _Pace:
    """The narrator's pace (listen.boundary.pace): the book's, where the build's measure of it is known,
    and the track's speech over its chapter's letters, measured the first time it is asked for (only
    markers whose words cannot be spotted need it)."""

    def __init__(self, recordings: Recordings, duration_s: float, words: list[str], book: float | None = None):
        self.recordings, self.duration_s, self.words = recordings, duration_s, words
        self.book = book
        self._pace: float | None = None

    def seconds(self) -> Iterator[float]:
        """The paces to rank at, in turn: the book's (where known), then the track's own — measured only
        when the book's told nothing (it reads the whole track)."""
        if self.book:
            yield self.book
        if self.track() != self.book:
            yield self.track()

    def track(self) -> float:
        if self._pace is None:
            speech, t = 0.0, 0.0
            while t < self.duration_s and self.words:
                end = min(self.duration_s, t + PACE_BLOCK_S)
                speech += sum(b - a for a, b in speech_between(pauses_in(self.recordings.read(t, end), SAMPLE_RATE, t),
                                                              t, end))
                t = end
            self._pace = pace(speech, sum(len(w) + 1 for w in self.words))
        return self._pace


def _occurrences(words: list[str], phrase: list[str]) -> int:
    """How many times `phrase` is said in `words` (a chapter as read: its headings and text)."""
    n = len(phrase)
    return sum(words[i:i + n] == phrase for i in range(len(words) - n + 1)) if n else 0


def _offset(words: list[str], opening: list[str]) -> int | None:
    """Where a part's opening words (its first three) begin in its chapter's spoken words."""
    first = opening[:3]
    if not first:
        return None
    return next((i for i in range(len(words) - len(first) + 1) if words[i:i + len(first)] == first), None)


def _heading_between(recordings: Recordings, at_s: float, text_s: float, words: int) -> str | None:
    """Where a part's text (or the end of its heading) is heard after its marker: the speech between
    them, if it is `words` of a heading read aloud in any words (at most HEADING_STRETCHES stretches
    of speech, no longer than those words said slowly with a breath, what was heard starting after a
    pause) — as "1.2 s"; None where more is said there (the marker is early)."""
    a = max(0.0, at_s - 0.3)
    pauses = pauses_in(recordings.read(a, text_s + 0.3), SAMPLE_RATE, a)
    before_text = [p for p in pauses if p.end_s <= text_s + 0.3]
    if not before_text or text_s - before_text[-1].end_s > 0.6:
        return None  # the text's first words do not follow a pause
    said = speech_between(pauses, at_s, before_text[-1].start_s)
    spoken = sum(b - a for a, b in said)
    if len(said) > HEADING_STRETCHES or spoken > max(1, words) * SECONDS_PER_WORD + 2.0:
        return None
    return f"{spoken:.1f} s"


def _ranked(listener: Listener, recordings: Recordings, name: str, where: str, at_s: float, duration_s: float,
            op: Opening, limit: str, allow_unverified: bool, ending: bool = True, shift_s: float = 0.0,
            pace_s: float = PACE_S) -> Finding:
    """A marker whose words cannot be spotted: the pauses around it ranked as the build ranks them
    (`recordings` may join the track before to this one: then times are `shift_s` later than the track's;
    `ending`: whether the part before's last words can be in them)."""
    lo, hi = max(0.0, at_s - RANK_S), min(duration_s, at_s + RANK_S)
    every = pauses_in(recordings.read(lo, hi), SAMPLE_RATE, lo)
    if not any(p.start_s - 0.1 <= at_s <= p.end_s + 0.1 for p in every):
        every.append(Pause(max(0.0, at_s - 0.3), at_s + 0.3))
        every.sort(key=lambda p: p.start_s)
    # the candidates the build ranks (plan.anchor): pauses of RANK_PAUSE_S and more, shorter ones near where
    # the boundary is expected (here, the marker) — every short pause in a minute gave a wrong one as many
    # chances to come close, and left right markers not verified
    pauses = [p for p in every if p.end_s - p.start_s >= RANK_PAUSE_S or abs(p.end_s - at_s) <= NEAR_S
              or p.start_s - 0.1 <= at_s <= p.end_s + 0.1]
    ranked = rank_opening(listener, recordings, pauses, op, every, pace_s, ending)
    if ranked and ranked[0].heard:
        best = ranked[0].pause
        if best.start_s - 0.1 <= at_s <= best.end_s + 0.1:
            return Finding(name, "marker_heard", True, "its pause, ranked", limit,
                           f"marker {where}: the words around its pause fit it best of the {len(ranked)} pauses near it "
                           "(its own words could not be spotted)")
        at = best.end_s - shift_s
        return Finding(name, "marker_heard", False, f"the pause at {clock(at) if at >= 0 else 'the end of the track before'}",
                       limit, f"marker {where}: the words around it fit the pause at "
                       f"{clock(at) if at >= 0 else f'{-at:.1f} s before the end of the track before'} "
                       f"({best.end_s - at_s:+.1f} s) best — the marker is misplaced; pin the start in manifest.yaml "
                       "and build again")
    return Finding(name, "marker_heard", allow_unverified, "not verified", limit,
                   f"marker {where}: not verified — neither its heading nor the text around it could be heard (a voice "
                   "the recogniser cannot follow?); listen to it"
                   + ("" if allow_unverified else ", and pass --allow-unverified to accept markers not heard"))
