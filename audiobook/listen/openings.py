"""What the narrator says where a chapter or section starts: its heading, read in one of
several shapes, and the first words of its text."""

from __future__ import annotations

from dataclasses import dataclass, field

from audiobook.listen.speakable import spoken_words

PHRASE_WORDS = 7  # enough to tell one paragraph's opening from another's; short enough to be said unbroken
FOLLOW_WORDS = 10  # the text's words after its phrase kept (a stretch fitted to the phrase may end in them)
MIN_PHRASE_LETTERS = 8  # shorter phrases ("two") are heard everywhere: not listened for alone


@dataclass(frozen=True)
class Opening:
    """The phrases that open a chapter or section, by kind: 'heading' ("chapter three socialism
    and the state"), 'title' (the title alone), 'label' ("chapter three"), 'text' (its first words)."""

    phrases: dict[str, list[str]] = field(default_factory=dict)
    heading_words: int = 0  # how many words the heading has, read in full
    heading: tuple[str, ...] = ()  # its words, all of them
    ending: tuple[str, ...] = ()  # the last words read before it (the part before's text), where the book has them
    closes: tuple[str, ...] = ()  # the part before's label ("chapter one"): "End of chapter one" closes it
    follows: tuple[str, ...] = ()  # the text's words after its phrase: what a stretch fitted to the phrase may run on into
    ending_is_heading: bool = False  # the last words read before it are a heading (the part before has no text)
    title_words: tuple[str, ...] = ()  # the heading's words less its label: what is said last before its pause

    @property
    def has_text(self) -> bool:
        return "text" in self.phrases

    def only(self, phrases: dict[str, list[str]]) -> Opening:
        return Opening(phrases, self.heading_words, self.heading, self.ending, self.closes, self.follows,
                       self.ending_is_heading, self.title_words)

    def halves(self, full: bool = False) -> Opening:
        """The heading, and each half of it (where long enough): one word said unlike the
        dictionary must not hide the rest. Halves of the phrase listened for, or with `full`,
        of the whole heading (a long title's end is past the 7 words spotted)."""
        words = list(self.heading) if full else self.phrases.get("heading") or self.phrases.get("title") or []
        phrases = {k: v for k, v in self.phrases.items() if k != "text"}
        half = (len(words) + 1) // 2
        for n, part in enumerate((words[:half], words[half:])):
            if len(words) >= 3 and sum(len(w) for w in part) >= MIN_PHRASE_LETTERS:
                phrases[f"part{n}"] = part[:PHRASE_WORDS]
        return self.only(phrases)


def _phrase(words: list[str]) -> list[str] | None:
    words = words[:PHRASE_WORDS]
    return words if sum(len(w) for w in words) >= MIN_PHRASE_LETTERS else None


def opening(title: str | None, label: str | None = None, text: str = "", before: str = "",
            before_label: str | None = None, before_is_heading: bool = False) -> Opening:
    """The opening of a part headed `label` ("Chapter 3", or None) and `title`, whose text starts with `text`;
    `before`: the text read just before it (the previous part's; its heading, `before_is_heading`, where it
    has no text), `before_label`: that part's label."""
    title_words = spoken_words(title or "")
    text_words = spoken_words(text[:400])
    label_words = spoken_words(label or "")
    if title_words and label_words and title_words[:len(label_words)] == label_words:
        label_words = []  # "Introduction" titled "Introduction"
    candidates = {
        "heading": _phrase(label_words + title_words),
        "title": _phrase(title_words) if label_words else None,
        "label": _phrase(label_words) if title_words else None,
        "text": _phrase(text_words),
    }
    phrases = {k: v for k, v in candidates.items() if v}
    ending = tuple(spoken_words(before[-400:])[-PHRASE_WORDS - 3:]) if before else ()
    if ending and sum(len(w) for w in ending[-PHRASE_WORDS:]) < MIN_PHRASE_LETTERS:
        ending = ()
    return Opening(phrases, len(label_words) + len(title_words), tuple(label_words + title_words), ending,
                   tuple(spoken_words(before_label or "")), tuple(text_words[PHRASE_WORDS:PHRASE_WORDS + FOLLOW_WORDS]),
                   before_is_heading and bool(ending), tuple(title_words))
