"""Plain text in the usual shapes of books, written by the tests."""

from __future__ import annotations

from audiobook.book import parse_book
from audiobook.book.headings import parse_number, smart_title

PROSE = ("It was the best of times and the worst of times, and the narrator read every word of it "
         "slowly, with care, in a quiet room at the end of a long day. ")


def para(n: int = 1) -> str:
    return (PROSE * n).strip()


def test_numbers_in_words_and_roman_numerals():
    assert [parse_number(t) for t in ("12", "IV", "xiv", "One", "twenty-one", "Third", "A")] == [12, 4, 14, 1, 21, 3, 1]
    assert parse_number("bogus") is None


def test_chapter_headings_in_many_shapes():
    text = "\n\n".join([
        "CHAPTER I", "THE BEGINNING", para(3),
        "Chapter Two: A Middle", para(3),
        "Chapter 3", "An End of Sorts", para(3),
        "CHAPTER IV. THE LAST", para(3),
    ])
    book = parse_book(text)
    assert [(p.number, p.title) for p in book.parts] == [
        (1, "The Beginning"), (2, "A Middle"), (3, "An End of Sorts"), (4, "The Last")]
    assert all(p.words == 3 * len(PROSE.split()) for p in book.parts)


def test_parts_group_the_chapters_they_hold():
    text = "\n\n".join(["PART ONE", "Chapter 1", "Title One", para(2), "Chapter 2", "Title Two", para(2),
                        "PART TWO", "Chapter 3", "Title Three", para(2)])
    book = parse_book(text)
    assert [(p.number, p.group) for p in book.parts] == [(1, "Part 1"), (2, "Part 1"), (3, "Part 2")]


def test_numbered_sections_both_ways_and_unnumbered_headings():
    text = "\n".join([
        "Chapter 1", "", "FIRST THINGS", "",
        "1. The Opening Move", "", para(2), "",
        "2.", "The Second", "Move Wrapped", "", para(2), "",
        "Chapter 2", "", "SECOND THINGS", "", para(2), "",
        "A Quiet Interlude", "", para(2), "",
        "Another Heading Here", "", para(2),
    ])
    book = parse_book(text)
    c1, c2 = book.parts
    assert [s.title for s in c1.sections] == ["The Opening Move", "The Second Move Wrapped"]
    assert [s.title for s in c2.sections] == ["A Quiet Interlude", "Another Heading Here"]
    assert c2.lead_words == 2 * len(PROSE.split())


def test_list_items_and_short_sentences_are_not_headings():
    text = "\n".join([
        "Chapter 1", "", "DEMANDS", "", para(2), "",
        "1) Free and democratic elections to every soviet", "2) Freedom of the press", "",
        "It was over.", "", para(2), "",
        "Yes!", "", para(1), "",
        "1. Bread", "2. Peace", "3. Land", "", para(2), "",
        "August 4 1936", "", para(1),
    ])
    book = parse_book(text)
    (chapter,) = book.parts
    assert chapter.sections == []
    assert "Free and democratic elections" in chapter.text and "It was over." in chapter.text


def test_a_back_reference_to_an_earlier_chapter_is_not_a_heading():
    text = "\n".join(["Chapter 1", "ONE", "", para(2), "", "Chapter 2", "TWO", "", para(1), "as we saw in",
                      "Chapter 1", "of this book, " + para(1)])
    assert [p.number for p in parse_book(text).parts] == [1, 2]


def test_missing_chapters_are_reported():
    text = "\n\n".join(["Chapter 1", "ONE", para(2), "Chapter 3", "THREE", para(2)])
    book = parse_book(text)
    assert any("Chapter 2: not found" in w.message for w in book.warnings)


def test_text_without_headings_is_one_part_with_a_warning():
    book = parse_book(para(5))
    assert len(book.parts) == 1 and book.parts[0].words == 5 * len(PROSE.split())
    assert book.warnings


def test_smart_title():
    assert smart_title("WHAT HAS BEEN ACHIEVED") == "What Has Been Achieved"
    assert smart_title('"SOCIALISM IN ONE COUNTRY"') == '"Socialism in One Country"'
    assert smart_title("Comparative Estimate Of These Achievements") == "Comparative Estimate of These Achievements"
    assert smart_title("the new economic policy (NEP)") == "The New Economic Policy (NEP)"
    assert smart_title("”Generalized Want” and the Gendarme") == "“Generalized Want” and the Gendarme"
