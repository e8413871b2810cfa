"""`audiobook publish`: copy a build to where it is served, feed.xml last, only what changed.

DEST is a local folder, an sftp:// URL (sftp.py: host keys checked, atomic renames), or any
other fsspec URL (s3://, ... with the `publish` extra) — targets.py. Credentials come from the
environment, an SSH agent, ~/.ssh/config or fsspec's own configuration, never from the
manifest, and never appear in what this prints or writes.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from audiobook import formats
from audiobook.errors import InputError
from audiobook.feed.rss import ATOM, ITUNES, PODCAST  # noqa: F401  (registers the namespaces)
from audiobook.publish.targets import Target, open_target

STATE = ".audiobook-published.json"  # what was published, by content hash: re-publishing skips it
PUBLISHED_SUFFIXES = formats.extensions() + (".json", ".jpg", ".jpeg", ".png", ".vtt")
NOT_PUBLISHED = {"report.json"}  # the producer's, not the listeners'; plan.yaml and blurb.txt are not published
WHOLE_CHECK = 2 << 20  # files up to this size are read back whole to verify them; larger ones, their ends
END_CHECK = 256 << 10
MAX_STATE = 16 << 20  # the hashes of what was published: a few hundred bytes a file

Progress = Callable[[str, int, int, int, int], None]  # (file, files done, files to send, bytes sent, bytes to send)


@dataclass
class PublishResult:
    dest: str
    copied: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # earlier publishes' files, with delete
    resent: list[str] = field(default_factory=list)  # arrived wrong the first time, right the second
    bytes_sent: int = 0
    seconds: float = 0.0


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


def publish(build_dir: str | Path, dest: str, base_url: str | None = None, *, delete: bool = False,
            on_progress: Progress | None = None) -> PublishResult:
    """Publish the build's tracks, chapter files, cover and M4B to `dest`, then its feed.

    Only what changed since the last publish is sent (content hashes kept beside the files in
    .audiobook-published.json, rewritten after each file, so an interrupted publish resumes).
    Each file arrives under a temporary name, is verified — its size, and its bytes read back
    (whole for small files, the first and last 256 KB of large ones) — and is renamed into
    place; one that arrives wrong is sent again once, then reported. feed.xml goes last, so
    the old feed stays until every file it names is there. With `delete`, files of earlier
    publishes that the build no longer has are removed — after the new feed is in place.
    """
    started = time.monotonic()
    build_dir = Path(build_dir)
    feed = build_dir / "feed.xml"
    if not feed.is_file():
        raise InputError(f"{build_dir}: no feed.xml here — is this a build folder? Run `audiobook build` first")
    if base_url is not None and not re.match(r"https?://[^/\s]+", base_url):
        raise InputError(f"--base-url {base_url}: give the full address the files are served from, starting "
                         "http:// or https://")
    xml = feed.read_bytes()
    if base_url:
        xml = rebase_feed(xml, base_url)
    elif b'url="' in xml and not any(s in xml for s in (b'url="http://', b'url="https://')):
        raise InputError("the feed's URLs are relative: pass --base-url with the address DEST is served from")
    files = sorted(p for p in build_dir.iterdir() if p.is_file() and p.suffix.lower() in PUBLISHED_SUFFIXES
                   and p.name not in NOT_PUBLISHED and not p.name.startswith((".", "retail-sample")))
    target = open_target(dest)
    try:
        return _publish(target, files, xml, delete, on_progress, started)
    except target.errors as exc:  # the connection dropped, the server failed: the old feed is untouched
        why = (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__
        raise InputError(f"{target.where}: publishing stopped ({why}) — the old feed is still in place; publish "
                         "again to finish") from None
    finally:
        target.close()


def _publish(target: Target, files: list[Path], xml: bytes, delete: bool, on_progress: Progress | None,
             started: float) -> PublishResult:
    result = PublishResult(target.where)
    state = _read_state(target)
    digests = {p.name: _sha256(p) for p in files}
    todo = [p for p in files if not (state.get(p.name) == digests[p.name] and target.size(p.name) == p.stat().st_size)]
    result.unchanged = [p.name for p in files if p not in todo]
    feed_digest = hashlib.sha256(xml).hexdigest()
    feed_due = state.get("feed.xml") != feed_digest or target.size("feed.xml") != len(xml)
    total = sum(p.stat().st_size for p in todo) + (len(xml) if feed_due else 0)
    count = len(todo) + feed_due
    done = 0

    def sent(name: str, n: int) -> None:
        nonlocal done
        done += n
        if on_progress:
            on_progress(name, len(result.copied), count, done, total)

    for p in todo:
        small = p.stat().st_size <= WHOLE_CHECK
        _send(target, p.name, lambda s, p=p: target.put(p, p.name, s),
              p.read_bytes if small else (lambda p=p: _ends(p)), lambda n, p=p: sent(p.name, n), result)
        state[p.name] = digests[p.name]
        target.write(STATE, _state_bytes(state))  # after each file: an interrupted publish resumes from here
        result.copied.append(p.name)
    if feed_due:
        def put_feed(s) -> None:
            target.write("feed.xml", xml)
            s(len(xml))

        _send(target, "feed.xml", put_feed, lambda: xml, lambda n: sent("feed.xml", n), result)
        state["feed.xml"] = feed_digest
        result.copied.append("feed.xml")
    else:
        result.unchanged.append("feed.xml")
    if delete:  # only now: the feed in place no longer names them
        for name in sorted(set(state) - set(digests) - {"feed.xml"}):
            target.remove(name)
            del state[name]
            result.removed.append(name)
    if result.copied or result.removed:
        target.write(STATE, _state_bytes(state))
    result.bytes_sent, result.seconds = done, time.monotonic() - started
    return result


def _read_state(target: Target) -> dict[str, str]:
    raw = target.read(STATE, 0, MAX_STATE)
    try:
        state = json.loads(raw) if raw else {}
    except ValueError:
        return {}  # damaged: everything is sent again
    return {str(k): str(v) for k, v in state.items()} if isinstance(state, dict) else {}


def _send(target: Target, name: str, put, expected, sent, result: PublishResult) -> None:
    """Put a file and verify it arrived whole and right; once more if not, then say so."""
    for attempt in (1, 2):
        put(sent)
        if _arrived(target, name, expected()):
            if attempt == 2:
                result.resent.append(name)
            return
    raise InputError(f"{target.where}: {name} arrived damaged twice (its size or bytes differ from what was sent) — "
                     "check the server's disk, then publish again; the old feed is still in place")


def _arrived(target: Target, name: str, expected: bytes | tuple[int, bytes, bytes]) -> bool:
    if isinstance(expected, bytes):
        return target.size(name) == len(expected) and target.read(name, 0, len(expected)) == expected
    size, head, tail = expected
    return (target.size(name) == size and target.read(name, 0, len(head)) == head
            and target.read(name, size - len(tail), len(tail)) == tail)


def _ends(path: Path) -> tuple[int, bytes, bytes]:
    """A large file's size and its first and last bytes: what is read back to verify it."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(END_CHECK)
        f.seek(max(0, size - END_CHECK))
        return size, head, f.read(END_CHECK)


def _state_bytes(state: dict[str, str]) -> bytes:
    return (json.dumps(dict(sorted(state.items())), indent=1) + "\n").encode()
