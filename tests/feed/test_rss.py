"""The feed read back by real clients: podcastparser (gPodder's parser) and feedparser."""

from __future__ import annotations

import io
import json

import feedparser
import podcastparser

from audiobook.feed.rss import Episode, build_feed, chapters_json, podcast_guid, truncate_utf8
from audiobook.manifest.model import BookInfo, FeedSettings
from audiobook.tags import Chapter

TRICKY = 'Tom & Jerry <"Live"> — Ünïcödé ‘quotes’ 🎧'


def _episodes(tmp_path, n=3):
    eps = []
    for i in range(1, n + 1):
        f = tmp_path / f"{i:02d} - Part {i}.mp3"
        f.write_bytes(b"\xff\xfb" * (500 * i))
        eps.append(Episode(id=f"chapter-{i:02d}", number=i, title=f"{TRICKY} {i}", description=f"About {TRICKY}",
                           file=f, duration_s=61.5 * i, chapters=[Chapter(f"Chapter {i}", 0.0), Chapter("A & B <c>", 12.25)]))
    return eps


def _feed(tmp_path, base_url="https://example.org/books/rb/"):
    book = BookInfo(title=TRICKY, author="Leon Trotsky", narrator="Jonathan Booth", language="en", year=2026)
    feed = FeedSettings(base_url=base_url, owner_email="owner@example.org")
    eps = _episodes(tmp_path)
    return book, feed, eps, build_feed(book, feed, eps, "Description " * 600, cover_name="cover.jpg", year=2026)


def test_podcastparser_reads_every_episode_enclosure_duration_and_chapter(tmp_path):
    book, feed, eps, xml = _feed(tmp_path)
    parsed = podcastparser.parse("https://example.org/books/rb/feed.xml", io.BytesIO(xml))
    assert parsed["title"] == TRICKY
    assert len(parsed["episodes"]) == 3
    by_number = sorted(parsed["episodes"], key=lambda e: e["number"])
    for ep, got in zip(eps, by_number):
        assert got["title"] == ep.title
        (enc,) = got["enclosures"]
        assert enc["url"] == "https://example.org/books/rb/" + ep.file.name.replace(" ", "%20")
        assert enc["file_size"] == ep.file.stat().st_size and enc["mime_type"] == "audio/mpeg"
        assert got["total_time"] == round(ep.duration_s)
        assert [c["title"] for c in got["chapters"]] == [c.title for c in ep.chapters]
        assert got["guid"].endswith("/" + ep.id)
    assert [e["number"] for e in sorted(parsed["episodes"], key=lambda e: e["published"])] == [1, 2, 3]


def test_feedparser_reads_the_channel_and_namespaces(tmp_path):
    book, feed, eps, xml = _feed(tmp_path)
    d = feedparser.parse(xml)
    assert not d.bozo, d.bozo_exception
    assert d.feed.title == TRICKY and d.feed.itunes_type == "serial"
    assert d.feed.podcast_guid == podcast_guid(book, feed)
    assert len(d.feed.summary.encode("utf-8")) <= 4000  # Apple's limit
    assert d.feed.image.href == "https://example.org/books/rb/cover.jpg"
    assert d.feed.tags[0].term == "Arts"
    assert [e.itunes_episode for e in d.entries] == ["1", "2", "3"]
    assert d.entries[1].itunes_duration == "00:02:03"
    assert all(e.enclosures[0].length == str(ep.file.stat().st_size) for e, ep in zip(d.entries, eps))


def test_relative_urls_without_a_base_and_stable_guids(tmp_path):
    book, feed, eps, xml = _feed(tmp_path, base_url=None)
    parsed = podcastparser.parse("https://example.org/some/feed.xml", io.BytesIO(xml))
    assert parsed["episodes"][0]["enclosures"][0]["url"] == "https://example.org/some/01%20-%20Part%201.mp3"
    _, _, _, again = _feed(tmp_path, base_url=None)
    assert again == xml  # a rebuild gives the same feed: same guids, same dates


def test_chapters_json_is_podcasting_2_format(tmp_path):
    data = json.loads(chapters_json(_episodes(tmp_path)[0]))
    assert data["version"] == "1.2.0"
    assert data["chapters"] == [{"startTime": 0.0, "title": "Chapter 1"}, {"startTime": 12.25, "title": "A & B <c>"}]


def test_truncation_keeps_utf8_whole():
    text = "é" * 3000
    out = truncate_utf8(text, 4000)
    assert len(out.encode("utf-8")) <= 4000 and out.endswith("…")


def test_explicit_and_categories_in_apples_form(tmp_path):
    import xml.etree.ElementTree as ET

    *_, xml = _feed(tmp_path)
    channel = ET.fromstring(xml).find("channel")
    itunes = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
    assert channel.find(f"{itunes}explicit").text == "false"
    cat = channel.find(f"{itunes}category")
    assert cat.get("text") == "Arts" and cat.find(f"{itunes}category").get("text") == "Books"
    people = channel.findall("{https://podcastindex.org/namespace/1.0}person")
    assert [(p.get("role"), p.text) for p in people] == [("author", "Leon Trotsky"), ("narrator", "Jonathan Booth")]
