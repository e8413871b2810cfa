"""Test audio made in code: seeded, seconds long, with exactly known answers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def db_to_amp(db: float) -> float:
    return 10 ** (db / 20)


def sine(freq: float, seconds: float, fs: int = 48000, peak_dbfs: float = 0.0, phase: float = 0.0) -> np.ndarray:
    t = np.arange(int(round(seconds * fs))) / fs
    return db_to_amp(peak_dbfs) * np.sin(2 * np.pi * freq * t + phase)


@dataclass
class Narration:
    """Synthetic narration: words grouped in phrases over room tone, with the pauses known exactly."""

    audio: np.ndarray
    fs: int
    pauses: list[tuple[float, float]] = field(default_factory=list)  # (start, end) of every pause >= 0.3 s
    speech: list[tuple[float, float]] = field(default_factory=list)  # (start, end) of every word


def _word(n: int, fs: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / fs
    f0 = rng.uniform(95, 210)
    voiced = sum(np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 2 * np.pi)) / k for k in range(1, 25))
    noise = rng.standard_normal(n) * 0.3
    # syllable envelope that starts and ends at a clear level (a 5 ms ramp, no long fade)
    env = 0.55 + 0.45 * np.abs(np.sin(np.pi * rng.uniform(2.0, 4.0) * t + rng.uniform(0, 1)))
    ramp = min(n // 2, int(0.005 * fs))
    env[:ramp] *= np.linspace(0, 1, ramp)
    env[-ramp:] *= np.linspace(1, 0, ramp)
    return (voiced + noise) * env


def narration(seconds: float = 30.0, fs: int = 48000, seed: int = 0, speech_rms_dbfs: float = -18.0,
              room_tone_dbfs: float = -62.0, gain_db: float = 0.0, breaths: bool = True,
              clicks: bool = True) -> Narration:
    """Phrases of words (gaps under 0.15 s) separated by pauses of 0.4–3 s, with breaths and mouth
    clicks inside some pauses; everything scaled by `gain_db`."""
    rng = np.random.default_rng(seed)
    n = int(seconds * fs)
    out = rng.standard_normal(n) * db_to_amp(room_tone_dbfs)
    words: list[tuple[float, float]] = []
    pauses: list[tuple[float, float]] = []
    t = rng.uniform(0.5, 1.0)
    pauses.append((0.0, t))
    while True:
        phrase_end = t + rng.uniform(1.5, 5.0)
        if phrase_end > seconds - 1.0:
            break
        while t < phrase_end:
            length = rng.uniform(0.15, 0.6)
            a, b = int(t * fs), int((t + length) * fs)
            w = _word(b - a, fs, rng)
            out[a:b] += w * db_to_amp(speech_rms_dbfs) / np.sqrt(np.mean(w ** 2))
            words.append((a / fs, b / fs))
            t = b / fs + rng.uniform(0.04, 0.12)
        end_of_phrase = words[-1][1]
        gap = rng.uniform(0.4, 3.0)
        pauses.append((end_of_phrase, end_of_phrase + gap))
        if breaths and gap > 1.0 and end_of_phrase + gap < seconds:  # a breath: broadband, 25 dB below speech, 0.4 s
            a = int((end_of_phrase + gap / 2 - 0.2) * fs)
            b = a + int(0.4 * fs)
            br = rng.standard_normal(b - a) * np.hanning(b - a)
            out[a:b] += br * db_to_amp(speech_rms_dbfs - 25) / np.sqrt(np.mean(br ** 2))
        if clicks and gap > 0.6 and end_of_phrase + gap < seconds:  # a mouth click: 3 ms spike
            a = int((end_of_phrase + 0.25) * fs)
            out[a:a + int(0.003 * fs)] += db_to_amp(speech_rms_dbfs - 6) * rng.standard_normal(int(0.003 * fs))
        t = end_of_phrase + gap
    pauses[-1] = (pauses[-1][0], seconds)
    return Narration((out * db_to_amp(gain_db)).astype(np.float32), fs, pauses, words)


def noise(seconds: float, fs: int = 48000, seed: int = 0, rms_dbfs: float = -20.0, channels: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((int(seconds * fs), channels)) * db_to_amp(rms_dbfs)
    return x.astype(np.float32) if channels > 1 else x[:, 0].astype(np.float32)


@dataclass
class ReadBook:
    """Sessions of a synthetic book read aloud, with where each chapter and section really starts."""

    sessions: list[np.ndarray]
    fs: int
    chapter_starts: list[float]  # timeline seconds of each chapter's first word
    section_starts: list[list[float]]  # per chapter, each section's first word
    chapter_words: list[int]
    section_words: list[list[int]]


def read_book(sections_s: list[list[float]], fs: int = 16000, seed: int = 0, breaks_after: tuple[int, ...] = (),
              words_per_s: float = 2.7, pace_jitter: float = 0.08, levels_db: tuple[float, ...] = (-18.0,),
              chapter_pause_s: tuple[float, float] = (3.2, 5.5), section_pause_s: tuple[float, float] = (1.6, 2.8),
              heading_pause_s: tuple[float, float] = (0.6, 1.0),
              chapter_heading_pause_s: tuple[float, float] = (1.0, 1.5)) -> ReadBook:
    """Read chapters (each a list of section speech lengths, seconds) the way narrators do:
    sentences 0.3–0.9 s apart, paragraphs up to 1.4 s, sections 1.6–2.8 s, chapters 3.2–5.5 s;
    a section's heading read, then `heading_pause_s` before its text (a chapter's,
    `chapter_heading_pause_s`).

    A session ends after the chapters listed in `breaks_after` (chapter indices), or in the
    middle of a chapter given as a float (3.5: inside chapter 3, between its sections).
    Word counts are what the speech time predicts, each off by up to `pace_jitter`.
    """
    rng = np.random.default_rng(seed)
    pieces: list[np.ndarray] = []
    t = 0.0
    chapter_starts, section_starts, chapter_words, section_words = [], [], [], []
    cut_times = []

    def add(x: np.ndarray) -> None:
        nonlocal t
        pieces.append(x)
        t += len(x) / fs

    def silence(seconds: float) -> None:
        add(np.zeros(int(seconds * fs)))

    def speak(seconds: float) -> None:
        """Words and sentence pauses for `seconds` of speech."""
        left = seconds
        while left > 0.2:
            sentence = min(left, rng.uniform(2.0, 5.0))
            spoken = 0.0
            while spoken < sentence:
                n = int(rng.uniform(0.15, 0.5) * fs)
                w = _word(n, fs, rng)
                add(w / np.sqrt(np.mean(w ** 2)))
                spoken += n / fs
                gap = rng.uniform(0.04, 0.12)
                silence(gap)
            left -= sentence
            silence(rng.uniform(0.3, 0.9) if rng.random() > 0.2 else rng.uniform(1.0, 1.4))

    def speak_heading(seconds: float) -> None:
        spoken = 0.0
        while spoken < seconds:
            n = int(rng.uniform(0.2, 0.45) * fs)
            w = _word(n, fs, rng)
            add(w / np.sqrt(np.mean(w ** 2)))
            spoken += n / fs
            silence(rng.uniform(0.04, 0.1))

    silence(1.0)
    for c, sections in enumerate(sections_s):
        if c:
            silence(rng.uniform(*chapter_pause_s))
        chapter_starts.append(t)
        speak_heading(rng.uniform(1.6, 2.2))  # "Chapter Three. Title."
        silence(rng.uniform(*chapter_heading_pause_s))
        starts, words = [], []
        for s, length in enumerate(sections):
            if s:
                silence(rng.uniform(*section_pause_s))
            starts.append(t)
            speak_heading(rng.uniform(0.9, 1.4))  # "One. Section title."
            silence(rng.uniform(*heading_pause_s))
            speak(length)
            words.append(int(length * words_per_s * rng.uniform(1 - pace_jitter, 1 + pace_jitter)))
            if c + (s + 1) / (len(sections) + 1) in breaks_after or (s == len(sections) - 1 and c in breaks_after):
                cut_times.append(t + 0.8)
        section_starts.append(starts)
        section_words.append(words)
        chapter_words.append(sum(words))
    silence(2.0)
    audio = np.concatenate(pieces)
    bounds = [0] + [int(x * fs) for x in cut_times] + [len(audio)]
    sessions = []
    for n, (a, b) in enumerate(zip(bounds, bounds[1:])):
        level = db_to_amp(levels_db[n % len(levels_db)])
        room = rng.standard_normal(b - a) * db_to_amp(-64.0) * level / db_to_amp(-18.0)
        sessions.append((audio[a:b] * level * db_to_amp(-0.5) + room).astype(np.float32))
    return ReadBook(sessions, fs, chapter_starts, section_starts, chapter_words, section_words)


def png(width: int, height: int) -> bytes:
    """A valid PNG of one colour (for cover-art tests): header, one IDAT, end."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x80\x20\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
