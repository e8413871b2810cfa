"""Mouth clicks found and repaired, streamed: outliers of a linear-prediction residual, filled in
by least-squares autoregressive interpolation.

Detection (as Audacity's and ffmpeg's de-clickers, after Godsill & Rayner, "Digital Audio
Restoration", 1998, ch. 5): the signal, differenced (speech's low frequencies carry little of
a click), is predicted in 20 ms frames by an order-16 linear predictor fitted to the frame and
its neighbours (autocorrelation method, Hann window over 40 ms); the prediction error e(n)
is measured against the frame's robust scale s = 1.4826 median|e| (the median absolute
deviation: what a click does not move). A click is a run of samples with |e| > LOW_Z s
(gaps under 1 ms joined) that

- peaks over PEAK_Z s,
- lasts at most MAX_CLICK_S (a plosive's burst and a fricative last longer: left alone),
- stands ISOLATION times over the largest |e| in the 25 ms either side of it, but for one
  other click's (a double click): the glottal pulses of voiced speech also stand out of the
  residual, but every 2-20 ms, alike,
- and is not followed by a rise of the high frequencies (the differenced signal's power in the
  15 ms after it ONSET_DB over the 15 ms before): a plosive's release, a word's first sound.

Repair (Janssen, Veldhuis & Vries, 1986; Godsill & Rayner eq. 5.15): the run and 0.5 ms
either side are replaced by the samples that minimise the prediction error of an order-32 AR
model fitted (least squares) to the 20 ms either side,

    x_u = -(A_u^T A_u)^-1 A_u^T A_k x_k

(A: the prediction-error filter as a matrix over the span and INTERP_ORDER samples either
side; _u its columns of the unknown samples, _k of the known). Where the span's band under
SPLIT_HZ holds no more power than LOW_OVER times the 20 ms around it (a click inside a word:
that band is the voice's), only the band over it is interpolated and the voice's is kept;
in a pause, the whole band is. Nothing else is touched: outside the repaired spans the
samples leave exactly as they came.
"""

from __future__ import annotations

import numpy as np

from audiobook.render.chunks import ChunkedEdit

ORDER = 16  # of the linear predictor that finds clicks: a voice's formants at 22–48 kHz
INTERP_ORDER = 32  # of the model that fills them in: the formants and the first harmonics ...
CONTEXT_S = 0.020  # ... fitted to this much either side of the span
FRAME_S = 0.020  # the predictor is fitted per frame of 20 ms (over 40 ms, centred) ...
PEAK_Z = 10.0  # ... a click peaks this many robust deviations over its residual ...
LOW_Z = 4.0  # ... and spans the samples over this many
JOIN_S = 0.001  # runs this close are one click
MAX_CLICK_S = 0.004  # longer runs are speech (plosives, fricatives), not clicks
ISOLATION = 2.5  # a click's peak over the largest residual in ...
AROUND_S = 0.025  # ... this much either side of it (a creaky voice's pulses are 20 ms apart)
ONSET_DB = 10.0  # a transient followed by this much more high-frequency energy than came before it ...
ONSET_S = 0.015  # ... over this long: a plosive's release, or a word's first sound, kept
ONSET_OVER = 10 ** (ONSET_DB / 10)
MARGIN_S = 0.0005  # repaired either side of the run
CHUNK_S = 2.0  # decided at once: the look-around (80 ms either side) is read twice, a small share
SPLIT_HZ = 4000.0  # under a click that stands out of its surroundings only above this, the voice is kept ...
LOW_OVER = 2.0  # ... where the band under it holds no more power than this times the 20 ms around


def levinson(r: np.ndarray, order: int) -> np.ndarray:
    """Prediction-error filters [1, a1, .., a_order] from autocorrelations `r` (rows: frames; the
    Levinson-Durbin recursion, all rows at once)."""
    r = np.atleast_2d(r)
    a = np.zeros((len(r), order + 1))
    a[:, 0] = 1.0
    err = r[:, 0].copy()
    for i in range(1, order + 1):
        acc = np.einsum("fk,fk->f", a[:, :i], r[:, i:0:-1])
        k = np.where(err > 0, -acc / np.where(err > 0, err, 1.0), 0.0)
        a[:, 1:i + 1] = a[:, 1:i + 1] + k[:, None] * a[:, i - 1::-1][:, :i]
        err *= 1.0 - k * k
    return a


def _autocorr(frames: np.ndarray, order: int) -> np.ndarray:
    """Autocorrelations at lags 0..order of each row (direct sums: cheaper than an FFT for few lags)."""
    frames = np.atleast_2d(frames)
    n = frames.shape[-1]
    r = np.stack([np.einsum("fn,fn->f", frames[:, :n - k], frames[:, k:]) for k in range(order + 1)], axis=1)
    r[:, 0] *= 1.0 + 1e-9  # a little white noise: the recursion stays stable on silence
    return r


def ar_fit(parts: list[np.ndarray], order: int) -> np.ndarray:
    """A prediction-error filter [1, a1, .., a_order] fitted to stretches of a signal by least
    squares over every sample each predicts from its own (the covariance method)."""
    rows = [np.lib.stride_tricks.sliding_window_view(p, order + 1) for p in parts if len(p) > order]
    if not rows:
        return np.r_[1.0, np.zeros(order)]
    m = np.concatenate(rows)[:, ::-1]  # row: x(n), x(n-1), .., x(n-order)
    coeffs, *_ = np.linalg.lstsq(m[:, 1:], -m[:, 0], rcond=None)
    return np.r_[1.0, coeffs]


def interpolate(x: np.ndarray, a: int, b: int, context: int, order: int = INTERP_ORDER) -> np.ndarray:
    """The samples x[a:b] of a mono signal as the AR model fitted around them predicts them best
    (least-squares AR interpolation; eq. in the module's docstring). Needs `order` samples of `x`
    either side of the span, and fits the model to up to `context` samples either side."""
    m = b - a
    coeffs = ar_fit([x[max(0, a - context):a], x[b:b + context]], order)
    # rows: the prediction error at a .. b + order - 1; columns: x[a - order .. b + order)
    n_rows = m + order
    rows = np.arange(n_rows)
    matrix = np.zeros((n_rows, m + 2 * order))
    for k, c in enumerate(coeffs):  # e(n) = sum_k c_k x(n - k)
        matrix[rows, rows + order - k] = c
    known = np.concatenate([x[a - order:a], np.zeros(m), x[b:b + order]])
    unknown = matrix[:, order:order + m]
    rhs = -(matrix @ known)
    return np.linalg.solve(unknown.T @ unknown + 1e-12 * np.eye(m), unknown.T @ rhs)


def find_clicks(x: np.ndarray, rate: int) -> list[tuple[int, int, int]]:
    """The clicks of mono `x`, as (start, end, peak) sample indices: the tests in the module's
    docstring. Frames lie on x's own grid (from its sample 0), the first and last one left out
    (their predictor lacks a neighbour)."""
    w = int(round(rate * FRAME_S))
    x = np.asarray(x, dtype=np.float32)
    d = np.empty_like(x)
    d[0] = 0.0
    np.subtract(x[1:], x[:-1], out=d[1:])
    frames = len(d) // w
    if frames < 3:
        return []
    # each frame's predictor from it and half a frame either side, Hann-windowed
    fit = np.lib.stride_tricks.sliding_window_view(d[w // 2:], 2 * w)[::w][:frames - 2]
    coeffs = levinson(_autocorr(fit * np.hanning(2 * w).astype(np.float32), ORDER), ORDER).astype(np.float32)
    # each sample's prediction error with its frame's predictor: e(n) = sum_k c_k d(n - k), frame by frame
    n = (frames - 2) * w
    e = d[w:w + n].reshape(frames - 2, w).copy()
    for k in range(1, ORDER + 1):
        e += coeffs[:, k, None] * d[w - k:w - k + n].reshape(frames - 2, w)
    absolute = np.abs(e, out=e)
    # the robust scale, from every fourth sample: the median moves little, the cost by four
    scale = np.maximum(np.float32(1.4826) * np.median(absolute[:, ::4], axis=1), np.float32(1e-7))
    over_low = absolute > (LOW_Z * scale)[:, None]
    over = np.flatnonzero(over_low)
    if not len(over):
        return []
    absolute = absolute.ravel()
    # runs over LOW_Z, gaps under JOIN_S joined, and each one's peak in deviations
    breaks = np.flatnonzero(np.diff(over) > int(rate * JOIN_S)) + 1
    starts, ends = over[np.r_[0, breaks]], over[np.r_[breaks - 1, len(over) - 1]] + 1
    peaks = np.maximum.reduceat(absolute[over] / scale[over // w], np.r_[0, breaks])
    keep = (peaks > PEAK_Z) & (ends - starts <= int(rate * MAX_CLICK_S))
    around, guard = int(rate * AROUND_S), int(rate * JOIN_S)
    onset = int(rate * ONSET_S)
    out = []
    longest = int(rate * MAX_CLICK_S)
    for s, t in zip(starts[keep], ends[keep]):
        lo, hi = max(0, s - around), min(len(absolute), t + around)
        where = np.r_[lo:max(lo, s - guard), min(hi, t + guard):hi]
        peak = s + int(np.argmax(absolute[s:t]))
        if len(where):
            # the largest residual around, but for one other click (a double click is two clicks,
            # a train of pulses is three or more)
            other = where[np.argmax(absolute[where])]
            where = where[np.abs(where - other) > longest]
        if len(where) and absolute[peak] < ISOLATION * absolute[where].max():
            continue  # one of a train: glottal pulses
        before = d[max(0, s + w - guard - onset):max(0, s + w - guard)]
        after = d[t + w + guard:t + w + guard + onset]
        if len(before) and len(after) and np.mean(np.square(after, dtype=np.float64)) > ONSET_OVER * (
                np.mean(np.square(before, dtype=np.float64)) + 1e-20):
            continue  # the voice comes in: a plosive's burst
        out.append((int(s) + w, int(t) + w, peak + w))  # back to x's samples: e starts at frame 1
    return out


class Declicker(ChunkedEdit):
    """Streaming click repair of `channels`-channel float blocks at `rate` Hz (found on the
    channels' mean, each channel repaired)."""

    def __init__(self, rate: int, channels: int):
        self.rate = rate
        frame = int(round(rate * FRAME_S))
        chunk = max(1, round(rate * CHUNK_S / frame)) * frame
        # the frames either side, and the repair's context
        super().__init__(channels, chunk, -(-int(rate * (CONTEXT_S + MAX_CLICK_S)) // frame) * frame + 2 * frame)
        from scipy.signal import firwin

        self.lowpass = firwin(2 * (rate // 2000) + 1, SPLIT_HZ, fs=rate) if SPLIT_HZ else np.array([0.0])
        self.taps = len(self.lowpass)
        self.spans: list[tuple[int, int]] = []  # the stream's samples repaired, start and end of each click
        self._repairs: list[tuple[int, np.ndarray]] = []  # decided, not yet out: first sample, samples

    def _edit(self, x: np.ndarray, lo: int, hi: int) -> None:
        margin, context = int(round(self.rate * MARGIN_S)), int(round(self.rate * CONTEXT_S))
        mono = x.mean(axis=1)
        for s, t, peak in find_clicks(mono, self.rate):
            if not lo <= peak < hi:
                continue  # its chunk decides it
            a, b = s - margin, t + margin
            if a - INTERP_ORDER < 0 or b + INTERP_ORDER > len(x):
                continue
            lo_ctx, hi_ctx = max(0, a - context - INTERP_ORDER - self.taps), min(len(x), b + context + INTERP_ORDER + self.taps)
            repair = np.empty((b - a, x.shape[1]), dtype=np.float32)
            for ch in range(x.shape[1]):
                part = x[lo_ctx:hi_ctx, ch].astype(np.float64)
                low = np.convolve(part, self.lowpass, mode="same")
                i, j = a - lo_ctx, b - lo_ctx
                around = np.concatenate([low[max(0, i - context):i], low[j:j + context]])
                if np.mean(low[i:j] ** 2) > LOW_OVER * np.mean(around ** 2):  # the click's own low band: all of it
                    repair[:, ch] = interpolate(part, i, j, context)
                else:  # the voice's: kept, the high band filled in under it
                    repair[:, ch] = low[i:j] + interpolate(part - low, i, j, context)
            self._repairs.append((self._origin + a, repair))
            self.spans.append((self._origin + a, self._origin + b))

    def _apply(self, out: np.ndarray, at: int) -> None:
        kept = []
        for start, repair in self._repairs:  # in time order; one may reach into the next block
            a, b = max(start, at), min(start + len(repair), at + len(out))
            if a < b:
                out[a - at:b - at] = repair[a - start:b - start]
            if start + len(repair) > at + len(out):
                kept.append((start, repair))
        self._repairs = kept
