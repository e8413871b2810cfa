"""report.json: written and read back through the same records; a newer schema refused by name."""

from __future__ import annotations

import json

import pytest

from audiobook.errors import InputError
from audiobook.report import SCHEMA_VERSION, BuildReport, Levels, RecordingReport, SourceSpan, TrackReport
from audiobook.tags import Chapter
from tests.test_cli_init import _invoke


def _report() -> BuildReport:
    track = TrackReport(id="chapter-01", chapter="chapter-01", title="Chapter 1", file="/b/01 - Chapter 1.mp3",
                        duration_s=61.5, words=150, spoken_words=153,
                        source_spans=[SourceSpan("session-01.wav", 0.2, 61.0)],
                        markers=[Chapter("Chapter 1", 0.0, 30.0), Chapter("Part two", 30.0, 61.5)],
                        rms_dbfs=-20.1, peak_dbfs=-3.2, noise_floor_dbfs=-71.0, integrated_lufs=None,
                        placed_by="aligned", failures=[])
    return BuildReport(book="B", manifest="/r/manifest.yaml", chapters_selected=["chapter-01"], preset="acx",
                       total_runtime_s=61.5, total_runtime_minutes=1, pace_wpm=150.0, feed="/b/feed.xml", m4b=None,
                       retail_sample="/b/retail-sample.mp3",
                       retail_sample_levels=Levels(30.0, -20.0, -3.1, -70.0, None, True),
                       blurb=None, recordings=[RecordingReport("session-01.wav", 62.0, -22.0, -70.0, -19.0)],
                       tracks=[track], notes=["a note"], build_seconds=1.5, stage_seconds={"rendering": 1.0})


def test_a_report_reads_back_as_it_was_written(tmp_path):
    report = _report()
    report.write(tmp_path / "report.json")
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["schema_version"] == SCHEMA_VERSION and list(data)[0] == "schema_version"
    assert data["tracks"][0]["markers"][1] == {"title": "Part two", "start_s": 30.0, "end_s": 61.5}
    assert BuildReport.read(tmp_path / "report.json") == report


def test_a_report_from_before_the_schema_was_versioned_still_reads(tmp_path):
    data = json.loads(json.dumps(_report(), default=vars))
    del data["schema_version"]
    for m in data["tracks"][0]["markers"]:
        del m["end_s"]  # reports before version 1 gave markers' starts only
    (tmp_path / "report.json").write_text(json.dumps(data))
    back = BuildReport.read(tmp_path / "report.json")
    assert back.schema_version == 0
    assert [(m.title, m.start_s, m.end_s) for m in back.tracks[0].markers] == [("Chapter 1", 0.0, None),
                                                                               ("Part two", 30.0, None)]


def test_a_newer_report_is_refused_by_name_and_check_says_so(tmp_path):
    report = _report()
    report.schema_version = SCHEMA_VERSION + 1
    build = tmp_path / "build"
    build.mkdir()
    report.write(build / "report.json")
    (build / "plan.yaml").write_text("tracks: []\n")
    with pytest.raises(InputError, match=r"report.json: written by a newer audiobook \(report schema"):
        BuildReport.read(build / "report.json")
    code, _, err = _invoke(["check", str(build)])
    assert code == 2 and "written by a newer audiobook" in err and "Traceback" not in err


def test_a_damaged_report_names_the_file(tmp_path):
    (tmp_path / "report.json").write_text('{"tracks": [{"id": "x"}]}')
    with pytest.raises(InputError, match="report.json: a build report with a field missing"):
        BuildReport.read(tmp_path / "report.json")
    (tmp_path / "report.json").write_text("{not json")
    with pytest.raises(InputError, match="report.json: not a build report we can read"):
        BuildReport.read(tmp_path / "report.json")
