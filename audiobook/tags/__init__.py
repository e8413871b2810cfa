"""Tags and chapter markers on finished tracks: ID3 (MP3) with CHAP/CTOC, Vorbis comments (FLAC, Ogg)."""

from __future__ import annotations

from audiobook.tags.metadata import Chapter, TrackTags, check_cover, ending
from audiobook.tags.write import write_tags

__all__ = ["Chapter", "TrackTags", "check_cover", "ending", "write_tags"]
