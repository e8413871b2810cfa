"""The demo build's transcripts: a WebVTT file per track that a parser reads, in the track's time,
holding the book's words; linked from the feed; served and published with the tracks."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import feedparser
import podcastparser
import webvtt

from audiobook.listen.speakable import spoken_words
from audiobook.publish import publish
from audiobook.serve import TYPES

DEMO = Path(__file__).resolve().parents[1] / "recordings"


def _vtts(out: Path, tracks) -> list[tuple]:
    return [(t, webvtt.read(str(Path(t.file).with_suffix(".vtt")))) for t in tracks]


def test_each_track_has_a_transcript_in_its_own_time_opening_with_its_heading(demo_built):
    assert demo_built.tracks
    for track, vtt in _vtts(demo_built.out, demo_built.tracks):
        cues = vtt.captions
        assert cues, track.file
        starts = [c.start_in_seconds + int(c.start[-3:]) / 1000 for c in cues]
        ends = [c.end_in_seconds + int(c.end[-3:]) / 1000 for c in cues]
        assert all(a < b for a, b in zip(starts, starts[1:]))
        assert all(e <= s for e, s in zip(ends, starts[1:])) and all(s < e for s, e in zip(starts, ends))
        assert 0.3 <= starts[0] <= 1.5  # the heading, after the track's head room tone (ACX: 0.5–1 s)
        assert ends[-1] <= track.duration_s
        title = re.sub(r" \(part \d+ of \d+\)$", "", track.title)
        assert cues[0].text == title


def test_the_transcripts_hold_the_books_words(demo_built):
    book = Counter(spoken_words((DEMO / "book" / "opening.txt").read_text(encoding="utf-8")))
    said = Counter(w for _, vtt in _vtts(demo_built.out, demo_built.tracks) for c in vtt.captions
                   for w in spoken_words(c.text))
    assert sum((book & said).values()) >= 0.95 * sum(book.values())
    assert not said - book - Counter(spoken_words(" ".join(t.title for t in demo_built.tracks)))  # nothing invented


def test_the_feed_links_each_transcript_and_says_it_is_an_audiobook(demo_built):
    xml = (demo_built.out / "feed.xml").read_bytes()
    fp = feedparser.parse(xml)
    assert not fp.bozo
    links = [e.podcast_transcript for e in fp.entries]
    assert [x["type"] for x in links] == ["text/vtt"] * len(demo_built.tracks)
    assert [x["url"].replace("%20", " ") for x in links] == [Path(t.file).with_suffix(".vtt").name
                                                             for t in demo_built.tracks]
    assert b'xmlns:podcast="https://podcastindex.org/namespace/1.0"' in xml
    assert b"<podcast:medium>audiobook</podcast:medium>" in xml
    parsed = podcastparser.parse("https://example.org/feed.xml", io.BytesIO(xml))  # a podcast app's parser reads it
    assert len(parsed["episodes"]) == len(demo_built.tracks)


def test_publish_and_serve_carry_the_transcripts(demo_built, tmp_path):
    dest = tmp_path / "site"
    publish(demo_built.out, str(dest), base_url="https://example.org/rb")
    for t in demo_built.tracks:
        vtt = Path(t.file).with_suffix(".vtt").name
        assert (dest / vtt).read_bytes() == (demo_built.out / vtt).read_bytes()
        assert f'url="https://example.org/rb/{vtt.replace(" ", "%20")}" type="text/vtt"' in (dest / "feed.xml").read_text()
    assert TYPES[".vtt"].startswith("text/vtt")


def test_a_podcast_app_fetches_each_transcript_from_serve(demo_built):
    import threading
    import urllib.request

    from audiobook.serve import serve

    server = serve(demo_built.out, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        fp = feedparser.parse(base + "/feed.xml")
        for entry, t in zip(fp.entries, demo_built.tracks):
            with urllib.request.urlopen(entry.podcast_transcript["url"]) as res:
                assert res.headers["Content-Type"].startswith("text/vtt")
                assert res.read() == Path(t.file).with_suffix(".vtt").read_bytes()
    finally:
        server.shutdown()
        server.server_close()


def test_the_report_names_each_tracks_transcript(demo_built):
    from audiobook.report import BuildReport

    report = BuildReport.read(demo_built.out / "report.json")
    assert [t.transcript for t in report.tracks] == [str(Path(t.file).with_suffix(".vtt")) for t in report.tracks]
    assert "transcripts" in report.stage_seconds


def test_a_rebuild_keeps_transcripts_whose_audio_and_text_did_not_change_and_one_without_drops_them(demo_built, tmp_path):
    import shutil

    from audiobook.build import build

    out = tmp_path / "build"
    shutil.copytree(demo_built.out, out, symlinks=True)
    vtts = sorted(out.glob("*.vtt"))
    assert len(vtts) == len(demo_built.tracks)
    before = {p.name: p.stat().st_mtime_ns for p in vtts}
    result = build(DEMO, out, jobs=1, m4b=False)
    assert {p.name: p.stat().st_mtime_ns for p in sorted(out.glob("*.vtt"))} == before  # not aligned again
    assert all(t.transcript for t in result.tracks)
    result = build(DEMO, out, jobs=1, m4b=False, transcripts=False)  # and without: none left to go stale
    assert not list(out.glob("*.vtt")) and all(t.transcript is None for t in result.tracks)
    assert b"podcast:transcript" not in (out / "feed.xml").read_bytes()
