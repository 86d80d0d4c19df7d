"""Coming back to unfinished work (issue 13 §1), through the real window: the first
screen's "Continue where you left off" list after a restart, Resume beside Start new
in the selected wizard's details, and no 0 % rows left by sessions opened and never
answered."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import (
    close_window,
    fill_laptop_basics,
    find,
    make_window,
    press_next,
    start,
    step_id,
    wait_saved,
)
from wizard_desktop.core import sessions
from wizard_desktop.core.session_list import SessionListQuery, SessionRow, fetch_page
from wizard_desktop.operations import Call, Change
from wizard_desktop.store.database import close_database
from wizard_desktop.store.models import Session
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.wizards_view import WizardsView


def continue_rows(view: WizardsView) -> list[list[str]]:
    items = (
        view.continue_list.topLevelItem(i) for i in range(view.continue_list.topLevelItemCount())
    )
    return [[item.text(c) for c in range(5)] for item in items]


def select_wizard(view: WizardsView, wizard_id: str) -> None:
    for row in range(view.wizard_list.topLevelItemCount()):
        item = view.wizard_list.topLevelItem(row)
        if item.data(0, Qt.ItemDataRole.UserRole).id == wizard_id:
            view.wizard_list.setCurrentItem(item)
            return
    raise AssertionError(f"no wizard {wizard_id}")


def leave_player(qtbot: QtBot, window: MainWindow) -> None:
    assert window.player is not None
    qtbot.keyClick(window.player, Qt.Key.Key_Escape)
    assert window.player is None
    qtbot.waitUntil(lambda: not window.operations.pending())


def stored_sessions() -> list[str]:
    return [s.id for s in Session.select(Session.id)]


def laptop_session_at_hardware(qtbot: QtBot, window: MainWindow) -> str:
    """Laptop Config started by Start, step 1 answered and saved with Next, left."""
    player = start(qtbot, window, "laptop-config")
    fill_laptop_basics(qtbot, player)
    press_next(qtbot, player)
    wait_saved(qtbot, window, progress=25)
    session_id = player.info.id
    leave_player(qtbot, window)
    return session_id


def test_after_a_restart_the_continue_list_resumes_at_the_same_step(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    assert not window.wizards_view.continue_section.isVisibleTo(window)  # nothing unfinished
    session_id = laptop_session_at_hardware(qtbot, window)
    close_window(qtbot, window)

    again = make_window(qtbot, data_dir)
    try:
        view = again.wizards_view
        assert again.tabs.currentWidget() is view
        assert view.continue_section.isVisible()
        name = sessions.get_session(session_id).name
        assert continue_rows(view) == [
            [name, "Laptop Config", "Hardware", "25 %", continue_rows(view)[0][4]]
        ]
        assert continue_rows(view)[0][4].startswith(
            str(sessions.get_session(session_id).updated_at.astimezone().year)
        )
        view.continue_list.setFocus()
        view.continue_list.setCurrentItem(view.continue_list.topLevelItem(0))
        qtbot.keyClick(view.continue_list, Qt.Key.Key_Return)
        player = again.player
        assert player is not None and player.info.id == session_id
        assert step_id(player) == "hardware"
        player.back()
        full_name = find(player, "field_full_name", QLineEdit)
        assert isinstance(full_name, QLineEdit) and full_name.text() == "Jane Doe"
    finally:
        close_window(qtbot, again)
        again.shutdown()
        close_database()


def test_continue_button_and_double_click_resume_the_selected_row(
    qtbot: QtBot, window: MainWindow
) -> None:
    first = laptop_session_at_hardware(qtbot, window)
    second = laptop_session_at_hardware(qtbot, window)
    view = window.wizards_view
    ids = [view.continue_list.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) for i in range(2)]
    assert ids == [second, first]  # most recently changed first

    view.continue_list.setCurrentItem(view.continue_list.topLevelItem(1))
    qtbot.mouseClick(find(window, "continueButton"), Qt.MouseButton.LeftButton)
    assert window.player is not None and window.player.info.id == first
    leave_player(qtbot, window)

    item = view.continue_list.topLevelItem(0)  # opening changed nothing: same order
    assert item.data(0, Qt.ItemDataRole.UserRole) == second
    rect = view.continue_list.visualItemRect(item)
    viewport = view.continue_list.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())  # as a hand does
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.player is not None and window.player.info.id == second


def test_the_continue_list_follows_stored_changes(qtbot: QtBot, window: MainWindow) -> None:
    session_id = laptop_session_at_hardware(qtbot, window)
    view = window.wizards_view
    window.operations.run(
        Call(
            "a new name",
            lambda: sessions.rename_session(session_id, "Laptop for Jane"),
            changes=lambda _: Change(sessions=(session_id,)),
        )
    )
    qtbot.waitUntil(lambda: continue_rows(view)[0][0] == "Laptop for Jane")
    window.operations.run(
        Call(
            "the deletion",
            lambda: sessions.delete_session(session_id),
            changes=lambda _: Change(sessions=(session_id,), deleted_sessions=(session_id,)),
        )
    )
    qtbot.waitUntil(lambda: not continue_rows(view))
    assert not view.continue_section.isVisible()


def test_an_unfinished_session_offers_resume_beside_start_new(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = window.wizards_view
    select_wizard(view, "laptop-config")
    assert not view.resume_latest_button.isVisible() and not view.unfinished_note.isVisible()
    assert view.start_button.text() == "Start" and view.start_button.isDefault()

    session_id = laptop_session_at_hardware(qtbot, window)
    name = sessions.get_session(session_id).name
    select_wizard(view, "employee-onboarding")
    assert not view.resume_latest_button.isVisible()  # that wizard has nothing unfinished
    select_wizard(view, "laptop-config")
    resume = find(window, "resumeLatestButton")
    assert resume.isVisible() and resume.isDefault() and not view.start_button.isDefault()
    assert view.start_button.text() == "Start &new"
    note = view.unfinished_note.text()
    assert f"“{name}” at Hardware (25 %)" in note and note.startswith("An unfinished session")

    qtbot.mouseClick(resume, Qt.MouseButton.LeftButton)  # no question asked
    assert window.player is not None and window.player.info.id == session_id
    assert step_id(window.player) == "hardware"
    leave_player(qtbot, window)

    player = start(qtbot, window, "laptop-config")  # Start new: a second session
    assert player.info.id != session_id
    fill_laptop_basics(qtbot, player)
    wait_saved(qtbot, window)
    leave_player(qtbot, window)
    assert len(stored_sessions()) == 2
    assert view.unfinished_note.text().startswith("Unfinished sessions of this wizard")


def test_enter_on_a_wizard_with_unfinished_work_resumes_it(
    qtbot: QtBot, window: MainWindow
) -> None:
    session_id = laptop_session_at_hardware(qtbot, window)
    view = window.wizards_view
    select_wizard(view, "laptop-config")
    view.wizard_list.setFocus()
    qtbot.keyClick(view.wizard_list, Qt.Key.Key_Return)
    assert window.player is not None and window.player.info.id == session_id
    assert stored_sessions() == [session_id]


def test_a_session_left_unanswered_is_not_kept(qtbot: QtBot, window: MainWindow) -> None:
    start(qtbot, window, "laptop-config")
    leave_player(qtbot, window)
    assert stored_sessions() == []
    assert continue_rows(window.wizards_view) == []
    window.tabs.setCurrentWidget(window.sessions_view)
    assert window.sessions_view.model.rowCount() == 0


def test_a_typed_answer_keeps_the_session_even_before_any_next(
    qtbot: QtBot, window: MainWindow
) -> None:
    player = start(qtbot, window, "laptop-config")
    session_id = player.info.id
    find(player, "field_full_name").setFocus()
    qtbot.keyClicks(find(player, "field_full_name"), "Ann")
    leave_player(qtbot, window)  # the draft is queued before the check
    assert stored_sessions() == [session_id]
    rows: list[SessionRow] = fetch_page(SessionListQuery())
    assert [(r.id, r.progress_percentage) for r in rows] == [(session_id, 0.0)]


def test_opening_another_session_or_closing_the_window_drops_an_unanswered_one(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    kept = laptop_session_at_hardware(qtbot, window)
    start(qtbot, window, "employee-onboarding")
    window.open_session(kept)  # e.g. from the Sessions tab while the player is open
    qtbot.waitUntil(lambda: not window.operations.pending())
    assert stored_sessions() == [kept]

    leave_player(qtbot, window)
    start(qtbot, window, "field-showcase")
    close_window(qtbot, window)  # the player still open, nothing typed
    again = make_window(qtbot, data_dir)
    try:
        assert stored_sessions() == [kept]
        assert [row[0] for row in continue_rows(again.wizards_view)] == [
            sessions.get_session(kept).name
        ]
    finally:
        close_window(qtbot, again)
        again.shutdown()
        close_database()


def test_discard_if_unanswered_keeps_answered_completed_and_missing_sessions(
    window: MainWindow,
) -> None:
    untouched = sessions.start_session("laptop-config").id
    answered = sessions.start_session("laptop-config").id
    sessions.save_draft(answered, {"full_name": "Ann"})
    cleared = sessions.start_session("laptop-config").id
    sessions.save_draft(cleared, {"full_name": None})  # typed, then emptied: no answer
    prefilled = sessions.start_session("laptop-config", prefill={"full_name": "Bo"}).id

    assert sessions.discard_if_unanswered(untouched)
    assert not sessions.discard_if_unanswered(untouched)  # gone already: nothing happens
    assert not sessions.discard_if_unanswered(answered)
    assert sessions.discard_if_unanswered(cleared)
    assert not sessions.discard_if_unanswered(prefilled)
    assert sorted(stored_sessions()) == sorted([answered, prefilled])


def test_the_details_note_elides_a_long_name_and_its_tooltip_has_it_whole(
    qtbot: QtBot, window: MainWindow
) -> None:
    long = "A very long session name that goes on about the new laptop for the design team"
    session_id = sessions.start_session("laptop-config", long).id
    sessions.save_draft(session_id, {"full_name": "Ann"})
    view = window.wizards_view
    view.reload(select_id="laptop-config")
    assert long not in view.unfinished_note.text() and "…" in view.unfinished_note.text()
    assert view.unfinished_note.toolTip() == long
    assert continue_rows(view)[0][0] == long  # the list elides it when drawn, in the middle
    assert view.continue_list.textElideMode() == Qt.TextElideMode.ElideMiddle
