"""The review page and what goes with stepping through a wizard, through real widgets
on real SQLite files: the review before Finish (answers as a person reads them, Edit
and back, 75 % until Finish stores 100 %, `review: false`, resume), the path-change
note and the progress denominator, the keyboard (Enter on a pre-filled page, Next as
the default button, Alt+Right, Alt+I, Esc with its message) and the template banner."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import (
    BACK,
    FINISH,
    NEXT,
    click,
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
from tests.wizard_files import FOUR_STEPS, SKIPPING, import_text
from wizard_desktop.core.sessions import (
    complete_session,
    get_session,
    load_session,
    save_step,
    start_session,
)
from wizard_desktop.core.templates import save_as_template, start_from_template
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.player import WizardPlayer, path_change_note

LAPTOP_ANSWERS = {
    "basics": {"full_name": "Jane Doe", "email": "jane@example.com", "department": "Design"},
    "hardware": {"model": "workstation-16", "memory_gb": "32", "storage_gb": 1024},
    "software": {"operating_system": "linux", "applications": ["ide"]},
}


def progress(player: WizardPlayer) -> int:
    bar = find(player, "progressBar", QProgressBar)
    assert isinstance(bar, QProgressBar)
    return bar.value()


def review_text(player: WizardPlayer, field_id: str) -> str:
    label = find(player.review_page, f"review_{field_id}", QLabel)
    assert isinstance(label, QLabel) and label.isVisible(), field_id
    return label.text()


def laptop_at_the_last_step(qtbot: QtBot, window: MainWindow) -> WizardPlayer:
    player = start(qtbot, window, "laptop-config")
    fill_laptop_basics(qtbot, player)
    press_next(qtbot, player)
    click(qtbot, player, "field_model_workstation-16")
    press_next(qtbot, player)
    click(qtbot, player, "field_operating_system_linux")
    press_next(qtbot, player)
    assert step_id(player) == "delivery"
    type_into(qtbot, player, "delivery_address", "1 Main Street, Springfield")
    type_into(qtbot, player, "delivery_date", "2027-06-30")
    return player


def test_review_lists_the_answers_as_read_and_progress_waits_for_finish(
    qtbot: QtBot, window: MainWindow
) -> None:
    player = laptop_at_the_last_step(qtbot, window)
    session_id = player.info.id
    assert player.button(NEXT).isVisible() and not player.button(FINISH).isVisible()
    press_next(qtbot, player)

    assert player.currentPage() is player.review_page
    assert player.currentPage().objectName() == "reviewPage"
    wait_saved(qtbot, window)
    assert progress(player) == 75, "the last step is completed by Finish, not by Next"
    info = get_session(session_id)
    assert info.status == "in_progress" and info.progress_percentage == 75.0
    assert info.current_step_id == "delivery"
    assert load_session(session_id).answers["delivery_address"] == "1 Main Street, Springfield"

    assert review_text(player, "model") == 'Workstation 16"'  # the option's label
    assert review_text(player, "storage_gb") == "512 GB"  # the unit
    assert review_text(player, "applications") == "Office suite, VPN client, Team chat"
    assert review_text(player, "delivery_date") == QLocale().toString(
        QDate(2027, 6, 30), QLocale.FormatType.ShortFormat
    )
    # never ticked: a box always has an answer, stored as false, so the review says No
    assert review_text(player, "express") == "No"
    assert load_session(session_id).answers["express"] is False
    assert review_text(player, "software_notes") == "—"
    for step in ("basics", "hardware", "software", "delivery"):
        assert find(player.review_page, f"editStep_{step}", QPushButton).isVisible()
    assert player.button(FINISH).isVisible() and player.button(FINISH).isEnabled()
    assert not player.button(NEXT).isVisible()

    qtbot.mouseClick(player.button(FINISH), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "completed and saved" in find(player, "completionStatus").text())  # type: ignore[attr-defined]
    info = get_session(session_id)
    assert info.status == "completed" and info.progress_percentage == 100.0
    assert progress(player) == 100


def test_edit_jumps_to_the_step_and_next_returns_to_the_review(
    qtbot: QtBot, window: MainWindow
) -> None:
    player = laptop_at_the_last_step(qtbot, window)
    session_id = player.info.id
    press_next(qtbot, player)
    assert review_text(player, "memory_gb") == "16 GB"

    click(qtbot, player, "editStep_hardware")
    assert step_id(player) == "hardware"
    click(qtbot, player, "field_memory_gb_64")
    press_next(qtbot, player)
    qtbot.waitUntil(lambda: player.currentPage() is player.review_page)
    assert review_text(player, "memory_gb") == "64 GB"
    assert review_text(player, "delivery_address") == "1 Main Street, Springfield"
    wait_saved(qtbot, window)
    assert progress(player) == 75
    assert get_session(session_id).status == "in_progress"

    step_list = find(player, "stepList")
    basics = step_list.findItems("✓  Basics", Qt.MatchFlag.MatchExactly)  # type: ignore[attr-defined]
    step_list.itemClicked.emit(basics[0])  # type: ignore[attr-defined]
    assert step_id(player) == "basics", "the side panel edits a step as Edit does"
    press_next(qtbot, player)
    qtbot.waitUntil(lambda: player.currentPage() is player.review_page)

    qtbot.mouseClick(player.button(BACK), Qt.MouseButton.LeftButton)
    assert step_id(player) == "delivery", "Back from the review is the last step"
    finish(qtbot, player)
    qtbot.waitUntil(lambda: get_session(session_id).status == "completed")
    assert load_session(session_id).answers["memory_gb"] == "64"


def test_an_edit_that_adds_a_step_stops_there_on_the_way_back(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, SKIPPING)
    session_id = start_session(wizard_id).id
    save_step(session_id, "start", {"kind": "simple"})
    player = window.open_session(session_id)
    assert step_id(player) == "end"
    press_next(qtbot, player)
    assert player.currentPage() is player.review_page

    click(qtbot, player, "editStep_start")
    click(qtbot, player, "field_kind_complex")
    press_next(qtbot, player)
    qtbot.wait(20)  # the walk back to the review runs from the event loop
    assert step_id(player) == "extra", "a step the edit put on the path is shown"
    type_into(qtbot, player, "detail", "More")
    press_next(qtbot, player)
    qtbot.waitUntil(lambda: player.currentPage() is player.review_page)
    assert review_text(player, "detail") == "More"
    qtbot.mouseClick(player.button(FINISH), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: get_session(session_id).status == "completed")
    assert get_session(session_id).completed_step_ids == ("start", "extra", "end")


def test_review_false_keeps_finish_on_the_last_step(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, FOUR_STEPS.replace("steps:\n", "review: false\nsteps:\n", 1))
    session_id = start_session(wizard_id).id
    save_step(session_id, "one", {"name": "Ann"})
    save_step(session_id, "two", {"size": "small"})
    save_step(session_id, "three", {})
    player = window.open_session(session_id)
    assert step_id(player) == "four"
    assert progress(player) == 75
    click(qtbot, player, "field_agree")
    assert player.button(FINISH).isVisible() and not player.button(NEXT).isVisible()
    assert player.button(FINISH).isDefault()
    qtbot.keyClick(player, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: get_session(session_id).status == "completed")
    assert player.currentPage() is player.completion_page


def test_a_session_left_on_the_review_resumes_on_its_last_step(
    qtbot: QtBot, data_dir: Path
) -> None:
    window = make_window(qtbot, data_dir)
    player = laptop_at_the_last_step(qtbot, window)
    session_id = player.info.id
    press_next(qtbot, player)
    assert player.currentPage() is player.review_page
    window.close()

    window = make_window(qtbot, data_dir)
    player = window.open_session(session_id)
    assert step_id(player) == "delivery", "not completed: the last step is the current one"
    assert progress(player) == 75
    address = find(player, "field_delivery_address")
    assert address.toPlainText() == "1 Main Street, Springfield"  # type: ignore[attr-defined]
    press_next(qtbot, player)
    assert player.currentPage() is player.review_page
    window.close()


def test_path_change_notes_in_both_directions_and_none_on_a_plain_next(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, SKIPPING)
    player = window.open_session(start_session(wizard_id).id)
    note = find(player, "progressNote")
    step_list = find(player, "stepList")
    assert step_list.count() == 2  # type: ignore[attr-defined]

    click(qtbot, player, "field_kind_complex")
    assert note.isVisible() and note.text() == "Your answer adds Extra: 3 steps now."  # type: ignore[attr-defined]
    assert step_list.count() == 3  # type: ignore[attr-defined]
    click(qtbot, player, "field_kind_simple")
    assert note.text() == "Your answer skips Extra: 2 steps now."  # type: ignore[attr-defined]
    assert step_list.count() == 2  # type: ignore[attr-defined]
    click(qtbot, player, "field_kind_complex")
    press_next(qtbot, player)
    wait_saved(qtbot, window)
    assert not note.isVisible(), "the note goes with the page it was made on"
    assert progress(player) == 33 and get_session(player.info.id).progress_percentage == 33.33
    type_into(qtbot, player, "detail", "x")
    press_next(qtbot, player)
    wait_saved(qtbot, window, 67)
    assert not note.isVisible(), "a plain Next says nothing about the path"


def test_the_note_names_every_step_added_and_skipped() -> None:
    from wizard_desktop.definition.model import Step

    a, b, c, d = (Step(id=x, title=x.upper(), fields=()) for x in "abcd")
    assert path_change_note((a, b, c), (a,)) == "Your answer skips B and C: 1 step now."
    assert (
        path_change_note((a, b), (a, c, d)) == "Your answer adds C and D and skips B: 3 steps now."
    )


PATH_RULE = """\
format_version: 1
id: path-rule
title: Path rule
steps:
  - id: first
    title: First
    fields:
      - {id: name, type: text, label: Name, required: true}
  - id: second
    title: Second
    fields:
      - {id: plan, type: choice, label: Plan, options: [full, light], default: full}
      - {id: code, type: text, label: Code}
  - id: by_default
    title: By default
    visible_if: {field: plan, equals: full}
    fields:
      - {id: extra, type: text, label: Extra}
  - id: by_code
    title: By code
    visible_if: {field: code, answered: true}
    fields:
      - {id: more, type: text, label: More}
"""


def step_rows(player: WizardPlayer) -> list[str]:
    step_list = find(player, "stepList")
    return [step_list.item(i).text() for i in range(step_list.count())]  # type: ignore[attr-defined]


def test_a_condition_on_a_field_not_answered_yet_reads_its_default(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """The rule: a condition on a field of a step not reached yet reads the field's
    default until it is answered or cleared; without a default the field is
    unanswered (`answered: true` is false). The side panel, the progress bar and the
    stored progress agree on that path from the first step on."""
    wizard_id = import_text(tmp_path, PATH_RULE)
    session_id = start_session(wizard_id).id
    player = window.open_session(session_id)
    assert step_rows(player) == ["▶  First", "○  Second", "○  By default"]
    type_into(qtbot, player, "name", "Ann")
    press_next(qtbot, player)
    wait_saved(qtbot, window, 33)
    assert get_session(session_id).progress_percentage == 33.33  # 1 of the same 3
    assert not find(player, "progressNote").isVisible()

    type_into(qtbot, player, "code", "A1")
    assert step_rows(player) == ["✓  First", "▶  Second", "○  By default", "○  By code"]
    assert find(player, "progressNote").text() == "Your answer adds By code: 4 steps now."  # type: ignore[attr-defined]
    assert progress(player) == 25
    press_next(qtbot, player)
    wait_saved(qtbot, window, 50)
    assert get_session(session_id).progress_percentage == 50.0


def test_enter_goes_next_on_a_page_pre_filled_from_a_template(
    qtbot: QtBot, window: MainWindow
) -> None:
    source = start_session("laptop-config").id
    for step, answers in LAPTOP_ANSWERS.items():
        save_step(source, step, answers)
    complete_session(source, "delivery", {"delivery_address": "1 Main Street, Town"})
    template = save_as_template(source, "Standard laptop")
    started = start_from_template(template.id).session

    player = window.open_session(started.id)
    banner = find(player, "templateBanner")
    assert banner.isVisible() and banner.text() == "Pre-filled from template “Standard laptop”"  # type: ignore[attr-defined]
    assert step_id(player) == "basics"
    assert player.button(NEXT).isDefault(), "Next is the default button"
    qtbot.keyClick(player.focusWidget(), Qt.Key.Key_Return)
    assert step_id(player) == "hardware"
    qtbot.keyClick(player.focusWidget(), Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert step_id(player) == "software"
    press_next(qtbot, player)  # a mouse click: the focus passes through Next and on
    assert step_id(player) == "delivery" and player.button(NEXT).isDefault()


def test_no_banner_without_a_template_and_next_stays_the_default(
    qtbot: QtBot, window: MainWindow
) -> None:
    player = start(qtbot, window, "laptop-config")
    assert not find(player, "templateBanner").isVisible()
    assert not player.button(NEXT).isEnabled()
    assert player.button(NEXT).isDefault(), "also while the page is not complete"
    qtbot.keyClick(player.focusWidget(), Qt.Key.Key_Return)
    assert step_id(player) == "basics", "Enter waits for a valid page"


def test_alt_right_on_the_last_step_and_alt_i_finishes(qtbot: QtBot, window: MainWindow) -> None:
    player = laptop_at_the_last_step(qtbot, window)
    session_id = player.info.id
    qtbot.keyClick(player, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert player.currentPage() is player.review_page
    assert player.buttonText(FINISH) == "F&inish", "Alt+F is the File menu's"
    qtbot.keyClick(player, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: get_session(session_id).status == "completed")


def test_esc_leaves_and_says_the_answers_are_saved(qtbot: QtBot, window: MainWindow) -> None:
    player = start(qtbot, window, "laptop-config")
    type_into(qtbot, player, "full_name", "Jane")
    qtbot.keyClick(find(player, "field_full_name"), Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is window.tabs
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "Your answers are saved.")


def test_esc_says_what_still_waits_and_then_that_it_is_saved(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    player = start(qtbot, window, "laptop-config")
    wait_saved(qtbot, window)
    with write_lock_held_by_another_process(data_dir):
        type_into(qtbot, player, "full_name", "Jane")
        qtbot.keyClick(find(player, "field_full_name"), Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: window.findChild(QLabel, "operationStatus") is not None)
        status = window.findChild(QLabel, "operationStatus")
        assert isinstance(status, QLabel)
        qtbot.waitUntil(lambda: "answers being typed" in status.text())
        assert window.statusBar().currentMessage() != "Your answers are saved."
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == "Your answers are saved.", timeout=10_000
    )
    assert load_session(player.info.id).answers["full_name"] == "Jane"
