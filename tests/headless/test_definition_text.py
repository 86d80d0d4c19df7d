"""What characters a wizard file's texts may hold: no control or bidi override characters
in one-line texts, no control characters but newline and tab in descriptions and help,
no lone surrogates anywhere; and how stored text is made safe for a terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.wizard_files import json_problems, load_json, text_problems, wizard_data
from wizard_desktop.definition import reading
from wizard_desktop.definition.loader import WizardFileError, load_wizard_file, parse_wizard_text
from wizard_desktop.definition.text import terminal_safe


def with_text(where: str, text: str) -> tuple[dict[str, Any], str]:
    """A wizard with `text` at `where`, and the path a problem there names."""
    field: dict[str, Any] = {"id": "a", "type": "text", "label": "A"}
    choice: dict[str, Any] = {"id": "c", "type": "choice", "label": "C", "options": ["x"]}
    data = wizard_data(field, choice)
    step = data["steps"][0]
    if where in ("title", "description"):
        data[where] = text
        return data, where
    if where == "step title":
        step["title"] = text
        return data, "steps[0].title"
    if where == "option":
        choice["options"] = [text]
        return data, "steps[0].fields[1].options[0]"
    if where == "option label":
        choice["options"] = [{"value": "x", "label": text}]
        return data, "steps[0].fields[1].options[0].label"
    if where == "option value":
        choice["options"] = [{"value": text, "label": "X"}]
        return data, "steps[0].fields[1].options[0].value"
    if where == "unit":
        data["steps"][0]["fields"] = [{"id": "n", "type": "number", "label": "N", "unit": text}]
        return data, "steps[0].fields[0].unit"
    key = {"step description": "description"}.get(where, where)
    target = step if where == "step description" else field
    target[key] = text
    return data, f"steps[0].{key}" if target is step else f"steps[0].fields[0].{key}"


ONE_LINE = [
    "title",
    "step title",
    "label",
    "placeholder",
    "unit",
    "option",
    "option label",
    "option value",
]


@pytest.mark.parametrize("where", ONE_LINE)
@pytest.mark.parametrize(
    ("char", "says"),
    [
        ("\x00", "holds the control character U+0000: remove it"),
        ("\n", "holds the control character U+000A"),
        ("\t", "holds the control character U+0009"),
        ("\x7f", "holds the control character U+007F"),
        ("\x85", "holds the control character U+0085"),
        ("\u202e", "holds the bidirectional control character U+202E"),
        ("\u202a", "holds the bidirectional control character U+202A"),
        ("\u2066", "holds the bidirectional control character U+2066"),
        ("\u2069", "holds the bidirectional control character U+2069"),
    ],
)
def test_one_line_texts_refuse_control_and_bidi_characters(
    where: str, char: str, says: str
) -> None:
    data, path = with_text(where, f"Invoice{char}fdp.exe")
    (message,) = json_problems(data)
    assert message.startswith(f"w.json:1: {path}: "), message
    assert says in message


@pytest.mark.parametrize("where", ["description", "step description", "help"])
def test_multi_line_texts_keep_newlines_tabs_and_bidi_but_refuse_other_controls(where: str) -> None:
    hebrew = "\u05e9\u05dc\u05d5\u05dd"
    data, path = with_text(where, f"Line one\n\tLine two \u202b{hebrew}\u202c, \u200fmarks")
    load_json(data)
    data, path = with_text(where, "Ring\x07 the bell")
    (message,) = json_problems(data)
    assert message == f"w.json:1: {path}: holds the control character U+0007: remove it"


def test_the_yaml_escape_of_a_nul_is_refused_with_its_line() -> None:
    text = 'format_version: 1\nid: demo\ntitle: "A\\0B"\nsteps: [{id: one, title: One}]\n'
    assert text_problems(text) == ["w.yaml:3: title: holds the control character U+0000: remove it"]


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"format_version": 1, "id": "demo", "title": "\\ud800", "steps": []}', "title"),
        ('{"format_version": 1, "id": "demo", "title": "T", "steps": [], "\\udfff": 1}', ""),
        (
            '{"format_version": 1, "id": "demo", "title": "T", "steps": ["\\ud83d\\u0041"]}',
            "steps[0]",
        ),
    ],
)
def test_a_lone_surrogate_is_refused_at_load(tmp_path: Path, text: str, path: str) -> None:
    wizard = tmp_path / "w.json"
    wizard.write_text(text, encoding="utf-8")
    with pytest.raises(WizardFileError) as info:
        load_wizard_file(wizard)
    messages = [p.message for p in info.value.problems if p.path == path and p.line == 1]
    assert any("lone surrogate ('\\u" in m for m in messages), info.value.problems
    str(info.value).encode("utf-8")  # the message itself can be printed


def test_a_surrogate_pair_escape_is_one_character() -> None:
    data = json.dumps(wizard_data(), ensure_ascii=True).replace('"Demo"', '"Demo \\ud83d\\ude00"')
    assert parse_wizard_text(data, "w.json", "json").title == "Demo \U0001f600"


def test_a_lone_surrogate_in_yaml_is_refused_by_either_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = 'format_version: 1\nid: demo\ntitle: "\\ud800"\nsteps: [{id: one, title: One}]\n'
    (with_libyaml,) = text_problems(text)
    assert with_libyaml.startswith("w.yaml:3: YAML syntax error: found invalid Unicode character")
    monkeypatch.setattr(reading, "_FAST_LOADER", None)
    (pure_python,) = text_problems(text)
    assert pure_python.startswith("w.yaml:3: title: holds a lone surrogate ('\\ud800'")


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("Plain café ☕", "Plain café ☕"),
        ("abc\u202eexe.pdf", "abc\\u202eexe.pdf"),
        ("a\u2066b\u2069", "a\\u2066b\\u2069"),
        ("nul\x00bell\x07", "nul\\x00bell\\x07"),
        ("two\nlines\ttab\rcr", "two\\nlines\\ttab\\rcr"),
        ("c1\x85del\x7f", "c1\\x85del\\x7f"),
        ("half\ud800", "half\\ud800"),
    ],
)
def test_terminal_safe_escapes_what_a_terminal_would_obey(stored: str, shown: str) -> None:
    assert terminal_safe(stored) == shown
    terminal_safe(stored).encode("utf-8")
