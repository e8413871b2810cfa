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
