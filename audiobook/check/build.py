"""Check a build folder against itself and its manifest: tracks, markers, plan, feed, chapters JSON,
blurb runtime, M4B, and the narration's pace per chapter."""

from __future__ import annotations

import json
import statistics
import xml.etree.ElementTree as ET
from itertools import groupby
from pathlib import Path
from urllib.parse import unquote, urlsplit

from audiobook.analysis import Analysis
from audiobook.book.blurb import read_runtime
from audiobook.check.files import read_markers
from audiobook.check.finding import Finding
from audiobook.check.listen import listen_to_markers
from audiobook.check.store import whole_chapters
from audiobook.errors import InputError
from audiobook.files import clock
from audiobook.manifest import load_manifest
from audiobook.plan.planfile import PlanFile
from audiobook.plan.planner import chapter_title
from audiobook.presets import Preset
from audiobook.report import BuildReport, ChapterBuilt, SectionBuilt, TrackReport

PACE_TOLERANCE = 0.15  # a chapter read this much faster or slower than the book's median is suspect
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"


def is_build(folder: Path) -> bool:
    return (folder / "report.json").is_file() and (folder / "plan.yaml").is_file()


def is_published(folder: Path) -> bool:
    """A build as `publish` leaves it where it is served: its feed and files, not its report."""
    return not is_build(folder) and (folder / "feed.xml").is_file()


def check_published(folder: Path, analyses: dict[Path, Analysis]) -> list[Finding]:
    """A published folder as listeners get it: every enclosure of the feed there, of the length
    and duration the feed says, and each track's chapters JSON against its own chapter markers."""
    by_name = {p.name: a for p, a in analyses.items()}
    tracks = [TrackReport(id=p.stem, chapter=None, title=p.stem, file=str(folder / p.name), duration_s=a.duration_s,
                          markers=read_markers(p)[0])
              for p, a in sorted(analyses.items()) if p.parent.resolve() == folder.resolve()
              and p.suffix.lower() not in (".m4b", ".m4a") and p.name in by_name]
    return _feed(folder, tracks) + _chapters_json(folder, tracks) + _m4b(folder, tracks)


def check_build(folder: Path, analyses: dict[Path, Analysis], listen: bool = True,
                allow_unverified: bool = False, preset: Preset | None = None) -> list[Finding]:
    """Everything a build promises beyond each file on its own. `listen`: also hear that every
    track and marker begins with its heading (check.listen); `preset`: the store's rules on the
    book as a whole (check.store)."""
    report = BuildReport.read(folder / "report.json")
    tracks = report.tracks
    for t in tracks:  # the folder may have moved since it was built: its files are where it is now
        t.file = str(folder / Path(t.file).name)
    out: list[Finding] = []
    name = folder.name + "/"

    manifest_path = Path(report.manifest)
    manifest = load_manifest(manifest_path)[0] if manifest_path.is_file() else None
    # the manifest as it is now (a build older than it shows as such); where it is gone (the recordings
    # moved, archived, or this a copy of the build), the chapters as the build read them
    built = [ChapterBuilt(c.id, chapter_title(c), [SectionBuilt(x.title, x.heading_lost) for x in c.sections])
             for c in manifest.chapters] if manifest else report.chapters
    if built:
        wanted = report.chapters_selected or [c.id for c in built]
        # a chapter longer than the preset allows is several tracks, its parts, in a row
        chapters = [(key, list(group)) for key, group in groupby(tracks, key=lambda t: t.chapter_id)]
        got = [key for key, _ in chapters]
        ok = got == wanted
        out.append(Finding(name, "every_chapter_a_track", ok, f"{len(tracks)} tracks", f"{len(wanted)} chapters",
                           "" if ok else f"tracks {got} do not match the manifest's chapters {wanted}"))
        by_id = {c.id: c for c in built}
        if listen and manifest is not None:
            out += listen_to_markers(tracks, manifest, manifest_path.parent, allow_unverified, report.pace_wpm)
        elif listen:
            out.append(Finding(name, "marker_heard", True, "not listened", "the book's text",
                               f"the manifest and text this build was made from are not at {manifest_path.parent}: "
                               "its markers were checked against report.json's chapters, not by ear"))
        for key, group in chapters:
            ch = by_id.get(key)
            if ch is not None:  # the first marker of each track (or part) is its own title
                titles = [m.title for t in group for m in read_markers(Path(t.file))[0][1:]]
                # a section whose heading the text lost has a marker only where it was heard
                expected = [s.title for s in ch.sections if not s.heading_lost or s.title in titles]
                ok = titles == expected
                where = Path(group[0].file).name + (f" and its {len(group) - 1} more parts" if len(group) > 1 else "")
                out.append(Finding(where, "every_section_a_marker", ok, f"{len(titles)} markers",
                                   f"{len(expected)} sections", "" if ok else
                                   f"section markers {titles} do not match the manifest's sections {expected}"))
    else:
        out.append(Finding(name, "manifest", False, "missing", str(manifest_path),
                           "the manifest this build was made from is gone, and its report.json is from before "
                           "reports kept the chapters: build again to check it whole"))

    planned = {p.id: p for p in PlanFile.read(folder / "plan.yaml").tracks}
    for t in tracks:
        p = planned.get(t.id)
        if p is None:
            continue
        want = p.duration_s
        ok = abs(t.duration_s - want) <= 0.5
        out.append(Finding(Path(t.file).name, "duration_as_planned", ok, clock(t.duration_s), clock(want),
                           "" if ok else "the track's length differs from plan.yaml: rebuild it"))

    if preset is not None:
        out += whole_chapters(name, tracks, preset)
    out += _feed(folder, tracks)
    out += _chapters_json(folder, tracks)
    out += _blurb(folder, tracks)
    out += _m4b(folder, tracks)
    out += _pace(tracks, analyses)
    return out


def _seconds(text) -> float:
    parts = [float(p) for p in str(text).split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))


def _feed(folder: Path, tracks: list[TrackReport]) -> list[Finding]:
    path = folder / "feed.xml"
    if not path.is_file():
        return [Finding("feed.xml", "feed", False, "missing", "present", "no feed.xml in the build")]
    try:
        items = ET.parse(path).getroot().find("channel").findall("item")
    except ET.ParseError as exc:
        return [Finding("feed.xml", "feed", False, "not XML", "RSS 2.0", f"feed.xml does not parse: {exc}")]
    out = []
    by_name = {Path(t.file).name: t for t in tracks}
    for item in items:
        enc = item.find("enclosure")
        file = unquote(Path(urlsplit(enc.get("url", "")).path).name) if enc is not None else ""
        t = by_name.get(file)
        if t is None:
            out.append(Finding("feed.xml", "enclosure_file", False, file or "none", "a track of the build",
                               f"an item's enclosure names '{file}', which is not a track here"))
            continue
        size = (folder / file).stat().st_size
        length = int(enc.get("length", "-1"))
        out.append(Finding("feed.xml", "enclosure_length", length == size, str(length), f"{size} bytes",
                           "" if length == size else f"{file}: the feed says {length} bytes, the file has {size}: "
                           "rebuild the feed"))
        duration = item.findtext(f"{ITUNES}duration") or ""
        ok = abs(_seconds(duration or 0) - t.duration_s) <= 1.0
        out.append(Finding("feed.xml", "item_duration", ok, duration, clock(t.duration_s),
                           "" if ok else f"{file}: the feed's duration differs from the file's"))
    if len(items) != len(tracks):
        out.append(Finding("feed.xml", "items", False, str(len(items)), str(len(tracks)),
                           "the feed does not list every track"))
    return out


def _chapters_json(folder: Path, tracks: list[TrackReport]) -> list[Finding]:
    out = []
    for t in tracks:
        path = folder / (Path(t.file).stem + ".chapters.json")
        if not path.is_file():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        markers, _ = read_markers(Path(t.file))
        js = [(round(c["startTime"], 2), c["title"]) for c in data.get("chapters", [])]
        tags = [(round(m.start_s, 2), m.title) for m in markers]
        ok = js == tags
        out.append(Finding(path.name, "chapters_json_match_tags", ok, f"{len(js)} chapters", f"{len(tags)} in the tags",
                           "" if ok else "the chapters JSON and the file's own chapter markers disagree"))
    return out


def _blurb(folder: Path, tracks: list[TrackReport]) -> list[Finding]:
    path = folder / "blurb.txt"
    if not path.is_file():
        return []
    minutes = round(sum(t.duration_s for t in tracks) / 60)
    value = read_runtime(path.read_text(encoding="utf-8"))  # as the build reads the line it fills in
    ok = value == minutes
    return [Finding("blurb.txt", "blurb_runtime", ok, f"{value} minutes" if value is not None else "none",
                    f"{minutes} minutes",
                    "" if ok else "the blurb's runtime is not the tracks' total: rebuild, or correct blurb.txt")]


def _m4b(folder: Path, tracks: list[TrackReport]) -> list[Finding]:
    books = list(folder.glob("*.m4b"))
    if not books:
        return []
    markers, _ = read_markers(books[0])
    got = [m.title for m in markers]
    want = [m.title for t in tracks for m in t.markers]
    if not got and not want:
        return []
    ok = got == want
    return [Finding(books[0].name, "m4b_chapters_match_tracks", ok, f"{len(got)} chapters", f"{len(want)} markers",
                    "" if ok else "the M4B's chapters are not the tracks' chapters and sections")]


def _pace(tracks: list[TrackReport], analyses: dict[Path, Analysis]) -> list[Finding]:
    rates = {}
    for t in tracks:
        a = analyses.get(Path(t.file).resolve())
        words = t.spoken_words or t.words  # headings are read aloud too (reports before 0.1 lack them)
        if a is not None and a.speech_s > 0 and words:
            rates[t.title] = words / a.speech_s * 60
    if len(rates) < 3:
        return []
    median = statistics.median(rates.values())
    out = []
    for title, wpm in rates.items():
        ok = abs(wpm - median) <= PACE_TOLERANCE * median
        out.append(Finding(title, "narration_pace", ok, f"{wpm:.0f} wpm", f"{median:.0f} ± 15 %",
                           "" if ok else f"{title}: {wpm:.0f} words a minute against the book's {median:.0f} — a "
                           "missing or repeated passage, or a wrong boundary?"))
    return out


def require_build(folder: Path) -> None:
    if not is_build(folder):
        raise InputError(f"{folder}: not a build folder (no report.json and plan.yaml)")
