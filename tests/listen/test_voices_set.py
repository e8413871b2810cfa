"""The tuning part of the wider real-voice set (tests/data/voices/cases.json, docs/voices.md), on the
readings whose audio is committed here (tests/data/real-voices): each part is cut where its first sound is,
by the same route as `scripts/voices.py run` (init, build --plan-only)."""

from __future__ import annotations

import pytest

pytest.importorskip("pocketsphinx")

from scripts import voices  # noqa: E402

COMMITTED = [c for c in voices.load_cases()
             if c["split"] == "tuning" and all("file" in p["source"] for p in c["pieces"])]


def test_the_set_keeps_a_held_out_part_of_at_least_four_readers() -> None:
    cases = voices.load_cases()
    held_out = {c["reader"] for c in cases if c["split"] == "held-out"}
    assert len(held_out) >= 4
    assert not held_out & {c["reader"] for c in cases if c["split"] == "tuning"}


@pytest.mark.parametrize("case", COMMITTED, ids=lambda c: c["id"])
def test_each_part_starts_within_0_3_s_before_its_first_sound(case, tmp_path) -> None:
    got = voices.run_case(case, None, tmp_path)
    assert len(got) == sum(1 for u in case["units"] if u.get("part")) - 1
    assert all(b.right for b in got), [(b.title, round(b.error_s, 2), b.placed_by) for b in got]
