"""`init` from the book as narrators receive it: one book — The Revolution Betrayed, as the seed's
PDF dump plus its table of contents give it — written here as an EPUB 3 and 2, a DOCX with
heading styles and one with fake bold headings, a print PDF and a Project Gutenberg page, each
read back to the same 13 parts, sections, titles and words; a plain-text essay to its opening
and headed chapters; and bad files of each kind answered with exit 2, never a traceback."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audiobook.book import parse_book, read_book
from audiobook.cli import main
from audiobook.manifest import load_manifest
from audiobook.manifest.write import init_manifest
from tests.book import made_books as made

SHAPES = {
    "epub3": lambda book, p: made.write_epub(book, p / "book.epub", 3),
    "epub2": lambda book, p: made.write_epub(book, p / "book.epub", 2),
    "docx": lambda book, p: made.write_docx(book, p / "manuscript.docx"),
    "docx-fake-headings": lambda book, p: made.write_docx(book, p / "manuscript.docx", fake_headings=True),
    "pdf": lambda book, p: made.write_pdf(book, p / "book.pdf"),
    "html": lambda book, p: made.write_html(book, p / "book.html"),
}


@pytest.fixture(scope="module")
def seed_book(pdf_dump, summary_md):
    """What init makes of the PDF dump with its table of contents today: the reference."""
    book = read_book(pdf_dump, toc=summary_md)
    assert len(book.parts) == 13
    return book


def _words(book) -> list[str]:
    return re.findall(r"[^\W_]+(?:['’\-][^\W_]+)*", " ".join(p.full_text for p in book.parts))


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_of_the_book_reads_to_the_same_parts_sections_and_words(seed_book, tmp_path, shape):
    book = read_book(SHAPES[shape](seed_book, tmp_path))
    assert made.outline(book) == made.outline(seed_book)  # 13 parts, their titles, their sections' titles
    assert book.title == "The Revolution Betrayed"
    for got, want in zip(book.parts, seed_book.parts):
        assert got.words == pytest.approx(want.words, rel=0.02), got.display_title
        for n, s in enumerate(got.sections):
            assert s.words == pytest.approx(made.words_of(made.section_text(want, n)), rel=0.02, abs=3), s.title
    text = " ".join(p.full_text for p in book.parts)
    for not_read in (made.NOTE, "Copyright 1937", "bureaucracy, 12", "Project Gutenberg", "struck words",
                     "Check this", "Microsoft Word"):
        assert not_read not in text
    # word for word the same text: no page furniture, no word left broken by a line-end hyphen
    seed_words, words = _words(seed_book), _words(book)
    assert len(set(words) - set(seed_words)) <= 3, sorted(set(words) - set(seed_words))[:10]


def test_the_pdf_without_furniture_or_hyphens(seed_book, tmp_path):
    pdf = made.write_pdf(seed_book, tmp_path / "book.pdf")
    text = " ".join(p.full_text for p in read_book(pdf).parts)
    assert not re.search(r"\b\d{1,3}\b\s+The Revolution Betrayed", text)  # page number then the running header
    seed_text = " ".join(p.full_text for p in seed_book.parts)
    assert text.count("The Revolution Betrayed") == seed_text.count("The Revolution Betrayed")
    broken = [w for w in re.findall(r"\b[a-z]+-[a-z]+\b", text) if w not in seed_text]
    assert len(broken) <= 1, broken  # line-end hyphens rejoined ("stateism", split once, may keep its hyphen)


def test_the_essay_shape_gives_its_opening_and_headed_chapters(seed_book, tmp_path):
    essay = made.write_essay(seed_book, tmp_path / "essay.txt")
    book = read_book(essay)
    titles = [line for line in essay.read_text().split("\n\n\n")[1:]]
    headed = [t.strip().split("\n")[0] for t in titles]
    assert book.title == "The Revolution Betrayed"
    assert [p.kind for p in book.parts] == ["opening"] + ["chapter"] * 12
    assert [p.title for p in book.parts[1:]] == headed
    assert "Whither the Soviet Union?" in headed and '"Socialism in one country"' in headed
    assert not any(p.title and p.title.startswith(("1)", "2)", "But what", "“Who")) for p in book.parts)
    text = " ".join(p.full_text for p in book.parts)
    assert "Free and democratic elections" in text and "But what is the situation now?" in text
    assert "Who will guard the guards?" in text
    assert book.words == pytest.approx(seed_book.words, rel=0.02)
    for got, want in zip(book.parts, seed_book.parts):
        assert got.words == pytest.approx(want.words, rel=0.02)


def test_a_short_story_with_dialogue_and_lists_is_not_cut_into_chapters():
    text = "\n\n".join(["A Day Out", "We left early. " * 20, "“Where are we going?”", "Nobody knew. " * 20,
                        "Things to bring", "Bread and cheese", "A map", "We walked on. " * 20, "Then it rained."])
    book = parse_book(text)
    assert len(book.parts) == 1 and "no chapter headings found" in str(book.warnings[-1])


HEADINGS = st.lists(st.text(alphabet="abcdefghij klmnop", min_size=3, max_size=40).map(lambda t: " ".join(t.split()))
                    .filter(lambda t: len(t) >= 3).map(lambda t: t[0].upper() + t[1:]),
                    min_size=2, max_size=8, unique=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HEADINGS, st.integers(min_value=40, max_value=120))
def test_an_essay_of_any_headings_is_cut_at_each(headings, words):
    prose = " ".join(["Some words of the essay stand here"] * (words // 7)) + "."
    text = "\n\n".join(["An Essay", prose] + [x for h in headings for x in (h, prose, prose)])
    book = parse_book(text)
    assert [p.title for p in book.parts if p.kind == "chapter"] == headings
    assert book.parts[0].kind == "opening" and book.words == parse_book(text).words


# -- init from each shape ------------------------------------------------------------------

def test_init_from_an_epub_takes_its_cover_and_names_what_it_left_out(seed_book, tmp_path):
    rec = tmp_path / "rec"
    rec.mkdir()
    path, manifest, book = init_manifest(rec, made.write_epub(seed_book, tmp_path / "book.epub"))
    loaded, _ = load_manifest(path)
    assert loaded.book.cover == "book/cover.jpg" and (rec / "book/cover.jpg").read_bytes() == made.JPEG
    assert any("cover: cover.jpg: 1x1 px" in str(w) for w in book.warnings)  # check's size rule
    text = path.read_text()
    assert "# Left out of the narration" in text and "#   Copyright page" in text and "#   Index" in text
    assert len(loaded.chapters) == 13 and loaded.book.author == "Leon Trotsky"


@pytest.mark.parametrize("shape", ["pdf", "docx-fake-headings"])
def test_init_on_the_command_line(seed_book, tmp_path, shape, capsys):
    rec = tmp_path / "rec"
    rec.mkdir()
    source = SHAPES[shape](seed_book, tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(["init", str(rec), "--book", str(source)])
    assert exit_.value.code == 0, capsys.readouterr().err
    loaded, _ = load_manifest(rec)
    assert [c.title for c in loaded.chapters] == [p.title or p.label for p in seed_book.parts]
    assert [len(c.sections) for c in loaded.chapters] == [len(made.sections(p)) for p in seed_book.parts]
    assert yaml.safe_load((rec / "manifest.yaml").read_text())["book"]["text"] == f"book/{source.name}"


def test_where_the_table_of_contents_disagrees_the_heading_wins(seed_book, tmp_path):
    epub = made.write_epub(seed_book, tmp_path / "book.epub")
    wrong = tmp_path / "wrong.epub"
    with zipfile.ZipFile(epub) as src, zipfile.ZipFile(wrong, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith("nav.xhtml"):
                data = data.replace(b">Chapter 3: Socialism and the State<", b">Chapter 3: The State Withers<")
            dst.writestr(item, data)
    book = read_book(wrong)
    assert book.parts[3].display_title == "Chapter 3: Socialism and the State"
    assert any('calls part03.xhtml "Chapter 3: The State Withers"' in str(w) for w in book.warnings)


# -- bad input -----------------------------------------------------------------------------

def _refused(tmp_path, book: Path, capsys) -> str:
    rec = tmp_path / "rec"
    rec.mkdir(exist_ok=True)
    with pytest.raises(SystemExit) as exit_:
        main(["init", str(rec), "--book", str(book)])
    err = capsys.readouterr().err
    assert exit_.value.code == 2, err
    assert "Traceback" not in err and str(book) in err
    assert not (rec / "manifest.yaml").exists()
    return err


def _with(epub: Path, out: Path, name: str, data: str) -> Path:
    with zipfile.ZipFile(epub) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr(name, data)
    return out


ENCRYPTION = ('<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
              'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:EncryptionMethod Algorithm="{alg}"/>'
              '<enc:CipherData><enc:CipherReference URI="{uri}"/></enc:CipherData></enc:EncryptedData></encryption>')


def test_a_drm_protected_epub_is_refused_by_name(seed_book, tmp_path, capsys):
    epub = made.write_epub(seed_book, tmp_path / "book.epub")
    drm = _with(epub, tmp_path / "drm.epub", "META-INF/encryption.xml",
                ENCRYPTION.format(alg="http://www.w3.org/2001/04/xmlenc#aes128-cbc", uri="OEBPS/part01.xhtml"))
    assert "protected by DRM: use the publisher's manuscript" in _refused(tmp_path, drm, capsys)
    fonts = _with(epub, tmp_path / "fonts.epub", "META-INF/encryption.xml",
                  ENCRYPTION.format(alg="http://www.idpf.org/2008/embedding", uri="OEBPS/fonts/serif.otf"))
    assert len(read_book(fonts).parts) == 13  # obfuscated fonts are not DRM


def test_a_scanned_pdf_without_text_is_refused(tmp_path, capsys):
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    scan = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(scan), pagesize=A5)
    for _ in range(3):
        for y in range(60, 560, 14):  # lines of "print" as a scan has them: pictures, not text
            c.rect(50, y, 320, 6, fill=1)
        c.showPage()
    c.save()
    assert "this PDF has no text (a scan" in _refused(tmp_path, scan, capsys)


def test_a_password_protected_pdf_is_refused(seed_book, tmp_path, capsys):
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    locked = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(locked), encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(50, 700, "Chapter 1: What Has Been Achieved " * 3)
    c.showPage()
    c.save()
    assert "protected" in _refused(tmp_path, locked, capsys)


@pytest.mark.parametrize("shape", ["epub3", "docx", "pdf"])
def test_a_cut_short_or_damaged_file_is_refused_naming_it(seed_book, tmp_path, shape, capsys):
    whole = SHAPES[shape](seed_book, tmp_path)
    data = whole.read_bytes()
    for n, bad in enumerate((data[: len(data) // 3], data[:200], b"\0" * 5000, data[:1000] + b"garbage" * 300)):
        path = tmp_path / f"bad{n}{whole.suffix}"
        path.write_bytes(bad)
        err = _refused(tmp_path, path, capsys)
        assert "error:" in err and ("damaged" in err or "cut short" in err or "no text" in err), err


@pytest.mark.parametrize("shape", ["epub3", "docx", "docx-fake-headings", "html", "pdf"])
def test_a_novel_whose_chapters_have_titles_and_no_numbers(tmp_path, shape):
    """No "Chapter" anywhere: the book's title over its chapters is the title, not one part
    holding every chapter as a section."""
    from audiobook.book.model import Book, Part, Section

    prose = ("She walked down to the harbour before dawn, counting the boats as the light came up over "
             "the water, and wondered which of them would carry her away. ")
    titles = ["The Boy Who Lived", "A Letter from Nowhere", "The Keeper of the Keys", "Diagon Alley"]
    novel = Book(parts=[Part(kind="chapter", number=n + 1, title=t, text=prose * (3 + n),
                             sections=[Section(title="Later That Night", text=prose * 2)])
                        for n, t in enumerate(titles)])
    book = read_book(SHAPES[shape](novel, tmp_path))
    assert book.title == "The Revolution Betrayed"  # (the writers' title page)
    assert [p.title for p in book.parts] == titles
    assert [[s.title for s in p.sections] for p in book.parts] == [["Later That Night"]] * 4
    assert [p.words for p in book.parts] == pytest.approx([p.words for p in novel.parts], rel=0.02)


def test_a_drop_cap_is_put_back_in_its_word(tmp_path):
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    path = tmp_path / "dropcap.pdf"
    c = canvas.Canvas(str(path), pagesize=A5)
    for title in ("Chapter 1: The Start", "Chapter 2: The End"):
        c.setFont("Times-Bold", 16)
        c.drawString(50, 520, title)
        c.setFont("Times-Roman", 36)
        c.drawString(50, 470, "T")  # the first letter, three lines high
        c.setFont("Times-Roman", 10)
        for k, line in enumerate(["he bourgeois world at first tried to pretend not to notice the",
                                  "economic successes of the Soviet regime, and then it changed",
                                  "its mind and spoke of little else for a good many years."]):
            c.drawString(80, 490 - 13 * k, line)
        c.drawString(50, 440, "Another paragraph follows it here, to make the page a page of text.")
        c.showPage()
    c.save()
    book = read_book(path)
    assert [p.display_title for p in book.parts] == ["Chapter 1: The Start", "Chapter 2: The End"]
    assert book.parts[0].text.startswith("The bourgeois world at first")


def test_an_essays_title_byline_and_subtitle_open_it_and_are_not_chapters():
    prose = "The argument of this part is laid out here at length, with its evidence and its doubts. " * 4
    text = "\n\n".join(["Whither Europe", "By Leon Trotsky", "A Study of the Crisis", prose, prose,
                        "The second question", prose, "And a last one", prose])
    book = parse_book(text)
    assert book.title == "Whither Europe"
    assert [(p.kind, p.title) for p in book.parts] == [("opening", None), ("chapter", "The second question"),
                                                       ("chapter", "And a last one")]
    assert book.parts[0].text.startswith("By Leon Trotsky\n\nA Study of the Crisis\n\nThe argument")


# -- the book's own labels -------------------------------------------------------------------

SONNETS = ["From fairest creatures we desire increase,\nThat thereby beauty's rose might never die,\n"
           "But as the riper should by time decease,\nHis tender heir might bear his memory:",
           "When forty winters shall besiege thy brow,\nAnd dig deep trenches in thy beauty's field,\n"
           "Thy youth's proud livery, so gazed on now,\nWill be a tattered weed, of small worth held:",
           "Look in thy glass and tell the face thou viewest\nNow is the time that face should form another;\n"
           "Whose fresh repair if now thou not renewest,\nThou dost beguile the world, unbless some mother."]
PROSE = ("She walked down to the harbour before dawn, counting the boats as the light came up over the water, "
         "and wondered which of them would carry her away. ")


def _labelled_books():
    from audiobook.book.model import Book, Part, Section

    sonnets = Book(parts=[Part(kind="sonnet", number=n + 1, title=f"Sonnet {r}", text=SONNETS[n])
                          for n, r in enumerate(["I", "II", "III"])])
    numbered = Book(parts=[
        Part(kind="chapter", title="3.2 Biographical background", text=PROSE * 3),
        Part(kind="chapter", title="3.3 The market in St Ovid's Square", text=PROSE * 3),
        Part(kind="chapter", title="3.9 Abroad", text=PROSE * 2,
             sections=[Section("3.9.1 Paris", PROSE * 2), Section("3.9.2 Berlin", PROSE * 2)])])
    labels = Book(parts=[Part(kind=kind, number=2, title=f"{label}: The Long Road", text=PROSE * 3)
                         for kind, label in [("canto", "Canto II"), ("letter", "Letter 4"), ("stave", "Stave One"),
                                             ("book", "Book III"), ("act", "Act V")]])
    return {"sonnets": sonnets, "numbered": numbered, "labels": labels}


LABEL_SHAPES = {**SHAPES, "text": lambda book, p: made.write_text(book, p / "book.txt"),
                "markdown": lambda book, p: made.write_text(book, p / "book.md", markdown=True)}


@pytest.mark.parametrize("which", ["sonnets", "numbered", "labels"])
@pytest.mark.parametrize("shape", LABEL_SHAPES)
def test_the_books_own_labels_come_out_of_every_shape_as_printed(tmp_path, shape, which):
    """"Sonnet II", "Stave One: ...", "3.9.2 Berlin": the book's labels are the titles, numbering and
    case as printed; the title line above them is the book's title, never a part or an opening."""
    from audiobook.manifest.write import chapters_from_book
    from audiobook.plan.planner import chapter_title

    want = _labelled_books()[which]
    assert [p.display_title for p in want.parts] == [p.title for p in want.parts]  # what the writers print
    book = read_book(LABEL_SHAPES[shape](want, tmp_path))
    assert book.title == "The Revolution Betrayed"
    assert made.outline(book) == made.outline(want)
    assert [chapter_title(c) for c in chapters_from_book(book)] == [p.title for p in want.parts]  # as printed
    assert [p.words for p in book.parts] == [p.words for p in want.parts]
