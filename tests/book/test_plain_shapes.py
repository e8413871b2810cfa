"""Plain text in the usual shapes of books, written by the tests."""

from __future__ import annotations

from audiobook.book import parse_book
from audiobook.book.headings import parse_number, smart_title
from audiobook.book.model import count_words

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


# -- the book's own labels: "Sonnet II", "Stave One", "3.9.2 Berlin" ---------------------------

SONNETS = """Three Sonnets

Sonnet I

From fairest creatures we desire increase,
That thereby beauty's rose might never die,
But as the riper should by time decease,
His tender heir might bear his memory:

Sonnet II

When forty winters shall besiege thy brow,
And dig deep trenches in thy beauty's field,
Thy youth's proud livery, so gazed on now,
Will be a tattered weed, of small worth held:

Sonnet III

Look in thy glass and tell the face thou viewest
Now is the time that face should form another;
Whose fresh repair if now thou not renewest,
Thou dost beguile the world, unbless some mother.
"""


def _tracks(book):
    from audiobook.manifest.write import chapters_from_book
    from audiobook.plan.planner import chapter_title

    return [chapter_title(c) for c in chapters_from_book(book)]


def test_sonnets_are_chapters_titled_as_the_book_labels_them_under_its_title():
    book = parse_book(SONNETS)
    assert book.title == "Three Sonnets"
    assert [(p.kind, p.number, p.title) for p in book.parts] == [
        ("sonnet", 1, "Sonnet I"), ("sonnet", 2, "Sonnet II"), ("sonnet", 3, "Sonnet III")]  # no opening
    assert _tracks(book) == ["Sonnet I", "Sonnet II", "Sonnet III"]
    poems = [chunk.split("\n\n", 1)[1] for chunk in SONNETS.split("\n\nSonnet ")[1:]]
    assert [p.words for p in book.parts] == [count_words(poem) for poem in poems]  # each its own poem, whole
    assert not book.warnings  # no "title not found": the label is the title


def test_headings_numbered_the_books_way_are_kept_whole_and_ranked_by_their_numbers():
    text = "\n\n".join(["A Guide to the City", "3 The people of the city", para(1),
                        "3.2 Biographical background", para(2), "3.3 The market in St Ovid's Square", para(2),
                        "3.9 Abroad", para(1), "3.9.1 Paris", para(1), "3.9.2 Berlin", para(2)])
    book = parse_book(text)
    assert book.title == "A Guide to the City"
    assert [(p.title, [s.title for s in p.sections]) for p in book.parts] == [
        ("3 The people of the city", []), ("3.2 Biographical background", []),
        ("3.3 The market in St Ovid's Square", []), ("3.9 Abroad", ["3.9.1 Paris", "3.9.2 Berlin"])]
    assert _tracks(book) == [p.title for p in book.parts]  # no "Chapter 2: 3.3 the Market ..."
    assert [p.group for p in book.parts[1:]] == ["3 The people of the city"] * 3  # "3" > "3.2" > "3.9.2"
    assert book.parts[3].sections[1].words == 2 * len(PROSE.split())
    # two depths only: the shallower are the chapters
    two = parse_book(text.replace("3 The people of the city\n\n" + para(1) + "\n\n", ""))
    assert [p.title for p in two.parts] == ["3.2 Biographical background", "3.3 The market in St Ovid's Square",
                                            "3.9 Abroad"]


def test_sections_numbered_the_books_way_inside_a_chapter_keep_their_case():
    text = "\n\n".join(["Chapter 3", "THE CITY", para(2), "3.1 The market in St Ovid's Square", para(2),
                        "3.2 Biographical background", para(2), "Chapter 4", "THE COUNTRY", para(2)])
    book = parse_book(text)
    assert [s.title for s in book.parts[0].sections] == ["3.1 The market in St Ovid's Square",
                                                         "3.2 Biographical background"]
    assert _tracks(book) == ["Chapter 3: The City", "Chapter 4: The Country"]
    assert smart_title("3.3 the market in St Ovid's Square") == "3.3 The Market in St Ovid's Square"


def test_cantos_books_letters_and_staves_keep_their_labels_and_titles():
    shapes = {
        "Canto": (["Canto I", "Canto II"], ["Canto I", "Canto II"]),
        "Book": (["BOOK I", "BOOK II"], ["Book I", "Book II"]),
        "Letter": (["Letter 4", "To Mrs. Saville, England", "Letter 5", "To Mrs. Saville, England"],
                   ["Letter 4: To Mrs. Saville, England", "Letter 5: To Mrs. Saville, England"]),
        "Stave": (["STAVE ONE", "MARLEY'S GHOST", "Stave Two", "The First of the Three Spirits"],
                  ["Stave One: Marley's Ghost", "Stave Two: The First of the Three Spirits"]),
    }
    for kind, (headings, titles) in shapes.items():
        text = "\n\n".join(_with_prose(headings, len(titles)))
        book = parse_book(text)
        assert book.title == "A Title Line", kind
        assert _tracks(book) == titles, kind
        assert [p.kind for p in book.parts] == [kind.lower()] * 2 and not book.warnings, kind


def _with_prose(headings: list[str], parts: int) -> list[str]:
    """The title line, then each heading (with its title line, where it has one) over two paragraphs."""
    per = len(headings) // parts
    out = ["A Title Line"]
    for n in range(parts):
        out += headings[n * per:(n + 1) * per] + [para(2)]
    return out


def test_a_plays_scenes_are_sections_of_its_acts():
    text = "\n\n".join(["The Tempest", "By William Shakespeare", "ACT I", "Scene 1", para(2), "Scene 2", para(2),
                        "ACT II", "Scene 1", para(2), "Scene 2", para(1)])
    book = parse_book(text)
    assert book.title == "The Tempest" and book.metadata["author"] == "William Shakespeare"
    assert [(p.title, [s.title for s in p.sections]) for p in book.parts] == [
        ("Act I", ["Scene 1", "Scene 2"]), ("Act II", ["Scene 1", "Scene 2"])]
    assert _tracks(book) == ["Act I", "Act II"]
    # scenes alone, with no acts over them, are the chapters
    scenes = parse_book("\n\n".join(["Scenes", "Scene 1", para(2), "Scene 2", para(2)]))
    assert _tracks(scenes) == ["Scene 1", "Scene 2"]


def test_label_words_in_prose_are_not_headings():
    text = "\n\n".join(["Chapter 1", "ONE", para(2), "Act V of the drama was the one she liked best.", para(1),
                        "Letter B", para(1)])
    book = parse_book(text)
    assert [p.title for p in book.parts] == ["One"]
