"""One chapter's lines timed: its words followed through its audio, then gathered into cues."""

from __future__ import annotations

from collections.abc import Callable

from audiobook.listen.audio import Recordings
from audiobook.listen.follow import follow
from audiobook.listen.listener import Listener
from audiobook.listen.speakable import spoken_words
from audiobook.plan.timeline import Timeline
from audiobook.transcript.cues import Cue, Line, time_lines


def time_chapter(listener: Listener, recordings: Recordings, timeline: Timeline, lines: list[Line],
                 start_s: float, end_s: float, on_progress: Callable[[float], None] | None = None) -> list[Cue]:
    """The cues of `lines` read in timeline [start_s, end_s] (timeline seconds)."""
    words: list[str] = []
    words_of: list[range] = []
    for line in lines:
        said = spoken_words(line.text)
        words_of.append(range(len(words), len(words) + len(said)))
        words += said
    starts = [r.start for r in words_of if len(r)]
    following = follow(listener, recordings, timeline, words, starts, start_s, end_s, on_progress)
    return time_lines(lines, words_of, following)
