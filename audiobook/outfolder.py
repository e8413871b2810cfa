"""The build's out folder: checked, locked against a second build, cleared of what a killed
build left half-written; errors writing to it turned into a message a producer can act on."""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from pathlib import Path

from audiobook.errors import InputError
from audiobook.files import remove_leftovers

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, the rest still holds
    fcntl = None


def check_out(out: Path, folder: Path) -> None:
    """The narrator's folder is only ever read: no out folder in it, or equal to it."""
    out_r, folder_r = out.resolve(), folder.resolve()
    if out_r == folder_r or folder_r in out_r.parents:
        raise InputError(f"{out}: the output folder may not be the recordings folder or inside it — "
                         "choose another, e.g. ./build")


@contextlib.contextmanager
def open_out(out: Path) -> Iterator[Path]:
    """Make `out`, hold its lock for the build, remove a killed build's leftovers; OSErrors
    raised inside (disk full, read-only, permission) become InputErrors that say what to do."""
    try:
        (out / ".cache").mkdir(parents=True, exist_ok=True)
        lock = open(out / ".cache" / "lock", "a+b")
    except OSError as exc:
        raise InputError(write_error(exc, out)) from None
    with lock:
        if fcntl is not None:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise InputError(f"{out}: another build is writing here — wait for it to finish, "
                                 "or build into another --out") from None
        try:
            remove_leftovers(out)
            remove_leftovers(out / ".cache")
            yield out
        except OSError as exc:
            raise InputError(write_error(exc, out)) from None


def write_error(exc: OSError, out: Path) -> str:
    """What went wrong writing to the out folder, and what to do about it."""
    where = exc.filename or out
    if exc.filename and Path(out).resolve() not in Path(exc.filename).resolve().parents:
        return f"{where}: {exc.strerror or exc} — check the file and build again"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"{where}: the disk is full — free some space (or build into another --out) and build "
                "again: finished tracks are kept and not made again")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{where}: cannot write here ({exc.strerror}) — make the folder writable, or choose another --out"
    return f"{where}: cannot write ({exc.strerror or exc}) — check the disk and the folder, then build again"
