"""Writing files so that nobody ever sees half of one: a temporary name, then an atomic rename."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

TEMP_SUFFIX = ".part"  # every file being written is hidden as .NAME.XXXX.part until it is complete
_unfinished: set[str] = set()  # this process's files being written: removed if it is stopped mid-way


def writing(path: str | Path) -> None:
    """`path` is being written (a temporary file): a stop removes it (parallel's worker wrapper)."""
    _unfinished.add(str(path))


def written(path: str | Path) -> None:
    """`path` is done with: renamed into place, or removed."""
    _unfinished.discard(str(path))


def remove_unfinished() -> None:
    """Remove every file this process was still writing (it is being stopped)."""
    for name in list(_unfinished):
        try:
            os.unlink(name)
        except OSError:
            pass
        _unfinished.discard(name)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write `text` (UTF-8) to `path`: complete, or not at all; permissions as an ordinary file's."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write `data` to `path`: complete, or not at all; permissions as an ordinary file's."""
    write_stream_atomic(path, [data])


@contextlib.contextmanager
def uninterrupted():
    """Ctrl-C and SIGTERM held back (in the main thread) until the block is done, then raised:
    a small file is written whole or not at all, never left half-way as its temporary name."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[tuple[int, object]] = []
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in saved:
        signal.signal(sig, lambda signum, frame: caught.append((signum, frame)))
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        for signum, frame in caught[:1]:  # now, as it would have been handled then
            handler = saved[signum]
            if callable(handler):
                handler(signum, frame)
            elif handler != signal.SIG_IGN:
                signal.raise_signal(signum)  # the default action, restored above


def write_stream_atomic(path: str | Path, chunks: Iterable[bytes], before_rename=None) -> None:
    """Write `chunks` to `path`: complete, or not at all; permissions as an ordinary file's.
    `before_rename(tmp_path)` may finish the file (tags) before it takes its name."""
    path = Path(path)
    with uninterrupted():
        _write_stream(path, chunks, before_rename)


def _write_stream(path: Path, chunks: Iterable[bytes], before_rename) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        if before_rename is not None:
            before_rename(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def clock(seconds: float, digits: int = 1) -> str:
    """1:02:03.4 or 2:03.4 (with `digits` decimals): a time as people read it off an editor."""
    scale = 10 ** digits
    units = round(max(seconds, 0.0) * scale)  # rounded once, so 59.99 s reads 1:00.0, never 0:60.0
    h, rest = divmod(units, 3600 * scale)
    m, rest = divmod(rest, 60 * scale)
    s = f"{rest / scale:0{3 + digits}.{digits}f}"
    return f"{h}:{m:02d}:{s}" if h else f"{m}:{s}"


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete what a build stopped by force (SIGKILL, power cut) left half-written in `folder`:
    hidden `.NAME.XXXX.part` files and `.m4b-XXXX` work folders. Returns what was removed."""
    import shutil

    removed = []
    for p in list(folder.glob(f".*{TEMP_SUFFIX}")) + list(folder.glob(".m4b-*")):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(p)
    return removed
