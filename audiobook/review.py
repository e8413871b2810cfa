"""OUT/review.html: every cut and marker of a build, to see and hear — the weak places first.

One page, no server and no network needed (inline SVG, CSS and a little script; the built MP3s
beside it): per track, its level over time with the preset's window, its cuts and markers on
it, and a table of them, each playable in place from 5 s before to 5 s after, with how it was
placed, the words heard there, and the `start:` line to paste into manifest.yaml to pin it.
Read from what the build leaves (report.json through audiobook.report, plan.yaml, proof.json
where `proof` ran, the cache's measurements of the written tracks), so `audiobook review BUILD`
makes it again for any build.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import numpy as np

from audiobook.analysis import Analysis, analyze_file
from audiobook.cache import BuildCache
from audiobook.errors import InputError
from audiobook.files import clock, write_text_atomic
from audiobook.plan.planfile import PlanFile, marker_id
from audiobook.presets import Preset, get_preset
from audiobook.report import BuildReport

CANDIDATE_PAUSE_S = 0.8  # pauses drawn: as long as the planner's shortest for a chapter's cut
AROUND_S = 5.0  # each cut is played from this long before it to this long after
POINTS = 900  # the envelope's points a track (a 10-hour book's page stays small)
WEAK = 0.5  # a cut placed with less confidence than this is a weak place
FLOOR_DB = -70.0


@dataclass
class Cut:
    """A chapter's start or a section marker, as the page shows it."""

    track: int  # the report's index
    title: str
    at_s: float  # in the track
    placed_by: str
    confidence: float
    source: str  # "session-02.wav 12:03.5": where it is in the recordings
    heard: list[str] = field(default_factory=list)  # "word@seconds"
    kind: str = "section"  # "chapter" or "section"

    @property
    def weak(self) -> bool:
        return self.confidence < WEAK


def write_review(folder: str | Path, analyses: dict[str, Analysis] | None = None) -> Path:
    """Write `folder`/review.html for the build there; `analyses`: the written tracks' measurements
    by file name, where the caller has them (else from the build's cache, else measured now)."""
    folder = Path(folder)
    if not (folder / "report.json").is_file():
        raise InputError(f"{folder}: not a build folder (no report.json) — build it first")
    report = BuildReport.read(folder / "report.json")
    plan = PlanFile.read(folder / "plan.yaml") if (folder / "plan.yaml").is_file() else PlanFile(0.0, 0.0)
    try:
        preset = get_preset(report.preset)
    except InputError:
        preset = get_preset("acx")
    measured = [_measured(folder, Path(t.file).name, analyses) for t in report.tracks]
    envelopes = [_envelope(a) for a in measured]
    pauses = [[(p.start_s, p.end_s) for p in (a.pauses if a else []) if p.end_s - p.start_s >= CANDIDATE_PAUSE_S]
              for a in measured]
    cuts = _cuts(report, plan)
    slips = _slips(folder)
    page = _page(report, preset, envelopes, cuts, slips, pauses)
    path = folder / "review.html"
    write_text_atomic(path, page)
    return path


def _measured(folder: Path, name: str, analyses: dict[str, Analysis] | None) -> Analysis | None:
    """The written track's measurement: the caller's, else the build's cache's, else made now."""
    a = (analyses or {}).get(name)
    if a is None or a.power_hops is None:
        cache = BuildCache(folder)
        entry = cache.index.get("tracks", {}).get(name)
        a = cache.load_analysis(entry["measured"], folder / name) if entry else None
    if (a is None or a.power_hops is None) and (folder / name).is_file():
        a = analyze_file(folder / name, keep_series=False, true_peak=False)
    return a


def _envelope(a: Analysis | None) -> np.ndarray:
    """The track's level (dB, unweighted RMS) at POINTS moments or fewer."""
    if a is None or a.power_hops is None or not len(a.power_hops):
        return np.zeros(0)
    hops = np.asarray(a.power_hops, dtype=np.float64)
    n = min(POINTS, len(hops))
    edges = np.linspace(0, len(hops), n + 1).astype(int)
    means = np.add.reduceat(hops, edges[:-1]) / np.maximum(1, np.diff(edges))
    return np.maximum(FLOOR_DB, 10 * np.log10(np.maximum(means, 1e-12)))


def _cuts(report: BuildReport, plan: PlanFile) -> list[Cut]:
    """Every cut of the build — each track's start and its section markers — with how the plan
    placed it (markers by id: two sections with one title are two cuts)."""
    by_id = {t.id: t for t in plan.tracks}
    out = []
    for k, t in enumerate(report.tracks):
        p = by_id.get(t.id)
        out.append(Cut(k, t.title, 0.0, p.placed_by if p else t.placed_by, p.confidence if p else 1.0,
                       p.start if p else "", p.words if p else [], "chapter"))
        planned = {m.id: m for m in p.markers} if p else {}
        for n, m in enumerate(t.markers[1:], start=1):
            q = planned.get(marker_id(t.id, n))
            out.append(Cut(k, m.title, m.start_s, q.placed_by if q else "", q.confidence if q else 1.0,
                           q.source if q else "", q.words if q else []))
    return out


def _slips(folder: Path) -> list[dict]:
    path = folder / "proof.json"
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [s for c in data.get("chapters", []) for s in c.get("slips", [])]
    except (OSError, ValueError, AttributeError):
        return []


def _page(report: BuildReport, preset: Preset, envelopes: list[np.ndarray], cuts: list[Cut],
          slips: list[dict], pauses: list[list[tuple[float, float]]]) -> str:
    e = html.escape
    weak: list[str] = []
    for n, c in enumerate(cuts):
        if c.weak and not (c.kind == "chapter" and c.track == 0):
            weak.append(f'<li class="weak"><a href="#cut-{n}">{e(c.title)}</a> — {c.kind} placed by '
                        f'{e(c.placed_by or "?")}, confidence {c.confidence:.2f} {_play(report, c, n)}</li>')
    for s in slips:
        weak.append(f'<li class="weak">proof: <strong>{e(s.get("kind", ""))}</strong> — {e(s.get("text", "")[:160])} '
                    f'({e(s.get("track_at") or s.get("source") or "")})</li>')
    for t in report.tracks:
        if not t.meets_preset:
            weak.append(f'<li class="weak">{e(Path(t.file).name)} does not meet {e(preset.label)}: '
                        f'{e("; ".join(t.failures))}</li>')
    notes = "".join(f"<li>{e(n)}</li>" for n in report.notes)
    tracks = "".join(_track(report, preset, k, env, [(n, c) for n, c in enumerate(cuts) if c.track == k], pauses[k])
                     for k, env in enumerate(envelopes))
    total = sum(t.duration_s for t in report.tracks)
    weak_html = (f'<ol id="weak-list">{"".join(weak)}</ol>' if weak else
                 '<p id="weak-list">None: every cut was placed with confidence, every track meets the preset.</p>')
    notes_html = f"<h3>Notes of the build</h3><ul>{notes}</ul>" if notes else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Review: {e(report.book)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>Review: {e(report.book)}</h1>
<p>{len(report.tracks)} tracks, {clock(total)} in all, mastered to {e(preset.label)}.
Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous weak place, <kbd>p</kbd> play it, <kbd>Esc</kbd> stop.
Each ▶ plays from {AROUND_S:g} s before a cut to {AROUND_S:g} s after it.</p>
<p id="status" role="status" aria-live="polite">Nothing playing.</p>
<audio id="player" preload="none"></audio>
</header>
<main>
<section aria-labelledby="weak-h">
<h2 id="weak-h">Weak places first ({len(weak)})</h2>
{weak_html}
{notes_html}
</section>
<section aria-labelledby="tracks-h">
<h2 id="tracks-h">Tracks</h2>
{tracks}
</section>
</main>
<script>{_JS}</script>
</body>
</html>
"""


def _play(report: BuildReport, c: Cut, n: int) -> str:
    t = report.tracks[c.track]
    start, end = max(0.0, c.at_s - AROUND_S), min(t.duration_s, c.at_s + AROUND_S)
    src = quote(Path(t.file).name)
    return (f'<button type="button" class="play" data-src="{src}" data-start="{start:.2f}" data-end="{end:.2f}" '
            f'data-cut="{n}" aria-label="Play {html.escape(c.title)}, {clock(start)} to {clock(end)}">▶</button>')


def _track(report: BuildReport, preset: Preset, k: int, env: np.ndarray, cuts: list[tuple[int, Cut]],
           pauses: list[tuple[float, float]]) -> str:
    e = html.escape
    t = report.tracks[k]
    levels = ", ".join(f"{label} {v:.1f}" for label, v in (("RMS", t.rms_dbfs), ("peak", t.peak_dbfs),
                                                             ("noise floor", t.noise_floor_dbfs),
                                                             ("LUFS", t.integrated_lufs)) if v is not None)
    rows = []
    for n, c in cuts:
        pin = f'start: "{c.source}"' if c.source else ""
        heard = " ".join(w.split("@")[0] for w in c.heard) or "—"
        copy = (f'<code>{e(pin)}</code> <button type="button" class="copy" data-text={_attr(pin)} '
                f'aria-label={_attr("Copy the pin for " + c.title)}>Copy</button>') if pin else ""
        weak_class = " weak-cut" if c.weak else ""
        rows.append(f'<tr id="cut-{n}" class="cut{weak_class}" tabindex="-1">'
                    f'<th scope="row">{e(c.title)}</th><td>{clock(c.at_s)}</td>'
                    f'<td>{e(c.placed_by or "?")}, {c.confidence:.2f}</td><td>{e(heard)}</td>'
                    f'<td>{_play(report, c, n)}</td><td>{copy}</td></tr>')
    return f"""<article id="track-{k}" aria-labelledby="track-{k}-h">
<h3 id="track-{k}-h">{t.title and e(t.title)} <small>{e(Path(t.file).name)} · {clock(t.duration_s)} · {e(levels)}
{'' if t.meets_preset else '· <strong class="bad">fails the preset</strong>'}</small></h3>
{_svg(preset, env, t.duration_s, [(n, c) for n, c in cuts], k, pauses)}
<table>
<caption>Its start and its section markers</caption>
<thead><tr><th scope="col">Heading</th><th scope="col">At</th><th scope="col">Placed by, confidence</th>
<th scope="col">Heard there</th><th scope="col">Listen</th><th scope="col">Pin it in manifest.yaml</th></tr></thead>
<tbody>{"".join(rows)}</tbody>
</table>
</article>
"""


def _svg(preset: Preset, env: np.ndarray, duration_s: float, cuts: list[tuple[int, Cut]], k: int,
         pauses: list[tuple[float, float]]) -> str:
    w, h = 1000, 140

    def y(db: float) -> float:
        return round(h - 10 - (max(FLOOR_DB, min(0.0, db)) - FLOOR_DB) / -FLOOR_DB * (h - 20), 1)

    parts = [f'<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="track-{k}-svg">'
             f'<title id="track-{k}-svg">Level over time, {len(cuts)} cuts and markers</title>'
             f'<rect class="bg" x="0" y="0" width="{w}" height="{h}"/>']
    if duration_s:  # the pauses long enough to cut in: where a cut could have gone
        parts += [f'<rect class="pause" x="{a / duration_s * w:.1f}" y="0" width="{max(0.5, (b - a) / duration_s * w):.1f}" '
                  f'height="{h}"/>' for a, b in pauses]
    target, lufs = preset.level_target
    if preset.rms_min_dbfs is not None and preset.rms_max_dbfs is not None:
        parts.append(f'<rect class="window" x="0" y="{y(preset.rms_max_dbfs)}" width="{w}" '
                     f'height="{round(y(preset.rms_min_dbfs) - y(preset.rms_max_dbfs), 1)}"><title>{preset.label} RMS '
                     f'window {preset.rms_min_dbfs:g} to {preset.rms_max_dbfs:g} dBFS</title></rect>')
    else:
        parts.append(f'<line class="target" x1="0" x2="{w}" y1="{y(target)}" y2="{y(target)}"><title>{preset.label} '
                     f'target {target:g} {"LUFS" if lufs else "dBFS"}</title></line>')
    if len(env):
        xs = np.linspace(0, w, len(env))
        points = " ".join(f"{x:.1f},{y(v)}" for x, v in zip(xs, env))
        parts.append(f'<polyline class="level" points="{points}"/>')
    for n, c in cuts:
        x = round(c.at_s / duration_s * w, 1) if duration_s else 0
        parts.append(f'<a href="#cut-{n}"><line class="mark{" weak" if c.weak else ""}" x1="{x}" x2="{x}" y1="0" '
                     f'y2="{h}"><title>{html.escape(c.title)} at {clock(c.at_s)}</title></line></a>')
    parts.append("</svg>")
    return "".join(parts)


def _attr(text: str) -> str:
    return '"' + html.escape(text, quote=True) + '"'


_CSS = """
body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em;color:#111;background:#fff}
h1{font-size:1.6em}h3 small{font-weight:normal;color:#333;font-size:.8em}
table{border-collapse:collapse;width:100%;margin:.5em 0 2em}th,td{text-align:left;padding:.25em .5em;
border-bottom:1px solid #ccc;vertical-align:top}caption{text-align:left;font-weight:bold}
.weak-cut th{color:#8a1c00}.bad{color:#8a1c00}code{font-size:.85em;background:#f2f2f2;padding:0 .25em}
button{font:inherit;cursor:pointer}button:focus,tr:focus,li:focus{outline:3px solid #0b57d0}
svg{display:block;border:1px solid #999}.bg{fill:#fafafa}.window{fill:#d9f2d9}.target{stroke:#2e7d32}
.pause{fill:#e4e4ef}.level{fill:none;stroke:#1a1a80;stroke-width:1}.mark{stroke:#333;stroke-width:2}.mark.weak{stroke:#c62828;stroke-width:3}
li.weak{margin:.3em 0}kbd{border:1px solid #999;border-radius:3px;padding:0 .3em}
"""

_JS = """
const player = document.getElementById('player');
const status = document.getElementById('status');
let stopAt = null;
function play(button, silent) {
  const start = parseFloat(button.dataset.start), end = parseFloat(button.dataset.end);
  stopAt = end;
  const go = () => { player.currentTime = start; };
  player.onloadedmetadata = go;
  if (player.dataset.src !== button.dataset.src) {
    player.dataset.src = button.dataset.src; player.preload = 'auto'; player.src = button.dataset.src; player.load();
  } else { go(); }
  player.onseeked = () => {
    button.dataset.reached = player.currentTime.toFixed(2);
    status.textContent = 'Playing ' + decodeURIComponent(button.dataset.src) + ' from ' + start.toFixed(1) + ' s';
  };
  if (!silent) player.play().catch(() => { status.textContent = 'The browser would not play it: press play again.'; });
}
player.ontimeupdate = () => { if (stopAt !== null && player.currentTime >= stopAt) { player.pause(); stopAt = null;
  status.textContent = 'Stopped.'; } };
document.querySelectorAll('button.play').forEach(b => b.addEventListener('click', () => play(b)));
document.querySelectorAll('button.copy').forEach(b => b.addEventListener('click', () => {
  const text = b.dataset.text;
  (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject()).then(
    () => { status.textContent = 'Copied: ' + text; },
    () => { status.textContent = 'Copy this line: ' + text; });
}));
const weak = Array.from(document.querySelectorAll('li.weak'));
let at = -1;
document.addEventListener('keydown', ev => {
  if (ev.target.matches('input, textarea')) return;
  if ((ev.key === 'j' || ev.key === 'k') && weak.length) {
    at = ev.key === 'j' ? Math.min(weak.length - 1, at + 1) : Math.max(0, at - 1);
    weak[at].tabIndex = -1; weak[at].focus();
  } else if (ev.key === 'p') {
    const item = document.activeElement.closest('li, tr');
    const b = item && item.querySelector('button.play');
    if (b) play(b);
  } else if (ev.key === 'Escape') { player.pause(); stopAt = null; status.textContent = 'Stopped.'; }
});
if (location.hash === '#selftest') {
  // for the tests: seek every cut in turn, noting where the player got to
  const buttons = Array.from(document.querySelectorAll('button.play'));
  player.muted = true;
  let i = 0;
  const next = () => {
    if (i >= buttons.length) { document.body.dataset.selftest = 'done'; return; }
    const b = buttons[i++];
    const after = () => { player.removeEventListener('seeked', after); setTimeout(next, 0); };
    player.addEventListener('seeked', after);
    play(b, true);
  };
  next();
}
"""

