#!/usr/bin/env python3
"""Measure `audiobook init` on a corpus of real books (scripts/bookcorpus/corpus.py): for each, the
chapters its own table of contents lists, front and back matter kept out, the opening kept, and its
body words within 2 % of a count made without audiobook's parser (bookcorpus/reference.py).

    python scripts/books.py                 # the books tuned on
    python scripts/books.py --held-out      # the books kept back for acceptance
    python scripts/books.py --all --pin     # every book; pin each file's sha256 (bookcorpus/pinned.sha256)

Sources are public repositories at pinned commits, read from local git copies under --sources
(or $AUDIOBOOK_BOOK_SOURCES; one folder per repository, named owner+name). The files made from them
are cached by sha256 under --cache (or $AUDIOBOOK_BOOK_CACHE, default ~/.cache/audiobook/books) and
checked against the sha256 pinned in bookcorpus/pinned.sha256, so a changed source or maker is noticed. Exit 1 when
a book fails, 2 when a source is missing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from bookcorpus import corpus  # noqa: E402
from bookcorpus.measure import measure  # noqa: E402
from bookcorpus.sources import SourceMissing  # noqa: E402


def cached(book: corpus.CorpusBook, src: Path, cache: Path, ref) -> tuple[Path, str]:
    """The book's file, from the cache where its pinned sha256 is there, else made (and cached)."""
    if book.sha256:
        path = cache / f"{book.sha256}{book.suffix}"
        if path.is_file():
            return path, book.sha256
    data = corpus.make(book, src, ref)
    digest = hashlib.sha256(data).hexdigest()
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"{digest}{book.suffix}"
    if not path.is_file():
        path.write_bytes(data)
    return path, digest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--held-out", action="store_true", help="only the books kept back for acceptance")
    which.add_argument("--all", action="store_true", help="every book")
    parser.add_argument("--sources", type=Path, default=os.environ.get("AUDIOBOOK_BOOK_SOURCES"))
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get(
        "AUDIOBOOK_BOOK_CACHE", Path.home() / ".cache" / "audiobook" / "books")))
    parser.add_argument("--pin", action="store_true", help="write the sha256 of the files made into bookcorpus/pinned.sha256")
    parser.add_argument("--book", action="append", help="only this book (its key); may be repeated")
    args = parser.parse_args()
    if args.sources is None:
        print("error: give --sources (or set AUDIOBOOK_BOOK_SOURCES): the folder of the repositories' git copies",
              file=sys.stderr)
        return 2
    books = [b for b in corpus.BOOKS if args.all or b.held_out == args.held_out]
    if args.book:
        books = [b for b in books if b.key in args.book]
    print("| book | made as | chapters headed | chapters (listed) | titles agree | matter as chapters "
          "| opening | words (counted) | off | ok |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    failed, digests = 0, {}
    for book in books:
        try:
            ref = corpus.reference_of(book, args.sources)
            path, digest = cached(book, args.sources, args.cache, ref)
        except SourceMissing as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        digests[book.key] = digest
        changed = bool(book.sha256) and digest != book.sha256
        r = measure(path, ref)
        failed += not r.ok or changed
        opening = "—" if r.opening_kept is None else ("kept" if r.opening_kept else "LOST")
        print(f"| {book.key} | {book.make} | {book.shape} | {r.chapters} ({r.listed}) | {r.titles_agree} "
              f"| {', '.join(r.matter_made) or 'none'} | {opening} | {r.words:,} ({r.reference_words:,}) "
              f"| {r.words_off:+.1%} | {'yes' if r.ok and not changed else 'NO'} |"
              + (f" {r.error}" if r.error else "") + (f" (sha256 {digest[:12]}, pinned {book.sha256[:12]})"
                                                      if changed else ""))
    if args.pin:
        corpus.pin(digests)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
