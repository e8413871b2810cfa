from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def pdf_dump() -> Path:
    """The Revolution Betrayed as a raw PDF-to-text dump (seed 002)."""
    return DATA / "revolution-betrayed-pdf-dump.txt"


@pytest.fixture(scope="session")
def summary_md() -> Path:
    """A reader's chapter-by-chapter summary in Markdown (seed 001): a clean table of contents."""
    return DATA / "revolution-betrayed-summary.md"


@pytest.fixture(scope="session")
def blurb_txt() -> Path:
    return DATA / "revolution-betrayed-blurb.txt"


DEMO = Path(__file__).resolve().parents[1] / "recordings"


def file_hashes(folder: Path) -> dict[str, str]:
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory):
    """The bundled demo built once, as `audiobook build` does by default (its M4B too), for every
    test that reads a whole build (build, check, serve, review): its BuildResult. Tests that
    change the build's files work on a copy (`shutil.copytree(demo_built.out, ...)`)."""
    from audiobook.build import build

    out = tmp_path_factory.mktemp("demo-m4b") / "build"
    before = file_hashes(DEMO)
    result = build(DEMO, out, jobs=1)
    assert file_hashes(DEMO) == before  # the narrator's originals are only read
    return result


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> Path:
    """The bundled demo, built once (no M4B) for the tests that publish or serve a build."""
    from audiobook.build import build

    out = tmp_path_factory.mktemp("demo") / "build"
    build(Path(__file__).resolve().parents[1] / "recordings", out, jobs=1, m4b=False)
    return out
