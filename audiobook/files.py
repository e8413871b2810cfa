"""Writing files so that nobody ever sees half of one: a temporary name, then an atomic rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

TEMP_SUFFIX = ".part"  # every file being written is hidden as .NAME.XXXX.part until it is complete


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write `text` (UTF-8) to `path`: complete, or not at all; permissions as an ordinary file's."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write `data` to `path`: complete, or not at all; permissions as an ordinary file's."""
    write_stream_atomic(path, [data])


def write_stream_atomic(path: str | Path, chunks: Iterable[bytes], before_rename=None) -> None:
    """Write `chunks` to `path`: complete, or not at all; permissions as an ordinary file's.
    `before_rename(tmp_path)` may finish the file (tags) before it takes its name."""
    path = Path(path)
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
