"""plan.yaml is read and written through typed records: what the build wrote reads back the same,
its markers are known by id (two sections with one title stay two), and a plan from a newer
version — or one that is not a plan — is refused by name, never a traceback."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from audiobook.errors import InputError
from audiobook.plan.planfile import SCHEMA_VERSION, PlanFile
from audiobook.report import BuildReport
from audiobook.review import _cuts


def test_the_plan_a_build_wrote_reads_back_as_its_plan(demo_build):
    read = PlanFile.read(demo_build / "plan.yaml")
    assert read.schema_version == SCHEMA_VERSION and read.tracks
    report = BuildReport.read(demo_build / "report.json")
    assert [t.id for t in read.tracks] == [t.id for t in report.tracks]
    for planned, built in zip(read.tracks, report.tracks):
        assert abs(planned.duration_s - built.duration_s) < 0.5
        assert [m.title for m in planned.markers] == [m.title for m in built.markers[1:]]
        assert [m.id for m in planned.markers] == [f"{planned.id}/{n + 1}" for n in range(len(planned.markers))]


def test_two_sections_with_one_title_are_two_cuts_on_the_review_page(demo_build, tmp_path):
    plan, report = PlanFile.read(demo_build / "plan.yaml"), BuildReport.read(demo_build / "report.json")
    k = next(i for i, t in enumerate(plan.tracks) if len(t.markers) >= 2)
    first, second = plan.tracks[k].markers[:2]
    first.title = second.title = "Notes"
    first.placed_by, second.placed_by = "aligned", "pinned"
    built = report.tracks[k]
    built.markers[1] = dataclasses.replace(built.markers[1], title="Notes")
    built.markers[2] = dataclasses.replace(built.markers[2], title="Notes")
    plan.write(tmp_path / "plan.yaml")  # through the file, as the page reads it
    cuts = [c for c in _cuts(report, PlanFile.read(tmp_path / "plan.yaml")) if c.title == "Notes"]
    assert [c.placed_by for c in cuts] == ["aligned", "pinned"]


def test_a_plan_from_before_the_schema_reads_and_a_newer_or_broken_one_is_refused(demo_build, tmp_path):
    text = (demo_build / "plan.yaml").read_text(encoding="utf-8")
    old = yaml.safe_load(text)  # as builds wrote it before: no version, the duration a clock, markers without ids
    del old["schema_version"]
    for t in old["tracks"]:
        del t["duration_s"]
        for m in t["markers"]:
            del m["id"]
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(old), encoding="utf-8")
    read, now = PlanFile.read(path), PlanFile.read(demo_build / "plan.yaml")
    assert read.schema_version == 0
    assert [round(t.duration_s, 1) for t in read.tracks] == [round(t.duration_s, 1) for t in now.tracks]
    assert [m.id for t in read.tracks for m in t.markers] == [m.id for t in now.tracks for m in t.markers]
    path.write_text(text.replace(f"schema_version: {SCHEMA_VERSION}", f"schema_version: {SCHEMA_VERSION + 1}"))
    with pytest.raises(InputError, match="written by a newer audiobook"):
        PlanFile.read(path)
    for broken in ("tracks: [1, 2]\n", "[unclosed\n", "just words\n"):
        path.write_text(broken)
        with pytest.raises(InputError, match="plan.yaml"):
            PlanFile.read(path)
