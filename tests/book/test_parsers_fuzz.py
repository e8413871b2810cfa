"""Property tests: the parsers take any text without crashing, and keep their invariants."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audiobook.book import parse_book
from audiobook.book.blurb import fill_runtime, parse_blurb
from audiobook.errors import ManifestError
from audiobook.manifest import parse_manifest

LINES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["Chapter 1", "CHAPTER II", "Chapter Three: Title", "1.", "2. A Title", "INTRODUCTION",
                     "# Heading", "## Chapter 4", "POSTSCRIPT", "Back to CHAPTER 1 — On to CHAPTER 2", "",
                     "Revolution Betrayed: Chapter 8", "http://example.org/x (1 of 2) [01/01/2000 00:00:00]",
                     "A Short Title Line", "Words words words words words words words words words words."]),
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.lists(LINES, max_size=60))
def test_parse_book_never_crashes_and_parts_are_consistent(lines):
    book = parse_book("\n".join(lines))
    assert book.parts
    for part in book.parts:
        assert part.words >= sum(s.words for s in part.sections) >= 0
        lines_seen = [s.line for s in part.sections if s.line is not None]
        assert lines_seen == sorted(lines_seen)
    numbers = [p.number for p in book.parts if p.kind == "chapter" and p.number is not None]
    assert numbers == sorted(numbers)


@FAST
@given(st.text(max_size=400), st.integers(min_value=0, max_value=100_000))
def test_blurb_parsing_and_runtime_fill_never_lose_text(text, minutes):
    parse_blurb(text)
    filled = fill_runtime(text, minutes)
    if filled != text:
        assert str(minutes) in filled and len(filled.split("\n")) == len(text.split("\n"))


@FAST
@given(st.text(max_size=300))
def test_manifest_parser_raises_only_manifest_errors(text):
    try:
        parse_manifest(text)
    except ManifestError as exc:
        assert exc.problems and all(p.startswith("manifest.yaml") for p in exc.problems)


@pytest.mark.parametrize("doc", ["[]", "42", "book: 3", "chapters: {a: 1}", "chapters: [1, 2]", "output: {channels: 7}"])
def test_manifest_of_the_wrong_shape(doc):
    with pytest.raises(ManifestError):
        parse_manifest(doc)


TAGS = st.sampled_from(["<h1>", "</h1>", "<h2>", "</h2>", "<h3>", "</h3>", "<p>", "</p>", "<aside epub:type='footnote'>",
                        "</aside>", "<section id='pg-header'>", "</section>", "<br/>", "<sup><a href='#n'>1</a></sup>",
                        "<script>x()</script>", "&amp;", "&nbsp;", "<b>", "</b>", "<", ">", "Chapter 2", "Title"])


@FAST
@given(st.lists(st.one_of(TAGS, st.text(max_size=40)), max_size=60))
def test_html_of_any_shape_reads_without_crashing(pieces):
    from audiobook.book.html import html_to_markdown
    from audiobook.book.markdown import parse_markdown

    book = parse_markdown(html_to_markdown("".join(pieces)))
    for part in book.parts:
        assert part.words >= sum(s.words for s in part.sections) >= 0


@FAST
@given(st.lists(st.tuples(st.text(alphabet="abc XYZ.,?", min_size=1, max_size=30), st.booleans(),
                          st.sampled_from([None, 22, 28, 36])), max_size=30))
def test_fake_headings_of_any_look_read_without_crashing(paragraphs):
    """A Word manuscript's paragraphs (text, bold, size) in any mix: levels 0–3 or none."""
    from audiobook.book.docx import _fake_headings

    levels = _fake_headings([(t, None, bold, size) for t, bold, size in paragraphs])
    assert set(levels.values()) <= {0, 1, 2, 3}
    assert list(levels.values()).count(0) <= 1
