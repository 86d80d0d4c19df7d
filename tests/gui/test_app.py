"""GUI start-up: the self-test in a real subprocess, the restore offer for a damaged
database, and uncaught exceptions reported with the log file."""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from bundling.archive import is_archived
from tests.wizard_files import ATTACH, FOUR_STEPS, import_text
from wizard_desktop import gui
from wizard_desktop.core import sessions
from wizard_desktop.core.attachments import StagedFile, read_file
from wizard_desktop.core.wizards import definition_of_version
from wizard_desktop.instance import InstanceGuard
from wizard_desktop.store.attachment_files import (
    SWEEP_MARGIN_SECONDS,
    attachments_dir,
    content_path,
)
from wizard_desktop.store.backups import list_backups, run_daily_backup
from wizard_desktop.store.database import close_database, open_database, raw_connection
from wizard_desktop.store.files import database_path
from wizard_desktop.ui import dialogs


def test_self_test_plays_a_wizard_and_prints_one_line(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["XDG_STATE_HOME"] = str(tmp_path / "state")  # the log file goes there
    result = subprocess.run(
        [sys.executable, "-m", "wizard_desktop", "--self-test"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("self-test ok: laptop-config played to completion")
    # what a bundle that left out a module only these paths load would fail
    assert (
        "4 forms imported, xlsx and csv exported, report PDF written and printed" in result.stdout
    )
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr == ""
    assert list((tmp_path / "state").rglob("wizard-desktop.log"))


# Code the first screen (the wizards list) does not use; `make bench` measures start-up.
NOT_ON_THE_FIRST_SCREEN = (
    "yaml",
    "playhouse.migrations",
    "wizard_desktop.commands",
    "wizard_desktop.controller",
    "wizard_desktop.core.sessions",
    "wizard_desktop.definition.expressions",
    "wizard_desktop.definition.loader",
    "wizard_desktop.definition.model",
    "wizard_desktop.definition.repeats",
    "wizard_desktop.selftest",
    "wizard_desktop.ui.dialogs",
    "wizard_desktop.ui.player",
    "wizard_desktop.ui.sessions_view",
    "wizard_desktop.ui.templates_view",
)
# Lists the modules loaded when the app logs its first paint, then quits.
LAUNCH_AND_LIST_MODULES = """
import json, logging, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from wizard_desktop.app import main

class AtFirstPaint(logging.Handler):
    def emit(self, record):
        if record.getMessage().startswith("First screen painted at monotonic "):
            print(record.getMessage(), flush=True)
            print(json.dumps(sorted(sys.modules)), flush=True)
            QTimer.singleShot(0, QApplication.quit)

logging.getLogger("wizard_desktop").addHandler(AtFirstPaint())
sys.exit(main(["--data-dir", sys.argv[1]]))
"""


def test_a_usual_start_loads_only_what_the_first_screen_shows(
    tmp_path: Path, data_dir: Path
) -> None:
    """The first launch creates the database and parses the bundled wizards; later
    launches read the stored rows and leave the rest for when it is used."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    loaded = []
    for _launch in range(2):
        result = subprocess.run(
            [sys.executable, "-c", LAUNCH_AND_LIST_MODULES, str(data_dir)],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert result.returncode == 0, result.stderr
        shown, modules = result.stdout.splitlines()
        assert re.fullmatch(r"First screen painted at monotonic \d+\.\d{6}", shown)
        loaded.append(set(json.loads(modules)))
    first, usual = loaded
    assert {"yaml", "playhouse.migrations"} <= first
    assert "wizard_desktop.ui.main_window" in usual
    assert usual.isdisjoint(NOT_ON_THE_FIRST_SCREEN), usual & set(NOT_ON_THE_FIRST_SCREEN)
    # the bundle keeps these compressed (bundling/archive.py): not for the first screen
    assert not [m for m in sorted(usual) if is_archived(m)]


def test_the_entry_point_and_a_headless_command_load_no_qt(store: Path) -> None:
    """app.py is the Qt-free entry and dispatch: the GUI start-up (gui.py) is loaded
    only when the GUI or the self-test starts."""
    close_database()
    script = (
        "import sys\n"
        "from wizard_desktop.app import main\n"
        "status = main(['--data-dir', sys.argv[1], 'wizards'])\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'wizard_desktop.gui')))\n"
        "print('loaded:', qt)\n"
        "sys.exit(status)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(store)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "loaded: []"


def test_a_damaged_database_offers_the_backup_and_opens_restored(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_database(data_dir)
    session_id = sessions.start_session(import_text(data_dir, FOUR_STEPS), "Keep me").id
    run_daily_backup(raw_connection(), data_dir)
    close_database()
    with database_path(data_dir).open("r+b") as f:
        f.write(b"\0" * 100)
    offers: list[str] = []
    monkeypatch.setattr(
        dialogs, "offer_backup_restore", lambda _p, problem, _b: offers.append(problem) or True
    )

    window = gui.open_window(data_dir)
    assert window is not None
    qtbot.addWidget(window)
    try:
        assert "damaged" in offers[0]
        assert sessions.get_session(session_id).name == "Keep me"
        assert list(data_dir.glob("wizard-desktop.sqlite3.corrupt-*Z"))
    finally:
        window.controller.shutdown()
        close_database()


def test_uncaught_exceptions_are_logged_and_shown_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    shown: list[tuple[str, Path]] = []
    monkeypatch.setattr(
        dialogs, "show_unexpected_error", lambda _p, summary, log: shown.append((summary, log))
    )
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    log_file = tmp_path / "wizard-desktop.log"
    gui.report_uncaught(log_file)
    try:
        raise ValueError("boom")
    except ValueError:
        with caplog.at_level(logging.CRITICAL):
            sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    assert shown == [("ValueError: boom", log_file)]
    assert "Uncaught exception" in caplog.text


def damage_a_page_of(table: str, path: Path) -> None:
    """Overwrite one leaf page of `table`, a page start-up never reads."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = [
            p
            for (p,) in connection.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
                (table,),
            )
        ]
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    assert len(pages) > 2
    with path.open("r+b") as f:
        f.seek((pages[len(pages) // 2] - 1) * page_size)
        f.write(b"\xff" * page_size)


def test_damage_found_after_start_moves_the_database_aside_and_reopens(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_database(data_dir)
    kept = sessions.start_session(import_text(data_dir, FOUR_STEPS), "Keep me").id
    for n in range(150):  # enough answers for the answer table to span many pages
        sessions.save_step(
            sessions.start_session("four-steps").id, "one", {"name": f"Person {n:03}" * 8}
        )
    run_daily_backup(raw_connection(), data_dir)
    close_database()
    damage_a_page_of("answer", database_path(data_dir))
    offers: list[str] = []
    monkeypatch.setattr(
        dialogs, "offer_backup_restore", lambda _p, problem, _b: offers.append(problem) or True
    )

    guard = InstanceGuard(data_dir)
    assert guard.acquire()
    running = gui.Gui(data_dir, guard)
    try:
        running.open()  # opens without reading the damaged page; the check runs on a thread
        first = running.window
        qtbot.waitUntil(lambda: running.window is not first, timeout=30_000)
        qtbot.addWidget(running.window)
        assert running.window is not None and running.window.isVisible()
        assert "damaged" in offers[0]
        assert list(data_dir.glob("wizard-desktop.sqlite3.corrupt-*Z"))
        assert sessions.get_session(kept).name == "Keep me"
    finally:
        if running.window is not None:
            running.window.shutdown()
        guard.release()
        close_database()


def test_the_integrity_check_reads_the_database_of_a_folder_named_with_hash_and_question_mark(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check opens the database by path on the read lane (an SQLite URI would be
    cut at `#` or `?` and check another, empty file)."""
    folder = tmp_path / "C# projects?"
    folder.mkdir()
    open_database(folder)
    for n in range(150):  # enough answers for the answer table to span many pages
        sessions.save_step(
            sessions.start_session(import_text(folder, FOUR_STEPS)).id,
            "one",
            {"name": f"Person {n:03}" * 8},
        )
    close_database()
    damage_a_page_of("answer", database_path(folder))
    offers: list[str] = []
    monkeypatch.setattr(
        dialogs, "offer_backup_restore", lambda _p, problem, _b: offers.append(problem) or False
    )
    guard = InstanceGuard(folder)
    assert guard.acquire()
    running = gui.Gui(folder, guard)
    try:
        running.open()
        first = running.window
        qtbot.waitUntil(lambda: running.window is not first, timeout=30_000)
        qtbot.addWidget(running.window)
        assert list(folder.glob("wizard-desktop.sqlite3.corrupt-*Z"))
    finally:
        if running.window is not None:
            running.window.shutdown()
        guard.release()
        close_database()


def _a_session_with_a_receipt(data_dir: Path, tmp_path: Path, content: bytes) -> StagedFile:
    """A stored session whose receipt (a file answer) holds `content`; the database closed."""
    open_database(data_dir)
    session_id = sessions.start_session(import_text(data_dir, ATTACH)).id
    receipt = definition_of_version(sessions.get_session(session_id).version_id).field("receipt")
    assert receipt is not None
    (tmp_path / "r.pdf").write_bytes(content)
    staged = read_file(tmp_path / "r.pdf", receipt)
    sessions.save_draft(session_id, {"receipt": staged.value()})
    close_database()
    return staged


def test_the_integrity_check_names_a_missing_attachment_file_and_keeps_the_database(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged = _a_session_with_a_receipt(data_dir, tmp_path, b"%PDF-1.4 gone later")
    content_path(attachments_dir(data_dir), staged.sha256).unlink()
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _parent, text: shown.append(text))
    guard = InstanceGuard(data_dir)
    assert guard.acquire()
    running = gui.Gui(data_dir, guard)
    try:
        running.open()
        assert running.window is not None
        qtbot.addWidget(running.window)
        qtbot.waitUntil(lambda: bool(shown), timeout=30_000)
        assert "1 attachment file(s)" in shown[0] and "\n" not in shown[0]
        assert database_path(data_dir).exists()
        assert not list(data_dir.glob("wizard-desktop.sqlite3.corrupt-*"))
    finally:
        if running.window is not None:
            running.window.shutdown()
        guard.release()
        close_database()


def test_the_attachment_sweep_runs_once_the_first_screen_is_painted(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    """The sweep reads every attachment file, so the app leaves it to its writer
    thread after the first paint: an old file no row names goes, a named one stays."""
    staged = _a_session_with_a_receipt(data_dir, tmp_path, b"%PDF-1.4 kept")
    folder = attachments_dir(data_dir)
    named = content_path(folder, staged.sha256)
    orphan = content_path(folder, "ab" * 32)  # left by a crash before its row's commit
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"no row names me")
    old = time.time() - SWEEP_MARGIN_SECONDS - 60
    for path in (named, orphan):
        os.utime(path, (old, old))
    guard = InstanceGuard(data_dir)
    assert guard.acquire()
    running = gui.Gui(data_dir, guard)
    try:
        running.open()
        assert running.window is not None
        qtbot.addWidget(running.window)
        assert orphan.exists()  # not before the first screen
        qtbot.waitUntil(lambda: not orphan.exists(), timeout=10_000)
        assert named.read_bytes() == b"%PDF-1.4 kept"
        assert not running.window.operations.has_unsaved()  # maintenance, not work to lose
    finally:
        if running.window is not None:
            running.window.shutdown()
        guard.release()
        close_database()


def test_the_daily_backup_runs_on_the_windows_runner(qtbot: QtBot, data_dir: Path) -> None:
    guard = InstanceGuard(data_dir)
    assert guard.acquire()
    running = gui.Gui(data_dir, guard)
    try:
        running.open()
        assert running.window is not None
        qtbot.addWidget(running.window)
        assert list_backups(data_dir) == []
        running.back_up()
        qtbot.waitUntil(lambda: len(list_backups(data_dir)) == 1, timeout=10_000)
        assert not running.window.operations.has_unsaved()  # maintenance, not work to lose
    finally:
        if running.window is not None:
            running.window.shutdown()
        guard.release()
        close_database()
