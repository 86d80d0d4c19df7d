"""The loader's messages for hostile or unlucky files: true (UTF-16 is not "binary"),
short (a 1 MB key is echoed shortened), capped (20,000 problems give 50 lines and a
count) and quick (thousands of bad references are checked in well under a second)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.wizard_files import FOUR_STEPS, json_problems, text_problems, wizard_data
from wizard_desktop.definition.loader import WizardFileError, load_wizard_file, parse_wizard_text
from wizard_desktop.definition.problems import MAX_PROBLEMS_SHOWN


def load_problems(path: Path) -> list[str]:
    with pytest.raises(WizardFileError) as info:
        load_wizard_file(path)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-16", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32"), ("utf-32-be", "UTF-32")],
)
def test_utf16_and_utf32_files_are_named_as_such(tmp_path: Path, encoding: str, name: str) -> None:
    path = tmp_path / "w.yaml"
    text = FOUR_STEPS if encoding in ("utf-16", "utf-32") else "\ufeff" + FOUR_STEPS
    path.write_bytes(text.encode(encoding))
    assert load_problems(path) == [
        f"{path}: the file is saved as {name} text; a wizard file must be UTF-8: save it as UTF-8"
    ]


def test_a_5000_digit_integer_gets_a_clear_message() -> None:
    digits = "9" * 5_000
    too_long = f"the number {'9' * 20}… has 5000 digits; a number in a wizard file has at most 40"
    text = json.dumps(wizard_data({"id": "n", "type": "number", "label": "N", "min": 0}), indent=1)
    line = text[: text.index('"min"')].count("\n") + 1
    assert text_problems(text.replace('"min": 0', f'"min": {digits}'), "json") == [
        f"w.json:{line}: {too_long}"
    ]
    yaml_text = FOUR_STEPS.replace("min: 1,", f"min: {digits},")
    assert text_problems(yaml_text) == [f"w.yaml:16: steps[2].fields[0].min: {too_long}"]


def test_a_one_megabyte_unknown_key_is_echoed_shortened() -> None:
    key = "k" * 1_000_000
    (message,) = json_problems(wizard_data(**{key: 1}))
    shown = "k" * 40 + "…"
    assert message == (  # no line: such a key is not YAML, which finds the JSON lines
        f"w.json: [\"{shown}\"]: unknown key '{shown}'; expected one of "
        "format_version, id, title, description, review, steps, $schema, imported_from, "
        "hide_empty_steps, hidden_answers_count, source_pages, value_names"
    )


def test_twenty_thousand_problems_give_a_capped_message() -> None:
    data = wizard_data(**{f"unknown{i}": 1 for i in range(20_000)})
    with pytest.raises(WizardFileError) as info:
        parse_wizard_text(json.dumps(data), "w.json", "json")
    assert len(info.value.problems) == 20_000
    lines = str(info.value).splitlines()
    assert len(lines) == MAX_PROBLEMS_SHOWN + 1
    assert lines[0].startswith("w.json:1: unknown0: unknown key 'unknown0'")
    assert lines[-1] == f"… and {20_000 - MAX_PROBLEMS_SHOWN} more problems"


def bad_references_wizard(count: int) -> dict[str, Any]:
    """`count` fields, then `count` fields whose visible_if names a misspelt one."""
    fields = [{"id": f"field{i}", "type": "text", "label": "L"} for i in range(count)]
    fields += [
        {
            "id": f"g{i}",
            "type": "text",
            "label": "L",
            "visible_if": {"field": f"feild{i}", "equals": "x"},
        }
        for i in range(count)
    ]
    per_step = 200
    steps = [
        {"id": f"s{k}", "title": "S", "fields": fields[k * per_step : (k + 1) * per_step]}
        for k in range(len(fields) // per_step)
    ]
    return {"format_version": 1, "id": "w", "title": "T", "steps": steps}


def test_thousands_of_bad_references_get_suggestions_within_a_fixed_budget() -> None:
    """Suggestions stop once SUGGESTION_BUDGET comparisons are spent: the first
    references get one, the last do not, so the work is bounded whatever the file."""
    text = json.dumps(bad_references_wizard(2_000))
    assert len(text) > 262_000
    messages = text_problems(text, "json")
    assert len(messages) == 2_000
    assert messages[0] == (
        "w.json:1: steps[10].fields[0].visible_if.field: no field 'feild0' in this wizard; "
        "did you mean 'field0'?"
    )
    assert messages[-1].endswith("no field 'feild1999' in this wizard")


def test_a_few_bad_references_all_get_suggestions() -> None:
    messages = json_problems(bad_references_wizard(100))
    assert len(messages) == 100
    assert all(m.endswith(f"did you mean 'field{i}'?") for i, m in enumerate(messages))


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}
    env.pop("WIZARD_DESKTOP_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "wizard_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_check_and_import_refuse_a_lone_surrogate_without_a_traceback(
    data_dir: Path, tmp_path: Path
) -> None:
    wizard = tmp_path / "w.json"
    wizard.write_text(json.dumps(wizard_data(title="Bad \ud800 title")), encoding="utf-8")
    for command in ("check", "import"):
        result = run_cli(data_dir, command, str(wizard))
        assert result.returncode == 1, result
        assert "Traceback" not in result.stderr, result.stderr
        assert f"{wizard}:1: title: holds a lone surrogate ('\\ud800'" in result.stderr
    listed = json.loads(run_cli(data_dir, "wizards", "--json").stdout)
    assert "demo" not in {w["id"] for w in listed}


def test_check_prints_a_capped_list_of_problems(data_dir: Path, tmp_path: Path) -> None:
    wizard = tmp_path / "w.json"
    wizard.write_text(json.dumps(wizard_data(**{f"unknown{i}": 1 for i in range(20_000)})))
    result = run_cli(data_dir, "check", str(wizard))
    assert result.returncode == 1
    assert f"… and {20_000 - MAX_PROBLEMS_SHOWN} more problems" in result.stderr
    assert result.stderr.count("unknown key") == MAX_PROBLEMS_SHOWN
