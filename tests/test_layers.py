"""The package's layers only point down: a module imports its own layer and those below, never
one above, and no two packages import each other. Read from the source, imports inside
functions included (they hide arrows as well as top-level ones show them)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "audiobook"

# Bottom to top. A module's layer is its package's (or its own name's, for top-level modules).
LAYERS = [
    {"errors", "files", "lifeline", "forkserver_lifeline", "parallel", "presets", "mp3frames", "ffmpeg", "data"},
    {"tags"},  # what goes into a track's tags, whatever the format
    {"formats", "report"},  # the file formats (and their tags); report.json's records
    {"analysis", "cache"},  # reading and measuring audio
    {"listen", "book"},  # the acoustic engine; the book's text
    {"recordings", "manifest"},
    {"plan"},  # where the cuts go
    {"render", "feed", "transcript"},  # mastering and encoding; the podcast feed; the timed text
    {"outfolder", "build", "check", "review", "serve", "publish", "readalong"},  # the applications (and the build folder they share)
    {"proof"},  # an application on top of the build's planning
    {"cli", "__main__"},
]
LAYER = {name: n for n, names in enumerate(LAYERS) for name in names}


def _unit(module: str) -> str:
    """'audiobook.plan.anchor' -> 'plan'; 'audiobook.errors' -> 'errors'; 'audiobook' -> ''."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports() -> list[tuple[str, str, int]]:
    """(importing module, imported module, line) for every import of the package's own modules."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "audiobook":
                targets = [node.module] if node.module != "audiobook" else [  # its submodules, not __version__
                    f"audiobook.{a.name}" for a in node.names
                    if (PACKAGE / f"{a.name}.py").is_file() or (PACKAGE / a.name).is_dir()]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.split(".")[0] == "audiobook"]
            else:
                continue
            out += [(module, t, node.lineno) for t in targets]
    return out


def test_every_part_of_the_package_has_a_layer():
    units = {_unit(m) for m, _, _ in _imports()} | {_unit(t) for _, t, _ in _imports()}
    assert units - {""} <= set(LAYER), f"give these a layer in LAYERS: {sorted(units - {''} - set(LAYER))}"


def test_no_module_imports_a_layer_above_its_own():
    upward = [f"{m}:{line} imports {t}" for m, t, line in _imports()
              if _unit(m) and _unit(t) and LAYER[_unit(t)] > LAYER[_unit(m)]]
    assert not upward, "\n".join(upward)


def test_no_two_packages_import_each_other():
    edges = {(_unit(m), _unit(t)) for m, t, _ in _imports() if _unit(m) and _unit(t) and _unit(m) != _unit(t)}
    assert not sorted((a, b) for a, b in edges if (b, a) in edges and a < b)


def test_no_module_imports_another_that_imports_it_back():
    edges = {(m, t) for m, t, _ in _imports()}
    assert not sorted((a, b) for a, b in edges if (b, a) in edges and a < b)
