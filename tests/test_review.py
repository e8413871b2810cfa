"""OUT/review.html: written by every build, self-contained, every cut playable in place — read
back by a real browser (headless Chromium over its DevTools protocol)."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from audiobook.analysis import analyze_file
from audiobook.report import BuildReport, TrackReport
from audiobook.review import write_review
from audiobook.tags import Chapter
from tests.browser import Browser, find_chromium
from tests.test_cli_init import _invoke


@pytest.fixture(scope="module")
def built(tmp_path_factory, demo_built):
    out = tmp_path_factory.mktemp("review") / "build"
    shutil.copytree(demo_built.out, out, symlinks=True)  # the session's build, copied: proof.json is added to it
    return out, demo_built


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_every_build_writes_a_self_contained_page_with_every_cut_playable(built):
    out, result = built
    page = _parse(out / "review.html")
    cuts = sum(len(t.markers) for t in result.plan.tracks)
    rows = [a for t, a in page.tags if t == "tr" and a.get("class", "").startswith("cut")]
    plays = [a for t, a in page.tags if t == "button" and a.get("class") == "play"]
    assert len(rows) == cuts == 9 and len(plays) >= cuts
    assert all((out / a["data-src"].replace("%20", " ")).is_file() for a in plays)
    assert len([a for t, a in page.tags if t == "svg"]) == len(result.plan.tracks)
    assert all(a.get("aria-label") for t, a in page.tags if t == "button")
    text = (out / "review.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)  # nothing from the network
    assert text.count('class="copy"') == cuts and 'start: &quot;session-0' in text
    assert text.count('<rect class="pause"') >= cuts  # the pauses a cut could have gone in, drawn


def test_weak_places_come_first_and_proofs_slips_are_among_them(built, tmp_path):
    out, _ = built
    (out / "proof.json").write_text(json.dumps({"chapters": [{"slips": [
        {"kind": "repeated", "text": "the dynamic coefficients of soviet industry", "track_at": "track 02 0:40.1",
         "source": "session-01.flac 1:37.2", "track": 2, "track_start_s": 40.1, "file": "session-01.flac",
         "start_s": 97.2, "end_s": 99.0}]}]}))
    code, printed, err = _invoke(["review", str(out)])
    assert code == 0 and printed.strip().endswith("review.html")
    text = (out / "review.html").read_text(encoding="utf-8")
    assert text.index("Weak places first (1)") < text.index("the dynamic coefficients") < text.index('id="tracks-h"')
    assert "(track 02 0:40.1)" in text  # where it is in the built track, as proof says it
    (out / "proof.json").unlink()


def test_a_ten_hour_books_page_stays_small(built, tmp_path):
    out, result = built
    a = analyze_file(next(out.glob("02 - *.mp3")), keep_series=False)
    folder = tmp_path / "big"
    folder.mkdir()
    report = BuildReport.read(out / "report.json")
    rng = np.random.default_rng(3)
    tracks, analyses = [], {}
    for n in range(13):  # 13 chapters of 46 minutes, each with 4 sections
        name = f"{n + 1:02d} - Chapter {n}.mp3"
        minutes = 46.0
        tracks.append(TrackReport(id=f"c{n}", chapter=f"c{n}", title=f"Chapter {n}", file=str(folder / name),
                                  duration_s=minutes * 60,
                                  markers=[Chapter(f"Section {j}", j * 600.0, (j + 1) * 600.0) for j in range(5)]))
        hops = rng.uniform(1e-5, 1e-2, int(minutes * 600)).astype(np.float32)
        analyses[name] = dataclasses.replace(a, path=str(folder / name), power_hops=hops)
    dataclasses.replace(report, tracks=tracks).write(folder / "report.json")
    path = write_review(folder, analyses)
    assert path.stat().st_size < 5_000_000, path.stat().st_size
    assert path.read_text(encoding="utf-8").count("<svg") == 13


@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed (apt-get install chromium)")
def test_in_a_real_browser_every_cut_plays_from_its_time(built):
    out, result = built
    with Browser() as browser:
        browser.open((out / "review.html").as_uri() + "#selftest")
        browser.wait_for("document.body.dataset.selftest === 'done'", 60)
        seeks = browser.evaluate("Array.from(document.querySelectorAll('button.play'))"
                                 ".map(b => [b.dataset.start, b.dataset.reached])")
        assert seeks and all(reached is not None and abs(float(reached) - float(start)) < 0.05
                             for start, reached in seeks), seeks
        assert browser.evaluate("document.querySelectorAll('article svg polyline').length") == len(result.plan.tracks)
        browser.evaluate("document.activeElement.blur()")
        assert browser.console_errors() == []
        browser.screenshot(str(out / "review.png"))  # the artefact: the demo's page as a browser draws it
    assert (out / "review.png").stat().st_size > 10_000
