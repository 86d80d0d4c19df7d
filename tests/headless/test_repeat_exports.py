"""Repeats in the exports: JSON nests instances, CSV/XLSX put each repeat in its own
table keyed by session id and instance number; templates keep instances."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl

from tests.repeat_files import DEPENDENTS
from tests.wizard_files import import_text
from wizard_desktop.core import repeats as core_repeats
from wizard_desktop.core import sessions, templates
from wizard_desktop.core.export import export_session, write_export
from wizard_desktop.core.report import session_report
from wizard_desktop.core.session_list import SessionListQuery
from wizard_desktop.core.sessions_export import SessionsExport, export_sessions


def _household(store: Path, *people: tuple[str, int]) -> str:
    wizard_id = import_text(store, DEPENDENTS)
    sid = sessions.start_session(wizard_id, "Family").id
    sessions.save_step(sid, "you", {"your_name": "Me"})
    for index, (name, age) in enumerate(people):
        if index:
            core_repeats.add_instance(sid, "dependents")
        step = f"dependents[{index}].dependent"
        sessions.save_step(
            sid, step, {f"dependents[{index}].name": name, f"dependents[{index}].age": age}
        )
    return sid


def test_json_nests_instances(store: Path) -> None:
    sid = _household(store, ("Ada", 9), ("Bo", 40))
    answers = json.loads(export_session(sid, "json"))["answers"]
    assert answers["your_name"] == "Me"
    assert answers["dependents"] == [{"name": "Ada", "age": 9}, {"name": "Bo", "age": 40}]
    assert answers["total_age"] == 49 and answers["how_many"] == 2


def test_csv_puts_the_repeat_in_a_file_beside(store: Path, tmp_path: Path) -> None:
    sid = _household(store, ("Ada", 9), ("Bo", 40))
    target = tmp_path / "family.csv"
    write_export(sid, target)
    main = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert "dependents[0].name" not in {r["field_id"] for r in main}
    assert {r["field_id"] for r in main} >= {"your_name", "total_age"}
    beside = (tmp_path / "family-dependents.csv").read_text(encoding="utf-8")
    table = list(csv.DictReader(beside.splitlines()))
    assert [(r["session_id"], r["instance"], r["field_id"], r["value"]) for r in table] == [
        (sid, "1", "name", "Ada"),
        (sid, "1", "age", "9"),
        (sid, "1", "school", ""),
        (sid, "2", "name", "Bo"),
        (sid, "2", "age", "40"),
    ]


def test_sessions_spreadsheet_has_a_table_per_repeat(store: Path, tmp_path: Path) -> None:
    first = _household(store, ("Ada", 9), ("Bo", 40))
    second = _household(store, ("Cy", 3))
    query = SessionListQuery(wizard_id="household")
    target = tmp_path / "sessions.csv"
    assert export_sessions(SessionsExport(query, "csv"), target) == 2
    with target.open(encoding="utf-8-sig") as main_file:
        header = next(csv.reader(main_file))
    assert "name" not in header and "your_name" in header
    with (tmp_path / "sessions-dependents.csv").open(encoding="utf-8-sig") as table_file:
        rows = list(csv.reader(table_file))
    assert rows[0] == ["_id", "_instance", "name", "age", "school"]
    assert sorted(rows[1:]) == sorted(
        [[first, "1", "Ada", "9", ""], [first, "2", "Bo", "40", ""], [second, "1", "Cy", "3", ""]]
    )
    book_path = tmp_path / "sessions.xlsx"
    export_sessions(SessionsExport(query, "xlsx"), book_path)
    book = openpyxl.load_workbook(book_path, read_only=True)
    assert book.sheetnames == ["household", "household-dependents"]
    sheet_rows = list(book["household-dependents"].iter_rows(min_row=3, values_only=True))
    assert sorted((r[0], r[1], r[2]) for r in sheet_rows) == sorted(
        [(first, 1, "Ada"), (first, 2, "Bo"), (second, 1, "Cy")]
    )


def test_template_keeps_instances(store: Path) -> None:
    sid = _household(store, ("Ada", 9), ("Bo", 40))
    sessions.complete_session(sid, "totals", {})
    template = templates.save_as_template(sid, "Family template")
    assert template.answers["dependents[1].name"] == "Bo"
    started = templates.start_from_template(template.id)
    state = sessions.load_session(started.session.id)
    assert state.answers["dependents[1].name"] == "Bo"
    assert "dependents[1].dependent" in state.path.step_ids


def test_report_shows_one_table_per_repeat(store: Path) -> None:
    sid = _household(store, ("Ada", 9), ("Bo", 40))
    report = session_report(sid)
    (table,) = [s for s in report.steps if s.columns]
    assert table.columns == ("#", "Name", "Age of {name}", "School")
    assert table.rows == (("1", "Ada", "9", "—"), ("2", "Bo", "40", ""))
    assert [s.title for s in report.steps] == ["You", "Dependent", "Totals"]
    assert "<td>Bo</td>" in report.html()


def test_resolve_reports_instance_paths(store: Path, tmp_path: Path) -> None:
    wizard = tmp_path / "household.yaml"
    wizard.write_text(DEPENDENTS, encoding="utf-8")
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps({"your_name": "Me", "dependents": [{"name": "Ada", "age": 9}, {"age": 40}]}),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "wizard_desktop", "resolve", str(wizard), "--answers", str(answers)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "WIZARD_DESKTOP_DATA_DIR": str(tmp_path / "data")},
    )
    document = json.loads(result.stdout)
    assert document["steps"][1:3] == ["dependents[0].dependent", "dependents[1].dependent"]
    assert "dependents[0].school" in document["fields"]
    assert "dependents[1].school" not in document["fields"]
    assert document["required"] == ["your_name", "dependents[0].name", "dependents[1].name"]
    assert document["values"]["total_age"] == 49
