"""Write a manifest a person can read and edit: `audiobook init`."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
import shutil
from pathlib import Path

import yaml

from audiobook.book import Book, read_book
from audiobook.book.blurb import Blurb, parse_blurb
from audiobook.book.reading import read_text
from audiobook.errors import InputError
from audiobook.files import write_bytes_atomic, write_text_atomic
from audiobook.manifest.load import MANIFEST_NAME, parse_manifest
from audiobook.manifest.model import BookInfo, ChapterEntry, Manifest, SectionEntry, slug
from audiobook.recordings import find_recordings
from audiobook.tags.metadata import check_cover, image_size

HEADER = """\
# audiobook manifest: {title}
#
# Written by `audiobook init`; edit it freely, `audiobook build` reads it.
#   book:       the tags, feed and credits are made from this. Paths are relative to this folder.
#   output:     format (mp3, flac, ogg, opus, wav), bitrate_kbps, sample_rate_hz, channels,
#               preset (acx, findaway, google, apple, podcast, ebu-r128, or numbers: "podcast,lufs=-18").
#               The defaults are ACX's requirements.
#   feed:       base_url (where the files will be served; enclosure URLs start with it), link,
#               owner_name, owner_email, category, subcategory, explicit.
#   recordings: files, played in this order as one timeline (empty: every audio file here,
#               in name order); labels: an Audacity label file naming chapters or sections.
#   chapters:   one finished track each, in order. id is stable (used for file names and
#               feed guids); words drives the automatic split. The track is titled "Kind N:
#               title" ("Chapter 5: The Soviet Thermidor"), or the title alone where it is the
#               book's own label ("Sonnet II", "3.2 Biographical background"). To pin a chapter by hand add
#               files: [session-03.flac], start: / end: ("12:03.5", "1:02:03", 93.5, or
#               "session-03.flac 12:03.5"), or labels: FILE. Sections (chapter markers)
#               take start: the same way. A section with heading_lost: true is one the
#               table of contents lists but the text lost the heading of: it gets a marker
#               only where its title is heard spoken. Credits the narrator reads (ACX and
#               Findaway ask for both) are chapters of kind: opening-credits, closing-credits.
"""


def init_manifest(recordings_dir: str | Path, book_path: str | Path, *, blurb_path: str | Path | None = None,
                  toc_path: str | Path | None = None, cover_path: str | Path | None = None,
                  title: str | None = None, author: str | None = None, narrator: str | None = None,
                  force: bool = False) -> tuple[Path, Manifest, Book]:
    """Parse the book (and blurb, TOC) and write RECORDINGS_DIR/manifest.yaml.

    Book files outside the recordings folder are copied into its `book/` subfolder, so the
    manifest names only files inside the folder. Returns the manifest's path, the
    manifest and the parsed book (with its warnings).
    """
    folder = Path(recordings_dir)
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder — give the folder that holds the recordings")
    target = folder / MANIFEST_NAME
    if target.exists() and not force:
        raise InputError(f"{target}: a manifest is already there — pass --force to replace it")

    book = read_book(book_path, toc=toc_path)
    blurb = parse_blurb(read_text(blurb_path)) if blurb_path else None
    if cover_path is not None and not Path(cover_path).is_file():
        raise InputError(f"{cover_path}: no such cover image")

    info = _book_info(book, blurb, title)
    info.author = author or info.author
    info.narrator = narrator or info.narrator
    if not info.title:
        raise InputError(f"{book_path}: the book's title is not in the text — pass --title, or --blurb "
                         "with the publisher's blurb")
    if not info.author:
        book.warn("the book's author is not in the text, its metadata or a blurb: fill in book.author in "
                  "manifest.yaml or pass --author (the tags and the feed name the author; the build refuses "
                  "a book without one)")
    staged = []
    for key, p in (("text", book_path), ("toc", toc_path), ("blurb", blurb_path), ("cover", cover_path)):
        if p is not None:
            rel, copy = _inside(folder, Path(p), force)
            setattr(info, key, rel)
            if copy:
                staged.append(copy)
    extracted = _cover_candidate(folder, book, force) if cover_path is None else None
    if extracted:
        info.cover = extracted[0]
    manifest = Manifest(book=info, chapters=chapters_from_book(book))
    manifest.recordings.files = [p.name for p in find_recordings(folder)]
    text = dump_manifest(manifest)
    if book.left_out:
        text += ("\n# Left out of the narration as front or back matter (not in the text the build reads):\n"
                 + "".join(f"#   {x}\n" for x in book.left_out)
                 + "# To narrate one, add a chapter for it above and pin it (files:, start:, end:).\n")
    parse_manifest(text, str(target))  # what we write must load: a bug here must not reach the user

    for src, dest in staged:
        dest.parent.mkdir(exist_ok=True)
        shutil.copyfile(src, dest)
    if extracted:
        extracted[1].parent.mkdir(exist_ok=True)
        write_bytes_atomic(extracted[1], book.cover[1])
    write_text_atomic(target, text)
    return target, manifest, book


def _cover_candidate(folder: Path, book: Book, force: bool) -> tuple[str, Path] | None:
    """Where the book's own cover (an EPUB's) goes: book/NAME in the recordings folder, with
    check's warnings on its size; None when it has none or is no JPEG or PNG."""
    if book.cover is None:
        return None
    name, data = book.cover
    size = image_size(data)
    if size is None:
        book.warn(f"the book's cover {name} is not a JPEG or PNG: give a cover with --cover")
        return None
    dest = folder / "book" / name
    _refuse_to_replace(dest, data, force)
    for warning in check_cover(*size[1], name):
        book.warn(f"cover: {warning}")
    return f"book/{name}", dest


def chapters_from_book(book: Book) -> list[ChapterEntry]:
    """One manifest chapter per top-level part, with its sections and word counts."""
    chapters = []
    used: set[str] = set()
    for part in book.parts:
        base = f"{part.kind}-{part.number:02d}" if part.number is not None else part.kind
        own = re.match(r"\d+(?:\.\d+)*", part.title or "") if part.number is None else None
        if own:  # the book's own numbering: "3.9.2 Berlin" → chapter-3-9-2
            base = f"{part.kind}-{own[0]}"
        cid = slug(base)
        n = 2
        while cid in used:
            cid, n = f"{slug(base)}-{n}", n + 1
        used.add(cid)
        chapters.append(ChapterEntry(
            id=cid, kind=part.kind, number=part.number,
            title=part.title or part.label, words=part.words,
            sections=[SectionEntry(title=s.title, words=s.words, heading_lost=s.heading_lost) for s in part.sections]))
    return chapters


def _book_info(book: Book, blurb: Blurb | None, title: str | None) -> BookInfo:
    info = BookInfo(year=_dt.date.today().year)
    info.title = title or book.title or (blurb.book_title() if blurb else None) or (blurb.title_line if blurb else "") or ""
    meta = book.metadata  # an EPUB's own, where the blurb does not say
    info.author = meta.get("author") or info.author
    info.language = meta.get("language") or info.language
    info.publisher = meta.get("publisher") or info.publisher
    if re.match(r"\d{4}", meta.get("date", "")):
        info.year = int(meta["date"][:4])
    if blurb:
        if blurb.title_line and blurb.title_line != info.title:
            info.subtitle = blurb.title_line
        info.author = blurb.author or info.author
        info.narrator, info.translator = blurb.narrator, blurb.translator
        info.description = blurb.description or None
    return info


def _refuse_to_replace(dest: Path, data: bytes, force: bool) -> None:
    if dest.exists() and not force and dest.read_bytes() != data:
        raise InputError(f"{dest}: a different file is already there — pass --force to replace it")


def _inside(folder: Path, path: Path, force: bool) -> tuple[str, tuple[Path, Path] | None]:
    """`path` relative to `folder`; a file outside it is to be copied into folder/book/."""
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix(), None
    except ValueError:
        dest = folder / "book" / path.name
        _refuse_to_replace(dest, path.read_bytes(), force)
        return f"book/{path.name}", (path, dest)


def dump_manifest(manifest: Manifest) -> str:
    """The manifest as commented YAML; optional per-chapter keys appear only when set."""
    data = {
        "book": dataclasses.asdict(manifest.book),
        "output": dataclasses.asdict(manifest.output),
        "feed": dataclasses.asdict(manifest.feed),
        "recordings": dataclasses.asdict(manifest.recordings),
        "chapters": [_chapter_dict(c) for c in manifest.chapters],
    }
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=96,
                     default_flow_style=False)
    return HEADER.format(title=manifest.book.title or "untitled") + "\n" + body


def _chapter_dict(ch: ChapterEntry) -> dict:
    d = {"id": ch.id, "kind": ch.kind, "number": ch.number, "title": ch.title, "words": ch.words}
    for key in ("files", "start", "end", "labels"):
        value = getattr(ch, key)
        if value:
            d[key] = value
    d["sections"] = [_Flow({k: v for k, v in dataclasses.asdict(s).items() if v is not None and v is not False})
                     for s in ch.sections]
    return d


class _Flow(dict):
    """A mapping written on one line: `- {title: Money and Plan, words: 1143}`."""


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(_Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))
