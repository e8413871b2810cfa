"""The `audiobook` command: parse the arguments, call one library function, show the result.

The only module that prints or exits; every error becomes its exit status here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from audiobook import __version__
from audiobook.errors import AudiobookError, ManifestError

_existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="audiobook")
def cli() -> None:
    """Turn a narrator's recordings and a book's text into a finished audiobook.

    \b
    1. audiobook init RECORDINGS --book TEXT [--blurb FILE] [--toc FILE] [--cover IMAGE]
       writes RECORDINGS/manifest.yaml from the book's chapters and sections.
    """


@cli.command()
@click.argument("recordings", type=click.Path(file_okay=False, path_type=Path))
@click.option("--book", "book_path", type=_existing_file, required=True,
              help="The book's text: plain text (a PDF dump will do) or Markdown.")
@click.option("--blurb", type=_existing_file, help="The publisher's blurb: title, author, narrator, description.")
@click.option("--toc", type=_existing_file, help="A table of contents that supplies or corrects titles.")
@click.option("--cover", type=_existing_file, help="Cover art (JPEG or PNG, square, 1400-3000 px).")
@click.option("--title", help="The book's title, when neither the text nor the blurb gives it right.")
@click.option("--force", is_flag=True, help="Replace an existing manifest.")
def init(recordings: Path, book_path: Path, blurb: Path | None, toc: Path | None, cover: Path | None,
         title: str | None, force: bool) -> None:
    """Write RECORDINGS/manifest.yaml from the book's chapter structure.

    The manifest lists the book's details and every chapter with its sections and word
    counts; the build splits the recordings by it. Read it, fix what the text got wrong,
    then build.
    """
    from audiobook.manifest import init_manifest

    path, manifest, book = init_manifest(recordings, book_path, blurb_path=blurb, toc_path=toc,
                                         cover_path=cover, title=title, force=force)
    for w in book.warnings:
        where = f"{book_path.name}:{w.line}" if w.line else book_path.name
        click.echo(f"warning: {where}: {w.message}", err=True)
    sections = sum(len(c.sections) for c in manifest.chapters)
    click.echo(f"{path}: {manifest.book.title or 'untitled'} — {len(manifest.chapters)} parts, "
               f"{sections} sections, {sum(c.words for c in manifest.chapters):,} words, "
               f"{len(manifest.recordings.files)} recordings")
    for c in manifest.chapters:
        click.echo(f"  {c.id:<16} {c.words:>7,} words  {len(c.sections)} sections  {c.title}")


def main(argv: list[str] | None = None) -> None:
    """Run the command line; AudiobookError → its message on stderr and its exit status."""
    try:
        cli.main(args=argv, prog_name="audiobook", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ManifestError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(exc.exit_code)
    except AudiobookError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
