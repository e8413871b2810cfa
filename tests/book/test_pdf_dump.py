"""The Revolution Betrayed from its raw PDF dump alone, and with the Markdown summary as TOC."""

from __future__ import annotations

import re

import pytest

from audiobook.book import count_words, read_book

EXPECTED = [  # (kind, number, title or None where the text lost it, sections with a heading in the text)
    ("introduction", None, "The Purpose of the Present Work", 1),  # its Postscript
    ("chapter", 1, "What Has Been Achieved", 3),
    ("chapter", 2, "Economic Growth and the Zigzags of the Leadership", 2),
    ("chapter", 3, "Socialism and the State", 5),
    ("chapter", 4, "The Struggle for Productivity of Labor", 4),
    ("chapter", 5, None, 3),
    ("chapter", 6, "The Growth of Inequality and Social Antagonisms", 4),
    ("chapter", 7, "Family, Youth and Culture", 3),
    ("chapter", 8, None, 4),  # section 4's heading is lost in the dump
    ("chapter", 9, "Social Relations in the Soviet Union", 4),
    ("chapter", 10, "The Soviet Union in the Mirror of the New Constitution", 3),
    ("chapter", 11, "Whither the Soviet Union?", 3),
    ("appendix", None, '"Socialism in One Country"', 1),
]

# Page furniture as it appears in the dump, found here by patterns independent of the parser's.
FURNITURE = [
    r"^Revolution Betrayed: Chapter \d+$", r"marxists\.org", r"^Back to .*On to", r"^Leon Trotsky's$",
    r"^Revolution Betrayed$", r"^What is the Soviet Union and where is it going\?$", r"^The Leon Trotsky$",
    r"^Archives?$", r"^The Marxist writers'$", r"^&nsbsp;$",
]


@pytest.fixture(scope="module")
def book(pdf_dump):
    return read_book(pdf_dump)


@pytest.fixture(scope="module")
def merged(pdf_dump, summary_md):
    return read_book(pdf_dump, toc=summary_md)


def test_thirteen_parts_in_order_with_their_titles(book):
    got = [(p.kind, p.number, p.title, len(p.sections)) for p in book.parts]
    assert got == EXPECTED


def test_lost_titles_are_warned_with_line_numbers(book):
    messages = [str(w) for w in book.warnings]
    for n in (5, 8):
        assert any(f"Chapter {n}: title not found in the text" in m for m in messages)
    lines = {w.message.split(":")[0]: w.line for w in book.warnings if "heading not found" in w.message}
    assert lines == {"Chapter 5": 1923, "Chapter 8": 4248}  # their navigation lines
    assert any("Chapter 8: section 4 not found" in m for m in messages)


def test_section_titles_and_where_they_start(book):
    ch = {p.number: p for p in book.parts if p.kind == "chapter"}
    assert [s.title for s in ch[1].sections] == [
        "The Principal Indices of Industrial Growth", "Comparative Estimate of These Achievements",
        "Production Per Capita of the Population"]
    # wrapped over three lines in the dump
    assert ch[2].sections[0].title == '"Military Communism", the "New Economic Policy" (NEP) and the Course Toward the Kulak'
    # the unnumbered first section of chapter 9, and its third wrapped over a blank line
    assert ch[9].sections[0].title == "Not Yet Decided by History"
    assert ch[9].sections[3].title.startswith("The Question of the Character of the Soviet Union")
    # "3." glued under a cut-off line of text
    assert ch[4].sections[2].title == "The Rehabilitation of the Ruble" and ch[4].sections[2].line == 1693
    assert book.parts[0].sections[0].title == "Postscript"
    assert [s.title for s in book.parts[-1].sections] == ['The "Friends" of the Soviet Union']


def test_no_page_furniture_in_the_text(book):
    for part in book.parts:
        text = part.full_text
        for marker in ("Revolution Betrayed", "http", "marxists", "On to CHAPTER", "[22/08/2000", "nsbsp",
                       "Leon Trotsky's", "where is it going"):
            assert marker not in text, (part.label, marker)


def test_a_paragraph_cut_by_a_page_break_is_joined(book):
    assert "kowtowing before accomplished fact, and a partiality for sedative generalizations" in book.parts[0].text


def test_word_counts_match_the_clean_text_within_two_percent(book, pdf_dump):
    raw = pdf_dump.read_text(encoding="utf-8").split("\n")
    starts = [p.line for p in book.parts] + [len(raw) + 1]
    for part, a, b in zip(book.parts, starts, starts[1:]):
        kept = [ln for ln in raw[a - 1: b - 1] if not any(re.search(f, ln.strip()) for f in FURNITURE)]
        expected = count_words("\n".join(kept))
        assert part.words == pytest.approx(expected, rel=0.02), part.label
    assert 85_000 < book.words < 90_000


def test_toc_supplies_lost_titles_and_reports_what_the_text_lacks(merged):
    titles = [p.title for p in merged.parts]
    assert titles[5] == "The Soviet Thermidor" and titles[8] == "Foreign Policy and the Army"
    # the text's wording is kept where it has one ("Soviet Union", not the summary's typo "Social Union")
    assert titles[9] == "Social Relations in the Soviet Union"
    assert titles[7] == "Family, Youth and Culture"
    assert merged.title == "The Revolution Betrayed"
    missing = [w.message for w in merged.warnings if "no heading for it" in w.message]
    assert len(missing) == 1 and "Abolition of the Militia" in missing[0]
    # kept as a section to be found where its title is spoken, with no words of its own: not invented
    sections = merged.parts[8].sections
    assert [s.heading_lost for s in sections] == [False, False, False, True, False]
    assert sections[3].title.startswith("The Abolition of the Militia") and sections[3].text == ""
    assert sum(s.words for s in sections) == merged.parts[8].words - merged.parts[8].lead_words


def test_toc_matching_forgives_case_quotes_and_word_endings(merged):
    ch1 = merged.parts[1]
    # "Comparative Estimate Of These Achievements" vs the TOC's "Comparative Estimates of ..."
    assert len(ch1.sections) == 3
    assert not any("not in the table of contents" in w.message for w in merged.warnings)
