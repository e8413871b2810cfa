"""`audiobook serve`: a build over real sockets on 127.0.0.1 — ranges, HEAD, concurrent requests,
the feed as a podcast client fetches it (every enclosure downloaded), and no way out of the folder."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import feedparser
import podcastparser
import pytest

from audiobook.serve import serve
from tests.children import ctrl_c_heard

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory, demo_built):
    out = tmp_path_factory.mktemp("serve") / "build"
    shutil.copytree(demo_built.out, out, symlinks=True)  # the session's build, copied: links are added to it
    (out.parent / "secret.txt").write_text("not for listeners")
    os.symlink(out.parent / "secret.txt", out / "link-out.txt")
    server = serve(out, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield out, server.server_address[1]
    server.shutdown()
    server.server_close()


def _get(port: int, path: str, method: str = "GET", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, headers=headers or {})
    res = conn.getresponse()
    body = res.read()
    conn.close()
    return res, body


def _track(out: Path) -> Path:
    return next(out.glob("02 - *.mp3"))


def test_whole_files_and_ranges_as_players_ask_for_them(served):
    out, port = served
    track = _track(out)
    data = track.read_bytes()
    url = "/" + urllib.request.quote(track.name)
    res, body = _get(port, url)
    assert res.status == 200 and body == data and res.getheader("Accept-Ranges") == "bytes"
    assert res.getheader("Content-Type") == "audio/mpeg"
    res, body = _get(port, url, headers={"Range": "bytes=0-1"})  # Apple Podcasts' first probe
    assert res.status == 206 and body == data[:2] and res.getheader("Content-Range") == f"bytes 0-1/{len(data)}"
    res, body = _get(port, url, headers={"Range": "bytes=1000-4999"})
    assert res.status == 206 and body == data[1000:5000] and res.getheader("Content-Length") == "4000"
    res, body = _get(port, url, headers={"Range": "bytes=-500"})
    assert res.status == 206 and body == data[-500:]
    res, body = _get(port, url, headers={"Range": f"bytes={len(data) - 10}-"})
    assert res.status == 206 and body == data[-10:]
    res, body = _get(port, url, headers={"Range": f"bytes={len(data)}-"})
    assert res.status == 416 and res.getheader("Content-Range") == f"bytes */{len(data)}"
    res, body = _get(port, url, method="HEAD")
    assert res.status == 200 and body == b"" and res.getheader("Content-Length") == str(len(data))
    res, body = _get(port, "/" + urllib.request.quote(next(out.glob("*.m4b")).name), method="HEAD")
    assert res.getheader("Content-Type") == "audio/mp4"


def test_concurrent_requests_each_get_their_bytes(served):
    out, port = served
    track = _track(out)
    data = track.read_bytes()
    url = "/" + urllib.request.quote(track.name)
    spans = [(k * 3000, k * 3000 + 2999) for k in range(16)]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda s: _get(port, url, headers={"Range": f"bytes={s[0]}-{s[1]}"})[1], spans))
    assert got == [data[a:b + 1] for a, b in spans]


def test_a_podcast_client_reads_the_feed_here_and_downloads_every_episode(served):
    out, port = served
    on_disk = (out / "feed.xml").read_bytes()
    base = f"http://127.0.0.1:{port}"
    with urllib.request.urlopen(base + "/feed.xml") as res:
        assert res.headers["Content-Type"].startswith("application/rss+xml")
        feed = res.read()
    parsed = podcastparser.parse(base + "/feed.xml", __import__("io").BytesIO(feed))
    assert len(parsed["episodes"]) == 3
    for ep in parsed["episodes"]:
        (enc,) = ep["enclosures"]
        assert enc["url"].startswith(base + "/")
        with urllib.request.urlopen(enc["url"]) as res:
            body = res.read()
        assert len(body) == enc["file_size"]
        assert body == (out / urllib.request.unquote(enc["url"].rsplit("/", 1)[1])).read_bytes()
    fp = feedparser.parse(base + "/feed.xml")
    assert not fp.bozo and all(e.enclosures[0].href.startswith(base + "/") for e in fp.entries)
    assert [link.href for link in fp.feed.links if link.rel == "self"] in ([], [base + "/feed.xml"])
    assert (out / "feed.xml").read_bytes() == on_disk  # rewritten as served, not on disk


@pytest.mark.parametrize("path,status", [
    ("/", 404), ("/.cache/index.json", 404), ("/../secret.txt", 404), ("/%2e%2e/secret.txt", 404),
    ("/..%2fsecret.txt", 404), ("/%2E%2E%2Fsecret.txt", 404), ("/link-out.txt", 403), ("/nothing.mp3", 404),
    ("/report.json/../../secret.txt", 404)])
def test_nothing_outside_the_folder_and_no_listing(served, path, status):
    _, port = served
    res, body = _get(port, path)
    assert res.status == status and b"not for listeners" not in body


def test_read_only_and_loopback_by_default(served):
    out, port = served
    res, _ = _get(port, "/feed.xml", method="PUT")
    assert res.status == 405
    res, _ = _get(port, "/feed.xml", method="DELETE")
    assert res.status == 405 and (out / "feed.xml").is_file()
    server = serve(out, port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_the_command_serves_until_ctrl_c(served, tmp_path):
    out, _ = served
    proc = subprocess.Popen([sys.executable, "-m", "audiobook", "serve", str(out), "--port", "0"],
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            preexec_fn=ctrl_c_heard)
    line = proc.stderr.readline()
    assert "serving" in line and "feed.xml" in line, line
    port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
    res, _ = _get(port, "/feed.xml", method="HEAD")
    assert res.status == 200
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode in (0, 130) and "Traceback" not in err
    time.sleep(0.1)
