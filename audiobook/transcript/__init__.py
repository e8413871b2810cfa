"""Transcripts from the alignment: the book's sentences timed in each track, written as WebVTT."""

from __future__ import annotations

from audiobook.transcript.cues import Cue, Line, time_lines
from audiobook.transcript.text import chapter_lines
from audiobook.transcript.webvtt import read_webvtt, to_webvtt

__all__ = ["Cue", "Line", "chapter_lines", "read_webvtt", "time_lines", "to_webvtt"]
