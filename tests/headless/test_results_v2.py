"""The results of a format 2 session (#17 on #14's logic): the report, the sessions
spreadsheet and the statistics read the session the way the session export does
(`sessions.values_on_path`): the path and visible fields of the wizard's logic, the
stored calculated values (a hidden one in the spreadsheet, never in the report), no
note column, times and ratings typed, interpolated titles and labels. The report
through the real command line, read back with pdftotext; the spreadsheet with the
csv module and openpyxl; the bundled expense claim as a real form."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl

from tests.headless.test_cli import assert_no_traceback
from tests.headless.test_report import run
from tests.report_files import assert_exactly
from tests.wizard_files import import_text
from wizard_desktop.core import sessions
from wizard_desktop.core.answer_text import NOT_SET
from wizard_desktop.core.export import exported_fields, session_document
from wizard_desktop.core.report import session_report
from wizard_desktop.core.stats import wizard_stats
from wizard_desktop.core.wizards import import_bundled_wizards
from wizard_desktop.store.database import close_database, open_database

RESULTS_V2 = """\
format_version: 2
id: results-v2
title: Results v2
steps:
  - id: about
    title: About
    fields:
      - {id: name, type: text, label: Name}
      - id: kind
        type: choice
        label: Where
        options:
          - {value: home, label: At home}
          - {value: work, label: At work}
      - id: region
        type: choice
        label: Region
        options:
          - {value: north, label: The north, visible_if: "{kind} = 'work'"}
          - {value: south, label: The south}
      - {id: start, type: time, label: Start}
      - {id: mood, type: rating, label: Mood, min: 1, max: 5}
  - id: work
    title: Work
    visible_if: "{kind} = 'work'"
    fields:
      - {id: company, type: text, label: Company}
  - id: summary
    title: "Summary for {name}"
    fields:
      - {id: doubled, type: calculated, label: "Mood of {name}, doubled", calculate: "{mood} * 2"}
      - {id: secret, type: calculated, label: Secret, hidden: true, calculate: "{mood} + 100"}
      - {id: intro, type: note, label: "Thanks, {name}: noted."}
      - {id: extra, type: text, label: Extra, visible_if: "{mood} > 3"}
      - id: taste
        type: rating
        label: Taste
        options:
          - {value: sweet, label: Sweet}
          - {value: sour, label: Sour}
"""
SKIPPED_COMPANY = "Qzskippedco"
HIDDEN_EXTRA = "Qzhiddenextra"
ABOUT = {"name": "Ada", "kind": "home", "region": "south", "start": "07:45", "mood": 2}
# What the report shows, in order: (step title, label, answer; None for a note).
REPORTED = [
    ("About", "Name", "Ada"),
    ("About", "Where", "At home"),
    ("About", "Region", "The south"),
    ("About", "Start", "07:45"),
    ("About", "Mood", "2"),
    ("Summary for Ada", "Mood of Ada, doubled", "4"),
    ("Summary for Ada", "Thanks, Ada: noted.", None),
    ("Summary for Ada", "Taste", "Sour"),
]
NEVER_REPORTED = (SKIPPED_COMPANY, HIDDEN_EXTRA, "Company", "Secret", "102", "Extra", "Work")


def v2_sessions(folder: Path) -> dict[str, str]:
    """Two sessions of RESULTS_V2 in the open store: `done` went the work way (a
    company, an extra while mood was 4), then turned home with mood 2, and completed;
    `stopped` stands on the work step."""
    import_text(folder, RESULTS_V2, "results-v2.yaml")
    done = sessions.start_session("results-v2", "Done").id
    sessions.save_step(done, "about", {**ABOUT, "kind": "work", "region": "north", "mood": 4})
    sessions.save_step(done, "work", {"company": SKIPPED_COMPANY})
    sessions.save_step(done, "summary", {"extra": HIDDEN_EXTRA, "taste": "sour"})
    sessions.save_step(done, "about", ABOUT)
    sessions.complete_session(done, "summary", {"taste": "sour"})
    stopped = sessions.start_session("results-v2", "Stopped").id
    sessions.save_step(stopped, "about", {**ABOUT, "kind": "work", "region": "north"})
    return {"done": done, "stopped": stopped}


def test_the_report_holds_the_logics_path_calculated_values_notes_and_no_hidden_answer(
    store: Path,
) -> None:
    made = v2_sessions(store)
    state = sessions.load_session(made["done"])
    assert state.answers["company"] == SKIPPED_COMPANY and state.answers["extra"] == HIDDEN_EXTRA
    assert state.calculated == {"doubled": 4, "secret": 102}
    report = session_report(made["done"])
    lines = [(step.title, line.label, line.answer) for step in report.steps for line in step.lines]
    assert lines == REPORTED
    document = report.html()
    for left_out in NEVER_REPORTED:
        assert left_out not in document, left_out

    # A draft keeps an answer whose option the logic now filters out: it is not reported.
    filtered = sessions.start_session("results-v2", "Filtered").id
    sessions.save_draft(filtered, {"kind": "work", "region": "north"}, "about")
    sessions.save_draft(filtered, {"kind": "home"}, "about")
    assert sessions.load_session(filtered).answers["region"] == "north"
    shown = {line.label: line.answer for line in session_report(filtered).steps[0].lines}
    assert shown["Where"] == "At home" and shown["Region"] == NOT_SET


def test_the_report_pdf_of_a_v2_session_holds_exactly_the_visible_answers(
    data_dir: Path, tmp_path: Path
) -> None:
    open_database(data_dir)
    try:
        import_bundled_wizards()
        session_id = v2_sessions(data_dir)["done"]
    finally:
        close_database()
    target = tmp_path / "v2.pdf"
    result = run(data_dir, "report", session_id, "--output", str(target))
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    pieces: list[str] = []
    for title, label, answer in REPORTED:
        if title not in pieces:
            pieces.append(title)
        pieces += [label] if answer is None else [label, answer]
    assert_exactly(target, pieces, NEVER_REPORTED)


def _sheet_rows(data_dir: Path, target: Path, *options: str) -> None:
    result = run(data_dir, "export-sessions", "--output", str(target), *options)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr


def test_the_spreadsheet_has_calculated_columns_no_note_and_the_logics_path(
    data_dir: Path, tmp_path: Path
) -> None:
    open_database(data_dir)
    try:
        import_bundled_wizards()
        made = v2_sessions(data_dir)
        exported = {
            name: session_document(sessions.load_session(session_id))["answers"]
            for name, session_id in made.items()
        }
        fields = [f.id for _step, f in exported_fields(sessions.load_session(made["done"]))]
    finally:
        close_database()
    assert exported["done"] == {**ABOUT, "doubled": 4, "secret": 102, "taste": "sour"}
    assert fields == ["name", "kind", "region", "start", "mood", "doubled", "secret", "taste"]

    target = tmp_path / "v2.csv"
    _sheet_rows(data_dir, target, "--wizard", "results-v2", "--format", "csv", "--labels")
    with target.open(encoding="utf-8-sig", newline="") as file:
        header, labels, *rows = list(csv.reader(file))
    answer_columns = [h for h in header if not h.startswith("_")]
    assert answer_columns == [
        "name", "kind", "region", "start", "mood", "company", "doubled", "secret", "extra", "taste"
    ]  # fmt: skip
    assert "intro" not in header  # a note has no column
    assert labels[header.index("doubled")] == "Mood of {name}, doubled"  # the file's label
    by_name = {row[header.index("_name")]: dict(zip(header, row, strict=True)) for row in rows}
    done = by_name["Done"]
    assert [done[c] for c in answer_columns] == [
        "Ada", "At home", "The south", "07:45", "2", "", "4", "102", "", "Sour"
    ]  # fmt: skip
    stopped = by_name["Stopped"]  # on the work step: the company column is on its path
    assert [stopped[c] for c in ("kind", "region", "mood", "doubled", "secret", "taste")] == [
        "At work", "The north", "2", "4", "102", ""
    ]  # fmt: skip

    book = tmp_path / "v2.xlsx"
    _sheet_rows(data_dir, book, "--wizard", "results-v2", "--format", "xlsx")
    workbook = openpyxl.load_workbook(book, read_only=True)
    sheet = workbook["results-v2"]
    ids, _labels, *cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    typed: dict[str, dict[str, Any]] = {
        row[ids.index("_name")]: dict(zip(ids, row, strict=True)) for row in cells
    }
    done_cells = typed["Done"]
    assert done_cells["start"] == dt.time(7, 45)  # a time cell
    assert done_cells["mood"] == 2 and done_cells["doubled"] == 4 and done_cells["secret"] == 102
    assert done_cells["taste"] == "Sour" and done_cells["company"] is None
    assert done_cells["extra"] is None
    # The spreadsheet's cells are the session export's answers, read as a person does.
    assert {k: v for k, v in done_cells.items() if not k.startswith("_") and v is not None} == {
        **ABOUT, "kind": "At home", "region": "The south", "start": dt.time(7, 45),
        "doubled": 4, "secret": 102, "taste": "Sour",
    }  # fmt: skip


def test_the_bundled_expense_claim_exports_its_computed_total_and_approval(
    store: Path, tmp_path: Path
) -> None:
    claim = sessions.start_session("expense-claim", "Trip").id
    sessions.save_step(
        claim,
        "claimant",
        {
            "claimant_name": "Ada",
            "employee_number": "E12345",
            "claim_date": "2026-11-30",
            "purpose": "supplies",
        },
    )
    sessions.save_step(claim, "amounts", {"transport": 400, "other": 200, "tax_rate": 21,
                                          "other_description": "Chairs"})  # fmt: skip
    state = sessions.load_session(claim)
    assert state.calculated["total"] == 726 and state.calculated["needs_approval"] is True
    lines = {line.label: line.answer for step in session_report(claim).steps for line in step.lines}
    assert lines["Total"] == "726" and lines["Tax"] == "126"
    assert "Needs the manager's approval" not in lines  # hidden
    assert "Destination" not in lines  # the trip step is skipped
    note = next(label for label, answer in lines.items() if answer is None)
    assert "**726 EUR**" in note and "126 EUR is tax" in note
    assert lines["Your manager's email"] == NOT_SET

    from wizard_desktop.core.session_list import SessionListQuery
    from wizard_desktop.core.sessions_export import SessionsExport, export_sessions

    target = tmp_path / "claims.csv"
    query = SessionListQuery(wizard_id="expense-claim")
    assert export_sessions(SessionsExport(query, "csv"), target) == 1
    header, row = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    cells = dict(zip(header, row, strict=True))
    assert cells["total"] == "726" and cells["needs_approval"] == "Yes"
    assert cells["destination"] == "" and "total_note" not in cells


def test_the_funnel_of_a_v2_wizard_counts_the_steps_on_any_path(store: Path) -> None:
    v2_sessions(store)
    funnel = {step.step_id: (step.title, step.reached, step.waiting) for step in
              wizard_stats("results-v2").funnel}  # fmt: skip
    # Done completed about and summary (its final path skips work); Stopped stands on work.
    assert funnel == {
        "about": ("About", 2, 0),
        "work": ("Work", 1, 1),
        "summary": ("Summary for …", 1, 0),  # outlined: no one session fills it
    }
    result = run(store, "stats", "results-v2", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["sessions_started"] == 2 and figures["sessions_completed"] == 1
    assert [(s["step_id"], s["reached"]) for s in figures["funnel"]] == [
        ("about", 2), ("work", 1), ("summary", 1)
    ]  # fmt: skip
