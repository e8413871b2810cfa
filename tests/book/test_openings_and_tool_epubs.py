"""Book files as publishers really make them (issue 26): an EPUB from a common conversion tool — one
file per chapter, the first holding the book's title and the opening, chapters headed `h2` with
bare titles, endnotes — read as one chapter a file; text before the first heading an opening in
every format; and what was left out named, with its words."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile

import pytest

from audiobook.book import read_book
from audiobook.book.headings import smart_title
from tests.book import made_books as made
from tests.book.test_every_shape import SHAPES
from tests.test_cli_init import _invoke

OPENING_SHAPES = {**SHAPES, "text": lambda book, p: made.write_text(book, p / "book.txt"),
                  "markdown": lambda book, p: made.write_text(book, p / "book.md", markdown=True)}


@pytest.fixture(scope="module")
def opened(pdf_dump, summary_md):
    """The seed book with its introduction as an opening: text under the title, no heading of its own."""
    return made.with_opening(read_book(pdf_dump, toc=summary_md))


def _all_titles(book) -> list[str]:
    return [t for p in book.parts for t in (p.display_title, *(s.title for s in p.sections))]


@pytest.mark.parametrize("version", [3, 2])
def test_a_tool_made_epub_is_one_chapter_a_file_after_its_opening(opened, tmp_path, version):
    book = read_book(made.write_tool_epub(opened, tmp_path / "book.epub", version))
    assert [p.kind for p in book.parts] == ["opening"] + ["chapter"] * (len(opened.parts) - 1)
    assert book.parts[0].display_title == "Opening"
    assert [p.title for p in book.parts[1:]] == [smart_title(p.title) for p in opened.parts[1:]]
    assert [[s.title for s in p.sections] for p in book.parts[1:]] == [
        [s.title for s in made.sections(p)] for p in opened.parts[1:]]
    for got, want in zip(book.parts, opened.parts):
        assert got.words == pytest.approx(want.words, rel=0.02), got.display_title
    assert not any(re.search(r"\bnotes?\b", t, re.IGNORECASE) for t in _all_titles(book))  # endnotes: never sections
    assert made.NOTE not in " ".join(p.full_text for p in book.parts)
    left = {x.name: x.why for x in book.left_out}
    assert left["Notes"] == "notes" and left["Contents"] == "front matter" and left["Cover"] == "front matter"
    assert left["Copyright" if version == 2 else "Copyright page"] == "front matter"
    assert left["The Revolution Betrayed"] == "front matter"  # the title page


@pytest.mark.parametrize("shape", OPENING_SHAPES)
def test_text_before_the_first_heading_is_the_opening(opened, tmp_path, shape):
    book = read_book(OPENING_SHAPES[shape](opened, tmp_path))
    assert book.parts[0].kind == "opening" and book.parts[0].display_title == "Opening"
    assert book.parts[0].words == pytest.approx(opened.parts[0].words, rel=0.02)
    if shape == "text":  # plain text's sections are found by rules of their own (a wrapped line is no heading)
        assert [p.display_title for p in book.parts[1:]] == [p.display_title for p in opened.parts[1:]]
    else:
        assert made.outline(book)[1:] == made.outline(opened)[1:]
    assert book.words == pytest.approx(opened.words, rel=0.02)


def _body_words(epub) -> int:
    """Every word of the EPUB's XHTML bodies but the navigation document's, counted without our parser."""
    total = 0
    with zipfile.ZipFile(epub) as z:
        for name in z.namelist():
            if name.endswith(".xhtml") and not name.endswith("nav.xhtml"):
                body = ET.fromstring(z.read(name)).find("{http://www.w3.org/1999/xhtml}body")
                text = " ".join(body.itertext())
                total += len(re.findall(r"[^\W_]+(?:['’\-][^\W_]+)*", re.sub(r"\[\d+\]|↩", " ", text)))
    return total


def test_init_prints_the_words_kept_and_left_out_by_name_and_they_add_up(opened, tmp_path):
    epub = made.write_tool_epub(opened, tmp_path / "book.epub", 3)
    rec = tmp_path / "rec"
    rec.mkdir()
    code, out, err = _invoke(["init", str(rec), "--book", str(epub)])
    assert code == 0, err
    m = re.search(r"words: ([\d,]+) read, ([\d,]+) left out: (.+)", out)
    assert m, out
    kept, left = int(m[1].replace(",", "")), int(m[2].replace(",", ""))
    assert "Notes (" in m[3] and "Copyright" in m[3] and "Contents" in m[3]
    assert kept == pytest.approx(opened.words, rel=0.02)
    assert kept + left == pytest.approx(_body_words(epub), rel=0.02)  # headings are the difference


PARTS_OVER_CHAPTERS = ("<html><body><h1>Treasure Island</h1><p>by Robert Louis Stevenson</p>"
                       "<h2>Part I: The Old Buccaneer</h2><h3>I: At the Admiral Benbow</h3><p>{a}</p>"
                       "<h3>II: Black Dog Appears and Disappears</h3><p>{a}</p>"
                       "<h2>Part II: The Sea-Cook</h2><h3>III: I Go to Bristol</h3><p>{a}</p></body></html>")
PARAGRAPH = "Squire Trelawney, Doctor Livesey, and the rest of these gentlemen having asked me to write it down."


def test_parts_over_chapters_headed_without_a_keyword_are_groups_of_chapters(tmp_path):
    page = tmp_path / "treasure.html"
    page.write_text(PARTS_OVER_CHAPTERS.format(a=PARAGRAPH), encoding="utf-8")
    book = read_book(page)
    assert [(p.kind, p.number, p.title, p.group) for p in book.parts] == [
        ("chapter", 1, "At the Admiral Benbow", "Part 1: The Old Buccaneer"),
        ("chapter", 2, "Black Dog Appears and Disappears", "Part 1: The Old Buccaneer"),
        ("chapter", 3, "I Go to Bristol", "Part 2: The Sea-Cook")]
    assert [p.words for p in book.parts] == [made.words_of(PARAGRAPH)] * 3


def test_an_older_gutenberg_page_ends_where_its_end_line_stands_inside_the_licence(tmp_path):
    page = tmp_path / "alice.html"
    page.write_text("<html><body><pre>*** START OF THIS PROJECT GUTENBERG EBOOK ALICE ***</pre>"
                    f"<h2>CHAPTER I. Down the Rabbit-Hole</h2><p>{PARAGRAPH}</p><h2>CHAPTER II. The Pool of Tears</h2>"
                    f"<p>{PARAGRAPH}</p><pre>End of Project Gutenberg's Alice's Adventures in Wonderland\n\n"
                    "*** END OF THIS PROJECT GUTENBERG EBOOK ALICE ***\n\nUpdated editions will replace the "
                    "previous one.</pre></body></html>", encoding="utf-8")
    book = read_book(page)
    assert [p.display_title for p in book.parts] == ["Chapter 1: Down the Rabbit-Hole", "Chapter 2: The Pool of Tears"]
    assert "Updated editions" not in book.parts[-1].full_text


def test_a_heading_read_before_the_first_act_is_a_part_of_its_own(tmp_path):
    page = tmp_path / "hamlet.html"
    cast = "".join(f"<li><p>{who}</p></li>" for who in ("Claudius, king of Denmark", "Hamlet, son to the late king",
                                                        "Polonius, lord chamberlain"))
    page.write_text(f"<html><body><h1>Hamlet</h1><h2>By William Shakespeare</h2><h2>Contents</h2><p>Act I</p><p>Act II</p>"
                    f"<h2>Dramatis Personae</h2><ul>{cast}</ul><h2>Act I</h2><p>{PARAGRAPH}</p>"
                    f"<h2>Act II</h2><p>{PARAGRAPH}</p></body></html>", encoding="utf-8")
    book = read_book(page)
    assert [p.display_title for p in book.parts] == ["Chapter 1: Dramatis Personae", "Act I", "Act II"]
    assert book.parts[0].words == made.words_of("Claudius, king of Denmark Hamlet, son to the late king Polonius, "
                                                "lord chamberlain")
    assert [(x.name, x.words) for x in book.left_out] == [("Contents", 4)]


LICENCE = ("The Project Gutenberg EBook of Alice's Adventures in Wonderland, by Lewis Carroll\n\nThis eBook is for the "
           "use of anyone anywhere at no cost and with almost no restrictions whatsoever.\n\n")


def test_a_gutenberg_text_or_pdf_is_read_without_its_licence(tmp_path):
    text = (LICENCE + "*** START OF THIS PROJECT GUTENBERG EBOOK ALICE'S ADVENTURES IN\nWONDERLAND ***\n\n"
            f"CHAPTER I. Down the Rabbit-Hole\n\n{PARAGRAPH}\n\nCHAPTER II. The Pool of Tears\n\n{PARAGRAPH}\n\n"
            "End of Project Gutenberg's Alice's Adventures in Wonderland\n\n*** END OF THIS PROJECT GUTENBERG EBOOK "
            "ALICE'S ADVENTURES IN WONDERLAND ***\n\nUpdated editions will replace the previous one.\n")
    path = tmp_path / "alice.txt"
    path.write_text(text, encoding="utf-8")
    book = read_book(path)
    assert [p.display_title for p in book.parts] == ["Chapter 1: Down the Rabbit-Hole", "Chapter 2: The Pool of Tears"]
    read = " ".join(p.full_text for p in book.parts)
    assert "eBook is for the use" not in read and "Updated editions" not in read and "WONDERLAND" not in read
    assert book.parts[0].words == made.words_of(PARAGRAPH)


def _numeral_chapters_pdf(path):
    """A print edition whose chapters are headed by a numeral alone ("I", set large at a page's top,
    under a running header that repeats it small), the first after a Preface."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A5, invariant=1)
    c.setFont("Times-Bold", 22)
    c.drawCentredString(210, 400, "Dracula")
    c.showPage()
    for page, heading in enumerate(["Preface", "I", "II", "III"], 2):
        c.setFont("Times-Italic", 8)
        c.drawString(50, 560, heading)
        c.setFont("Times-Bold", 15)
        c.drawString(50, 530, heading)
        c.setFont("Times-Roman", 10)
        for n in range(12):
            c.drawString(50, 500 - 13 * n, "Left Munich at half past eight on the first of May, arriving at Vienna.")
        c.setFont("Times-Roman", 8)
        c.drawCentredString(210, 35, str(page))
        c.showPage()
    c.save()
    return path


def test_chapters_headed_by_a_numeral_alone_in_print_beside_a_preface(tmp_path):
    book = read_book(_numeral_chapters_pdf(tmp_path / "dracula.pdf"))
    assert [p.display_title for p in book.parts] == ["Preface", "Chapter 1", "Chapter 2", "Chapter 3"]
    assert [p.words for p in book.parts] == [12 * made.words_of("Left Munich at half past eight on the first of May, "
                                                                "arriving at Vienna.")] * 4


def test_an_epub_whose_contents_point_inside_one_file_is_read_by_its_headings(tmp_path):
    """Poems in one file, each listed by its place: the table of contents does not list files one by
    one, so the headings decide, as before."""
    poems = "".join(f'<section id="p{n}"><h2>{t}</h2><p>{PARAGRAPH}</p></section>'
                    for n, t in enumerate(["Mending Wall", "Home Burial", "The Code"]))
    nav = made._xhtml('<nav epub:type="toc"><ol>' + "".join(
        f'<li><a href="poems.xhtml#p{n}">{t}</a></li>' for n, t in enumerate(["Mending Wall", "Home Burial", "The Code"]))
        + "</ol></nav>")
    opf = ('<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>North of Boston</dc:title></metadata><manifest>'
           '<item id="poems" href="poems.xhtml" media-type="application/xhtml+xml"/>'
           '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/></manifest>'
           '<spine><itemref idref="poems"/></spine></package>')
    path = tmp_path / "poems.epub"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:'
                   'opendocument:xmlns:container"><rootfiles><rootfile full-path="content.opf" media-type="application/'
                   'oebps-package+xml"/></rootfiles></container>')
        z.writestr("content.opf", opf)
        z.writestr("nav.xhtml", nav)
        z.writestr("poems.xhtml", made._xhtml(poems))
    book = read_book(path)
    assert [p.title for p in book.parts] == ["Mending Wall", "Home Burial", "The Code"]
    assert [p.words for p in book.parts] == [made.words_of(PARAGRAPH)] * 3
