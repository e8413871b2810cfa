from __future__ import annotations

from audiobook.book import parse_book, read_book


def test_summary_markdown_gives_the_books_structure(summary_md):
    book = read_book(summary_md)
    assert book.title == "The Revolution Betrayed"  # the document's first heading, not a part
    assert [(p.kind, p.number) for p in book.parts] == (
        [("introduction", None)] + [("chapter", n) for n in range(1, 12)] + [("appendix", None)])
    ch = {p.number: p for p in book.parts if p.kind == "chapter"}
    assert ch[5].title == "The Soviet Thermidor" and ch[8].title == "Foreign Policy and the Army"
    assert [len(ch[n].sections) for n in range(1, 12)] == [3, 2, 5, 4, 3, 4, 3, 5, 4, 3, 3]
    assert ch[10].sections[2].title == "Democracy and the Party"  # a "####" heading is a section too
    assert ch[1].sections[0].title == "The Principal Indices of Industrial Growth"  # "1. " dropped
    assert "[[" not in ch[1].full_text and "](" not in book.parts[0].full_text


def test_markdown_without_keywords_uses_the_shallowest_level():
    text = "# Opening\n\nSome words here.\n\n## A Scene\n\nMore words.\n\n# Closing\n\nLast *words*.\n"
    book = parse_book(text)
    assert [(p.number, p.title) for p in book.parts] == [(1, "Opening"), (2, "Closing")]
    assert book.parts[0].sections[0].title == "A Scene"
    assert book.parts[1].text == "Last words." and book.parts[0].words == 5
