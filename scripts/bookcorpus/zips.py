"""Zip files made the same byte for byte each time (fixed dates, fixed order), so a book made from the
same sources has the same sha256."""

from __future__ import annotations

import io
import zipfile

EPOCH = (2000, 1, 1, 0, 0, 0)


def zipped(files: dict[str, bytes], first: tuple[str, bytes] | None = None) -> bytes:
    """`files` zipped (deflated) in name order, after `first` (stored: an EPUB's mimetype)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        entries = ([(first, zipfile.ZIP_STORED)] if first else []) + [
            ((name, files[name]), zipfile.ZIP_DEFLATED) for name in sorted(files)]
        for (name, data), how in entries:
            info = zipfile.ZipInfo(name, EPOCH)
            info.compress_type = how
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()
