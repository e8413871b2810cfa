"""Recognising headings: "Chapter 5", "PART TWO", "1." and short title lines; titles' case."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen"]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
             "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12}
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_NUMBER_WORD = (r"(?:" + "|".join(sorted(list(_UNITS[1:]) + list(_TENS) + list(_ORDINALS), key=len, reverse=True))
                + r")(?:[- ](?:" + "|".join(_UNITS[1:10]) + r"))?")
NUMBER = rf"(?:\d{{1,3}}|[ivxlc]{{1,7}}|{_NUMBER_WORD})"

# Kinds of top-level part, by the words books head them with.
PART_KINDS = {
    "chapter": "chapter", "part": "part", "book": "book",
    "introduction": "introduction", "preface": "preface", "foreword": "foreword",
    "prologue": "prologue", "epilogue": "epilogue", "afterword": "afterword",
    "appendix": "appendix", "conclusion": "conclusion", "postscript": "postscript",
    "acknowledgements": "acknowledgements", "acknowledgments": "acknowledgements",
    "author's note": "author's note", "translator's note": "translator's note",
    "sonnet": "sonnet", "canto": "canto", "letter": "letter", "stave": "stave", "act": "act", "scene": "scene",
    "poem": "poem", "lecture": "lecture",
}
# Kinds whose heading is the label the book gives, kept as printed ("Sonnet II", "Stave One", "Book III"):
# a track is titled "Sonnet II", never "Chapter 2: Sonnet II" or "Sonnet 2".
OWN_LABEL_KINDS = {"book", "sonnet", "canto", "letter", "stave", "act", "scene", "poem", "lecture"}
NUMBERED_KINDS = {"chapter", "part", "appendix"} | OWN_LABEL_KINDS
# A kind that is a section where the book has the kind above it: the scenes of a play's acts.
SECTION_UNDER = {"scene": "act"}
# A postscript belongs to the part it follows (the Introduction's, in The Revolution Betrayed).
SECTION_KINDS = {"postscript"}

_SEP = r"\s*(?:[:.\-—–]\s*|\s+)"
_KEYWORD_LINE = re.compile(
    r"^\s*(?:#+\s*)?(?P<kind>chapter|part|book|appendix|introduction|preface|foreword|prologue|epilogue"
    r"|afterword|conclusion|postscript|acknowledge?ments|author['’]s note|translator['’]s note"
    r"|sonnet|canto|letter|stave|act|scene|poem|lecture)"
    rf"(?:\s+(?P<num>{NUMBER}|[a-z])(?![\w'’]))?"
    rf"(?:{_SEP}(?P<title>\S.*?))?\s*$",
    re.IGNORECASE,
)
# "1." alone, or "1. Title", "1.Title" (Markdown TOCs write it without the space).
_NUMBERED_LINE = re.compile(r"^\s*(?P<num>\d{1,2})\.(?:\s*(?P<title>\D.*?))?\s*$")
# The book's own numbering in front of a title: "3.2 Biographical background", "3.9.2 Berlin", "3 The city".
_OWN_NUMBER = re.compile(r"^\s*(?P<num>\d{1,3}(?:\.\d{1,3}){0,3})\.?\s+(?P<title>\S.*?)\s*$")

SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of",
               "on", "or", "the", "to", "with", "upon", "via", "vs", "than"}
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december"
           "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_DATE = re.compile(rf"^\W*(?:\d{{1,2}}\s+)?(?:{_MONTHS})\.?\s*(?:\d{{1,2}},?\s*)?\d{{4}}\W*$", re.IGNORECASE)


def parse_number(token: str | None) -> int | None:
    """"5" → 5, "V" → 5, "Five"/"fifth" → 5, "twenty-one" → 21; None when it is not a number."""
    if not token:
        return None
    t = token.strip().lower()
    if t.isdigit():
        return int(t)
    if t in _ORDINALS:
        return _ORDINALS[t]
    words = re.split(r"[- ]", t)
    if all(w in _UNITS or w in _TENS for w in words):
        total = 0
        for w in words:
            total += _TENS.get(w, _UNITS.index(w) if w in _UNITS else 0)
        return total or None
    if re.fullmatch(r"[ivxlc]+", t):
        values = [_ROMAN[c] for c in t]
        total = sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
        return total if total > 0 else None
    if len(t) == 1 and t.isalpha():  # "Appendix A"
        return ord(t) - ord("a") + 1
    return None


@dataclass
class KeywordHeading:
    kind: str
    number: int | None
    title: str | None
    label: str | None = None  # the book's own label, as printed, for OWN_LABEL_KINDS: "Sonnet II"

    @property
    def part_title(self) -> str | None:
        """The part's title: its own label and title together ("Letter 4: To Mrs Saville") where the
        book's label is kept, else the title."""
        return self.title if self.label is None else labelled_title(self.label, self.title)


def labelled_title(label: str, title: str | None) -> str:
    """"Stave One: Marley's Ghost": the book's label, then its title as printed (recased only from
    capitals, "MARLEY'S GHOST")."""
    if not title:
        return label
    return f"{label}: {smart_title(title) if is_all_caps(title) else title}"


def match_keyword_heading(line: str) -> KeywordHeading | None:
    """A line that is only a part heading ("CHAPTER IV", "Chapter One: Title", "INTRODUCTION")."""
    m = _KEYWORD_LINE.match(line)
    if not m:
        return None
    kind = PART_KINDS[m["kind"].lower().replace("acknowledgments", "acknowledgements").replace("’", "'")]
    number = parse_number(m["num"])
    if m["num"] and number is None:
        return None
    if kind in OWN_LABEL_KINDS and m["num"] and re.fullmatch(r"[a-z]", m["num"], re.IGNORECASE) and (
            m["num"].lower() not in _ROMAN):
        return None  # "Act a", "Letter B": a word, not a numbered heading (only appendices go by letters)
    if kind in NUMBERED_KINDS - {"appendix"} and number is None:
        return None  # "Chapter" alone, or "Part of the ..." in prose
    title = m["title"]
    if title is not None:
        if kind not in NUMBERED_KINDS and not m["num"] and not re.match(r"\s*[:.\-—–]", line[m.end("kind"):]):
            return None  # "Introduction to economics was..." is prose, not a heading
        if not is_heading_like(title, max_words=16):
            return None
    label = _printed_label(m["kind"], m["num"]) if kind in OWN_LABEL_KINDS else None
    return KeywordHeading(kind, number, clean_title(title) if title else None, label)


def _printed_label(word: str, number: str) -> str:
    """"Sonnet II", "Stave One", "Letter 4" as the book prints them; capitals only where the book
    sets the whole label in them ("SONNET II" → "Sonnet II", "STAVE ONE" → "Stave One")."""
    if is_all_caps(word):
        word = word.capitalize()
        if not re.fullmatch(r"[IVXLC]+", number):
            number = number.capitalize()
    if re.fullmatch(r"[ivxlc]+", number) and word[0].isupper():
        number = number.upper()  # "Sonnet ii" is a numeral
    return f"{word} {number}"


def match_numbered_line(line: str) -> tuple[int, str | None] | None:
    """("1.", None) for a bare section number; (1, "Title") for "1. Title"."""
    m = _NUMBERED_LINE.match(line)
    if not m:
        return None
    title = m["title"]
    if title is not None and not is_heading_like(title, max_words=16):
        return None
    return int(m["num"]), (clean_title(title) if title else None)


def match_own_number(line: str) -> tuple[str, str] | None:
    """("3.2", "3.2 Biographical background"): a heading numbered the book's way, kept whole as its
    title. Depth is the number's parts: "3" over "3.2" over "3.9.2". None for a sentence or a list item."""
    m = _OWN_NUMBER.match(line)
    if not m or not is_heading_like(m["title"], max_words=16) or not m["title"][0].isupper():
        return None
    return m["num"], clean_title(line)


def is_dotted_heading(line: str) -> bool:
    """"3.2 Biographical background", "3.9.2 Berlin": numbered by the book's sections, dots inside."""
    own = match_own_number(line)
    return own is not None and "." in own[0]


def is_blank(line: str) -> bool:
    """Blank, or only whitespace, no-break spaces and stray HTML entities ("&nbsp;")."""
    return not re.sub(r"&[a-z]+;|[\s\u00a0\u200b\ufeff]", "", line)


def is_date(line: str) -> bool:
    return bool(_DATE.match(line.strip()))


def is_heading_like(text: str, max_words: int = 16, max_chars: int = 110) -> bool:
    """Short, no sentence-ending punctuation, starting with a capital: could be a title."""
    s = text.strip()
    if not s or len(s) > max_chars:
        return False
    words = s.split()
    if len(words) > max_words:
        return False
    if s[-1] in ".,;:" and not s.endswith("..."):
        return False
    if re.match(r"^(?:[-*•–—]|\(?[0-9a-z]{1,3}\)|[a-z]\.)\s", s):
        return False  # list items: "1) ...", "(a) ...", "- ..."
    first = re.sub(r"^[\"'“‘«(\[]+", "", s)
    return bool(first) and (first[0].isupper() or first[0].isdigit())


def is_title_case(text: str) -> bool:
    """ALL CAPS, or most of its significant words capitalised (a heading, not a sentence)."""
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return True
    words = [re.sub(r"^\W+", "", w) for w in text.split()]
    significant = [w for w in words if w and w.lower() not in SMALL_WORDS]
    if not significant:
        return False
    capitalised = sum(1 for w in significant if w[0].isupper() or w[0].isdigit())
    return capitalised / len(significant) >= 0.75


def is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def clean_title(text: str) -> str:
    """Collapse spaces, drop trailing junk; keep the wording."""
    s = re.sub(r"\s+", " ", text).strip()
    return s.strip(" -—–:")


def smart_title(text: str) -> str:
    """Title case for display: "WHAT HAS BEEN ACHIEVED" → "What Has Been Achieved".

    Mixed-case titles keep their capitals ("(NEP)") and only gain the missing ones.
    """
    s = _balance_quotes(clean_title(text))
    if is_all_caps(s):
        s = s.lower()
    out: list[str] = []
    first = True  # no word yet: a number in front ("3.3 The ...") is no word
    for word in s.split(" "):
        m = re.match(r"^([\"'“‘«(\[]*)(.*)$", word)
        lead, core = m[1], m[2]
        bare = re.sub(r"\W+$", "", core).lower()
        if not first and bare in SMALL_WORDS and not lead and not out[-1].endswith((":", "—")):
            out.append(core.lower())
        else:
            core = "-".join(p[:1].upper() + p[1:] for p in core.split("-"))
            out.append(lead + core)
        first = first and not re.search(r"[^\W\d_]", out[-1])
    return " ".join(out)


def _balance_quotes(s: str) -> str:
    """Mend curly quotes a TOC got wrong: '”Generalized Want”' → '“Generalized Want”'."""
    if s.startswith("”"):
        s = "“" + s[1:]
    first_close, first_open = s.find("”"), s.find("“")
    if first_close != -1 and (first_open == -1 or first_close < first_open) and s.count("”") > s.count("“"):
        s = "“" + s
    return s


def normalise_title(text: str) -> str:
    """For comparing titles: lower case, letters and digits only, quotes and dashes gone."""
    s = unicodedata.normalize("NFKD", text).lower()
    s = re.sub(r"^\s*(?:chapter|part|appendix|section)\s+\S+\s*[:.\-—–]?\s*", "", s)
    s = re.sub(r"^\s*\d{1,2}\.\s*", "", s)
    s = re.sub(r"[^\w\s]|_", " ", s)
    return " ".join(s.split())


SAME_TITLE = 0.85  # title_similarity at or above which two titles name the same thing


def title_similarity(a: str, b: str) -> float:
    """0..1: how alike two titles are, forgiving case, quotes, punctuation and word endings."""
    na, nb = normalise_title(a), normalise_title(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    wa, wb = na.split(), nb.split()
    # one is the other cut short (a wrapped heading that lost its end, or a longer subtitle)
    shorter, longer = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if len(shorter) >= 3 and longer[: len(shorter)] == shorter:
        return 0.9
    return SequenceMatcher(None, na, nb).ratio()


def is_heading_block(lines: list[str], max_lines: int = 3, max_words: int = 20) -> bool:
    """Lines that read as one wrapped title: the first title-like, the rest its continuation."""
    texts = [" ".join(t.split()) for t in lines]
    if not texts or len(texts) > max_lines or sum(len(t.split()) for t in texts) > max_words:
        return False
    if not is_heading_like(texts[0].rstrip(","), max_chars=90):
        return False
    for t in texts[1:]:
        if len(t) > 90 or (t[-1] in ".;:" and not t.endswith("...")):
            return False
    return texts[-1][-1] not in ",;:"
