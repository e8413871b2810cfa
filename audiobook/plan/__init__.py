"""Where to cut: chapters on the recordings' timeline, then sections inside each chapter."""

from __future__ import annotations

from audiobook.plan.parts import split_long_tracks
from audiobook.plan.planner import Marker, Plan, Span, TrackPlan, chapter_title, make_plan, track_time
from audiobook.plan.timeline import Gap, Timeline

__all__ = ["Gap", "Marker", "Plan", "Span", "Timeline", "TrackPlan", "chapter_title", "make_plan",
           "split_long_tracks", "track_time"]
