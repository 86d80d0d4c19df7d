"""Exports written where the person says, and nowhere they would lose data: the CLI
(a real subprocess) refuses the database, its -wal/-shm and the backups as targets,
replaces an existing file only with --force, writes atomically, and every CSV cell a
spreadsheet would run as a formula is neutralised."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from tests.headless.test_cli import assert_no_traceback, run
from tests.stored_sessions import FORMULA_ANSWERS, FORMULA_LABEL, FORMULAS, completed_session
from tests.wizard_files import FOUR_STEPS, import_text
from wizard_desktop.core import sessions, templates
from wizard_desktop.core.csv_export import csv_text
from wizard_desktop.core.output_files import (
    OutputFileError,
    OutputFileExistsError,
    write_output_file,
)
from wizard_desktop.store.files import database_path


def test_export_refuses_the_database_its_sidecars_and_the_backups(
    data_dir: Path, tmp_path: Path
) -> None:
    session_id = completed_session(data_dir)
    database = database_path(data_dir)
    link = tmp_path / "innocent.json"
    link.symlink_to(database)
    backup = next((data_dir / "backups").iterdir())
    targets = [
        database,
        database.with_name(database.name + "-wal"),
        database.with_name(database.name + "-shm"),
        backup,
        data_dir / "backups" / "new.json",
        link,
    ]
    for target in targets:
        before = target.read_bytes() if target.exists() else None
        result = run(data_dir, "export", session_id, "--output", str(target), "--force")
        assert result.returncode == 1, target
        assert_no_traceback(result)
        assert "own files" in result.stderr
        assert (target.read_bytes() if target.exists() else None) == before
    listed = run(data_dir, "sessions", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [s["id"] for s in json.loads(listed.stdout)] == [session_id]


def test_export_replaces_an_existing_file_only_with_force(data_dir: Path, tmp_path: Path) -> None:
    session_id = completed_session(data_dir)
    target = tmp_path / "mine.json"
    target.write_text("my own notes\n")
    refused = run(data_dir, "export", session_id, "--output", str(target))
    assert refused.returncode == 1
    assert_no_traceback(refused)
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert target.read_text() == "my own notes\n"
    forced = run(data_dir, "export", session_id, "--output", str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(target.read_text())["id"] == session_id
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "mine.json"]


def test_a_failed_write_leaves_the_chosen_file_as_it_was(store: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("before\n")
    with pytest.raises(UnicodeEncodeError):  # fails half-way through the text
        write_output_file(target, "x" * 100_000 + "\ud800", overwrite=True)
    assert target.read_text() == "before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out.json"]


def test_template_export_shares_the_checks(store: Path, tmp_path: Path) -> None:
    wizard_id = import_text(store, FOUR_STEPS)
    info = sessions.start_session(wizard_id)
    for step, answers in [("one", {"name": "Ada"}), ("two", {"size": "small"}), ("three", {})]:
        sessions.save_step(info.id, step, answers)
    sessions.complete_session(info.id, "four", {"agree": True})
    template = templates.save_as_template(info.id, "T")
    with pytest.raises(OutputFileError, match="own files"):
        templates.export_template(template.id, database_path(store), overwrite=True)
    target = tmp_path / "t.json"
    target.write_text("keep")
    with pytest.raises(OutputFileExistsError):
        templates.export_template(template.id, target)
    assert target.read_text() == "keep"
    templates.export_template(template.id, target, overwrite=True)
    assert json.loads(target.read_text())["name"] == "T"


def test_csv_cells_that_start_a_formula_are_neutralised(data_dir: Path, tmp_path: Path) -> None:
    session_id = completed_session(data_dir, FORMULAS)
    out = tmp_path / "formulas.csv"
    result = run(data_dir, "export", session_id, "--format", "csv", "--output", str(out))
    assert result.returncode == 0, result.stderr
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {row["field_id"]: row["value"] for row in rows} == {
        **{field_id: "'" + value for field_id, value in FORMULA_ANSWERS.items()},
        "n": "-5",  # a plain negative number stays a number
    }
    assert rows[0]["label"] == "'" + FORMULA_LABEL


def test_the_csv_writer_neutralises_header_and_cells() -> None:
    text = csv_text(("=h", "plain"), [("-1.5", "-1+1"), ("@x", "ok")])
    assert list(csv.reader(io.StringIO(text))) == [
        ["'=h", "plain"],
        ["-1.5", "'-1+1"],
        ["'@x", "ok"],
    ]


def test_export_to_another_folder_keeps_no_temporary_file(data_dir: Path, tmp_path: Path) -> None:
    session_id = completed_session(data_dir)
    out = tmp_path / "out"
    out.mkdir()
    result = run(data_dir, "export", session_id, "--format", "csv", "--output", str(out / "s.csv"))
    assert result.returncode == 0, result.stderr
    assert os.listdir(out) == ["s.csv"]
    assert (out / "s.csv").read_text().startswith("session_id,")


LABELLED = """\
format_version: 1
id: labelled
title: Labelled
steps:
  - id: kit
    title: Kit
    fields:
      - id: os
        type: choice
        label: System
        options: [{value: lin, label: Linux}, {value: win, label: Windows}]
      - id: extras
        type: multi_choice
        label: Extras
        options: [{value: dock, label: Docking station}, {value: mon, label: "Monitor, 27 in"}]
      - {id: ram, type: number, label: Memory, unit: GB}
      - {id: bag, type: boolean, label: A bag}
      - {id: when, type: date, label: Delivery}
"""


def test_csv_shows_option_labels_beside_values_and_unanswered_as_the_summary_does(
    data_dir: Path,
) -> None:
    from wizard_desktop.core.answer_text import NOT_SET
    from wizard_desktop.store.database import close_database, open_database

    open_database(data_dir)
    try:
        import_text(data_dir, LABELLED)
        info = sessions.start_session("labelled", "Kit")
        answers = {"os": "win", "extras": ["dock", "mon"], "ram": 16, "when": "2027-06-30"}
        sessions.complete_session(info.id, "kit", answers)  # the bag left unanswered
    finally:
        close_database()
    result = run(data_dir, "export", info.id, "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["field_id"], r["label"], r["value"], r["answer"]) for r in rows] == [
        ("os", "System", "win", "Windows"),
        ("extras", "Extras", '["dock", "mon"]', "Docking station, Monitor, 27 in"),
        ("ram", "Memory", "16", "16 GB"),
        ("bag", "A bag", "", NOT_SET),
        ("when", "Delivery", "2027-06-30", "2027-06-30"),
    ]
    document = json.loads(run(data_dir, "export", info.id).stdout)
    assert document["answers"] == answers  # JSON stays typed; unanswered is absent
