"""Small things a person notices (issue 13 §8), in the real window: plurals, dialogs
titled by what they ask, file choosers that start at home and remember the last
folder per kind, the Keyboard shortcuts page on F1, and a name prompt wide enough
for the name. The real dialog functions are kept before the fixture replaces them;
a modal dialog is answered by a timer, so none blocks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import close_window, make_window
from wizard_desktop.core import sessions
from wizard_desktop.store.database import close_database
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.dialogs import ask_name as real_ask_name
from wizard_desktop.ui.dialogs import ask_open_paths as real_ask_open_paths
from wizard_desktop.ui.dialogs import ask_save_path as real_ask_save_path
from wizard_desktop.ui.dialogs import show_keyboard_shortcuts as real_show_keyboard_shortcuts
from wizard_desktop.ui.main_window import SHORTCUTS, MainWindow

LAPTOP_STEPS = [
    ("basics", {"full_name": "Ann", "email": "ann@example.com", "department": "Sales"}),
    ("hardware", {"model": "ultrabook-13", "memory_gb": "16", "storage_gb": 512}),
    ("software", {"operating_system": "linux"}),
]


def answer_modal(look: Callable[[QWidget], None]) -> None:
    """When the next modal dialog is up: `look` at it, then close it."""

    def when_shown() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, when_shown)
            return
        look(dialog)
        dialog.close()

    QTimer.singleShot(0, when_shown)


def completed_laptop_session() -> str:
    session_id = sessions.start_session("laptop-config").id
    for step, answers in LAPTOP_STEPS:
        sessions.save_step(session_id, step, answers)
    sessions.complete_session(session_id, "delivery", {"delivery_address": "1 Main Street, Town"})
    return session_id


def test_counts_read_as_plurals(window: MainWindow) -> None:
    view = window.wizards_view
    view.reload(select_id="laptop-config")
    assert "4 steps · completed 0 times" in view.description.toPlainText()
    completed_laptop_session()
    view.reload(select_id="laptop-config")
    assert "completed 1 time" in view.description.toPlainText()
    assert "1 times" not in view.description.toPlainText()
    window.tabs.setCurrentWidget(window.sessions_view)
    window.sessions_view.reload()
    assert window.sessions_view.count_label.text() == "1 session"


def test_f1_shows_the_keyboard_shortcuts_and_about_stays_in_help(
    qtbot: QtBot, window: MainWindow, no_modal_dialogs: list[object]
) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert no_modal_dialogs and isinstance(no_modal_dialogs[-1], list)
    keys = [keys for keys, _what in no_modal_dialogs[-1]]  # type: ignore[union-attr]
    assert len(keys) == len(SHORTCUTS) and "F1" in keys and "Del" in keys
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    texts = [a.text() for a in help_menu.actions()]
    assert texts == ["&Keyboard shortcuts", "&About Wizard Desktop"]
    about = help_menu.actions()[1]
    assert about.shortcut().isEmpty()  # F1 is the shortcuts page's


def test_the_keyboard_shortcuts_page_lists_every_row(qtbot: QtBot, window: MainWindow) -> None:
    seen: dict[str, object] = {}

    def look(dialog: QWidget) -> None:
        table = dialog.findChild(QTableWidget, "keyboardShortcutsTable")
        assert table is not None
        seen["title"] = dialog.windowTitle()
        seen["rows"] = [
            (table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())
        ]

    answer_modal(look)
    real_show_keyboard_shortcuts(window, [("F1", "Show these keyboard shortcuts")])
    assert seen == {
        "title": "Keyboard shortcuts",
        "rows": [("F1", "Show these keyboard shortcuts")],
    }


def test_the_rename_prompt_is_titled_by_what_it_asks_and_fits_the_name(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "Laptop Config for the new designer in Berlin — 2026-12-01 09:45"
    session_id = sessions.start_session("laptop-config", name).id
    sessions.save_draft(session_id, {"full_name": "Ann"})
    monkeypatch.setattr(dialogs, "ask_name", real_ask_name)
    view = window.sessions_view
    window.tabs.setCurrentWidget(view)
    view.reload()
    view.select_session(session_id)
    seen: dict[str, object] = {}

    def look(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        seen["title"] = dialog.windowTitle()
        seen["fits"] = dialog.width() > dialog.fontMetrics().horizontalAdvance(name)

    answer_modal(look)
    view.rename_selected()
    assert seen == {"title": "Rename session", "fits": True}
    assert sessions.get_session(session_id).name == name  # closed: nothing renamed


def test_file_choosers_start_at_home_then_remember_the_folder_per_kind(
    qtbot: QtBot,
    window: MainWindow,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    exports = tmp_path / "exports"
    wizards = tmp_path / "wizards"
    for folder in (home, exports, wizards):
        folder.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(dialogs, "ask_save_path", real_ask_save_path)
    monkeypatch.setattr(dialogs, "ask_open_paths", real_ask_open_paths)
    started_in: list[tuple[str, str]] = []

    def save_name(_parent: object, title: str, start: str, _filters: str) -> tuple[str, str]:
        started_in.append((title, start))
        return str(exports / "jane.json"), "JSON (*.json)"

    def open_names(_parent: object, title: str, start: str, _filters: str) -> tuple[list[str], str]:
        started_in.append((title, start))
        return [], ""  # cancelled

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", open_names)
    view = window.sessions_view
    window.tabs.setCurrentWidget(view)
    session_id = completed_laptop_session()
    view.reload()
    view.select_session(session_id)
    view.export_selected()
    view.export_selected()
    qtbot.waitUntil(lambda: not window.operations.pending())
    window.import_wizard_files()
    name = Path(started_in[0][1]).name
    assert started_in == [
        ("Export session", str(home / name)),
        ("Export session", str(exports / name)),
        ("Import wizards", str(home)),  # another kind: its own folder
    ]

    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileNames",
        lambda *_: ([str(wizards / "missing.yaml")], ""),
    )
    window.import_wizard_files()
    qtbot.waitUntil(lambda: not window.operations.pending())
    close_window(qtbot, window)  # the settings are kept beside the database
    again = make_window(qtbot, data_dir)
    try:
        monkeypatch.setattr(QFileDialog, "getOpenFileNames", open_names)
        started_in.clear()
        again.import_wizard_files()
        assert started_in == [("Import wizards", str(wizards))]
    finally:
        close_window(qtbot, again)
        again.shutdown()
        close_database()
