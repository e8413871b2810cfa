"""What goes into a finished track's tags and chapter markers, whatever the format; each format
writes and reads them its own way (audiobook.formats.write_tags)."""

from __future__ import annotations

from audiobook.tags.metadata import Chapter, TrackTags, check_cover, ending

__all__ = ["Chapter", "TrackTags", "check_cover", "ending"]
