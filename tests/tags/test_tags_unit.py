from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from mutagen.flac import FLAC
from mutagen.id3 import ID3

from audiobook.errors import InputError
from audiobook.formats import write_tags
from audiobook.render.encode import Encoder
from audiobook.tags import Chapter, TrackTags
from audiobook.tags.metadata import read_cover
from tests.signals import png


def _tags(**kw):
    return TrackTags(title="Chapter 1: Tom & Jerry <live> — ü", album="Book", artist="Author", narrator="Reader",
                     track=1, tracks=2, year=2026, language="en",
                     chapters=[Chapter("Chapter 1", 0.0, 1.0), Chapter("Part two", 1.0, 2.0)], **kw)


def _encode(tmp_path, fmt):
    path = tmp_path / f"t.{fmt}"
    enc = Encoder(path, fmt, 44100, 1, 192)
    enc.write(np.random.default_rng(0).standard_normal((88200, 1)) * 0.05)
    enc.close()
    return path


def test_id3_v24_and_unicode_titles(tmp_path):
    path = _encode(tmp_path, "mp3")
    write_tags(path, _tags(), id3_version=4)
    tags = ID3(str(path))
    assert tags.version == (2, 4, 0) and str(tags["TIT2"]) == "Chapter 1: Tom & Jerry <live> — ü"
    assert [c.element_id for c in tags.getall("CHAP")] == ["chp0", "chp1"]
    assert str(tags["TLAN"]) == "eng"


def test_flac_gets_vorbis_comments_chapters_and_picture(tmp_path):
    path = _encode(tmp_path, "flac")
    write_tags(path, _tags(cover=png(1400, 1400), cover_mime="image/png"))
    f = FLAC(str(path))
    assert f["title"] == ["Chapter 1: Tom & Jerry <live> — ü"] and f["narrator"] == ["Reader"]
    assert f["CHAPTER002"] == ["00:00:01.000"] and f["CHAPTER002NAME"] == ["Part two"]
    assert f.pictures[0].type == 3 and sf.info(str(path)).frames == 88200


def test_cover_checks(tmp_path):
    good = tmp_path / "good.png"
    good.write_bytes(png(1400, 1400))
    assert read_cover(good)[1:] == ("image/png", [])
    wide = tmp_path / "wide.png"
    wide.write_bytes(png(800, 600))
    warnings = read_cover(wide)[2]
    assert any("not square" in w for w in warnings) and any("1400 to 3000" in w for w in warnings)
    bad = tmp_path / "cover.gif"
    bad.write_bytes(b"GIF89a....")
    with pytest.raises(InputError, match="not a JPEG or PNG"):
        read_cover(bad)
