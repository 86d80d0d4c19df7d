"""The Sessions table and the first screen's "Continue where you left off" name a
session's current step in the language it is answered in, and the table sorts by
what it shows."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.gui.test_sessions_table import section, sessions_tab, shown_ids, store
from wizard_desktop.core import sessions
from wizard_desktop.core.session_list import SortColumn
from wizard_desktop.ui.main_window import MainWindow

SCREENSHOT = Path(os.environ.get("WD_SCREENSHOT_DIR", "/tmp")) / "sessions-table-german.png"


def test_a_german_session_shows_its_step_in_german(qtbot: QtBot, window: MainWindow) -> None:
    german = sessions.start_session("expense-claim", "Reise nach Köln").id
    english = sessions.start_session("expense-claim", "Trip to Leeds").id
    view = sessions_tab(window)
    store(qtbot, window, german, lambda: sessions.set_session_language(german, "de"))

    def step_of(session_id: str) -> str:
        row = view.model.row_of(session_id)
        assert row is not None
        return str(view.model.index(row, section(SortColumn.CURRENT_STEP)).data())

    assert (step_of(german), step_of(english)) == ("Ihre Abrechnung", "Your claim")
    view.table.sortByColumn(section(SortColumn.CURRENT_STEP), Qt.SortOrder.AscendingOrder)
    order = shown_ids(view)
    assert order.index(german) < order.index(english)  # "Ihre …" before "Your …"
    view.table.sortByColumn(section(SortColumn.CURRENT_STEP), Qt.SortOrder.DescendingOrder)
    assert shown_ids(view).index(english) < shown_ids(view).index(german)

    view.select_session(english)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    assert view.selected_session().id == german  # type: ignore[union-attr]
    window.grab().save(str(SCREENSHOT))

    window.tabs.setCurrentWidget(window.wizards_view)
    continue_list = window.wizards_view.continue_list
    steps = {
        continue_list.topLevelItem(i).text(0): continue_list.topLevelItem(i).text(2)
        for i in range(continue_list.topLevelItemCount())
    }
    assert steps == {"Reise nach Köln": "Ihre Abrechnung", "Trip to Leeds": "Your claim"}
