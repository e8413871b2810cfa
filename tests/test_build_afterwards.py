"""A build after the fact: checked whole once its recordings are moved away, its blurb's runtime
read as it was filled in, and a session dropped into the folder later not left out silently."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from audiobook.build import build
from tests.test_cli_init import _invoke

DEMO = Path(__file__).resolve().parents[1] / "recordings"


def test_a_build_whose_recordings_moved_away_is_still_checked_whole(tmp_path):
    rec = tmp_path / "rec"
    shutil.copytree(DEMO, rec)
    build(rec, tmp_path / "out", jobs=1, m4b=False)
    shutil.rmtree(rec)  # published, archived: the recordings are elsewhere now
    code, out, err = _invoke(["check", str(tmp_path / "out"), "--json", "-j", "1"])
    findings = json.loads(out)["findings"]
    by = {}
    for f in findings:
        by.setdefault(f["check"], []).append(f)
    assert "manifest" not in by, by.get("manifest")
    assert by["every_chapter_a_track"][0]["passed"] and all(f["passed"] for f in by["every_section_a_marker"])
    assert "checked against report.json's chapters, not by ear" in by["marker_heard"][0]["message"]
    assert code == 0, [f for f in findings if not f["passed"]]


def test_the_blurbs_runtime_filled_inside_a_line_is_read_back_by_check(tmp_path):
    rec = tmp_path / "rec"
    shutil.copytree(DEMO, rec)
    manifest = (rec / "manifest.yaml").read_text()
    name = next(line.split(":", 1)[1].strip() for line in manifest.splitlines() if line.strip().startswith("blurb:"))
    text = (rec / name).read_text(encoding="utf-8")
    lines = text.split("\n")
    at = next(n for n, line in enumerate(lines) if "minutes" in line.lower() and len(line.split()) <= 4)
    lines[at] = "Runtime: tbc minutes"
    (rec / name).write_text("\n".join(lines), encoding="utf-8")
    build(rec, tmp_path / "out", jobs=1, m4b=False)
    assert "Runtime: 4 minutes" in (tmp_path / "out" / "blurb.txt").read_text(encoding="utf-8")
    code, out, err = _invoke(["check", str(tmp_path / "out"), "--json", "-j", "1", "--no-listen"])
    (blurb,) = [f for f in json.loads(out)["findings"] if f["check"] == "blurb_runtime"]
    assert blurb["passed"] and blurb["value"] == "4 minutes", blurb


def test_a_session_dropped_in_later_is_named_on_every_build(tmp_path):
    rec = tmp_path / "rec"
    shutil.copytree(DEMO, rec)
    shutil.copyfile(rec / "session-02.flac", rec / "session-03.flac")
    result = build(rec, tmp_path / "out", jobs=1, plan_only=True)
    assert any(n.startswith("session-03.flac is in the recordings folder but not in manifest.yaml's "
                            "recordings.files") for n in result.notes), result.notes
    assert not any("session-01.flac is in" in n for n in result.notes)


def test_analyze_of_the_folder_names_the_session_the_manifest_leaves_out(tmp_path):
    rec = tmp_path / "rec"
    shutil.copytree(DEMO, rec)
    shutil.copyfile(rec / "session-02.flac", rec / "session-03.flac")
    code, out, err = _invoke(["analyze", str(rec)])
    assert "note: session-03.flac is in the recordings folder but not in manifest.yaml's recordings.files" in err


def test_build_plan_only_names_the_session_the_manifest_leaves_out(tmp_path):
    rec = tmp_path / "rec"
    shutil.copytree(DEMO, rec)
    shutil.copyfile(rec / "session-02.flac", rec / "session-03.flac")
    code, out, err = _invoke(["build", str(rec), "--out", str(tmp_path / "out"), "--plan-only", "-j", "1"])
    assert code == 0, err
    assert "note: session-03.flac is in the recordings folder but not in manifest.yaml's recordings.files" in err
    assert "session-01.flac is in" not in err


def test_analyze_of_the_files_one_by_one_names_the_one_the_manifest_leaves_out(tmp_path):
    rec = tmp_path / "rec"
    shutil.copytree(DEMO, rec)
    shutil.copyfile(rec / "session-02.flac", rec / "session-03.flac")
    code, out, err = _invoke(["analyze", str(rec / "session-01.flac"), str(rec / "session-03.flac")])
    assert "note: session-03.flac is in the recordings folder but not in manifest.yaml's recordings.files" in err
    assert "session-01.flac is in" not in err
    code, out, err = _invoke(["analyze", str(rec / "session-01.flac")])  # only what was asked about is named
    assert "is in the recordings folder" not in err
