from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf


@pytest.fixture
def write_audio(tmp_path):
    """Write test audio to a file and give its path: write_audio(x, fs, name, subtype)."""

    def write(x: np.ndarray, fs: int = 48000, name: str = "test.wav", subtype: str | None = "FLOAT"):
        path = tmp_path / name
        sf.write(str(path), x, fs, subtype=subtype)
        return path

    return write
