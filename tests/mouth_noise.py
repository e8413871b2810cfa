"""Test material for mouth noise: phrases read by flite with room tone between them, and mouth
clicks and breaths planted in them where the test knows (seeded)."""

from __future__ import annotations

import numpy as np

from tests.narrator import RATE as FLITE_RATE
from tests.narrator import say

PHRASES = ["Whereas recognition of the inherent dignity of all members of the human family",
           "is the foundation of freedom, justice and peace in the world.",
           "Six sharp tasks kept Peter busy; she sells sea shells by the sea shore.",
           "A cat sat, ticked and tapped, then the quick brown fox jumps over the lazy dog."]


def db(x: float) -> float:
    return 10 ** (x / 20)


def reading(rate: int, seed: int = 0, phrases: list[str] = PHRASES, speech_dbfs: float = -20.0,
            room_dbfs: float = -62.0, voice: str = "slt") -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The phrases read in turn by `voice` (tests.narrator.say's), each at `speech_dbfs` RMS, 0.8-1.4 s
    of room tone (white noise) before each and at the end; returns the samples and each phrase's
    (start, end)."""
    import soxr

    rng = np.random.default_rng(seed)
    parts, spans, at = [], [], 0
    for text in phrases:
        said = soxr.resample(say(text, voice), FLITE_RATE, rate).astype(np.float32)
        said *= np.float32(db(speech_dbfs) / np.sqrt(np.mean(said.astype(np.float64) ** 2)))
        gap = int(rng.uniform(0.8, 1.4) * rate)
        parts += [np.zeros(gap, np.float32), said]
        spans.append((at + gap, at + gap + len(said)))
        at += gap + len(said)
    parts.append(np.zeros(rate, np.float32))
    x = np.concatenate(parts)
    return x + (rng.standard_normal(len(x)) * db(room_dbfs)).astype(np.float32), spans


def plant_clicks(x: np.ndarray, rate: int, at: list[int], seed: int = 0,
                 peak_dbfs: tuple[float, float] = (-35.0, -20.0)) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Mouth clicks at samples `at`: 0.5-3 ms bursts of differenced, decaying noise (energy above
    2 kHz, as a tongue's or lips' click), peaks between `peak_dbfs`; returns the signal and each
    click's (start, end)."""
    rng = np.random.default_rng(seed)
    y, spans = x.copy(), []
    for a in at:
        n = int(rng.uniform(0.0005, 0.003) * rate)
        burst = np.diff(rng.standard_normal(n + 1) * np.exp(-np.arange(n + 1) / (n / 3)))
        y[a:a + n] += (burst / np.abs(burst).max() * db(rng.uniform(*peak_dbfs))).astype(np.float32)
        spans.append((a, a + n))
    return y, spans


def plant_breaths(x: np.ndarray, rate: int, before: list[int], seed: int = 0,
                  level_dbfs: tuple[float, float] = (-42.0, -32.0)) -> tuple[np.ndarray, list[tuple[int, int, float]]]:
    """Breaths ending 30-120 ms before each sample of `before` (a phrase's start): 0.25-0.5 s of
    noise band-passed to 300 Hz - 5 kHz under a rising and falling envelope, at an RMS between
    `level_dbfs`; returns the signal and each breath's (start, end, RMS dBFS)."""
    from scipy.signal import butter, sosfilt

    rng = np.random.default_rng(seed)
    band = butter(2, [300, 5000], btype="bandpass", fs=rate, output="sos")
    y, spans = x.copy(), []
    for onset in before:
        n = int(rng.uniform(0.25, 0.5) * rate)
        end = onset - int(rng.uniform(0.03, 0.12) * rate)
        breath = sosfilt(band, rng.standard_normal(n)) * np.hanning(n) ** 0.7
        level = rng.uniform(*level_dbfs)
        breath *= db(level) / np.sqrt(np.mean(breath ** 2))
        y[end - n:end] += breath.astype(np.float32)
        spans.append((end - n, end, level))
    return y, spans
