"""A paragraph cut into sentences in the book's own words: what a transcript's cues hold."""

from __future__ import annotations

from audiobook.book.sentences import MAX_CHARS, sentences


def test_sentences_end_at_stops_with_their_quotes_and_keep_abbreviations():
    text = ('The bourgeois world tried. "Is it so?" he asked. Mr. Smith and J. R. Jones met Dr. Watson at 3 p.m. '
            'on the 4th. Then… nothing! It ended (as it began.) Finally')
    assert sentences(text) == ['The bourgeois world tried.', '"Is it so?" he asked.',
                               'Mr. Smith and J. R. Jones met Dr. Watson at 3 p.m. on the 4th.', 'Then… nothing!',
                               'It ended (as it began.)', 'Finally']


def test_a_line_of_verse_is_a_cue_and_nothing_is_lost():
    verse = "Shall I compare thee to a summer's day?\nThou art more lovely and more temperate:\nRough winds do shake"
    assert sentences(verse) == ["Shall I compare thee to a summer's day?", "Thou art more lovely and more temperate:",
                                "Rough winds do shake"]


def test_a_long_sentence_is_cut_at_its_commas_and_every_word_kept():
    long = ", ".join(f"clause number {n} of a sentence that goes on" for n in range(30)) + "."
    pieces = sentences(long)
    assert len(pieces) > 1 and all(len(p) <= MAX_CHARS for p in pieces)
    assert " ".join(pieces) == long
