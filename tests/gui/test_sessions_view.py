"""The sessions view on a real database: the model (qtmodeltester, pages, SQL sort and
filters, in-place updates) and the actions on the selected session."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from tests.wizard_files import THREE_STEPS, import_text
from wizard_desktop.core.export import CSV_COLUMNS
from wizard_desktop.core.session_list import SortColumn
from wizard_desktop.core.sessions import (
    complete_session,
    load_session,
    save_draft,
    save_step,
    start_session,
)
from wizard_desktop.operations import OperationRunner
from wizard_desktop.store.database import db
from wizard_desktop.store.models import COMPLETED, IN_PROGRESS, Answer, Session
from wizard_desktop.ui import dialogs, sessions_view
from wizard_desktop.ui.sessions_view import (
    COLUMNS,
    EMPTY_TEXT,
    NO_MATCH_TEXT,
    PROGRESS_ROLE,
    SESSION_ID_ROLE,
    SessionsTableModel,
    SessionsView,
)


def make_sessions(folder: Path) -> dict[str, str]:
    """Five real sessions of a three-step wizard: two completed, three in progress."""
    wizard_id = import_text(folder, THREE_STEPS)
    ids = {}
    for name in ("Alpha", "bravo", "Charlie", "Delta", "echo"):
        ids[name] = start_session(wizard_id, name).id
    for name in ("Alpha", "Charlie"):
        save_step(ids[name], "a", {"a1": f"{name} a"})
        save_step(ids[name], "b", {"b1": f"{name} b"})
        complete_session(ids[name], "c", {"c1": f"{name} c"})
    save_step(ids["Delta"], "a", {"a1": "Delta a"})
    return ids


@pytest.fixture
def ids(store: Path) -> dict[str, str]:
    return make_sessions(store)


@pytest.fixture
def view(qtbot: QtBot, ids: dict[str, str], operations: OperationRunner) -> SessionsView:
    widget = SessionsView(operations)
    qtbot.addWidget(widget)
    widget.resize(1000, 500)
    widget.show()
    return widget


def shown_ids(model: SessionsTableModel) -> list[str]:
    return [model.index(r, 0).data(SESSION_ID_ROLE) for r in range(model.rowCount())]


def plain_ids(order: str, where: str = "") -> list[str]:
    sql = f"SELECT s.id FROM session s JOIN wizard w ON w.id = s.wizard_id {where} ORDER BY {order}"
    return [r[0] for r in db.execute_sql(sql).fetchall()]


def select(view: SessionsView, session_id: str) -> int:
    assert view.select_session(session_id)
    row = view.model.row_of(session_id)
    assert row is not None
    return row


def test_model_passes_qtmodeltester_across_pages(qtmodeltester, ids: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    model = SessionsTableModel(page_size=2)
    assert model.rowCount() == 2 and model.canFetchMore(model.index(-1, -1))
    qtmodeltester.check(model)
    while model.canFetchMore(model.index(-1, -1)):
        model.fetchMore(model.index(-1, -1))
    assert sorted(shown_ids(model)) == sorted(ids.values())
    qtmodeltester.check(model)


def test_a_row_whose_key_moves_past_the_loaded_pages_comes_once_with_its_page(
    ids: dict[str, str],
) -> None:
    model = SessionsTableModel(page_size=2)
    model.sort(COLUMNS.index(SortColumn.UPDATED), Qt.SortOrder.AscendingOrder)
    assert shown_ids(model)[0] == ids["bravo"]  # the least recently updated
    save_draft(ids["bravo"], {"a1": "typing"})
    # Now the most recently updated: its place is on the last page, not loaded yet.
    model.refresh_session(ids["bravo"])
    assert ids["bravo"] not in shown_ids(model)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert shown_ids(model)[-1] == ids["bravo"]
    assert sorted(shown_ids(model)) == sorted(ids.values())  # once each


def test_headers_and_cells_show_what_a_person_reads(
    view: SessionsView, ids: dict[str, str]
) -> None:
    model = view.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))]
    assert headers == [
        "Name",
        "Wizard",
        "Status",
        "Progress",
        "Current step",
        "Started",
        "Last updated",
        "Completed",
        "Time spent",
    ]
    delta = model.row_of(ids["Delta"])
    assert delta is not None

    def cell(row: int, column: SortColumn, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        return model.index(row, COLUMNS.index(column)).data(role)

    assert cell(delta, SortColumn.STATUS) == "In progress"
    assert cell(delta, SortColumn.PROGRESS) == "33 %"
    assert cell(delta, SortColumn.PROGRESS, PROGRESS_ROLE) == pytest.approx(33.33)
    assert cell(delta, SortColumn.CURRENT_STEP) == "B"
    assert cell(delta, SortColumn.COMPLETED) == "—"
    assert cell(delta, SortColumn.TIME_SPENT) == "0 s"
    started = load_session(ids["Delta"]).info.started_at.astimezone()
    assert cell(delta, SortColumn.STARTED) == started.strftime("%Y-%m-%d %H:%M")
    alpha = model.row_of(ids["Alpha"])
    assert alpha is not None
    assert cell(alpha, SortColumn.STATUS) == "Completed"
    assert cell(alpha, SortColumn.CURRENT_STEP) == "—"
    assert view.count_label.text() == "5 sessions"


def test_sorting_any_header_gives_the_order_of_plain_sql(
    view: SessionsView, ids: dict[str, str]
) -> None:
    assert shown_ids(view.model) == plain_ids("s.updated_at DESC, s.id DESC")
    view.table.sortByColumn(COLUMNS.index(SortColumn.NAME), Qt.SortOrder.AscendingOrder)
    assert shown_ids(view.model) == plain_ids("s.name COLLATE NOCASE ASC, s.id ASC")
    assert [ids[n] for n in ("Alpha", "bravo", "Charlie", "Delta", "echo")] == shown_ids(view.model)
    view.table.sortByColumn(COLUMNS.index(SortColumn.PROGRESS), Qt.SortOrder.DescendingOrder)
    assert shown_ids(view.model) == plain_ids("s.progress_percentage DESC, s.id DESC")
    view.table.sortByColumn(COLUMNS.index(SortColumn.COMPLETED), Qt.SortOrder.AscendingOrder)
    assert shown_ids(view.model) == plain_ids("s.completed_at ASC, s.id ASC")


def test_status_filter_and_debounced_search(
    qtbot: QtBot, view: SessionsView, ids: dict[str, str]
) -> None:
    view.status_filter.setCurrentText("Completed")
    assert shown_ids(view.model) == plain_ids(
        "s.updated_at DESC, s.id DESC", "WHERE s.status = 'completed'"
    )
    assert view.count_label.text() == "2 sessions"
    view.status_filter.setCurrentText("In progress")
    assert sorted(shown_ids(view.model)) == sorted(ids[n] for n in ("bravo", "Delta", "echo"))

    view.status_filter.setCurrentText("All")
    qtbot.keyClicks(view.search_field, "CHAR")
    assert len(shown_ids(view.model)) == 5  # not yet: the search waits for typing to pause
    qtbot.waitUntil(lambda: shown_ids(view.model) == [ids["Charlie"]], timeout=2000)
    view.search_field.setText("three steps")  # the wizard's title matches every session
    qtbot.waitUntil(lambda: len(shown_ids(view.model)) == 5, timeout=2000)
    view.search_field.setText("zzz")
    qtbot.waitUntil(lambda: view.model.rowCount() == 0, timeout=2000)
    assert view.stack.currentWidget() is view.empty_label
    assert view.empty_label.text() == NO_MATCH_TEXT


def test_empty_database_says_what_to_do(
    qtbot: QtBot, store: Path, operations: OperationRunner
) -> None:
    view = SessionsView(operations)
    qtbot.addWidget(view)
    view.show()
    assert view.model.rowCount() == 0
    assert view.empty_label.isVisible() and view.empty_label.text() == EMPTY_TEXT
    assert not view.table.isVisible()


def test_refresh_session_updates_the_row_in_place_when_its_sort_key_stays(
    qtbot: QtBot, view: SessionsView, ids: dict[str, str]
) -> None:
    view.model.sort(COLUMNS.index(SortColumn.NAME), Qt.SortOrder.AscendingOrder)
    row = select(view, ids["echo"])
    order = shown_ids(view.model)
    save_step(ids["echo"], "a", {"a1": "now"})
    with qtbot.waitSignal(view.model.dataChanged) as changed:
        view.refresh_session(ids["echo"])
    assert changed.args[0].row() == row == changed.args[1].row()
    assert shown_ids(view.model) == order
    assert view.selected_session().id == ids["echo"]  # type: ignore[union-attr]
    progress = view.model.index(row, COLUMNS.index(SortColumn.PROGRESS))
    assert progress.data() == "33 %"


def test_a_row_whose_sort_key_changes_moves_to_its_place_with_the_selection(
    qtbot: QtBot, view: SessionsView, ids: dict[str, str]
) -> None:
    row = select(view, ids["echo"])
    assert row > 0  # not the most recently updated yet
    save_step(ids["echo"], "a", {"a1": "now"})
    with qtbot.waitSignal(view.model.rowsMoved):
        view.refresh_session(ids["echo"])
    assert shown_ids(view.model) == plain_ids("s.updated_at DESC, s.id DESC")
    assert shown_ids(view.model)[0] == ids["echo"]
    assert view.selected_session().id == ids["echo"]  # type: ignore[union-attr]


def test_a_new_session_is_inserted_where_it_belongs(
    qtbot: QtBot, view: SessionsView, ids: dict[str, str]
) -> None:
    select(view, ids["bravo"])
    wizard_id = load_session(ids["bravo"]).info.wizard_id
    new = start_session(wizard_id, "Foxtrot").id
    with qtbot.waitSignal(view.model.rowsInserted) as inserted:
        view.refresh_session(new)
    assert inserted.args[1] == 0  # newest first
    assert shown_ids(view.model)[0] == new
    assert view.selected_session().id == ids["bravo"]  # type: ignore[union-attr]
    assert view.count_label.text() == "6 sessions"


def test_buttons_follow_the_selection(view: SessionsView, ids: dict[str, str]) -> None:
    buttons = {
        name: view.findChild(sessions_view.QPushButton, name)
        for name in (
            "resumeButton",
            "reviewButton",
            "saveAsTemplateButton",
            "exportButton",
            "renameButton",
            "deleteButton",
        )
    }
    assert all(b is not None for b in buttons.values())
    assert not any(b.isEnabled() for b in buttons.values())

    select(view, ids["Delta"])
    enabled = {name for name, b in buttons.items() if b.isEnabled()}
    assert enabled == {"resumeButton", "exportButton", "renameButton", "deleteButton"}
    assert view.resume_action.isEnabled() and not view.review_action.isEnabled()

    select(view, ids["Alpha"])
    enabled = {name for name, b in buttons.items() if b.isEnabled()}
    assert enabled == {
        "reviewButton",
        "saveAsTemplateButton",
        "exportButton",
        "renameButton",
        "deleteButton",
    }


def test_enter_and_double_click_resume_or_review(
    qtbot: QtBot, view: SessionsView, ids: dict[str, str]
) -> None:
    select(view, ids["Delta"])
    view.table.setFocus()
    with qtbot.waitSignal(view.resumeRequested) as resumed:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert resumed.args == [ids["Delta"]]

    row = select(view, ids["Alpha"])
    rect = view.table.visualRect(view.model.index(row, 0))
    viewport = view.table.viewport()
    with qtbot.waitSignal(view.reviewRequested) as reviewed:
        # QTest's double click needs the press of a first click on the same cell.
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert reviewed.args == [ids["Alpha"]]

    select(view, ids["echo"])
    with qtbot.waitSignal(view.resumeRequested) as resumed:
        view.findChild(sessions_view.QPushButton, "resumeButton").click()
    assert resumed.args == [ids["echo"]]


def test_delete_asks_then_removes_the_session_and_its_answers(
    qtbot: QtBot, view: SessionsView, ids: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def answer(reply: bool):  # type: ignore[no-untyped-def]
        def confirm(parent: object, question: str, **_: object) -> bool:
            asked.append(question)
            return reply

        return confirm

    select(view, ids["Alpha"])
    monkeypatch.setattr(dialogs, "confirm_delete", answer(False))
    delete_button = view.findChild(sessions_view.QPushButton, "deleteButton")
    delete_button.click()
    assert asked == ["Delete the session “Alpha” and all its answers?"]
    assert Session.get_or_none(Session.id == ids["Alpha"]) is not None

    monkeypatch.setattr(dialogs, "confirm_delete", answer(True))
    with qtbot.waitSignal(view.sessionDeleted) as deleted:
        delete_button.click()
    assert deleted.args == [ids["Alpha"]]
    assert Session.get_or_none(Session.id == ids["Alpha"]) is None
    assert Answer.select().where(Answer.session == ids["Alpha"]).count() == 0
    assert ids["Alpha"] not in shown_ids(view.model)
    assert view.count_label.text() == "4 sessions"


def test_rename_updates_the_row(
    qtbot: QtBot, view: SessionsView, ids: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    row = select(view, ids["bravo"])
    monkeypatch.setattr(dialogs, "ask_name", lambda parent, prompt, current, **_: "Bravo 2")
    view.rename_action.trigger()
    qtbot.waitUntil(lambda: view.model.index(row, 0).data() == "Bravo 2")
    assert load_session(ids["bravo"]).info.name == "Bravo 2"


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_export_writes_the_chosen_file(
    qtbot: QtBot,
    view: SessionsView,
    operations: OperationRunner,
    ids: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    suffix: str,
) -> None:
    target = tmp_path / f"alpha{suffix}"
    monkeypatch.setattr(dialogs, "ask_save_path", lambda parent, title, suggested, filters: target)
    select(view, ids["Alpha"])
    with qtbot.waitSignal(operations.allSaved):
        view.findChild(sessions_view.QPushButton, "exportButton").click()
    text = target.read_text(encoding="utf-8")
    if suffix == ".csv":
        rows = list(csv.reader(text.splitlines()))
        assert tuple(rows[0]) == CSV_COLUMNS
        assert [r[-1] for r in rows[1:]] == ["Alpha a", "Alpha b", "Alpha c"]
    else:
        document = json.loads(text)
        assert document["id"] == ids["Alpha"]
        assert document["answers"] == {"a1": "Alpha a", "b1": "Alpha b", "c1": "Alpha c"}


def test_a_refused_export_is_shown_not_raised(
    qtbot: QtBot,
    view: SessionsView,
    ids: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, text: shown.append(text))
    monkeypatch.setattr(
        dialogs,
        "ask_save_path",
        lambda parent, title, suggested, filters: tmp_path / "missing" / "x.json",
    )
    select(view, ids["Alpha"])
    view.export_action.trigger()
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert "missing" in shown[0]


def test_context_menu_offers_the_same_actions(view: SessionsView, ids: dict[str, str]) -> None:
    select(view, ids["Delta"])
    menu = view.context_menu()
    offered = [(a.text(), a.isEnabled()) for a in menu.actions() if not a.isSeparator()]
    assert offered == [
        ("Resume", True),
        ("Review", False),
        ("Save as template…", False),
        ("Export…", True),
        ("Rename…", True),
        ("Report", True),
        ("Delete…", True),
    ]
    assert {a.objectName() for a in menu.actions() if not a.isSeparator()} == {
        "resumeAction",
        "reviewAction",
        "saveAsTemplateAction",
        "exportAction",
        "renameAction",
        "reportAction",
        "deleteAction",
    }


def test_the_selected_session_stays_selected_across_sort_and_filter(
    view: SessionsView, ids: dict[str, str]
) -> None:
    select(view, ids["Delta"])
    view.table.sortByColumn(COLUMNS.index(SortColumn.NAME), Qt.SortOrder.AscendingOrder)
    assert view.model.row_of(ids["Delta"]) == 3
    assert view.selected_session().id == ids["Delta"]  # type: ignore[union-attr]
    assert view.resume_action.isEnabled()
    view.status_filter.setCurrentText("Completed")  # Delta is filtered out
    assert view.selected_session() is None
    assert not view.resume_action.isEnabled()


def test_the_count_comes_after_the_first_page_when_there_are_more(
    qtbot: QtBot, ids: dict[str, str]
) -> None:
    """Counting scans every matching row, so it runs on a pool thread while the first
    page is shown; a first page that holds everything is its own count."""
    paged = SessionsTableModel(page_size=2)
    assert paged.rowCount() == 2 and paged.total is None and paged.counting
    qtbot.waitUntil(lambda: paged.total == len(ids))
    assert not paged.counting
    whole = SessionsTableModel(page_size=100)
    assert whole.total == len(ids) and not whole.counting


def test_only_the_latest_count_is_shown(qtbot: QtBot, ids: dict[str, str]) -> None:
    """A count still running when the filters change is dropped when it arrives."""
    model = SessionsTableModel(page_size=1)
    counts: list[int | None] = []
    model.countChanged.connect(counts.append)
    model.set_status_filter(COMPLETED)
    model.set_status_filter(IN_PROGRESS)
    qtbot.waitUntil(lambda: not model.counting)
    assert model.total == 3  # Bravo, Delta, Echo
    assert [c for c in counts if c is not None] == [3]
