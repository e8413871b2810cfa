"""Narration-like audio of any length, written block by block (for the benchmark and the demo).

Speech comes from espeak-ng when it is installed (sentences of The Revolution Betrayed),
otherwise from a seeded speech-like signal; either way it is laid out as a narrator reads:
phrases, pauses between sentences, longer ones between paragraphs, room tone throughout.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parents[1]
TEXT = ROOT / "tests" / "data" / "revolution-betrayed-pdf-dump.txt"


def has_espeak() -> bool:
    return bool(shutil.which("espeak-ng") or shutil.which("espeak"))


def espeak(text: str, fs: int, voice: str = "en-gb", wpm: int = 165) -> np.ndarray | None:
    """`text` spoken by espeak-ng at `fs` (float32 mono), or None when espeak-ng is not installed."""
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        subprocess.run([exe, "-v", voice, "-s", str(wpm), "-w", str(out), text], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        x, rate = sf.read(str(out), dtype="float32")
    if x.ndim > 1:
        x = x.mean(axis=1)
    if rate != fs:
        ratio = Fraction(fs, rate)
        x = resample_poly(x, ratio.numerator, ratio.denominator).astype(np.float32)
    return _trim(x)


def has_flite() -> bool:
    return shutil.which("flite") is not None


def flite(text: str, fs: int, voice: str = "rms", stretch: float = 1.0) -> np.ndarray | None:
    """`text` spoken by flite (Debian's package) at `fs` (float32 mono), or None without flite."""
    if not has_flite():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        subprocess.run(["flite", "-voice", voice, "--setf", f"duration_stretch={stretch}", "-t", text, "-o", str(out)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        x, rate = sf.read(str(out), dtype="float32")
    if rate != fs:
        ratio = Fraction(fs, rate)
        x = resample_poly(x, ratio.numerator, ratio.denominator).astype(np.float32)
    return _trim(x)


def _trim(x: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    loud = np.flatnonzero(np.abs(x) > threshold)
    return x[loud[0]: loud[-1] + 1] if len(loud) else x


def synthetic_sentence(fs: int, rng: np.random.Generator) -> np.ndarray:
    """A speech-like sentence: voiced syllables with formant-ish harmonics and short gaps."""
    parts = []
    for _ in range(rng.integers(6, 18)):
        n = int(rng.uniform(0.12, 0.4) * fs)
        t = np.arange(n) / fs
        f0 = rng.uniform(95, 180) * (1 + 0.1 * np.sin(2 * np.pi * 3 * t))
        phase = 2 * np.pi * np.cumsum(f0) / fs
        voiced = sum(np.sin(k * phase) * np.exp(-k / 8) for k in range(1, 30))
        env = np.sin(np.pi * t / t[-1]) ** 0.5
        parts.append((voiced + 0.2 * rng.standard_normal(n)) * env)
        parts.append(np.zeros(int(rng.uniform(0.02, 0.1) * fs)))
    x = np.concatenate(parts)
    return (x / np.sqrt(np.mean(x ** 2)) * 0.1).astype(np.float32)


def sentences(count: int, fs: int, seed: int = 0) -> list[np.ndarray]:
    """`count` spoken sentences: from the book by espeak-ng when possible, else synthetic."""
    text = TEXT.read_text(encoding="utf-8")
    candidates = [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split()[2000:8000])) if 8 <= len(s.split()) <= 30]
    rng = np.random.default_rng(seed)
    if not has_espeak():
        return [synthetic_sentence(fs, rng) for _ in range(count)]
    return [espeak(s, fs) for s in candidates[:count]]


def write_narration(path: Path, minutes: float, fs: int = 48000, seed: int = 0, subtype: str = "PCM_24",
                    speech_rms_dbfs: float = -20.0, room_tone_dbfs: float = -64.0, n_sentences: int = 24) -> None:
    """Write `minutes` of narration to `path`, one sentence at a time: memory stays flat."""
    rng = np.random.default_rng(seed)
    clips = sentences(n_sentences, fs, seed)
    gain = 10 ** (speech_rms_dbfs / 20)
    clips = [c / np.sqrt(np.mean(c.astype(np.float64) ** 2)) * gain for c in clips]
    total = int(minutes * 60 * fs)
    written = 0
    with sf.SoundFile(str(path), "w", fs, 1, subtype=subtype) as f:
        n_in_paragraph = 0
        while written < total:
            clip = clips[rng.integers(len(clips))]
            n_in_paragraph += 1
            pause_s = rng.uniform(1.6, 2.8) if n_in_paragraph % 5 == 0 else rng.uniform(0.35, 0.9)
            pause = np.zeros(int(pause_s * fs), dtype=np.float32)
            block = np.concatenate([clip, pause])[: total - written]
            block = block + rng.standard_normal(len(block)).astype(np.float32) * 10 ** (room_tone_dbfs / 20)
            f.write(block)
            written += len(block)


def write_book(folder: Path, hours: float, chapters: int = 12, sections: int = 3, sessions: int = 4,
               fs: int = 48000, seed: int = 0, subtype: str = "PCM_24", room_tone_dbfs: float = -66.0) -> list[dict]:
    """A generated book read aloud: `sessions` WAV files of 48 kHz 24-bit narration holding
    `chapters` chapters of `sections` sections, with a narrator's pauses (sentences under
    1 s, sections about 2 s, chapters about 4 s); written a sentence at a time.

    Returns the chapters for a manifest: title, words (what the speech time predicts at
    160 words a minute) and sections.
    """
    rng = np.random.default_rng(seed)
    clips = sentences(24, fs, seed)
    clips = [c / np.sqrt(np.mean(c.astype(np.float64) ** 2)) * 10 ** (-21 / 20) for c in clips]
    peak = max(float(np.abs(c).max()) for c in clips)
    clips = [c * min(1.0, 10 ** (-2 / 20) / peak) for c in clips]
    lengths = rng.uniform(0.6, 1.4, size=(chapters, sections))
    lengths *= hours * 3600 * 0.8 / lengths.sum()  # speech is ~80 % of a narration's time
    session_at = set(np.linspace(0, chapters * sections, sessions + 1)[1:-1].astype(int).tolist())
    book, index = [], 0
    files = [sf.SoundFile(str(folder / f"session-{n + 1:02d}.wav"), "w", fs, 1, subtype=subtype) for n in range(sessions)]
    current = 0

    def put(x: np.ndarray) -> None:
        noise = rng.standard_normal(len(x)).astype(np.float32) * 10 ** (room_tone_dbfs / 20)
        files[current].write((x + noise).astype(np.float32))

    try:
        put(np.zeros(fs))
        for c in range(chapters):
            entry = {"title": f"Chapter {c + 1}", "sections": []}
            for s in range(sections):
                if index in session_at:
                    put(np.zeros(2 * fs))
                    current += 1
                    put(np.zeros(int(1.5 * fs)))
                elif index:
                    put(np.zeros(int((4.0 if s == 0 else 2.0) * fs)))
                index += 1
                spoken = 0.0
                while spoken < lengths[c, s]:
                    clip = clips[rng.integers(len(clips))]
                    put(clip)
                    spoken += len(clip) / fs
                    put(np.zeros(int(rng.uniform(0.35, 0.9) * fs)))
                entry["sections"].append({"title": f"Section {c + 1}.{s + 1}", "words": int(spoken * 160 / 60)})
            book.append(entry)
        put(np.zeros(2 * fs))
    finally:
        for f in files:
            f.close()
    return book


def read_as_a_narrator(folder: Path, minutes: float, seed: int, voice: str):
    """The Revolution Betrayed read aloud into `folder` as a real narrator reads (issue 19's pauses, pace
    varying by chapter, sessions ending mid-chapter at levels up to 8 dB apart, two slips an hour planted for
    `proof`): the whole book from 570 minutes, else the first paragraphs of every section (its text written
    as book.md). Returns (chapters read, the narrator's Reading: where each heading and slip is)."""
    import sys

    sys.path.insert(0, str(ROOT))
    from audiobook.book import read_book
    from tests.narrator import Chapter
    from tests.narrator import read_book as read_aloud

    book = read_book(TEXT, ROOT / "tests" / "data" / "revolution-betrayed-summary.md")
    share = min(1.0, minutes / (book.words / 160))
    rng = np.random.default_rng(seed)

    def cut(text: str) -> list[str]:
        paras = [p.strip() for p in text.split("\n\n") if p.strip()]
        return paras[:max(1, round(share * len(paras)))] if paras else []

    chapters = [Chapter(p.label, p.title or "", cut(p.text), [(s.title, cut(s.text)) for s in p.sections])
                for p in book.parts]
    folder.mkdir(parents=True)
    if share < 1.0:
        (folder / "book.md").write_text(f"# {book.title or 'The Revolution Betrayed'}\n\n"
                                        + "\n".join(c.markdown() for c in chapters), encoding="utf-8")
    # slips for proof to find, two an hour, of every kind, in chapters spread over the book
    kinds = ["omitted", "repeated", "flub", "extra"]
    slips = {}
    for n in range(max(5, round(2 * minutes / 60))):
        k = int(rng.integers(len(chapters)))
        paras = len(chapters[k].paragraphs) + sum(len(p) for _, p in chapters[k].sections)
        if paras > 2:
            slips[(k, int(rng.integers(1, paras - 1)))] = kinds[n % len(kinds)]
    truth = read_aloud(chapters, folder, seed=seed, realistic=True, session_minutes=max(10.0, minutes / 5),
                       stretches=list(rng.uniform(1.0, 1.13, len(chapters))),  # 170 to 150 words a minute
                       gains_db=list(rng.uniform(-4, 4, 8)), slips=slips, voice=voice)
    return chapters, truth
