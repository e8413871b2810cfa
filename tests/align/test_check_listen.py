"""`check` hears whether every track and marker of a build begins with its heading."""

from __future__ import annotations

import pytest

from audiobook.build import build
from audiobook.check import check_paths
from audiobook.manifest.write import init_manifest
from audiobook.presets import get_preset
from tests.align.book import CHAPTERS, markdown
from tests.narrator import have_flite, read_book

pytestmark = pytest.mark.skipif(not have_flite(), reason="flite is not installed (apt-get install flite)")


@pytest.fixture(scope="module")
def narrated(tmp_path_factory):
    rec = tmp_path_factory.mktemp("rec")
    (rec / "book.md").write_text(markdown(), encoding="utf-8")
    truth = read_book(CHAPTERS, rec, voice="awb", sessions=2, seed=11)
    init_manifest(rec, rec / "book.md")
    return rec, truth


def _heard(folder):
    _, findings = check_paths([folder], get_preset("acx"), jobs=1)
    return [f for f in findings if f.check == "marker_heard"]


def test_a_build_cut_where_the_headings_are_spoken_passes(narrated, tmp_path):
    rec, _ = narrated
    build(rec, tmp_path / "out", jobs=1, m4b=False)
    heard = _heard(tmp_path / "out")
    assert len(heard) == 4 + 5  # every chapter's start and every section marker
    assert all(f.passed for f in heard), [f.message for f in heard if not f.passed]
    assert sum("its heading at" in f.value for f in heard) >= 7


def test_a_marker_pinned_past_its_heading_fails_with_where_the_heading_is(narrated, tmp_path):
    rec, truth = narrated
    (k, j) = (2, 0)  # Chapter 3's section "The Transitional Regime"
    session, at = truth.section_starts[k][j]
    manifest = rec / "manifest.yaml"
    original = manifest.read_text()
    try:
        pinned = original.replace("- {title: The Transitional Regime, words:",
                                  f"- {{title: The Transitional Regime, start: 'session-0{session + 1}.wav "
                                  f"{at + 6.0:.2f}', words:")
        assert pinned != original
        manifest.write_text(pinned)
        build(rec, tmp_path / "out", jobs=1, m4b=False)
    finally:
        manifest.write_text(original)
    heard = _heard(tmp_path / "out")
    failed = [f for f in heard if not f.passed]
    assert len(failed) == 1, [(f.file, f.value, f.message) for f in heard]
    assert "The Transitional Regime" in failed[0].message and " s)" in failed[0].message
    assert "(-" in failed[0].message  # heard before the marker: the marker is late
