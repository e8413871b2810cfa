#!/usr/bin/env python3
"""Make the bundled demo in recordings/: a short reading of the opening of The Revolution Betrayed.

    python scripts/make_demo.py            (needs flite: apt-get install flite)

From the book's text (tests/data) it takes the Introduction with its Postscript and the
first two chapters, each section cut to its first sentences; writes that text to
recordings/book/opening.txt; has flite (its voice "rms": a voice the build's speech
recogniser follows, as it does not espeak-ng's) read it as a narrator would (headings, pauses
of 0.4–0.9 s between sentences, about 2 s between sections, 4 s between chapters); and
records it as two sessions at levels 6 dB apart, over room tone, with the break in the
middle of Chapter 1. Then it writes the manifest with `audiobook init`, and
recordings/demo-timings.json: where the narrator starts each chapter and section, so the
tests can check the split against the truth.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from narration import flite, has_flite  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "recordings"
FS = 22050  # keeps the demo a few MB; the build resamples to 44.1 kHz
SEED = 1936
NUMBER_WORDS = {1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five"}


def first_sentences(text: str, min_words: int) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", text.split("\n\n")[0])
    out: list[str] = []
    for s in sentences:
        out.append(s)
        if sum(len(x.split()) for x in out) >= min_words:
            break
    return " ".join(out)


def demo_script() -> list[dict]:
    """The parts to read: heading lines and paragraphs, from the book's own text."""
    from audiobook.book import read_book

    book = read_book(ROOT / "tests" / "data" / "revolution-betrayed-pdf-dump.txt")
    intro, ch1, ch2 = book.parts[0], book.parts[1], book.parts[2]
    script = [{"kind": "introduction", "heading": ["INTRODUCTION", intro.title], "spoken": f"Introduction. {intro.title}.",
               "text": first_sentences(intro.text, 45),
               "sections": [{"heading": "POSTSCRIPT", "spoken": "Postscript.",
                             "text": first_sentences(intro.sections[0].text, 30)}]}]
    for ch in (ch1, ch2):
        script.append({
            "kind": "chapter", "heading": [f"Chapter {ch.number}", ch.title.upper()],
            "spoken": f"Chapter {NUMBER_WORDS[ch.number]}. {ch.title}.", "text": "",
            "sections": [{"heading": f"{i}. {s.title}", "spoken": f"{NUMBER_WORDS[i]}. {s.title}.",
                          "text": first_sentences(s.text, 45)} for i, s in enumerate(ch.sections, 1)],
        })
    return script


def write_text(script: list[dict], path: Path) -> None:
    lines: list[str] = []
    for part in script:
        lines += part["heading"] + [""]
        if part["text"]:
            lines += [part["text"], ""]
        for s in part["sections"]:
            lines += [s["heading"], "", s["text"], ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def speak(text: str) -> np.ndarray:
    audio = flite(text, FS, stretch=1.05).astype(np.float64)
    gain = min(10 ** (-21 / 20) / np.sqrt(np.mean(audio ** 2)), 10 ** (-2 / 20) / np.abs(audio).max())
    return audio * gain  # RMS -21 dBFS, peaks no higher than -2 dBFS


def narrate(script: list[dict], rng: np.random.Generator) -> tuple[list[np.ndarray], list[dict]]:
    """Speech pieces with silences between them, and where each heading starts (seconds)."""
    pieces: list[np.ndarray] = []
    marks: list[dict] = []
    t = 0.0

    def add(audio: np.ndarray) -> None:
        nonlocal t
        pieces.append(audio.astype(np.float32))
        t += len(audio) / FS

    def silence(seconds: float) -> None:
        add(np.zeros(int(seconds * FS), dtype=np.float32))

    def read(text: str) -> None:
        for n, sentence in enumerate(re.split(r"(?<=[.!?])\s+", text)):
            if n:
                silence(rng.uniform(0.4, 0.9))
            add(speak(sentence))

    for p, part in enumerate(script):
        if p:
            silence(rng.uniform(3.5, 4.5))
        marks.append({"level": "chapter", "title": part["spoken"], "start_s": round(t, 3)})
        add(speak(part["spoken"]))
        silence(1.2)
        if part["text"]:
            read(part["text"])
            silence(rng.uniform(1.8, 2.4))
        for n, s in enumerate(part["sections"]):
            if n:
                silence(rng.uniform(1.8, 2.4))
            marks.append({"level": "section", "title": s["spoken"], "start_s": round(t, 3)})
            add(speak(s["spoken"]))
            silence(0.9)
            read(s["text"])
    return pieces, marks


def room_tone(n: int, level_dbfs: float, rng: np.random.Generator) -> np.ndarray:
    """Gently coloured noise, as a quiet room sounds."""
    white = rng.standard_normal(n + 64)
    pink = np.convolve(white, np.exp(-np.arange(64) / 12.0), mode="valid")[:n]
    return (pink / np.sqrt(np.mean(pink ** 2)) * 10 ** (level_dbfs / 20)).astype(np.float32)


def main() -> None:
    if not has_flite():
        raise SystemExit("make_demo.py needs flite (apt-get install flite)")
    rng = np.random.default_rng(SEED)
    script = demo_script()
    (OUT / "book").mkdir(parents=True, exist_ok=True)
    write_text(script, OUT / "book" / "opening.txt")
    shutil.copyfile(ROOT / "tests" / "data" / "revolution-betrayed-blurb.txt", OUT / "book" / "blurb.txt")

    pieces, marks = narrate(script, rng)
    audio = np.concatenate(pieces)
    # the session break: in the pause before Chapter 1's third section
    third = [m for m in marks if m["level"] == "section"][3]
    cut = int((third["start_s"] - 1.0) * FS)
    sessions = [(audio[:cut], 0.0, "session-01.flac"), (audio[cut:], -6.0, "session-02.flac")]
    head_s, tail_s = 1.5, 3.0
    timeline = 0.0
    timings = {"sessions": [], "marks": []}
    for n, (speech, gain_db, name) in enumerate(sessions):
        body = np.concatenate([np.zeros(int(head_s * FS)), speech, np.zeros(int(tail_s * FS))]).astype(np.float32)
        take = (body * 10 ** (gain_db / 20) + room_tone(len(body), -68.0 + gain_db, rng)).astype(np.float32)
        sf.write(str(OUT / name), take, FS, subtype="PCM_16")
        start = cut / FS * n
        for m in marks:
            if (n == 0 and m["start_s"] < cut / FS) or (n == 1 and m["start_s"] >= cut / FS):
                local = m["start_s"] - start + head_s
                timings["marks"].append({**m, "file": name, "file_start_s": round(local, 3),
                                         "timeline_s": round(timeline + local, 3)})
        timings["sessions"].append({"file": name, "duration_s": round(len(take) / FS, 3), "gain_db": gain_db})
        timeline += len(take) / FS
    (OUT / "demo-timings.json").write_text(json.dumps(timings, indent=2) + "\n", encoding="utf-8")

    from audiobook.manifest import init_manifest

    path, manifest, book = init_manifest(OUT, OUT / "book" / "opening.txt", blurb_path=OUT / "book" / "blurb.txt",
                                         force=True)
    size = sum(p.stat().st_size for p in OUT.glob("*.flac"))
    print(f"{path}: {len(manifest.chapters)} parts; {timeline:.0f} s of audio in 2 sessions, {size / 1e6:.1f} MB")
    for w in book.warnings:
        print(f"warning: {w}")


if __name__ == "__main__":
    main()
