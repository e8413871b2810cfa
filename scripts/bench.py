#!/usr/bin/env python3
"""Benchmark: speed and peak memory of audiobook's stages, side by side with the tools users
would otherwise use, on generated narration of several lengths.

    python scripts/bench.py analysis --minutes 10 120
    python scripts/bench.py encoders --minutes 10
    python scripts/bench.py build --minutes 60 600 [--repeat 3]
    python scripts/bench.py boundaries --minutes 60 570
    python scripts/bench.py voices
    python scripts/bench.py denoise
    python scripts/bench.py mouth
    python scripts/bench.py transcripts --minutes 0 30 --repeat 3

`voices` measures the English readings of tests/data/real-voices; the wider set (11 English readers,
a tuning and a held-out part, audio fetched by hash) is `scripts/voices.py run` (docs/voices.md).

`denoise` measures noise reduction on the real readings, as they are and with a real room's
tone added at -50 and -40 dBFS, against ffmpeg's afftdn and noisereduce (scripts/denoise_bench.py).

`mouth` measures mouth-click repair and breath lowering: on flite and espeak-ng readings with
clicks and breaths planted (found, false repairs per minute, what is left), against ffmpeg's
adeclick, and on the real readings (per minute; no truth there) (scripts/mouth_bench.py).

`boundaries` reads The Revolution Betrayed aloud with flite as a real narrator would (issue
19's pauses, pace varying by chapter, sessions ending mid-chapter at different levels; the
whole book from 570 minutes, else the first paragraphs of every section), builds it with and
without listening for the headings, and counts the chapters and sections placed within
0.5 s and 0.75 s of where their headings are spoken.

`transcripts` builds the bundled demo (minutes 0) and The Revolution Betrayed read by flite
(other minutes, as `boundaries` reads it, without slips) with --no-transcripts and with them, in
turn, and gives what the transcripts add, pair by pair, and the share of the book's words in them.

Each run is a fresh process, so peak RSS is that run's alone. Realtime factor = audio
seconds per wall-clock second. Not a test: numbers vary with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from narration import ROOT, TEXT, has_espeak, read_as_a_narrator, write_book, write_narration  # noqa: E402

TOC = ROOT / "tests" / "data" / "revolution-betrayed-summary.md"

# Runs a command from a small fresh interpreter and reports its wall time, the peak RSS of the
# command's own process, and the peak memory of the command with every process it starts (a
# build's workers, their ffmpeg): their proportional set sizes (PSS: shared libraries counted
# once, split among the processes mapping them) summed, sampled every 50 ms from /proc. Linux
# keeps a process's peak RSS across exec, so launching straight from this (large) process
# would charge our own memory to every tool measured.
_LAUNCHER = """
import os, sys, time, json
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_RDWR)
    os.dup2(fd, 0); os.dup2(fd, 1)
    os.execvp(sys.argv[1], sys.argv[1:])
def pss(p):
    try:
        with open(f"/proc/{p}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
cpu = {}
def tree_rss():
    parents, ticks = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
                ticks[int(entry)] = int(fields[11]) + int(fields[12])
            except OSError:
                continue
    total = 0
    for p in parents:
        q = p
        while q > 1 and q != pid:
            q = parents.get(q, 0)
        if q == pid:
            total += pss(p)
            cpu[p] = max(cpu.get(p, 0), ticks[p])
    return total
peak_tree = 0
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    peak_tree = max(peak_tree, tree_rss())
    time.sleep(0.05)
print(json.dumps([time.perf_counter() - start, usage.ru_maxrss / 1024, peak_tree / 2**20,
                  os.waitstatus_to_exitcode(status), sum(cpu.values()) / os.sysconf("SC_CLK_TCK")]))
"""


REPEAT = 1  # runs of each command: the median wall time is reported (--repeat)
AGAINST = "HEAD"  # compare: the revision the build is measured against (--against)
M4B = False  # compare: the builds make the M4B too (--m4b)
SEED = 19  # the boundaries bench's narration: its pauses, slips and voices' pace (--seed)
VOICE = "slt"  # ... and its narrator (--voice): a flite voice, or espeak-ng's as "espeak:en-us"
ROOM_TONE = -66.0  # build, compare: the generated book's room tone, dBFS (--room-tone)


def run_once(cmd: list[str], ok: tuple[int, ...] = (0,), cwd: Path | None = None) -> tuple[float, float, float]:
    """Run `cmd` once (in `cwd`): wall seconds, its own process's peak RSS and all its processes' peak
    PSS, in MB. `ok`: the exit statuses that are not a failure (proof and check say 1 when they find something)."""
    return run_once_cpu(cmd, ok, cwd)[:3]


def run_once_cpu(cmd: list[str], ok: tuple[int, ...] = (0,), cwd: Path | None = None) -> tuple[float, float, float, float]:
    """`run_once`'s figures and the CPU seconds (user and system) of `cmd` and every process under
    it (the build's workers, their ffmpeg), read from /proc every 50 ms (the last 50 ms of each
    process are missed): on a machine shared with other work, the steadier figure."""
    proc = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, *cmd], capture_output=True, text=True, cwd=cwd)
    wall, rss, tree, code, cpu = json.loads(proc.stdout.strip().splitlines()[-1])
    if code not in ok:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return wall, rss, tree, cpu


def summary(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """The median wall time, and the largest memory figures, of several runs."""
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs), max(r[2] for r in runs)


def measure(cmd: list[str], before=None, repeat: int | None = None) -> tuple[float, float, float]:
    """Run `cmd` `repeat` (default REPEAT) times, calling `before()` ahead of each run; `summary()`."""
    runs = []
    for _ in range(repeat or REPEAT):
        if before is not None:
            before()
        runs.append(run_once(cmd))
    return summary(runs)


def ffmpeg() -> str | None:
    from audiobook.ffmpeg import find_ffmpeg

    return find_ffmpeg()


def row(tool: str, minutes: float, wall: float, rss: float, tree: float) -> str:
    return (f"| {tool:<44} | {minutes:>7.0f} | {wall:>8.2f} | {minutes * 60 / wall:>8.0f}x | {rss:>8.0f} "
            f"| {tree:>16.0f} |")


def bench_analysis(minutes_list: list[float], workdir: Path) -> Iterator[str]:
    ff = ffmpeg()
    for minutes in minutes_list:
        path = workdir / f"narration-{minutes:g}min.wav"
        write_narration(path, minutes)
        ours = [sys.executable, "-c", f"from audiobook.analysis import analyze_file; analyze_file({str(path)!r})"]
        yield row("audiobook analyze (one core, every figure)", minutes, *measure(ours))
        if ff:
            cmd = [ff, "-nostdin", "-nostats", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"]
            yield row("ffmpeg -af ebur128=peak=true", minutes, *measure(cmd))
            cmd = [ff, "-nostdin", "-nostats", "-hide_banner", "-i", str(path), "-af", "ebur128", "-f", "null", "-"]
            yield row("ffmpeg -af ebur128 (no true peak)", minutes, *measure(cmd))
        if minutes <= 30:
            ref = [sys.executable, "-c", "import soundfile, pyloudnorm; x, fs = soundfile.read("
                   f"{str(path)!r}); pyloudnorm.Meter(fs).integrated_loudness(x)"]
            try:
                yield row("pyloudnorm (whole file in memory)", minutes, *measure(ref))
            except SystemExit:
                pass  # pyloudnorm not installed
        path.unlink()


_ENCODE_LAMEENC = """
import sys, numpy as np, soundfile as sf, lameenc
enc = lameenc.Encoder(); enc.set_bit_rate(192); enc.set_in_sample_rate(44100); enc.set_channels(1); enc.set_quality(3)
with sf.SoundFile(sys.argv[1]) as f, open(sys.argv[2], "wb") as out:
    for block in f.blocks(blocksize=176400, dtype="int16"):
        out.write(enc.encode(block.tobytes()))
    out.write(enc.flush())
"""
_ENCODE_SOUNDFILE = """
import sys, soundfile as sf
# libsndfile maps compression level 0..1 onto 320..32 kbps: 0.444 is 192 kbps
with sf.SoundFile(sys.argv[1]) as f, sf.SoundFile(sys.argv[2], "w", 44100, 1, format="MP3",
                                                   subtype="MPEG_LAYER_III", compression_level=0.444,
                                                   bitrate_mode="CONSTANT") as out:
    for block in f.blocks(blocksize=176400, dtype="float32"):
        out.write(block)
"""


def bench_encoders(minutes_list: list[float], workdir: Path) -> Iterator[str]:
    """MP3 at 192 kbps CBR from 44.1 kHz 16-bit mono: the encoders a build could use."""
    ff = ffmpeg()
    for minutes in minutes_list:
        path = workdir / f"narration-{minutes:g}min-44k.wav"
        write_narration(path, minutes, fs=44100, subtype="PCM_16")
        out = workdir / "out.mp3"
        yield row("lameenc (LAME wheel), 192k CBR", minutes,
                  *measure([sys.executable, "-c", _ENCODE_LAMEENC, str(path), str(out)]))
        yield row("soundfile/libsndfile MP3, 192k CBR", minutes,
                  *measure([sys.executable, "-c", _ENCODE_SOUNDFILE, str(path), str(out)]))
        if ff:
            yield row("ffmpeg libmp3lame -b:a 192k", minutes,
                      *measure([ff, "-nostdin", "-y", "-i", str(path), "-c:a", "libmp3lame", "-b:a", "192k", str(out)]))
        path.unlink()


_ENCODE_FLOOR = """
import sys, numpy as np, lameenc
seconds, seed = float(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(seed)
block = (rng.standard_normal(44100 * 4) * 3000).astype(np.int16).tobytes()  # 4 s of noise at -20 dBFS
enc = lameenc.Encoder(); enc.set_bit_rate(192); enc.set_in_sample_rate(44100); enc.set_channels(1); enc.set_quality(3)
done = 0.0
with open(sys.argv[3], "wb") as out:
    while done < seconds:
        out.write(enc.encode(block)); done += 4
    out.write(enc.flush())
"""


def generated_book(workdir: Path, minutes: float) -> Path:
    """A recordings folder with a generated book of `minutes` (12 chapters of 3 sections, in 4
    sessions, 48 kHz 24-bit) and its manifest."""
    from audiobook.manifest import dump_manifest
    from audiobook.manifest.model import ChapterEntry, Manifest, SectionEntry

    rec = workdir / f"book-{minutes:g}"
    rec.mkdir()
    chapters = write_book(rec, minutes / 60, room_tone_dbfs=ROOM_TONE)
    manifest = Manifest(chapters=[
        ChapterEntry(id=f"chapter-{n + 1:02d}", title=c["title"], number=n + 1,
                     words=sum(s["words"] for s in c["sections"]),
                     sections=[SectionEntry(title=s["title"], words=s["words"]) for s in c["sections"]])
        for n, c in enumerate(chapters)])
    manifest.book.title, manifest.book.author = "Benchmark Book", "A. Writer"
    (rec / "manifest.yaml").write_text(dump_manifest(manifest), encoding="utf-8")
    return rec


def bench_build(minutes_list: list[float], workdir: Path) -> Iterator[str]:
    """End to end: `audiobook build` of a generated book, beside the MP3-encoding floor on every
    core and the ffmpeg-normalize route over the same chapter spans."""
    import yaml

    cores = os.cpu_count() or 1
    for minutes in minutes_list:
        rec = generated_book(workdir, minutes)
        out = workdir / f"out-{minutes:g}"
        build = [sys.executable, "-m", "audiobook", "build", str(rec), "--out", str(out)]
        def fresh(out: Path = out) -> None:
            shutil.rmtree(out, ignore_errors=True)

        # the build and the floor in turn, so that both meet the machine in the same mood: the ratio
        # of each pair is the figure to trust where the machine drifts
        builds, floors = [], []
        for _ in range(REPEAT):
            fresh()
            builds.append(run_once(build + ["--no-m4b"]))
            if not floors:
                tracks = yaml.safe_load((out / "plan.yaml").read_text())["tracks"]
                total = sum(_seconds(t["duration"]) for t in tracks)
                floor = [sys.executable, "-c", "import subprocess, sys; ps = [subprocess.Popen([sys.executable, '-c', "
                         f"{_ENCODE_FLOOR!r}, str({total / cores}), str(i), '{workdir}/floor-' + str(i) + '.mp3']) "
                         f"for i in range({cores})]; sys.exit(max(p.wait() for p in ps))"]
            floors.append(run_once(floor))
        yield row(f"audiobook build --no-m4b ({cores} cores)", minutes, *summary(builds))
        if ffmpeg():
            yield row(f"audiobook build, with the M4B ({cores} cores)", minutes, *measure(build, fresh))
        yield row("audiobook build again, nothing changed", minutes, *measure(build))
        yield row(f"floor: lameenc MP3 of as much audio, {cores} cores", minutes, *summary(floors))
        ratios = sorted(b[0] / f[0] for b, f in zip(builds, floors))
        yield (f"| build --no-m4b ÷ floor, run in turn | {minutes:>7.0f} | {statistics.median(ratios):.2f}x "
               f"({ratios[0]:.2f}–{ratios[-1]:.2f}, {len(ratios)} pairs) | | | |")

        if shutil.which("ffmpeg-normalize") and ffmpeg() and minutes <= 120:  # it runs at ~30x: 20 min an hour
            script = workdir / "normalize.sh"
            lines = ["set -e"]
            for n, t in enumerate(tracks):
                file, start = t["start"].split(" ", 1)
                end_file, end = t["end"].split(" ", 1)
                stop = f"-to {_seconds(end)}" if end_file == file else ""
                lines.append(f"ffmpeg-normalize {rec / file} -ei '-ss {_seconds(start)} {stop}' -nt ebu -t -20 "
                             f"-c:a libmp3lame -b:a 192k -ar 44100 -o {workdir}/norm-{n}.mp3 -f -q")
            script.write_text("\n".join(lines) + "\n")
            yield row("ffmpeg-normalize (2-pass EBU R128, libmp3lame 192k)", minutes,
                      *measure(["bash", str(script)], repeat=1))
        shutil.rmtree(rec)
        shutil.rmtree(out)


def bench_boundaries(minutes_list: list[float], workdir: Path) -> Iterator[str]:
    """Boundary accuracy and the cost of listening, on a realistic narration of the book."""
    import soundfile as sf
    import yaml

    sys.path.insert(0, str(ROOT))
    from audiobook.book import read_book
    from audiobook.manifest.write import init_manifest

    whole = read_book(TEXT, TOC).words / 160
    cores = os.cpu_count() or 1
    for minutes in minutes_list:
        share = min(1.0, minutes / whole)
        rec = workdir / f"narrated-{minutes:g}"
        hours = minutes / 60
        chapters, truth = read_as_a_narrator(rec, minutes, SEED, VOICE)
        if share < 1.0:
            init_manifest(rec, rec / "book.md", author="Leon Trotsky")
        else:
            init_manifest(rec, TEXT, toc_path=TOC, author="Leon Trotsky")
        offsets = [0.0]
        for path in truth.sessions:
            offsets.append(offsets[-1] + sf.info(str(path)).duration)
        names = [p.name for p in truth.sessions]
        real_minutes = offsets[-1] / 60
        yield f"| narration: {len(truth.sessions)} sessions, {real_minutes:.0f} min ({hours:g} h asked) | | | | | |"

        def at(where: str, offsets: list[float] = offsets, names: list[str] = names) -> float:
            name, clock = where.rsplit(" ", 1)
            return offsets[names.index(name)] + _seconds(clock)

        builds: dict[bool, list] = {False: [], True: []}
        for i in range(REPEAT):  # in turn, which goes first alternating: paired against the machine's drift
            for align in ((False, True) if i % 2 == 0 else (True, False)):
                out = workdir / f"out-{minutes:g}-{align}"
                shutil.rmtree(out, ignore_errors=True)
                builds[align].append(run_once_cpu([sys.executable, "-m", "audiobook", "build", str(rec), "--out",
                                                   str(out), "--no-m4b"] + ([] if align else ["--no-align"])))
        for align in (False, True):
            out = workdir / f"out-{minutes:g}-{align}"
            runs = builds[align]
            plan = yaml.safe_load((out / "plan.yaml").read_text())
            report = json.loads((out / "report.json").read_text())
            ch_ok = sum(abs(at(t["first_word"]) - (offsets[s] + a)) <= 0.5
                        for t, (s, a) in zip(plan["tracks"], truth.chapter_starts))
            sec_truth = [offsets[s] + a for starts in truth.section_starts for s, a in starts]
            sec_ok = 0  # each section read against the marker of its title (a missing marker is a miss)
            for k, (t, ch) in enumerate(zip(plan["tracks"], chapters)):
                seen = {m["title"]: at(m["first_word"]) for m in t["markers"]}
                for (title, _), (s, a) in zip(ch.sections, truth.section_starts[k]):
                    sec_ok += title in seen and abs(seen[title] - (offsets[s] + a)) <= 0.75
            listening = report["stage_seconds"].get("listening", 0.0)
            what = "listening for headings" if align else "--no-align (pauses and word counts)"
            yield row(f"build --no-m4b, {what} ({cores} cores)", real_minutes, *summary(runs))
            if align:
                wall = sorted(a[0] / b[0] for a, b in zip(builds[True], builds[False]))
                cpu = sorted(a[3] / b[3] for a, b in zip(builds[True], builds[False]))
                yield (f"| … listening ÷ --no-align, run in turn: wall {statistics.median(wall):.3f}x "
                       f"({wall[0]:.3f}–{wall[-1]:.3f}, {len(wall)} pairs), CPU seconds "
                       f"{statistics.median(cpu):.3f}x ({cpu[0]:.3f}–{cpu[-1]:.3f}) | | | | | |")
            yield (f"| … chapters within 0.5 s: {ch_ok}/{len(truth.chapter_starts)}; sections within 0.75 s: "
                   f"{sec_ok}/{len(sec_truth)}; listening took {listening:.1f} s | | | | | |")
            if align and VOICE.startswith("espeak:"):
                yield "| … proof not run: it follows the text by spotting words, which espeak-ng's voice defeats | | | | | |"
            elif align:
                proof = [sys.executable, "-m", "audiobook", "proof", str(rec), "--out", str(out), "--json"]
                yield row(f"audiobook proof ({cores} cores)", real_minutes, *run_once(proof, ok=(0, 1)))
                found = json.loads((out / "proof.json").read_text())
                reported = [s for c in found["chapters"] for s in c["slips"]]
                kinds_ = {"omitted": "omitted", "repeated": "repeated", "flub": "flub", "extra": "extra speech"}
                planted = [(kinds_[kind], offsets[s] + a) for kind, s, a in truth.slips]
                hit = sum(any(r["kind"] == kind and abs(r["timeline_s"] - a) <= 2.0 for r in reported)
                          for kind, a in planted)
                false = sum(not any(abs(r["timeline_s"] - a) <= 2.0 for _, a in planted) for r in reported)
                yield (f"| … slips found within 2 s: {hit}/{len(planted)}; false reports: {false} "
                       f"({false / (real_minutes / 60):.1f} an hour) | | | | | |")
            check = [sys.executable, "-m", "audiobook", "check", str(out), "--json"]
            if align:
                yield row("audiobook check of the build, listening", real_minutes, *run_once(check, ok=(0, 1)))
            verdict = json.loads(subprocess.run(check, capture_output=True, text=True).stdout)
            heard = [f for f in verdict["findings"] if f["check"] == "marker_heard"]
            yield (f"| … check: markers heard at their headings {sum(f['passed'] for f in heard)}/{len(heard)}, "
                   f"{'passed' if not any(not f['passed'] for f in heard) else 'failed'} | | | | | |")
            shutil.rmtree(out)
        shutil.rmtree(rec)


def narrated_book(workdir: Path, minutes: float) -> tuple[Path, str]:
    """The Revolution Betrayed's first paragraphs of every section (or the whole book, from 570
    minutes) read by flite as a real narrator reads (as `boundaries` does, without slips): its
    recordings folder, with its manifest, and the text read."""
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from audiobook.book import read_book
    from audiobook.manifest.write import init_manifest
    from tests.narrator import Chapter
    from tests.narrator import read_book as narrate

    book = read_book(TEXT, TOC)
    share = min(1.0, minutes / (book.words / 160))

    def cut(text: str) -> list[str]:
        paras = [p.strip() for p in text.split("\n\n") if p.strip()]
        return paras[:max(1, round(share * len(paras)))] if paras else []

    chapters = [Chapter(p.label, p.title or "", cut(p.text), [(s.title, cut(s.text)) for s in p.sections])
                for p in book.parts]
    rec = workdir / f"narrated-{minutes:g}"
    rec.mkdir()
    text = f"# {book.title or 'The Revolution Betrayed'}\n\n" + "\n".join(c.markdown() for c in chapters)
    (rec / "book.md").write_text(text, encoding="utf-8")
    rng = np.random.default_rng(SEED)
    narrate(chapters, rec, seed=SEED, realistic=True, session_minutes=max(10.0, minutes / 5),
            stretches=list(rng.uniform(1.0, 1.13, len(chapters))), gains_db=list(rng.uniform(-4, 4, 8)))
    init_manifest(rec, rec / "book.md", author="Leon Trotsky")
    return rec, text


def bench_transcripts(minutes_list: list[float], workdir: Path) -> Iterator[str]:
    """What the WebVTT transcripts add to a build: with and without them, in turn."""
    from collections import Counter

    import webvtt

    from audiobook.listen.speakable import spoken_words

    cores = os.cpu_count() or 1
    for minutes in minutes_list:
        if minutes:
            rec, text = narrated_book(workdir, minutes)
        else:
            rec = workdir / "demo"
            shutil.copytree(ROOT / "recordings", rec)
            text = (rec / "book" / "opening.txt").read_text(encoding="utf-8")
        runs: dict[bool, list] = {False: [], True: []}
        stage: list[float] = []
        for i in range(max(2, REPEAT)):
            for with_vtt in ((False, True) if i % 2 == 0 else (True, False)):
                out = workdir / f"out-{minutes:g}-{with_vtt}"
                shutil.rmtree(out, ignore_errors=True)
                cmd = [sys.executable, "-m", "audiobook", "build", str(rec), "--out", str(out), "--no-m4b",
                       "--transcripts" if with_vtt else "--no-transcripts"]
                runs[with_vtt].append(run_once(cmd))
                if with_vtt:
                    stage.append(json.loads((out / "report.json").read_text())["stage_seconds"]["transcripts"])
        out = workdir / f"out-{minutes:g}-True"
        report = json.loads((out / "report.json").read_text())
        real = report["total_runtime_s"] / 60
        book = Counter(spoken_words(text))
        said = Counter(w for t in report["tracks"] for c in webvtt.read(t["transcript"]).captions
                       for w in spoken_words(c.text))
        name = "the demo" if not minutes else "flite narration"
        yield row(f"build --no-m4b --no-transcripts, {name} ({cores} cores)", real, *summary(runs[False]))
        yield row(f"build --no-m4b, with transcripts, {name} ({cores} cores)", real, *summary(runs[True]))
        ratios = sorted(b[0] / a[0] for a, b in zip(runs[False], runs[True]))
        yield (f"| with ÷ without, run in turn | {real:>7.1f} | {statistics.median(ratios):.2f}x "
               f"({ratios[0]:.2f}–{ratios[-1]:.2f}, {len(ratios)} pairs); the stage: "
               f"{statistics.median(stage):.1f} s ({real * 60 / statistics.median(stage):.0f}x realtime); "
               f"book's words in cues: {sum((book & said).values()) / sum(book.values()):.1%} | | | |")
        shutil.rmtree(rec)
        for with_vtt in (False, True):
            shutil.rmtree(workdir / f"out-{minutes:g}-{with_vtt}", ignore_errors=True)


def bench_compare(minutes_list: list[float], workdir: Path) -> Iterator[str]:
    """The build at AGAINST (a git revision) and as it is now, in turn on one generated book:
    whether a change made it slower, measured so that both meet the machine in the same state."""
    old = workdir / "against"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(old), AGAINST], check=True)
    try:
        for minutes in minutes_list:
            rec = generated_book(workdir, minutes)
            roots = {AGAINST: old, "now": ROOT}
            runs: dict[str, list] = {k: [] for k in roots}
            for i in range(max(2, REPEAT)):  # which goes first alternates
                for name, root in (list(roots.items()) if i % 2 == 0 else list(roots.items())[::-1]):
                    out = workdir / f"out-{minutes:g}-{name}"
                    shutil.rmtree(out, ignore_errors=True)
                    cmd = ["env", f"PYTHONPATH={root}", sys.executable, "-m", "audiobook", "build", str(rec),
                           "--out", str(out), "--m4b" if M4B else "--no-m4b"]
                    runs[name].append(run_once_cpu(cmd, cwd=root))
            for name in roots:
                yield row(f"audiobook build {'with the M4B' if M4B else '--no-m4b'} at {name}", minutes,
                          *summary(runs[name]))
            ratios = sorted(a[0] / b[0] for a, b in zip(runs["now"], runs[AGAINST]))
            cpu = sorted(a[3] / b[3] for a, b in zip(runs["now"], runs[AGAINST]))
            same = all((workdir / f"out-{minutes:g}-now" / p.name).read_bytes() == p.read_bytes()
                       for p in (workdir / f"out-{minutes:g}-{AGAINST}").glob("*.mp3"))
            yield (f"| now ÷ {AGAINST}, run in turn | {minutes:>7.0f} | {statistics.median(ratios):.3f}x "
                   f"({ratios[0]:.3f}–{ratios[-1]:.3f}, {len(ratios)} pairs); MP3s "
                   f"{'byte-identical' if same else 'differ'}; CPU seconds {statistics.median(cpu):.3f}x "
                   f"({cpu[0]:.3f}–{cpu[-1]:.3f}; {statistics.median(r[3] for r in runs['now']):.0f} s against "
                   f"{statistics.median(r[3] for r in runs[AGAINST]):.0f} s) | | | |")
            shutil.rmtree(rec)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False)


def bench_voices(minutes_list: list[float], workdir: Path) -> Iterator[str]:
    """The real-voice set (tests/data/real-voices): each English reading made a book whose chapters
    open at its spoken headings (or, where it has none, at every other paragraph after a pause
    of a second or more), built --plan-only, each chapter's start against the reference time of
    the first sound of what opens it (within 0.3 s before it, never after)."""
    import shutil as _shutil

    from audiobook.build import build
    from audiobook.manifest.write import init_manifest

    for folder in sorted((ROOT / "tests" / "data" / "real-voices").glob("[0-9]*")):
        meta = json.loads((folder / "units.json").read_text(encoding="utf-8"))
        units = meta["units"]
        if meta.get("language", "en") != "en":  # the recogniser speaks English only
            continue
        heads = [i for i, u in enumerate(units) if u["kind"] == "heading"]
        starts = heads if len(heads) >= 2 else [i for i, u in enumerate(units) if i and u["kind"] == "text" and i % 2 == 0
                                                 and u["start_s"] - units[i - 1]["end_s"] >= 1.0]
        if len(starts) < 2 and not heads:
            yield f"| {folder.name}: no pause of a second between its paragraphs to cut at | | | | | |"
            continue
        rec = workdir / folder.name
        rec.mkdir()
        _shutil.copy(folder / "audio.mp3", rec / "session-01.mp3")
        lines, truth = ["# A Reading", ""], [units[0]["start_s"]]
        for n, u in enumerate(units):
            if n in starts or n == 0:
                lines += [f"## {u['text'].rstrip('.') if u['kind'] == 'heading' else f'Part {len(truth)}'}", ""]
                if n:
                    truth.append(u["start_s"])
            if u["kind"] == "text":
                lines += [u["text"], ""]
        (rec / "book.md").write_text("\n".join(lines), encoding="utf-8")
        init_manifest(rec, rec / "book.md", title="A Reading")
        plan = build(rec, workdir / f"{folder.name}-out", plan_only=True, jobs=1).plan
        errors = [t.speech_start_s - at for t, at in zip(plan.tracks[1:], truth[1:])]
        good = sum(-0.3 <= e <= 0.05 for e in errors)
        yield (f"| {folder.name} ({meta.get('sex', '?')}, {meta.get('accent', '?')}) | chapters right: {good}/{len(errors)}; "
               f"errors {', '.join(f'{e:+.2f}' for e in errors)} s | | | | |")


def bench_denoise(minutes_list: list[float], workdir: Path) -> Iterator[str]:
    """Noise reduction on the real readings (scripts/denoise_bench.py); --minutes is not used."""
    import denoise_bench

    yield from denoise_bench.table(denoise_bench.run(ROOT))


def bench_mouth(minutes_list: list[float], workdir: Path) -> Iterator[str]:
    """Mouth clicks and breaths, planted and on the real readings (scripts/mouth_bench.py); --minutes is not used."""
    import mouth_bench

    yield from mouth_bench.run()


def _seconds(clock: str) -> float:
    parts = [float(p) for p in str(clock).split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))


def main() -> None:
    global REPEAT, SEED, AGAINST, ROOM_TONE, M4B, VOICE
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stage", choices=["analysis", "encoders", "build", "boundaries", "compare", "voices", "denoise",
                                          "mouth", "transcripts"],
                        help="what to measure (compare: the build now against --against REV, in turn)")
    parser.add_argument("--minutes", type=float, nargs="+", default=[10, 120], help="lengths of narration")
    parser.add_argument("--workdir", type=Path, help="where to write the generated audio (default: a temp folder)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run each command N times and report its median wall time (the machine may drift)")
    parser.add_argument("--against", default="HEAD", metavar="REV",
                        help="compare: the git revision to measure the build against")
    parser.add_argument("--m4b", action="store_true", help="compare: build the M4B too (else --no-m4b)")
    parser.add_argument("--seed", type=int, default=SEED,
                        help="boundaries: another narration of the same book (pauses, slips, pace) — one never tuned on")
    parser.add_argument("--voice", default=VOICE,
                        help="boundaries: the narrator — a flite voice (slt, rms, awb, kal) or espeak-ng's (espeak:en-us), "
                             "one the recogniser cannot spot words in")
    parser.add_argument("--room-tone", type=float, default=ROOM_TONE, metavar="DBFS",
                        help="build, compare: the generated book's room tone (-45: loud enough for ACX's noise reduction)")
    args = parser.parse_args()
    REPEAT, SEED, AGAINST, ROOM_TONE, M4B = max(1, args.repeat), args.seed, args.against, args.room_tone, args.m4b
    VOICE = args.voice
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        source = {"analysis": "48 kHz 24-bit", "encoders": "44.1 kHz 16-bit", "build": "48 kHz 24-bit",
                  "boundaries": f"16 kHz 16-bit ({VOICE})", "compare": "48 kHz 24-bit",
                  "voices": "real readings (MP3)", "denoise": "real readings (MP3)",
                  "mouth": "flite and espeak-ng readings at 44.1 kHz; real readings (MP3)",
                  "transcripts": "16 kHz 16-bit (flite)"}[args.stage]
        voice = {"boundaries": VOICE, "transcripts": "flite", "voices": "real readers", "denoise": "real readers",
                 "mouth": "flite, espeak-ng and real readers"}.get(
            args.stage, "espeak-ng" if has_espeak() else "a synthetic voice")
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"input: {source}{'' if args.stage in ('voices', 'denoise', 'mouth') else ' mono WAV'}, speech from {voice}")
        if args.stage in ("denoise", "mouth"):
            for line in {"denoise": bench_denoise, "mouth": bench_mouth}[args.stage](args.minutes, Path(tmp)):
                print(line, flush=True)
            return
        print("| tool                                         | minutes |   wall s | realtime |  peak MB | all processes MB |")
        print("|----------------------------------------------|--------:|---------:|---------:|---------:|-----------------:|")
        stage = {"analysis": bench_analysis, "encoders": bench_encoders, "build": bench_build,
                 "boundaries": bench_boundaries, "compare": bench_compare, "voices": bench_voices,
                 "denoise": bench_denoise, "transcripts": bench_transcripts}[args.stage]
        for line in stage(args.minutes, Path(tmp)):
            print(line, flush=True)


if __name__ == "__main__":
    main()
