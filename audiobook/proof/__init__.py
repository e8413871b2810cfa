"""`audiobook proof`: the narrator's slips in every chapter — omitted, repeated, flubbed, extra —
with their times in the session files and in the built tracks."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from audiobook.build import build, parse_selection
from audiobook.errors import InputError
from audiobook.files import clock, write_text_atomic
from audiobook.listen.audio import Recordings
from audiobook.listen.listener import Listener, NoModel, has_model
from audiobook.listen.speakable import spoken_words
from audiobook.manifest import load_manifest
from audiobook.parallel import Report, run_parallel
from audiobook.plan import Plan, Timeline, track_time
from audiobook.plan.hearing import chapter_texts
from audiobook.proof.slips import ChapterProof, Slip, proof_chapter

OTHER_TEXT_SHARE = 1 / 3  # a chapter heard less than this share of the book's typical chapter is not this text:
# the voice is the yardstick (another chapter's text put over a flite narration's: 0-4 % of its phrases heard,
# on slt and on kal; the right text 60-85 % on slt, awb and rms, 6-29 % on kal, a voice followed poorly)


@dataclass
class Found:
    """A slip, placed: in which chapter, where in the recordings and in the built track."""

    chapter: str  # the chapter's title
    kind: str
    text: str
    confidence: float
    source: str  # "session-02.wav 12:03.4": readable
    track_at: str | None  # "track 03 4:10.2": readable, where it is in the built track
    timeline_s: float
    file: str  # the session file it is in
    start_s: float  # seconds into that file
    end_s: float
    track: int | None  # the built track's number (None: in no track of this build)
    track_start_s: float | None  # seconds into that track


@dataclass
class ChapterResult:
    id: str
    title: str
    words: int
    heard_share: float  # of its phrases, heard in reading order
    matches_text: bool
    slips: list[Found] = field(default_factory=list)


@dataclass
class ProofResult:
    chapters: list[ChapterResult]
    audio_s: float
    listened_s: float
    notes: list[str] = field(default_factory=list)

    @property
    def slips(self) -> list[Found]:
        return sorted((s for c in self.chapters for s in c.slips), key=lambda s: -s.confidence)

    def to_json(self) -> str:
        return json.dumps({"chapters": [asdict(c) for c in self.chapters], "audio_s": round(self.audio_s, 1),
                           "listened_s": round(self.listened_s, 1), "notes": self.notes}, indent=2, ensure_ascii=False)


@dataclass
class _Job:
    paths: list[str]
    timeline: Timeline
    blocks: list[list[str]]  # the chapter's headings and paragraphs, each as spoken words
    start_s: float
    end_s: float
    language: str


def _proof_job(job: _Job, progress: Report) -> ChapterProof:
    recordings = Recordings(job.paths, [float(x) for x in job.timeline.offsets])
    try:
        with Listener(job.language) as listener:
            return proof_chapter(listener, recordings, job.timeline, job.blocks, job.start_s, job.end_s, progress)
    finally:
        recordings.close()


def proof(recordings: str | Path, out: str | Path = "build", *, chapters: str | None = None, jobs: int | None = None,
          on_progress: Callable[[str, float, float], None] | None = None) -> ProofResult:
    """Listen to every chapter (or those `chapters` selects) against the book's text.

    The plan is made as `build` makes it (its analyses cached in `out`, plan.yaml written
    there), so the times given in tracks are those of a build into `out`."""
    manifest, folder = load_manifest(recordings)
    if not has_model(manifest.book.language or "en"):
        raise InputError(f"{folder / 'manifest.yaml'}: no speech model for the book's language "
                         f"{manifest.book.language!r} (English only): proof cannot listen to it")
    if not manifest.book.text or not (folder / manifest.book.text).is_file():
        raise InputError(f"{folder / 'manifest.yaml'}: proof needs the book's text — set book.text to it "
                         "(audiobook init --book writes it)")
    # the whole book's plan (as a build makes it: the recordings hold every chapter), then the chapters asked for
    result = build(recordings, out, plan_only=True, jobs=jobs, on_progress=on_progress)
    plan, timeline = result.plan, result.timeline
    names = plan.files
    paths = [str(folder / n) for n in names]
    wanted = {c.id for c in parse_selection(chapters, manifest.chapters)}
    selected = {cid: tracks for cid, tracks in _chapters_of(plan).items() if cid in wanted}
    texts = chapter_texts(selected_entries(manifest, selected), manifest, folder)
    jobs_list = []
    for tracks, words in zip(selected.values(), texts):
        blocks = [spoken_words(b) for b in words.split("\n\n")]
        jobs_list.append(_Job(paths, timeline, [b for b in blocks if b], tracks[0].start_s, tracks[-1].end_s,
                              manifest.book.language or "en"))
    total = sum(j.end_s - j.start_s for j in jobs_list)
    progress = (lambda done, total_: on_progress("listening", done, total_)) if on_progress else None
    try:
        proofs = run_parallel(_proof_job, jobs_list, total=total, jobs=jobs, on_progress=progress)
    except NoModel as exc:
        raise InputError(str(exc)) from None
    chapters_out = []
    for (cid, tracks), cp in zip(selected.items(), proofs):
        title = tracks[0].title.split(" (part ")[0]
        found = [_place(s, title, plan, tracks, timeline) for s in cp.slips]
        chapters_out.append(ChapterResult(cid, title, cp.words, round(cp.heard_share, 2), cp.matches_text, found))
    typical = statistics.median(c.heard_share for c in chapters_out) if chapters_out else 0.0
    notes = [_not_followed(c, typical) for c in chapters_out if not c.matches_text]
    proof_result = ProofResult(chapters_out, total, sum(p.listened_s for p in proofs), notes)
    write_text_atomic(Path(out) / "proof.json", proof_result.to_json() + "\n")
    return proof_result


def _not_followed(c: ChapterResult, typical: float) -> str:
    """What a chapter whose text was not followed through its audio says: another text, where it is
    heard far less than the book's other chapters (`typical`: their median share), or else a voice the
    recogniser follows poorly (every chapter heard little) — or a book that is not what was read."""
    if c.heard_share < OTHER_TEXT_SHARE * typical:
        return (f"{c.title}: its audio does not match its text ({c.heard_share:.0%} of its phrases heard) — "
                "is it the right recording, or another edition's text?")
    return (f"{c.title}: only {c.heard_share:.0%} of its phrases heard — the recogniser follows this voice too "
            "poorly to tell its slips (or the text differs from what was read); listen to it")


def _chapters_of(plan: Plan) -> dict[str, list]:
    """The plan's tracks by manifest chapter (a long chapter's parts together), in order."""
    out: dict[str, list] = {}
    for t in plan.tracks:
        out.setdefault(t.chapter, []).append(t)
    return out


def selected_entries(manifest, selected: dict[str, list]):
    by_id = {c.id: c for c in manifest.chapters}
    return [by_id[cid] for cid in selected]


def _place(slip: Slip, chapter: str, plan: Plan, tracks: list, timeline: Timeline) -> Found:
    n, local = timeline.locate(slip.start_s)
    local = round(local, 2)
    number, at = None, None
    for t in tracks:
        if t.start_s <= slip.start_s <= t.end_s:
            number, at = t.number, round(track_time(t, timeline, slip.start_s) + t.pad_head_s, 2)
    return Found(chapter, slip.kind, slip.text, slip.confidence, f"{plan.files[n]} {clock(local)}",
                 None if number is None else f"track {number:02d} {clock(at)}", round(slip.start_s, 2),
                 plan.files[n], local, round(local + slip.end_s - slip.start_s, 2), number, at)
