"""The wizard file loader: every class of problem, with its path and line, and round trips."""

from __future__ import annotations

import json
import os
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.wizard_files import FOUR_STEPS, only_wizard_file_errors
from wizard_desktop.definition import reading, validator
from wizard_desktop.definition.answers import answer_problem
from wizard_desktop.definition.fileformat import field_types
from wizard_desktop.definition.loader import (
    MAX_FILE_BYTES,
    Problem,
    WizardFileError,
    definition_from_dict,
    load_wizard_file,
    parse_wizard_text,
)
from wizard_desktop.definition.model import (
    AllOf,
    Compare,
    Contains,
    Equals,
    In,
    Not,
    Option,
)
from wizard_desktop.definition.problems import format_path
from wizard_desktop.paths import bundled_wizards_dir

# Lines 1-7; the first field starts on line 8.
HEAD = """\
format_version: 1
id: demo
title: Demo
steps:
  - id: one
    title: One
    fields:
"""

VALID_YAML = (
    HEAD
    + """\
      - id: name
        type: text
        label: Name
        required: true
        min_length: 2
        max_length: 40
        pattern: "[A-Za-z ]+"
        placeholder: Jane Doe
        default: Jane
      - id: about
        type: multiline
        label: About you
        help: A few words.
        max_length: 200
      - id: age
        type: number
        label: Age
        min: 18
        max: 120
        decimals: 0
        unit: years
  - id: two
    title: Two
    description: "**Markdown** text."
    visible_if: {field: age, gte: 21}
    fields:
      - id: drink
        type: choice
        label: Drink
        options: [tea, {value: coffee, label: Coffee}]
        default: coffee
      - id: extras
        type: multi_choice
        label: Extras
        options: [milk, sugar, lemon]
        min_selected: 0
        max_selected: 2
        default: [milk]
        visible_if: {all: [{field: drink, equals: tea}, {not: {field: name, answered: false}}]}
      - id: sweet
        type: boolean
        label: Sweet
        visible_if: {field: extras, contains: sugar}
      - id: when
        type: date
        label: When
        min: 2024-01-01
        max: "2030-12-31"
        default: 2025-05-05
        visible_if: {any: [{field: drink, in: [tea, coffee]}, {field: age, lt: 30}]}
"""
)


def problems(text: str, kind: str = "yaml", source: str = "w.yaml") -> list[str]:
    with pytest.raises(WizardFileError) as info:
        parse_wizard_text(text, source, kind)  # type: ignore[arg-type]
    assert str(info.value) == "\n".join(str(p) for p in info.value.problems)
    return [str(p) for p in info.value.problems]


def field_problems(fields: str) -> list[str]:
    """Problems of a wizard whose first step has these fields (first field on line 8)."""
    return problems(HEAD + textwrap.indent(textwrap.dedent(fields), "      "))


def load_problems(path: Path) -> list[str]:
    with pytest.raises(WizardFileError) as info:
        load_wizard_file(path)
    return [str(p) for p in info.value.problems]


# --- Valid files and round trips ------------------------------------------------------


def test_valid_yaml_loads_with_every_setting() -> None:
    d = parse_wizard_text(VALID_YAML, "w.yaml", "yaml")
    assert [s.id for s in d.steps] == ["one", "two"]
    name = d.field("name")
    assert name is not None and name.required and name.pattern == "[A-Za-z ]+"
    assert name.default == "Jane"
    drink = d.field("drink")
    assert drink is not None
    assert drink.options == (Option("tea", "tea"), Option("coffee", "Coffee"))
    when = d.field("when")
    assert when is not None
    assert (when.min, when.max, when.default) == ("2024-01-01", "2030-12-31", "2025-05-05")
    assert d.steps[1].visible_if == Compare("age", "gte", 21)
    extras = d.field("extras")
    assert extras is not None and isinstance(extras.visible_if, AllOf)
    assert isinstance(extras.visible_if.conditions[1], Not)
    sweet = d.field("sweet")
    assert sweet is not None and sweet.visible_if == Contains("extras", "sugar")
    assert when.visible_if is not None
    assert In("drink", ("tea", "coffee")) in when.visible_if.conditions  # type: ignore[union-attr]


def test_round_trip_through_dict_and_json_keeps_definition_and_hash(tmp_path: Path) -> None:
    d = parse_wizard_text(VALID_YAML, "w.yaml", "yaml")
    again = definition_from_dict(d.to_dict())
    assert again == d
    assert again.content_hash() == d.content_hash()
    as_json = tmp_path / "w.json"
    as_json.write_text(json.dumps(d.to_dict(), indent=2), encoding="utf-8")
    from_json = load_wizard_file(as_json)
    assert from_json == d and from_json.content_hash() == d.content_hash()
    assert definition_from_dict(json.loads(d.canonical_json())) == d


def test_yml_extension_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "w.YML"
    path.write_bytes(b"\xef\xbb\xbf" + VALID_YAML.replace("\n", "\r\n").encode())
    assert load_wizard_file(path).id == "demo"


def test_schema_key_is_accepted_and_ignored() -> None:
    d = parse_wizard_text(VALID_YAML, "w.yaml", "yaml")
    data = {"$schema": "../wizard-format-v1.schema.json", **d.to_dict()}
    assert definition_from_dict(data) == d


# --- Reading the file -------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert load_problems(path) == [f"{path}: file not found"]


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    path = tmp_path / "dir.yaml"
    path.mkdir()
    assert load_problems(path) == [f"{path}: this is a folder, not a wizard file"]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(VALID_YAML)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(reading, "open", refuse, raising=False)
    assert load_problems(path) == [f"{path}: permission denied: cannot read the file"]


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "w.txt"
    path.write_text(VALID_YAML)
    assert load_problems(path) == [
        f"{path}: unsupported file type ('.txt'): a wizard file ends in .yaml, .yml or .json"
    ]


def test_file_over_2_mb_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(VALID_YAML + "#" * (MAX_FILE_BYTES - len(VALID_YAML)) + "\n")
    assert os.path.getsize(path) == MAX_FILE_BYTES + 1
    assert load_problems(path) == [f"{path}: the file is too large (2.0 MB); the limit is 2 MB"]
    path.write_text(VALID_YAML + "#" * (MAX_FILE_BYTES - len(VALID_YAML) - 1) + "\n")
    assert load_wizard_file(path).id == "demo"  # exactly 2 MB is fine


def test_size_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:
        handle.truncate(8 * 1024**3)  # sparse: reading it all would take long
    assert load_problems(path) == [f"{path}: the file is too large (8192.0 MB); the limit is 2 MB"]


def test_binary_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_bytes(b"format_version: 1\x00\x01\x02")
    assert load_problems(path) == [
        f"{path}: this is a binary file (it contains NUL bytes), not UTF-8 text"
    ]


def test_non_utf8_file_is_rejected_with_line(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_bytes(b"format_version: 1\nid: demo\ntitle: Caf\xe9\n")
    assert load_problems(path) == [
        f"{path}:3: the file is not UTF-8 text (byte 0xe9 cannot be decoded): save it as UTF-8"
    ]


def test_empty_files(tmp_path: Path) -> None:
    for name in ("w.yaml", "w.json"):
        path = tmp_path / name
        path.write_text("# nothing\n" if name.endswith("yaml") else "  \n")
        assert load_problems(path) == [f"{path}: the file is empty"]


# --- Syntax --------------------------------------------------------------------------


def test_yaml_syntax_error_has_its_line() -> None:
    text = "format_version: 1\nid: demo\ntitle: [unclosed\nsteps: []\n"
    (message,) = problems(text)
    assert message.startswith("w.yaml:4: YAML syntax error: ")


def test_yaml_control_character_has_its_line() -> None:
    assert problems("id: demo\ntitle: a\x07b\n") == [
        "w.yaml:2: the character U+0007 is not allowed in YAML"
    ]


def test_control_character_line_counts_characters_not_bytes() -> None:
    assert problems("title: Café ☕\nid: demo\nx: a\x07b\n") == [
        "w.yaml:3: the character U+0007 is not allowed in YAML"
    ]


def test_pure_python_yaml_parser_gives_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [
        "title: Café ☕\nid: demo\nx: a\x07b\n",
        HEAD + "      - &base\n        id: a\n",
        "id: *nowhere\n",
        "format_version: 1\nid: demo\ntitle: [unclosed\nsteps: []\n",
        VALID_YAML.replace("        label: Name\n", "        label: Name\n        label: Again\n"),
        VALID_YAML + "---\nid: other\n",
    ]

    def where(text: str) -> list[str]:  # syntax error wording differs between the parsers
        return [p.split(" YAML syntax error: ")[0] for p in problems(text)]

    with_libyaml = [where(t) for t in texts]
    valid = parse_wizard_text(VALID_YAML, "w.yaml", "yaml")
    monkeypatch.setattr(reading, "_FAST_LOADER", None)
    assert [where(t) for t in texts] == with_libyaml
    assert parse_wizard_text(VALID_YAML, "w.yaml", "yaml") == valid


def test_json_syntax_error_has_its_line() -> None:
    text = '{\n  "format_version": 1,\n  "id": "demo",\n  "title": "Demo"\n  "steps": []\n}\n'
    assert problems(text, "json", "w.json") == [
        "w.json:5: JSON syntax error: Expecting ',' delimiter (column 3)"
    ]


def test_several_yaml_documents_are_rejected() -> None:
    (message,) = problems(VALID_YAML + "---\nid: other\n")
    assert message.startswith("w.yaml:") and "single document" in message


def test_yaml_anchor_is_rejected() -> None:
    text = HEAD + "      - &base\n        id: a\n        type: text\n        label: A\n"
    assert problems(text) == [
        "w.yaml:8: YAML anchors (&base) are not supported: write the value out"
    ]


def test_yaml_alias_bomb_is_rejected_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    assert problems(bomb) == ["w.yaml:1: YAML anchors (&a) are not supported: write the value out"]


def test_yaml_alias_without_anchor_is_rejected() -> None:
    (message,) = problems("id: *nowhere\n")
    assert message == "w.yaml:1: YAML aliases (*nowhere) are not supported: write the value out"


def test_unsupported_yaml_tag() -> None:
    text = VALID_YAML.replace("title: Demo", "title: !!python/name:os.system Demo")
    assert problems(text) == [
        "w.yaml:3: title: the YAML tag tag:yaml.org,2002:python/name:os.system is not supported"
    ]


def test_invalid_yaml_date_value() -> None:
    text = VALID_YAML.replace("min: 2024-01-01", "min: 2024-13-45")
    assert problems(text) == [
        "w.yaml:54: steps[1].fields[3].min: '2024-13-45' is not a valid timestamp"
    ]


def test_non_text_key() -> None:
    text = VALID_YAML.replace("title: Demo\n", "title: Demo\n1: one\n")
    assert problems(text) == ["w.yaml:4: keys must be text, got 1"]


def test_duplicate_yaml_key_has_line_of_duplicate() -> None:
    text = VALID_YAML.replace(
        "        label: Name\n", "        label: Name\n        label: Again\n"
    )
    assert problems(text) == [
        "w.yaml:11: steps[0].fields[0].label: duplicate key 'label' (first at line 10)"
    ]


def test_duplicate_json_key_has_line_of_duplicate() -> None:
    text = '{\n  "format_version": 1,\n  "id": "demo",\n  "id": "again",\n  "title": "T",\n'
    text += '  "steps": [{"id": "s", "title": "S"}]\n}\n'
    assert problems(text, "json", "w.json") == ["w.json:4: id: duplicate key 'id'"]


def test_json_nan_is_not_a_number() -> None:
    data = json.loads(json.dumps(parse_wizard_text(VALID_YAML, "w", "yaml").to_dict()))
    data["steps"][0]["fields"][2]["max"] = "NAN"
    text = json.dumps(data, indent=2).replace('"NAN"', "NaN")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.strip() == '"max": NaN,')
    assert problems(text, "json", "w.json") == [
        f"w.json:{line}: steps[0].fields[2].max: expected a number, got nan"
    ]


def test_json_problems_have_lines() -> None:
    text = textwrap.dedent(
        """\
        {
          "format_version": 1,
          "id": "demo",
          "title": "Demo",
          "steps": [
            {
              "id": "one",
              "title": "One",
              "fields": [
                {"id": "a", "type": "txt", "label": "A"},
                {
                  "id": "b",
                  "type": "text",
                  "label": "B",
                  "requird": true
                }
              ]
            }
          ]
        }
        """
    )
    assert problems(text, "json", "w.json") == [
        "w.json:10: steps[0].fields[0].type: expected one of text, multiline, number, choice, "
        'multi_choice, boolean, date (got "txt")',
        "w.json:15: steps[0].fields[1].requird: unknown key 'requird'; did you mean 'required'?",
    ]


def test_deeply_nested_data_is_a_problem_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    text = '{"format_version": 1, "id": "x", "title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    deep = "the file is nested more than 100 levels deep"
    assert problems(text, "json", "w.json") == [f"w.json: {deep}"]
    # Brackets inside strings are text, not nesting.
    assert problems('{"title": "' + "[" * 100_000 + '"}', "json", "w.json")[0].endswith(
        "format_version: missing (required)"
    )
    yaml_text = "title: " + "[" * 100_000 + "]" * 100_000 + "\n"
    assert problems(yaml_text) == [f"w.yaml:1: {deep}"]
    monkeypatch.setattr(reading, "_FAST_LOADER", None)
    assert problems(yaml_text) == [f"w.yaml:1: {deep}"]


# --- Structure, keys and types ------------------------------------------------------


def test_top_level_must_be_a_mapping() -> None:
    assert problems("- a\n- b\n") == [
        "w.yaml:1: expected a mapping with format_version, id, title and steps at the top level, "
        "got a list"
    ]


def test_unknown_key_is_reported_with_suggestion() -> None:
    assert field_problems("- {id: a, type: text, label: A, requird: true}\n") == [
        "w.yaml:8: steps[0].fields[0].requird: unknown key 'requird'; did you mean 'required'?"
    ]


def test_unknown_top_level_and_step_keys() -> None:
    text = VALID_YAML.replace("title: Demo", "title: Demo\ntitel: Demo").replace(
        "    title: One\n", "    title: One\n    colour: red\n"
    )
    assert problems(text) == [
        "w.yaml:4: titel: unknown key 'titel'; did you mean 'title'?",
        "w.yaml:8: steps[0].colour: unknown key 'colour'; expected one of id, title, "
        "description, fields, visible_if",
    ]


def test_key_of_another_field_type() -> None:
    assert field_problems("- {id: a, type: number, label: A, pattern: '[0-9]+'}\n") == [
        "w.yaml:8: steps[0].fields[0].pattern: 'pattern' is not used by a number field "
        "(only by text)"
    ]


def test_missing_required_keys() -> None:
    text = "format_version: 1\nid: demo\nsteps:\n  - id: one\n    fields:\n      - id: a\n"
    assert problems(text) == [
        "w.yaml:1: title: missing (required)",
        "w.yaml:4: steps[0].title: missing (required)",
        "w.yaml:6: steps[0].fields[0].type: missing (required)",
        "w.yaml:6: steps[0].fields[0].label: missing (required)",
    ]


def test_wrong_types() -> None:
    fields = """\
    - id: a
      type: text
      label: 5
      required: "yes"
    - id: b
      type: number
      label: B
      min: yes
      max: "10"
    """
    assert field_problems(fields) == [
        "w.yaml:10: steps[0].fields[0].label: expected text, got 5 "
        "(put it in quotes to use it as text)",
        'w.yaml:11: steps[0].fields[0].required: expected true or false, got "yes"',
        "w.yaml:15: steps[0].fields[1].min: expected a number, got true",
        'w.yaml:16: steps[0].fields[1].max: expected a number, got "10"',
    ]


def test_unknown_field_type() -> None:
    assert field_problems("- {id: a, type: txt, label: A}\n") == [
        "w.yaml:8: steps[0].fields[0].type: expected one of text, multiline, number, choice, "
        'multi_choice, boolean, date (got "txt")'
    ]


def test_empty_title_and_label() -> None:
    text = VALID_YAML.replace("title: Demo", "title: '  '").replace("label: Name", 'label: ""')
    assert problems(text) == [
        "w.yaml:3: title: must not be empty",
        "w.yaml:10: steps[0].fields[0].label: must not be empty",
    ]


@pytest.mark.parametrize("bad_id", ["Upper", "with space", "-dash-first", "x" * 65, "é"])
def test_bad_ids(bad_id: str) -> None:
    text = VALID_YAML.replace("  - id: two", f"  - id: {json.dumps(bad_id)}")
    (message,) = problems(text)
    assert message.startswith("w.yaml:29: steps[1].id: ")
    assert message.endswith(
        " is not a valid id: use 1 to 64 lowercase letters, digits, '.', '_' "
        "or '-', starting with a letter or digit"
    )


def test_id_must_be_text() -> None:
    assert problems(VALID_YAML.replace("id: demo", "id: 2024")) == [
        "w.yaml:2: id: expected text, got 2024 (put it in quotes to use it as text)"
    ]


def test_duplicate_step_ids() -> None:
    assert problems(VALID_YAML.replace("  - id: two", "  - id: one")) == [
        "w.yaml:29: steps[1].id: duplicate step id 'one' (also steps[0])"
    ]


def test_duplicate_field_ids_across_steps() -> None:
    assert problems(VALID_YAML.replace("      - id: sweet", "      - id: age")) == [
        "w.yaml:47: steps[1].fields[2].id: duplicate field id 'age' (also steps[0].fields[2]); "
        "field ids must be unique in the whole wizard"
    ]


@pytest.mark.parametrize("version", ["3", "'1'", "true", "0.9"])
def test_format_version_must_be_1_or_2(version: str) -> None:
    (message,) = problems(VALID_YAML.replace("format_version: 1", f"format_version: {version}"))
    assert message.startswith("w.yaml:1: format_version: unsupported format version ")
    assert message.endswith("; this app reads format versions 1 and 2")


def test_steps_must_not_be_empty() -> None:
    assert problems("format_version: 1\nid: demo\ntitle: Demo\nsteps: []\n") == [
        "w.yaml:4: steps: a wizard needs at least one step"
    ]


def test_step_without_fields_is_fine() -> None:
    d = parse_wizard_text(
        "format_version: 1\nid: d\ntitle: D\nsteps: [{id: s, title: S}]\n", "w", "yaml"
    )
    assert d.steps[0].fields == ()


# --- Field settings ------------------------------------------------------------------


def test_default_must_have_the_field_type() -> None:
    assert field_problems("- {id: a, type: number, label: A, default: ten}\n") == [
        'w.yaml:8: steps[0].fields[0].default: expected a number, got "ten"'
    ]


def test_choice_default_must_be_an_option() -> None:
    assert field_problems("- {id: a, type: choice, label: A, options: [x, y], default: z}\n") == [
        'w.yaml:8: steps[0].fields[0].default: expected one of x, y, got "z"'
    ]


def test_multi_choice_default_must_be_a_list_of_options() -> None:
    fields = """\
    - {id: a, type: multi_choice, label: A, options: [x, y], default: x}
    - {id: b, type: multi_choice, label: B, options: [x, y], default: [x, z]}
    """
    assert field_problems(fields) == [
        'w.yaml:8: steps[0].fields[0].default: expected a list of option values, got "x"',
        "w.yaml:9: steps[0].fields[1].default: unknown option 'z'; expected values among x, y",
    ]


def test_default_must_respect_the_field_rules() -> None:
    assert field_problems("- {id: a, type: number, label: A, max: 5, default: 9}\n") == [
        "w.yaml:8: steps[0].fields[0].default: the default is not a valid answer: "
        "Enter a number of at most 5."
    ]


def test_boolean_default_and_required() -> None:
    d = parse_wizard_text(
        HEAD + "      - {id: ok, type: boolean, label: I agree, required: true, default: false}\n",
        "w",
        "yaml",
    )
    field = d.field("ok")
    assert field is not None and field.required and field.default is False


def test_min_above_max() -> None:
    fields = """\
    - {id: a, type: text, label: A, min_length: 5, max_length: 2}
    - {id: b, type: number, label: B, min: 10, max: 1.5}
    - {id: c, type: date, label: C, min: 2024-05-01, max: 2024-01-01}
    - {id: d, type: multi_choice, label: D, options: [x, y, z], min_selected: 3, max_selected: 1}
    - {id: e, type: multi_choice, label: E, options: [x, y], min_selected: 3}
    """
    assert field_problems(fields) == [
        "w.yaml:8: steps[0].fields[0].max_length: max_length (2) is less than min_length (5)",
        "w.yaml:9: steps[0].fields[1].max: max (1.5) is less than min (10)",
        "w.yaml:10: steps[0].fields[2].max: max (2024-01-01) is less than min (2024-05-01)",
        "w.yaml:11: steps[0].fields[3].max_selected: max_selected (1) is less than "
        "min_selected (3)",
        "w.yaml:12: steps[0].fields[4].min_selected: min_selected (3) is more than the number "
        "of options (2)",
    ]


def test_negative_length_and_fractional_count() -> None:
    fields = """\
    - {id: a, type: multiline, label: A, min_length: -1, max_length: 2.5}
    """
    assert field_problems(fields) == [
        "w.yaml:8: steps[0].fields[0].min_length: must not be negative, got -1",
        "w.yaml:8: steps[0].fields[0].max_length: expected a whole number, got 2.5",
    ]


def test_decimals_between_0_and_10() -> None:
    assert field_problems("- {id: a, type: number, label: A, decimals: 11}\n") == [
        "w.yaml:8: steps[0].fields[0].decimals: must be between 0 and 10, got 11"
    ]
    d = parse_wizard_text(
        HEAD + "      - {id: a, type: number, label: A, decimals: 10}\n", "w", "yaml"
    )
    assert d.field("a").decimals == 10  # type: ignore[union-attr]


def test_pattern_must_compile() -> None:
    assert field_problems("- {id: a, type: text, label: A, pattern: '[a-'}\n") == [
        "w.yaml:8: steps[0].fields[0].pattern: not a valid regular expression: "
        "unterminated character set at position 0"
    ]


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("(?P<x>a)b", "named groups"),
        ("(?P<x>a)(?P=x)", "named groups"),
        ("\\Aabc", "'\\A' is Python-only"),
        ("abc\\Z", "'\\Z' is Python-only"),
        ("a(?#note)b", "comments"),
        ("(?i)abc", "inline flags"),
        ("(?i:a)bc", "inline flags"),
        ("(?x)a b", "inline flags"),
        ("a++", "possessive"),
        ("a*+b", "possessive"),
        ("a{2}+", "possessive"),
        ("(?>ab)c", "atomic groups"),
        ("(a)?(?(1)b|c)", "conditional groups"),
        ("a{,3}", "'{,n}' is Python-only"),
        ("[]a]", "']' first in a character class"),
        ("\\N{BULLET}", "'\\N' escapes"),
        ("[a--z]", "ambiguous regular expression (Possible set difference"),
        ("[[a]", "ambiguous regular expression (Possible nested set"),
    ],
)
def test_python_only_pattern_syntax_is_rejected(pattern: str, says: str) -> None:
    (message,) = field_problems(
        f"- {{id: a, type: text, label: A, pattern: {json.dumps(pattern)}}}\n"
    )
    assert message.startswith("w.yaml:8: steps[0].fields[0].pattern: ")
    assert says in message


@pytest.mark.parametrize(
    "pattern",
    [
        "[A-Z]{2}[0-9]{4}",
        "a\\+\\+",
        "[*+?]+",
        "(?:ab)+?",
        "\\\\A",
        "[\\]a]",
        "a{2,}",
        "\\d{1,3}(\\.\\d{1,3}){3}",
    ],
)
def test_portable_patterns_are_accepted(pattern: str) -> None:
    text = HEAD + f"      - {{id: a, type: text, label: A, pattern: {json.dumps(pattern)}}}\n"
    assert parse_wizard_text(text, "w", "yaml").field("a").pattern == pattern  # type: ignore[union-attr]


def test_dates_must_be_iso() -> None:
    fields = """\
    - {id: a, type: date, label: A, min: "2024-02-30", max: 01/02/2024}
    - {id: b, type: date, label: B, default: 2024-01-01 10:00:00}
    - {id: c, type: date, label: C, default: "2024-1-5"}
    """
    assert field_problems(fields) == [
        'w.yaml:8: steps[0].fields[0].min: expected a date as YYYY-MM-DD, got "2024-02-30"',
        'w.yaml:8: steps[0].fields[0].max: expected a date as YYYY-MM-DD, got "01/02/2024"',
        "w.yaml:9: steps[0].fields[1].default: expected a date without a time, "
        "got the date and time 2024-01-01T10:00:00",
        'w.yaml:10: steps[0].fields[2].default: expected a date as YYYY-MM-DD, got "2024-1-5"',
    ]


def test_yaml_dates_become_iso_strings() -> None:
    d = parse_wizard_text(
        HEAD + "      - {id: a, type: date, label: A, min: 2024-01-01, default: 2024-02-03}\n",
        "w",
        "yaml",
    )
    field = d.field("a")
    assert field is not None and (field.min, field.default) == ("2024-01-01", "2024-02-03")


def test_options_problems() -> None:
    fields = """\
    - {id: a, type: choice, label: A}
    - {id: b, type: choice, label: B, options: []}
    - {id: c, type: multi_choice, label: C, options: [x, {value: x, label: X}, 8, yes]}
    - {id: d, type: choice, label: D, options: [{value: x}, {value: y, label: Y, colour: red}]}
    """
    assert field_problems(fields) == [
        "w.yaml:8: steps[0].fields[0].options: missing (a choice field needs options)",
        "w.yaml:9: steps[0].fields[1].options: expected a non-empty list, got a list",
        'w.yaml:10: steps[0].fields[2].options[1]: duplicate option value "x" (also options[0])',
        "w.yaml:10: steps[0].fields[2].options[2]: expected text or a mapping with value and "
        "label, got 8 (put it in quotes to use it as text)",
        "w.yaml:10: steps[0].fields[2].options[3]: expected text or a mapping with value and "
        "label, got true (put it in quotes to use it as text)",
        "w.yaml:11: steps[0].fields[3].options[0].label: missing (required)",
        "w.yaml:11: steps[0].fields[3].options[1].colour: unknown key 'colour'; "
        "expected one of value, label",
    ]


# --- Conditions ----------------------------------------------------------------------

COND_HEAD = (
    HEAD
    + """\
      - {id: kind, type: choice, label: Kind, options: [a, b]}
      - {id: tags, type: multi_choice, label: Tags, options: [x, y]}
      - {id: size, type: number, label: Size}
      - {id: day, type: date, label: Day}
      - {id: note, type: text, label: Note}
  - id: two
    title: Two
    fields:
"""
)  # the first field of step two is on line 16


def cond_problems(*conditions: str) -> list[str]:
    fields = "".join(
        f"      - {{id: f{i}, type: boolean, label: F, visible_if: {c}}}\n"
        for i, c in enumerate(conditions)
    )
    return problems(COND_HEAD + fields)


def test_valid_conditions_on_every_operator() -> None:
    conditions = [
        "{field: kind, equals: a}",
        "{field: kind, not_equals: b}",
        "{field: kind, in: [a, b]}",
        "{field: tags, contains: x}",
        "{field: size, gt: 1}",
        "{field: size, gte: 1.5}",
        "{field: day, lt: 2024-01-01}",
        "{field: day, lte: '2024-01-01'}",
        "{field: note, answered: false}",
        "{all: [{field: kind, equals: a}]}",
        "{any: [{field: kind, equals: a}, {not: {field: size, answered: true}}]}",
        "{field: f0, equals: true}",
    ]
    fields = "".join(
        f"      - {{id: f{i}, type: boolean, label: F, visible_if: {c}}}\n"
        for i, c in enumerate(conditions)
    )
    d = parse_wizard_text(COND_HEAD + fields, "w", "yaml")
    assert d.field("f6").visible_if == Compare("day", "lt", "2024-01-01")  # type: ignore[union-attr]
    assert d.field("f11").visible_if == Equals("f0", True)  # type: ignore[union-attr]
    assert definition_from_dict(d.to_dict()) == d


def test_condition_needs_exactly_one_operator() -> None:
    assert cond_problems("{field: kind, equals: a, in: [a]}", "{field: kind}") == [
        "w.yaml:16: steps[1].fields[0].visible_if: expected exactly one operator: equals, "
        "not_equals, in, contains, gt, gte, lt, lte, answered, all, any, not, found equals, in",
        "w.yaml:17: steps[1].fields[1].visible_if: expected exactly one operator: equals, "
        "not_equals, in, contains, gt, gte, lt, lte, answered, all, any, not",
    ]


def test_misspelt_operator() -> None:
    assert cond_problems("{field: kind, equal: a}") == [
        "w.yaml:16: steps[1].fields[0].visible_if.equal: unknown key 'equal'; "
        "did you mean 'equals'?"
    ]


def test_condition_value_shapes() -> None:
    assert cond_problems(
        "{field: kind, in: []}",
        "{all: []}",
        "{any: {field: kind, equals: a}}",
        "{field: note, answered: 'yes'}",
        "{field: size, gt: big}",
        "{field: size, gt: true}",
        "{not: [{field: kind, equals: a}]}",
        "{all: [{field: kind, equals: a}], field: kind}",
        "{equals: a}",
    ) == [
        "w.yaml:16: steps[1].fields[0].visible_if.in: expected a non-empty list of values, "
        "got a list",
        "w.yaml:17: steps[1].fields[1].visible_if.all: expected a non-empty list of conditions, "
        "got a list",
        "w.yaml:18: steps[1].fields[2].visible_if.any: expected a non-empty list of conditions, "
        "got a mapping",
        'w.yaml:19: steps[1].fields[3].visible_if.answered: expected true or false, got "yes"',
        "w.yaml:20: steps[1].fields[4].visible_if.gt: expected a number or a date as "
        'YYYY-MM-DD, got "big"',
        "w.yaml:21: steps[1].fields[5].visible_if.gt: expected a number or a date as "
        "YYYY-MM-DD, got true",
        "w.yaml:22: steps[1].fields[6].visible_if.not: expected a condition (a mapping), "
        "got a list",
        "w.yaml:23: steps[1].fields[7].visible_if.field: 'field' cannot be combined with 'all'",
        "w.yaml:24: steps[1].fields[8].visible_if.field: missing (the field that 'equals' reads)",
    ]


def test_condition_values_must_fit_the_field() -> None:
    assert cond_problems(
        "{field: kind, equals: c}",
        "{field: size, equals: '3'}",
        "{field: kind, contains: a}",
        "{field: tags, contains: z}",
        "{field: note, gt: 3}",
        "{field: size, lt: 2024-01-01}",
        "{field: day, gte: 3}",
        "{field: size, in: [1, yes]}",
    ) == [
        "w.yaml:16: steps[1].fields[0].visible_if.equals: can never match field 'kind' "
        '(choice): expected one of a, b, got "c"',
        "w.yaml:17: steps[1].fields[1].visible_if.equals: can never match field 'size' "
        '(number): expected a number, got "3"',
        "w.yaml:18: steps[1].fields[2].visible_if.contains: 'contains' only works on a "
        "multi_choice field; 'kind' is a choice field (use equals or in)",
        "w.yaml:19: steps[1].fields[3].visible_if.contains: unknown option 'z'; "
        "expected values among x, y",
        "w.yaml:20: steps[1].fields[4].visible_if.gt: 'gt' only works on number and date "
        "fields; 'note' is a text field",
        "w.yaml:21: steps[1].fields[5].visible_if.lt: 'size' is a number field: expected a "
        "number, got the date 2024-01-01",
        "w.yaml:22: steps[1].fields[6].visible_if.gte: 'day' is a date field: expected a date "
        "as YYYY-MM-DD, got 3",
        "w.yaml:23: steps[1].fields[7].visible_if.in[1]: can never match field 'size' "
        "(number): expected a number, got true",
    ]


def test_conditions_may_only_name_earlier_fields() -> None:
    text = COND_HEAD.replace(
        "      - {id: kind,",
        "      - {id: early, type: text, label: E, visible_if: {field: f1, answered: true}}\n"
        "      - {id: kind,",
    ).replace(
        "  - id: two\n    title: Two\n",
        "  - id: two\n    title: Two\n    visible_if: {field: f0, equals: true}\n",
    )
    text += "      - {id: f0, type: boolean, label: F, visible_if: {field: f1, equals: true}}\n"
    text += "      - {id: f1, type: boolean, label: F, visible_if: {field: f1, equals: true}}\n"
    text += (
        "      - {id: f2, type: boolean, label: F, visible_if: {field: nothing, equals: true}}\n"
    )
    text += "      - {id: f3, type: boolean, label: F, visible_if: {field: siz, answered: true}}\n"
    assert problems(text) == [
        "w.yaml:8: steps[0].fields[0].visible_if.field: field 'f1' comes later "
        "(steps[1].fields[1]); a condition may only name fields of earlier steps or earlier "
        "fields of the same step",
        "w.yaml:16: steps[1].visible_if.field: field 'f0' is on this step; a step's visible_if "
        "may only name fields of earlier steps",
        "w.yaml:18: steps[1].fields[0].visible_if.field: field 'f1' comes later "
        "(steps[1].fields[1]); a condition may only name fields of earlier steps or earlier "
        "fields of the same step",
        "w.yaml:19: steps[1].fields[1].visible_if.field: a field's visible_if cannot name the "
        "field itself ('f1')",
        "w.yaml:20: steps[1].fields[2].visible_if.field: no field 'nothing' in this wizard",
        "w.yaml:21: steps[1].fields[3].visible_if.field: no field 'siz' in this wizard; "
        "did you mean 'size'?",
    ]


def test_condition_depth_is_limited() -> None:
    condition: dict[str, object] = {"field": "a", "answered": True}
    for _ in range(40):
        condition = {"not": condition}
    data = parse_wizard_text(VALID_YAML, "w", "yaml").to_dict()
    data["steps"][1]["visible_if"] = condition
    with pytest.raises(WizardFileError) as info:
        definition_from_dict(data)
    (problem,) = info.value.problems
    assert problem.message == "conditions are nested more than 32 levels deep"
    assert problem.line is None


# --- Reporting -----------------------------------------------------------------------


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = (
        VALID_YAML.replace("format_version: 1", "format_version: 3")
        .replace("type: multiline", "type: memo")
        .replace("decimals: 0", "decimals: -2")
    )
    assert [p.split(": ")[1] for p in problems(text)] == [
        "format_version",
        "steps[0].fields[1].type",
        "steps[0].fields[2].decimals",
    ]


def test_definition_from_dict_reports_without_lines() -> None:
    with pytest.raises(WizardFileError) as info:
        definition_from_dict({"format_version": 1, "id": "x", "title": "X", "steps": [{"id": 1}]})
    assert [str(p) for p in info.value.problems] == [
        "<stored>: steps[0].title: missing (required)",
        "<stored>: steps[0].id: expected text, got 1 (put it in quotes to use it as text)",
    ]
    with pytest.raises(WizardFileError):
        definition_from_dict(["not", "a", "mapping"])
    with pytest.raises(WizardFileError) as info:
        definition_from_dict({1: "x"}, source="db")
    assert str(info.value.problems[0]) == "db: keys must be text, got 1"


def test_problem_text() -> None:
    assert str(Problem("f.yaml", 3, "steps[0].id", "bad")) == "f.yaml:3: steps[0].id: bad"
    assert str(Problem("f.yaml", None, "id", "bad")) == "f.yaml: id: bad"
    assert str(Problem("f.yaml", None, "", "bad")) == "f.yaml: bad"
    assert str(Problem("f.yaml", 1, "", "bad")) == "f.yaml:1: bad"
    assert format_path(("steps", 0, "odd key")) == 'steps[0]["odd key"]'


def test_unexpected_exception_becomes_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: object, raw: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(validator._Validator, "wizard", broken)
    assert problems(VALID_YAML) == ["w.yaml: internal error while reading (KeyError: 'boom')"]


# --- Bundled wizards -----------------------------------------------------------------

BUNDLED = sorted(bundled_wizards_dir().glob("*.*"))


def test_bundled_wizards_are_there() -> None:
    assert [p.name for p in BUNDLED] == [
        "employee-onboarding.yaml",
        "expense-claim.yaml",
        "field-showcase.json",
        "laptop-config.yaml",
    ]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_wizard_loads_and_round_trips(path: Path) -> None:
    d = load_wizard_file(path)
    assert d.id == path.stem
    assert definition_from_dict(d.to_dict()) == d
    assert all(f.label.strip() for f in d.fields)


def test_laptop_config_has_four_steps() -> None:
    d = load_wizard_file(bundled_wizards_dir() / "laptop-config.yaml")
    assert d.title == "Laptop Config" and len(d.steps) == 4


def test_onboarding_has_skip_logic() -> None:
    d = load_wizard_file(bundled_wizards_dir() / "employee-onboarding.yaml")
    assert len(d.steps) >= 6
    assert sum(s.visible_if is not None for s in d.steps) >= 2
    assert any(f.visible_if is not None for f in d.fields)


def test_showcase_uses_every_field_type_and_most_settings() -> None:
    d = load_wizard_file(bundled_wizards_dir() / "field-showcase.json")
    assert {f.type for f in d.fields} == set(field_types(d.format_version))
    used = {key for f in d.fields for key in f.to_dict()}
    assert used >= {"pattern", "min", "max", "decimals", "unit", "options", "min_selected"}
    assert used >= {"max_selected", "help", "placeholder", "default", "required", "visible_if"}
    raw = json.loads((bundled_wizards_dir() / "field-showcase.json").read_text())
    options = [o for s in raw["steps"] for f in s["fields"] for o in f.get("options", [])]
    assert any(isinstance(o, str) for o in options) and any(isinstance(o, dict) for o in options)


def test_format_documentation_examples_load(tmp_path: Path) -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "wizard-format.md"
    examples = re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), flags=re.S)
    versions = []
    for number, example in enumerate(examples):
        path = tmp_path / f"example{number}.yaml"
        path.write_text(example, encoding="utf-8")
        d = load_wizard_file(path)
        versions.append(d.format_version)
        assert {f.type for f in d.fields} == set(field_types(d.format_version))
        assert any(s.visible_if for s in d.steps) and any(f.visible_if for f in d.fields)
    assert versions == [1, 2]  # a complete example of each version


# --- Fuzzing: nothing but WizardFileError, never an internal error -------------------


@settings(max_examples=200, deadline=None)
@given(content=st.binary(max_size=400), suffix=st.sampled_from([".yaml", ".json"]))
def test_random_bytes_never_crash(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"w{suffix}"
    path.write_bytes(content)
    only_wizard_file_errors(lambda: load_wizard_file(path))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_valid_yaml_never_crashes(data: st.DataObject) -> None:
    text = VALID_YAML
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["delete", "insert", "replace"]))
        piece = data.draw(
            st.sampled_from(
                ["", ":", "- ", "[", "{", "&a ", "*a", "yes", "1", "\n  ", "'", "#", "x"]
            )
            | st.text(max_size=5)
        )
        if action == "delete":
            text = text[:position] + text[position + len(piece) + 1 :]
        elif action == "insert":
            text = text[:position] + piece + text[position:]
        else:
            text = text[:position] + piece + text[position + len(piece) :]
    only_wizard_file_errors(lambda: parse_wizard_text(text, "w.yaml", "yaml"))


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_mutated_valid_json_never_crashes(data: st.DataObject) -> None:
    d = parse_wizard_text(VALID_YAML, "w", "yaml").to_dict()
    text = json.dumps(d, indent=1)
    position = data.draw(st.integers(0, len(text)))
    piece = data.draw(st.sampled_from(['"', ",", "{", "]", "null", "true", "1e999", "NaN", "-1"]))
    text = text[:position] + piece + text[position + 1 :]
    only_wizard_file_errors(lambda: parse_wizard_text(text, "w.json", "json"))


def test_review_template_and_pattern_message_keys() -> None:
    """`review: false` turns the review page off, `template: false` keeps a field out of
    templates, `pattern_message` replaces the generic format message; the defaults
    leave the canonical form (and so the content hash) of older files unchanged."""
    definition = parse_wizard_text(
        """\
format_version: 1
id: keys
title: Keys
review: false
steps:
  - id: one
    title: One
    fields:
      - {id: name, type: text, label: Name, template: false}
      - id: mail
        type: text
        label: Mail
        pattern: "[a-z]+@[a-z]+"
        pattern_message: Use the form name@example
""",
        "keys.yaml",
        "yaml",
    )
    assert definition.review is False
    name, mail = definition.steps[0].fields
    assert name.template is False and mail.template is True
    assert answer_problem(mail, "nope") == "Use the form name@example"
    assert definition_from_dict(definition.to_dict()) == definition
    plain = parse_wizard_text(FOUR_STEPS, "four.yaml", "yaml")
    assert plain.review is True
    assert "review" not in plain.to_dict()
    assert all("template" not in f.to_dict() for f in plain.fields)


def test_a_pattern_message_needs_a_pattern() -> None:
    with pytest.raises(WizardFileError) as raised:
        parse_wizard_text(
            """\
format_version: 1
id: keys
title: Keys
steps:
  - {id: one, title: One, fields: [{id: a, type: text, label: A, pattern_message: Letters}]}
""",
            "keys.yaml",
            "yaml",
        )
    assert "pattern_message: a pattern_message needs a pattern" in str(raised.value)
