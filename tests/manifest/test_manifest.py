from __future__ import annotations

import dataclasses
import json
import typing
from importlib import resources

import jsonschema
import pytest
import yaml

from audiobook.errors import InputError, ManifestError
from audiobook.manifest import Manifest, init_manifest, load_manifest, parse_manifest
from audiobook.manifest.model import parse_time

GOOD = """\
book:
  title: A Small Book
  author: Some One
output:
  format: mp3
chapters:
  - id: chapter-01
    title: One
    words: 120
    sections:
      - {title: First, words: 60}
      - {title: Second, words: 60, start: "1:02.5"}
  - id: chapter-02
    title: Two
    words: 80
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(ManifestError) as err:
        parse_manifest(text)
    return err.value.problems


def test_good_manifest_loads_with_defaults():
    m = parse_manifest(GOOD)
    assert m.book.title == "A Small Book" and m.output.bitrate_kbps == 192 and m.output.preset == "acx"
    assert [c.id for c in m.chapters] == ["chapter-01", "chapter-02"]
    assert m.chapters[0].sections[1].start == "1:02.5"


def test_unknown_key_names_the_line_and_suggests():
    problems = _problems(GOOD.replace("  author: Some One", "  autor: Some One"))
    assert problems == ["manifest.yaml:3: book.autor: unknown key 'autor' — did you mean 'author'?"]


def test_every_problem_is_reported_at_once_with_its_line():
    bad = (GOOD.replace("words: 120", "words: lots").replace("id: chapter-02", "id: chapter-01")
           .replace("format: mp3", "format: wma"))
    problems = _problems(bad)
    assert "manifest.yaml:9: chapters[0].words: expected a whole number, got 'lots'" in problems
    assert any(p.startswith("manifest.yaml:13: chapters[1].id: duplicate id 'chapter-01'") for p in problems)
    assert any(p.startswith("manifest.yaml:5: output.format: 'wma' is not a format") for p in problems)
    assert len(problems) == 3


def test_preset_by_name_or_numbers_and_a_wrong_one_named():
    assert parse_manifest(GOOD.replace("  format: mp3", "  format: mp3\n  preset: podcast,lufs=-18")).output.preset \
        == "podcast,lufs=-18"
    for spec in ("podcast,lufs=-18", "lufs=-19, true_peak=-2", "ebu-r128"):  # the schema takes them too
        jsonschema.validate(yaml.safe_load(GOOD.replace("  format: mp3", f"  format: mp3\n  preset: {spec}")), _schema())
    problems = _problems(GOOD.replace("  format: mp3", "  format: mp3\n  preset: podcats"))
    assert len(problems) == 1 and problems[0].startswith("manifest.yaml:6: output.preset:") and "did you mean 'podcast'" \
        in problems[0]
    problems = _problems(GOOD.replace("  format: mp3", "  format: mp3\n  preset: lufs=-18,tp=+3"))
    assert len(problems) == 1 and "below 0 dBFS" in problems[0]


def test_bad_times_and_types():
    problems = _problems(GOOD.replace('start: "1:02.5"', 'start: "soon"').replace("title: Two", "title: [Two]"))
    assert any("sections[1].start" in p and "is not a time" in p for p in problems)
    assert "manifest.yaml:14: chapters[1].title: expected text, got a list" in problems
    assert len(problems) == 2


def test_yaml_syntax_error_names_the_line():
    problems = _problems(GOOD.replace("    title: One", "    title: [One"))
    assert len(problems) == 1 and problems[0].startswith("manifest.yaml:") and "not valid YAML" in problems[0]


def test_unsafe_yaml_tags_are_refused():
    problems = _problems("book: !!python/object/apply:os.system ['echo hi']\n")
    assert "not valid YAML" in problems[0]


def test_files_must_exist_inside_the_folder(tmp_path):
    (tmp_path / "s1.flac").write_bytes(b"x")
    text = GOOD + "recordings:\n  files: [s1.flac, s2.flac, ../outside.flac]\n"
    with pytest.raises(ManifestError) as err:
        parse_manifest(text, "manifest.yaml", tmp_path)
    problems = err.value.problems
    assert any("'s2.flac': no such file" in p for p in problems)
    assert any("'../outside.flac' is outside the recordings folder" in p for p in problems)
    assert all(p.startswith("manifest.yaml:17: recordings.files[") for p in problems)


@pytest.mark.parametrize("value,expected", [
    (93.5, (None, 93.5)), ("1:33.5", (None, 93.5)), ("1:02:03.25", (None, 3723.25)),
    ("session-02.flac 12:03.5", ("session-02.flac", 723.5)),
])
def test_parse_time(value, expected):
    assert parse_time(value) == expected


def test_missing_manifest_says_how_to_make_one(tmp_path):
    with pytest.raises(InputError, match="audiobook init"):
        load_manifest(tmp_path)


def test_init_writes_a_manifest_that_loads_and_validates_against_the_schema(tmp_path, pdf_dump, blurb_txt, summary_md):
    (tmp_path / "session-10.flac").write_bytes(b"")
    (tmp_path / "session-2.flac").write_bytes(b"")
    path, manifest, book = init_manifest(tmp_path, pdf_dump, blurb_path=blurb_txt, toc_path=summary_md)
    loaded, folder = load_manifest(tmp_path)
    assert loaded == manifest
    assert loaded.book.title == "The Revolution Betrayed"
    assert loaded.book.subtitle == "What is the Soviet Union and where is it going?"
    assert (loaded.book.author, loaded.book.narrator) == ("Leon Trotsky", "Jonathan Booth")
    assert loaded.recordings.files == ["session-2.flac", "session-10.flac"]  # name order, as people count
    assert [c.id for c in loaded.chapters][:3] == ["introduction", "chapter-01", "chapter-02"]
    assert loaded.chapters[5].title == "The Soviet Thermidor"
    assert sum(c.words for c in loaded.chapters) == book.words
    assert (tmp_path / loaded.book.text).read_bytes() == pdf_dump.read_bytes()  # copied in, original untouched
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# audiobook manifest")
    jsonschema.validate(yaml.safe_load(text), _schema())
    with pytest.raises(InputError, match="--force"):
        init_manifest(tmp_path, pdf_dump, blurb_path=blurb_txt)


def _schema() -> dict:
    return json.loads(resources.files("audiobook.manifest").joinpath("schema.json").read_text("utf-8"))


def _schema_node(schema: dict, node: dict) -> dict:
    return schema["$defs"]["time"] if "$ref" in node else node


def test_schema_and_dataclasses_agree_on_keys_and_defaults():
    """One home for each default: the schema says what the dataclasses say."""
    schema = _schema()

    def check(cls, node):
        props = node["properties"]
        fields = {f.name: f for f in dataclasses.fields(cls)}
        assert set(props) == set(fields), cls.__name__
        hints = typing.get_type_hints(cls)
        for name, f in fields.items():
            sub = _schema_node(schema, props[name])
            if dataclasses.is_dataclass(hints[name]):
                check(hints[name], sub)
                continue
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            if typing.get_origin(hints[name]) is list and sub.get("items", {}).get("properties"):
                (item,) = typing.get_args(hints[name])
                check(item, sub["items"])
            assert sub.get("default", "absent") == default, (cls.__name__, name)

    check(Manifest, schema)


def test_schema_lists_the_formats_there_are_modules_for():
    from audiobook import formats

    assert _schema()["properties"]["output"]["properties"]["format"]["enum"] == list(formats.WRITTEN)


def test_schema_rejects_what_the_loader_rejects():
    data = yaml.safe_load(GOOD)
    data["book"]["autor"] = "x"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, _schema())
