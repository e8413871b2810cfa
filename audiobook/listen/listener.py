"""Listening to narration: where a phrase is spoken, and when each word of a passage is.

pocketsphinx (its wheel ships an English acoustic model and the CMU dictionary) does the
listening, offline, on the CPU. Keyword spotting finds a phrase in a stretch of audio
against a free phone loop (so what else is said there does not matter); forced alignment
times each word of a passage known to be spoken there. Words the dictionary lacks are
given espeak-ng's pronunciation (`pronounce`), never dropped.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass

import numpy as np

from audiobook.listen.pronounce import espeak

SAMPLE_RATE = 16000  # the acoustic model's
FRAME_S = 0.01
_LANGUAGES = ("en",)  # what the shipped model speaks


class NoModel(Exception):
    """No acoustic model for the book's language (or pocketsphinx is not installed)."""


@dataclass(frozen=True)
class Hit:
    """A phrase heard: `key` names the phrase asked for; times in seconds into the audio given."""

    key: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class WordTime:
    word: str
    start_s: float
    end_s: float


def has_model(language: str) -> bool:
    return language.lower().split("-")[0].split("_")[0] in _LANGUAGES


class Listener:
    """One recogniser (the model takes about a second to load): keep it for every question asked."""

    def __init__(self, language: str = "en"):
        if not has_model(language):
            raise NoModel(f"no speech model for the book's language {language!r} (English only)")
        try:
            from pocketsphinx import Decoder
        except ImportError as exc:  # pragma: no cover - a dependency
            raise NoModel(f"pocketsphinx is not installed ({exc})") from None
        # ds=2: acoustic scores every other frame, which halves the cost and moves times by 10 ms at most
        self._decoder = Decoder(loglevel="FATAL", lm=None, ds=2, samprate=SAMPLE_RATE)
        self._known: dict[str, bool] = {}
        self._kws = 0
        self._free_loop = False

    def close(self) -> None:
        self._decoder = None

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def knows(self, word: str) -> bool:
        """Whether `word` can be listened for, giving it espeak-ng's pronunciation if need be."""
        if word not in self._known:
            ok = self._decoder.lookup_word(word) is not None
            if not ok:
                es = espeak()
                phones = es.arpabet(word) if es else []
                if phones:
                    self._decoder.add_word(word, " ".join(phones), True)
                    ok = True
            self._known[word] = ok
        return self._known[word]

    def phones(self, word: str) -> int:
        """How many sounds `word` is said in (0 when it cannot be listened for): a measure of the
        time it takes to say that holds for numbers ("562000") and long words alike."""
        if not self.knows(word):
            return 0
        said = self._decoder.lookup_word(word)
        return len(said.split()) if said else 0

    def speakable(self, words: list[str]) -> list[str]:
        return [w for w in words if self.knows(w)]

    def spot(self, audio: np.ndarray, phrases: dict[str, list[str]], leniency: int = 0) -> list[Hit]:
        """Where in `audio` (16 kHz mono float) each phrase is heard; a phrase may be heard several
        times or not at all. Phrases are lists of words; ones left empty are not listened for.
        `leniency` lowers the detection threshold by that many powers of ten: for confirming a
        phrase in a stretch already thought to hold it, never for searching."""
        lines = {}
        for key, words in phrases.items():
            words = self.speakable(words)
            if words:
                lines[" ".join(words)] = key
        if not lines or len(audio) < SAMPLE_RATE // 10:
            return []
        self._kws += 1
        name = f"kws{self._kws}"
        # the decoder reads its phrases from a file: one that lives only while it is read
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix="audiobook-kws-", suffix=".txt",
                                         delete=False) as f:
            for phrase in lines:
                f.write(f"{phrase} /1e-{_threshold_exponent(phrase) + leniency}/\n")
        try:
            self._decoder.add_kws(name, f.name)
        finally:
            os.unlink(f.name)
        self._decoder.activate_search(name)
        self._run(audio)
        hits = [Hit(lines[s.word.strip()], s.start_frame * FRAME_S, (s.end_frame + 1) * FRAME_S)
                for s in (self._decoder.seg() or []) if s.word.strip() in lines]
        self._decoder.remove_search(name)
        return sorted(hits, key=lambda h: h.start_s)

    def align(self, audio: np.ndarray, words: list[str]) -> list[WordTime]:
        """Each of `words`' times in `audio`, which must hold them (and silence) only; [] when it cannot."""
        words = self.speakable(words)
        if not words:
            return []
        self._decoder.set_align_text(" ".join(words))
        try:
            self._run(audio)
            segs = self._decoder.seg() or []
        except RuntimeError:
            return []
        return [WordTime(_word(s.word), s.start_frame * FRAME_S, (s.end_frame + 1) * FRAME_S)
                for s in segs if not s.word.startswith(("<", "["))]

    def align_grammar(self, audio: np.ndarray, final_state: int,
                      transitions: list[tuple]) -> list[tuple[str, float, float]]:
        """The words (and their times in `audio`, seconds) of the best path through a grammar from
        state 0 to `final_state`: `transitions` as pocketsphinx's create_fsg takes them ((from, to,
        probability, word), or without the word for a step that says nothing); pauses may fall
        anywhere. [] when no path fits."""
        self._grammar("follow", final_state, transitions)
        try:
            self._run(audio)
            # read before the search is removed: the segments point into it
            return [(_word(s.word), s.start_frame * FRAME_S, (s.end_frame + 1) * FRAME_S)
                    for s in self._decoder.seg() or [] if not s.word.startswith(("<", "["))]
        except RuntimeError:
            return []
        finally:
            self._decoder.remove_search("follow")

    def fit(self, audio: np.ndarray, words: list[str], min_s: float = 0.0, before: list[str] | tuple[str, ...] = (),
            after: list[str] | tuple[str, ...] = ()) -> float | None:
        """How well `words`, said in order, account for all of `audio`: the forced alignment's acoustic
        score a frame (higher is better; comparable between stretches of about the same length for the
        same words); None where they cannot be aligned at all, or only squeezed into less than `min_s`
        with the rest of the stretch taken as silence (the silence's good score would otherwise make a
        poor fit of the words look good). Unlike spotting, this asks no threshold: it ranks candidates,
        so it holds on voices the model follows badly (espeak-ng's), whose every score is low.

        Where the words around them are given, the stretch's ends are left open — `before`: words that
        may be said first, the stretch beginning anywhere in them; `after`: words that may follow, it
        ending anywhere in them — and no pauses are offered between words (pauses offered everywhere are
        where the right path was lost on espeak-ng's voice: a stretch is cut to the words' length at the
        narrator's pace, so it starts or ends a little inside the words around). Where they are not given,
        or cannot be aligned so, the words alone are aligned with pauses anywhere; an alignment that stops
        short of the last words (pocketsphinx gives one where the final state is not reached: the stretch
        cut before the words' end) is then a fit too. The open-ended alignment is asked first: on a
        10-hour espeak-ng book the words alone could be aligned whole in 14 % of the stretches ranked, and
        where they could not, the open-ended way in 18 % more (each asked in turn: two alignments); asked
        first, it fits alone (its planning 67 s -> 61 s, the plans the same). Measure a fit against `free`
        to tell words said from words forced."""
        words = self.speakable(words)
        if not words or len(audio) < SAMPLE_RATE // 10:
            return None
        before, after = self.speakable(list(before)), self.speakable(list(after))
        # only with an end left open: a short phrase alone, without pauses, fits a burst of noise
        hyp = self._open_fit(audio, before, words, after) if before or after else None
        if hyp is None:
            self._decoder.set_align_text(" ".join(words))
            try:
                self._run(audio)
                hyp = self._decoder.hyp()
            except RuntimeError:
                hyp = None
            if hyp is None or hyp.score <= 0.0 or not hyp.hypstr:
                return None
        if self._said_s() < min_s:
            return None
        return _per_frame(hyp, audio)

    def free(self, audio: np.ndarray) -> float | None:
        """How well any sounds at all account for `audio`: a phone loop's score a frame, every phone
        as likely after every other — the yardstick `fit` is measured against (words said there fit
        about as well as the free loop; other words forced onto the speech, clearly worse)."""
        if len(audio) < SAMPLE_RATE // 10:
            return None
        if not self._free_loop:
            self._decoder.add_allphone_file("free", None)
            self._free_loop = True
        self._decoder.activate_search("free")
        try:
            self._run(audio)
            hyp = self._decoder.hyp()
        except RuntimeError:
            return None
        return _per_frame(hyp, audio) if hyp is not None and hyp.score > 0.0 else None

    def _said_s(self) -> float:
        """Seconds of words (not pauses) in the last search's segments."""
        return FRAME_S * sum(s.end_frame - s.start_frame + 1 for s in self._decoder.seg() or []
                             if not s.word.startswith(("<", "[")))

    def _open_fit(self, audio: np.ndarray, before: list[str], words: list[str], after: list[str]):
        """`words` aligned to `audio` by a grammar that may enter anywhere in `before` and leave
        anywhere in `after`, no pauses between words: the hypothesis, or None (left in the decoder
        for its segments)."""
        seq = before + words + after
        final = len(seq)
        transitions: list[tuple] = [(k, k + 1, 1.0, w) for k, w in enumerate(seq)]
        transitions += [(0, k, 1.0) for k in range(1, len(before) + 1)]
        transitions += [(k, final, 1.0) for k in range(len(before) + len(words), final)]
        self._decoder.config["fsgusefiller"] = False
        try:
            self._grammar("fit", final, transitions)
            self._run(audio)
            hyp = self._decoder.hyp()
        except RuntimeError:
            hyp = None
        finally:
            self._decoder.config["fsgusefiller"] = True
        if hyp is None or hyp.score <= 0.0 or f" {' '.join(words)} " not in f" {hyp.hypstr} ":
            return None  # a path that stops short of the words (the final state not reached) is no fit
        return hyp

    def _grammar(self, name: str, final_state: int, transitions: list[tuple]) -> None:
        """A grammar search (pocketsphinx's create_fsg from state 0 to `final_state`) made the active one."""
        self._decoder.add_fsg(name, self._decoder.create_fsg(name, 0, final_state, transitions))
        self._decoder.activate_search(name)

    def _run(self, audio: np.ndarray) -> None:
        pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        self._decoder.start_utt()
        self._decoder.process_raw(pcm, full_utt=True)
        self._decoder.end_utt()


def _word(token: str) -> str:
    """A word as the decoder names it, without an alternate pronunciation's mark ("read(2)")."""
    return token.split("(")[0]


def _per_frame(hyp, audio: np.ndarray) -> float:
    """A hypothesis's score a frame of `audio`. The bindings give the path score as a probability (the
    log-domain score through the decoder's LogMath): its logarithm is the score again, up to a scale
    shared by every call."""
    return math.log(hyp.score) / (len(audio) / (SAMPLE_RATE * FRAME_S))


def _threshold_exponent(phrase: str) -> int:
    """Keyword spotting's detection threshold is 1e-N: longer phrases need a lower one to be found
    at all, shorter ones a higher one to keep false alarms out (the CMU Sphinx guidance, 1e-5 to
    1e-50); one power of ten a letter held on every voice tried (flite's, LibriVox readers')."""
    return min(60, max(10, len(phrase.replace(" ", ""))))
