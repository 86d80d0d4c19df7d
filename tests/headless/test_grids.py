"""Grids (matrix, matrix_dropdown, multiple_text) without Qt: the file format and its
limits, the answer rules per cell (every cell type, required rows and columns),
`{grid.row.column}` in expressions, the store, the exports read back (csv, openpyxl),
the report (pdftotext), templates and `resolve` as a real subprocess."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest
import yaml

from tests.grid_files import ANSWERS, COSTS, GRIDS, SAT
from tests.headless.test_cli import assert_no_traceback, run
from tests.report_files import pdf_text, squeezed
from tests.wizard_files import import_text, text_problems
from wizard_desktop.core import sessions
from wizard_desktop.core.answer_text import format_answer
from wizard_desktop.core.export import export_session
from wizard_desktop.core.report import session_report
from wizard_desktop.core.sessions import InvalidAnswersError, load_session
from wizard_desktop.core.templates import save_as_template, start_from_template
from wizard_desktop.definition.answers import answer_problem, type_problem
from wizard_desktop.definition.grids import cell_problems, grid_cells
from wizard_desktop.definition.loader import definition_from_dict, parse_wizard_text
from wizard_desktop.definition.logic import wizard_logic
from wizard_desktop.definition.model import WizardDefinition
from wizard_desktop.definition.schema import json_schema
from wizard_desktop.store.database import close_database, open_database


def grids() -> WizardDefinition:
    return parse_wizard_text(GRIDS, "grids.yaml", "yaml")


def with_field(**changes: Any) -> str:
    """GRIDS with the matrix `sat` changed (a key set to None is removed)."""
    data = yaml.safe_load(GRIDS)
    field = data["steps"][0]["fields"][0]
    for key, value in changes.items():
        if value is None:
            field.pop(key, None)
        else:
            field[key] = value
    return yaml.safe_dump(data)


# --- the format -------------------------------------------------------------------


def test_the_grids_load_round_trip_and_the_schema_accepts_them() -> None:
    definition = grids()
    again = definition_from_dict(definition.to_dict())
    assert again == definition and again.content_hash() == definition.content_hash()
    costs = definition.field("costs")
    assert costs is not None
    assert [c.type.value for c in costs.cell_columns] == ["number", "choice", "text", "boolean"]
    assert [c.key for c in grid_cells(costs)][:2] == ["rent.amount", "rent.kind"]
    jsonschema.Draft202012Validator(json_schema(2)).validate(yaml.safe_load(GRIDS))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rows": [{"value": "a.b", "label": "A"}]}, "is not a valid key"),
        ({"rows": [f"r{i}" for i in range(101)]}, "too many rows (101); the limit is 100"),
        ({"columns": [f"c{i}" for i in range(21)]}, "too many columns (21); the limit is 20"),
        ({"columns": []}, "expected a non-empty list"),
        ({"required_rows": ["nope"]}, "no row 'nope'"),
        ({"required_rows": ["price"], "required": None}, "required_rows needs required"),
        ({"default": {"price": "1"}}, "'default' is not used by a matrix field"),
        ({"rows": ["a", "a"]}, "duplicate option value"),
    ],
)
def test_a_bad_matrix_is_refused_with_one_clear_line(changes: dict[str, Any], message: str) -> None:
    problems = text_problems(with_field(**changes))
    assert any(message in p for p in problems), problems


def test_a_step_holds_at_most_4000_grid_cells() -> None:
    data = yaml.safe_load(GRIDS)
    big = {
        "type": "matrix",
        "label": "Big",
        "rows": [f"r{i}" for i in range(100)],
        "columns": [f"c{i}" for i in range(20)],
    }
    fields = data["steps"][0]["fields"]
    fields += [{**big, "id": f"big{n}"} for n in range(2)]  # 4,000 + the others
    problems = text_problems(json.dumps(data), "json")
    assert any("too many grid cells in one step (4019); the limit is 4000" in p for p in problems)
    del fields[-1]
    assert parse_wizard_text(json.dumps(data), "w.json", "json").field("big0") is not None


def test_bad_columns_items_and_references_are_refused() -> None:
    text = GRIDS.replace("type: boolean, label: Shared", "type: date, label: Shared")
    assert any("expected one of text, number, choice, boolean" in p for p in text_problems(text))
    text = GRIDS.replace("{id: name, label: Name}", "{id: email, label: Name}")
    assert any("duplicate id 'email'" in p for p in text_problems(text))
    text = GRIDS.replace("{costs.rent.amount} > 100", "{costs.rent.size} > 100")
    assert any("costs has no column 'size'" in p for p in text_problems(text))
    text = GRIDS.replace("{sat.price} = '1'", "{sat.cost} = '1'")
    assert any("sat has no row 'cost'" in p for p in text_problems(text))
    text = GRIDS.replace("{sat.price} = '1'", "{sat.price.x} = '1'")
    assert any("no cells below" in p for p in text_problems(text))
    text = GRIDS.replace("{sat.price} = '1'", "{flag.x} = '1'")
    assert any("reads a grid's cells" in p for p in text_problems(text))
    text = GRIDS.replace("format_version: 2", "format_version: 1")
    assert any("'matrix' needs format_version: 2" in p for p in text_problems(text))


# --- the answer rules ---------------------------------------------------------------


def test_every_cell_type_is_checked_by_its_column() -> None:
    costs = grids().field("costs")
    assert costs is not None
    bad = {
        "rent": {"amount": 1.234, "kind": "fixed", "note": "x" * 21},
        "food": {"amount": -1},
    }
    assert cell_problems(costs, bad, required=False) == {
        "rent.amount": "Use at most 2 decimals.",
        "rent.note": "Enter at most 20 characters.",
        "food.amount": "Enter a number of at least 0.00.",
    }
    assert answer_problem(costs, bad) == "Rent / Amount: Use at most 2 decimals. (2 more)"
    assert type_problem(costs, {"rent": {"kind": "other"}}) == (
        "row 'rent', column 'kind': expected one of fixed, variable"
    )
    assert type_problem(costs, {"rent": {"shared": "yes"}}) == (
        "row 'rent', column 'shared': expected true or false"
    )
    assert type_problem(costs, {"rent": {"amount": "12"}}) == (
        "row 'rent', column 'amount': expected a number"
    )
    assert type_problem(costs, {"attic": {}}) == "unknown row 'attic'"
    assert type_problem(costs, {"rent": 3}) == "row 'rent': expected an object of column: value"
    assert type_problem(costs, ["rent"]) == "expected an object of row: {column: value} objects"
    assert answer_problem(costs, COSTS) is None


def test_required_means_the_required_rows_columns_and_items() -> None:
    definition = grids()
    sat, costs, contact = (definition.field(i) for i in ("sat", "costs", "contact"))
    assert sat is not None and costs is not None and contact is not None
    assert answer_problem(sat, None) == "This field is required."
    assert answer_problem(sat, {"price": "2"}) == "The quality: Choose an answer in this row."
    assert answer_problem(sat, {"price": "2", "quality": "1"}) is None  # service is optional
    assert answer_problem(sat, {"price": "2"}, required=False) is None
    assert type_problem(sat, {"price": "9"}) == "row 'price': expected one of the column values"
    # a required matrix_dropdown: its required column in every row
    partial = {"rent": {"amount": 5}, "food": {"kind": "fixed"}}
    assert cell_problems(costs, partial, required=True) == {
        "food.amount": "This field is required."
    }
    # multiple_text: items checked alone; required = every item when none is marked
    assert answer_problem(contact, {"email": "nope"}) == "E-mail: Enter an e-mail address."
    required = definition_from_dict(
        {
            **definition.to_dict(),
            "steps": [
                {
                    "id": "s",
                    "title": "S",
                    "fields": [{**contact.to_dict(), "required": True}],
                }
            ],
        }
    ).field("contact")
    assert required is not None
    assert answer_problem(required, {"name": "Ada"}) == "E-mail: This field is required."


def test_expressions_read_a_grid_row_and_cell_and_follow_its_changes() -> None:
    logic = wizard_logic(grids())
    resolution = logic.resolve(ANSWERS)
    assert resolution.values["flag"] is True
    assert resolution.steps == ("grid", "more")  # {costs.rent.shared} = true
    assert resolution.texts[("share", "label")] == "Your share of 950.5"
    live = logic.live(ANSWERS)
    live.current  # noqa: B018 (every state computed)
    changed = live.set_answer("costs", {"rent": {"amount": 50}})
    assert {"flag", "more", "share"} <= changed
    assert live.current.values["flag"] is False and live.current.steps == ("grid",)
    assert logic.resolve({"sat": {}, "costs": {}}).values["flag"] is False  # {} unanswered


# --- the store, the exports, the report, templates ----------------------------------


@pytest.fixture
def grid_session(data_dir: Path) -> Any:
    open_database(data_dir)
    wizard_id = import_text(data_dir, GRIDS, "grids.yaml")
    info = sessions.start_session(wizard_id, "Office")
    sessions.save_step(info.id, "grid", ANSWERS)
    sessions.save_step(info.id, "more", {"share": 400})
    yield info.id
    close_database()


def test_answers_are_stored_as_objects_and_wrong_shapes_refused(grid_session: str) -> None:
    assert load_session(grid_session).answers["costs"] == COSTS
    with pytest.raises(InvalidAnswersError) as refused:
        sessions.save_draft(grid_session, {"sat": {"price": ["1"]}}, "grid")
    assert refused.value.problems == {"sat": "row 'price': expected one of the column values"}
    assert load_session(grid_session).answers["sat"] == SAT, "nothing lost"


def test_the_exports_have_one_column_per_cell(grid_session: str, tmp_path: Path) -> None:
    document = json.loads(export_session(grid_session, "json"))
    assert document["answers"]["costs"] == COSTS, "JSON keeps the object"
    rows = list(csv.DictReader(io.StringIO(export_session(grid_session, "csv"))))
    by_id = {row["field_id"]: row for row in rows}
    assert by_id["sat.price"]["value"] == "1" and by_id["sat.price"]["answer"] == "Poor"
    assert by_id["sat.service"]["answer"] == "—"
    assert by_id["costs.rent.amount"]["value"] == "950.5"
    assert by_id["costs.rent.shared"]["answer"] == "Yes"
    assert by_id["costs.food.note"]["label"] == "Your costs / Food / Note"
    assert by_id["contact.email"]["value"] == "ada@example.org"
    assert len([r for r in rows if r["field_id"].startswith("costs.")]) == 8

    close_database()
    data_dir = tmp_path / "data"
    xlsx, plain = tmp_path / "s.xlsx", tmp_path / "s.csv"
    for target, fmt in ((xlsx, "xlsx"), (plain, "csv")):
        result = run(data_dir, "export-sessions", "--output", str(target), "--format", fmt)
        assert_no_traceback(result)
        assert result.returncode == 0, result.stderr
    sheet = list(openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True))
    cells = dict(zip(sheet[0], sheet[2], strict=True))
    assert cells["sat.price"] == "Poor" and cells["sat.service"] is None
    assert cells["costs.rent.amount"] == 950.5, "a number cell stays a number"
    assert cells["costs.rent.kind"] == "fixed" and cells["costs.food.shared"] == "No"
    assert cells["contact.name"] == "Ada" and "costs" not in cells
    text_rows = list(csv.reader(io.StringIO(plain.read_text(encoding="utf-8-sig"))))
    assert dict(zip(text_rows[0], text_rows[1], strict=True))["costs.food.note"] == "canteen"
    open_database(data_dir)  # for the fixture's close


def test_the_report_shows_each_grid_as_a_table(grid_session: str, tmp_path: Path) -> None:
    report = session_report(grid_session)
    lines = {line.label: line for step in report.steps for line in step.lines}
    assert lines["Your costs"].table[0] == ("", "Amount", "Kind", "Note", "Shared")
    assert lines["Your costs"].table[1] == ("Rent", "950.50", "fixed", "—", "Yes")
    assert lines["How satisfied are you with"].answer == "The price: Poor; The quality: Good"
    assert '<table class="grid"' in report.html()
    close_database()
    data_dir, pdf = tmp_path / "data", tmp_path / "report.pdf"
    result = run(data_dir, "report", grid_session, "--output", str(pdf))
    assert result.returncode == 0, result.stderr
    flat = squeezed(pdf_text(pdf))
    for piece in ("The price", "Poor", "The quality", "Good", "Rent", "950.50", "canteen", "Ada"):
        assert squeezed(piece) in flat, piece
    open_database(data_dir)


def test_a_template_keeps_the_grid_answers(grid_session: str) -> None:
    sessions.complete_session(grid_session, "more", {"share": 400})
    template = save_as_template(grid_session, "Office defaults")
    started = start_from_template(template.id, "Office again")
    answers = load_session(started.session.id).answers
    assert answers["sat"] == SAT and answers["costs"] == COSTS


def test_answer_text_reads_row_by_row() -> None:
    definition = grids()
    costs, contact = definition.field("costs"), definition.field("contact")
    assert costs is not None and contact is not None
    assert format_answer(costs, COSTS) == (
        "Rent: Amount = 950.50, Kind = fixed, Shared = Yes; "
        "Food: Amount = 300.00, Note = canteen, Shared = No"
    )
    assert format_answer(contact, {"email": "a@b"}) == "E-mail: a@b"
    assert format_answer(contact, {}) == "—"


# --- resolve ------------------------------------------------------------------------


def test_resolve_takes_grid_answers_and_names_their_problems(
    data_dir: Path, tmp_path: Path
) -> None:
    wizard = tmp_path / "grids.yaml"
    wizard.write_text(GRIDS, encoding="utf-8")
    answers = tmp_path / "answers.json"
    bad = copy.deepcopy(ANSWERS)
    bad["costs"]["rent"]["amount"] = 9000
    answers.write_text(json.dumps(bad), encoding="utf-8")
    result = run(data_dir, "resolve", str(wizard), "--answers", str(answers))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["steps"] == ["grid", "more"]
    assert document["values"] == {"flag": True}
    assert document["problems"] == {"costs": "Rent / Amount: Enter a number of at most 5000.00."}
    answers.write_text(json.dumps({"sat": {"price": 1}}), encoding="utf-8")
    result = run(data_dir, "resolve", str(wizard), "--answers", str(answers))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "sat: row 'price': expected one of the column values" in result.stderr


def test_a_field_whose_id_holds_a_dot_wins_over_a_grid_path() -> None:
    text = GRIDS.replace(
        "      - id: flag\n",
        "      - {id: sat.price, type: text, label: Dotted}\n      - id: flag\n",
    )
    definition = parse_wizard_text(text, "dotted.yaml", "yaml")
    answers = {**ANSWERS, "sat.price": "1", "sat": {"price": "3", "quality": "3"}}
    assert wizard_logic(definition).resolve(answers).values["flag"] is True
    answers["sat.price"] = "2"
    assert wizard_logic(definition).resolve(answers).values["flag"] is False
