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
    """flite's reading of `text`, trimmed to its speech (float32, RATE)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "u.wav"
        subprocess.run(["flite", "-voice", voice, "--setf", f"duration_stretch={stretch}", "-t", text, "-o", str(out)],
                       check=True, capture_output=True)
        x, rate = sf.read(str(out), dtype="float32")
    if rate != RATE:  # kal speaks at 8 kHz
        import soxr

        x = soxr.resample(x, rate, RATE).astype(np.float32)
    loud = np.flatnonzero(np.abs(x) > 0.02)
    return x[max(0, loud[0] - 40): loud[-1] + 400] if len(loud) else x


def spoken_heading(ch: Chapter, shape: str) -> str:
    """The heading as the narrator reads it: 'full' ("Chapter Two. Title."), 'number' ("Two."),
    'title' (the title alone), 'title-then-label' ("Title. Chapter Two.")."""
    number = ch.label.split()[-1]
    word = NUMBERS[int(number)] if number.isdigit() and int(number) < len(NUMBERS) else number
    label = f"{ch.label.split()[0]} {word}"
    return {"full": f"{label}. {ch.title}.", "number": f"{word.capitalize()}.", "title": f"{ch.title}.",
            "title-then-label": f"{ch.title}. {label}."}[shape]


def read_book(chapters: list[Chapter], folder: Path, *, seed: int = 1, voice: str = "slt",
              shapes: list[str] | None = None, sessions: int = 1, thinking_every: int = 3,
              stretches: list[float] | None = None) -> Reading:
    """Narrate `chapters` into `folder`/session-NN.wav (16-bit, RATE) and return the truth."""
    rng = np.random.default_rng(seed)
    shapes = shapes or ["full"] * len(chapters)
    stretches = stretches or [1.0] * len(chapters)
    per_session = -(-len(chapters) // sessions)
    folder.mkdir(parents=True, exist_ok=True)
    reading = Reading([], [], [])
    pieces: list[np.ndarray] = []
    done = 0  # samples in the current session

    def pause(seconds: float) -> None:
        nonlocal done
        n = int(seconds * RATE)
        pieces.append((rng.standard_normal(n) * 10 ** (ROOM_TONE_DBFS / 20)).astype(np.float32))
        done += n

    def speak(text: str, stretch: float) -> float:
        nonlocal done
        x = say(text, voice, stretch)
        at = done / RATE + float(np.flatnonzero(np.abs(x) > 0.02)[0]) / RATE
        pieces.append(x + (rng.standard_normal(len(x)) * 10 ** (ROOM_TONE_DBFS / 20)).astype(np.float32))
        done += len(x)
        return at

    def close_session() -> None:
        nonlocal pieces, done
        path = folder / f"session-{len(reading.sessions) + 1:02d}.wav"
        sf.write(str(path), np.concatenate(pieces), RATE, subtype="PCM_16")
        reading.sessions.append(path)
        pieces, done = [], 0

    paragraphs_said = 0
    for n, ch in enumerate(chapters):
        session = len(reading.sessions)
        if n and n % per_session == 0:
            pause(rng.uniform(1.5, 2.5))
            close_session()
            session += 1
        pause(rng.uniform(0.7, 1.0) if n else rng.uniform(0.8, 1.2))  # a short pause before the heading
        reading.chapter_starts.append((session, speak(spoken_heading(ch, shapes[n]), stretches[n])))
        pause(rng.uniform(1.8, 3.5))  # and a long one after it
        starts = []
        blocks = [(None, ch.paragraphs)] + list(ch.sections)
        for title, paras in blocks:
            if title is not None:
                pause(rng.uniform(1.0, 2.0))
                starts.append((session, speak(f"{title}.", stretches[n])))
                pause(rng.uniform(1.0, 2.0))
            for p in paras:
                speak(p, stretches[n])
                paragraphs_said += 1
                pause(rng.uniform(2.6, 4.0) if paragraphs_said % thinking_every == 0 else rng.uniform(0.5, 1.2))
        reading.section_starts.append(starts)
    pause(0.05)  # the session stops right after the last word
    close_session()
    return reading
