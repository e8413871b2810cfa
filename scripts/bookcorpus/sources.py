"""Files of a public repository at a pinned commit, read from a local git copy of it.

Copies live under one folder (`--sources`, or $AUDIOBOOK_BOOK_SOURCES), one per repository, named
`owner+name` and holding the git directory (bare, or as `repo/`), as a mirror or a clone leaves them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


class SourceMissing(Exception):
    """The repository, or the commit, is not in the sources folder."""


def git_dir(sources: Path, repo: str) -> Path:
    base = sources / repo.replace("/", "+")
    for candidate in (base / "repo", base / ".git", base):
        if (candidate / "HEAD").is_file():
            return candidate
    raise SourceMissing(f"{repo}: no git copy under {sources} (expected {base.name}/) — clone or mirror it there")


def read(sources: Path, repo: str, commit: str, path: str) -> bytes:
    """The bytes of `path` at `commit`."""
    proc = subprocess.run(["git", "--git-dir", str(git_dir(sources, repo)), "show", f"{commit}:{path}"],
                          capture_output=True)
    if proc.returncode:
        raise SourceMissing(f"{repo}@{commit[:10]}:{path}: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def listing(sources: Path, repo: str, commit: str, folder: str) -> list[str]:
    """Every file under `folder` at `commit`, its path from the repository's root."""
    proc = subprocess.run(["git", "--git-dir", str(git_dir(sources, repo)), "ls-tree", "-r", "--name-only", commit,
                           folder], capture_output=True, text=True)
    if proc.returncode:
        raise SourceMissing(f"{repo}@{commit[:10]}:{folder}: {proc.stderr.strip()}")
    return proc.stdout.split()
