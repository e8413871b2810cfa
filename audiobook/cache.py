"""The build's cache in OUT/.cache: what was analysed and rendered, by content hash.

A rebuild re-analyses only recordings whose content changed, and re-renders only tracks
whose recordings, manifest entries or settings changed: a no-change rebuild of a whole
book takes seconds. A file's digest is reused while its size and modification time are
unchanged (as make does), and computed again from its content otherwise.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from pathlib import Path

import numpy as np

from audiobook import __version__
from audiobook.analysis import Analysis, Pause
from audiobook.files import TEMP_SUFFIX, uninterrupted, write_text_atomic
from audiobook.parallel import run_parallel
from audiobook.report import Rendered

CACHE_FORMAT = 3  # 2: AAC streams for the M4B kept beside the tracks; 3: SHA-1 digests

HOP_ARRAYS = ("power_hops", "peak_hops", "loudness_hops")  # an analysis's per-100 ms arrays, kept in .npz


def _floats_back(d: dict) -> dict:
    hints = {f.name: f.type for f in dataclasses.fields(Analysis)}
    return {k: (float("-inf") if v is None and "float" in str(hints.get(k, "")) else v) for k, v in d.items()}


def _digest_job(path: Path, progress) -> str:
    digest = file_digest(path)
    progress(1)
    return digest


def file_digest(path: Path) -> str:
    """SHA-1 of the file's bytes: an identity, not a seal (nobody gains by forging a recording
    here), and with the CPU's SHA instructions twice as fast as BLAKE2b (0.4 s an hour of WAV)."""
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


class BuildCache:
    def __init__(self, out: Path):
        self.dir = out / ".cache"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._index_path = self.dir / "index.json"
        try:
            self.index = json.loads(self._index_path.read_text(encoding="utf-8"))
            if self.index.get("format") != CACHE_FORMAT or self.index.get("version") != __version__:
                raise ValueError
        except (OSError, ValueError):
            self.index = {"format": CACHE_FORMAT, "version": __version__, "digests": {}, "tracks": {}}

    def save(self) -> None:
        write_text_atomic(self._index_path, json.dumps(self.index, indent=1))

    # content digests --------------------------------------------------------------------
    def digest(self, path: Path) -> str:
        return self.digests([path])[str(path)]

    def digests(self, paths: list[Path], pool=None) -> dict[str, str]:
        """Content digest of each file, by `str(path)`; those not known (by size and modification
        time) are read on `pool`'s workers, all at once."""
        found: dict[str, str] = {}
        missing = []
        for path in paths:
            st = path.stat()
            known = self.index["digests"].get(str(path.resolve()))
            if known and known["size"] == st.st_size and known["mtime_ns"] == st.st_mtime_ns:
                found[str(path)] = known["digest"]
            else:
                missing.append((path, st))
        if missing:

            fresh = run_parallel(_digest_job, [p for p, _ in missing], total=len(missing), pool=pool,
                                 jobs=None if pool else 1)
            for (path, st), digest in zip(missing, fresh):
                self.index["digests"][str(path.resolve())] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns,
                                                              "digest": digest}
                found[str(path)] = digest
        return found

    # analyses ---------------------------------------------------------------------------
    def load_analysis(self, digest: str, path: Path) -> Analysis | None:
        meta, arrays = self.dir / f"{digest}.json", self.dir / f"{digest}.npz"
        if not (meta.is_file() and arrays.is_file()):
            return None
        d = _floats_back(json.loads(meta.read_text(encoding="utf-8")))
        d["pauses"] = [Pause(**{k: float("-inf") if v is None else v for k, v in p.items()}) for p in d["pauses"]]
        with np.load(arrays) as z:
            if any(k not in z.files for k in HOP_ARRAYS):  # stored before the analysis kept them all: again
                return None
            for k in HOP_ARRAYS:
                d[k] = z[k]
        d["path"] = str(path)
        return Analysis(**d)

    def store_analysis(self, digest: str, a: Analysis) -> None:
        write_text_atomic(self.dir / f"{digest}.json", json.dumps(a.to_dict(), default=_json_default))
        tmp = self.dir / f".{digest}.npz{TEMP_SUFFIX}"
        with uninterrupted():
            self._write_hops(tmp, digest, a)

    def _write_hops(self, tmp: Path, digest: str, a: Analysis) -> None:
        try:  # a stop (Ctrl-C) while writing leaves nothing half-written
            with open(tmp, "wb") as f:
                empty = np.zeros(0, np.float32)
                np.savez(f, **{k: getattr(a, k) if getattr(a, k) is not None else empty for k in HOP_ARRAYS})
            tmp.replace(self.dir / f"{digest}.npz")
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    # tracks -----------------------------------------------------------------------------
    def track(self, name: str, key: str, out: Path) -> tuple[Rendered, str] | None:
        """The track `name` as the last build rendered it, and its measurement's digest, if it is
        still what `key` asks for and the file is as it was written."""
        entry = self.index["tracks"].get(name)
        path = out / name
        if entry and entry["key"] == key and path.is_file() and path.stat().st_size == entry["size"]:
            try:
                return Rendered.from_dict(entry["rendered"], str(path), reused=True), entry["measured"]
            except (KeyError, TypeError, ValueError):
                return None
        return None

    def store_track(self, name: str, key: str, out: Path, rendered: Rendered, measured_digest: str) -> None:
        self.index["tracks"][name] = {"key": key, "size": (out / name).stat().st_size, "rendered": rendered.to_dict(),
                                      "measured": measured_digest}


    # extras: the retail sample and the M4B ------------------------------------------------
    def extra_is_current(self, kind: str, key: str, path: Path) -> bool:
        entry = self.index.setdefault("extras", {}).get(kind)
        return bool(entry and entry["key"] == key and entry["name"] == path.name and path.is_file()
                    and path.stat().st_size == entry["size"])

    def store_extra(self, kind: str, key: str, path: Path, measured: str | None = None) -> None:
        self.index.setdefault("extras", {})[kind] = {"key": key, "name": path.name, "size": path.stat().st_size,
                                                     "measured": measured}

    def current_extra_analysis(self, kind: str, key: str, path: Path) -> Analysis | None:
        """The measurement of an extra that is current, or None (not current, or never measured)."""
        if not self.extra_is_current(kind, key, path):
            return None
        measured = self.index["extras"][kind].get("measured")
        return self.load_analysis(measured, path) if measured else None


def text_key(*parts) -> str:
    return hashlib.blake2b(json.dumps(parts, sort_keys=True, default=str).encode(), digest_size=20).hexdigest()


def _json_default(v):
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    raise TypeError(type(v))


def job_key(job, digests: dict[str, str]) -> str:
    """What a rendered track depends on: its sources' content, every setting, its tags."""
    def span(s):
        return [digests[s.path], s.start_s, s.end_s, round(s.gain_db, 6), s.expand_below_db, s.expand_by_db,
                dataclasses.asdict(s.denoise) if s.denoise is not None else None]

    tags = None
    if job.tags is not None:
        t = dataclasses.asdict(job.tags)
        t["cover"] = hashlib.blake2b(job.tags.cover or b"", digest_size=12).hexdigest()
        tags = t
    spec = {"spans": [span(s) for s in job.spans], "fmt": job.fmt, "rate": job.rate, "channels": job.channels,
            "bitrate": job.bitrate_kbps, "ceiling": job.ceiling_dbfs, "extra": job.extra_gain_db,
            "pads": [job.pad_head_s, job.pad_tail_s], "tone": span(job.room_tone) if job.room_tone else None,
            "tags": tags, "id3": job.id3_version, "version": __version__,
            "cut": job.cut_s if job.cut_from else None}
    text = json.dumps(spec, sort_keys=True, default=lambda v: v if not isinstance(v, float) or math.isfinite(v) else str(v))
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()
