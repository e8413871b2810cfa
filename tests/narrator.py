"""A test narrator: a book read aloud by flite, with a real narrator's habits, and the truth of it.

Each utterance (a heading, a paragraph) is synthesised on its own and joined with pauses of
room tone (seeded noise, never digital silence), so where every heading's first word starts
is known to the sample: `Reading.heading_starts` (seconds into its session, per chapter and
section). Habits: the heading read in one of several shapes, a long pause after it and a
short one before, "thinking" pauses between paragraphs longer than a section break, a pace
that differs by chapter.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 16000  # flite's
ROOM_TONE_DBFS = -62.0
NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]


def have_flite() -> bool:
    return shutil.which("flite") is not None


def have_espeak() -> bool:
    return shutil.which("espeak-ng") is not None


@dataclass
class Chapter:
    label: str  # "Chapter 2"
    title: str
    paragraphs: list[str]
    sections: list[tuple[str, list[str]]] = field(default_factory=list)  # (title, paragraphs)

    def markdown(self) -> str:
        out = [f"# {self.label}: {self.title}", ""] + [p + "\n" for p in self.paragraphs]
        for title, paras in self.sections:
            out += [f"## {title}", ""] + [p + "\n" for p in paras]
        return "\n".join(out)


@dataclass
class Reading:
    sessions: list[Path]
    chapter_starts: list[tuple[int, float]]  # (session, seconds) of each chapter's first spoken word
    section_starts: list[list[tuple[int, float]]]
    slips: list[tuple[str, int, float]] = field(default_factory=list)  # what, session, seconds


def say(text: str, voice: str = "slt", stretch: float = 1.0) -> np.ndarray:
    """flite's reading of `text` (or espeak-ng's, for a voice "espeak:NAME", e.g. "espeak:en-us+f3"),
    trimmed to its speech (float32, RATE)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "u.wav"
        if voice.startswith("espeak:"):
            command = ["espeak-ng", "-v", voice.split(":", 1)[1], "-s", str(round(160 / stretch)), "-w", str(out), text]
        else:
            command = ["flite", "-voice", voice, "--setf", f"duration_stretch={stretch}", "-t", text, "-o", str(out)]
        subprocess.run(command, check=True, capture_output=True)
        x, rate = sf.read(str(out), dtype="float32")
    if rate != RATE:  # kal speaks at 8 kHz
        import soxr

        x = soxr.resample(x, rate, RATE).astype(np.float32)
    loud = np.flatnonzero(np.abs(x) > 0.02)
    return x[max(0, loud[0] - 40): loud[-1] + 400] if len(loud) else x


def spoken_heading(ch: Chapter, shape: str) -> str:
    """The heading as the narrator reads it: 'full' ("Chapter Two. Title."), 'number' ("Two."),
    'title' (the title alone), 'title-then-label' ("Title. Chapter Two."), 'announced' (a LibriVox
    announcement first: "Section two of The Revolution Betrayed. This is a LibriVox recording. ...")."""
    *kind, number = ch.label.split()
    if number.isdigit():
        word = NUMBERS[int(number)] if int(number) < len(NUMBERS) else number
        label = " ".join(kind + [word])
    else:  # "Introduction", "Appendix"
        word, label = ch.title, ch.label
    if not ch.title or ch.title.lower() == label.lower():
        return f"{label}."
    if shape == "announced":
        return (f"Section {word} of The Revolution Betrayed. This is a LibriVox recording. All LibriVox recordings "
                f"are in the public domain. {label}. {ch.title}.")
    return {"full": f"{label}. {ch.title}.", "number": f"{word.capitalize()}.", "title": f"{ch.title}.",
            "title-then-label": f"{ch.title}. {label}."}[shape]


class _Sessions:
    """Session files written as the narration goes (memory stays flat), each at its own level."""

    def __init__(self, folder: Path, rng: np.random.Generator, gains_db: list[float] | None):
        self.folder, self.rng, self.gains_db = folder, rng, gains_db
        self.paths: list[Path] = []
        self.file: sf.SoundFile | None = None
        self.done = 0

    def open(self) -> None:
        self.close()
        path = self.folder / f"session-{len(self.paths) + 1:02d}.wav"
        self.paths.append(path)
        self.file = sf.SoundFile(str(path), "w", RATE, 1, subtype="PCM_16")
        self.done = 0

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def put(self, x: np.ndarray) -> None:
        gain = 10 ** ((self.gains_db[len(self.paths) - 1] if self.gains_db else 0.0) / 20)
        noise = self.rng.standard_normal(len(x)).astype(np.float32) * 10 ** (ROOM_TONE_DBFS / 20)
        self.file.write(np.clip((x * gain + noise), -1, 1).astype(np.float32))
        self.done += len(x)

    @property
    def seconds(self) -> float:
        return self.done / RATE


def read_book(chapters: list[Chapter], folder: Path, *, seed: int = 1, voice: str = "slt",
              shapes: list[str] | None = None, sessions: int = 1, thinking_every: int = 3,
              stretches: list[float] | None = None, session_minutes: float | None = None,
              gains_db: list[float] | None = None, realistic: bool = False,
              slips: dict[tuple[int, int], str] | None = None, closings: bool = False) -> Reading:
    """Narrate `chapters` into `folder`/session-NN.wav (16-bit, RATE) and return the truth.

    `closings`: each chapter ends with a LibriVox closing formula ("End of chapter one.").

    `sessions`: split at chapter starts into this many; or `session_minutes`: a new session
    after the paragraph that passes this length (mid-chapter, as narrators stop).
    `realistic`: the pauses of issue 19's narrator — 1.2–5 s before a chapter heading and
    1.5–3.5 s after it, 1–3 s around section headings, 0.5–1.4 s between paragraphs and a
    thinking pause of 2.5–4.5 s about every four minutes; else shorter, tidier ones.
    `slips`: (chapter, paragraph in it, counting from 0 across its sections) -> what the narrator
    does there: "omitted" (skips the paragraph), "repeated" (reads its first sentence twice),
    "flub" (starts its first sentence, breaks off, reads it again), "extra" (says an aside
    first). Where each happened goes in `Reading.slips`.
    """
    rng = np.random.default_rng(seed)
    shapes = shapes or ["full"] * len(chapters)
    stretches = stretches or [1.0] * len(chapters)
    per_session = -(-len(chapters) // sessions)
    folder.mkdir(parents=True, exist_ok=True)
    out = _Sessions(folder, rng, gains_db)
    out.open()
    reading = Reading(out.paths, [], [])
    last_thought = 0.0

    def pause(seconds: float) -> None:
        out.put(np.zeros(int(seconds * RATE), np.float32))

    def speak(text: str, stretch: float) -> tuple[int, float]:
        x = say(text, voice, stretch)
        at = out.seconds + float(np.flatnonzero(np.abs(x) > 0.02)[0]) / RATE
        out.put(x)
        return len(out.paths) - 1, at

    paragraphs_said = 0
    for n, ch in enumerate(chapters):
        if session_minutes is None and n and n % per_session == 0:
            pause(rng.uniform(1.5, 2.5))
            out.open()
            pause(rng.uniform(0.8, 1.5))
        if realistic:
            pause(rng.uniform(1.2, 5.0) if n else rng.uniform(0.8, 1.2))
        else:
            pause(rng.uniform(0.7, 1.0) if n else rng.uniform(0.8, 1.2))  # a short pause before the heading
        reading.chapter_starts.append(speak(spoken_heading(ch, shapes[n]), stretches[n]))
        pause(rng.uniform(1.5, 3.5) if realistic else rng.uniform(1.8, 3.5))  # and a long one after it
        starts = []
        blocks = [(None, ch.paragraphs)] + list(ch.sections)
        paragraph = 0
        for title, paras in blocks:
            if title is not None:
                pause(rng.uniform(1.0, 3.0) if realistic else rng.uniform(1.0, 2.0))
                starts.append(speak(f"{title}.", stretches[n]))
                pause(rng.uniform(1.0, 3.0) if realistic else rng.uniform(1.0, 2.0))
            for p in paras:
                slip = (slips or {}).get((n, paragraph))
                paragraph += 1
                first = p.split(". ")[0].rstrip(".") + "."
                if slip == "omitted":
                    reading.slips.append(("omitted", len(out.paths) - 1, out.seconds))
                    continue
                if slip == "repeated":
                    reading.slips.append(("repeated", *speak(first, stretches[n])))
                    pause(rng.uniform(0.5, 0.9))
                elif slip == "flub":
                    reading.slips.append(("flub", *speak(" ".join(first.split()[:4]) + "—", stretches[n])))
                    pause(rng.uniform(0.6, 1.0))
                elif slip == "extra":
                    reading.slips.append(("extra", *speak("Sorry, hold on, I lost my place there. Take two.",
                                                          stretches[n])))
                    pause(rng.uniform(0.8, 1.2))
                speak(p, stretches[n])
                paragraphs_said += 1
                if session_minutes is not None and out.seconds > session_minutes * 60:
                    pause(rng.uniform(1.5, 2.5))
                    out.open()
                    pause(rng.uniform(0.8, 1.5))
                    last_thought = 0.0
                elif realistic:
                    thinking = out.seconds - last_thought > rng.uniform(200, 280)
                    last_thought = out.seconds if thinking else last_thought
                    pause(rng.uniform(2.5, 4.5) if thinking else rng.uniform(0.5, 1.4))
                else:
                    pause(rng.uniform(2.6, 4.0) if paragraphs_said % thinking_every == 0 else rng.uniform(0.5, 1.2))
        reading.section_starts.append(starts)
        if closings:
            *kind, number = ch.label.split()
            said = NUMBERS[int(number)] if number.isdigit() and int(number) < len(NUMBERS) else number
            speak(f"End of {' '.join(kind + [said]).lower()}.", stretches[n])
    pause(0.05)  # the session stops right after the last word
    out.close()
    return reading
