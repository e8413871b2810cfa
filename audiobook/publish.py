"""`audiobook publish`: copy a build to where it is served, feed.xml last, only what changed.

DEST is a local folder, or any fsspec URL (sftp://, s3://, ... with the `publish` extra).
Credentials come from the environment or fsspec's own configuration, never from the
manifest, and never appear in what this prints or writes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from audiobook import formats
from audiobook.errors import InputError
from audiobook.feed.rss import ATOM, ITUNES, PODCAST  # noqa: F401  (registers the namespaces)

STATE = ".audiobook-published.json"  # what was published, by content hash: re-publishing skips it
PUBLISHED_SUFFIXES = formats.extensions() + (".json", ".jpg", ".jpeg", ".png")
NOT_PUBLISHED = {"report.json"}  # the producer's, not the listeners'; plan.yaml and blurb.txt are not published


@dataclass
class PublishResult:
    dest: str
    copied: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class _Local:
    def __init__(self, root: str):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def put(self, src: Path, name: str) -> None:
        tmp = self.root / f".{name}.part"
        shutil.copyfile(src, tmp)
        tmp.replace(self.root / name)

    def size(self, name: str) -> int | None:
        p = self.root / name
        return p.stat().st_size if p.exists() else None

    def read(self, name: str) -> bytes | None:
        p = self.root / name
        return p.read_bytes() if p.exists() else None

    def write(self, name: str, data: bytes) -> None:
        tmp = self.root / f".{name}.part"
        tmp.write_bytes(data)
        tmp.replace(self.root / name)


class _Fsspec:
    def __init__(self, url: str):
        try:
            import fsspec
        except ImportError:
            raise InputError(f"publishing to {_safe(url)} needs fsspec: pip install 'audiobook[publish]'") from None
        self.fs, self.root = fsspec.core.url_to_fs(url)
        self.fs.makedirs(self.root, exist_ok=True)

    def _path(self, name: str) -> str:
        return f"{self.root.rstrip('/')}/{name}"

    def put(self, src: Path, name: str) -> None:
        self.fs.put_file(str(src), self._path(name))

    def size(self, name: str) -> int | None:
        try:
            return int(self.fs.size(self._path(name)))
        except FileNotFoundError:
            return None

    def read(self, name: str) -> bytes | None:
        try:
            return self.fs.cat_file(self._path(name))
        except FileNotFoundError:
            return None

    def write(self, name: str, data: bytes) -> None:
        self.fs.pipe_file(self._path(name), data)


def _safe(url: str) -> str:
    """A URL without its user and password, for messages."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        return urlunsplit((parts.scheme, host + (f":{parts.port}" if parts.port else ""), parts.path, "", ""))
    return url


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def rebase_feed(xml: bytes, base_url: str) -> bytes:
    """The feed with every relative URL (enclosures, chapters, images) made absolute under `base_url`."""
    base = base_url.rstrip("/") + "/"
    root = ET.fromstring(xml)
    for el in root.iter():
        for attr in ("url", "href"):
            value = el.get(attr)
            if value is not None and "://" not in value:
                el.set(attr, base + value.lstrip("/"))
        if el.tag in ("url", "link") and el.text and "://" not in el.text:
            el.text = base + el.text.strip().lstrip("/")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def publish(build_dir: str | Path, dest: str, base_url: str | None = None,
            on_file: Callable[[str], None] | None = None) -> PublishResult:
    """Copy the build's tracks, chapter files, cover, M4B and blurb to `dest`, then its feed."""
    build_dir = Path(build_dir)
    feed = build_dir / "feed.xml"
    if not feed.is_file():
        raise InputError(f"{build_dir}: no feed.xml here — is this a build folder? Run `audiobook build` first")
    xml = feed.read_bytes()
    if base_url:
        xml = rebase_feed(xml, base_url)
    elif b'url="' in xml and not any(s in xml for s in (b'url="http://', b'url="https://')):
        raise InputError("the feed's URLs are relative: pass --base-url with the address DEST is served from")
    target = _Fsspec(dest) if "://" in dest else _Local(dest)
    state_raw = target.read(STATE)
    state = json.loads(state_raw) if state_raw else {}
    result = PublishResult(_safe(dest))
    files = sorted(p for p in build_dir.iterdir() if p.is_file() and p.suffix.lower() in PUBLISHED_SUFFIXES
                   and p.name not in NOT_PUBLISHED and not p.name.startswith((".", "retail-sample")))
    for p in files:
        digest = _sha256(p)
        if state.get(p.name) == digest and target.size(p.name) == p.stat().st_size:
            result.unchanged.append(p.name)
            continue
        target.put(p, p.name)
        if target.size(p.name) != p.stat().st_size:
            raise InputError(f"{_safe(dest)}: {p.name} arrived with the wrong size — publish again")
        state[p.name] = digest
        result.copied.append(p.name)
        if on_file:
            on_file(p.name)
    target.write(STATE, (json.dumps(state, indent=1) + "\n").encode())
    target.write("feed.xml", xml)  # last: subscribers never see a feed naming files not yet there
    if target.size("feed.xml") != len(xml):
        raise InputError(f"{_safe(dest)}: feed.xml arrived with the wrong size — publish again")
    result.copied.append("feed.xml")
    return result
