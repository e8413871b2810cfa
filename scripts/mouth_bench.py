"""Mouth clicks and breaths measured: `python scripts/bench.py mouth`.

Planted (the truth known): phrases read by flite (slt, rms) and espeak-ng (en-us+m3), 44.1 kHz,
room tone at -62 dBFS, speech at -20 dBFS RMS, five seeds a voice (tests/mouth_noise.py):
- clicks: 3 in the pause before each phrase, 3 inside it (0.5-3 ms bursts of differenced noise,
  peaks -35 to -20 dBFS). `found`: a repaired span overlapping the click (or within 50 samples);
  `false /min`: repairs on the same reading without clicks; `gone to the room`: clicks in
  pauses whose repair leaves no more than the room tone's own energy plus 3 dB of difference
  from the clean reading; `in words`: the median change of the click's energy (the voice
  under it interpolated too); `outside`: the largest change of a sample outside the repairs.
  ffmpeg's adeclick (its defaults) on the same readings, for comparison: it changes every
  sample a little (its frames are overlap-added), so its repairs are the runs of samples
  changed by more than 0.01 (-40 dBFS): one within 50 samples of a click finds it, the others
  are false repairs; and the share of samples it changes by more than 1e-3 (-60 dBFS).
- breaths: one before each phrase (0.25-0.5 s of noise band-passed 300 Hz - 5 kHz, -42 to
  -32 dBFS RMS, ending 30-120 ms before it), lowered 12 dB: `found`, the drop measured in the
  middle of each, false lowerings per minute on the reading without breaths.

Real readings (tests/data/real-voices, ../shared/real-narration): no truth, so counts per
minute only, clicks split by the analysis' pause map (in pauses / in speech), breaths by
whether they end in the 0.6 s before a reading unit starts (units.json, where the reading has
one): where a reader breathes. `s/h`: seconds of one core per hour of the reading's audio.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RATE = 44100
FF_CHANGED = 0.01  # adeclick changes every sample a little (overlap-added frames): a repair is a run over -40 dBFS
VOICES = ("slt", "rms", "espeak:en-us+m3")
SEEDS = range(5)


def _stream(stage, x: np.ndarray, step: int = 4 * RATE) -> tuple[np.ndarray, float]:
    x2 = x[:, None] if x.ndim == 1 else x
    start = time.process_time()
    out = np.concatenate([stage.process(x2[i:i + step]) for i in range(0, len(x2), step)] + [stage.flush()])
    return (out[:, 0] if x.ndim == 1 else out), time.process_time() - start


def _energy_db(x: np.ndarray) -> float:
    return 10 * np.log10(np.sum(x.astype(np.float64) ** 2) + 1e-30)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    return list(zip(edges[::2], edges[1::2]))


def _adeclick(x: np.ndarray, tmp: Path) -> tuple[np.ndarray, float]:
    src, out = tmp / "in.wav", tmp / "out.wav"
    sf.write(src, x, RATE, subtype="FLOAT")
    start = time.perf_counter()
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-threads", "1", "-i", str(src), "-af", "adeclick",
                    "-c:a", "pcm_f32le", str(out)], check=True)
    cost = time.perf_counter() - start
    y, _ = sf.read(out, dtype="float32")
    return y[:len(x)], cost


def planted() -> list[str]:
    from audiobook.render.breaths import BreathLowerer, BreathReduction
    from audiobook.render.declick import Declicker
    from tests.mouth_noise import plant_breaths, plant_clicks, reading

    t = {k: 0 for k in ("clicks", "found", "false", "pause_clicks", "gone", "b_planted", "b_found", "b_false",
                        "ff_found", "ff_false", "ff_false_clean")}
    minutes, words_change, ff_words, drops, outside, b_outside, ff_share = 0.0, [], [], [], 0.0, 0.0, []
    cost = {"ours": 0.0, "adeclick": 0.0, "breaths": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        for voice in VOICES:
            for seed in SEEDS:
                x, phrases = reading(RATE, seed=seed, voice=voice)
                minutes += len(x) / RATE / 60
                rng = np.random.default_rng(100 + seed)
                pauses = [int(rng.uniform(a - 0.6 * RATE, a - 0.2 * RATE)) for a, _ in phrases for _ in range(3)]
                words = [int(rng.uniform(a + 0.1 * (b - a), b - 0.1 * (b - a))) for a, b in phrases for _ in range(3)]
                y, clicks = plant_clicks(x, RATE, pauses + words, seed=seed)
                # ours
                on_clean = Declicker(RATE, 1)
                _, c = _stream(on_clean, x)
                cost["ours"] += c
                d = Declicker(RATE, 1)
                out, c = _stream(d, y)
                cost["ours"] += c
                t["false"] += len(on_clean.spans)
                hit = [any(s <= b + 50 and e >= a - 50 for s, e in d.spans) for a, b in clicks]
                t["clicks"] += len(clicks)
                t["found"] += sum(hit)
                untouched = np.ones(len(y), bool)
                for s, e in d.spans:
                    untouched[s:e] = False
                outside = max(outside, float(np.abs(out[untouched] - y[untouched]).max()))
                for i, (a, b) in enumerate(clicks):
                    w = slice(a - 50, b + 50)
                    if i < len(pauses):
                        t["pause_clicks"] += 1
                        t["gone"] += _energy_db(out[w] - x[w]) < _energy_db(x[w]) + 3
                    else:
                        words_change.append(_energy_db(out[w] - x[w]) - _energy_db(y[w] - x[w]))
                # ffmpeg's adeclick
                ff, c = _adeclick(y, Path(tmp))
                cost["adeclick"] += c
                runs = _runs(np.abs(ff - y) > FF_CHANGED)
                near = [any(s <= b + 50 and e >= a - 50 for s, e in runs) for a, b in clicks]
                t["ff_found"] += sum(near)
                t["ff_false"] += sum(not any(s <= b + 50 and e >= a - 50 for a, b in clicks) for s, e in runs)
                ff_words += [_energy_db(ff[a - 50:b + 50] - x[a - 50:b + 50]) - _energy_db(y[a - 50:b + 50] - x[a - 50:b + 50])
                             for a, b in clicks[len(pauses):]]
                ff_clean, _ = _adeclick(x, Path(tmp))
                t["ff_false_clean"] += len(_runs(np.abs(ff_clean - x) > FF_CHANGED))
                ff_share.append(float(np.mean(np.abs(ff_clean - x) > 1e-3)))
                # breaths
                settings = BreathReduction(12.0, -62.0, -21.0)
                yb, breaths = plant_breaths(x, RATE, [a for a, _ in phrases], seed=seed)
                lowerer = BreathLowerer(RATE, 1, settings)
                outb, c = _stream(lowerer, yb)
                cost["breaths"] += c
                clean_lowerer = BreathLowerer(RATE, 1, settings)
                _stream(clean_lowerer, x)
                t["b_false"] += len(clean_lowerer.spans)
                t["b_planted"] += len(breaths)
                for a, b, _ in breaths:
                    if any(s < b and e > a for s, e, _ in lowerer.spans):
                        t["b_found"] += 1
                        m = slice((a + b) // 2 - RATE // 20, (a + b) // 2 + RATE // 20)
                        drops.append(_energy_db(yb[m]) - _energy_db(outb[m]))
                untouched = np.ones(len(yb), bool)
                for s, e, _ in lowerer.spans:
                    untouched[s:e] = False
                b_outside = max(b_outside, float(np.abs(outb[untouched] - yb[untouched]).max()))
    hours = minutes / 60 * 2  # each reading streamed twice: with and without what was planted
    return [
        f"planted material: {len(VOICES)} voices x {len(SEEDS)} readings, {minutes:.1f} minutes, 44.1 kHz",
        "",
        "| clicks | found | false repairs /min (clean reading) | in pauses: gone to the room | in words: median change dB "
        "| largest change outside repairs | s/h |",
        "|---|--:|--:|--:|--:|--:|--:|",
        f"| audiobook (render/declick.py) | {t['found']}/{t['clicks']} | {t['false'] / minutes:.2f} "
        f"| {t['gone']}/{t['pause_clicks']} | {np.median(words_change):.1f} | {outside:.1e} "
        f"| {cost['ours'] / hours:.1f} |",
        f"| ffmpeg adeclick (defaults) | {t['ff_found']}/{t['clicks']} | {t['ff_false_clean'] / minutes:.1f} "
        f"(and {t['ff_false'] / minutes:.1f} on the clicked readings) | | {np.median(ff_words):.1f} "
        f"| {100 * np.mean(ff_share):.0f} % of the samples by over 1e-3 | "
        f"{cost['adeclick'] / (hours / 2):.0f} (wall, with its start) |",
        "",
        "| breaths | found | false lowerings /min (clean reading) | drop in the middle, median (min-max) dB "
        "| largest change outside them | s/h |",
        "|---|--:|--:|--:|--:|--:|",
        f"| audiobook (render/breaths.py), 12 dB | {t['b_found']}/{t['b_planted']} | {t['b_false'] / minutes:.2f} "
        f"| {np.median(drops):.1f} ({min(drops):.1f}-{max(drops):.1f}) | {b_outside:.1e} "
        f"| {cost['breaths'] / (hours / 2):.1f} |",
    ]


def real() -> list[str]:
    import json

    from audiobook.analysis.analyze import analyze_file
    from audiobook.render.breaths import BreathLowerer, BreathReduction
    from audiobook.render.declick import Declicker

    files = [(f.name, f / "audio.mp3", f / "units.json") for f in sorted((ROOT / "tests" / "data" / "real-voices").glob("[0-9]*"))]
    shared = ROOT.parent / "shared" / "real-narration"
    files += [(p.stem.replace("human_rights_un_", "udhr-").replace("_64kb-preamble", ""), p, None)
              for p in sorted(shared.glob("*/*.mp3"))]
    lines = ["| reading | min | rate | clicks /min | of them in pauses | breaths /min | of them before a unit "
             "| clicks s/h | breaths s/h |", "|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
    totals = np.zeros(4)
    for name, path, units in files:
        x, rate = sf.read(path, dtype="float32", always_2d=True)
        a = analyze_file(path, keep_series=False, true_peak=False)
        minutes = len(x) / rate / 60
        d = Declicker(rate, x.shape[1])
        _, c_cost = _stream(d, x, 4 * rate)
        b = BreathLowerer(rate, x.shape[1], BreathReduction(12.0, a.noise_floor_dbfs, a.speech_rms_dbfs))
        _, b_cost = _stream(b, x, 4 * rate)
        in_pause = sum(any(p.start_s <= s / rate <= p.end_s for p in a.pauses) for s, _ in d.spans)
        before = ""
        if units is not None and units.exists():
            starts = [u["start_s"] for u in json.loads(units.read_text(encoding="utf-8"))["units"]]
            n = sum(any(0 <= st - e / rate <= 0.6 for st in starts) for _, e, _ in b.spans)
            before = f"{n}/{len(b.spans)}"
        hours = minutes / 60
        totals += [minutes, len(d.spans), len(b.spans), 0]
        lines.append(f"| {name} | {minutes:.1f} | {rate} | {len(d.spans) / minutes:.1f} | {in_pause}/{len(d.spans)} "
                     f"| {len(b.spans) / minutes:.1f} | {before} | {c_cost / hours:.1f} | {b_cost / hours:.1f} |")
    lines.append(f"| all | {totals[0]:.1f} | | {totals[1] / totals[0]:.1f} | | {totals[2] / totals[0]:.1f} | | | |")
    return lines


def run() -> list[str]:
    return planted() + [""] + real()


if __name__ == "__main__":
    for line in run():
        print(line)
