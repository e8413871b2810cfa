from __future__ import annotations

from audiobook.book.blurb import fill_runtime, parse_blurb
from audiobook.book.reading import decode_text, read_text


def test_blurb_fields(blurb_txt):
    b = parse_blurb(read_text(blurb_txt))
    assert b.title_line == "What is the Soviet Union and where is it going?"
    assert (b.author, b.narrator, b.translator) == ("Leon Trotsky", "Jonathan Booth", "Max Eastman")
    assert b.runtime_placeholder == "tbc minutes"
    assert b.book_title() == "The Revolution Betrayed"
    assert b.description.startswith("It is June 1936.") and b.description.endswith("by Jonathan Booth.")
    assert b.other == ["Available on audible: : £tbc or on subscription."]


def test_fill_runtime_changes_only_the_runtime(blurb_txt):
    text = read_text(blurb_txt)
    filled = fill_runtime(text, 643)
    before, after = text.split("\n"), filled.split("\n")
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert changed == [("tbc minutes", "643 minutes")]
    assert "£tbc" in filled


def test_cp1252_and_utf8_read_the_same(blurb_txt):
    text = read_text(blurb_txt)
    assert decode_text(text.encode("cp1252")) == text
    assert decode_text(text.encode("utf-8-sig")) == text
    mojibake = text.encode("utf-8").decode("latin-1").encode("utf-8")  # "Trotskyâ€™s"
    assert decode_text(mojibake) == text


def test_cp1252_punctuation_read_as_mac_roman_is_repaired(blurb_txt):
    text = read_text(blurb_txt)
    assert "’" in text or "'" in text
    curly = text.replace("'", "’")
    garbled = curly.encode("cp1252").decode("mac_roman")  # "Trotskyís"
    assert "ís" in garbled and garbled != curly
    assert decode_text(garbled.encode("utf-8")) == curly
    # real accented words are left alone: Spanish, and English without the tell-tale apostrophes
    for clean in ("El país donde vivía María, según él.", "The café served crème brûlée and the piñata."):
        assert decode_text(clean.encode("utf-8")) == clean
