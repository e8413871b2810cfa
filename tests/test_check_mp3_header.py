"""An MP3 whose Xing/Info header gives a wrong frame count (libmpg123: "Xing stream size off"):
`check` counts the frames, says the header is wrong, and judges runtime and markers by the file."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from audiobook.analysis import analyze_file
from audiobook.formats import write_tags
from audiobook.render.encode import Encoder
from audiobook.tags import Chapter, TrackTags
from tests.test_cli_init import _invoke


def _mp3_with_header_saying(tmp_path, frames: int):
    path = tmp_path / "book.mp3"
    enc = Encoder(path, "mp3", 44100, 1, 192)
    t = np.arange(44100 * 20) / 44100
    enc.write((0.1 * np.sin(2 * np.pi * 220 * t))[:, None])
    enc.close()
    write_tags(path, TrackTags(title="Book", album="Book", artist="A",
                               chapters=[Chapter("One", 0.0, 8.0), Chapter("Two", 8.0, 15.0),
                                         Chapter("Three", 15.0, 20.0)]))
    data = bytearray(path.read_bytes())
    at = data.index(b"Info")
    true_count = struct.unpack(">I", data[at + 8:at + 12])[0]
    data[at + 8:at + 12] = struct.pack(">I", frames)
    path.write_bytes(bytes(data))
    return path, true_count


def test_a_wrong_length_header_is_reported_and_the_file_measured_whole(tmp_path):
    path, frames = _mp3_with_header_saying(tmp_path, 40)  # says 1 s of a 20 s file
    assert analyze_file(path).duration_s == pytest.approx(20.0, abs=0.1)  # decoded whole, not where the header ends
    code, out, err = _invoke(["check", str(path), "--json"])
    findings = json.loads(out)["findings"]
    by = {f["check"]: f for f in findings}
    assert not by["length_header"]["passed"] and "0:01.0" in by["length_header"]["message"]
    assert f"{frames} frames" in by["length_header"]["limit"]
    assert by["runtime"]["value"].startswith("0:20.0")
    assert not any(f["check"] == "marker_inside" and not f["passed"] for f in findings)  # markers at 8 and 15 s
    assert code == 1 and "Traceback" not in err
    (summary,) = json.loads(out)["files"]
    assert summary["format"] == "mp3" and summary["runtime_s"] == pytest.approx(20.0, abs=0.1)
    assert summary["declared_runtime_s"] == pytest.approx(40 * 1152 / 44100, abs=0.01)
    assert [(c["title"], c["start_s"], c["form"]) for c in summary["chapters"]] == \
        [("One", 0.0, "id3"), ("Two", 8.0, "id3"), ("Three", 15.0, "id3")]


def test_a_right_length_header_passes(tmp_path):
    _, frames = _mp3_with_header_saying(tmp_path, 0)
    path, _ = _mp3_with_header_saying(tmp_path, frames)  # as the encoder wrote it
    code, out, err = _invoke(["check", str(path), "--json"])
    by = {f["check"]: f for f in json.loads(out)["findings"]}
    assert by["length_header"]["passed"] and by["runtime"]["value"].startswith("0:20.0")


def test_damaged_frames_are_one_line_not_the_decoders_raw_complaints(tmp_path, capfd):
    from audiobook.mp3frames import frames

    path, _ = _mp3_with_header_saying(tmp_path, 0)
    data = bytearray(path.read_bytes())
    for f in list(frames(path))[50:400:20]:  # their side information overwritten: "big_values too large"
        data[f.offset + 4:f.offset + 12] = b"\xff" * 8
    path.write_bytes(bytes(data))
    a = analyze_file(path)
    assert a.decoder_errors >= 10 and "big_values" in a.decoder_message
    assert a.true_peak_dbtp < 7.0 and a.rms_dbfs < -10  # the garbage the decoder makes of them left out
    assert "libmpg123" not in capfd.readouterr().err
    code, out, err = _invoke(["check", str(path), "--json"])
    (found,) = [f for f in json.loads(out)["findings"] if f["check"] == "damaged_frames"]
    assert not found["passed"] and "damaged MP3 frames, decoded around" in found["message"]
    assert "libmpg123" not in capfd.readouterr().err
