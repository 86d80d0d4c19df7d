"""The Sessions table at the window's own size (issue 13 §7), in the real window: the
name readable at the default size, long names elided in the middle, rows that move
to their sorted place when they change, Del and Esc, and the selection after a
delete."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from wizard_desktop.core import sessions
from wizard_desktop.core.session_list import SortColumn
from wizard_desktop.operations import Call, Change
from wizard_desktop.store.database import db
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.sessions_view import (
    CELL_PADDING,
    COLUMNS,
    SESSION_ID_ROLE,
    SessionsView,
)

LAPTOP_STEPS = [
    ("basics", {"full_name": "Ann", "email": "ann@example.com", "department": "Sales"}),
    ("hardware", {"model": "ultrabook-13", "memory_gb": "16", "storage_gb": 512}),
    ("software", {"operating_system": "linux"}),
]


def section(column: SortColumn) -> int:
    return COLUMNS.index(column)


def shown_ids(view: SessionsView) -> list[str]:
    model = view.model
    return [model.index(r, 0).data(SESSION_ID_ROLE) for r in range(model.rowCount())]


def sql_order(order: str) -> list[str]:
    return [r[0] for r in db.execute_sql(f"SELECT id FROM session ORDER BY {order}").fetchall()]


def sessions_tab(window: MainWindow) -> SessionsView:
    view = window.sessions_view
    window.tabs.setCurrentWidget(view)
    view.reload()
    return view


def store(qtbot: QtBot, window: MainWindow, session_id: str, work: Callable[[], object]) -> None:
    """A write through the window's door, as the player or a view makes it."""
    window.operations.run(Call("a change", work, changes=lambda _: Change(sessions=(session_id,))))
    qtbot.waitUntil(lambda: not window.operations.pending())


@pytest.fixture
def names(window: MainWindow) -> dict[str, str]:
    """Five Laptop Config sessions with default names, at different steps."""
    ids = {}
    for label in ("a", "b", "c", "d", "e"):
        ids[label] = sessions.start_session("laptop-config").id
    for label, steps in (("b", 1), ("d", 2)):
        for step, answers in LAPTOP_STEPS[:steps]:
            sessions.save_step(ids[label], step, answers)
    return ids


def test_at_the_default_size_the_name_is_readable(
    qtbot: QtBot, window: MainWindow, names: dict[str, str]
) -> None:
    assert window.size().width() == 1000  # the window's own default (no saved geometry)
    view = sessions_tab(window)
    header = view.table.horizontalHeader()
    widths = {
        c: header.sectionSize(section(c)) for c in COLUMNS if not header.isSectionHidden(section(c))
    }
    name_width = widths.pop(SortColumn.NAME)
    assert name_width > max(widths.values())  # the name takes the most
    metrics = view.table.fontMetrics()
    default_name = sessions.get_session(names["a"]).name  # "Laptop Config — 2026-…"
    readable = name_width - CELL_PADDING
    assert metrics.elidedText(default_name, Qt.TextElideMode.ElideMiddle, readable) == default_name
    for column in (SortColumn.UPDATED, SortColumn.COMPLETED):
        date = view.model.index(0, section(column)).data()
        assert metrics.horizontalAdvance(date) + CELL_PADDING <= widths[column], column
    assert header.isSectionHidden(section(SortColumn.STARTED))  # shown from the header menu
    menu = view.column_menu()
    started = next(a for a in menu.actions() if a.text() == "Started")
    started.trigger()
    assert not header.isSectionHidden(section(SortColumn.STARTED))
    menu.deleteLater()


def test_long_names_are_elided_in_the_middle(window: MainWindow) -> None:
    long = "Laptop for the new designer in Berlin " * 4 + "(second try)"
    sessions.start_session("laptop-config", long)
    view = sessions_tab(window)
    assert view.table.textElideMode() == Qt.TextElideMode.ElideMiddle
    index = view.model.index(0, section(SortColumn.NAME))
    assert index.data() == long and index.data(Qt.ItemDataRole.ToolTipRole)


def test_a_session_that_completes_moves_to_its_sorted_place(
    qtbot: QtBot, window: MainWindow, names: dict[str, str]
) -> None:
    view = sessions_tab(window)
    view.table.sortByColumn(section(SortColumn.PROGRESS), Qt.SortOrder.AscendingOrder)
    order = "progress_percentage ASC, id ASC"
    assert shown_ids(view) == sql_order(order)
    view.select_session(names["a"])
    session_id = names["a"]

    def complete() -> None:
        for step, answers in LAPTOP_STEPS:
            sessions.save_step(session_id, step, answers)
        sessions.complete_session(
            session_id, "delivery", {"delivery_address": "1 Main Street, Town"}
        )

    store(qtbot, window, session_id, complete)
    assert shown_ids(view) == sql_order(order)
    assert shown_ids(view)[-1] == session_id  # 100 %: last
    assert view.selected_session().id == session_id  # type: ignore[union-attr]
    row = view.model.row_of(session_id)
    assert view.model.index(row, section(SortColumn.STATUS)).data() == "Completed"  # type: ignore[arg-type]

    store(qtbot, window, names["e"], lambda: sessions.save_step(names["e"], *LAPTOP_STEPS[0]))
    assert shown_ids(view) == sql_order(order)


def test_the_default_order_puts_the_session_just_changed_first(
    qtbot: QtBot, window: MainWindow, names: dict[str, str]
) -> None:
    view = sessions_tab(window)
    assert shown_ids(view)[0] != names["b"]
    store(
        qtbot,
        window,
        names["b"],
        lambda: sessions.save_draft(names["b"], {"model": "ultrabook-13"}),
    )
    assert shown_ids(view) == sql_order("updated_at DESC, id DESC")
    assert shown_ids(view)[0] == names["b"]


def test_delete_key_deletes_after_the_same_confirmation_and_selects_the_neighbour(
    qtbot: QtBot, window: MainWindow, names: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, str]] = []

    def confirm(_parent: object, question: str, *, title: str) -> bool:
        asked.append((title, question))
        return True

    monkeypatch.setattr(dialogs, "confirm_delete", confirm)
    view = sessions_tab(window)
    before = shown_ids(view)
    middle = before[2]
    view.select_session(middle)
    view.table.setFocus()
    name = sessions.get_session(middle).name
    with qtbot.waitSignal(view.sessionDeleted):
        qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert asked == [("Delete session", f"Delete the session “{name}” and all its answers?")]
    qtbot.waitUntil(lambda: not window.operations.pending())
    assert shown_ids(view) == [i for i in before if i != middle]
    assert view.selected_session().id == before[3]  # type: ignore[union-attr]  # same row

    view.select_session(before[-1])
    with qtbot.waitSignal(view.sessionDeleted):
        qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: not window.operations.pending())
    assert view.selected_session().id == before[-2]  # type: ignore[union-attr]  # the last row


def test_delete_in_the_search_field_edits_the_text(
    qtbot: QtBot, window: MainWindow, names: dict[str, str]
) -> None:
    view = sessions_tab(window)
    view.select_session(names["a"])
    view.search_field.setFocus()
    qtbot.keyClicks(view.search_field, "xy")
    qtbot.keyClick(view.search_field, Qt.Key.Key_Left)
    qtbot.keyClick(view.search_field, Qt.Key.Key_Delete)  # no confirmation is asked
    assert view.search_field.text() == "x"
    assert sessions.get_session(names["a"]).id == names["a"]


def test_esc_clears_the_search_at_once(
    qtbot: QtBot, window: MainWindow, names: dict[str, str]
) -> None:
    view = sessions_tab(window)
    special = sessions.start_session("employee-onboarding", "Onboarding of Zoe").id
    view.reload()
    view.search_field.setFocus()
    qtbot.keyClicks(view.search_field, "zoe")
    qtbot.waitUntil(lambda: shown_ids(view) == [special])
    qtbot.keyClick(view.search_field, Qt.Key.Key_Escape)
    assert view.search_field.text() == ""
    assert len(shown_ids(view)) == 6  # without waiting for the typing pause

    qtbot.keyClicks(view.search_field, "zoe")
    qtbot.waitUntil(lambda: shown_ids(view) == [special])
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Escape)  # from the table too
    assert view.search_field.text() == "" and len(shown_ids(view)) == 6
    assert view.model.rowCount(QModelIndex()) == 6
