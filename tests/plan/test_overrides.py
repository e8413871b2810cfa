"""Audacity label files and cue sheets pin chapters and sections by name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audiobook.build import build
from audiobook.errors import InputError
from audiobook.manifest.model import ChapterEntry, SectionEntry
from audiobook.plan.overrides import apply_labels, parse_audacity_labels, parse_cue

DEMO = Path(__file__).resolve().parents[2] / "recordings"


def test_audacity_labels():
    labels = parse_audacity_labels("12.5\t12.5\tChapter 2\n\\\t100\t200\n30,25\t31.0\tSomething\n")
    assert [(lab.start_s, lab.name) for lab in labels] == [(12.5, "Chapter 2"), (30.25, "Something")]
    with pytest.raises(InputError, match=r"labels.txt:1: not an Audacity label line"):
        parse_audacity_labels("start here\n")


def test_cue_sheet():
    cue = ('PERFORMER "Jonathan Booth"\nFILE "session-01.flac" WAVE\n  TRACK 01 AUDIO\n    TITLE "Introduction"\n'
           '    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    TITLE "What Has Been Achieved"\n    INDEX 01 00:50:37\n'
           'FILE "session-02.flac" WAVE\n  TRACK 03 AUDIO\n    TITLE "Economic Growth"\n    INDEX 01 00:25:00\n')
    labels = parse_cue(cue)
    assert [(lab.name, lab.file) for lab in labels] == [("Introduction", "session-01.flac"),
                                                         ("What Has Been Achieved", "session-01.flac"),
                                                         ("Economic Growth", "session-02.flac")]
    assert labels[1].start_s == pytest.approx(50 + 37 / 75)


def test_labels_pin_by_title_label_or_id():
    chapters = [ChapterEntry(id="introduction", kind="introduction", title="The Purpose"),
                ChapterEntry(id="chapter-01", number=1, title="What Has Been Achieved",
                             sections=[SectionEntry(title="Comparative Estimate of These Achievements")])]
    labels = parse_audacity_labels("40\t40\tchapter 1\n60\t60\tComparative Estimates of these achievements\n"
                                   "70\t70\tSomething Else\n")
    unmatched = apply_labels(chapters, labels, {}, base_s=100.0)
    assert chapters[1].start == 140.0 and chapters[1].sections[0].start == 160.0
    assert unmatched == ["Something Else"]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_label_parsers_take_any_text(text):
    for parse in (parse_audacity_labels, parse_cue):
        try:
            parse(text)
        except InputError:
            pass


def test_a_label_file_moves_a_boundary_in_the_build(tmp_path):
    rec = tmp_path / "rec"
    shutil.copytree(DEMO, rec)
    truth = json.loads((DEMO / "demo-timings.json").read_text())["marks"]
    third = [m for m in truth if m["level"] == "section"][3]  # Chapter 1's third section, in session 2
    cue = f'FILE "{third["file"]}" WAVE\n  TRACK 01 AUDIO\n    TITLE "Chapter 2"\n'
    text = (rec / "manifest.yaml").read_text().replace("  labels: null", "  labels: chapters.cue")
    mins, secs = divmod(third["file_start_s"] - 0.3, 60)
    cue += f"    INDEX 01 {int(mins):02d}:{int(secs):02d}:{int((secs % 1) * 75):02d}\n"
    (rec / "chapters.cue").write_text(cue, encoding="utf-8")
    (rec / "manifest.yaml").write_text(text, encoding="utf-8")
    result = build(rec, tmp_path / "out", plan_only=True, jobs=1)
    assert result.plan.tracks[2].pinned
    assert abs(result.plan.tracks[2].speech_start_s - third["timeline_s"]) <= 1.0
