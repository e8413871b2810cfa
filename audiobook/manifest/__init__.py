"""The manifest that drives a build: model, loading with line-numbered errors, writing."""

from __future__ import annotations

from audiobook.manifest.load import MANIFEST_NAME, load_manifest, parse_manifest
from audiobook.manifest.model import BookInfo, ChapterEntry, Manifest, OutputSettings, Recordings, SectionEntry
from audiobook.manifest.write import dump_manifest, init_manifest

__all__ = ["MANIFEST_NAME", "BookInfo", "ChapterEntry", "Manifest", "OutputSettings", "Recordings",
           "SectionEntry", "dump_manifest", "init_manifest", "load_manifest", "parse_manifest"]
