"""`audiobook serve BUILD`: the build folder over HTTP, to try the feed in a real podcast app or
a browser on the local network before publishing it.

What podcast apps ask of a host, and what a preview must not do:

- byte ranges (`Range`, `206 Partial Content`, `Accept-Ranges: bytes`, `HEAD`): Apple Podcasts
  and most apps refuse enclosures without them, and players seek with them;
- the right MIME types (the feed's enclosures' own, from audiobook.formats);
- the feed's URLs pointing here: feed.xml is rewritten as it is served, to the address the
  request came to (its Host header), the file on disk untouched;
- read-only, no directory listing, nothing outside the build folder: `..`, encoded slashes,
  and links that lead out are refused, and so are hidden files (the build's cache);
- the loopback address only, unless `--host` says otherwise.
"""

from __future__ import annotations

import email.utils
import mimetypes
import os
import re
import xml.etree.ElementTree as ET
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from audiobook import formats
from audiobook.errors import InputError
from audiobook.feed.rss import ATOM, ITUNES, PODCAST  # noqa: F401  (registers the namespaces for writing)

CHUNK = 1 << 16
TYPES = {".json": "application/json", ".xml": "application/rss+xml; charset=utf-8", ".html": "text/html; charset=utf-8",
         ".txt": "text/plain; charset=utf-8", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
         ".svg": "image/svg+xml", ".yaml": "text/plain; charset=utf-8",
         ".vtt": "text/vtt; charset=utf-8"}


def serve(folder: str | Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A server for `folder` bound to `host`:`port` (0: any free port); call serve_forever() on it."""
    root = Path(folder).resolve()
    if not root.is_dir():
        raise InputError(f"{folder}: not a folder — give the build folder (the one holding feed.xml)")

    class Handler(_Handler):
        pass

    Handler.root = root
    try:
        server = ThreadingHTTPServer((host, port), Handler)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port} ({exc.strerror}) — choose another --port") from None
    server.daemon_threads = True
    return server


class _Handler(BaseHTTPRequestHandler):
    root: Path
    server_version = "audiobook-serve"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # quiet: the CLI says where it serves; a podcast app's polling is not news

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _refuse_write(self) -> None:
        self._status(HTTPStatus.METHOD_NOT_ALLOWED, "read-only", extra={"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse_write

    def _answer(self, body: bool) -> None:
        path = self._local_path()
        if path is None:
            return
        if path.name == "feed.xml":
            data = self._feed(path)
            size, mtime = len(data), path.stat().st_mtime
        else:
            data, st = None, path.stat()
            size, mtime = st.st_size, st.st_mtime
        start, end = 0, size - 1
        status = HTTPStatus.OK
        wanted = self.headers.get("Range")
        if wanted:
            span = _range(wanted, size)
            if span is None:
                self._status(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "range not satisfiable",
                             extra={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"})
                return
            start, end = span
            status = HTTPStatus.PARTIAL_CONTENT
        length = max(0, end - start + 1)
        self.send_response(status)
        self.send_header("Content-Type", _type(path))
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if not body or not length:
            return
        try:
            if data is not None:
                self.wfile.write(data[start:end + 1])
                return
            with open(path, "rb") as f:
                f.seek(start)
                left = length
                while left > 0:
                    chunk = f.read(min(CHUNK, left))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    left -= len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the player stopped listening (seeking drops connections all the time)

    def _local_path(self) -> Path | None:
        """The file a request names inside the build folder, or None (the answer already sent)."""
        raw = urlsplit(self.path).path
        if re.search(r"%2f|%5c|%00", raw, re.IGNORECASE) or "\\" in raw:
            self._status(HTTPStatus.NOT_FOUND, "not found")  # encoded slashes and NULs name nothing here
            return None
        parts = [unquote(p) for p in raw.split("/") if p]
        if not parts or any(p in (".", "..") or p.startswith(".") for p in parts):
            self._status(HTTPStatus.NOT_FOUND, "not found")  # no listing, no way up, no hidden files (.cache)
            return None
        path = self.root.joinpath(*parts)
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            self._status(HTTPStatus.NOT_FOUND, "not found")
            return None
        if real != self.root and self.root not in real.parents:
            self._status(HTTPStatus.FORBIDDEN, "outside the build folder")  # a link that leads out
            return None
        if not real.is_file():
            self._status(HTTPStatus.NOT_FOUND, "not found")  # folders are not listed
            return None
        return real

    def _feed(self, path: Path) -> bytes:
        """feed.xml with its URLs pointing at this server, as the request reached it."""
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        base = f"http://{host}/"
        try:
            tree = ET.parse(path)
        except ET.ParseError:
            return path.read_bytes()
        for el in tree.iter():
            for attr in ("url", "href"):
                value = el.get(attr)
                if value and el.tag != f"{{{ATOM}}}link":
                    el.set(attr, base + quote(unquote(Path(urlsplit(value).path).name)))
            if el.tag == f"{{{ATOM}}}link" and el.get("rel") == "self":
                el.set("href", base + "feed.xml")
        return ET.tostring(tree.getroot(), encoding="utf-8", xml_declaration=True) + b"\n"

    def _status(self, status: HTTPStatus, text: str, extra: dict[str, str] | None = None) -> None:
        body = f"{status.value} {text}\n".encode()
        self.send_response(status)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _range(header: str, size: int) -> tuple[int, int] | None:
    """The byte span a `Range: bytes=...` header asks of a file of `size` bytes (RFC 9110: the
    first range of a list; a suffix `-N` for the last N bytes); None when it cannot be given."""
    m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*(?:,.*)?", header)
    if not m or (not m[1] and not m[2]) or size == 0:
        return None
    if not m[1]:
        n = int(m[2])
        return (max(0, size - n), size - 1) if n else None
    start = int(m[1])
    end = min(int(m[2]), size - 1) if m[2] else size - 1
    if start >= size or end < start:
        return None
    return start, end


def _type(path: Path) -> str:
    fmt = formats.for_path(path)
    if fmt is not None:
        return fmt.mime
    return TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def addresses(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    shown = host if host not in ("0.0.0.0", "::") else (os.uname().nodename if hasattr(os, "uname") else host)
    return f"http://{shown}:{port}/"
