"""What a destination for a published build is, whatever its kind: the protocol every target
keeps, and how it is named in messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

Sent = Callable[[int], None]  # put's progress: that many more bytes sent


class Target(Protocol):
    """A destination folder, by file name."""

    where: str  # for messages: the destination without credentials
    errors: tuple[type[BaseException], ...]  # what its operations raise when the destination fails or goes away

    def put(self, src: Path, name: str, sent: Sent) -> None: ...  # whole, under a temporary name, then renamed
    def write(self, name: str, data: bytes) -> None: ...  # the same, from memory
    def size(self, name: str) -> int | None: ...
    def read(self, name: str, start: int, length: int) -> bytes | None: ...  # a span: never a whole track
    def remove(self, name: str) -> None: ...
    def close(self) -> None: ...


def safe(url: str) -> str:
    """A URL without its user and password, for messages."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        return urlunsplit((parts.scheme, host + (f":{parts.port}" if parts.port else ""), parts.path, "", ""))
    return url
