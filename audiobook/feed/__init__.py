"""The podcast feed and the files beside it: chapters JSON per track, the blurb with its runtime."""

from __future__ import annotations

from audiobook.feed.rss import Episode, build_feed, chapters_json, podcast_guid, url_for
from audiobook.feed.write import write_feed_files

__all__ = ["Episode", "build_feed", "chapters_json", "podcast_guid", "url_for", "write_feed_files"]
