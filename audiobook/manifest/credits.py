"""Opening and closing credits: what the narrator reads in them, made from the manifest's book
(title, author, narrator), and the notes a build gives where a store asks for them and the
manifest has none. Credits are the narrator's reading, found in the recordings like any
chapter; nothing here makes speech."""

from __future__ import annotations

from audiobook.manifest.model import BookInfo, ChapterEntry, Manifest


def is_credits(ch: ChapterEntry) -> bool:
    """Opening or closing credits (kind "opening-credits", "closing-credits"): a track of their own."""
    return "credits" in ch.kind.lower()


def is_closing(ch: ChapterEntry, chapters: list[ChapterEntry]) -> bool:
    """Closing credits: so named, or credits that are not the book's first part."""
    kind = ch.kind.lower()
    return "closing" in kind or ("opening" not in kind and bool(chapters) and ch is not chapters[0])


def credits_script(book: BookInfo, closing: bool) -> str:
    """The credits as ACX recommends them: the opening states the title, the author and the
    narrator, as the cover and metadata do; the closing says "you have been listening to" them
    and ends "The End" (ACX audio submission requirements, content)."""
    names = [_sentence(book.title + (f": {book.subtitle}" if book.subtitle else ""))]
    if book.author:
        names.append(_sentence(f"Written by {book.author}"))
    if book.narrator:
        names.append(_sentence(f"Narrated by {book.narrator}"))
    if not closing:
        return " ".join(names)
    return " ".join([f"You have been listening to {names[0]}"] + names[1:] + ["The End."])


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def missing_credits(manifest: Manifest) -> list[str]:
    """"opening", "closing": the credits the manifest's chapters lack."""
    found = [c for c in manifest.chapters if is_credits(c)]
    closing = [is_closing(c, manifest.chapters) for c in found]
    return [which for which, have in (("opening", not all(closing)), ("closing", any(closing))) if not have]


def credits_notes(manifest: Manifest, label: str) -> list[str]:
    """The build's notes where a store (`label`) asks for credits the manifest does not have."""
    out = []
    for which in missing_credits(manifest):
        script = credits_script(manifest.book, which == "closing")
        out.append(f"no {which} credits: {label} asks for opening and closing credits, each a track of its own. Have "
                   f"the narrator read them (“{script}”) and add a chapter with kind: {which}-credits "
                   f"and words: {len(script.split())} {'first' if which == 'opening' else 'last'} in manifest.yaml")
    return out
