"""The main window as a whole, built the way `make run` builds it: the wizards view, the
player reached from the sessions table, wizard files imported by menu and by drag and
drop, shortcuts, and what the window remembers between runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QTableView, QTreeWidget
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import (
    BACK,
    click,
    close_window,
    fill_laptop_basics,
    find,
    make_window,
    press_next,
    start,
    step_id,
    wait_saved,
)
from tests.wizard_files import FOUR_STEPS
from wizard_desktop.core import sessions
from wizard_desktop.core.wizards import list_wizards
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.main_window import MainWindow


def test_wizard_list_shows_the_bundled_wizards_with_steps_and_counts(window: MainWindow) -> None:
    wizard_list = window.findChild(QTreeWidget, "wizardList")
    assert wizard_list is not None
    rows = {
        wizard_list.topLevelItem(i).text(0): (
            wizard_list.topLevelItem(i).text(1),
            wizard_list.topLevelItem(i).text(2),
        )
        for i in range(wizard_list.topLevelItemCount())
    }
    assert rows["Laptop Config"] == ("4", "0")
    assert rows["Expense Claim"] == ("5", "0")
    assert len(rows) == 4
    assert window.wizards_view.title_label.text() == wizard_list.currentItem().text(0)
    assert [window.tabs.tabText(i) for i in range(3)] == ["&Wizards", "&Sessions", "&Templates"]


def test_resume_from_the_sessions_table_lands_on_the_step_with_the_answers(
    qtbot: QtBot, window: MainWindow
) -> None:
    player = start(qtbot, window, "laptop-config")
    session_id = player.info.id
    fill_laptop_basics(qtbot, player)
    press_next(qtbot, player)
    wait_saved(qtbot, window, progress=25)
    qtbot.keyClick(player, Qt.Key.Key_Escape)  # back to the main views
    window.tabs.setCurrentWidget(window.sessions_view)
    table = window.sessions_view.table
    row = window.sessions_view.model.row_of(session_id)
    assert row is not None
    assert window.sessions_view.model.session_at(row).progress_percentage == 25  # type: ignore[union-attr]
    window.sessions_view.select_session(session_id)
    qtbot.mouseClick(
        window.findChild(type(find(window, "resumeButton")), "resumeButton"),
        Qt.MouseButton.LeftButton,
    )
    assert window.player is not None and window.player.info.id == session_id
    assert step_id(window.player) == "hardware"
    qtbot.mouseClick(window.player.button(BACK), Qt.MouseButton.LeftButton)
    assert find(window.player, "field_full_name").text() == "Jane Doe"  # type: ignore[attr-defined]
    assert table.isVisibleTo(window) is False  # the player replaced the views


def test_review_of_a_completed_session_is_read_only(qtbot: QtBot, window: MainWindow) -> None:
    info = sessions.start_session("laptop-config")
    for step, answers in [
        ("basics", {"full_name": "Ann", "email": "ann@example.com", "department": "Sales"}),
        ("hardware", {"model": "ultrabook-13", "memory_gb": "16", "storage_gb": 512}),
        ("software", {"operating_system": "linux"}),
    ]:
        sessions.save_step(info.id, step, answers)
    sessions.complete_session(info.id, "delivery", {"delivery_address": "1 Main Street, Town"})
    window.sessions_view.reload()
    window.tabs.setCurrentWidget(window.sessions_view)
    window.sessions_view.select_session(info.id)
    assert not find(window, "resumeButton").isEnabled()
    find(window, "reviewButton").click()  # type: ignore[attr-defined]
    player = window.player
    assert player is not None and player.info.is_completed
    assert not player.button(player.WizardButton.FinishButton).isVisible()
    step_list = find(player, "stepList")
    step_list.itemClicked.emit(step_list.item(0))  # type: ignore[attr-defined]
    assert not find(player, "field_full_name").isEnabled()


def test_import_by_menu_stores_good_files_and_reports_bad_ones_in_one_dialog(
    qtbot: QtBot,
    window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_modal_dialogs: list[str],
) -> None:
    good = tmp_path / "four.yaml"
    good.write_text(FOUR_STEPS)
    bad = tmp_path / "broken.yaml"
    bad.write_text(
        FOUR_STEPS.replace("id: four-steps", "id: Broken Id").replace(
            "type: choice", "type: dropdown"
        )
    )
    monkeypatch.setattr(dialogs, "ask_open_paths", lambda _p, _t, _f: [good, bad])
    window.import_action.trigger()
    qtbot.waitUntil(lambda: len(no_modal_dialogs) == 1)
    assert {w.id for w in list_wizards()} >= {"four-steps"}
    assert "broken" not in {w.id for w in list_wizards()}
    assert window.wizards_view.selected_wizard_id() == "four-steps"
    (message,) = no_modal_dialogs
    assert f"{bad}:2: id:" in message and f"{bad}:12: steps[1].fields[0].type:" in message


def drag_and_drop(window: MainWindow, files: list[Path]) -> bool:
    """Drag `files` over the window and drop them, as a file manager would; returns
    whether the window accepted the drag."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(window, drop)
    return True


def test_wizard_files_dropped_on_the_window_are_imported(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a wizard")
    assert not drag_and_drop(window, [notes])
    dropped = tmp_path / "dropped.yaml"
    dropped.write_text(FOUR_STEPS)
    assert drag_and_drop(window, [dropped, notes])
    qtbot.waitUntil(lambda: window.wizards_view.selected_wizard_id() == "four-steps")
    assert "four-steps" in {w.id for w in list_wizards()}
    assert window.wizards_view.selected_wizard_id() == "four-steps"


def test_about_shows_the_version(window: MainWindow, no_modal_dialogs: list[str]) -> None:
    from wizard_desktop import __version__

    window.show_about()
    assert f"Wizard Desktop {__version__}" in no_modal_dialogs[0]


def test_the_window_remembers_its_view_columns_and_sort_order(qtbot: QtBot, data_dir: Path) -> None:
    first = make_window(qtbot, data_dir)
    first.tabs.setCurrentWidget(first.sessions_view)
    header = first.sessions_view.table.horizontalHeader()
    header.resizeSection(0, 321)
    first.sessions_view.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    close_window(qtbot, first)

    second = make_window(qtbot, data_dir)
    header = second.sessions_view.table.horizontalHeader()
    assert second.tabs.currentWidget() is second.sessions_view
    assert header.sectionSize(0) == 321
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        0,
        Qt.SortOrder.AscendingOrder,
    )
    close_window(qtbot, second)


def test_ctrl_e_exports_the_session_in_the_player(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    player = start(qtbot, window, "laptop-config")
    fill_laptop_basics(qtbot, player)
    click(qtbot, player, "field_department_Sales")
    target = tmp_path / "out.csv"
    monkeypatch.setattr(dialogs, "ask_save_path", lambda _p, _t, _n, _f: target)
    qtbot.waitUntil(lambda: not window.controller.has_unsaved())
    qtbot.keyClick(player, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(target.exists)
    assert target.read_text().startswith(
        "session_id,session_name,wizard_id,step_id,field_id,label,value"
    )


def test_the_hidden_tabs_are_built_when_first_shown(qtbot: QtBot, store: Path) -> None:
    """The Sessions and Templates views (and their widgets) exist once their tab is
    first shown, and show what happened before."""
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        assert window.findChild(QTableView, "sessionsTable") is None
        assert window.findChild(QTreeWidget, "templatesList") is None
        player = start(qtbot, window, "laptop-config")
        fill_laptop_basics(qtbot, player)
        press_next(qtbot, player)
        wait_saved(qtbot, window, progress=25)
        qtbot.keyClick(player, Qt.Key.Key_Escape)

        window.tabs.setCurrentIndex(1)
        table = window.findChild(QTableView, "sessionsTable")
        assert table is not None and table.isVisible()
        assert window.tabs.currentWidget() is window.sessions_view
        assert window.sessions_view.model.row_of(player.info.id) == 0
        window.tabs.setCurrentIndex(2)
        assert window.tabs.currentWidget() is window.templates_view
        assert window.findChild(QTreeWidget, "templatesList") is not None
        assert [window.tabs.tabText(i) for i in range(3)] == ["&Wizards", "&Sessions", "&Templates"]
    finally:
        window.close()
        window.shutdown()
