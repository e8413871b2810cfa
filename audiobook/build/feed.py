"""Stage 6: what describes the tracks — each track's chapters JSON, the cover, the blurb with its
runtime filled in, and feed.xml, last (it never names a file that is not there yet)."""

from __future__ import annotations

from pathlib import Path

from audiobook.analysis import Analysis
from audiobook.build.context import BuildContext
from audiobook.build.transcripts import vtt_path
from audiobook.feed import Episode, write_feed_files
from audiobook.plan import Plan
from audiobook.render.jobs import track_description
from audiobook.report import Rendered


def describe(ctx: BuildContext, plan: Plan, rendered: list[Rendered], measured: list[Analysis],
             transcripts: list[Path] | None = None) -> None:
    have = {p.name for p in transcripts or []}
    episodes = [Episode(id=t.id, number=t.number, title=t.title, description=track_description(t, ctx.manifest.book),
                        file=Path(r.path), duration_s=a.duration_s,
                        chapters=t.chapter_marks(),
                        transcript_file=vtt if vtt.name in have else None)
                for t, r, a in zip(plan.tracks, rendered, measured) for vtt in [vtt_path(r.path)]]
    ctx.notes += write_feed_files(ctx.manifest, ctx.folder, ctx.out, episodes)
