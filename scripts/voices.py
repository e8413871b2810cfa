#!/usr/bin/env python3
"""The wider real-voice set: English readers, each reading text whose parts start where a chapter cut
must go, with reference times checked by two means, and a tuning part and a held-out part.

    python scripts/voices.py fetch  [--sources DIR] [--cache DIR]   # copy the audio in, checked by hash
    python scripts/voices.py refs   [--write]                      # measure the reference times (two means)
    python scripts/voices.py run    [--split tuning|held-out|all]  # the boundary finder on every case
    python scripts/voices.py run --no-align                        # the same without listening, for comparison

The cases are data: `tests/data/voices/cases.json` (readers, sources, licences, which split, the text,
the constructed pauses, the reference times). The audio is not in this repository: `fetch` reads each
file from a local git copy of its public repository at a pinned commit (`--sources`, or
$AUDIOBOOK_VOICE_SOURCES: one folder per repository, named `owner+name`, as a mirror or clone leaves it)
or from this repository's own test data, checks its SHA-256, and stores it in the cache (`--cache`, or
$AUDIOBOOK_VOICE_CACHE, default ~/.cache/audiobook-voices) under its hash.

Each case is built as one session: its pieces decoded to 16 kHz mono and joined in order. A piece with
`pause_before_s` gets a CONSTRUCTED pause of that length before it, filled with low noise at the
reader's own noise floor (seeded); without it, pieces join at their own edges. A case whose only piece
is a whole recording has the reader's own pauses.

`run` measures the same code path as `scripts/bench.py voices`: a book whose parts open at the case's
part-opening units, `init`, `build --plan-only`, and each part's first word as planned
(`speech_start_s`) against the reference: the first sound of what opens the part.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "data" / "voices" / "cases.json"
sys.path.insert(0, str(ROOT / "tests" / "data" / "real-voices"))
sys.path.insert(0, str(ROOT / "scripts"))
import make_reference as ref  # noqa: E402  (energy edges, pocketsphinx alignment, the voice detector)

SR = ref.SR
GOOD_EARLY_S, GOOD_LATE_S = 0.3, 0.05  # issue 24: a chapter starts within 0.3 s before its first sound, never after
AGREE_S = 0.10  # the two means must agree this well on every part start


@dataclass
class Boundary:
    """One part start: where it is (reference) and where the plan put it."""
    case: str
    title: str
    reference_s: float
    planned_s: float
    placed_by: str
    how: str

    @property
    def error_s(self) -> float:
        return self.planned_s - self.reference_s

    @property
    def right(self) -> bool:  # judged to the reference's 10 ms
        return -GOOD_EARLY_S <= round(self.error_s, 2) <= GOOD_LATE_S


def load_cases() -> list[dict]:
    return json.loads(CASES.read_text(encoding="utf-8"))["cases"]


def cache_dir(arg: Path | None) -> Path:
    return arg or Path(os.environ.get("AUDIOBOOK_VOICE_CACHE", Path.home() / ".cache" / "audiobook-voices"))


def _source_bytes(src: dict, sources: Path | None) -> bytes:
    if "file" in src:
        return (ROOT / src["file"]).read_bytes()
    from bookcorpus.sources import read

    if sources is None:
        raise SystemExit("no --sources folder (or $AUDIOBOOK_VOICE_SOURCES): it must hold git copies of "
                         + src["repo"] + " and the other repositories named in " + str(CASES.relative_to(ROOT)))
    return read(sources, src["repo"], src["commit"], src["path"])


def fetch(cases: list[dict], sources: Path | None, cache: Path) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    for case in cases:
        for piece in case["pieces"]:
            target = cache / piece["sha256"]
            if target.is_file():
                continue
            data = _source_bytes(piece["source"], sources)
            digest = hashlib.sha256(data).hexdigest()
            if digest != piece["sha256"]:
                raise SystemExit(f"{case['id']}: {piece['source']} has SHA-256 {digest}, the set pins {piece['sha256']}")
            target.write_bytes(data)
            print(f"{case['id']}: cached {piece['source'].get('path', piece['source'].get('file'))}")


def decode(path: Path) -> np.ndarray:
    """16 kHz mono int16, as make_reference.py decodes (ffmpeg: the system's, else imageio-ffmpeg's)."""
    import subprocess

    exe = shutil.which("ffmpeg")
    if exe is None:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
    raw = subprocess.run([exe, "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(SR), "-f", "s16le", "-"],
                         check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype="<i2")


def room_tone_db(pcm: np.ndarray) -> float:
    """The level of the quietest 100 ms of a piece (its room between words), dBFS, at least -80."""
    power = 10 ** (ref.frame_db(pcm) / 10)
    window = np.convolve(power, np.ones(10) / 10, mode="valid")
    return max(10 * float(np.log10(max(window.min(), 1e-12))), -80.0)


def assemble(case: dict, cache: Path | None) -> tuple[np.ndarray, list[float]]:
    """The case's session (16 kHz mono int16) and each piece's start in it."""
    rng = np.random.default_rng(case.get("seed", 24))
    out, starts, at = [], [], 0
    for piece in case["pieces"]:
        path = cache / piece["sha256"] if cache else None
        if (path is None or not path.is_file()) and "file" in piece["source"]:
            path = ROOT / piece["source"]["file"]  # this repository's own test data
        if path is None or not path.is_file():
            raise SystemExit(f"{case['id']}: {path} is missing — run `python scripts/voices.py fetch` first")
        pcm = decode(path)
        a = int(round(piece.get("from_s", 0.0) * SR))
        b = int(round(piece["to_s"] * SR)) if "to_s" in piece else len(pcm)
        pcm = pcm[a:b]
        pause = piece.get("pause_before_s", 0.0)
        if pause:
            floor_db = room_tone_db(pcm)
            noise = rng.normal(0.0, 32768 * 10 ** (floor_db / 20), int(round(pause * SR)))
            out.append(np.clip(noise, -32768, 32767).astype(np.int16))
            at += len(out[-1])
        starts.append(at / SR)
        out.append(pcm)
        at += len(pcm)
    return np.concatenate(out), starts


def measure_references(case: dict, pcm: np.ndarray) -> list[dict]:
    """Each aligned unit's start by energy (nearest onset to the aligner's) and by pocketsphinx, and the
    voice detector's nearest onset: the energy time is the reference, the others check it."""
    lo = int(case.get("align_from_s", 0.0) * SR)
    hi = int(case["align_to_s"] * SR) if "align_to_s" in case else len(pcm)
    units = [u for u in case["units"] if u.get("aligned", True)]
    onsets, _, _ = ref.edges(ref.frame_db(pcm))
    second = ref.align_pocketsphinx(pcm[lo:hi], units)
    von, _ = ref.vad_edges(pcm)
    rows = []
    for u, (s2, _) in zip(units, second):
        s2 += lo / SR
        s1 = ref.nearest(onsets, s2)
        s3 = ref.nearest(von, s1 if s1 is not None else s2, 0.5)
        second = "pocketsphinx"
        if s1 is None:  # the aligner put the words in a pause: the voice detector's next onset, if the energy agrees
            later = [t for t in von if s2 <= t <= s2 + 3.0]
            s3 = later[0] if later else None
            s1 = None if s3 is None else ref.nearest(onsets, s3, AGREE_S)
            second = "vad"
        rows.append({"text": u["text"][:40], "part": u.get("part"), "energy_s": s1, "pocketsphinx_s": round(s2, 2),
                     "vad_s": None if s3 is None else round(float(s3), 2), "second": second})
    return rows


def book_text(case: dict) -> str:
    lines, n = [f"# {case['title']}", ""], 0
    for u in case["units"]:
        if not u.get("in_book", True):
            continue
        if u.get("part"):
            n += 1
            lines += [f"## {u['part']}", ""]
        if u["kind"] == "text":
            lines += [u["text"], ""]
    return "\n".join(lines)


def run_case(case: dict, cache: Path | None, workdir: Path, align: bool = True) -> list[Boundary]:
    from audiobook.build import build
    from audiobook.manifest.write import init_manifest

    pcm, _ = assemble(case, cache)
    rec = workdir / case["id"]
    rec.mkdir()
    with wave.open(str(rec / "session-01.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())
    (rec / "book.md").write_text(book_text(case), encoding="utf-8")
    init_manifest(rec, rec / "book.md", title=case["title"])
    from audiobook.errors import AudiobookError

    try:
        plan = build(rec, workdir / f"{case['id']}-out", plan_only=True, jobs=1, align=align).plan
    except AudiobookError as e:  # the build refused the case: every boundary is missed, and why is said
        return [Boundary(case["id"], u["part"], u["start_s"], float("nan"), "refused", str(e).split(" Are all")[0])
                for u in [u for u in case["units"] if u.get("part")][1:]]
    tracks = {t.title.split(": ", 1)[-1]: t for t in plan.tracks}
    out = []
    for u in [u for u in case["units"] if u.get("part")][1:]:
        track = tracks.get(u["part"])
        if track is None:  # the part did not become a track of its own: its start is not a cut
            out.append(Boundary(case["id"], u["part"], u["start_s"], float("nan"), "no track", ""))
            continue
        out.append(Boundary(case["id"], u["part"], u["start_s"], track.speech_start_s, track.placed_by, track.how))
    return out


def cmd_refs(cases: list[dict], cache: Path, write: bool) -> int:
    bad = 0
    for case in cases:
        pcm, _ = assemble(case, cache)
        rows = measure_references(case, pcm)
        print(f"== {case['id']} ({len(pcm) / SR:.1f} s)")
        aligned = [u for u in case["units"] if u.get("aligned", True)]
        for u, r in zip(aligned, rows):
            check = r["pocketsphinx_s"] if r["second"] == "pocketsphinx" else r["vad_s"]
            agree = r["energy_s"] is not None and check is not None and abs(r["energy_s"] - check) <= AGREE_S
            if "reviewed" in u:  # looked at frame by frame: the edge judged right replaces the energy's
                r["energy_s"], agree = u["reviewed"]["start_s"], True
            vad_ok = r["vad_s"] is not None and r["energy_s"] is not None and abs(r["energy_s"] - r["vad_s"]) <= AGREE_S
            flag = "" if agree or not u.get("part") else "  <-- the two means disagree"
            if r["second"] == "vad":
                flag += " (pocketsphinx misplaced it: checked by the voice detector)"
            if u.get("part") and not agree:
                bad += 1
            print(f"  {'part' if u.get('part') else '    '} energy {r['energy_s']}  pocketsphinx {r['pocketsphinx_s']}"
                  f"  vad {r['vad_s']}{'' if vad_ok else ' (vad off)'}  {r['text']!r}{flag}")
            if u.get("part"):
                if write and r["energy_s"] is not None:
                    u["start_s"] = round(r["energy_s"], 2)
                    u["checked"] = {"pocketsphinx_s": r["pocketsphinx_s"], "vad_s": r["vad_s"], "second_means": r["second"]}
                elif abs(u.get("start_s", -9) - (r["energy_s"] or -99)) > 0.01:
                    print(f"    stored start {u.get('start_s')} differs from the measured {r['energy_s']}")
                    bad += 1
    if write:
        data = json.loads(CASES.read_text(encoding="utf-8"))
        data["cases"] = cases
        CASES.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 1 if bad else 0


def cmd_run(cases: list[dict], cache: Path, align: bool = True) -> int:
    print("| reader | split | sex | accent | pauses | part starts right (within 0.3 s before, never after) "
          "| each boundary: error s (how placed) |")
    print("|---|---|---|---|---|---|---|")
    everything: dict[str, list[Boundary]] = {"tuning": [], "held-out": []}
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            got = run_case(case, cache, Path(tmp), align)
            everything[case["split"]] += got
            right = sum(b.right for b in got)
            detail = "; ".join(f"{b.title}: {b.error_s:+.2f} ({b.placed_by}{', ' + b.how if b.how else ''})"
                               if b.error_s == b.error_s else f"{b.title}: no cut ({b.placed_by})" for b in got)
            refused = {b.how for b in got if b.placed_by == "refused"}
            detail += "".join(f" — the build refused the case: {r}" for r in refused)
            print(f"| {case['id']} | {case['split']} | {case['sex']} | {case['accent']} | {case['pauses']} | "
                  f"{right}/{len(got)} | {detail} |", flush=True)
    for split, got in everything.items():
        if got:
            errs = [abs(b.error_s) for b in got if b.error_s == b.error_s] or [float("nan")]
            print(f"{split}: {sum(b.right for b in got)}/{len(got)} right; |error| median {statistics.median(errs):.2f} s, "
                  f"max {max(errs):.2f} s; heard (aligned) {sum(b.placed_by == 'aligned' for b in got)}/{len(got)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["fetch", "refs", "run"])
    ap.add_argument("--sources", type=Path, default=os.environ.get("AUDIOBOOK_VOICE_SOURCES"),
                    help="folder of git copies of the source repositories (owner+name/)")
    ap.add_argument("--cache", type=Path, help="where the fetched audio is kept, by hash")
    ap.add_argument("--split", choices=["tuning", "held-out", "all"], default="all")
    ap.add_argument("--case", action="append", help="only this case (its id); may be given more than once")
    ap.add_argument("--write", action="store_true", help="refs: store the measured reference times")
    ap.add_argument("--no-align", action="store_true", help="run: build without listening (pauses and word counts only)")
    args = ap.parse_args(argv)
    cases = load_cases()
    if args.command != "refs" or not args.write:
        cases = [c for c in cases if args.split in ("all", c["split"]) and (not args.case or c["id"] in args.case)]
    cache = cache_dir(args.cache)
    if args.command == "fetch":
        fetch(cases, Path(args.sources) if args.sources else None, cache)
        return 0
    if args.command == "refs":
        return cmd_refs(cases, cache, args.write)
    return cmd_run(cases, cache, align=not args.no_align)


if __name__ == "__main__":
    sys.exit(main())
