"""The podcast feed: RSS 2.0 with the itunes, Podcasting 2.0 and Podlove Simple Chapters namespaces.

Built with an XML library (ElementTree), never by pasting strings: titles with "&", "<",
quotes or any Unicode come out escaped and intact.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

from audiobook import formats
from audiobook.manifest.model import BookInfo, FeedSettings
from audiobook.tags.metadata import Chapter

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
PSC = "http://podlove.org/simple-chapters"
ATOM = "http://www.w3.org/2005/Atom"
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a0b6b6f2bce4")  # Podcasting 2.0 <podcast:guid>
APPLE_DESCRIPTION_BYTES = 4000
for prefix, uri in (("itunes", ITUNES), ("podcast", PODCAST), ("psc", PSC), ("atom", ATOM)):
    ET.register_namespace(prefix, uri)


@dataclass
class Episode:
    """One track as an item of the feed."""

    id: str  # the chapter's id: with the feed's guid, a guid stable across rebuilds
    number: int
    title: str
    description: str
    file: Path
    duration_s: float
    chapters: list[Chapter] = field(default_factory=list)  # the track's markers (starts only are said)
    chapters_file: Path | None = None
    transcript_file: Path | None = None  # its WebVTT transcript


def url_for(base_url: str | None, name: str) -> str:
    """The URL a file will have once published: base URL + the file's name, quoted."""
    quoted = quote(name)
    return f"{base_url.rstrip('/')}/{quoted}" if base_url else quoted


def podcast_guid(book: BookInfo, feed: FeedSettings) -> str:
    """Podcasting 2.0: a UUIDv5 of the feed's URL without its scheme; of the title without one."""
    if feed.base_url:
        key = feed.base_url.split("://", 1)[-1].rstrip("/") + "/feed.xml"
    else:
        key = f"audiobook:{book.title}:{book.author or ''}"
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, key))


def truncate_utf8(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore").rstrip() + "…"


def hms(seconds: float, millis: bool = False) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}" if millis else f"{int(h):02d}:{int(m):02d}:{int(round(s)):02d}"


def chapters_json(episode: Episode) -> str:
    """Podcasting 2.0 JSON chapters (version 1.2.0)."""
    return json.dumps({"version": "1.2.0", "chapters": [{"startTime": round(c.start_s, 3), "title": c.title}
                                                        for c in episode.chapters]},
                      ensure_ascii=False, indent=2) + "\n"


def build_feed(book: BookInfo, feed: FeedSettings, episodes: list[Episode], description: str,
               cover_name: str | None = None, year: int | None = None) -> bytes:
    """The feed as UTF-8 XML bytes."""
    rss = ET.Element("rss", {"version": "2.0"})
    ch = ET.SubElement(rss, "channel")
    feed_url = url_for(feed.base_url, "feed.xml")

    def sub(parent, tag, content=None, **attrs):
        el = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
        if content is not None:
            el.text = str(content)
        return el

    sub(ch, "title", book.title)
    sub(ch, "description", truncate_utf8(description, APPLE_DESCRIPTION_BYTES))
    sub(ch, "link", feed.link or feed.base_url or feed_url)
    if feed.base_url:
        sub(ch, f"{{{ATOM}}}link", href=feed_url, rel="self", type="application/rss+xml")
    sub(ch, "language", book.language)
    sub(ch, "generator", "audiobook")
    if book.copyright:
        sub(ch, "copyright", book.copyright)
    sub(ch, f"{{{ITUNES}}}author", book.author or "")
    sub(ch, f"{{{ITUNES}}}summary", truncate_utf8(description, APPLE_DESCRIPTION_BYTES))
    owner = sub(ch, f"{{{ITUNES}}}owner")
    sub(owner, f"{{{ITUNES}}}name", feed.owner_name or book.publisher or book.author or "")
    if feed.owner_email:
        sub(owner, f"{{{ITUNES}}}email", feed.owner_email)
    if cover_name:
        image_url = url_for(feed.base_url, cover_name)
        sub(ch, f"{{{ITUNES}}}image", href=image_url)
        image = sub(ch, "image")
        sub(image, "url", image_url)
        sub(image, "title", book.title)
        sub(image, "link", feed.link or feed.base_url or feed_url)
    cat = sub(ch, f"{{{ITUNES}}}category", text=feed.category)  # Apple's form: the name in an attribute
    if feed.subcategory:
        sub(cat, f"{{{ITUNES}}}category", text=feed.subcategory)
    sub(ch, f"{{{ITUNES}}}explicit", "true" if feed.explicit else "false")
    sub(ch, f"{{{ITUNES}}}type", "serial")
    sub(ch, f"{{{PODCAST}}}guid", podcast_guid(book, feed))
    sub(ch, f"{{{PODCAST}}}medium", "audiobook")
    if book.author:
        sub(ch, f"{{{PODCAST}}}person", book.author, role="author")
    if book.narrator:
        sub(ch, f"{{{PODCAST}}}person", book.narrator, role="narrator")

    # serial order: chapter 1 is the oldest item, an hour before chapter 2 — stable across rebuilds
    first = dt.datetime(year or dt.date.today().year, 1, 1, tzinfo=dt.timezone.utc)
    guid = podcast_guid(book, feed)
    for ep in episodes:
        item = sub(ch, "item")
        sub(item, "title", ep.title)
        sub(item, "description", ep.description)
        sub(item, f"{{{ITUNES}}}summary", ep.description)
        sub(item, "enclosure", url=url_for(feed.base_url, ep.file.name), length=ep.file.stat().st_size,
            type=formats.mime_for(ep.file))
        sub(item, "guid", f"{guid}/{ep.id}", isPermaLink="false")
        sub(item, "pubDate", format_datetime(first + dt.timedelta(hours=ep.number)))
        sub(item, f"{{{ITUNES}}}duration", hms(ep.duration_s))
        sub(item, f"{{{ITUNES}}}episode", ep.number)
        sub(item, f"{{{ITUNES}}}episodeType", "full")
        if ep.chapters_file is not None:
            sub(item, f"{{{PODCAST}}}chapters", url=url_for(feed.base_url, ep.chapters_file.name),
                type="application/json+chapters")
        if ep.transcript_file is not None:  # Podcasting 2.0 <podcast:transcript>
            sub(item, f"{{{PODCAST}}}transcript", url=url_for(feed.base_url, ep.transcript_file.name), type="text/vtt",
                language=book.language or "en")
        if ep.chapters:
            psc = sub(item, f"{{{PSC}}}chapters", version="1.2")
            for c in ep.chapters:
                sub(psc, f"{{{PSC}}}chapter", start=hms(c.start_s, millis=True), title=c.title)
    ET.indent(rss)
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True) + b"\n"
