"""Template files from someone else, imported for real on a real SQLite file: each
answer must pass its field's rules (what breaks them is dropped and reported), sizes
are capped, the JSON is strict, and every refusal is a clear TemplateFileError with
nothing stored."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from tests.wizard_files import FOUR_STEPS, import_text
from wizard_desktop.core import templates
from wizard_desktop.core.templates import TEMPLATE_FILE_MAX_BYTES, TemplateFileError


def template_document(**changes: object) -> dict[str, object]:
    document: dict[str, object] = {
        "format": "wizard-desktop-template",
        "format_version": 1,
        "name": "Shared",
        "wizard_id": "four-steps",
        "answers": {"name": "Ada", "size": "small", "count": 3, "agree": True},
    }
    document.update(changes)
    return document


@pytest.fixture
def template_file(store: Path, tmp_path: Path) -> Path:
    import_text(store, FOUR_STEPS)
    return tmp_path / "template.json"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_answers_that_break_their_field_rules_are_dropped_and_reported(
    template_file: Path,
) -> None:
    answers = {"name": "x", "size": "small", "count": 999.5, "agree": False}
    write(template_file, json.dumps(template_document(answers=answers)))
    imported = templates.import_template(template_file)
    assert imported.template.answers == {"size": "small"}
    assert set(imported.dropped) == {"name", "count", "agree"}
    assert "at least 2" in imported.dropped["name"]
    assert "at most 10" in imported.dropped["count"]
    assert "never kept in a template" in imported.dropped["agree"]


def test_a_file_none_of_whose_answers_fit_is_refused(template_file: Path) -> None:
    write(template_file, json.dumps(template_document(answers={"name": "x", "ghost": 1})))
    with pytest.raises(TemplateFileError, match="no answer fits"):
        templates.import_template(template_file)
    assert templates.list_templates() == []


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"answers": {"count": NaN}}', "NaN is not a number"),
        ('{"answers": {"count": Infinity}}', "Infinity is not a number"),
        ('{"answers": {"count": -Infinity}}', "Infinity is not a number"),
        ('{"answers": {"count": 1e400}}', "beyond the format's limit"),
        ('{"answers": {"count": ' + "9" * 5000 + "}}", "beyond the format's limit"),
        ('{"answers": {}, "answers": {}}', "appears twice"),
    ],
)
def test_numbers_json_cannot_hold_and_duplicate_keys_make_the_file_invalid(
    template_file: Path, text: str, message: str
) -> None:
    document = json.dumps(template_document())
    write(template_file, document[:-1] + ", " + text[1:-1] + "}")
    with pytest.raises(TemplateFileError) as error:
        templates.import_template(template_file)
    assert "template file is invalid" in str(error.value)
    assert message in str(error.value)
    assert "damaged" not in str(error.value) and "internal" not in str(error.value)
    assert templates.list_templates() == []


@pytest.mark.parametrize(
    "name, message",
    [
        ("n" * 1_000_000, "at most 200 characters"),
        ("bad\x00name", "U+0000"),
        ("evil\u202etxt.exe", "U+202E"),
        ("two\nlines", "U+000A"),
    ],
)
def test_names_that_are_not_a_plain_bounded_line_are_refused(
    template_file: Path, name: str, message: str
) -> None:
    write(template_file, json.dumps(template_document(name=name)))
    with pytest.raises(TemplateFileError) as error:
        templates.import_template(template_file)
    assert message in str(error.value)
    assert len(str(error.value)) < 500
    assert templates.list_templates() == []


def test_format_version_true_is_not_version_one(template_file: Path) -> None:
    write(template_file, json.dumps(template_document(format_version=True)))
    with pytest.raises(TemplateFileError, match="format_version"):
        templates.import_template(template_file)


def test_too_many_answers_are_refused(template_file: Path) -> None:
    answers = {f"field{n}": "x" for n in range(templates.TEMPLATE_MAX_ANSWERS + 1)}
    write(template_file, json.dumps(template_document(answers=answers)))
    with pytest.raises(TemplateFileError, match="at most"):
        templates.import_template(template_file)


def test_a_huge_file_is_refused_without_reading_it_whole(template_file: Path) -> None:
    with template_file.open("wb") as f:
        f.truncate(100 * 1024 * 1024)  # 100 MB (sparse)
    tracemalloc.start()
    try:
        with pytest.raises(TemplateFileError, match="larger than"):
            templates.import_template(template_file)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * TEMPLATE_FILE_MAX_BYTES  # far below the 100 MB of the file


def test_a_template_nested_very_deeply_is_a_clear_error(template_file: Path) -> None:
    depth = 100_000
    write(template_file, "[" * depth + "]" * depth)
    with pytest.raises(TemplateFileError, match="nested too deeply"):
        templates.import_template(template_file)


def test_a_template_name_can_no_longer_be_renamed_to_hide_text(template_file: Path) -> None:
    write(template_file, json.dumps(template_document()))
    imported = templates.import_template(template_file).template
    with pytest.raises(ValueError, match=r"U\+202E"):
        templates.rename_template(imported.id, "a\u202eb")
    assert templates.get_template(imported.id).name == "Shared"


def test_a_wizard_with_lone_surrogates_is_refused_one_line_each(
    data_dir: Path, tmp_path: Path
) -> None:
    wizard = tmp_path / "surrogate.json"
    wizard.write_text(
        '{"format_version": 1, "id": "sur", "title": "T \\ud800", "steps": [{"id": "a",'
        ' "title": "A", "fields": [{"id": "f", "type": "text", "label": "L \\udfff"}]}]}'
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "wizard_desktop",
            "--data-dir",
            str(data_dir),
            "import",
            str(wizard),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2  # one line per problem: the title and the label
    assert all("lone surrogate" in line for line in lines)


def test_content_hash_of_a_lone_surrogate_never_raises() -> None:
    from wizard_desktop.definition.loader import definition_from_dict

    raw = {
        "format_version": 1,
        "id": "sur",
        "title": "T",
        "steps": [
            {"id": "a", "title": "A", "fields": [{"id": "f", "type": "text", "label": "\ud800"}]}
        ],
    }
    digest = definition_from_dict(raw, source="test").content_hash()
    assert len(digest) == 64
