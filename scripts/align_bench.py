#!/usr/bin/env python3
"""Word-time accuracy: where the transcripts' sentences (and words) start, against reference times
that no aligner of ours made, for our aligner and for one other (aeneas).

    python scripts/align_bench.py fetch [--sources DIR] [--cache DIR]   # the reference audio, by hash
    python scripts/align_bench.py run   [--cache DIR] [--set NAME ...] [--detail]

What it measures, per set and per aligner: the |error| of each reference sentence start (and word
start, where the reference has words) — how many, the median, the 95th percentile, and the share
within 50, 100 and 250 ms (a start the aligner gave no time counts as outside all three). It prints a
Markdown table; `--detail` also prints every sentence start's error, signed (negative: early).

The aligners, on the same 16 kHz mono session and the same lines (each reference unit's text split
into the book's sentences, as `audiobook/transcript/text.py` splits them):

- **ours**: `audiobook.listen.follow.follow` over a `Timeline` and `Recordings` made as the build makes
  them (the session's pause map from `analyze_file`), the lines then gathered into cues by
  `time_lines`: a line's start is its cue's start, as the WebVTT transcript and the read-along show it
  (a line that shares a cue with unplaced neighbours gets that cue's start). Word starts: the placed words.
- **aeneas** (`pip install aeneas-ng`, bench only: it builds from source and needs the Festival and
  Edinburgh Speech Tools headers, Debian's `festival-dev` and `libestools-dev`, and espeak-ng; it is
  AGPL-3.0, never imported by the package): espeak-ng speaks the text, DTW on MFCCs maps it onto the
  audio; one fragment per line for sentence starts, one per word for word starts; the head and tail
  silences detected (`is_audio_file_detect_head_max`) and non-speech over 100 ms removed from the
  fragments (`task_adjust_boundary_nonspeech_*=REMOVE`), as its documentation advises for read-along.

The sets, and where their reference times come from (none from either aligner):

- `timit`: TIMIT's word boundaries (.WRD: put on its hand-verified phonetic segmentation): four
  speakers' SA1 (four dialect regions, two women, two men), the test fixture that the Hugging Face
  `datasets` repository kept for its TIMIT loader (huggingface/datasets@80f4fbcc,
  datasets/timit_asr/dummy/clean/2.0.1/dummy_data.zip). Licence: TIMIT is the LDC's (LDC93S1, LDC User
  Agreement for Non-Members); the repository is Apache-2.0 but the files stay the LDC's. Used here only
  to measure, in the cache, never committed.
- `emu-ae`: the EMU speech database system's demo database `ae` (seven read sentences, one male
  speaker of Australian English), segmented by hand (its Phonetic tier marks aspiration and bursts as
  separate segments, as manual labelling does; emuR does not name the labeller), word times from its
  Text tier; the seven joined in order at their own edges into one session. From IPS-LMU/emuR@400407d7,
  inst/extdata/rawDemoData; emuR is GPL-2 or later.
- `real-voices`: the English readers of tests/data/real-voices (01-03: LibriVox, LJ Speech; public
  domain): every unit's start, the energy onset of its first word (make_reference.py: the onset itself
  is measured from the audio's level; a separate whole-file pocketsphinx alignment only chose which
  pause to look in, and agrees within 80 ms).
- `voices-constructed` and `voices-own-pauses`: scripts/voices.py's cases (tests/data/voices/cases.json;
  sources and licences there: LibriVox, LibriSpeech CC-BY 4.0, ReadAlongs CC-BY 4.0), each part's start
  as that file gives it (energy onset, checked by pocketsphinx and a voice detector). `constructed`: the
  parts that open after a pause the case builder put in (so the start of the joined piece is known from
  how the session was made); `own-pauses`: the other part starts (a session's first, and the readers'
  own pauses). tests/data/voices' audio is fetched by `python scripts/voices.py fetch` into its own cache.

`fetch` reads each reference file from a local git copy of its public repository at the pinned commit
(`--sources`, or $AUDIOBOOK_ALIGN_SOURCES: one folder per repository named `owner+name`, as a mirror or
a clone leaves it), checks its SHA-256 and stores it in the cache (`--cache`, or $AUDIOBOOK_ALIGN_CACHE,
default ~/.cache/audiobook-align) under its hash. Not a test: it needs the fetched data; `run` takes
under a minute on one core.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import io
import json
import os
import re
import statistics
import sys
import tempfile
import wave
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import voices  # noqa: E402  (the voice set's cases, their audio and how a case's session is assembled)

SR = 16000
WITHIN_S = (0.05, 0.10, 0.25)
SETS = ("timit", "emu-ae", "real-voices", "voices-constructed", "voices-own-pauses")
ENGLISH_READERS = ("01-sonnets-librivox-f", "02-ljspeech-f", "03-sense-sensibility-m")
# espeak-ng as a program (its C extension hung here); safety_checks off, else aeneas-ng 1.7.4 resamples each
# spoken fragment to 16 kHz but writes them out as espeak-ng's 22,050 Hz, and its times drift by 22050/16000
AENEAS_RUNTIME = "tts=espeak-ng|cew=False|safety_checks=False"
SAME_AUDIO_AS = {"totc-sirois-m-untitled": "totc-sirois-m"}  # cases that repeat another's audio and starts


@dataclass(frozen=True)
class Source:
    """One reference file: a path of a public repository at a commit, and its SHA-256."""

    repo: str
    commit: str
    path: str
    sha256: str


HF = "huggingface/datasets", "80f4fbccd2c6df601a691f0bb9c511f6488910bb"
TIMIT_ZIP = Source(*HF, "datasets/timit_asr/dummy/clean/2.0.1/dummy_data.zip",
                   "ff277a8b6f09d34eceb60724a782412b8ff38465e8a60da2ce1eeaded644c60f")
TIMIT_UTTERANCES = ("TEST/DR1/FAKS0/SA1", "TEST/DR7/MTWH0/SA1", "TRAIN/DR3/FDFB0/SA1", "TRAIN/DR5/MRVG0/SA1")

EMU = "IPS-LMU/emuR", "400407d76b2879ce22388f11f0b0b3dbdf29b076"
EMU_DIR = "inst/extdata/rawDemoData"
EMU_FILES = {  # bundle: (wav SHA-256, TextGrid SHA-256)
    "msajc003": ("314cf500b68234d5e1defb70c7137cb1dabe78d5e8ac3fd233768fb30e508caa",
                 "5ec8926f6cc36ef7c6cacc6acdb7318f65464a0c5994a4c5d9795cc556cb2958"),
    "msajc010": ("5217d52d2c53202cd0b2ea01190c1f5db9b005d37fa7a21f21b6fed59fe7a021",
                 "080fd704e60a658189f4b3e5cae69425effe85f849153b068bf1557fa9d0afdf"),
    "msajc012": ("8478c1ddc39053bee143e7e3a3f8474638dd200f0ff192bcf70de39384e2ec55",
                 "8afbdc56d5dec4503d8e4701984574fbb65c8cab947d7d96999c872358c1ad13"),
    "msajc015": ("cdbac240d25c43d0ac7acfda87b4a16de399a92cdbdd90ae8155acbe87ce7edd",
                 "7970ae08e51ac9a630fa69c493197b13a8865878279168e58474160036f68471"),
    "msajc022": ("b047160e67a784052087b77e893df13af788bffcc7b3936904c1fcea1fc96913",
                 "d9a7c325f2da2eb846e4bab9620471257105db0aea7157276edf58c02ed634ac"),
    "msajc023": ("ffae0103c7ce81f594cdbb57f84ec861aa555a85d7507abfa7bf8933323d7ea7",
                 "f98488f912a5c31a58d9670d16250e67dbe15b38fc8134dde35e2e41adaa36cc"),
    "msajc057": ("f2e454134904c65c718f401281f04adc63fa051ec3c4b7112614fd4be6b3ba23",
                 "f25a62bb88cc3b4b750124ac33cd3fa2db819e323ad0d66c8c8a812297b50227"),
}


def emu_sources() -> dict[str, tuple[Source, Source]]:
    return {b: (Source(*EMU, f"{EMU_DIR}/wavFiles/{b}.wav", w), Source(*EMU, f"{EMU_DIR}/annotationFiles/{b}.TextGrid", g))
            for b, (w, g) in EMU_FILES.items()}


def all_sources() -> list[Source]:
    return [TIMIT_ZIP] + [s for pair in emu_sources().values() for s in pair]


# ---------------------------------------------------------------------------------------------- data


@dataclass
class Session:
    """One recording to align: 16 kHz mono int16, the text as lines, and the reference starts.

    `refs`: (line index, reference start s) for each measured line start; `words`: the reference's
    words in order with their starts (empty where it has none); [from_s, to_s]: the span aligned."""

    set: str
    id: str
    pcm: np.ndarray
    lines: list[str]
    refs: list[tuple[int, float]]
    words: list[tuple[str, float]] = field(default_factory=list)
    from_s: float = 0.0
    to_s: float | None = None

    @property
    def end_s(self) -> float:
        return self.to_s if self.to_s is not None else len(self.pcm) / SR


def cache_dir(arg: Path | None) -> Path:
    return arg or Path(os.environ.get("AUDIOBOOK_ALIGN_CACHE", Path.home() / ".cache" / "audiobook-align"))


def fetch(sources: Path | None, cache: Path) -> None:
    """Every reference file into the cache under its SHA-256, read from the git copies in `sources`."""
    from bookcorpus.sources import read

    cache.mkdir(parents=True, exist_ok=True)
    for src in all_sources():
        if (cache / src.sha256).is_file():
            continue
        if sources is None:
            raise SystemExit(f"no --sources folder (or $AUDIOBOOK_ALIGN_SOURCES) with a git copy of {src.repo}")
        data = read(sources, src.repo, src.commit, src.path)
        digest = hashlib.sha256(data).hexdigest()
        if digest != src.sha256:
            raise SystemExit(f"{src.repo}:{src.path} has SHA-256 {digest}, the bench pins {src.sha256}")
        (cache / src.sha256).write_bytes(data)
        print(f"cached {src.repo}:{src.path}")


def cached(cache: Path, src: Source) -> bytes:
    path = cache / src.sha256
    if not path.is_file():
        raise SystemExit(f"{src.repo}:{src.path} is not in {cache} — run `python scripts/align_bench.py fetch` first")
    return path.read_bytes()


def to_pcm(data: bytes) -> np.ndarray:
    """Any file soundfile reads (WAV, NIST SPHERE) as 16 kHz mono int16."""
    import soundfile as sf
    import soxr

    x, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    x = x.mean(axis=1)
    if rate != SR:
        x = soxr.resample(x, rate, SR, quality="HQ")
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)


def timit_sessions(cache: Path) -> list[Session]:
    """Each TIMIT utterance alone: its sentence and its hand-corrected word starts (.WRD, in samples)."""
    out = []
    with zipfile.ZipFile(io.BytesIO(cached(cache, TIMIT_ZIP))) as z:
        for utt in TIMIT_UTTERANCES:
            stem = f"dummy_data/data/{utt}"
            text = z.read(stem + ".TXT").decode().split(maxsplit=2)[2].strip()
            words = [(w, int(a) / SR) for a, _, w in (line.split() for line in z.read(stem + ".WRD").decode().splitlines())]
            out.append(Session("timit", utt, to_pcm(z.read(stem + ".WAV")), [text], [(0, words[0][1])], words))
    return out


def textgrid_tier(text: str, tier: str) -> list[tuple[float, float, str]]:
    """(xmin, xmax, text) of the intervals of one tier of a long-format TextGrid."""
    body = text.split(f'name = "{tier}"', 1)[1].split("item [", 1)[0]
    return [(float(a), float(b), t) for a, b, t in
            re.findall(r'xmin = ([\d.]+)\s*\n\s*xmax = ([\d.]+)\s*\n\s*text = "(.*?)"', body)]


def emu_session(cache: Path) -> Session:
    """The seven `ae` sentences joined in order at their own edges, with their hand-segmented words."""
    pieces, lines, refs, words, at = [], [], [], [], 0.0
    for wav, grid in emu_sources().values():
        pcm = to_pcm(cached(cache, wav))
        said = [(w, a) for a, _, w in textgrid_tier(cached(cache, grid).decode(), "Text") if re.search(r"[A-Za-z]", w)]
        refs.append((len(lines), at + said[0][1]))
        lines.append(" ".join(w for w, _ in said).capitalize() + ".")
        words += [(w, at + a) for w, a in said]
        pieces.append(pcm)
        at += len(pcm) / SR
    return Session("emu-ae", "ae (7 sentences)", np.concatenate(pieces), lines, refs, words)


def unit_lines(units: list[dict]) -> tuple[list[str], list[int]]:
    """Every unit's text as the book's sentences (a unit always opens a line), and the line each unit opens."""
    from audiobook.book.sentences import sentences

    lines: list[str] = []
    first: list[int] = []
    for u in units:
        first.append(len(lines))
        lines += sentences(u["text"]) or [u["text"]]
    return lines, first


def real_voice_sessions() -> list[Session]:
    out = []
    for name in ENGLISH_READERS:
        folder = ROOT / "tests" / "data" / "real-voices" / name
        units = json.loads((folder / "units.json").read_text(encoding="utf-8"))["units"]
        lines, first = unit_lines(units)
        refs = [(k, u["start_s"]) for k, u in zip(first, units)]
        out.append(Session("real-voices", name, voices.decode(folder / "audio.mp3"), lines, refs))
    return out


def voice_case_sessions(cache: Path) -> list[Session]:
    """scripts/voices.py's cases: each part start, split by whether a constructed pause comes before it."""
    out = []
    for case in voices.load_cases():
        if case["id"] in SAME_AUDIO_AS:
            continue
        pcm, _ = voices.assemble(case, cache)
        units = [u for u in case["units"] if u.get("in_book", True)]
        lines, first = unit_lines(units)
        constructed = case["pauses"].startswith("constructed")
        measured = [(k, u["start_s"]) for k, u in zip(first, units) if "start_s" in u]
        after_pause = [(k, s) for n, (k, s) in enumerate(measured) if constructed and n > 0]
        own = [r for r in measured if r not in after_pause]
        for name, refs in (("voices-constructed", after_pause), ("voices-own-pauses", own)):
            if refs:
                out.append(Session(name, case["id"], pcm, lines, refs, from_s=case.get("align_from_s", 0.0),
                                   to_s=case.get("align_to_s")))
    return out


# ---------------------------------------------------------------------------------------------- aligners


@dataclass
class Timed:
    """What an aligner gave: each line's start (None: no time), and each spoken word's start by index."""

    lines: list[float | None]
    words: dict[int, float]


def spoken(lines: list[str]) -> tuple[list[str], list[range]]:
    """The lines' spoken words (as the transcripts tokenise them) and each line's range of them."""
    from audiobook.listen.speakable import spoken_words

    words: list[str] = []
    ranges: list[range] = []
    for line in lines:
        said = spoken_words(line)
        ranges.append(range(len(words), len(words) + len(said)))
        words += said
    return words, ranges


def write_wav(path: Path, pcm: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())


def ours(session: Session, listener, tmp: Path) -> Timed:
    """Our aligner as the build's transcripts run it: follow() over the session's timeline, then cues."""
    from audiobook.analysis import analyze_file
    from audiobook.listen.audio import Recordings
    from audiobook.listen.follow import follow
    from audiobook.plan import Timeline
    from audiobook.transcript import Line, time_lines

    path = tmp / "session.wav"
    write_wav(path, session.pcm)
    timeline = Timeline([analyze_file(path, keep_series=False, true_peak=False)])
    recordings = Recordings([str(path)], [float(x) for x in timeline.offsets])
    words, ranges = spoken(session.lines)
    try:
        following = follow(listener, recordings, timeline, words, [r.start for r in ranges if len(r)],
                           session.from_s, session.end_s)
    finally:
        recordings.close()
    lines = [Line(t) for t in session.lines]
    cues = time_lines(lines, ranges, following)
    return Timed(cue_starts(session.lines, [(c.text, c.start_s) for c in cues]),
                 {p.index: p.start_s for p in following.placed})


def cue_starts(lines: list[str], cues: list[tuple[str, float]]) -> list[float | None]:
    """Each line's cue start: its own cue's, or the one it shares with its unplaced neighbours (their texts
    joined); None where the line has no cue (left out)."""
    out: list[float | None] = [None] * len(lines)
    k = 0
    for text, start in cues:
        for a in range(k, len(lines)):
            b = next((b for b in range(a, len(lines)) if " ".join(lines[a:b + 1]) == text), None)
            if b is not None:
                for n in range(a, b + 1):
                    out[n] = start
                k = b + 1
                break
    return out


def aeneas_fragments(path: Path, fragments: list[str], tmp: Path) -> list[float]:
    """aeneas's begin time (s into the file) of each fragment, one a line of plain text."""
    from aeneas.executetask import ExecuteTask
    from aeneas.runtimeconfiguration import RuntimeConfiguration
    from aeneas.task import Task

    text = tmp / "fragments.txt"
    text.write_text("\n".join(fragments) + "\n", encoding="utf-8")
    task = Task(config_string="task_language=eng|is_text_type=plain|os_task_file_format=json"
                              "|is_audio_file_detect_head_max=2.0|is_audio_file_detect_tail_max=2.0"
                              "|task_adjust_boundary_nonspeech_min=0.100|task_adjust_boundary_nonspeech_string=REMOVE")
    task.audio_file_path_absolute = str(path)
    task.text_file_path_absolute = str(text)
    ExecuteTask(task, rconf=RuntimeConfiguration(AENEAS_RUNTIME)).execute()
    begins = [float(f.begin) for f in task.sync_map_leaves() if f.is_regular]
    if len(begins) != len(fragments):
        raise RuntimeError(f"aeneas gave {len(begins)} fragments for {len(fragments)}")
    return begins


def aeneas(session: Session, tmp: Path) -> Timed:
    """aeneas on the aligned span: one fragment per line; one per word too where the reference has words."""
    path = tmp / "span.wav"
    a, b = int(session.from_s * SR), int(session.end_s * SR)
    write_wav(path, session.pcm[a:b])
    lines = [session.from_s + t for t in aeneas_fragments(path, session.lines, tmp)]
    words: dict[int, float] = {}
    if session.words:
        tokens, _ = spoken(session.lines)
        words = {k: session.from_s + t for k, t in enumerate(aeneas_fragments(path, tokens, tmp))}
    return Timed(list(lines), words)


# ---------------------------------------------------------------------------------------------- errors


@dataclass
class Errors:
    """The error in seconds of every reference start, the aligner's time less the reference's (negative:
    early; None: the aligner gave it no time)."""

    sentences: list[float | None] = field(default_factory=list)
    words: list[float | None] = field(default_factory=list)


def sentence_errors(session: Session, timed: Timed) -> list[float | None]:
    return [None if timed.lines[k] is None else timed.lines[k] - ref for k, ref in session.refs]


def word_errors(session: Session, timed: Timed) -> list[float | None]:
    """Each reference word matched to the transcript's words (in order, equal spellings) and compared."""
    tokens, _ = spoken(session.lines)
    ref = [re.sub(r"[^a-z0-9']", "", w.lower()) for w, _ in session.words]
    out: list[float | None] = []
    for block in difflib.SequenceMatcher(a=ref, b=tokens, autojunk=False).get_matching_blocks():
        for i in range(block.size):
            got = timed.words.get(block.b + i)
            out.append(None if got is None else got - session.words[block.a + i][1])
    return out


def summary(errors: list[float | None]) -> str:
    """n | timed | median and 95th percentile of |error| | within 50/100/250 ms, as Markdown cells."""
    timed = [abs(e) for e in errors if e is not None]
    if not errors:
        return " | ".join(["–"] * 7)
    inside = [sum(e <= w for e in timed) / len(errors) for w in WITHIN_S]
    med = f"{statistics.median(timed) * 1000:.0f} ms" if timed else "–"
    p95 = f"{float(np.percentile(timed, 95)) * 1000:.0f} ms" if timed else "–"
    return " | ".join([str(len(errors)), str(len(timed)), med, p95] + [f"{x:.0%}" for x in inside])


def table(results: dict[tuple[str, str], Errors], sessions: dict[str, list[Session]]) -> str:
    head = ("| set | sessions | aligner | starts | timed | median \\|error\\| | 95th percentile "
            "| within 50 ms | within 100 ms | within 250 ms |")
    rows = [head, "|" + "---|" * 10]
    pooled: dict[str, list[float | None]] = {}
    for (name, aligner), err in results.items():
        count = f"{len(sessions[name])}"
        rows.append(f"| {name}: sentence starts | {count} | {aligner} | {summary(err.sentences)} |")
        if err.words:
            rows.append(f"| {name}: word starts | {count} | {aligner} | {summary(err.words)} |")
        pooled.setdefault(aligner, []).extend(err.sentences)
    if len(results) > len(pooled):
        total = len({s.id for v in sessions.values() for s in v})  # a voice case in both voices-* sets once
        rows += [f"| all sets: sentence starts | {total} | {a} | {summary(errs)} |" for a, errs in pooled.items()]
    return "\n".join(rows)


# ---------------------------------------------------------------------------------------------- run


def load_sets(names: list[str], cache: Path, voice_cache: Path) -> dict[str, list[Session]]:
    loaders: dict[str, Callable[[], list[Session]]] = {
        "timit": lambda: timit_sessions(cache),
        "emu-ae": lambda: [emu_session(cache)],
        "real-voices": real_voice_sessions,
    }
    out: dict[str, list[Session]] = {n: loaders[n]() for n in names if n in loaders}
    if any(n.startswith("voices-") for n in names):
        for s in voice_case_sessions(voice_cache):
            if s.set in names:
                out.setdefault(s.set, []).append(s)
    return {n: out[n] for n in names if n in out}


def run(names: list[str], cache: Path, voice_cache: Path, detail: bool) -> int:
    from audiobook.listen.listener import Listener

    sets = load_sets(names, cache, voice_cache)
    results: dict[tuple[str, str], Errors] = {}
    with Listener("en") as listener, tempfile.TemporaryDirectory() as tmp:
        for name, sessions in sets.items():
            for aligner in ("ours", "aeneas"):
                err = results.setdefault((name, aligner), Errors())
                for s in sessions:
                    timed = ours(s, listener, Path(tmp)) if aligner == "ours" else aeneas(s, Path(tmp))
                    got = sentence_errors(s, timed)
                    err.sentences += got
                    if s.words:
                        err.words += word_errors(s, timed)
                    if detail:
                        print(f"{name} {s.id} {aligner}: " + ", ".join("–" if e is None else f"{e:+.2f}" for e in got),
                              flush=True)
    print(table(results, sets))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["fetch", "run"])
    ap.add_argument("--sources", type=Path, default=os.environ.get("AUDIOBOOK_ALIGN_SOURCES"),
                    help="folder of git copies of the source repositories (owner+name/)")
    ap.add_argument("--cache", type=Path, help="where the fetched reference files are kept, by hash")
    ap.add_argument("--voice-cache", type=Path, help="scripts/voices.py's cache (default: its own)")
    ap.add_argument("--set", action="append", choices=SETS, help="only this set; may be given more than once")
    ap.add_argument("--detail", action="store_true", help="print every start's error")
    args = ap.parse_args(argv)
    cache = cache_dir(args.cache)
    if args.command == "fetch":
        fetch(Path(args.sources) if args.sources else None, cache)
        return 0
    return run(args.set or list(SETS), cache, voices.cache_dir(args.voice_cache), args.detail)


if __name__ == "__main__":
    sys.exit(main())
