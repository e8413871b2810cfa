"""`audiobook publish` over SFTP to a real OpenSSH server (tests/sshd.py): the demo published and
read back by a feed parser, nothing sent again when nothing changed, the feed never missing or
partial to a poller during a publish, an interrupted publish that leaves the old feed and is
completed by the next, old episodes removed only with --delete, and each bad input answered."""

from __future__ import annotations

import io
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import podcastparser
import pytest

from audiobook.errors import InputError
from audiobook.publish import STATE, publish
from tests.sshd import Sshd
from tests.test_cli_init import _invoke
from tests.test_publish import BASE

pytest.importorskip("paramiko", reason="SFTP publishing needs paramiko (the publish extra)")



@pytest.fixture(scope="module")
def built(demo_build):
    return demo_build


@pytest.fixture
def server(tmp_path, monkeypatch):
    with Sshd(tmp_path) as sshd:
        monkeypatch.setenv("HOME", str(sshd.home))  # ~/.ssh as a user has it: known_hosts, config, a key
        monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
        monkeypatch.delenv("AUDIOBOOK_SFTP_PASSWORD", raising=False)
        yield sshd


def _over_sftp(server: Sshd, path: Path) -> bytes:
    """A file read back as a client reads it: over SFTP, with paramiko alone."""
    import paramiko

    client = paramiko.SSHClient()
    client.load_host_keys(str(server.home / ".ssh" / "known_hosts"))
    client.connect("127.0.0.1", port=server.port, username=server.user,
                   key_filename=str(server.home / ".ssh" / "id_ed25519"), allow_agent=False, look_for_keys=False)
    try:
        with client.open_sftp() as sftp, sftp.open(str(path), "rb") as f:
            return f.read()
    finally:
        client.close()


def _changed(built: Path, where: Path) -> Path:
    """The build again, every track and the feed different (as after a re-master)."""
    shutil.copytree(built, where)
    for mp3 in where.glob("*.mp3"):
        mp3.write_bytes(mp3.read_bytes() + b"\0" * 4096)
    feed = where / "feed.xml"
    feed.write_text(feed.read_text().replace("<title>", "<title>Second edition: ", 1))
    return where


def test_the_demo_publishes_over_sftp_and_reads_back_as_a_podcast(built, server):
    result = publish(built, server.url(), base_url=BASE)
    site = server.served / "podcast"
    assert result.copied[-1] == "feed.xml" and result.dest == server.url()
    parsed = podcastparser.parse(BASE + "/feed.xml", io.BytesIO(_over_sftp(server, site / "feed.xml")))
    assert len(parsed["episodes"]) == 3
    for ep in parsed["episodes"]:
        enc = ep["enclosures"][0]
        name = enc["url"][len(BASE) + 1:].replace("%20", " ")
        assert (site / name).read_bytes() == (built / name).read_bytes()  # byte for byte
        assert (site / name).stat().st_size == enc["file_size"]
    assert not list(site.glob(".*.part")) and (site / STATE).is_file()
    again = publish(built, server.url(), base_url=BASE)  # nothing changed: nothing sent
    assert again.copied == [] and again.bytes_sent == 0 and "feed.xml" in again.unchanged
    code, out, err = _invoke(["publish", str(built), "--to", server.url(), "--base-url", BASE])
    assert code == 0 and "0 files sent" in out and "nothing changed" in out, err


def test_a_poller_never_sees_the_feed_missing_or_partial(built, server, tmp_path):
    publish(built, server.url(), base_url=BASE)
    feed = server.served / "podcast" / "feed.xml"
    seen, bad, stop = [], [], threading.Event()

    def poll() -> None:  # as a podcast app polls: the whole feed, again and again
        while not stop.is_set():
            try:
                data = feed.read_bytes()
                ET.fromstring(data)
                seen.append(b"Second edition" in data)
            except (OSError, ET.ParseError) as exc:
                bad.append(repr(exc))

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        result = publish(_changed(built, tmp_path / "b2"), server.url(), base_url=BASE)
    finally:
        stop.set()
        poller.join()
    assert bad == [] and result.copied[-1] == "feed.xml"
    assert seen[0] is False and seen[-1] is True and len(seen) > 20  # the old feed, then the new, nothing between
    assert seen == sorted(seen)


def test_an_interrupted_publish_leaves_the_old_feed_and_the_next_completes_it(built, server, tmp_path):
    publish(built, server.url(), base_url=BASE)
    site = server.served / "podcast"
    old_feed = (site / "feed.xml").read_bytes()
    second = _changed(built, tmp_path / "b2")
    cut = []

    def drop_after_the_first_file(name, files_done, files, sent, total) -> None:
        if files_done >= 1 and not cut:  # the second file under way: the connection drops
            cut.append(name)
            server.stop()

    with pytest.raises(InputError, match="(connection was lost|publishing stopped).* old feed is still in place; publish again") as exc:
        publish(second, server.url(), base_url=BASE, on_progress=drop_after_the_first_file)
    assert "127.0.0.1" in str(exc.value)
    assert (site / "feed.xml").read_bytes() == old_feed  # listeners still get the old feed, whole
    server.start()
    result = publish(second, server.url(), base_url=BASE)
    assert len(result.unchanged) >= 1  # what arrived before the drop is not sent again
    assert result.copied[-1] == "feed.xml" and (site / "feed.xml").read_bytes() != old_feed
    for mp3 in second.glob("[0-9]* - *.mp3"):
        assert (site / mp3.name).read_bytes() == mp3.read_bytes()


def test_old_episodes_go_only_with_delete_and_only_after_the_new_feed(built, server, tmp_path):
    publish(built, server.url(), base_url=BASE)
    site = server.served / "podcast"
    (site / "notes.txt").write_text("the host's own file")  # not ours: never touched
    shorter = tmp_path / "b2"
    shutil.copytree(built, shorter)
    gone = sorted(shorter.glob("[0-9]* - *.mp3"))[-1]
    gone.unlink()
    kept = publish(shorter, server.url(), base_url=BASE)
    assert kept.removed == [] and (site / gone.name).exists()
    result = publish(shorter, server.url(), base_url=BASE, delete=True)
    assert result.removed == [gone.name] and not (site / gone.name).exists()
    assert (site / "notes.txt").exists() and gone.name not in (site / STATE).read_text()


def test_an_unknown_host_is_refused_with_its_fingerprint(built, server):
    server.write_known_hosts(known=False)
    code, out, err = _invoke(["publish", str(built), "--to", server.url(), "--base-url", BASE])
    assert code == 2 and "host key is not known" in err, err
    shown = subprocess.run(["ssh-keygen", "-lf", str(server.dir / "host_key.pub")], capture_output=True,
                           text=True).stdout.split()[1]
    assert shown in err and f"ssh-keyscan -p {server.port} 127.0.0.1" in err
    assert not (server.served / "podcast" / "feed.xml").exists()


def test_a_changed_host_key_is_refused(built, server):
    other = (server.home / ".ssh" / "other_key.pub").read_text().split()[1]
    (server.home / ".ssh" / "known_hosts").write_text(f"[127.0.0.1]:{server.port} ssh-ed25519 {other}\n")
    code, out, err = _invoke(["publish", str(built), "--to", server.url(), "--base-url", BASE])
    assert code == 2 and "host key has CHANGED" in err, err


def test_a_key_the_server_does_not_know_is_refused(built, server):
    (server.home / ".ssh" / "config").write_text(
        f"Host 127.0.0.1\n  User {server.user}\n  IdentityFile {server.home / '.ssh' / 'other_key'}\n")
    (server.home / ".ssh" / "id_ed25519").unlink()  # nor the default key
    code, out, err = _invoke(["publish", str(built), "--to", server.url(), "--base-url", BASE])
    assert code == 2 and "refused the login" in err and "IdentityFile" in err, err


def test_credentials_in_the_url_are_never_printed(built, server):
    url = server.url().replace("sftp://", "sftp:///").replace("sftp:///", f"sftp://{server.user}:hunter2@")
    code, out, err = _invoke(["publish", str(built), "--to", url, "--base-url", BASE])
    assert code == 0, err
    assert "hunter2" not in out + err and "hunter2" not in (server.served / "podcast" / STATE).read_text()


def test_a_missing_folder_a_file_for_a_folder_and_a_relative_base_url(built, server):
    code, out, err = _invoke(["publish", str(built), "--to", server.url("no/such/place"), "--base-url", BASE])
    assert code == 2 and "no such folder on the server" in err, err
    (server.served / "afile").write_text("x")
    code, out, err = _invoke(["publish", str(built), "--to", server.url("afile"), "--base-url", BASE])
    assert code == 2 and "is a file, not a folder" in err, err
    code, out, err = _invoke(["publish", str(built), "--to", server.url(), "--base-url", "podcasts/rb"])
    assert code == 2 and "http:// or https://" in err
    assert not (server.served / "podcast" / "feed.xml").exists()


@pytest.mark.parametrize("refusal", ["read-only", "full"])
def test_a_server_that_cannot_write_is_answered_and_the_old_feed_kept(built, server, tmp_path, refusal):
    publish(built, server.url(), base_url=BASE)
    site = server.served / "podcast"
    before = {p.name: p.read_bytes() for p in site.iterdir()}
    server.stop()
    if refusal == "read-only":
        server.start(read_only=True)  # the login may not write there
    else:
        server.start(file_limit=64 << 10)  # nothing past 64 KB: as a disk that fills
    code, out, err = _invoke(["publish", str(_changed(built, tmp_path / "b2")), "--to", server.url(),
                              "--base-url", BASE])
    assert code == 2 and "could not be written" in err and "old feed is still in place" in err, err
    assert ("permission denied" if refusal == "read-only" else "disk may be full") in err, err
    assert {p.name: p.read_bytes() for p in site.iterdir() if not p.name.endswith(".part")} == before
