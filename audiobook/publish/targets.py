"""Where a build is published: a local folder, an SFTP server (sftp.py), or any other fsspec
URL — one small interface, so publishing reads the same whatever the destination.

Every file is written to a temporary name in its folder and renamed over the old one, so a
reader (a podcast app polling feed.xml, a listener downloading an episode) sees the old file
or the new one, never half of one.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from audiobook.errors import InputError
from audiobook.publish.destination import Sent, Target, safe
from audiobook.publish.sftp import Sftp


def open_target(dest: str) -> Target:
    scheme = urlsplit(dest).scheme.lower() if "://" in dest else ""
    if scheme in ("sftp", "ssh", "scp"):
        return Sftp(dest)
    if scheme and scheme != "file":
        return Fsspec(dest)
    return Local(dest[len("file://"):] if scheme == "file" else dest)


class Local:
    def __init__(self, root: str):
        self.root = Path(root)
        self.where = str(root)
        self.errors = (OSError,)
        if not self.root.parent.is_dir():
            raise InputError(f"{root}: its folder {self.root.parent} does not exist — create it, or give another --to")
        try:
            self.root.mkdir(exist_ok=True)
        except OSError as exc:
            raise InputError(f"{root}: cannot create it ({exc.strerror}) — give a folder you can write to") from None

    def put(self, src: Path, name: str, sent: Sent) -> None:
        tmp = self.root / f".{name}.part"
        with open(src, "rb") as f, open(tmp, "wb") as out:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                out.write(chunk)
                sent(len(chunk))
        os.replace(tmp, self.root / name)

    def write(self, name: str, data: bytes) -> None:
        tmp = self.root / f".{name}.part"
        tmp.write_bytes(data)
        os.replace(tmp, self.root / name)

    def size(self, name: str) -> int | None:
        p = self.root / name
        return p.stat().st_size if p.is_file() else None

    def read(self, name: str, start: int, length: int) -> bytes | None:
        p = self.root / name
        if not p.is_file():
            return None
        with open(p, "rb") as f:
            f.seek(start)
            return f.read(length)

    def remove(self, name: str) -> None:
        (self.root / name).unlink(missing_ok=True)

    def close(self) -> None:
        pass


class Fsspec:
    """Any fsspec filesystem (s3://, gcs://, ...). Objects in a bucket are replaced whole by the
    store itself; elsewhere a temporary name and a move stand in for a rename."""

    def __init__(self, url: str):
        self.where = safe(url)
        self.errors = (OSError,)
        try:
            import fsspec
        except ImportError:
            raise InputError(f"publishing to {self.where} needs fsspec: pip install 'audiobook[publish]'") from None
        try:
            self.fs, self.root = fsspec.core.url_to_fs(url)
            self.fs.makedirs(self.root, exist_ok=True)
        except (ImportError, ValueError) as exc:
            raise InputError(f"{self.where}: {exc}") from None
        self.atomic = "s3" in str(self.fs.protocol) or "gcs" in str(self.fs.protocol)

    def _path(self, name: str) -> str:
        return f"{self.root.rstrip('/')}/{name}"

    def put(self, src: Path, name: str, sent: Sent) -> None:
        dest = self._path(name) if self.atomic else self._path(f".{name}.part")
        self.fs.put_file(str(src), dest)
        sent(src.stat().st_size)
        if not self.atomic:
            self.fs.mv(dest, self._path(name))

    def write(self, name: str, data: bytes) -> None:
        dest = self._path(name) if self.atomic else self._path(f".{name}.part")
        self.fs.pipe_file(dest, data)
        if not self.atomic:
            self.fs.mv(dest, self._path(name))

    def size(self, name: str) -> int | None:
        try:
            return int(self.fs.size(self._path(name)))
        except FileNotFoundError:
            return None

    def read(self, name: str, start: int, length: int) -> bytes | None:
        try:
            return self.fs.cat_file(self._path(name), start=start, end=start + length)
        except FileNotFoundError:
            return None

    def remove(self, name: str) -> None:
        try:
            self.fs.rm_file(self._path(name))
        except FileNotFoundError:
            pass

    def close(self) -> None:
        pass

