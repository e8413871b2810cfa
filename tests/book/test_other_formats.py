"""`init --book` from the book as narrators receive it: EPUB 3 and 2, DOCX, and HTML (Project
Gutenberg) — files made here as those tools make them, read into chapters, sections, words and
the book's metadata, front and back matter left out, notes not read."""

from __future__ import annotations

from pathlib import Path

from audiobook.book import read_book
from audiobook.book.model import Book, Part, Section
from audiobook.manifest import load_manifest
from audiobook.manifest.write import init_manifest
from tests.book import made_books as made

CHAPTERS = [("Chapter 1: What Has Been Achieved", [("The Principal Indices", "Owing to the insignificance of the "
             "Russian bourgeoisie the democratic tasks could be achieved only through a dictatorship.")]),
            ("Chapter 2: Economic Growth", [("A Sharp Turn", "The line of development of the Soviet economy is far "
             "from an uninterrupted and evenly rising curve."), ("Military Communism", "In the first eighteen "
             "years of the new regime you can clearly distinguish several stages.")])]


SMALL = Book(parts=[Part(kind="chapter", number=int(t.split()[1].rstrip(":")), title=t.split(": ", 1)[1],
                         text=f"Opening words of {t.split(':')[0].lower()} stand here before its sections.",
                         sections=[Section(title=s, text=x) for s, x in secs]) for t, secs in CHAPTERS])


def _epub(path: Path, version: int = 3) -> Path:
    return made.write_epub(SMALL, path, version)


def _expect(book) -> None:
    assert [p.display_title for p in book.parts] == ["Chapter 1: What Has Been Achieved", "Chapter 2: Economic Growth"]
    assert [[s.title for s in p.sections] for p in book.parts] == [["The Principal Indices"],
                                                                   ["A Sharp Turn", "Military Communism"]]
    text = " ".join(p.full_text for p in book.parts)
    assert "note the narrator does not read" not in text and "Copyright" not in text and "bureaucracy, 12" not in text
    assert book.parts[1].sections[1].words == len(CHAPTERS[1][1][1][1].split())  # its words, no note


def _expect_left_out(book) -> None:
    """Front and back matter by name, and the notes' words: each of the three sections has its note."""
    assert [(x.name, x.why) for x in book.left_out] == [
        ("Cover", "front matter"), ("The Revolution Betrayed", "front matter"), ("Copyright page", "front matter"),
        ("Index", "back matter"), ("notes in the text", "notes")]
    assert book.left_out[-1].words == 3 * made.words_of(made.NOTE)
    assert book.left_out[2].words == made.words_of("Copyright 1937. All rights reserved.")


def test_an_epub3_reads_into_chapters_sections_and_metadata(tmp_path):
    book = read_book(_epub(tmp_path / "book.epub", 3))
    _expect(book)
    assert book.title == "The Revolution Betrayed"
    assert book.metadata["author"] == "Leon Trotsky" and book.metadata["isbn"] == "9780873488655"
    _expect_left_out(book)  # the title page by its title
    assert "left out of the narration as front or back matter: Cover" in str(book.warnings[-1])


def test_an_epub2_with_an_ncx_and_a_guide(tmp_path):
    book = read_book(_epub(tmp_path / "book.epub", 2))
    _expect(book)
    _expect_left_out(book)


def test_init_from_an_epub_writes_a_manifest_that_loads_with_its_metadata(tmp_path):
    rec = tmp_path / "rec"
    rec.mkdir()
    path, manifest, book = init_manifest(rec, _epub(tmp_path / "book.epub"))
    loaded, _ = load_manifest(path)
    assert loaded.book.title == "The Revolution Betrayed" and loaded.book.author == "Leon Trotsky"
    assert loaded.book.publisher == "Pathfinder" and loaded.book.year == 1937 and loaded.book.language == "en"
    assert loaded.book.text == "book/book.epub" and [c.id for c in loaded.chapters] == ["chapter-01", "chapter-02"]
    assert read_book(rec / loaded.book.text).words == book.words  # the build reads the EPUB itself again


def _docx(path: Path) -> Path:
    return made.write_docx(SMALL, path)


def test_a_docx_reads_its_heading_styles_by_name_and_its_text_as_now_read(tmp_path):
    book = read_book(_docx(tmp_path / "manuscript.docx"))  # style ids as a German Word names them
    _expect(book)
    assert book.title == "The Revolution Betrayed"
    assert "cut words" not in " ".join(p.full_text for p in book.parts)


def test_a_gutenberg_html_book_without_its_licence(tmp_path):
    book = read_book(made.write_html(SMALL, tmp_path / "book.html"))
    _expect(book)
    assert book.title == "The Revolution Betrayed"
    assert "Project Gutenberg" not in " ".join(p.full_text for p in book.parts)
