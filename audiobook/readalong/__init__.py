"""`audiobook readalong`: the built tracks and the book's text as one EPUB 3 with Media Overlays —
a read-along, each sentence lit as it is said, from the build's transcripts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from audiobook import formats
from audiobook.errors import InputError
from audiobook.files import write_stream_atomic
from audiobook.manifest import load_manifest
from audiobook.readalong.overlay import Chapter, match_cues
from audiobook.readalong.package import write_epub
from audiobook.report import BuildReport
from audiobook.transcript import chapter_lines, read_webvtt

__all__ = ["ReadAlong", "readalong"]


@dataclass
class ReadAlong:
    path: Path
    chapters: int
    sentences: int  # in the text
    said: int  # of them, with their clip of the audio


def readalong(build_dir: str | Path, book: str | Path | None = None, out: str | Path | None = None) -> ReadAlong:
    """Write BUILD/<Title>.epub (or `out`): the book's text (`book`, else the manifest's book.text)
    with each chapter's sentences timed from its tracks' transcripts, the tracks as its audio."""
    build_dir = Path(build_dir)
    report_path = build_dir / "report.json"
    if not report_path.is_file():
        raise InputError(f"{build_dir}: no report.json here — give the build folder (run `audiobook build` first)")
    report = BuildReport.read(report_path)
    manifest, folder = load_manifest(Path(report.manifest).parent)
    if book is not None:
        if not Path(book).is_file():
            raise InputError(f"{book}: no such file — give the book's text (.txt, .md, .epub, ...)")
        manifest.book.text = str(Path(book).resolve())
    elif not manifest.book.text or not (folder / manifest.book.text).is_file():
        raise InputError(f"{folder / 'manifest.yaml'}: no book text (book.text) — pass --book")
    missing = [t.file for t in report.tracks if not t.transcript or not Path(t.transcript).is_file()]
    if missing:
        raise InputError(f"{missing[0]}: no transcript beside it — build again with transcripts (the default; "
                         "not --no-transcripts)")
    by_chapter: dict[str, list] = {}
    for t in report.tracks:
        by_chapter.setdefault(t.chapter_id, []).append(t)
    entries = {c.id: c for c in manifest.chapters}
    unknown = [cid for cid in by_chapter if cid not in entries]
    if unknown:
        raise InputError(f"{report_path}: chapter {unknown[0]!r} is not in {folder / 'manifest.yaml'} — build again")
    texts = chapter_lines([entries[cid] for cid in by_chapter], manifest, folder)
    audio: dict[str, Path] = {}
    chapters = []
    for n, ((_cid, tracks), lines) in enumerate(zip(by_chapter.items(), texts), 1):
        cues = []
        for t in tracks:
            name = f"audio/{n:02d}-{len(audio) + 1:02d}{Path(t.file).suffix.lower()}"
            audio[name] = Path(t.file)
            cues += [(name, c) for c in read_webvtt(Path(t.transcript).read_text(encoding="utf-8"))]
        title = tracks[0].title.split(" (part ")[0]
        chapters.append(Chapter(title, f"chapter-{n:02d}.xhtml", lines, match_cues(lines, cues)))
    b = manifest.book
    target = Path(out) if out else build_dir / f"{_safe(b.title or 'readalong')}.epub"
    identifier = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"audiobook:{b.title}:{b.author}:readalong"))
    cover = next((p for p in (build_dir / "cover.jpg", build_dir / "cover.png") if p.is_file()), None)
    first = next(iter(audio.values()))
    write_stream_atomic(target, [], before_rename=lambda tmp: write_epub(
        tmp, chapters, audio, title=b.title or "Read-along", language=b.language or "en", identifier=identifier,
        author=b.author, narrator=b.narrator, audio_type=formats.mime_for(first), cover=cover))
    return ReadAlong(target, len(chapters), sum(len(c.lines) for c in chapters),
                     sum(1 for c in chapters for x in c.clips if x))


def _safe(name: str) -> str:
    return "".join("-" if ch in '/\\:*?"<>|' else ch for ch in name).strip() or "readalong"
