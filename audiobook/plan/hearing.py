"""Listening for the plan: the book's openings, the recogniser, and the anchors they give.

The glue between the plan and `align`: what each chapter and section opens with (from the
book's text named in the manifest, or its headings alone), and the fallbacks — no model
for the book's language, no recogniser installed — each said in a note, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from audiobook.book import read_book
from audiobook.errors import InputError
from audiobook.listen.audio import Recordings
from audiobook.listen.boundary import PACE_S, pace
from audiobook.listen.listener import Listener, NoModel, has_model
from audiobook.listen.openings import Opening, opening
from audiobook.manifest import Manifest
from audiobook.manifest.credits import credits_script, is_closing, is_credits
from audiobook.manifest.model import ChapterEntry
from audiobook.manifest.write import chapters_from_book
from audiobook.parallel import Report, WorkerPool, run_parallel
from audiobook.plan.anchor import GIVE_UP, Anchor, Anchors, Finder, anchor_chapters, anchor_sections
from audiobook.plan.planner import (
    Plan,
    chapter_label,
    chapter_title,
    section_lead_words,
    spoken_counts,
    spoken_title,
)
from audiobook.plan.timeline import Timeline


def openings(chapters: list[ChapterEntry], manifest: Manifest, folder: Path) -> list[tuple[Opening, list[Opening]]]:
    """Each chapter's opening and its sections', with the first words of their text where the
    book's text (manifest book.text) is at hand and its parts still match the manifest's."""
    texts: dict[str, tuple[str, list[str], list[str]]] = {}
    if manifest.book.text and (folder / manifest.book.text).is_file():
        toc = folder / manifest.book.toc if manifest.book.toc and (folder / manifest.book.toc).is_file() else None
        try:
            book = read_book(folder / manifest.book.text, toc)
        except (InputError, OSError, UnicodeError):
            book = None
        if book is not None:
            for entry, part in zip(chapters_from_book(book), book.parts):
                lead = part.text or (part.sections[0].title if part.sections else "")  # its first section's heading
                texts[entry.id] = (lead, [s.text for s in part.sections], [s.title for s in part.sections])
    out = []
    previous_end, previous_label, previous_is_heading = "", None, False
    for ch in chapters:
        lead, section_texts, section_titles = texts.get(ch.id, ("", [], []))
        if section_titles and [s.title for s in ch.sections] != section_titles:
            section_texts = []  # the manifest's sections were edited: headings alone
        label = chapter_label(ch)
        title = ch.title or ch.kind if label else spoken_title(ch)
        if is_credits(ch) and ch.id not in texts:  # what the narrator reads: the book's title, author, narrator
            title = credits_script(manifest.book, is_closing(ch, manifest.chapters))
        has_lead = ch.id in texts and bool(texts[ch.id][0]) and not (ch.sections and lead == ch.sections[0].title)
        # the last words read before each part: the part before's text or, where it has none (a chapter's
        # heading read, then its first section's), its heading — only where the book's text tells which
        said = title or label or ""  # its last words: the title (a pause after "Chapter Six." walls the label off)
        before, heading_before = (lead, False) if has_lead else (said, True) if ch.id in texts else ("", False)
        sections = []
        for j, s in enumerate(ch.sections):
            known = j < len(section_texts)
            text = section_texts[j] if known else ""
            sections.append(opening(s.title, None, text, before, before_is_heading=heading_before))
            if text or not known:
                before, heading_before = text, False
            elif not s.heading_lost:
                before, heading_before = s.title, True
        out.append((opening(title, label, lead, previous_end, previous_label, previous_is_heading), sections))
        previous_end, previous_is_heading = ((before, heading_before) if not ch.sections or len(section_texts) == len(ch.sections)
                                             else ("", False))
        previous_label = label
    return out


def chapter_texts(chapters: list[ChapterEntry], manifest: Manifest, folder: Path) -> list[str]:
    """Each chapter as the narrator reads it: its heading, its text, each section's heading and text."""

    toc = folder / manifest.book.toc if manifest.book.toc and (folder / manifest.book.toc).is_file() else None
    book = read_book(folder / manifest.book.text, toc)
    parts = {entry.id: part for entry, part in zip(chapters_from_book(book), book.parts)}
    out = []
    for ch in chapters:
        part = parts.get(ch.id)
        pieces = [spoken_title(ch).replace(":", ".")]
        if part is not None:
            pieces.append(part.text)
            for s in part.sections:  # a heading the text lost is not read where it is put
                pieces += [s.text] if s.heading_lost else [s.title, s.text]
        out.append("\n\n".join(p for p in pieces if p))
    return out


def listen_for_boundaries(plan: Plan, chapters: list[ChapterEntry], manifest: Manifest, folder: Path,
                          timeline: Timeline, paths: list[Path],
                          on_progress: Callable[[float, float], None] | None = None,
                          pool: WorkerPool | None = None) -> tuple[Anchors | None, list[str]]:
    """Where each boundary's heading is spoken, searched around `plan`'s boundaries; (None, why) when
    nothing can listen for this book. Chapters are found in order here; each chapter's sections
    on `pool`'s workers meanwhile, side by side, once the chapter after it is found."""
    language = manifest.book.language or "en"
    if not has_model(language):
        return None, [f"no speech model for the book's language ({language!r}; English only): chapters and "
                      "sections placed by pauses and word counts alone"]
    try:
        listener = Listener(language)
    except NoModel as exc:
        return None, [f"{exc}: chapters and sections placed by pauses and word counts alone"]
    words, heading = spoken_counts(chapters)
    ops = openings(chapters, manifest, folder)
    guesses = [t.speech_start_s for t in plan.tracks]
    steps = len(chapters) - 1 + sum(len(ch.sections) for ch in chapters)

    light = timeline.without_analyses()
    anchors = Anchors(chapters={})
    counts = {"chapters": 0.0, "sections": 0.0}  # progress: this process's chapters, the workers' sections

    def step(key: str, amount: float) -> None:
        counts[key] = amount
        if on_progress:
            on_progress(counts["chapters"] + counts["sections"], steps)

    def sections_job(k: int, start_s: float, end_s: float) -> _SectionsJob:
        return _SectionsJob([str(p) for p in paths], light, language, ops[k][1], words[k],
                            section_lead_words(chapters[k], heading[k]), start_s, end_s,
                            _section_guesses(plan.tracks[k], chapters[k], start_s), finder.spotting, finder.pace_s)

    def section_jobs() -> Iterator[_SectionsJob]:
        """Each chapter's sections, handed to the workers as soon as the chapter's end is heard (while
        this process listens for the next chapter's): once listening is known to hear this voice at all."""
        starts = [plan.tracks[0].speech_start_s] + guesses[1:]
        ready = 0  # chapters before this one have been handed over (or have no sections)
        for k, found in anchor_chapters(finder, [op for op, _ in ops], words, plan.tracks[0].speech_start_s, guesses):
            if found:
                anchors.chapters[k] = found
                starts[k] = found.speech_s
            step("chapters", k)
            settled = finder.spotted or not finder.spotting or k >= GIVE_UP  # how sections are heard is known
            if settled and (anchors.chapters or len(chapters) <= GIVE_UP):
                for j in range(ready, k):
                    if ops[j][1]:
                        yield sections_job(j, starts[j], starts[j + 1])
                ready = k
        if anchors.chapters or len(chapters) <= GIVE_UP:
            ends = starts[1:] + [timeline.duration_s]
            for j in range(ready, len(chapters)):
                if ops[j][1]:
                    yield sections_job(j, starts[j], ends[j])

    recordings = Recordings([str(p) for p in paths], [float(x) for x in timeline.offsets])
    try:
        with listener:
            finder = Finder(listener, recordings, timeline)
            finder.pace_s = narrator_pace(timeline, words, ops)
            chapter_of = [k for k, (_, secs) in enumerate(ops) if secs]
            results = run_parallel(_sections, section_jobs(), count=len(chapter_of),
                                   total=sum(len(secs) for _, secs in ops), jobs=1 if pool is None else None,
                                   pool=pool, on_progress=lambda d, _t: step("sections", d))
            listened = finder.listened_s
    finally:
        recordings.close()
    if not anchors.chapters and len(chapters) > GIVE_UP:
        anchors.listened_s = round(listened, 1)
        return anchors, [f"none of the first {GIVE_UP} chapter headings was heard where expected — the voice is one "
                         "the recogniser cannot follow, or the headings are not read: every chapter and section "
                         "placed by pauses and word counts (listen to them; pin any in manifest.yaml)"]
    for k, (found, seconds) in zip(chapter_of, results):
        anchors.sections.update({(k, j): a for j, a in found.items()})
        listened += seconds
    anchors.listened_s = round(listened, 1)
    return anchors, _notes(anchors, chapters, plan)


@dataclass
class _SectionsJob:
    paths: list[str]
    timeline: Timeline
    language: str
    openings: list[Opening]
    words: int
    before: list[int | None]
    start_s: float
    end_s: float
    guesses: list[float]
    spotting: bool = True
    pace_s: float = PACE_S


def narrator_pace(timeline: Timeline, words: list[int], ops: list[tuple[Opening, list[Opening]]]) -> float:
    """The narrator's pace (seconds a letter): the recordings' speech over the book's letters, counted as its
    words times the letters a word of the text has where its words are known (each part's first and last)."""
    known = [w for op, secs in ops for o in [op, *secs]
             for w in [*(() if o.ending_is_heading else o.ending), *o.phrases.get("text", [])]]
    if not known or not sum(words):
        return PACE_S
    return pace(timeline.speech_s, sum(words) * sum(len(w) + 1 for w in known) / len(known))


def _sections(job: _SectionsJob, progress: Report) -> tuple[dict[int, Anchor], float]:
    """One chapter's sections, in a worker: its own recogniser and files."""
    recordings = Recordings(job.paths, [float(x) for x in job.timeline.offsets])
    try:
        with Listener(job.language) as listener:
            finder = Finder(listener, recordings, job.timeline, span_s=job.end_s - job.start_s)
            finder.spotting = job.spotting
            finder.pace_s = job.pace_s
            found = anchor_sections(finder, job.openings, job.words, job.before, job.start_s, job.end_s, job.guesses)
            progress(len(job.openings))
            return found, finder.listened_s
    finally:
        recordings.close()


def _section_guesses(track, ch: ChapterEntry, start_s: float) -> list[float]:
    """The plan's start of each section (by title: a lost heading has no marker yet), else the chapter's."""
    at = {m.title: m.speech_start_s for m in track.markers[1:]}
    return [at.get(s.title, start_s) for s in ch.sections]


def _notes(anchors: Anchors, chapters: list[ChapterEntry], plan: Plan) -> list[str]:
    notes = []
    for k, ch in enumerate(chapters):
        for j, s in enumerate(ch.sections):
            if s.heading_lost and (k, j) not in anchors.sections and s.start is None:
                notes.append(f"{chapter_title(ch)}: section {s.title!r} (the table of contents lists it, the text lost "
                             "its heading) was not heard spoken: no marker for it, none invented — pin its start: in "
                             "manifest.yaml if it is read")
    ranked = [chapter_title(ch) for k, ch in enumerate(chapters) if k in anchors.chapters
              and anchors.chapters[k].how.startswith(("the part before", "its opening words fitted"))]
    ranked_sections = sum(a.how.startswith(("the part before", "its opening words fitted"))
                          for a in anchors.sections.values())
    if ranked or ranked_sections:
        notes.append(f"{len(ranked)} chapter and {ranked_sections} section start(s) placed at the pause the words "
                     "before them fit best (their own headings were not spotted: a voice the recogniser follows "
                     "badly) — listen to the ones review.html lists first")
    missed = [chapter_title(ch) for k, ch in enumerate(chapters) if k and k not in anchors.chapters]
    if missed:
        notes.append(f"{len(missed)} chapter heading(s) not heard where expected ({'; '.join(missed[:5])}"
                     f"{' ...' if len(missed) > 5 else ''}): placed by pauses and word counts — listen to them, "
                     "or pin them in manifest.yaml (start:)")
    n_sections = sum(len(ch.sections) for ch in chapters)
    if n_sections and len(anchors.sections) < n_sections:
        notes.append(f"{n_sections - len(anchors.sections)} of {n_sections} section headings not heard: "
                     "those markers placed by pauses and word counts")
    return notes
