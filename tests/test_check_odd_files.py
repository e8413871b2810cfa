"""`check` on files no audiobook should be, said plainly: silence, and a container we do not read."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from tests.test_cli_init import _invoke


def test_a_silent_file_is_said_to_be_silent_not_given_infinite_gain(tmp_path):
    sf.write(str(tmp_path / "silent.wav"), np.zeros((44100 * 3, 1), np.float32), 44100, subtype="PCM_16")
    rng = np.random.default_rng(1)
    hiss = (rng.standard_normal((44100 * 3, 1)) * 10 ** (-85 / 20)).astype(np.float32)
    sf.write(str(tmp_path / "hiss.wav"), hiss, 44100, subtype="PCM_24")
    for name, what in (("silent.wav", "digital silence"), ("hiss.wav", "nothing louder than")):
        code, out, err = _invoke(["check", str(tmp_path / name)])
        assert code == 1 and f"the file is silent ({what}" in out, out
        assert "inf dB of gain" not in out and "room tone at the start" not in out


def test_matroska_is_named_as_a_container_we_do_not_read(tmp_path):
    (tmp_path / "book.mka").write_bytes(b"\x1aE\xdf\xa3" + bytes(2000))
    code, out, err = _invoke(["check", str(tmp_path / "book.mka")])
    assert code == 2 and "book.mka: Matroska (.mka) is a container audiobook does not read" in err
    assert "export it as WAV or FLAC" not in err.split("remux")[0] and "Traceback" not in err
