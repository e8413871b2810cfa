"""After the tracks: chapters JSON, cover, blurb.txt with the real runtime, and feed.xml last of all."""

from __future__ import annotations

from pathlib import Path

from audiobook.book.blurb import fill_runtime, parse_blurb
from audiobook.book.reading import read_text
from audiobook.feed.rss import Episode, build_feed, chapters_json
from audiobook.files import write_bytes_atomic, write_text_atomic
from audiobook.manifest import Manifest


def channel_description(manifest: Manifest, minutes: int) -> str:
    b = manifest.book
    credits = " ".join(x for x in (f"By {b.author}." if b.author else "", f"Read by {b.narrator}." if b.narrator else "",
                                   f"{minutes} minutes.") if x)
    parts = [p for p in (b.subtitle, credits, b.description) if p]
    return "\n\n".join(parts)


def write_feed_files(manifest: Manifest, folder: Path, out: Path, episodes: list[Episode]) -> list[str]:
    """Write the files that describe the tracks; returns notes for the build's report."""
    notes = []
    total_s = sum(e.duration_s for e in episodes)
    minutes = round(total_s / 60)
    for ep in episodes:
        ep.chapters_file = out / (ep.file.stem + ".chapters.json")
        write_text_atomic(ep.chapters_file, chapters_json(ep))
    cover_name = None
    if manifest.book.cover:
        src = folder / manifest.book.cover
        cover_name = "cover" + src.suffix.lower()
        write_bytes_atomic(out / cover_name, src.read_bytes())
    if manifest.book.blurb:
        text = read_text(folder / manifest.book.blurb)
        filled = fill_runtime(text, minutes)
        if filled == text and parse_blurb(text).runtime_placeholder is None:
            notes.append(f"{manifest.book.blurb}: no runtime line (\"tbc minutes\") to fill in; copied as it is")
        write_text_atomic(out / "blurb.txt", filled)
    if not manifest.feed.base_url:
        notes.append("feed.xml uses relative URLs: set feed.base_url in the manifest (or pass --base-url) "
                     "to the address the files will be served from")
    xml = build_feed(manifest.book, manifest.feed, episodes, channel_description(manifest, minutes),
                     cover_name=cover_name, year=manifest.book.year)
    write_bytes_atomic(out / "feed.xml", xml)  # last of all: the feed never names a file that is not there yet
    return notes
