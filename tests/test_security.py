"""Security rules, checked on the source itself: safe YAML only, no shell, XML by an XML library."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "audiobook"
SOURCES = sorted(PACKAGE.rglob("*.py"))


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call):
            yield node, ast.unparse(node.func)


def test_the_rules_see_the_code():
    names = {name for path in SOURCES for _, name in _calls(path)}
    assert {"yaml.safe_load", "subprocess.run", "subprocess.Popen", "ET.SubElement"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_yaml_is_only_safe_loaded(path):
    for node, name in _calls(path):
        assert name not in ("yaml.load", "yaml.load_all", "yaml.unsafe_load", "yaml.full_load"), \
            f"{path.name}:{node.lineno}: {name} can build any Python object: use yaml.safe_load"
        loaders = [ast.unparse(k.value) for k in node.keywords if k.arg == "Loader"]
        assert all(x in ("yaml.SafeLoader", "yaml.CSafeLoader") for x in loaders), f"{path.name}:{node.lineno}: {loaders}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_shell_commands_built_from_strings(path):
    for node, name in _calls(path):
        assert name not in ("os.system", "os.popen"), f"{path.name}:{node.lineno}: {name} runs a shell"
        if name.startswith("subprocess."):
            assert not any(k.arg == "shell" for k in node.keywords), f"{path.name}:{node.lineno}: shell="
            first = node.args[0] if node.args else None
            assert not isinstance(first, (ast.Constant, ast.JoinedStr, ast.BinOp)), \
                f"{path.name}:{node.lineno}: a command line as one string: pass an argument list"


@pytest.mark.parametrize("path", sorted((PACKAGE / "feed").glob("*.py")) + sorted((PACKAGE / "tags").glob("*.py")),
                         ids=lambda p: p.name)
def test_xml_is_built_by_an_xml_library_not_pasted(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert not re.search(r"<[A-Za-z/?!][^>]*>", node.value), f"{path.name}:{node.lineno}: markup in a string"
