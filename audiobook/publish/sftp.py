"""Publishing over SFTP, the way most self-hosted podcasts are served (a folder on a VPS or a
shared host, nginx or Apache in front of it), with paramiko.

- Host keys are checked against ~/.ssh/known_hosts (and ~/.ssh/config's UserKnownHostsFile): an
  unknown host is refused with its key's fingerprint and how to accept it; a changed key is
  refused outright. (fsspec's SFTP accepts any host key, so it is not used for sftp://.)
- Credentials: an SSH agent, ~/.ssh/config (User, Port, HostName, IdentityFile), the usual key
  files, or the password in AUDIOBOOK_SFTP_PASSWORD — never the manifest, never printed.
- A file is uploaded to a temporary name and renamed over the old one with OpenSSH's
  posix-rename extension (atomic: a reader sees the old file or the new). A server without it
  gets the old file moved aside first, so it is missing for one round trip at most.
"""

from __future__ import annotations

import base64
import hashlib
import os
import posixpath
import socket
import stat
from pathlib import Path
from urllib.parse import unquote, urlsplit

from audiobook.errors import InputError
from audiobook.publish.destination import Sent, safe

PASSWORD_ENV = "AUDIOBOOK_SFTP_PASSWORD"
CONNECT_TIMEOUT_S = 20.0


class UnknownHost(Exception):
    def __init__(self, hostname: str, key):
        super().__init__(hostname)
        self.hostname, self.key = hostname, key


def fingerprint(key) -> str:
    """As OpenSSH shows it: "ssh-ed25519 SHA256:base64-without-padding"."""
    digest = base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")
    return f"{key.get_name()} SHA256:{digest}"


class Sftp:
    def __init__(self, url: str):
        try:
            import paramiko
        except ImportError:
            raise InputError(f"publishing to {safe(url)} needs paramiko: pip install 'audiobook[publish]'") from None
        self.where = safe(url)
        self.errors = (OSError, EOFError, paramiko.SSHException)  # what a dropped connection raises, by the moment
        parts = urlsplit(url)
        config = _ssh_config(parts.hostname or "")
        host = config.get("hostname", parts.hostname or "")
        port = parts.port or int(config.get("port", 22))
        user = unquote(parts.username) if parts.username else config.get("user")
        password = os.environ.get(PASSWORD_ENV) or (unquote(parts.password) if parts.password else None)
        self.root = unquote(parts.path) or "."

        class _Refuse(paramiko.MissingHostKeyPolicy):
            def missing_host_key(self, client, hostname, key):
                raise UnknownHost(hostname, key)

        self.client = paramiko.SSHClient()
        self.client.load_system_host_keys()
        for known in config.get("userknownhostsfile", []):
            path = os.path.expanduser(known)
            if os.path.isfile(path):
                self.client.load_host_keys(path)
        self.client.set_missing_host_key_policy(_Refuse())
        keys = [os.path.expanduser(k) for k in config.get("identityfile", []) if os.path.isfile(os.path.expanduser(k))]
        keyscan = f"ssh-keyscan -p {port} {host} >> ~/.ssh/known_hosts" if port != 22 else \
            f"ssh-keyscan {host} >> ~/.ssh/known_hosts"
        try:
            self.client.connect(host, port=port, username=user, password=password, key_filename=keys or None,
                                timeout=CONNECT_TIMEOUT_S, banner_timeout=CONNECT_TIMEOUT_S,
                                auth_timeout=CONNECT_TIMEOUT_S)
            self.sftp = self.client.open_sftp()
        except UnknownHost as exc:
            self.client.close()
            raise InputError(f"{self.where}: the server's host key is not known ({fingerprint(exc.key)}) — if that "
                             f"is your server's key, accept it with `{keyscan}` (or connect once with ssh), then "
                             "publish again") from None
        except paramiko.BadHostKeyException as exc:
            self.client.close()
            raise InputError(f"{self.where}: the server's host key has CHANGED (it now offers "
                             f"{fingerprint(exc.key)}): someone may be in between — not publishing. If the server "
                             "was reinstalled, remove its old line from ~/.ssh/known_hosts") from None
        except paramiko.AuthenticationException:
            self.client.close()
            raise InputError(f"{self.where}: the server refused the login{' as ' + user if user else ''} — check the "
                             f"key (ssh-add, or IdentityFile in ~/.ssh/config) or set {PASSWORD_ENV}") from None
        except (paramiko.SSHException, socket.error, EOFError) as exc:
            self.client.close()
            raise InputError(f"{self.where}: cannot reach the server ({exc or type(exc).__name__}) — check the host "
                             "and port, and that it serves SFTP") from None
        self._check_folder()
        self.posix_rename = True  # OpenSSH's extension, until the server says it has not got it

    def _check_folder(self) -> None:
        try:
            mode = self.sftp.stat(self.root).st_mode
        except FileNotFoundError:
            parent = posixpath.dirname(self.root.rstrip("/")) or "."
            try:
                self.sftp.stat(parent)
                self.sftp.mkdir(self.root)
            except OSError:
                raise InputError(f"{self.where}: no such folder on the server, and it cannot be made here — create "
                                 f"{self.root} (or its folder {parent}) first") from None
            return
        except OSError as exc:
            raise InputError(f"{self.where}: cannot open the folder ({_why(exc)})") from None
        if not stat.S_ISDIR(mode or 0):
            raise InputError(f"{self.where}: {self.root} on the server is a file, not a folder")

    def _path(self, name: str) -> str:
        return posixpath.join(self.root, name)

    def put(self, src: Path, name: str, sent: Sent) -> None:
        tmp = self._path(f".{name}.part")
        done = [0]

        def progress(so_far: int, total: int) -> None:
            sent(so_far - done[0])
            done[0] = so_far

        try:
            self.sftp.put(str(src), tmp, callback=progress, confirm=True)
        except self.errors as exc:
            raise self._failed(name, tmp, exc) from None
        self._replace(tmp, self._path(name))

    def _connected(self) -> bool:
        transport = self.client.get_transport()
        return transport is not None and transport.is_active()

    def _failed(self, name: str, tmp: str, exc: BaseException) -> InputError:
        if self._connected() and not isinstance(exc, EOFError):
            self._tidy(tmp)
        if not self._connected() or isinstance(exc, EOFError):
            return InputError(f"{self.where}: the connection was lost while sending {name} — the old feed is still in "
                              "place; publish again to finish (what arrived is not sent again)")
        why = _why(exc) if isinstance(exc, OSError) else type(exc).__name__
        return InputError(f"{self.where}: {name} could not be written ({why}) — the old feed is still in place; free "
                          "space or fix the permission, then publish again")

    def write(self, name: str, data: bytes) -> None:
        tmp = self._path(f".{name}.part")
        try:
            with self.sftp.open(tmp, "wb") as f:
                f.write(data)
        except self.errors as exc:
            raise self._failed(name, tmp, exc) from None
        self._replace(tmp, self._path(name))

    def _replace(self, tmp: str, final: str) -> None:
        if self.posix_rename:
            try:
                self.sftp.posix_rename(tmp, final)
                return
            except OSError as exc:
                if "unsupported" not in str(exc).lower() and "not supported" not in str(exc).lower():
                    raise
                self.posix_rename = False  # a server without the extension
        aside = final + ".old"  # plain SFTP rename will not overwrite: the old file steps aside first
        try:
            self.sftp.rename(final, aside)
        except FileNotFoundError:
            aside = ""
        self.sftp.rename(tmp, final)
        if aside:
            self._tidy(aside)

    def _tidy(self, path: str) -> None:
        try:
            self.sftp.remove(path)
        except self.errors:
            pass

    def size(self, name: str) -> int | None:
        try:
            return self.sftp.stat(self._path(name)).st_size
        except FileNotFoundError:
            return None

    def read(self, name: str, start: int, length: int) -> bytes | None:
        try:
            with self.sftp.open(self._path(name), "rb") as f:
                f.seek(start)
                return f.read(length)
        except FileNotFoundError:
            return None

    def remove(self, name: str) -> None:
        self._tidy(self._path(name))

    def close(self) -> None:
        self.client.close()


def _why(exc: OSError) -> str:
    text = str(exc.strerror or exc or type(exc).__name__)
    if isinstance(exc, PermissionError):
        return "permission denied"
    if "Failure" in text:  # OpenSSH's SSH_FX_FAILURE: most often a full disk or quota
        return "the server failed to write it: its disk may be full"
    if "size mismatch" in text:  # the server stopped taking it part-way (paramiko's pipelined writes)
        return f"it arrived cut short, {text.split('!')[-1].strip()} bytes: the server's disk may be full"
    return text


def _ssh_config(host: str) -> dict:
    """What ~/.ssh/config says about `host` (paramiko's reader: User, Port, HostName, IdentityFile)."""
    import paramiko

    path = os.path.expanduser("~/.ssh/config")
    if not os.path.isfile(path):
        return {}
    try:
        config = paramiko.SSHConfig.from_path(path)
        found = config.lookup(host)
    except (OSError, ValueError, paramiko.SSHException):
        return {}
    if isinstance(found.get("userknownhostsfile"), str):
        found["userknownhostsfile"] = found["userknownhostsfile"].split()
    return dict(found)
