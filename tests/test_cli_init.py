"""`audiobook init` through the command line, in process."""

from __future__ import annotations

import contextlib
import hashlib
import io
import subprocess
import sys

import yaml
from click.testing import CliRunner

from audiobook.cli import cli, main


def _invoke(args):
    """Run main() as the console script does: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(args)
        except SystemExit as exc:
            code = exc.code or 0
    return code, out.getvalue(), err.getvalue()


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_init_on_the_pdf_dump_lists_parts_and_warns(tmp_path, pdf_dump, blurb_txt):
    before = _digest(pdf_dump), _digest(blurb_txt)
    code, out, err = _invoke(["init", str(tmp_path), "--book", str(pdf_dump), "--blurb", str(blurb_txt)])
    assert code == 0, err
    assert "13 parts" in out and "The Revolution Betrayed" in out
    assert f"warning: {pdf_dump.name}:1924: Chapter 5: title not found in the text" in err
    assert (tmp_path / "manifest.yaml").is_file()
    assert (_digest(pdf_dump), _digest(blurb_txt)) == before


def test_init_refuses_to_overwrite_and_exits_2(tmp_path, pdf_dump, blurb_txt):
    args = ["init", str(tmp_path), "--book", str(pdf_dump), "--blurb", str(blurb_txt)]
    assert _invoke(args)[0] == 0
    before = (tmp_path / "manifest.yaml").read_bytes()
    code, out, err = _invoke(args)
    assert code == 2 and "--force" in err and "error:" in err
    assert (tmp_path / "manifest.yaml").read_bytes() == before
    assert _invoke(args + ["--force"])[0] == 0


def test_bad_book_text_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "book.txt"
    bad.write_bytes(b"\x00\x01\x02binary")
    code, out, err = _invoke(["init", str(tmp_path), "--book", str(bad), "--title", "X"])
    assert code == 2 and "book.txt: not a text file" in err
    assert not (tmp_path / "manifest.yaml").exists()
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    code, out, err = _invoke(["init", str(tmp_path), "--book", str(empty), "--title", "X"])
    assert code == 2 and "empty.txt: the file is empty" in err


def test_a_book_without_a_title_asks_for_one(tmp_path):
    book = tmp_path / "book.txt"
    book.write_text("Chapter 1\n\nONE\n\n" + "Words and more words. " * 50)
    code, out, err = _invoke(["init", str(tmp_path), "--book", str(book)])
    assert code == 2 and "--title" in err
    assert _invoke(["init", str(tmp_path), "--book", str(book), "--title", "A Title"])[0] == 0


def test_help_and_module_entry_point():
    result = CliRunner().invoke(cli, ["init", "--help"])
    assert result.exit_code == 0 and "--toc" in result.output
    proc = subprocess.run([sys.executable, "-m", "audiobook", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "init" in proc.stdout


def test_validate_reports_every_problem_with_its_line_and_exits_2(tmp_path, pdf_dump, blurb_txt):
    assert _invoke(["init", str(tmp_path), "--book", str(pdf_dump), "--blurb", str(blurb_txt)])[0] == 0
    code, out, err = _invoke(["validate", str(tmp_path)])
    assert code == 0 and "valid" in out
    path = tmp_path / "manifest.yaml"
    text = path.read_text(encoding="utf-8")
    line = text.split("\n").index("  narrator: Jonathan Booth") + 1
    path.write_text(text.replace("  narrator: Jonathan Booth", "  narator: Jonathan Booth")
                    .replace("  bitrate_kbps: 192", "  bitrate_kbps: high"), encoding="utf-8")
    code, out, err = _invoke(["validate", str(tmp_path)])
    assert code == 2
    assert f"manifest.yaml:{line}: book.narator: unknown key 'narator' — did you mean 'narrator'?" in err
    assert "output.bitrate_kbps: expected a whole number, got 'high'" in err


SONNETS = "Three Sonnets\n\n" + "".join(
    f"Sonnet {n}\n\nWhen forty winters shall besiege thy brow,\nAnd dig deep trenches in thy beauty's field,\n"
    "Thy youth's proud livery, so gazed on now,\nWill be a tattered weed, of small worth held:\n\n"
    for n in ("I", "II", "III"))


def test_init_keeps_the_books_own_labels_and_asks_for_the_author(tmp_path):
    book = tmp_path / "sonnets.txt"
    book.write_text(SONNETS)
    code, out, err = _invoke(["init", str(tmp_path), "--book", str(book)])
    assert code == 0, err
    assert "Three Sonnets — 3 parts" in out and "Sonnet II" in out and "Chapter" not in out and "Opening" not in out
    assert "the book's author is not in the text" in err and "book.author in manifest.yaml" in err
    loaded = yaml.safe_load((tmp_path / "manifest.yaml").read_text())
    assert [(c["id"], c["kind"], c["number"], c["title"]) for c in loaded["chapters"]] == [
        ("sonnet-01", "sonnet", 1, "Sonnet I"), ("sonnet-02", "sonnet", 2, "Sonnet II"),
        ("sonnet-03", "sonnet", 3, "Sonnet III")]
    assert loaded["book"]["title"] == "Three Sonnets" and loaded["book"]["author"] is None
    book.write_text(SONNETS.replace("Three Sonnets\n\n", "Three Sonnets\n\nBy William Shakespeare\n\n"))
    code, out, err = _invoke(["init", str(tmp_path), "--book", str(book), "--force"])
    assert code == 0 and "author" not in err
    assert yaml.safe_load((tmp_path / "manifest.yaml").read_text())["book"]["author"] == "William Shakespeare"
