"""`init --book` from the book as narrators receive it: EPUB 3 and 2, DOCX, and HTML (Project
Gutenberg) — files made here as those tools make them, read into chapters, sections, words and
the book's metadata, front and back matter left out, notes not read."""

from __future__ import annotations

import zipfile
from pathlib import Path

from audiobook.book import read_book
from audiobook.manifest import load_manifest
from audiobook.manifest.write import init_manifest

CHAPTERS = [("Chapter 1: What Has Been Achieved", [("The Principal Indices", "Owing to the insignificance of the "
             "Russian bourgeoisie the democratic tasks could be achieved only through a dictatorship.")]),
            ("Chapter 2: Economic Growth", [("A Sharp Turn", "The line of development of the Soviet economy is far "
             "from an uninterrupted and evenly rising curve."), ("Military Communism", "In the first eighteen "
             "years of the new regime you can clearly distinguish several stages.")])]


def _xhtml(body: str, kind: str = "") -> str:
    attr = f' epub:type="{kind}"' if kind else ""
    return ('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" '
            'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>x</title></head>'
            f'<body{attr}>{body}</body></html>')


def _chapter(title: str, sections) -> str:
    body = f"<h1>{title}</h1><p>Opening words of {title.split(':')[0].lower()} stand here before its sections.</p>"
    for s, text in sections:
        body += (f'<h2>{s}</h2><p>{text}<sup><a epub:type="noteref" href="#n">1</a></sup></p>'
                 '<aside epub:type="footnote" id="n"><p>A note the narrator does not read.</p></aside>')
    return _xhtml(body)


def _epub(path: Path, version: int = 3) -> Path:
    files = {"OEBPS/cover.xhtml": _xhtml('<img src="c.jpg" alt="cover"/>', "cover"),
             "OEBPS/title.xhtml": _xhtml("<h1>The Revolution Betrayed</h1><p>Leon Trotsky</p>", "titlepage"),
             "OEBPS/copyright.xhtml": _xhtml("<p>Copyright 1937. All rights reserved.</p>", "copyright-page"),
             "OEBPS/ch1.xhtml": _chapter(*CHAPTERS[0]), "OEBPS/ch2.xhtml": _chapter(*CHAPTERS[1]),
             "OEBPS/index.xhtml": _xhtml("<h1>Index</h1><p>bureaucracy, 12, 40; kulak, 7</p>", "index")}
    nav = _xhtml('<nav epub:type="toc"><ol><li><a href="ch1.xhtml">Chapter 1: What Has Been Achieved</a></li>'
                 '<li><a href="ch2.xhtml">Chapter 2: Economic Growth</a></li></ol></nav>'
                 '<nav epub:type="landmarks"><ol><li><a epub:type="cover" href="cover.xhtml">Cover</a></li>'
                 '<li><a epub:type="bodymatter" href="ch1.xhtml">Start</a></li></ol></nav>')
    ncx = ('<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>'
           '<navPoint id="a"><navLabel><text>Chapter 1: What Has Been Achieved</text></navLabel>'
           '<content src="ch1.xhtml"/></navPoint><navPoint id="b"><navLabel><text>Chapter 2: Economic Growth</text>'
           '</navLabel><content src="ch2.xhtml"/></navPoint></navMap></ncx>')
    order = ["cover", "title", "copyright", "ch1", "ch2", "index"]
    manifest = "".join(f'<item id="{n}" href="{n}.xhtml" media-type="application/xhtml+xml"/>' for n in order)
    manifest += ('<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>' if version == 3
                 else '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>')
    guide = ('<guide><reference type="cover" href="cover.xhtml"/><reference type="title-page" href="title.xhtml"/>'
             '</guide>') if version == 2 else ""
    spine_toc = ' toc="ncx"' if version == 2 else ""
    opf = (f'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="{version}.0">'
           '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>The Revolution Betrayed</dc:title>'
           '<dc:creator>Leon Trotsky</dc:creator><dc:language>en</dc:language><dc:publisher>Pathfinder</dc:publisher>'
           '<dc:date>1937-05-01</dc:date><dc:identifier>urn:isbn:9780873488655</dc:identifier></metadata>'
           f'<manifest>{manifest}</manifest><spine{spine_toc}>'
           + "".join(f'<itemref idref="{n}"/>' for n in order) + f"</spine>{guide}</package>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:'
                   'tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" '
                   'media-type="application/oebps-package+xml"/></rootfiles></container>')
        z.writestr("OEBPS/content.opf", opf)
        z.writestr("OEBPS/nav.xhtml" if version == 3 else "OEBPS/toc.ncx", nav if version == 3 else ncx)
        for name, data in files.items():
            z.writestr(name, data)
    return path


def _expect(book) -> None:
    assert [p.display_title for p in book.parts] == ["Chapter 1: What Has Been Achieved", "Chapter 2: Economic Growth"]
    assert [[s.title for s in p.sections] for p in book.parts] == [["The Principal Indices"],
                                                                   ["A Sharp Turn", "Military Communism"]]
    text = " ".join(p.full_text for p in book.parts)
    assert "note the narrator does not read" not in text and "Copyright" not in text and "bureaucracy, 12" not in text
    assert book.parts[1].sections[1].words == len(CHAPTERS[1][1][1][1].split())  # its words, no note


def test_an_epub3_reads_into_chapters_sections_and_metadata(tmp_path):
    book = read_book(_epub(tmp_path / "book.epub", 3))
    _expect(book)
    assert book.title == "The Revolution Betrayed"
    assert book.metadata["author"] == "Leon Trotsky" and book.metadata["isbn"] == "9780873488655"
    assert book.left_out == ["Cover", "The Revolution Betrayed", "Copyright page", "Index"]  # the title page by its title
    assert "left out of the narration as front or back matter: Cover" in str(book.warnings[-1])


def test_an_epub2_with_an_ncx_and_a_guide(tmp_path):
    book = read_book(_epub(tmp_path / "book.epub", 2))
    _expect(book)
    assert book.left_out == ["Cover", "The Revolution Betrayed", "Copyright page", "Index"]


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
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    def para(text: str, style: str | None = None, deleted: str = "", inserted: str = "") -> str:
        ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
        extra = (f'<w:del><w:r><w:delText>{deleted}</w:delText></w:r></w:del>' if deleted else "") + \
                (f'<w:ins><w:r><w:t xml:space="preserve"> {inserted}</w:t></w:r></w:ins>' if inserted else "")
        return f'<w:p>{ppr}<w:r><w:t>{text}</w:t></w:r>{extra}<w:r><w:footnoteReference w:id="1"/></w:r></w:p>'

    body = para("The Revolution Betrayed", "Titel")
    for title, sections in CHAPTERS:
        body += para(title, "berschrift1") + para(f"Opening words of {title.split(':')[0].lower()} stand here "
                                                  "before its sections.")
        for s, text in sections:
            words = text.split()
            body += para(s, "berschrift2") + para(" ".join(words[:-2]), deleted=" cut words", inserted=" ".join(words[-2:]))
    styles = (f'<w:styles {w}><w:style w:styleId="Titel"><w:name w:val="Title"/></w:style>'
              '<w:style w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style>'
              '<w:style w:styleId="berschrift2"><w:name w:val="heading 2"/></w:style></w:styles>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", f'<w:document {w}><w:body>{body}</w:body></w:document>')
        z.writestr("word/styles.xml", styles)
    return path


def test_a_docx_reads_its_heading_styles_by_name_and_its_text_as_now_read(tmp_path):
    book = read_book(_docx(tmp_path / "manuscript.docx"))  # style ids as a German Word names them
    _expect(book)
    assert book.title == "The Revolution Betrayed"
    assert "cut words" not in " ".join(p.full_text for p in book.parts)


def test_a_gutenberg_html_book_without_its_licence(tmp_path):
    html = ("<html><body><section id='pg-header'><p>The Project Gutenberg eBook of The Revolution Betrayed</p>"
            "<p>This ebook is for the use of anyone anywhere.</p></section><h1>The Revolution Betrayed</h1>"
            + "".join(_chapter(t, s).split("<body>")[1].split("</body>")[0] for t, s in CHAPTERS)
            + "<section id='pg-footer'><p>*** END OF THE PROJECT GUTENBERG EBOOK ***</p><p>Section 1. General "
            "Terms of Use and Redistributing Project Gutenberg electronic works</p></section></body></html>")
    (tmp_path / "book.html").write_text(html, encoding="utf-8")
    book = read_book(tmp_path / "book.html")
    _expect(book)
    assert book.title == "The Revolution Betrayed"
    assert "Project Gutenberg" not in " ".join(p.full_text for p in book.parts)
