"""The books: where each comes from (a public repository at a pinned commit), how it is made into the
file a narrator receives, the shape of its chapters, whether it is held out (measured only for
acceptance, never looked at while tuning), and the sha256 of the file made."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bookcorpus import documents, epubs, gutenberg, reference, sources

SE = "standardebooks/"
PINNED = Path(__file__).with_name("pinned.sha256")


def pinned() -> dict[str, str]:
    """Each book's file's sha256, from pinned.sha256 (lines as sha256sum writes them: digest, two spaces, key)."""
    if not PINNED.is_file():
        return {}
    return {key: digest for digest, key in (line.split(None, 1) for line in PINNED.read_text().split("\n") if line)}


def pin(digests: dict[str, str]) -> None:
    """Write the files' sha256 into pinned.sha256."""
    merged = {**pinned(), **digests}
    PINNED.write_text("".join(f"{merged[k]}  {k}\n" for k in sorted(merged)))


@dataclass(frozen=True)
class CorpusBook:
    key: str
    repo: str
    commit: str
    make: str  # se-epub3, se-epub2, tool-epub3, tool-epub2, web-page, docx, pdf, pg-html, pg-pdf
    shape: str  # how its chapters are headed
    held_out: bool = False
    path: str = ""  # the file in the repository, for a Project Gutenberg book
    toc_path: str = ""  # the page whose contents list is the reference, where it is not `path`
    opening: bool = False  # made with its first chapter as the opening under the title (tool EPUBs)
    title: str = ""  # for a Project Gutenberg book: its title and author as its page gives them
    author: str = ""

    @property
    def sha256(self) -> str:
        """The sha256 of the file made, as pinned in pinned.sha256 ("" where it is not yet)."""
        return pinned().get(self.key, "")

    @property
    def suffix(self) -> str:
        return {"docx": ".docx", "pdf": ".pdf", "pg-pdf": ".pdf", "web-page": ".html", "pg-html": ".html"}.get(
            self.make, ".epub")


P_AND_P = (SE + "jane-austen_pride-and-prejudice", "8ec1ca806088448201a95e277010ea160d3ebb48")
TREASURE = (SE + "robert-louis-stevenson_treasure-island", "305f56fe9a62e34724f9bbcd4c6c8890b4c46c5d")
HAMLET = (SE + "william-shakespeare_hamlet", "d4afab8c266cc4cdbbbef6a6d7e5f683fb6b1771")
CAROL = (SE + "charles-dickens_a-christmas-carol", "5b667859aef5ce2894893026cd098f926c3db11f")
SHERLOCK = (SE + "arthur-conan-doyle_the-adventures-of-sherlock-holmes", "23b2b6e0aa1350aaccaac91e1d0fe3bb6ed4c81f")
FRANKENSTEIN = (SE + "mary-shelley_frankenstein", "0e54fe85d3916535d8fa9dddebee03b107fa0888")
DARKNESS = (SE + "joseph-conrad_heart-of-darkness", "fb392d31424b6794f9eb88a850a37b96ec25a1c6")
FROST = (SE + "robert-frost_north-of-boston", "8a237750c65e4a471e372073c1c81ff122b9fa70")
MILTON = (SE + "john-milton_paradise-lost", "fbeb874c71a71e625ec80552abd74480ce35c6d3")
EARNEST = (SE + "oscar-wilde_the-importance-of-being-earnest", "f675f6ddc044499c60310057d595d31d0b4b3f06")
SILAS = (SE + "george-eliot_silas-marner", "8c583de10170bb8de6f9fd2f3b0b0cbe9334fdea")
DRACULA = (SE + "bram-stoker_dracula", "e9e81aadf8b235fb6498728bce54b0967e224612")
ALICE = ("GITenberg/Alice-s-Adventures-in-Wonderland_11", "7f18748e114b994d5d9454d5793581bc0b9cf9d7")
ALICE_META = {"title": "Alice's Adventures in Wonderland", "author": "Lewis Carroll"}

BOOKS = [
    CorpusBook("pride-and-prejudice", *P_AND_P, "se-epub3", "numerals alone (I, II, …)"),
    CorpusBook("treasure-island", *TREASURE, "se-epub3", "Part I over titled chapters (I: …)"),
    CorpusBook("hamlet", *HAMLET, "se-epub2", "a play's acts, scenes inside"),
    CorpusBook("christmas-carol-tool3", *CAROL, "tool-epub3", "common tool: title + opening, staves",
               opening=True),
    CorpusBook("christmas-carol-tool2", *CAROL, "tool-epub2", "common tool (NCX): opening, staves",
               opening=True),
    CorpusBook("sherlock-holmes", *SHERLOCK, "docx", "titled stories, numbered sections"),
    CorpusBook("treasure-island-web", *TREASURE, "web-page", "parts over titled chapters"),
    CorpusBook("frankenstein-print", *FRANKENSTEIN, "pdf", "letters, then chapters"),
    CorpusBook("alice-gutenberg", *ALICE, "pg-html", "CHAPTER I. Title", path="11-h/11-h.htm", **ALICE_META),
    CorpusBook("christmas-carol-web", *CAROL, "web-page", "a web page: title + opening, staves", opening=True),
    CorpusBook("north-of-boston", *FROST, "se-epub3", "poems, all in one file"),
    # held out: measured for acceptance only
    CorpusBook("frankenstein", *FRANKENSTEIN, "se-epub3", "letters, then chapters", held_out=True),
    CorpusBook("heart-of-darkness", *DARKNESS, "se-epub2", "numerals alone (I, II, III)", held_out=True),
    CorpusBook("alice-gutenberg-pdf", *ALICE, "pg-pdf", "CHAPTER I. Title (Gutenberg's PDF)",
               path="11-pdf.pdf", toc_path="11-h/11-h.htm", held_out=True, **ALICE_META),
    CorpusBook("hamlet-print", *HAMLET, "pdf", "a play's acts, as print", held_out=True),
    CorpusBook("christmas-carol-docx", *CAROL, "docx", "a manuscript: title + opening, staves", held_out=True,
               opening=True),
    CorpusBook("sherlock-holmes-epub", *SHERLOCK, "se-epub3", "titled stories, numbered sections",
               held_out=True),
    # held out, a second set: added after the first set's failures were fixed, measured once
    CorpusBook("paradise-lost", *MILTON, "se-epub3", "a poem in Books I–XII", held_out=True),
    CorpusBook("importance-of-being-earnest", *EARNEST, "docx", "a play's acts, as a manuscript", held_out=True),
    CorpusBook("silas-marner-tool", *SILAS, "tool-epub2", "common tool (NCX), chapters of two parts", held_out=True),
    CorpusBook("dracula-print", *DRACULA, "pdf", "chapters of letters and journals, as print", held_out=True),
]


def reference_of(book: CorpusBook, src: Path) -> reference.Reference:
    """What the book's own table of contents says (reference.py, gutenberg.py)."""
    if book.make in ("pg-html", "pg-pdf"):
        page = sources.read(src, book.repo, book.commit, book.toc_path or book.path)
        return gutenberg.gutenberg_page(page, book.title, book.author)
    ref = reference.standard_ebook(src, book.repo, book.commit)
    ref.opening = book.opening
    return ref


def make(book: CorpusBook, src: Path, ref: reference.Reference) -> bytes:
    """The file a narrator would receive."""
    if book.make == "se-epub3":
        return epubs.standard_epub3(src, book.repo, book.commit)
    if book.make == "se-epub2":
        return epubs.standard_epub2(src, book.repo, book.commit)
    if book.make in ("tool-epub3", "tool-epub2"):
        return epubs.tool_epub(ref, 3 if book.make == "tool-epub3" else 2)
    if book.make == "web-page":
        return documents.web_page(ref)
    if book.make == "docx":
        return documents.manuscript(ref)
    if book.make == "pdf":
        return documents.print_pdf(ref)
    return sources.read(src, book.repo, book.commit, book.path)  # Project Gutenberg's own file
