"""Noise reduction measured on real readings: `python scripts/bench.py denoise`.

Each real reading (tests/data/real-voices, and ../shared/real-narration where it is there) as
it is, and with a real room's tone added at -50 and -40 dBFS RMS: the middles of another
LibriVox reading's pauses (the UDHR preamble in English; for that reading, the French one),
joined with equal-power crossfades and looped. Each mix is then mastered to ACX's RMS (-20
dBFS, one gain over the whole file) after one of:

- `input`: nothing (the mix, levelled);
- `expander (before #29)`: the build as it was: high-pass and the expander in the pauses;
- `afftdn + expander`: ffmpeg's afftdn (nr=12 dB, its noise floor set to the mix's, noise
  tracking on: a stand-in for Audacity's recipe), then the build as it was;
- `noisereduce defaults + expander`: noisereduce 3's `reduce_noise(y, sr)` (non-stationary
  spectral gating), then the build as it was;
- `noisereduce stationary + expander`: the same with the session's room tone as `y_noise`
  (the same pauses ours learns from) and `stationary=True`;
- `audiobook (#29)`: the build now: audiobook.render.denoise with the depth ACX needs, then
  the high-pass, and the expander only where that depth was capped, or where the pauses
  still measure over ACX's -60 dBFS (the build renders such a track again with the expander
  trimming the rest: an unsteady room, or pauses so short that the quietest half second
  holds the tails of words).

Measures, on the levelled output, with the clean reading's own pause map (pauses of 0.5 s or
more, 0.1 s off each end; speech: everything not in a pause of 0.2 s or more):
- `ACX floor`: RMS of the quietest 0.5 s (ACX's noise floor; the build's check);
- `pauses`: RMS over the pauses, whatever is in them (breaths too);
- the added room tone as it comes out, `in pauses` and `under speech`, where it is heard
  alone: in the time-frequency cells where the clean reading is 10 dB under it and no cell
  of the voice is within 2 bins or a frame (there the output's own leakage from the voice
  would be taken for room tone), each cell's gain (output over input, levelling included)
  applied to the room tone's power there. One estimate for both: `pumping` is their
  difference, the floor's rise under the words that ACX hears as gating;
- `residual under speech` (mixes only): RMS over the speech of the output minus the clean
  reading (high-passed as every master is) at its least-squares gain: room tone left and
  harm done to the voice together;
- STOI (pystoi, 0-1) and wide-band PESQ (pesq, 1-4.5), both at 16 kHz, against the clean
  reading: the `input` row is the mix's own;
- `s/h`: seconds of one core per hour of audio at the reading's rate (22.05 kHz; ffmpeg's
  wall time including its start).
"""

from __future__ import annotations

import math
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

TARGET_RMS_DBFS = -20.0
FRAME_S = 0.01


@dataclass
class Reading:
    name: str
    path: Path


@dataclass
class Measures:
    acx_floor_db: float
    pauses_db: float  # RMS over the pauses, all of it
    noise_pauses_db: float | None  # the added room tone's share, in the pauses ...
    noise_speech_db: float | None  # ... and under the speech
    residual_db: float | None  # output minus the clean reading at its gain, under the speech
    stoi: float | None
    pesq: float | None
    cost_s_per_hour: float

    @property
    def pumping_db(self) -> float | None:
        if self.noise_pauses_db is None or self.noise_speech_db is None:
            return None
        return self.noise_speech_db - self.noise_pauses_db


def readings(root: Path) -> list[Reading]:
    """The real readings with pauses worth the name (LJ Speech's clips were cut at the voice)."""
    out = [Reading(f.name, f / "audio.mp3") for f in sorted((root / "tests" / "data" / "real-voices").glob("[0-9]*"))
           if "ljspeech" not in f.name]
    shared = root.parent / "shared" / "real-narration"
    out += [Reading(p.stem.replace("human_rights_un_", "udhr-").replace("_64kb-preamble", ""), p)
            for p in sorted((shared / "udhr-preamble").glob("*.mp3"))]
    return out


def _mono(path: Path) -> tuple[np.ndarray, int]:
    x, rate = sf.read(path, dtype="float32", always_2d=True)
    return x.mean(axis=1), rate


def _db(power: float) -> float:
    return 10 * math.log10(power) if power > 0 else float("-inf")


def _analysis(x: np.ndarray, rate: int, tmp: Path):
    from audiobook.analysis.analyze import analyze_file

    path = tmp / "a.wav"
    sf.write(path, x, rate, subtype="FLOAT")
    return analyze_file(path, keep_series=False, true_peak=False)


def _room_tone(source: Path, rate: int, total: int, rms_dbfs: float, tmp: Path) -> np.ndarray:
    """`total` samples of a real room, at `rms_dbfs`: the steadiest of `source`'s room tone — quarter
    seconds of its pauses within 3 dB of the quietest (a pause also holds breaths, lip noise and
    the tails of words, which no room makes) — crossfaded and looped."""
    import soxr

    from audiobook.render.denoise import noise_spans

    x, source_rate = _mono(source)
    if source_rate != rate:
        x = soxr.resample(x, source_rate, rate).astype(np.float32)
    piece_n, fade = int(0.25 * rate), int(0.05 * rate)
    pieces = []
    for a, b in noise_spans(_analysis(x, rate, tmp).pauses, max_s=60.0):
        span = x[int(a * rate):int(b * rate)]
        pieces += [span[i:i + piece_n] for i in range(0, len(span) - piece_n + 1, piece_n - fade)]
    levels = np.array([_db(float(np.mean(p.astype(np.float64) ** 2))) for p in pieces])
    pieces = [p for p, v in zip(pieces, levels) if v <= levels.min() + 3.0]
    ramp = np.sqrt(np.linspace(0, 1, fade, dtype=np.float32))
    out = np.zeros(total + piece_n, dtype=np.float32)
    rng = np.random.default_rng(0)
    at = 0
    while at < total:
        piece = pieces[int(rng.integers(len(pieces)))].copy()
        piece[:fade] *= ramp
        piece[-fade:] *= ramp[::-1]
        out[at:at + piece_n] += piece
        at += piece_n - fade
    out = out[:total]
    return out * np.float32(10 ** (rms_dbfs / 20) / math.sqrt(float(np.mean(out.astype(np.float64) ** 2))))


def _masks(clean_analysis, n: int, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Samples in the pauses (0.5 s or more, 0.1 s off each end) and in the speech."""
    pause, quiet = np.zeros(n, bool), np.zeros(n, bool)
    for p in clean_analysis.pauses:
        quiet[int(p.start_s * rate):int(p.end_s * rate)] = True
        if p.duration_s >= 0.5:
            pause[int((p.start_s + 0.1) * rate):int((p.end_s - 0.1) * rate)] = True
    return pause, ~quiet


def _align(x: np.ndarray, y: np.ndarray, rate: int) -> np.ndarray:
    """`y` moved to line up with `x` (an encoder's or filter's latency), within 0.25 s."""
    n = min(len(x), len(y), 60 * rate)
    size = 1 << (2 * n - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(y[:n], size) * np.conj(np.fft.rfft(x[:n], size)), size)
    reach = int(0.25 * rate)
    lags = np.concatenate([np.arange(0, reach), np.arange(-reach, 0)])
    lag = int(lags[np.argmax(np.concatenate([corr[:reach], corr[-reach:]]))])
    out = np.zeros_like(x)
    if lag >= 0:
        part = y[lag:lag + len(x)]
    else:
        part = np.concatenate([np.zeros(-lag, y.dtype), y])[:len(x)]
    out[:len(part)] = part
    return out


def _stft_power(x: np.ndarray) -> np.ndarray:
    from scipy.signal import stft

    return np.abs(stft(x, nperseg=1024, noverlap=512, boundary=None, padded=False)[2]) ** 2  # bins x frames


def _noise_share(clean: np.ndarray, mix: np.ndarray, y: np.ndarray, noise: np.ndarray, pause: np.ndarray,
                 speech: np.ndarray) -> tuple[float, float]:
    """The added room tone as it comes out, in the pauses and under the speech (dBFS), where the
    voice does not mask it: in the time-frequency cells (1024-sample frames, half overlapping)
    where the clean reading is 10 dB under the room tone and no cell of the voice is near, each cell's gain (output over input,
    levelling included) applied to the room tone alone, as a change of its level there. The
    same estimate for both, so their difference is the pumping a listener hears, whatever the
    processing (each one compared here is a gain on such cells, or on time alone)."""
    ps, px, py, pn = _stft_power(clean), _stft_power(mix), _stft_power(y), _stft_power(noise)
    overall = math.sqrt(float(np.mean(y.astype(np.float64) ** 2)) / float(np.mean(mix.astype(np.float64) ** 2)))
    gain2 = np.minimum(py / np.maximum(px, 1e-20), (2 * overall) ** 2)
    from scipy.ndimage import maximum_filter

    # cells where the room tone is heard alone: the voice 10 dB under it, and none of the voice's own
    # cells within 2 bins or a frame (whose leakage would be taken for room tone let through)
    heard = (10 * ps < pn) & ~maximum_filter(ps > pn, size=(5, 3))
    starts = np.arange(pn.shape[1]) * 512

    def level(mask: np.ndarray) -> float:
        inside = np.array([mask[s:s + 1024].all() for s in starts])
        cells = heard & inside[None, :]
        if not cells.any():
            return float("nan")
        change = float((gain2 * pn)[cells].sum()) / float(pn[cells].sum())
        rms = float(np.mean(noise[mask].astype(np.float64) ** 2))
        return _db(rms * change)

    return level(pause), level(speech)


def _acx_floor(x: np.ndarray, rate: int) -> float:
    hop = int(rate * 0.1)
    k = len(x) // hop
    hops = (x[:k * hop].astype(np.float64).reshape(k, hop) ** 2).mean(axis=1)
    means = np.convolve(hops, np.ones(5) / 5, mode="valid")
    means = means[means > 0]
    return _db(float(means.min())) if len(means) else float("-inf")


def _quality(clean: np.ndarray, y: np.ndarray, rate: int) -> tuple[float | None, float | None]:
    try:
        import soxr
        from pesq import pesq
        from pystoi import stoi
    except ImportError:
        return None, None
    a, b = (soxr.resample(v, rate, 16000) for v in (clean, y))
    n = min(len(a), len(b))
    return float(stoi(a[:n], b[:n], 16000)), float(pesq(16000, a[:n], b[:n], "wb"))


def _master_as_before(x: np.ndarray, rate: int, tmp: Path) -> np.ndarray:
    """The build before #29: one gain to ACX's RMS, the high-pass, the expander where the room is lifted."""
    from audiobook.presets import get_preset
    from audiobook.render.dsp import HighPass
    from audiobook.render.jobs import _expansion
    from audiobook.render.track import _Expander

    a = _analysis(x, rate, tmp)
    gain = TARGET_RMS_DBFS - a.rms_dbfs
    y = HighPass(rate, 1).process((x * np.float32(10 ** (gain / 20)))[:, None])
    below, by = _expansion(a, gain, get_preset("acx"))
    return (_Expander(rate, below, by).process(y) if below is not None else y)[:, 0]


def _ours(x: np.ndarray, rate: int, tmp: Path) -> tuple[np.ndarray, float]:
    """The build now: the reduction ACX needs (render.jobs), streamed in 4 s blocks, then as before;
    where the pauses still measure over ACX's limit, rendered again with the expander taking the
    rest off in them (build.render._trim_noise), as the build does."""
    from audiobook.build.render import TRIM_ABOVE_DB
    from audiobook.presets import get_preset
    from audiobook.render.denoise import Denoiser, noise_power
    from audiobook.render.dsp import HighPass
    from audiobook.render.jobs import NOISE_MARGIN_DB, _expansion, _noise_reduction
    from audiobook.render.track import _Expander

    acx = get_preset("acx")
    a = _analysis(x, rate, tmp)
    gain = TARGET_RMS_DBFS - a.rms_dbfs
    start = time.process_time()
    plan = _noise_reduction(a, gain, acx)
    if plan is not None:
        tone = [x[int(s * rate):int(e * rate), None] for s, e in plan.noise_spans]
        d = Denoiser(noise_power(tone), plan.reduce_db, 1)
        step = 4 * rate
        x = np.concatenate([d.process(x[i:i + step, None]) for i in range(0, len(x), step)] + [d.flush()])[:, 0]
        gain_left = gain - plan.reduce_db
    else:
        gain_left = gain
    cost = time.process_time() - start
    y = HighPass(rate, 1).process((x * np.float32(10 ** (gain / 20)))[:, None])
    below, by = _expansion(a, gain_left, acx)
    out = (_Expander(rate, below, by).process(y) if below is not None else y)[:, 0]
    floor = _acx_floor(out, rate)
    if plan is not None and floor > acx.noise_floor_max_dbfs:
        trim = floor - acx.noise_floor_max_dbfs + 2 * NOISE_MARGIN_DB  # as build.render._trim_noise
        below = max(below or floor + TRIM_ABOVE_DB, floor + TRIM_ABOVE_DB)
        out = _Expander(rate, below, by + trim).process(y)[:, 0]
    return out, cost


def _afftdn(x: np.ndarray, rate: int, tmp: Path) -> tuple[np.ndarray, float]:
    a = _analysis(x, rate, tmp)
    floor = min(-20.0, max(-80.0, a.noise_floor_dbfs))
    src, out = tmp / "in.wav", tmp / "out.wav"
    sf.write(src, x, rate, subtype="FLOAT")
    start = time.perf_counter()
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-threads", "1", "-i", str(src), "-af",
                    f"afftdn=nr=12:nf={floor:.1f}:tn=1", "-c:a", "pcm_f32le", str(out)], check=True)
    cost = time.perf_counter() - start
    y, _ = _mono(out)
    return y[:len(x)], cost


def _noisereduce(x: np.ndarray, rate: int, tmp: Path, stationary: bool) -> tuple[np.ndarray, float]:
    import noisereduce

    from audiobook.render.denoise import noise_spans

    kwargs = {}
    if stationary:
        spans = noise_spans(_analysis(x, rate, tmp).pauses)
        kwargs = {"stationary": True, "y_noise": np.concatenate([x[int(s * rate):int(e * rate)] for s, e in spans])}
    start = time.process_time()
    y = noisereduce.reduce_noise(y=x, sr=rate, n_jobs=1, **kwargs)
    return np.asarray(y, dtype=np.float32)[:len(x)], time.process_time() - start


def measure(clean: np.ndarray, mix: np.ndarray, noise: np.ndarray | None, y: np.ndarray, rate: int, clean_analysis,
            cost_s: float) -> Measures:
    pause, speech = _masks(clean_analysis, len(y), rate)
    under = stoi_ = pesq_ = noise_pauses = noise_speech = None
    if noise is not None:
        noise_pauses, noise_speech = _noise_share(clean, mix, y, noise, pause, speech)
        from audiobook.render.dsp import HighPass

        ref = HighPass(rate, 1).process(clean[:, None])[:, 0]  # the rumble below 80 Hz goes in every master
        gain = float(np.dot(y[speech], ref[speech])) / float(np.dot(ref[speech], ref[speech]))  # least squares
        under = _db(float(np.mean((y[speech] - gain * ref[speech]).astype(np.float64) ** 2)))
        stoi_, pesq_ = _quality(clean, y, rate)
    hours = len(y) / rate / 3600
    return Measures(_acx_floor(y, rate), _db(float(np.mean(y[pause].astype(np.float64) ** 2))), noise_pauses,
                    noise_speech, under, stoi_, pesq_, cost_s / hours)


PROCESSORS = ("input", "expander (before #29)", "afftdn + expander", "noisereduce defaults + expander",
              "noisereduce stationary + expander", "audiobook (#29)")


def run(root: Path, noise_levels: tuple[float | None, ...] = (None, -50.0, -40.0)) -> list[tuple]:
    """One row per reading, noise level and processor: (reading, noise dBFS, processor, Measures)."""
    rows = []
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        chosen = readings(root)
        english = next((r for r in chosen if r.name.startswith("udhr-eng")), chosen[0])
        french = next((r for r in chosen if r.name.startswith("udhr-frn")), chosen[-1])
        for reading in chosen:
            clean, rate = _mono(reading.path)
            clean_analysis = _analysis(clean, rate, tmp)
            for level in noise_levels:
                if level is None:
                    mix, noise = clean, None
                else:
                    source = french.path if reading is english else english.path
                    noise = _room_tone(source, rate, len(clean), level, tmp)
                    mix = clean + noise
                for name in PROCESSORS:
                    cost = 0.0
                    if name == "input":
                        a = _analysis(mix, rate, tmp)
                        y = mix * np.float32(10 ** ((TARGET_RMS_DBFS - a.rms_dbfs) / 20))
                    elif name == "expander (before #29)":
                        y = _master_as_before(mix, rate, tmp)
                    elif name == "audiobook (#29)":
                        y, cost = _ours(mix, rate, tmp)
                    else:
                        if name.startswith("afftdn"):
                            cleaned, cost = _afftdn(mix, rate, tmp)
                        else:
                            cleaned, cost = _noisereduce(mix, rate, tmp, stationary="stationary" in name)
                        y = _master_as_before(_align(mix, cleaned, rate), rate, tmp)
                    m = measure(clean, mix, noise, y, rate, clean_analysis, cost)
                    rows.append((reading.name, level, name, m))
    return rows


def _fmt(v: float | None, digits: int = 1) -> str:
    return "" if v is None else f"{v:.{digits}f}"


def table(rows: list[tuple]) -> list[str]:
    """Per reading and level, and the medians over the readings per level and processor."""
    lines = ["| reading | room tone added | processing | ACX floor dB | pauses dB | its room tone: in pauses dB "
             "| under speech dB | pumping dB | residual under speech dB | STOI | PESQ | s/h |",
             "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    summary: dict[tuple, list[Measures]] = {}
    for name, level, proc, m in rows:
        summary.setdefault((level, proc), []).append(m)
        lines.append(_line(name, level, proc, m))
    lines += ["", "medians over the readings:", lines[0], lines[1]]
    for (level, proc), ms in summary.items():
        def med(attr, ms=ms):
            values = [getattr(m, attr) for m in ms if getattr(m, attr) is not None]
            return float(np.median(values)) if values else None
        merged = Measures(med("acx_floor_db"), med("pauses_db"), med("noise_pauses_db"), med("noise_speech_db"),
                          med("residual_db"), med("stoi"), med("pesq"), med("cost_s_per_hour"))
        lines.append(_line(f"{len(ms)} readings", level, proc, merged))
    return lines


def _line(name: str, level: float | None, proc: str, m: Measures) -> str:
    return (f"| {name} | {'none' if level is None else f'{level:.0f} dBFS'} | {proc} | {_fmt(m.acx_floor_db)} | "
            f"{_fmt(m.pauses_db)} | {_fmt(m.noise_pauses_db)} | {_fmt(m.noise_speech_db)} | {_fmt(m.pumping_db)} | "
            f"{_fmt(m.residual_db)} | "
            f"{_fmt(m.stoi, 3)} | {_fmt(m.pesq, 2)} | {_fmt(m.cost_s_per_hour, 0)} |")
