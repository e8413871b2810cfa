"""The documentation: README's test command is the one CI runs, every relative link in README.md and
docs/ leads to a file (and heading) that is there, every page is in the site's nav, and the site
builds with `mkdocs build --strict` (skipped only where mkdocs is not installed: the test extra has it)."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)


def pages() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


def prose(text: str) -> str:
    """Markdown without its code: fenced blocks and code spans hold no links."""
    return _CODE_SPAN.sub("", _FENCE.sub("", text))


def slug(heading: str) -> str:
    """A heading's anchor as Python-Markdown's toc extension (mkdocs) makes it; GitHub's agrees on
    the plain headings these pages use."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def anchors(page: Path) -> set[str]:
    return {slug(h) for h in _HEADING.findall(_FENCE.sub("", page.read_text("utf-8")))}


def relative_links(page: Path) -> list[str]:
    return [t for t in _LINK.findall(prose(page.read_text("utf-8")))
            if not re.match(r"[a-z][a-z0-9+.-]*:", t, re.I)]  # http:, https:, mailto: are not ours to check


def broken_links(page: Path) -> list[str]:
    problems = []
    for target in relative_links(page):
        path_part, _, fragment = target.partition("#")
        dest = (page.parent / unquote(path_part)).resolve() if path_part else page
        where = f"{page.relative_to(ROOT)}: [{target}]"
        if not dest.exists():
            problems.append(f"{where} leads to {dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest}, "
                            "which is not there")
        elif not dest.is_relative_to(ROOT):
            problems.append(f"{where} leads out of the project")
        elif page.is_relative_to(DOCS) and not dest.is_relative_to(DOCS):
            problems.append(f"{where} leads out of docs/: the site cannot serve it (name the file in code instead)")
        elif fragment and dest.suffix == ".md" and fragment not in anchors(dest):
            problems.append(f"{where}: {dest.relative_to(ROOT)} has no heading #{fragment}")
    return problems


def test_the_link_checker_finds_what_is_broken(tmp_path, monkeypatch):
    page = tmp_path / "docs" / "page.md"
    page.parent.mkdir()
    (page.parent / "there.md").write_text("# There\n\n## A heading: with `code`\n", "utf-8")
    page.write_text("[ok](there.md#a-heading-with-code) [gone](missing.md) [no heading](there.md#nowhere)\n"
                    "`[in code](missing.md)` [web](https://example.org/x.md) [self](#page)\n\n# Page\n"
                    "```\n[fenced](missing-too.md)\n```\n", "utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "DOCS", tmp_path / "docs")
    problems = broken_links(page)
    assert len(problems) == 2, problems
    assert "missing.md" in problems[0] and "#nowhere" in problems[1]


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    problems = broken_links(page)
    assert not problems, "\n".join(problems)


def test_readme_is_short_and_links_every_command_page():
    text = README.read_text("utf-8")
    assert len(text.splitlines()) < 250, "README.md is for a newcomer: the reference belongs in docs/"
    linked = {Path(t.partition("#")[0]).name for t in relative_links(README)}
    for command in ("init", "analyze", "build", "proof", "check", "review", "serve", "publish"):
        assert f"{command}.md" in linked, f"README.md does not link docs/{command}.md"


def _block_after(text: str, marker: str) -> str:
    """The first ```sh block after the line that says `marker`."""
    start = text.index(marker)
    match = re.search(r"```sh\n(.*?)```", text[start:], re.S)
    assert match, f"no ```sh block after {marker!r}"
    return match.group(1).strip()


def test_readme_test_command_is_the_one_ci_runs():
    readme = _block_after(README.read_text("utf-8"), "Run the tests")
    ci = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    marker = next(i for i, line in enumerate(ci) if 'README: "Run the tests"' in line)
    assert ci[marker + 1].strip() == readme


def test_docs_index_gives_the_readme_commands():
    readme, index = README.read_text("utf-8"), (DOCS / "index.md").read_text("utf-8")
    assert _block_after(readme, "Quick start") in index
    assert _block_after(readme, "Run the tests") in index


def _nav_pages(nav) -> list[str]:
    out = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        out += _nav_pages(value) if isinstance(value, list) else [value]
    return out


def test_every_page_is_in_the_nav():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))
    listed = set(_nav_pages(config["nav"]))
    on_disk = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert on_disk - listed == set(), "add these pages to nav in mkdocs.yml"
    assert listed - on_disk == set(), "mkdocs.yml's nav names pages that are not in docs/"


def test_site_builds_strict(tmp_path):
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (pip install -e '.[test]' has it)")
    site = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                             str(ROOT / "mkdocs.yml"), "--site-dir", str(site)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    for page in DOCS.rglob("*.md"):
        rel = page.relative_to(DOCS).with_suffix("")
        built = site / ("index.html" if rel.name == "index" else rel / "index.html")
        assert built.is_file(), f"{page.relative_to(ROOT)} was not built"
    # viewed offline: no script, style sheet or image fetched from the network
    fetched = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.I)
    for html in site.rglob("*.html"):
        assert not fetched.search(html.read_text("utf-8")), f"{html.relative_to(site)} loads something from the network"
