"""Load and validate a manifest: every problem reported at once, each naming manifest.yaml:LINE."""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from pathlib import Path

import yaml

from audiobook import formats
from audiobook.errors import InputError, ManifestError
from audiobook.manifest.model import (
    SAMPLE_RATES_HZ,
    ChapterEntry,
    Manifest,
    parse_time,
)
from audiobook.presets import get_preset

MANIFEST_NAME = "manifest.yaml"
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


class _Problems:
    """Collects problems as "manifest.yaml:LINE: where: what"."""

    def __init__(self, name: str, lines: dict[tuple, int]):
        self.name = name
        self.lines = lines
        self.items: list[str] = []
        self.paths: set[tuple] = set()

    def add(self, path: tuple, message: str) -> None:
        if path in self.paths:
            return  # one problem per place: a title of the wrong type is not also "missing"
        self.paths.add(path)
        line = None
        for n in range(len(path), -1, -1):
            line = self.lines.get(path[:n])
            if line is not None:
                break
        where = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")
        prefix = f"{self.name}:{line}" if line else self.name
        self.items.append(f"{prefix}: {where + ': ' if where else ''}{message}")


def load_manifest(path: str | Path) -> tuple[Manifest, Path]:
    """Read and validate the manifest at `path` (a file, or a recordings folder holding one).

    Returns the manifest and the folder its relative paths are resolved against.
    Raises ManifestError listing every problem, InputError when it cannot be read at all.
    """
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST_NAME
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{name}: no manifest here — create one with `audiobook init {path.parent} --book TEXT`") from None
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text — save the manifest as UTF-8") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror})") from None
    return parse_manifest(text, name, path.parent), path.parent


def parse_manifest(text: str, name: str = MANIFEST_NAME, folder: Path | None = None) -> Manifest:
    """Validate manifest `text`; with `folder`, also check the files it names exist inside it."""
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark else name
        problem = getattr(exc, "problem", None) or str(exc)
        raise ManifestError([f"{where}: not valid YAML ({problem}) — check the indentation and quoting there"]) from None
    lines: dict[tuple, int] = {}
    _record_lines(node, (), lines)
    problems = _Problems(name, lines)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ManifestError([f"{name}:1: the manifest must be a mapping of keys (book:, output:, chapters:)"])
    manifest = _build(Manifest, data, (), problems)
    if manifest is not None:
        _check(manifest, problems, folder)
    if problems.items:
        raise ManifestError(problems.items)
    return manifest


def _record_lines(node, path: tuple, out: dict[tuple, int]) -> None:
    if node is None:
        return
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else str(key)
            out[path + (k,)] = key.start_mark.line + 1
            _record_lines(value, path + (k,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[path + (i,)] = item.start_mark.line + 1
            _record_lines(item, path + (i,), out)


def _build(cls, data, path: tuple, problems: _Problems):
    if data is None:
        return cls()
    if not isinstance(data, dict):
        problems.add(path, f"expected a mapping of keys, got {_show(data)}")
        return None
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    values = {}
    for key, value in data.items():
        if key not in hints:
            close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
            hint = f" — did you mean '{close[0]}'?" if close else f" (known keys: {', '.join(names)})"
            problems.add(path + (key,), f"unknown key '{key}'{hint}")
            continue
        ok, converted = _convert(value, hints[key], path + (key,), problems)
        if ok:
            values[key] = converted
    return cls(**values)


def _convert(value, hint, path: tuple, problems: _Problems):
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        if value is None and type(None) in args:
            return True, None
        for arg in args:
            if arg is type(None):
                continue
            if _accepts(value, arg):
                return _convert(value, arg, path, problems)
        problems.add(path, f"expected {_name(hint)}, got {_show(value)}")
        return False, None
    if origin is list:
        (item,) = typing.get_args(hint)
        if value is None:
            return True, []
        if not isinstance(value, list):
            problems.add(path, f"expected a list, got {_show(value)}")
            return False, None
        out = []
        for i, v in enumerate(value):
            ok, c = _convert(v, item, path + (i,), problems)
            if ok:
                out.append(c)
        return True, out
    if dataclasses.is_dataclass(hint):
        built = _build(hint, value, path, problems)
        return built is not None, built
    if not _accepts(value, hint):
        problems.add(path, f"expected {_name(hint)}, got {_show(value)}")
        return False, None
    if hint is str:
        return True, str(value)
    if hint is float:
        return True, float(value)
    return True, value


def _accepts(value, hint) -> bool:
    if isinstance(value, bool):
        return hint is bool
    if hint is str:
        return isinstance(value, (str, int, float))  # a title "1984" is read by YAML as a number
    if hint is int:
        return isinstance(value, int)
    if hint is float:
        return isinstance(value, (int, float))
    if dataclasses.is_dataclass(hint):
        return isinstance(value, dict)
    if typing.get_origin(hint) is list:
        return isinstance(value, list)
    return isinstance(value, hint)


def _name(hint) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        names = [_name(a) for a in typing.get_args(hint) if a is not type(None)]
        return " or ".join(names) + (" (or empty)" if type(None) in typing.get_args(hint) else "")
    if origin is list:
        return "a list"
    if dataclasses.is_dataclass(hint):
        return "a mapping"
    return {str: "text", int: "a whole number", float: "a number", bool: "true or false"}.get(hint, str(hint))


def _show(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def _check(m: Manifest, problems: _Problems, folder: Path | None) -> None:
    """What types alone cannot say: allowed values, unique ids, times, files inside the folder."""
    out = m.output
    if out.format not in formats.WRITTEN:
        problems.add(("output", "format"), f"'{out.format}' is not a format we write: choose {', '.join(formats.WRITTEN)}")
    if not 32 <= out.bitrate_kbps <= 320:
        problems.add(("output", "bitrate_kbps"), f"{out.bitrate_kbps} kbps is out of range (32–320; ACX asks 192)")
    if out.sample_rate_hz not in SAMPLE_RATES_HZ:
        problems.add(("output", "sample_rate_hz"),
                     f"{out.sample_rate_hz} Hz: choose one of {', '.join(map(str, SAMPLE_RATES_HZ))} (ACX asks 44100)")
    if out.id3_version not in (3, 4):
        problems.add(("output", "id3_version"), f"{out.id3_version}: 3 (ID3v2.3, the widest support) or 4")
    if not 0 < out.retail_sample_max_s <= 300:
        problems.add(("output", "retail_sample_max_s"), "the retail sample runs at most 300 s (ACX)")
    if out.channels not in (1, 2):
        problems.add(("output", "channels"), f"{out.channels}: 1 (mono, as ACX asks) or 2 (stereo)")
    try:
        get_preset(out.preset)
    except InputError as exc:
        problems.add(("output", "preset"), str(exc))
    if not m.book.title.strip():
        problems.add(("book", "title"), "the book needs a title")
    if not m.chapters:
        problems.add(("chapters",), "no chapters: list at least one (audiobook init makes them from the book's text)")
    seen: dict[str, int] = {}
    for i, ch in enumerate(m.chapters):
        _check_chapter(ch, i, seen, problems)
    if out.retail_sample_chapter and m.chapters and out.retail_sample_chapter not in seen:
        problems.add(("output", "retail_sample_chapter"), f"no chapter has the id '{out.retail_sample_chapter}'")
    if folder is not None:
        _check_paths(m, problems, folder)


def _check_chapter(ch: ChapterEntry, i: int, seen: dict[str, int], problems: _Problems) -> None:
    path = ("chapters", i)
    if not ch.id:
        problems.add(path, "every chapter needs an id (a short name such as chapter-05)")
    elif not _ID.match(ch.id):
        problems.add(path + ("id",), f"id '{ch.id}': use lower-case letters, digits, '-', '_' or '.'")
    elif ch.id in seen:
        problems.add(path + ("id",), f"duplicate id '{ch.id}' (chapter {seen[ch.id] + 1} has it too)")
    else:
        seen[ch.id] = i
    if not ch.title.strip():
        problems.add(path + ("title",), "every chapter needs a title")
    if ch.words < 0:
        problems.add(path + ("words",), "a word count cannot be negative")
    for key in ("start", "end"):
        value = getattr(ch, key)
        if value is not None:
            try:
                parse_time(value)
            except ValueError as exc:
                problems.add(path + (key,), str(exc))
    for j, s in enumerate(ch.sections):
        if not s.title.strip():
            problems.add(path + ("sections", j, "title"), "every section needs a title")
        if s.words < 0:
            problems.add(path + ("sections", j, "words"), "a word count cannot be negative")
        if s.start is not None:
            try:
                parse_time(s.start)
            except ValueError as exc:
                problems.add(path + ("sections", j, "start"), str(exc))


def _check_paths(m: Manifest, problems: _Problems, folder: Path) -> None:
    root = folder.resolve()

    def check(where: tuple, rel: str | None) -> None:
        if not rel:
            return
        target = (folder / rel).resolve()
        if not target.is_relative_to(root):
            problems.add(where, f"'{rel}' is outside the recordings folder: keep every file the manifest names inside it")
        elif not target.is_file():
            problems.add(where, f"'{rel}': no such file in {folder}")

    for key in ("text", "toc", "blurb", "cover"):
        check(("book", key), getattr(m.book, key))
    for i, f in enumerate(m.recordings.files):
        check(("recordings", "files", i), f)
    check(("recordings", "labels"), m.recordings.labels)
    for i, ch in enumerate(m.chapters):
        for j, f in enumerate(ch.files):
            check(("chapters", i, "files", j), f)
        check(("chapters", i, "labels"), ch.labels)
        for key in ("start", "end"):
            value = getattr(ch, key)
            try:
                file, _ = parse_time(value) if value is not None else (None, 0)
            except ValueError:
                continue
            check(("chapters", i, key), file)
