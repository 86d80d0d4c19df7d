"""The wizard player driven through real widgets offscreen, on real SQLite files:
full runs of the bundled wizards by keyboard and mouse, progress, Back, resume after
closing the window, read-only completed sessions and completion that happens once."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QRadioButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import (
    BACK,
    FINISH,
    NEXT,
    click,
    close_window,
    fill_laptop_basics,
    find,
    finish,
    make_window,
    press_next,
    start,
    step_id,
    type_into,
    wait_saved,
)
from tests.sqlite_lock import write_lock_held_by_another_process
from tests.wizard_files import import_text
from wizard_desktop.core.sessions import (
    complete_session,
    get_session,
    list_sessions,
    load_session,
    save_draft,
    save_step,
    start_session,
)
from wizard_desktop.core.wizards import list_wizards
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.editors import DateLineEdit
from wizard_desktop.ui.main_window import MainWindow


def test_laptop_config_full_run_by_mouse_and_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    player = start(qtbot, window, "laptop-config")
    session_id = player.info.id
    assert step_id(player) == "basics"
    assert not player.button(NEXT).isEnabled(), "Next must wait for the required fields"

    fill_laptop_basics(qtbot, player)
    assert player.button(NEXT).isEnabled()
    press_next(qtbot, player, keyboard=True)
    assert step_id(player) == "hardware"
    wait_saved(qtbot, window, 25)
    assert get_session(session_id).progress_percentage == 25.0

    storage = find(player, "field_storage_gb", QDoubleSpinBox)
    assert isinstance(storage, QDoubleSpinBox) and storage.suffix() == " GB"
    assert storage.decimals() == 0
    click(qtbot, player, "field_model_workstation-16")
    press_next(qtbot, player)
    wait_saved(qtbot, window, 50)

    click(qtbot, player, "field_operating_system_linux")
    click(qtbot, player, "field_applications_ide")
    press_next(qtbot, player)
    wait_saved(qtbot, window, 75)
    assert get_session(session_id).progress_percentage == 75.0

    assert step_id(player) == "delivery"
    assert player.button(NEXT).isVisible() and not player.button(FINISH).isVisible()
    type_into(qtbot, player, "delivery_address", "1 Main Street, Springfield")
    type_into(qtbot, player, "delivery_date", "2025-03-04")
    click(qtbot, player, "field_express")
    finish(qtbot, player)

    status = find(player, "completionStatus")
    qtbot.waitUntil(lambda: "completed and saved" in status.text())
    assert player.isVisible() and player.currentPage() is player.completion_page
    info = get_session(session_id)
    assert info.status == "completed" and info.progress_percentage == 100.0
    assert find(player, "progressBar", QProgressBar).value() == 100  # type: ignore[attr-defined]
    answers = load_session(session_id).answers
    assert answers["model"] == "workstation-16"
    assert answers["applications"] == ["office", "ide", "vpn", "chat"]
    assert answers["delivery_date"] == "2025-03-04"
    assert answers["express"] is True
    assert answers["storage_gb"] == 512
    summary = find(player, "answerSummary")
    texts = [summary.topLevelItem(i).text(1) for i in range(summary.topLevelItemCount())]  # type: ignore[attr-defined]
    assert 'Workstation 16"' in texts and "Yes" in texts
    assert "Time spent" in find(player, "completionTimes").text()  # type: ignore[attr-defined]
    counts = {w.id: w.completed_count for w in list_wizards()}
    assert counts["laptop-config"] == 1
    shown = window.wizards_view.wizard_list.findItems("Laptop Config", Qt.MatchFlag.MatchExactly)
    assert shown[0].text(2) == "1", "the wizard list refreshes its completed count"


def test_validation_messages_come_from_answer_rules(qtbot: QtBot, window: MainWindow) -> None:
    player = start(qtbot, window, "field-showcase")
    type_into(qtbot, player, "nickname", "x")
    error = find(player, "error_nickname")
    assert error.isVisible() and error.text() == "Enter at least 2 characters."
    assert not player.button(NEXT).isEnabled()
    type_into(qtbot, player, "postcode", "12")
    assert find(player, "error_postcode").text() == "This value does not have the expected format."
    type_into(qtbot, player, "nickname", "Sam")
    assert not find(player, "error_nickname").isVisible()
    type_into(qtbot, player, "postcode", "1234 AB")
    assert player.button(NEXT).isEnabled()
    nickname = find(player, "field_nickname")
    assert nickname.accessibleName() == "Nickname"
    assert nickname.toolTip() == "Between 2 and 20 characters."
    assert find(player, "hint_nickname").isVisible()
    press_next(qtbot, player)

    budget = find(player, "field_budget", QDoubleSpinBox)
    assert isinstance(budget, QDoubleSpinBox)
    budget.setValue(200000)
    assert find(player, "error_budget").text() == "Enter a number of at most 100000.00."
    assert not player.button(NEXT).isEnabled()
    budget.setValue(99.5)
    find(player, "field_team_size", QDoubleSpinBox).setValue(30)  # type: ignore[attr-defined]
    press_next(qtbot, player)

    genres = find(player, "field_music_genres")
    assert genres.isVisible(), "shown because Music is among the default interests"
    click(qtbot, player, "field_interests_music")
    assert not genres.isVisible(), "hidden live when its condition turns false"
    for value in ("sport", "reading", "cooking"):
        click(qtbot, player, f"field_interests_{value}")
    assert find(player, "error_interests").text() == "Select at most 3 options."
    click(qtbot, player, "field_interests_cooking")
    press_next(qtbot, player)

    assert not player.button(NEXT).isEnabled()
    click(qtbot, player, "field_terms")
    press_next(qtbot, player)
    assert step_id(player) == "grids"
    press_next(qtbot, player)
    assert step_id(player) == "large-team", "team size 30 puts the conditional step on the path"
    assert player.button(NEXT).isVisible(), "Next leads to the review page"


def onboarding_progress(qtbot: QtBot, window: MainWindow, contract: str) -> list[float]:
    """Play the onboarding wizard; return the stored progress after each Next, on the
    review page and after Finish. Checks on the way that the progress bar is always
    the side panel's path and that only an answer that changes the path says so."""
    player = start(qtbot, window, "employee-onboarding")
    session_id = player.info.id
    stored: list[float] = []
    note = find(player, "progressNote")
    bar = find(player, "progressBar", QProgressBar)
    step_list = find(player, "stepList")

    def shown_path_matches_bar() -> None:
        rows = [step_list.item(i).text() for i in range(step_list.count())]  # type: ignore[attr-defined]
        steps = [row for row in rows if row != "▶  Review"]
        on_path = len(steps)
        done = sum(row.startswith("✓") for row in steps)
        assert bar.value() == round(100 * done / on_path)  # type: ignore[attr-defined]

    def next_step(expected_step: str) -> None:
        assert step_id(player) == expected_step
        press_next(qtbot, player)
        wait_saved(qtbot, window)
        stored.append(get_session(session_id).progress_percentage)
        shown_path_matches_bar()
        assert not note.isVisible(), "a normal Next says nothing about the path"

    type_into(qtbot, player, "employee_name", "Ada Lovelace")
    type_into(qtbot, player, "job_title", "Analyst")
    type_into(qtbot, player, "start_date", "2025-05-01")
    assert step_list.count() == 7  # type: ignore[attr-defined]
    next_step("employee")
    click(qtbot, player, f"field_contract_type_{contract}")
    if contract == "contractor":
        assert note.isVisible()
        assert note.text() == "Your answer skips Equipment and Onboarding buddy: 5 steps now."  # type: ignore[attr-defined]
        assert step_list.count() == 5  # type: ignore[attr-defined]
    else:
        assert not note.isVisible(), "the path stays as it was"
    shown_path_matches_bar()
    end_date = find(player, "field_end_date")
    assert end_date.isVisible() == (contract != "permanent")
    if contract != "permanent":
        type_into(qtbot, player, "end_date", "2026-04-30")
    next_step("contract")
    click(qtbot, player, "field_work_location_remote")
    assert not find(player, "field_desk_preferences").isVisible()
    next_step("workplace")
    if contract != "contractor":
        assert find(player, "field_home_office_budget").isVisible()
        next_step("equipment")
    click(qtbot, player, "field_admin_rights")
    assert not player.button(NEXT).isEnabled(), "the justification appears and is required"
    type_into(qtbot, player, "admin_justification", "Builds native software daily.")
    next_step("accounts")
    if contract != "contractor":
        type_into(qtbot, player, "buddy_name", "Grace")
        next_step("buddy")
    assert step_id(player) == "confirmation"
    click(qtbot, player, "field_confirmed")
    next_step("confirmation")
    assert player.currentPage() is player.review_page
    qtbot.mouseClick(player.button(FINISH), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: get_session(session_id).status == "completed")
    stored.append(get_session(session_id).progress_percentage)
    # the bar follows the stored completion on the UI thread, a moment after it
    qtbot.waitUntil(lambda: bar.value() == 100)  # type: ignore[attr-defined]
    return stored


def test_onboarding_progress_follows_the_path_of_an_employee(
    qtbot: QtBot, window: MainWindow
) -> None:
    # The path reads the default weekly hours (40) before the contract step is
    # answered, so the buddy step is on it from the start: 1/7, 2/7, ... The review
    # page keeps 6/7; Finish stores 100.
    assert onboarding_progress(qtbot, window, "permanent") == [
        14.29,
        28.57,
        42.86,
        57.14,
        71.43,
        85.71,
        85.71,
        100.0,
    ]


def test_onboarding_progress_follows_the_path_of_a_contractor(
    qtbot: QtBot, window: MainWindow
) -> None:
    # Contractors skip equipment and buddy: 5 steps once the contract is known.
    assert onboarding_progress(qtbot, window, "contractor") == [
        14.29,
        40.0,
        60.0,
        80.0,
        80.0,
        100.0,
    ]


def test_back_keeps_answers_and_progress(qtbot: QtBot, window: MainWindow) -> None:
    player = start(qtbot, window, "laptop-config")
    fill_laptop_basics(qtbot, player)
    press_next(qtbot, player)
    click(qtbot, player, "field_memory_gb_64")
    press_next(qtbot, player)
    wait_saved(qtbot, window, 50)

    qtbot.mouseClick(player.button(BACK), Qt.MouseButton.LeftButton)
    assert step_id(player) == "hardware"
    assert find(player, "field_memory_gb_64", QRadioButton).isChecked()  # type: ignore[attr-defined]
    qtbot.keyClick(player, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert step_id(player) == "basics"
    assert find(player, "field_full_name", QLineEdit).text() == "Jane Doe"  # type: ignore[attr-defined]
    wait_saved(qtbot, window, 50)
    assert get_session(player.info.id).progress_percentage == 50.0

    step_list = find(player, "stepList")
    hardware = step_list.findItems("✓  Hardware", Qt.MatchFlag.MatchExactly)  # type: ignore[attr-defined]
    assert hardware, "the done step is marked in the side panel"
    step_list.itemClicked.emit(hardware[0])  # type: ignore[attr-defined]
    assert step_id(player) == "hardware"
    assert find(player, "field_memory_gb_64", QRadioButton).isChecked()  # type: ignore[attr-defined]


def test_closing_mid_run_resumes_at_the_same_step_with_drafts(qtbot: QtBot, data_dir: Path) -> None:
    window = make_window(qtbot, data_dir)
    player = start(qtbot, window, "laptop-config")
    session_id = player.info.id
    fill_laptop_basics(qtbot, player)
    press_next(qtbot, player)
    click(qtbot, player, "field_memory_gb_32")
    press_next(qtbot, player)
    click(qtbot, player, "field_operating_system_macos")
    type_into(qtbot, player, "software_notes", "A draft, never saved with Next")
    close_window(qtbot, window)  # the pending draft is flushed before the window closes

    window = make_window(qtbot, data_dir)
    player = window.open_session(session_id)
    assert step_id(player) == "software"
    assert find(player, "field_operating_system_macos", QRadioButton).isChecked()  # type: ignore[attr-defined]
    notes = find(player, "field_software_notes", QPlainTextEdit)
    assert notes.toPlainText() == "A draft, never saved with Next"  # type: ignore[attr-defined]
    assert find(player, "progressBar", QProgressBar).value() == 50  # type: ignore[attr-defined]
    step_list = find(player, "stepList")
    marks = [step_list.item(i).text() for i in range(step_list.count())]  # type: ignore[attr-defined]
    assert marks == ["✓  Basics", "✓  Hardware", "▶  Software", "○  Delivery"]
    qtbot.mouseClick(player.button(BACK), Qt.MouseButton.LeftButton)
    assert find(player, "field_memory_gb_32", QRadioButton).isChecked()  # type: ignore[attr-defined]
    close_window(qtbot, window)


def test_esc_leaves_the_player_and_the_session_resumes(qtbot: QtBot, window: MainWindow) -> None:
    player = start(qtbot, window, "laptop-config")
    session_id = player.info.id
    type_into(qtbot, player, "full_name", "Jane")
    qtbot.keyClick(find(player, "field_full_name"), Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is window.tabs
    qtbot.waitUntil(lambda: not window.controller.has_unsaved())
    assert load_session(session_id).answers == {"full_name": "Jane"}


def test_completed_session_is_read_only_and_completes_once(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    player = start(qtbot, window, "field-showcase")
    session_id = player.info.id
    type_into(qtbot, player, "nickname", "Sam")
    press_next(qtbot, player)
    press_next(qtbot, player)
    press_next(qtbot, player)
    click(qtbot, player, "field_terms")
    press_next(qtbot, player)  # the grids step: nothing required
    finish(qtbot, player)
    window.controller.complete("grids", {})  # a second Finish is ignored
    qtbot.waitUntil(lambda: "completed and saved" in find(player, "completionStatus").text())
    qtbot.waitUntil(lambda: not window.controller.has_unsaved())

    window.show_main_views()
    player = window.open_session(session_id)
    assert player.currentPage() is player.completion_page
    assert not player.button(NEXT).isVisible() and not player.button(FINISH).isVisible()
    step_list = find(player, "stepList")
    step_list.itemClicked.emit(step_list.item(0))  # type: ignore[attr-defined]
    assert step_id(player) == "text-fields"
    assert not find(player, "field_nickname").isEnabled()
    assert not player.button(NEXT).isVisible() and not player.button(FINISH).isVisible()

    completed = [s for s in list_sessions(status="completed") if s.id == session_id]
    assert len(completed) == 1
    counts = {w.id: w.completed_count for w in list_wizards()}
    assert counts["field-showcase"] == 1


def test_retried_completion_after_a_lost_acknowledgement_counts_once(
    qtbot: QtBot, window: MainWindow
) -> None:
    player = start(qtbot, window, "field-showcase")
    type_into(qtbot, player, "nickname", "Sam")
    for _ in range(3):
        press_next(qtbot, player)
    click(qtbot, player, "field_terms")
    press_next(qtbot, player)  # the grids step: nothing required
    finish(qtbot, player)
    qtbot.waitUntil(lambda: "completed and saved" in find(player, "completionStatus").text())
    # The same completion sent again (as after a lost acknowledgement) is a success
    # that changes nothing.
    with qtbot.waitSignal(window.controller.completed) as blocker:
        window.controller.complete("grids", {})
    assert blocker.args[0].status == "completed"
    counts = {w.id: w.completed_count for w in list_wizards()}
    assert counts["field-showcase"] == 1


def test_rename_and_save_as_template_and_export(
    qtbot: QtBot,
    window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_modal_dialogs: list[str],
) -> None:
    player = start(qtbot, window, "field-showcase")
    name_edit = find(player, "sessionNameEdit", QLineEdit)
    assert isinstance(name_edit, QLineEdit)
    name_edit.setText("Showcase run")
    name_edit.editingFinished.emit()
    type_into(qtbot, player, "nickname", "Sam")
    for _ in range(3):
        press_next(qtbot, player)
    click(qtbot, player, "field_terms")
    press_next(qtbot, player)  # the grids step: nothing required
    finish(qtbot, player)
    qtbot.waitUntil(lambda: find(player, "saveAsTemplateButton").isVisible())
    assert get_session(player.info.id).name == "Showcase run"

    prompts: list[str] = []
    monkeypatch.setattr(
        dialogs,
        "ask_name",
        lambda _parent, prompt, _name, **_: prompts.append(prompt) or "My showcase",
    )
    click(qtbot, player, "saveAsTemplateButton")
    qtbot.waitUntil(lambda: "Saved the template “My showcase”." in no_modal_dialogs)
    # The question says what the template keeps and what it never keeps.
    assert len(prompts) == 1 and prompts[0].startswith("The template keeps")
    left_out = prompts[0].split("Left out:", 1)[1]
    assert "I agree to the terms and conditions" in left_out
    assert prompts[0].endswith(dialogs.TEMPLATE_NAME_PROMPT)

    target = tmp_path / "run.csv"
    monkeypatch.setattr(dialogs, "ask_save_path", lambda _parent, _title, _name, _filters: target)
    click(qtbot, player, "exportButton")
    qtbot.waitUntil(lambda: f"Exported the session to {target}." in no_modal_dialogs)
    assert target.read_text(encoding="utf-8").startswith("session_id,session_name")
    assert "nickname" in target.read_text(encoding="utf-8")


def test_field_editors_match_their_types(qtbot: QtBot, window: MainWindow) -> None:
    player = start(qtbot, window, "field-showcase")
    expected_by_step = {  # a step's editors exist once it is shown
        "text-fields": {"nickname": QLineEdit, "bio": QPlainTextEdit},
        "numbers": {"team_size": QDoubleSpinBox, "budget": QDoubleSpinBox},
        "choices": {"favourite_colour_Green": QRadioButton, "interests_music": QCheckBox},
        "dates-and-consent": {"event_date": DateLineEdit, "terms": QCheckBox},
    }
    type_into(qtbot, player, "nickname", "Sam")
    for number, (step, expected) in enumerate(expected_by_step.items()):
        if number:
            press_next(qtbot, player)
        assert step_id(player) == step
        for field_id, kind in expected.items():
            assert isinstance(player.findChild(QWidget, f"field_{field_id}"), kind), field_id


def test_laptop_config_by_keyboard_only(qtbot: QtBot, window: MainWindow) -> None:
    player = start(qtbot, window, "laptop-config")
    session_id = player.info.id

    def keys(*sequence: Qt.Key | str) -> None:
        for key in sequence:
            target = player.focusWidget()
            assert target is not None
            if isinstance(key, str):
                qtbot.keyClicks(target, key)
            else:
                qtbot.keyClick(target, key)

    assert player.focusWidget() is find(player, "field_full_name"), (
        "focus starts on the first field"
    )
    keys("Jane Doe", Qt.Key.Key_Tab, "jane@example.com", Qt.Key.Key_Tab, Qt.Key.Key_Space)
    assert find(player, "field_department_Engineering", QRadioButton).isChecked()  # type: ignore[attr-defined]
    keys(Qt.Key.Key_Return)
    assert step_id(player) == "hardware"
    keys(Qt.Key.Key_Return)  # the defaults are valid
    keys(Qt.Key.Key_Space, Qt.Key.Key_Return)  # the first operating system
    assert step_id(player) == "delivery"
    keys("1 Main Street, Springfield")
    qtbot.keyClick(player, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert step_id(player) == "software"
    qtbot.keyClick(player, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert step_id(player) == "delivery"
    assert find(player, "field_delivery_address", QPlainTextEdit).toPlainText()  # type: ignore[attr-defined]
    player.focusNextChild()  # Tab out of the address, as Tab does in a multi-line field
    keys("2025-03-04", Qt.Key.Key_Return)  # the date is typed, as into any text field
    assert player.currentPage() is player.review_page
    assert player.focusWidget() is player.button(FINISH)
    keys(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: get_session(session_id).status == "completed")
    assert load_session(session_id).answers["operating_system"] == "windows"
    assert load_session(session_id).answers["delivery_date"] == "2025-03-04"
    qtbot.keyClick(player, Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is window.tabs


def long_wizard(step_count: int) -> str:
    """A wizard file of `step_count` steps, each a required name and a note with a default."""
    steps = "".join(
        f"""\
  - id: s{n}
    title: Step {n}
    fields:
      - {{id: name{n}, type: text, label: Name {n}, required: true}}
      - {{id: note{n}, type: text, label: Note {n}, default: note {n}}}
"""
        for n in range(1, step_count + 1)
    )
    return f"format_version: 1\nid: long\ntitle: Long\nsteps:\n{steps}"


def editor_exists(player: QWidget, field_id: str) -> bool:
    return player.findChild(QWidget, f"field_{field_id}") is not None


def test_a_resumed_wizard_has_editors_only_for_the_step_it_shows(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    last = 12
    wizard_id = import_text(tmp_path, long_wizard(last))
    session_id = start_session(wizard_id).id
    for n in range(1, last):
        save_step(session_id, f"s{n}", {f"name{n}": f"Name {n}", f"note{n}": f"Note {n}"})

    player = window.open_session(session_id)
    assert step_id(player) == f"s{last}"
    qtbot.wait(10)  # the event loop is free: nothing is built ahead of the last step
    assert [n for n in range(1, last + 1) if editor_exists(player, f"name{n}")] == [last]
    assert player.focusWidget() is find(player, f"field_name{last}")
    note = find(player, f"field_note{last}", QLineEdit)
    assert note.text() == f"note {last}"  # type: ignore[attr-defined]

    qtbot.mouseClick(player.button(BACK), Qt.MouseButton.LeftButton)
    assert step_id(player) == f"s{last - 1}"
    name = find(player, f"field_name{last - 1}", QLineEdit)
    assert name.text() == f"Name {last - 1}"  # type: ignore[attr-defined]
    step_list = find(player, "stepList")
    step_list.itemClicked.emit(step_list.item(2))  # type: ignore[attr-defined]
    assert step_id(player) == "s3", "the side panel goes back to a step walked through"
    assert find(player, "field_name3", QLineEdit).text() == "Name 3"  # type: ignore[attr-defined]
    assert find(player, "field_note3", QLineEdit).text() == "Note 3"  # type: ignore[attr-defined]
    press_next(qtbot, player)
    assert step_id(player) == "s4"
    wait_saved(qtbot, window)
    assert load_session(session_id).answers["name3"] == "Name 3"
    assert get_session(session_id).current_step_id == "s4"


def test_a_step_has_its_editors_once_shown_and_the_next_one_is_built_ahead(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    player = start(qtbot, window, "field-showcase")
    assert step_id(player) == "text-fields"
    assert editor_exists(player, "nickname")
    qtbot.waitUntil(lambda: editor_exists(player, "team_size"))  # the page Next leads to
    assert not editor_exists(player, "favourite_colour")
    assert not editor_exists(player, "event_date")

    type_into(qtbot, player, "nickname", "Sam")
    press_next(qtbot, player)
    assert step_id(player) == "numbers"
    qtbot.waitUntil(lambda: editor_exists(player, "favourite_colour"))
    assert not editor_exists(player, "event_date")

    wait_saved(qtbot, window)
    with write_lock_held_by_another_process(data_dir):
        press_next(qtbot, player)
        assert step_id(player) == "choices"
        qtbot.wait(200)
        assert not editor_exists(player, "event_date"), "built once the step left is stored"
    wait_saved(qtbot, window)
    qtbot.waitUntil(lambda: editor_exists(player, "event_date"))


def test_a_reviewed_session_has_editors_for_the_steps_opened_from_the_side_panel(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, long_wizard(3))
    session_id = start_session(wizard_id).id
    save_step(session_id, "s1", {"name1": "Ann"})
    save_step(session_id, "s2", {"name2": "Bob"})
    complete_session(session_id, "s3", {"name3": "Cy"})

    player = window.open_session(session_id)
    assert player.currentPage() is player.completion_page
    assert not any(editor_exists(player, f"name{n}") for n in (1, 2, 3))
    step_list = find(player, "stepList")
    step_list.itemClicked.emit(step_list.item(1))  # type: ignore[attr-defined]
    assert step_id(player) == "s2"
    name = find(player, "field_name2", QLineEdit)
    assert name.text() == "Bob" and not name.isEnabled()


def test_resume_stops_at_the_first_step_whose_stored_answers_are_incomplete(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, long_wizard(6))
    session_id = start_session(wizard_id).id
    for n in range(1, 6):
        save_step(session_id, f"s{n}", {f"name{n}": f"Name {n}"})
    save_draft(session_id, {"name2": None}, "s6")  # a required answer cleared later on

    player = window.open_session(session_id)
    assert step_id(player) == "s2"
    assert not player.button(NEXT).isEnabled()
    assert find(player, "field_name2", QLineEdit).text() == ""  # type: ignore[attr-defined]
    type_into(qtbot, player, "name2", "Again")
    press_next(qtbot, player)
    assert step_id(player) == "s3"
    assert find(player, "field_name3", QLineEdit).text() == "Name 3"  # type: ignore[attr-defined]


def clear_by_keyboard(qtbot: QtBot, editor: QWidget) -> None:
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(editor, Qt.Key.Key_Delete)


def test_a_cleared_default_stays_cleared_after_resume(qtbot: QtBot, data_dir: Path) -> None:
    window = make_window(qtbot, data_dir)
    player = start(qtbot, window, "field-showcase")
    session_id = player.info.id
    type_into(qtbot, player, "nickname", "Sam")
    bio = find(player, "field_bio", QPlainTextEdit)
    assert bio.toPlainText() == "I enjoy well-designed forms."  # type: ignore[attr-defined]
    clear_by_keyboard(qtbot, bio)
    press_next(qtbot, player)  # stored with Next
    assert step_id(player) == "numbers"
    qtbot.keyClick(find(player, "field_team_size"), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.controller.has_unsaved())

    player = window.open_session(session_id)
    assert step_id(player) == "numbers"
    qtbot.mouseClick(player.button(BACK), Qt.MouseButton.LeftButton)
    bio = find(player, "field_bio", QPlainTextEdit)
    assert bio.toPlainText() == ""  # type: ignore[attr-defined]
    qtbot.keyClicks(bio, "Forms")
    clear_by_keyboard(qtbot, bio)  # cleared again, as a draft only
    close_window(qtbot, window)  # the pending draft is flushed before the window closes

    window = make_window(qtbot, data_dir)
    player = window.open_session(session_id)
    assert step_id(player) == "text-fields"
    assert find(player, "field_bio", QPlainTextEdit).toPlainText() == ""  # type: ignore[attr-defined]
    assert player.button(NEXT).isEnabled(), "an optional field may stay empty"
    assert "bio" not in load_session(session_id).answers
    close_window(qtbot, window)
