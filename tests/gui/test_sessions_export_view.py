"""Export sessions… from the sessions table, through real widgets and the keyboard
only: the shown sessions (its filter) written off the UI thread with a progress bar,
read back with openpyxl; Cancel leaves no file; CSV of several wizards is refused with
a message. A screenshot of the running export at the window's default size."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from tests.gui.test_sessions_view import make_sessions
from tests.wizard_files import FOUR_STEPS, import_text
from wizard_desktop.core import sessions_export
from wizard_desktop.core.sessions import start_session
from wizard_desktop.core.sessions_export import ExportCancelled
from wizard_desktop.operations import OperationRunner
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.sessions_view import SessionsView

SCREENSHOT = Path("export-sessions-running.png")


@pytest.fixture
def view(qtbot: QtBot, store: Path, operations: OperationRunner) -> SessionsView:
    make_sessions(store)
    widget = SessionsView(operations)
    qtbot.addWidget(widget)
    widget.resize(1000, 500)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
    return widget


def choose(monkeypatch: pytest.MonkeyPatch, target: Path, fmt: str) -> list[str]:
    suggested: list[str] = []

    def ask(_parent: object, name: str) -> tuple[Path, str]:
        suggested.append(name)
        return target, fmt

    monkeypatch.setattr(dialogs, "ask_spreadsheet_path", ask)
    return suggested


def tab_to(qtbot: QtBot, widget: QWidget, presses: int = 120) -> None:
    """Tab from the focused widget until `widget` has the focus (through the table's
    cells: Tab moves from cell to cell, then on)."""
    for _ in range(presses):
        if widget.hasFocus():
            return
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert widget.hasFocus(), f"{widget.objectName()} cannot be reached with Tab"


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Holds the export after its first row (entered) until released: the test acts
    while it is surely running. One row a chunk, so progress comes for each."""
    entered, release = threading.Event(), threading.Event()
    row = sessions_export._row

    def held_row(*args: Any) -> Any:
        entered.set()
        assert release.wait(10), "the test never released the export"
        return row(*args)

    monkeypatch.setattr(sessions_export, "CHUNK_ROWS", 1)
    monkeypatch.setattr(sessions_export, "_row", held_row)
    yield entered, release
    release.set()


def test_the_shown_sessions_are_exported_with_progress_by_keyboard(
    qtbot: QtBot, view: SessionsView, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sessions_export, "CHUNK_ROWS", 1)
    target = tmp_path / "completed.xlsx"
    suggested = choose(monkeypatch, target, "xlsx")
    view.status_filter.setFocus()
    qtbot.keyClick(view.status_filter, Qt.Key.Key_Down)  # All -> In progress
    qtbot.keyClick(view.status_filter, Qt.Key.Key_Down)  # -> Completed
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    values: list[int] = []
    view.export_bar.progress_bar.valueChanged.connect(values.append)
    tab_to(qtbot, view.export_sessions_button)
    with qtbot.waitSignal(view.export_bar.finished, timeout=10_000) as finished:
        qtbot.keyClick(view.export_sessions_button, Qt.Key.Key_Space)
        assert view.export_bar.isVisible() and view.export_bar.running
        assert not view.export_sessions_button.isEnabled()  # one export at a time
    assert finished.args == [2]
    assert suggested == ["sessions.xlsx"]
    assert view.export_bar.progress_bar.maximum() == 2 and values[-1] == 2
    assert view.export_bar.status.text() == f"Exported 2 sessions to {target}."
    assert view.export_sessions_button.isEnabled()
    rows = list(openpyxl.load_workbook(target)["three-steps"].iter_rows(values_only=True))
    header = list(rows[0])
    got = sorted((row[1], row[header.index("a1")], row[header.index("c1")]) for row in rows[2:])
    assert got == [("Alpha", "Alpha a", "Alpha c"), ("Charlie", "Charlie a", "Charlie c")]


def test_cancel_by_keyboard_leaves_no_file(
    qtbot: QtBot,
    window: MainWindow,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    gate: tuple[threading.Event, threading.Event],
) -> None:
    entered, release = gate
    make_sessions(data_dir)
    view = window.sessions_view
    window.tabs.setCurrentWidget(view)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    view.reload()
    out = tmp_path / "out"
    out.mkdir()
    choose(monkeypatch, out / "all.csv", "csv")
    view.table.setFocus()
    tab_to(qtbot, view.export_sessions_button)
    qtbot.keyClick(view.export_sessions_button, Qt.Key.Key_Space)
    qtbot.waitUntil(entered.is_set)
    qtbot.waitUntil(lambda: view.export_bar.progress_bar.isVisible())
    window.grab().save(str(tmp_path / SCREENSHOT))
    tab_to(qtbot, view.export_bar.cancel_button)
    with qtbot.waitSignal(view.export_bar.finished, timeout=10_000) as finished:
        qtbot.keyClick(view.export_bar.cancel_button, Qt.Key.Key_Space)
        assert view.export_bar.status.text() == "Cancelling the export…"
        release.set()
    assert isinstance(finished.args[0], ExportCancelled)
    assert list(out.iterdir()) == []  # neither the file nor a partial one
    assert view.export_bar.status.text() == "Export cancelled: no file was written."
    assert not view.export_bar.progress_bar.isVisible()


def test_csv_of_several_wizards_is_refused_with_a_message(
    qtbot: QtBot,
    view: SessionsView,
    store: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    no_modal_dialogs: list[str],
) -> None:
    start_session(import_text(store, FOUR_STEPS, "four.yaml"), "Another wizard's")
    view.reload()
    target = tmp_path / "all.csv"
    choose(monkeypatch, target, "csv")
    with qtbot.waitSignal(view.export_bar.finished, timeout=10_000):
        view.export_sessions_action.trigger()
    assert no_modal_dialogs == [
        "The sessions shown belong to 2 wizards, and a CSV file holds the sessions of one"
        " wizard. Search for one wizard's title, or export as an Excel workbook (one sheet"
        " per wizard)."
    ]
    assert not target.exists()
    # Searching one wizard's title narrows the table to it: then CSV is fine.
    view.search_field.setText("three")
    qtbot.waitUntil(lambda: view.model.rowCount() == 5)
    with qtbot.waitSignal(view.export_bar.finished, timeout=10_000) as finished:
        view.export_sessions_action.trigger()
    assert finished.args == [5]
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig"))))
    assert len(rows) == 1 + 5
