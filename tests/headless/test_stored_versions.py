"""A version stored by an earlier app that this one's rules would refuse as a file: a
pattern RE2 cannot run (a lookahead an earlier portable subset allowed) and number
bounds beyond NUMBER_LIMIT. Its sessions must stay reachable: they open, resume, and
export (the core and the real command line), the field saying its format is not
checked. The definition is written into a real SQLite file with sqlite3, as an older
app would have left it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.headless.test_cli import assert_no_traceback
from tests.headless.test_report import run
from tests.wizard_files import import_text
from wizard_desktop.core import sessions
from wizard_desktop.core.wizards import import_bundled_wizards
from wizard_desktop.definition.model import NUMBER_LIMIT
from wizard_desktop.definition.validator import PATTERN_NOT_CHECKED
from wizard_desktop.store.database import close_database, database_path, open_database

OLD = """\
format_version: 1
id: old-rules
title: Old rules
steps:
  - id: one
    title: One
    fields:
      - {id: code, type: text, label: Code, help: Letters only., pattern: "[a-z]+",
         pattern_message: Letters only}
      - {id: amount, type: number, label: Amount, min: -10, max: 10}
"""
LOOKAHEAD = "(?=[a-z]*x)[a-z]+"


def stored_by_an_earlier_app(data_dir: Path) -> dict[str, str]:
    open_database(data_dir)
    try:
        import_bundled_wizards()
        import_text(data_dir, OLD, "old.yaml")
        done = sessions.start_session("old-rules", "Done").id
        sessions.complete_session(done, "one", {"code": "abx", "amount": 7})
        draft = sessions.start_session("old-rules", "Draft").id
        sessions.save_draft(draft, {"code": "ab"})
    finally:
        close_database()
    with sqlite3.connect(database_path(data_dir)) as connection:
        changed = connection.execute(
            "UPDATE wizard_version SET definition = json_set(definition,"
            " '$.steps[0].fields[0].pattern', ?,"
            " '$.steps[0].fields[1].min', json(?), '$.steps[0].fields[1].max', json(?)),"
            " content_hash = ? WHERE wizard_id = 'old-rules'",
            [LOOKAHEAD, "-10000000000000000", "1e16", "hashed-by-an-earlier-app"],
        ).rowcount
        assert changed == 1
        (stored,) = connection.execute(
            "SELECT definition FROM wizard_version WHERE wizard_id = 'old-rules'"
        ).fetchone()
    field = json.loads(stored)["steps"][0]["fields"][0]
    assert field["pattern"] == LOOKAHEAD
    connection.close()
    return {"done": done, "draft": draft}


def test_a_stored_pattern_re2_cannot_run_is_dropped_and_the_field_says_so(
    data_dir: Path,
) -> None:
    made = stored_by_an_earlier_app(data_dir)
    open_database(data_dir)
    try:
        state = sessions.load_session(made["done"])
        code, amount = state.definition.steps[0].fields
        assert code.pattern is None and code.pattern_message is None
        assert code.help == f"Letters only.\n{PATTERN_NOT_CHECKED}"
        assert (amount.min, amount.max) == (1 - NUMBER_LIMIT, NUMBER_LIMIT - 1)
        assert state.path_values() == {"code": "abx", "amount": 7}
        # The draft resumes: an answer the lost pattern would have refused is kept.
        saved = sessions.save_step(made["draft"], "one", {"code": "abc", "amount": -3})
        assert saved.progress_percentage == 100
        assert sessions.load_session(made["draft"]).answers == {"code": "abc", "amount": -3}
    finally:
        close_database()


def test_its_sessions_export_and_print_through_the_command_line(
    data_dir: Path, tmp_path: Path
) -> None:
    made = stored_by_an_earlier_app(data_dir)
    exported = run(data_dir, "export", made["done"], "--format", "json")
    assert_no_traceback(exported)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["answers"] == {"code": "abx", "amount": 7}
    report = run(data_dir, "report", made["done"], "--output", str(tmp_path / "old.pdf"))
    assert report.returncode == 0, report.stderr
    sheet = tmp_path / "old.csv"
    spreadsheet = run(
        data_dir, "export-sessions", "--wizard", "old-rules", "--format", "csv",
        "--output", str(sheet),
    )  # fmt: skip
    assert spreadsheet.returncode == 0, spreadsheet.stderr
    assert "abx" in sheet.read_text(encoding="utf-8-sig")
