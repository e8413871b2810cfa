"""A throw-away OpenSSH server for the tests: Debian's sshd on 127.0.0.1, a free port, its own host
key, config and one authorised test key, serving SFTP (internal-sftp) over a temporary folder.
The client side is a HOME of its own: ~/.ssh/known_hosts and ~/.ssh/config as a user has them."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest


def find_sshd() -> str | None:
    return shutil.which("sshd") or next((p for p in ("/usr/sbin/sshd", "/usr/local/sbin/sshd") if os.path.exists(p)),
                                        None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", str(path)], check=True)


def _descendants(pid: int) -> list[int]:
    out = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for child in map(int, children):
        out += [child, *_descendants(child)]
    return out


class Sshd:
    def __init__(self, root: Path):
        sshd = find_sshd()
        if sshd is None or shutil.which("ssh-keygen") is None:
            pytest.skip("OpenSSH's sshd is not installed (Debian: apt-get install openssh-server; .ci/run does)")
        self.sshd, self.dir = sshd, root / "sshd"
        self.dir.mkdir()
        self.served = root / "srv"
        (self.served / "podcast").mkdir(parents=True)
        self.home = root / "home"
        (self.home / ".ssh").mkdir(parents=True)
        self.user = getpass.getuser()
        _keygen(self.dir / "host_key")
        _keygen(self.home / ".ssh" / "id_ed25519")
        _keygen(self.home / ".ssh" / "other_key")  # a key the server does not know
        shutil.copy(self.home / ".ssh" / "id_ed25519.pub", self.dir / "authorized_keys")
        self.port = _free_port()
        (self.dir / "sshd_config").write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {self.dir / 'host_key'}\n"
            f"PidFile {self.dir / 'sshd.pid'}\nAuthorizedKeysFile {self.dir / 'authorized_keys'}\n"
            "PubkeyAuthentication yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "PermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\nSubsystem sftp internal-sftp\n"
            "LogLevel ERROR\nMaxStartups 50\n")
        self.write_known_hosts()
        (self.home / ".ssh" / "config").write_text(
            f"Host 127.0.0.1\n  User {self.user}\n  IdentityFile {self.home / '.ssh' / 'id_ed25519'}\n")
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", exist_ok=True)  # sshd's privilege separation directory
        self.proc: subprocess.Popen | None = None
        self.start()

    @property
    def host_key(self) -> str:
        return (self.dir / "host_key.pub").read_text().split()[1]

    def write_known_hosts(self, known: bool = True) -> None:
        line = f"[127.0.0.1]:{self.port} ssh-ed25519 {self.host_key}\n" if known else ""
        (self.home / ".ssh" / "known_hosts").write_text(line)

    def url(self, folder: str = "podcast") -> str:
        return f"sftp://127.0.0.1:{self.port}{self.served / folder}"

    def start(self, read_only: bool = False, file_limit: int | None = None) -> None:
        """`read_only`: the SFTP server refuses every write (internal-sftp -R), as a folder the
        login may not write to. `file_limit`: no file may grow past that many bytes (a write
        fails as on a full disk: the server answers "Failure")."""
        config = self.dir / "sshd_config"
        text = config.read_text().replace("internal-sftp -R", "internal-sftp")
        config.write_text(text.replace("internal-sftp", "internal-sftp -R") if read_only else text)

        def limit() -> None:
            if file_limit is not None:
                import resource
                import signal

                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails (EFBIG), nothing is killed
                resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

        self.proc = subprocess.Popen([self.sshd, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, preexec_fn=limit)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.skip(f"sshd would not start here: {self.proc.stderr.read().decode(errors='replace')[:300]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    if s.recv(4).startswith(b"SSH-"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("sshd did not answer within 10 s")

    def stop(self) -> None:
        """Stop the server and every session it serves: a dropped connection, as a network drop."""
        if self.proc is not None:
            for pid in _descendants(self.proc.pid):  # each connection's processes, then the server
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def __enter__(self) -> Sshd:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
