"""`audiobook publish` to a local folder: a complete, consistent podcast; only changes copied again."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import podcastparser
import pytest

from audiobook.errors import InputError
from audiobook.publish import publish
from audiobook.publish.destination import safe
from tests.test_cli_init import _invoke

DEMO = Path(__file__).resolve().parents[1] / "recordings"
BASE = "https://example.org/books/rb"


@pytest.fixture(scope="module")
def built(demo_build):
    return demo_build


def test_publish_to_a_folder_gives_a_complete_podcast(built, tmp_path):
    dest = tmp_path / "site"
    result = publish(built, str(dest), base_url=BASE)
    assert result.copied[-1] == "feed.xml"
    assert not (dest / "report.json").exists() and not list(dest.glob(".*.part"))
    parsed = podcastparser.parse(BASE + "/feed.xml", io.BytesIO((dest / "feed.xml").read_bytes()))
    assert len(parsed["episodes"]) == 3
    for ep in parsed["episodes"]:
        enc = ep["enclosures"][0]
        assert enc["url"].startswith(BASE + "/")
        name = enc["url"][len(BASE) + 1:].replace("%20", " ")
        assert (dest / name).stat().st_size == enc["file_size"]
    text = (dest / "feed.xml").read_text()
    assert 'url="01%20' not in text  # nothing left relative


def test_a_published_folder_is_checked_as_listeners_get_it(built, tmp_path):
    import json

    dest = tmp_path / "site"
    publish(built, str(dest), base_url=BASE)
    code, out, err = _invoke(["check", str(dest), "--json", "-j", "1"])
    checks = [f["check"] for f in json.loads(out)["findings"]]
    assert checks.count("enclosure_length") == 3 and checks.count("item_duration") == 3
    assert checks.count("chapters_json_match_tags") == 3
    assert code == 0, [f for f in json.loads(out)["findings"] if not f["passed"]]
    gone = next(dest.glob("02 - *.mp3"))
    gone.unlink()  # an upload that did not arrive
    code, out, err = _invoke(["check", str(dest), "--json", "-j", "1"])
    failed = [f for f in json.loads(out)["findings"] if not f["passed"]]
    assert code == 1 and any(f["check"] == "enclosure_file" and gone.name in f["message"] for f in failed), failed


def test_republishing_copies_only_what_changed(built, tmp_path):
    dest = tmp_path / "site"
    publish(built, str(dest), base_url=BASE)
    again = publish(built, str(dest), base_url=BASE)
    assert again.copied == [] and len(again.unchanged) >= 7  # the feed too: nothing is sent
    changed = tmp_path / "build2"
    shutil.copytree(built, changed)
    track = next(changed.glob("02 - *.mp3"))
    track.write_bytes(track.read_bytes() + b"\x00")
    third = publish(changed, str(dest), base_url=BASE)
    assert third.copied == [track.name]  # (the feed, not made again here, is as it was)


def test_relative_feed_needs_a_base_url(built, tmp_path):
    with pytest.raises(InputError, match="--base-url"):
        publish(built, str(tmp_path / "site"))
    code, out, err = _invoke(["publish", str(built), "--to", str(tmp_path / "x")])
    assert code == 2 and "--base-url" in err


def test_credentials_never_shown():
    assert safe("sftp://alice:s3cret@host.example:2222/srv/books") == "sftp://host.example:2222/srv/books"
    assert "s3cret" not in safe("s3://key:s3cret@bucket/path")


def test_an_fsspec_target_goes_through_the_same_code(built):
    """fsspec's in-memory filesystem stands in for S3 and the rest (none is tested against a real
    server): files verified and renamed into place, nothing sent twice."""
    fsspec = pytest.importorskip("fsspec")
    result = publish(built, "memory://podcasts/rb", base_url=BASE)
    fs = fsspec.filesystem("memory")
    assert result.copied[-1] == "feed.xml" and not fs.glob("/podcasts/rb/.*.part")
    parsed = podcastparser.parse(BASE + "/feed.xml", io.BytesIO(fs.cat_file("/podcasts/rb/feed.xml")))
    for ep in parsed["episodes"]:
        name = ep["enclosures"][0]["url"][len(BASE) + 1:].replace("%20", " ")
        assert fs.cat_file(f"/podcasts/rb/{name}") == (built / name).read_bytes()
    assert publish(built, "memory://podcasts/rb", base_url=BASE).copied == []
