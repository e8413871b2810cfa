#!/usr/bin/env python3
"""Derive, or verify, the reference times of one real-voice reader folder.

    python make_reference.py FOLDER [FOLDER ...]            # verify units.json (exit 1 on a mismatch)
    python make_reference.py --write FOLDER [FOLDER ...]    # re-derive the times and write units.json

FOLDER holds audio.mp3 and units.json (reading order; each unit has "kind" and "text"; "start_s" and
"end_s" are what this script measures). Times are measured on audio.mp3 as ffmpeg decodes it.

Two independent means:

1. Energy (the reference). The audio is decoded to 16 kHz mono; frame RMS over 10 ms frames, in dBFS.
   The noise floor is the 10th percentile of the frame levels (never below -90 dBFS); a frame is
   "sound" when it is more than FLOOR_MARGIN_DB above the floor. A unit starts at the first sound frame
   of a run of at least MIN_SOUND_FRAMES that follows a pause of at least MIN_PAUSE_S (the file's start
   counts as a pause), and ends at the last sound frame before such a pause. Of the candidate onsets
   (offsets) within SNAP_WINDOW_S of the seed time, the nearest one is taken.

2. A second means, independent of the energy: for English readers, pocketsphinx forced alignment of the
   unit texts (its own acoustic model; the start of the unit's first word, the end of its last; a word
   missing from its dictionary gets a rough letter-by-letter pronunciation). For readers in other
   languages ("align": "pocketsphinx-letters" in units.json) every word is given its letter-by-letter
   pronunciation with the English phone set: rough, but the texts are spelled nearly as spoken, and the
   alignment only has to find each unit's first and last word. ("align": "vad" uses the WebRTC
   voice-activity detector instead, seeded by the stored times: the nearest speech onset/offset.)

The seed for the energy snap is the second means' time (so the energy chooses which pause, near where
the words are, and then says exactly where in that pause the voice starts). The two are then compared;
a unit whose edges disagree by more than TOLERANCE_S is reported, so that it can be looked at, fixed or
dropped. A unit looked at closely carries "reviewed": {"why": ..., and the edge judged right, "start_s"
or "end_s"}; that edge replaces the measured one. In verify mode, the stored times must equal the
re-derived ones (energy, or reviewed) within 10 ms.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np

SR = 16000
FRAME = 160  # 10 ms
FLOOR_MARGIN_DB = 15.0
EDGE_MARGIN_DB = 6.0
VOICE_PEAK_DB = 12.0
TAIL_RANGE_DB = 35.0
MIN_SOUND_FRAMES = 3
MIN_PAUSE_S = 0.10
SNAP_WINDOW_S = 0.6
TOLERANCE_S = 0.15


def decode(path: Path) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(SR), "-f", "s16le", "-"], check=True, capture_output=True
    ).stdout
    return np.frombuffer(raw, dtype="<i2")


def frame_db(pcm: np.ndarray) -> np.ndarray:
    x = pcm.astype(np.float64) / 32768.0
    n = len(x) // FRAME
    rms = np.sqrt(np.mean(x[: n * FRAME].reshape(n, FRAME) ** 2, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-9))


def edges(db: np.ndarray, margin: float = FLOOR_MARGIN_DB, weak: float = EDGE_MARGIN_DB):
    """Candidate unit onsets and offsets (seconds) from frame levels, and the floor.

    Voice is found with the strong margin (floor + FLOOR_MARGIN_DB, runs of at least MIN_SOUND_FRAMES,
    gaps under MIN_PAUSE_S bridged); each run's edges are then moved outwards while the level, smoothed
    over 50 ms (running median), stays above floor + EDGE_MARGIN_DB: a word's quiet onset or decaying
    tail (a final fricative, a vowel fading) is part of the word, the room's noise is not.
    """
    floor = max(float(np.percentile(db, 10)), -90.0)
    loud = float(np.percentile(db, 95))
    sound = db > max(floor + margin, loud - TAIL_RANGE_DB + 5)
    runs = []
    i, n = 0, len(sound)
    while i < n:
        if sound[i]:
            j = i
            while j < n and sound[j]:
                j += 1
            if j - i >= MIN_SOUND_FRAMES:
                runs.append([i, j])
            i = j
        else:
            i += 1
    minpause = int(round(MIN_PAUSE_S * 100))
    merged = []
    for r in runs:
        if merged and r[0] - merged[-1][1] < minpause:
            merged[-1][1] = r[1]
        else:
            merged.append(r)
    # a breath, a lip smack or a click is a run that never comes near the voice's level
    merged = [r for r in merged if db[r[0] : r[1]].max() > loud - VOICE_PEAK_DB]
    pad = np.pad(db, 2, mode="edge")
    smooth = np.median(np.stack([pad[k : k + n] for k in range(5)]), axis=0)
    above = smooth > max(floor + weak, loud - TAIL_RANGE_DB)
    out = []
    for k, (a, b) in enumerate(merged):
        lo = merged[k - 1][1] if k else 0
        hi = merged[k + 1][0] if k + 1 < len(merged) else n
        while a > lo and above[a - 1]:
            a -= 1
        while b < hi and above[b]:
            b += 1
        out.append((a, b))
    # runs that now touch are one run
    joined = []
    for a, b in out:
        if joined and a - joined[-1][1] < minpause:
            joined[-1][1] = b
        else:
            joined.append([a, b])
    onsets = np.array([a / 100.0 for a, _ in joined])
    offsets = np.array([b / 100.0 for _, b in joined])
    return onsets, offsets, floor


def nearest(cands: np.ndarray, t: float, window: float = SNAP_WINDOW_S):
    if len(cands) == 0:
        return None
    k = int(np.argmin(np.abs(cands - t)))
    return float(cands[k]) if abs(cands[k] - t) <= window else None


# ---------------------------------------------------------------- pocketsphinx ---
_L2P = {
    "a": "AE",
    "b": "B",
    "c": "K",
    "d": "D",
    "e": "EH",
    "f": "F",
    "g": "G",
    "h": "HH",
    "i": "IH",
    "j": "JH",
    "k": "K",
    "l": "L",
    "m": "M",
    "n": "N",
    "o": "AA",
    "p": "P",
    "q": "K",
    "r": "R",
    "s": "S",
    "t": "T",
    "u": "AH",
    "v": "V",
    "w": "W",
    "x": "K S",
    "y": "Y",
    "z": "Z",
}
# for other languages, the vowels of most European spellings, and a few letters NFKD leaves alone
_L2P_OTHER = dict(_L2P, a="AA", i="IY", o="OW", u="UW", y="IY", j="Y", **{"ø": "ER", "æ": "AE", "ß": "S"})


def words_of(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'").replace("-", " ").replace("—", " "))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return [w.strip("'") for w in re.findall(r"[a-zøæß']+", text) if w.strip("'")]


def _pron(decoder, word: str, letters: bool = False) -> str | None:
    """None when the dictionary has the word; else a rough pronunciation, letter by letter."""
    if not letters and decoder.lookup_word(word):
        return None
    for suffix in () if letters else ("'st", "'s", "st", "s", "'d", "ed"):
        if word.endswith(suffix) and decoder.lookup_word(word[: -len(suffix)]):
            tail = {"'st": "S T", "'s": "Z", "st": "S T", "s": "Z", "'d": "D", "ed": "D"}[suffix]
            return decoder.lookup_word(word[: -len(suffix)]) + " " + tail
    table = _L2P_OTHER if letters else _L2P
    out, prev = [], None
    for ch in word:
        if ch == prev or ch not in table:
            continue
        out.append(table[ch])
        prev = ch
    return " ".join(out) or "AH"


def align_pocketsphinx(pcm: np.ndarray, units: list[dict], letters: bool = False):
    """(start, end) of each unit from pocketsphinx forced alignment of all the unit texts.

    Tried with pocketsphinx's default beams first, then with wider ones when no alignment is found."""
    err = None
    for beams in ({}, {"beam": 1e-100, "pbeam": 1e-100, "wbeam": 1e-80}):
        try:
            return _align(pcm, units, letters, beams)
        except RuntimeError as e:
            err = e
    raise err


def _align(pcm, units, letters, beams):
    from pocketsphinx import Decoder

    d = Decoder(lm=None, samprate=SR, loglevel="FATAL", **beams)
    seq, owner = [], []
    for k, u in enumerate(units):
        for w in words_of(u.get("align_text", u["text"])):
            pron = _pron(d, w, letters)
            if pron:
                w = "_" + w if letters else w  # never the English word of the same spelling
                if not d.lookup_word(w):
                    d.add_word(w, pron, True)
            seq.append(w)
            owner.append(k)
    d.set_align_text(" ".join(seq))
    d.start_utt()
    d.process_raw(pcm.tobytes(), full_utt=True)
    d.end_utt()
    if d.hyp() is None:
        raise RuntimeError("pocketsphinx found no alignment")
    segs = [s for s in d.seg() if s.word not in ("<s>", "</s>", "<sil>") and not s.word.startswith("[") and not s.word.startswith("+")]
    if len(segs) != len(seq):
        raise RuntimeError(f"pocketsphinx aligned {len(segs)} of {len(seq)} words")
    out = []
    for k in range(len(units)):
        idx = [i for i, o in enumerate(owner) if o == k]
        out.append((segs[idx[0]].start_frame / 100.0, (segs[idx[-1]].end_frame + 1) / 100.0))
    return out


# --------------------------------------------------------------------- webrtcvad ---
def vad_edges(pcm: np.ndarray, mode: int = 2):
    import webrtcvad

    v = webrtcvad.Vad(mode)
    n = 480  # 30 ms
    flags = [v.is_speech(pcm[i : i + n].tobytes(), SR) for i in range(0, len(pcm) - n + 1, n)]
    on, off = [], []
    prev = False
    for i, f in enumerate(flags):
        if f and not prev:
            on.append(i * 0.03)
        if prev and not f:
            off.append(i * 0.03)
        prev = f
    if prev:
        off.append(len(flags) * 0.03)
    return np.array(on), np.array(off)


def derive(folder: Path):
    meta = json.loads((folder / "units.json").read_text())
    units = meta["units"]
    pcm = decode(folder / "audio.mp3")
    db = frame_db(pcm)
    onsets, offsets, floor = edges(db)
    mode = meta.get("align", "pocketsphinx")
    rows = []
    if mode in ("pocketsphinx", "pocketsphinx-letters"):
        second = align_pocketsphinx(pcm, units, letters=mode == "pocketsphinx-letters")
        for u, (s2, e2) in zip(units, second):
            s1, e1 = nearest(onsets, s2), nearest(offsets, e2)
            rows.append((u, s1, e1, s2, e2))
    else:  # vad: seed with the stored times (or an even split when there are none)
        von, voff = vad_edges(pcm)
        for u in units:
            s1 = nearest(onsets, u["start_s"])
            e1 = nearest(offsets, u["end_s"])
            s2 = nearest(von, s1 if s1 is not None else u["start_s"], 0.5)
            e2 = nearest(voff, e1 if e1 is not None else u["end_s"], 0.5)
            rows.append((u, s1, e1, s2, e2))
    return meta, rows, floor, len(pcm) / SR


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--write", action="store_true", help="write the energy times into units.json")
    args = ap.parse_args(argv)
    bad = 0
    for folder in args.folders:
        meta, rows, floor, dur = derive(folder)
        print(f"== {folder.name}: {dur:.1f} s, floor {floor:.1f} dBFS, second means: {meta.get('align', 'pocketsphinx')}")
        diffs = []
        for k, (u, s1, e1, s2, e2) in enumerate(rows):
            flag = ""
            if s1 is None or e1 is None or s2 is None or e2 is None:
                flag = "  <-- no edge found"
                bad += 1
            else:
                ds, de = s1 - s2, e1 - e2
                diffs += [abs(ds), abs(de)]
                rev = u.get("reviewed", {})
                if max(abs(ds), abs(de)) > TOLERANCE_S:
                    flag = "  <-- disagree" + (" (reviewed)" if rev else "")
                    bad += 0 if rev else 1
                s_ref, e_ref = rev.get("start_s", s1), rev.get("end_s", e1)
                if not args.write and (abs(u["start_s"] - s_ref) > 0.01 or abs(u["end_s"] - e_ref) > 0.01):
                    flag += "  <-- stored time differs"
                    bad += 1
            f = lambda x: "  -   " if x is None else f"{x:6.2f}"  # noqa: E731
            print(f"  {k:2d} {u['kind'][:4]:4s} energy {f(s1)}-{f(e1)}  second {f(s2)}-{f(e2)}  {u['text'][:40]!r}{flag}")
            rev = u.get("reviewed")
            if args.write and s1 is not None and e1 is not None:
                u["start_s"], u["end_s"] = round(s1, 2), round(e1, 2)
            if rev:  # looked at closely: the reviewed edge replaces the measured one
                u["start_s"] = rev.get("start_s", u["start_s"]) if args.write else u["start_s"]
                u["end_s"] = rev.get("end_s", u["end_s"]) if args.write else u["end_s"]
                print(f"      reviewed: {rev['why']}")
        if diffs:
            a = np.array(diffs)
            print(
                f"  agreement: median {np.median(a) * 1000:.0f} ms, 90th pct {np.percentile(a, 90) * 1000:.0f} ms, "
                f"max {a.max() * 1000:.0f} ms over {len(a)} edges"
            )
        if args.write:
            (folder / "units.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
