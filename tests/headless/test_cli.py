"""The headless command line, run as a real subprocess (`python -m wizard_desktop`)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stored_sessions import completed_session
from tests.wizard_files import FOUR_STEPS, THREE_STEPS
from wizard_desktop.core import sessions
from wizard_desktop.core.wizards import import_bundled_wizards
from wizard_desktop.store.database import close_database, open_database

BUNDLED = {"laptop-config", "employee-onboarding", "field-showcase", "expense-claim"}


def run(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("WIZARD_DESKTOP_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "wizard_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        input=stdin,
    )


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr


def test_check_accepts_valid_files_and_reports_problems_with_lines(
    data_dir: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(FOUR_STEPS)
    bad = tmp_path / "bad.yaml"
    bad.write_text(FOUR_STEPS.replace("type: choice", "type: dropdown"))
    assert run(data_dir, "check", str(good)).returncode == 0
    result = run(data_dir, "check", str(good), str(bad))
    assert result.returncode == 1
    assert_no_traceback(result)
    assert f"{bad}:12: steps[1].fields[0].type: expected one of" in result.stderr


def test_import_stores_valid_files_and_nothing_from_invalid_ones(
    data_dir: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(FOUR_STEPS)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format_version": 1, "id": "broken"')
    result = run(data_dir, "import", str(good), str(bad))
    assert result.returncode == 1
    assert_no_traceback(result)
    assert str(bad) in result.stderr
    wizards = json.loads(run(data_dir, "wizards", "--json").stdout)
    assert {w["id"] for w in wizards} == BUNDLED | {"four-steps"}
    four = next(w for w in wizards if w["id"] == "four-steps")
    assert four == {
        "id": "four-steps",
        "title": "Four Steps",
        "description": None,
        "step_count": 4,
        "completed_count": 0,
        "version": 1,
    }


def test_empty_lists_are_empty_json_arrays(data_dir: Path) -> None:
    for command in ("sessions", "templates"):
        result = run(data_dir, command, "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == []


def test_sessions_and_export_of_a_completed_session(data_dir: Path, tmp_path: Path) -> None:
    # Play a session through the core (same code path as the player) in this process.
    from wizard_desktop.core import sessions
    from wizard_desktop.core.wizards import import_bundled_wizards
    from wizard_desktop.store.database import close_database, open_database

    open_database(data_dir)
    try:
        import_bundled_wizards()
        wizard = tmp_path / "four.yaml"
        wizard.write_text(FOUR_STEPS)
        from wizard_desktop.core.wizards import import_wizard_file

        import_wizard_file(wizard)
        done = sessions.start_session("four-steps", "Done one")
        for step, answers in [
            ("one", {"name": "Ada"}),
            ("two", {"size": "small"}),
            ("three", {"count": 2}),
        ]:
            sessions.save_step(done.id, step, answers)
        sessions.complete_session(done.id, "four", {"agree": True})
        open_one = sessions.start_session("four-steps", "Open one")
        sessions.save_step(open_one.id, "one", {"name": "Bo"})
    finally:
        close_database()

    listed = json.loads(run(data_dir, "sessions", "--json", "--status", "in_progress").stdout)
    assert [(s["name"], s["progress_percentage"], s["current_step_id"]) for s in listed] == [
        ("Open one", 25, "two")
    ]
    assert json.loads(run(data_dir, "sessions", "--json", "--wizard", "laptop-config").stdout) == []

    out = tmp_path / "export.json"
    result = run(data_dir, "export", done.id, "--output", str(out))
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    assert document["status"] == "completed"
    assert document["progress_percentage"] == 100
    assert document["answers"] == {"name": "Ada", "size": "small", "count": 2, "agree": True}
    csv_text = run(data_dir, "export", done.id, "--format", "csv").stdout
    assert csv_text.splitlines()[0] == (
        "session_id,session_name,wizard_id,step_id,field_id,label,value,answer"
    )
    wizards = json.loads(run(data_dir, "wizards", "--json").stdout)
    assert next(w for w in wizards if w["id"] == "four-steps")["completed_count"] == 1


def test_a_completed_sessions_times_read_the_same_before_and_after_viewing_it(
    data_dir: Path, tmp_path: Path
) -> None:
    """The CLI shows `active_seconds` (time spent) and `total_time_seconds` (elapsed);
    neither moves when the session is viewed again in the player (which flushes the
    time it was open) or a resume of it is refused."""
    from wizard_desktop.core import sessions
    from wizard_desktop.core.wizards import import_wizard_file
    from wizard_desktop.store.database import close_database, open_database

    open_database(data_dir)
    try:
        wizard = tmp_path / "four.yaml"
        wizard.write_text(FOUR_STEPS)
        import_wizard_file(wizard)
        info = sessions.start_session("four-steps", "Timed")
        sessions.add_active_seconds(info.id, 401.0)
        for step, answers in [("one", {"name": "Ada"}), ("two", {"size": "small"}), ("three", {})]:
            sessions.save_step(info.id, step, answers)
        done = sessions.complete_session(info.id, "four", {"agree": True})
    finally:
        close_database()

    def figures() -> tuple[object, ...]:
        listed = run(data_dir, "sessions", "--json")
        exported = run(data_dir, "export", info.id)
        assert listed.returncode == exported.returncode == 0, listed.stderr + exported.stderr
        (row,) = json.loads(listed.stdout)
        document = json.loads(exported.stdout)
        assert {key: document[key] for key in row} == row
        return row["active_seconds"], row["total_time_seconds"], row["completed_at"]

    before = figures()
    assert before[0] == 401.0
    assert before[1] == done.total_time_seconds
    open_database(data_dir)
    try:
        sessions.load_session(info.id)
        sessions.add_active_seconds(info.id, 16.0)  # viewed for 16 s in the player
        with pytest.raises(sessions.SessionCompletedError):
            sessions.save_draft(info.id, {}, "one")
    finally:
        close_database()
    assert figures() == before


def test_export_leaves_out_a_cleared_answer(data_dir: Path, tmp_path: Path) -> None:
    from wizard_desktop.core import sessions
    from wizard_desktop.core.wizards import import_wizard_file
    from wizard_desktop.store.database import close_database, open_database

    open_database(data_dir)
    try:
        wizard = tmp_path / "four.yaml"
        wizard.write_text(FOUR_STEPS)
        import_wizard_file(wizard)
        info = sessions.start_session("four-steps")
        sessions.save_step(info.id, "one", {"name": "Ada"})
        sessions.save_step(info.id, "two", {"size": "small"})
        sessions.save_step(info.id, "three", {"count": 2})
        sessions.save_step(info.id, "three", {"count": None})  # the optional count cleared
        sessions.complete_session(info.id, "four", {"agree": True})
    finally:
        close_database()

    document = json.loads(run(data_dir, "export", info.id).stdout)
    assert document["answers"] == {"name": "Ada", "size": "small", "agree": True}
    assert document["progress_percentage"] == 100
    csv_rows = list(
        csv.DictReader(io.StringIO(run(data_dir, "export", info.id, "--format", "csv").stdout))
    )
    assert [(r["field_id"], r["value"], r["answer"]) for r in csv_rows] == [
        ("name", "Ada", "Ada"),
        ("size", "small", "small"),
        ("count", "", "—"),  # a row as in the summary: unanswered
        ("agree", "true", "Yes"),
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (("export", "no-such-session"), "No session with id"),
        (("check", "/no/such/file.yaml"), "/no/such/file.yaml"),
        (("sessions", "--status", "paused"), "invalid choice"),
    ],
)
def test_errors_are_one_clear_line_and_a_non_zero_exit(
    data_dir: Path, args: tuple[str, ...], message: str
) -> None:
    result = run(data_dir, *args)
    assert result.returncode != 0
    assert_no_traceback(result)
    assert message in result.stderr


def test_an_unusable_data_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    result = run(blocker, "wizards")
    assert result.returncode == 1
    assert_no_traceback(result)
    assert "cannot use data folder" in result.stderr


def test_version_and_module_entry_point_match(data_dir: Path) -> None:
    from wizard_desktop import __version__

    result = run(data_dir, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"wizard-desktop {__version__}"


def test_a_folder_where_the_database_should_be_is_named_as_such(data_dir: Path) -> None:
    (data_dir / "wizard-desktop.sqlite3").mkdir()
    result = run(data_dir, "wizards")
    assert result.returncode == 1
    assert_no_traceback(result)
    assert "is a folder, not a file" in result.stderr
    assert "could not be read or written" not in result.stderr


def test_a_data_folder_path_too_long_for_sqlite_is_named_as_such(tmp_path: Path) -> None:
    folder = tmp_path
    while len(str(folder)) < 520:
        folder = folder / ("d" * 100)
    result = run(folder, "wizards")
    assert result.returncode == 1
    assert_no_traceback(result)
    assert "too long for SQLite" in result.stderr
    assert not (folder / "wizard-desktop.sqlite3").exists()


@pytest.fixture
def read_only_data_dir(data_dir: Path, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A data folder with a completed session and a backup, made immutable
    (`chattr +i`: read-only even for root) with the database closed cleanly."""
    session_id = completed_session(data_dir)
    immutable = [data_dir, *data_dir.iterdir()]
    subprocess.run(["chattr", "+i", *map(str, immutable)], check=True)
    try:
        yield data_dir, session_id
    finally:
        subprocess.run(["chattr", "-i", *map(str, immutable)], check=True)


needs_chattr = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("chattr") is None, reason="needs root for chattr +i"
)


@needs_chattr
def test_a_read_only_data_folder_can_still_be_read(
    read_only_data_dir: tuple[Path, str], tmp_path: Path
) -> None:
    data_dir, session_id = read_only_data_dir
    before = sorted(p.name for p in data_dir.iterdir())
    for command in ("wizards", "sessions", "templates", "backups"):
        result = run(data_dir, command)
        assert result.returncode == 0, (command, result.stderr)
    assert session_id in run(data_dir, "sessions").stdout
    assert "four-steps" in run(data_dir, "wizards").stdout
    out = tmp_path / "export.json"
    exported = run(data_dir, "export", session_id, "--output", str(out))
    assert exported.returncode == 0, exported.stderr
    assert json.loads(out.read_text())["id"] == session_id
    assert sorted(p.name for p in data_dir.iterdir()) == before


@needs_chattr
def test_a_write_to_read_only_data_says_so(
    read_only_data_dir: tuple[Path, str], tmp_path: Path
) -> None:
    data_dir, _session_id = read_only_data_dir
    wizard = tmp_path / "three.yaml"
    wizard.write_text(THREE_STEPS)
    result = run(data_dir, "import", str(wizard))
    assert result.returncode == 1
    assert_no_traceback(result)
    assert "read-only" in result.stderr


def test_listings_show_control_and_bidi_characters_escaped(data_dir: Path) -> None:
    """A name that reverses the text after it (U+202E) or holds a tab cannot disguise a
    listing line: such characters are printed as escapes."""
    open_database(data_dir)
    import_bundled_wizards()
    session = sessions.start_session("laptop-config")
    sessions.rename_session(session.id, "invoice\u202etxt.exe\tfake column")
    close_database()
    result = run(data_dir, "sessions")
    assert result.returncode == 0, result.stderr
    assert "\u202e" not in result.stdout
    assert f"{session.id}\tinvoice\\u202etxt.exe\\tfake column\tin_progress\t0%" in result.stdout
