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


def test_a_flac_cue_sheet_is_read_as_its_chapters(tmp_path):
    import json

    from mutagen.flac import FLAC, CueSheet, CueSheetTrack, CueSheetTrackIndex

    path = tmp_path / "book.flac"
    noise = np.random.default_rng(2).standard_normal((44100 * 30, 1)) * 0.05
    sf.write(str(path), noise.astype(np.float32), 44100, subtype="PCM_16")
    audio = FLAC(str(path))
    sheet = CueSheet(None)
    sheet.media_catalog_number, sheet.lead_in_samples, sheet.compact_disc = b"", 88200, True
    sheet.tracks = []
    for n, start in enumerate((0, 10, 20), 1):
        track = CueSheetTrack(n, start * 44100)
        track.indexes = [CueSheetTrackIndex(1, 0)]
        sheet.tracks.append(track)
    lead_out = CueSheetTrack(170, 30 * 44100)
    lead_out.indexes = []
    sheet.tracks.append(lead_out)
    audio.metadata_blocks.append(sheet)
    audio["CUESHEET"] = ['FILE "book.flac" WAVE\n  TRACK 01 AUDIO\n    TITLE "Opening"\n    INDEX 01 00:00:00\n'
                         '  TRACK 02 AUDIO\n    TITLE "Middle"\n    INDEX 01 00:10:00\n  TRACK 03 AUDIO\n'
                         '    INDEX 01 00:20:00\n']
    audio.save()
    code, out, err = _invoke(["check", str(path), "--json"])
    (summary,) = json.loads(out)["files"]
    assert [(c["title"], c["start_s"], c["end_s"], c["form"]) for c in summary["chapters"]] == [
        ("Opening", 0.0, 10.0, "cuesheet"), ("Middle", 10.0, 20.0, "cuesheet"), ("Track 3", 20.0, 30.0, "cuesheet")]
    assert "Traceback" not in err


def test_vorbis_chapters_as_other_tools_write_them(tmp_path):
    """Lower-case keys and MM:SS.sss stamps (the extension says HH:MM:SS.sss; not every tool does)."""
    from mutagen.oggvorbis import OggVorbis

    from audiobook.formats import read_chapters

    path = tmp_path / "book.ogg"
    noise = np.random.default_rng(4).standard_normal((44100 * 5, 1)) * 0.05
    sf.write(str(path), noise.astype(np.float32), 44100, format="OGG", subtype="VORBIS")
    audio = OggVorbis(str(path))
    audio["chapter001"], audio["chapter001name"] = ["00:00:00.000"], ["One"]
    audio["CHAPTER002"], audio["CHAPTER002NAME"] = ["00:02.500"], ["Two"]
    audio.save()
    chapters, problems = read_chapters(path)
    assert [(c.title, c.start_s) for c in chapters] == [("One", 0.0), ("Two", 2.5)] and problems == []
