"""Every session in one spreadsheet: `wizard-desktop export-sessions` run as a real
subprocess on sessions stored through the core, read back with the csv module and
openpyxl and compared with the stored answers; the union of the fields of two
versions; formula neutralisation; the table's filters; several wizards; and, in
process, progress and a cancellation that leaves no file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.headless.test_cli import assert_no_traceback, run
from tests.stored_sessions import FORMULA_ANSWERS, FORMULA_LABEL, FORMULAS, completed_session
from tests.wizard_files import FOUR_STEPS, import_text
from wizard_desktop.core import sessions, sessions_export
from wizard_desktop.core.output_files import OutputFileExistsError
from wizard_desktop.core.session_list import SessionListQuery
from wizard_desktop.core.sessions_export import (
    SESSION_COLUMNS,
    ExportCancelled,
    SessionsExport,
    SeveralWizardsError,
    export_sessions,
)
from wizard_desktop.core.wizards import import_bundled_wizards
from wizard_desktop.store.database import close_database, open_database

VERSION_1 = """\
format_version: 1
id: sheet
title: Sheet
steps:
  - id: one
    title: One
    fields:
      - {id: name, type: text, label: Name}
      - {id: age, type: number, label: Age, unit: years, decimals: 1}
      - id: kind
        type: choice
        label: Kind
        options: [{value: a, label: Apple}, {value: b, label: Banana}]
      - id: tags
        type: multi_choice
        label: Tags
        options: [{value: x, label: Ex}, {value: y, label: Why}, {value: z, label: Zed}]
      - {id: born, type: date, label: Born}
      - {id: ok, type: boolean, label: OK}
      - {id: extra, type: text, label: Extra, visible_if: {field: kind, equals: b}}
      - {id: old_only, type: text, label: Old only}
"""
# Version 2: old_only goes, new_field comes after name, tags gains an option.
VERSION_2 = (
    VERSION_1.replace("      - {id: old_only, type: text, label: Old only}\n", "")
    .replace(
        "      - {id: age,",
        "      - {id: new_field, type: text, label: New field}\n      - {id: age,",
    )
    .replace("{value: z, label: Zed}]", "{value: z, label: Zed}, {value: w, label: Double}]")
)
FIELD_COLUMNS = ["name", "new_field", "age", "kind", "tags", "born", "ok", "extra", "old_only"]
OPTION_COLUMNS = ["tags/x", "tags/y", "tags/z", "tags/w"]
SESSION_IDS = [column_id for column_id, _label in SESSION_COLUMNS]
# What each session answered (v1: first, second, hidden; v2: third, formulas).
ANSWERS: dict[str, dict[str, Any]] = {
    "first": {
        "name": "Ada",
        "age": 36,
        "kind": "a",
        "tags": ["x", "z"],
        "born": "1815-12-10",
        "ok": True,
        "old_only": "kept",
    },
    "second": {"name": "Grace", "age": 85.5, "kind": "b", "extra": "shown", "ok": False},
    "third": {"name": "Linus", "new_field": "new", "tags": ["w"], "born": "1969-12-28"},
    "formulas": {"name": '=HYPERLINK("http://x","y")', "new_field": "+1", "extra": "-2"},
}


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone().replace(tzinfo=None, microsecond=0) if value else None


def build_sessions(data_dir: Path) -> dict[str, sessions.SessionInfo]:
    """Sessions of two versions of `sheet` and one of four-steps, stored by the core."""
    open_database(data_dir)
    try:
        import_bundled_wizards()
        import_text(data_dir, VERSION_1, "v1.yaml")
        made: dict[str, str] = {}
        for name in ("first", "second"):
            made[name] = sessions.start_session("sheet", name).id
            sessions.complete_session(made[name], "one", ANSWERS[name])
        # Answered "extra" while kind was b, then chose a: extra is off the path.
        made["hidden"] = sessions.start_session("sheet", "hidden").id
        sessions.save_draft(made["hidden"], {"kind": "b", "extra": "off the path"})
        sessions.save_draft(made["hidden"], {"kind": "a"})
        import_text(data_dir, VERSION_2, "v2.yaml")
        for name in ("third", "formulas"):
            made[name] = sessions.start_session("sheet", name).id
            sessions.save_draft(made[name], ANSWERS[name])
        sessions.complete_session(made["third"], "one", ANSWERS["third"])
        import_text(data_dir, FOUR_STEPS, "four.yaml")
        four = sessions.start_session("four-steps", "other wizard").id
        sessions.save_step(four, "one", {"name": "Someone"})
        return {name: sessions.get_session(session_id) for name, session_id in made.items()}
    finally:
        close_database()


@pytest.fixture
def stored(data_dir: Path) -> dict[str, sessions.SessionInfo]:
    return build_sessions(data_dir)


def export(data_dir: Path, target: Path, *options: str) -> None:
    result = run(data_dir, "export-sessions", "--output", str(target), *options)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr


def expected_session_cells(info: sessions.SessionInfo, version: int) -> list[Any]:
    return [
        info.id,
        info.name,
        info.status,
        info.progress_percentage,
        _local(info.started_at),
        _local(info.updated_at),
        _local(info.completed_at),
        round(info.active_seconds),
        round(info.total_time_seconds) if info.total_time_seconds is not None else None,
        version,
    ]


def test_csv_holds_every_session_of_the_wizard_with_the_union_of_its_fields(
    data_dir: Path, stored: dict[str, sessions.SessionInfo], tmp_path: Path
) -> None:
    target = tmp_path / "sheet.csv"
    export(data_dir, target, "--wizard", "sheet", "--format", "csv", "--labels")
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    assert raw.count(b"\r\n") == raw.count(b"\n") == 2 + 5  # two header rows, five sessions
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == SESSION_IDS + FIELD_COLUMNS
    assert rows[1][len(SESSION_IDS) :] == [
        "Name",
        "New field",
        "Age (years)",
        "Kind",
        "Tags",
        "Born",
        "OK",
        "Extra",
        "Old only",
    ]
    by_name = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[2:]}
    assert set(by_name) == {"first", "second", "hidden", "third", "formulas"}
    # Newest first, as the table's default order.
    assert [row[1] for row in rows[2:]] == ["third", "formulas", "hidden", "second", "first"]
    first = by_name["first"]
    assert {k: first[k] for k in FIELD_COLUMNS} == {
        "name": "Ada",
        "new_field": "",
        "age": "36",
        "kind": "Apple",
        "tags": "Ex; Zed",
        "born": "1815-12-10",
        "ok": "Yes",
        "extra": "",
        "old_only": "kept",
    }
    assert by_name["second"]["age"] == "85.5"
    assert by_name["second"]["extra"] == "shown"
    assert by_name["second"]["ok"] == "No"
    assert by_name["hidden"]["kind"] == "Apple"
    assert by_name["hidden"]["extra"] == ""  # stored, but off the session's path
    assert by_name["third"]["tags"] == "Double"
    for name, info in stored.items():
        version = 1 if name in ("first", "second", "hidden") else 2
        cells = expected_session_cells(info, version)
        texts = [
            "" if c is None else c.isoformat(sep=" ") if isinstance(c, dt.datetime) else str(c)
            for c in cells
        ]
        assert [by_name[name][k] for k in SESSION_IDS] == texts


def test_formulas_are_neutralised_in_csv_and_xlsx(
    data_dir: Path, stored: dict[str, sessions.SessionInfo], tmp_path: Path
) -> None:
    csv_file, xlsx_file = tmp_path / "f.csv", tmp_path / "f.xlsx"
    export(data_dir, csv_file, "--wizard", "sheet", "--format", "csv")
    export(data_dir, xlsx_file, "--wizard", "sheet", "--format", "xlsx")
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text("utf-8-sig"), newline="")))
    formulas = next(row for row in rows if row["name"].startswith("'="))
    assert formulas["name"] == "'" + ANSWERS["formulas"]["name"]
    assert formulas["new_field"] == "'+1"
    sheet = openpyxl.load_workbook(xlsx_file)["sheet"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)  # no formula anywhere
    texts = {cell.value for cell in cells}
    assert "'" + ANSWERS["formulas"]["name"] in texts
    assert "'+1" in texts


def test_xlsx_has_typed_cells_labels_and_option_columns(
    data_dir: Path, stored: dict[str, sessions.SessionInfo], tmp_path: Path
) -> None:
    target = tmp_path / "sheet.xlsx"
    export(data_dir, target, "--wizard", "sheet", "--format", "xlsx", "--option-columns")
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames == ["sheet"]
    rows = list(workbook["sheet"].iter_rows(values_only=True))
    ids = [*SESSION_IDS, "name", "new_field", "age", "kind", "tags", *OPTION_COLUMNS]
    ids += ["born", "ok", "extra", "old_only"]
    assert list(rows[0]) == ids
    labels = dict(zip(ids, rows[1], strict=True))
    assert labels["tags/w"] == "Tags: Double"
    assert labels["tags/x"] == "Tags: Ex"
    by_name = {row[1]: dict(zip(ids, row, strict=True)) for row in rows[2:]}
    for name, info in stored.items():
        version = 1 if name in ("first", "second", "hidden") else 2
        assert [by_name[name][k] for k in SESSION_IDS] == expected_session_cells(info, version)
    first = by_name["first"]
    assert first["age"] == 36 and isinstance(first["age"], int | float)
    assert first["born"] == "1815-12-10"  # before 1900: Excel holds no such date
    assert [first[c] for c in OPTION_COLUMNS] == [1, 0, 1, 0]
    assert by_name["second"]["age"] == 85.5
    assert [by_name["second"][c] for c in OPTION_COLUMNS] == [None] * 4  # unanswered
    third = by_name["third"]
    assert third["born"] == dt.datetime(1969, 12, 28)  # a date cell
    assert [third[c] for c in OPTION_COLUMNS] == [0, 0, 0, 1]
    assert third["old_only"] is None  # version 2 has no such field


def test_filters_are_the_tables(
    data_dir: Path, stored: dict[str, sessions.SessionInfo], tmp_path: Path
) -> None:
    target = tmp_path / "done.csv"
    export(data_dir, target, "--wizard", "sheet", "--status", "completed", "--format", "csv")
    names = [r["_name"] for r in csv.DictReader(io.StringIO(target.read_text("utf-8-sig")))]
    assert names == ["third", "second", "first"]
    export(data_dir, target, "--search", "SEC", "--format", "csv", "--force")
    names = [r["_name"] for r in csv.DictReader(io.StringIO(target.read_text("utf-8-sig")))]
    assert names == ["second"]  # one wizard's sessions: no --wizard needed


def test_several_wizards_one_sheet_each_and_csv_refuses(
    data_dir: Path, stored: dict[str, sessions.SessionInfo], tmp_path: Path
) -> None:
    target = tmp_path / "all.csv"
    refused = run(data_dir, "export-sessions", "--format", "csv", "--output", str(target))
    assert refused.returncode == 1
    assert_no_traceback(refused)
    assert "2 wizards (four-steps, sheet)" in refused.stderr
    assert "--wizard" in refused.stderr and "xlsx" in refused.stderr
    assert not target.exists()
    workbook_file = tmp_path / "all.xlsx"
    export(data_dir, workbook_file, "--format", "xlsx")
    workbook = openpyxl.load_workbook(workbook_file)
    assert workbook.sheetnames == ["four-steps", "sheet"]  # by wizard title
    four = list(workbook["four-steps"].iter_rows(values_only=True))
    assert list(four[0]) == [*SESSION_IDS, "name", "size", "count", "agree"]
    assert four[2][1] == "other wizard"
    assert four[2][len(SESSION_IDS)] == "Someone"
    assert len(list(workbook["sheet"].iter_rows())) == 2 + 5


def test_an_existing_file_is_replaced_only_with_force(
    data_dir: Path, stored: dict[str, sessions.SessionInfo], tmp_path: Path
) -> None:
    target = tmp_path / "mine.xlsx"
    target.write_text("my notes")
    result = run(data_dir, "export-sessions", "--format", "xlsx", "--output", str(target))
    assert result.returncode == 1
    assert "Use --force" in result.stderr
    assert target.read_text() == "my notes"
    result = run(
        data_dir,
        "export-sessions",
        "--wizard",
        "nope",
        "--format",
        "csv",
        "--output",
        str(tmp_path / "x.csv"),
    )
    assert result.returncode == 1
    assert_no_traceback(result)
    assert "nope" in result.stderr
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_progress_is_told_and_a_cancel_leaves_no_file(
    data_dir: Path,
    stored: dict[str, sessions.SessionInfo],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
) -> None:
    monkeypatch.setattr(sessions_export, "CHUNK_ROWS", 2)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    out = tmp_path / "out"
    out.mkdir()
    target = out / f"sessions.{fmt}"
    request = SessionsExport(SessionListQuery(wizard_id="sheet"), fmt)  # type: ignore[arg-type]
    open_database(data_dir)
    try:
        told: list[tuple[int, int]] = []
        written = export_sessions(request, target, progress=lambda d, t: told.append((d, t)))
        assert written == 5
        assert told == [(0, 5), (2, 5), (4, 5), (5, 5)]
        target.unlink()
        with pytest.raises(ExportCancelled):
            export_sessions(
                request,
                target,
                progress=lambda d, t: told.append((d, t)),
                cancelled=lambda: len(told) > 5,
            )
        assert list(out.iterdir()) == []  # neither the file nor a partial one
        assert list((tmp_path / "scratch").iterdir()) == []  # nor XlsxWriter's scratch files
        target.write_text("mine")
        with pytest.raises(OutputFileExistsError):
            export_sessions(request, target)
        with pytest.raises(SeveralWizardsError if fmt == "csv" else ExportCancelled):
            export_sessions(
                SessionsExport(SessionListQuery(), fmt),  # type: ignore[arg-type]
                target,
                overwrite=True,
                cancelled=lambda: True,
            )
        assert target.read_text() == "mine"
    finally:
        close_database()


def test_labels_and_answers_that_look_like_formulas_are_text_numbers_stay_numbers(
    data_dir: Path, tmp_path: Path
) -> None:
    completed_session(data_dir, FORMULAS)
    csv_file, xlsx_file = tmp_path / "f.csv", tmp_path / "f.xlsx"
    export(data_dir, csv_file, "--wizard", "formulas", "--format", "csv", "--labels")
    export(data_dir, xlsx_file, "--wizard", "formulas", "--format", "xlsx")
    text = csv_file.read_bytes().decode("utf-8-sig")  # as written: a CR stays a CR
    header, labels, row = list(csv.reader(io.StringIO(text, newline="")))
    assert labels[header.index("a")] == "'" + FORMULA_LABEL
    answers = dict(zip(header, row, strict=True))
    assert {k: answers[k] for k in FORMULA_ANSWERS} == {
        k: "'" + v for k, v in FORMULA_ANSWERS.items()
    }
    assert answers["n"] == "-5"  # a plain number is no formula
    sheet = openpyxl.load_workbook(xlsx_file)["formulas"]
    ids, sheet_labels, values = list(sheet.iter_rows(values_only=True))
    assert sheet_labels[ids.index("a")] == "'" + FORMULA_LABEL
    assert values[ids.index("n")] == -5
    assert values[ids.index("a")] == "'=1+2"
