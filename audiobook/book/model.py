"""The book's structure: top-level parts and their sections, with clean text and word counts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from audiobook.book.matter import LeftOut

# A word: letters or digits, joined by inner apostrophes or hyphens ("workers'", "semi-feudal").
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def title_is_label(kind: str, number: int | None, title: str | None) -> bool:
    """A title that names its part itself, so nothing goes in front of it: it starts with its kind's
    word ("Sonnet II", "Book III: The Descent", "Chapter Two") or, unnumbered, with the book's own
    numbering ("3.2 Biographical background")."""
    if not title:
        return False
    if re.match(rf"{re.escape(kind)}\b", title, re.IGNORECASE):
        return True
    return number is None and title[0].isdigit()


def count_words(text: str) -> int:
    """Number of words in `text` (punctuation and numbers' separators do not count)."""
    return sum(1 for _ in _WORD.finditer(text))


@dataclass
class Section:
    """A section inside a part: a heading and the text up to the next heading."""

    title: str
    text: str = ""
    line: int | None = None  # 1-based line of the heading in the source text
    number: int | None = None  # the number printed before it, if any
    heading_lost: bool = False  # the table of contents lists it, the text lost its heading (its text is in the one before)

    @property
    def words(self) -> int:
        return count_words(self.text)


@dataclass
class Part:
    """A top-level part of the book: introduction, chapter, appendix, ...

    `text` is the part's own text before its first section (often empty);
    `words` counts the whole part, sections included.
    """

    kind: str  # "chapter", "introduction", "appendix", "preface", ...
    number: int | None = None
    title: str | None = None
    text: str = ""
    sections: list[Section] = field(default_factory=list)
    line: int | None = None
    group: str | None = None  # enclosing "Part Two" where a book has parts above chapters

    @property
    def label(self) -> str:
        """How the book names it: "Chapter 5", "Introduction", "Appendix 2"; "Sonnet II", "Letter 4" or
        "3.2 Biographical background" where its title is its label."""
        if title_is_label(self.kind, self.number, self.title):
            return self.title.split(":", 1)[0]
        name = self.kind.capitalize()
        return f"{name} {self.number}" if self.number is not None else name

    @property
    def display_title(self) -> str:
        """Label and title together: "Chapter 5: The Soviet Thermidor"; the title alone where it is
        the book's own label ("Sonnet II", "3.2 Biographical background")."""
        if title_is_label(self.kind, self.number, self.title):
            return self.title
        return f"{self.label}: {self.title}" if self.title else self.label

    @property
    def lead_words(self) -> int:
        return count_words(self.text)

    @property
    def words(self) -> int:
        return self.lead_words + sum(s.words for s in self.sections)

    @property
    def full_text(self) -> str:
        pieces = [self.text] + [s.text for s in self.sections]
        return "\n\n".join(p for p in pieces if p)


@dataclass
class ParseWarning:
    """Something the parser could not find or had to guess, with the line it concerns."""

    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class Book:
    """A parsed book: its parts in reading order, plus what the parser warned about."""

    parts: list[Part]
    title: str | None = None
    warnings: list[ParseWarning] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)  # an EPUB's or DOCX's: author, language, publisher, ...
    left_out: list[LeftOut] = field(default_factory=list)  # front and back matter and notes, not narrated
    cover: tuple[str, bytes] | None = None  # an EPUB's cover image (file name, bytes): the audiobook's cover candidate

    @property
    def words(self) -> int:
        return sum(p.words for p in self.parts)

    def warn(self, message: str, line: int | None = None) -> None:
        self.warnings.append(ParseWarning(message, line))
