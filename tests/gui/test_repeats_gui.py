"""Repeats in the player, from the keyboard: Add another, Back and Next across
instances, the side panel's instances, removing one (with the confirmation naming
what goes) and undoing it, resume inside instance 3; and the side panel's screenshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import close_window, make_window, step_id, wait_saved
from tests.repeat_files import COUNTED, DEPENDENTS
from tests.wizard_files import import_text
from wizard_desktop.core import sessions
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.player import WizardPlayer
from wizard_desktop.ui.repeat_controls import ADD_NEEDS_THE_STEP


def _player(window: MainWindow) -> WizardPlayer:
    assert window.player is not None
    return window.player


def _type(qtbot: QtBot, window: MainWindow, field_id: str, text: str) -> None:
    """Tab to the field (keyboard only), then type."""
    player = _player(window)
    target = player.findChild(QWidget, f"field_{field_id}")
    assert target is not None
    for _ in range(40):
        if player.focusWidget() is target:
            break
        qtbot.keyClick(player.focusWidget() or player, Qt.Key.Key_Tab)
    assert player.focusWidget() is target, field_id
    qtbot.keyClicks(target, text)


def _next(qtbot: QtBot, window: MainWindow) -> None:
    player = _player(window)
    qtbot.keyClick(
        player.focusWidget() or player, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier
    )


def _press(qtbot: QtBot, window: MainWindow, name: str) -> None:
    """Tab to a button of the side panel and press Space."""
    player = _player(window)
    button = player.findChild(QPushButton, name)
    assert button is not None and button.isVisible() and button.isEnabled(), name
    for _ in range(60):
        if player.focusWidget() is button:
            break
        qtbot.keyClick(player.focusWidget() or player, Qt.Key.Key_Tab)
    assert player.focusWidget() is button, name
    qtbot.keyClick(button, Qt.Key.Key_Space)


def _steps(window: MainWindow) -> list[str]:
    step_list = _player(window).findChild(QListWidget, "stepList")
    assert step_list is not None
    return [step_list.item(i).text()[3:] for i in range(step_list.count())]


def _reopened(qtbot: QtBot, window: MainWindow, before: WizardPlayer) -> None:
    qtbot.waitUntil(lambda: window.player is not None and window.player is not before)
    wait_saved(qtbot, window)


def test_add_another_remove_undo_and_resume_from_the_keyboard(
    qtbot: QtBot,
    window: MainWindow,
    data_dir: Path,
    tmp_path: Path,
    no_modal_dialogs: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wizard_id = import_text(tmp_path, DEPENDENTS)
    window.wizards_view.reload(wizard_id)
    window.start_session(wizard_id)
    qtbot.waitUntil(lambda: window.player is not None and window.player.isVisible())
    _type(qtbot, window, "your_name", "Me")
    _next(qtbot, window)
    qtbot.waitUntil(lambda: step_id(_player(window)) == "dependents[0].dependent")
    _press(qtbot, window, "addInstanceButton")  # Name is required: the step comes first
    assert no_modal_dialogs == [ADD_NEEDS_THE_STEP]
    _type(qtbot, window, "dependents[0].name", "Ada")
    _type(qtbot, window, "dependents[0].age", "9")
    assert "Dependent 1: Ada" in _steps(window)
    for index, (name, age) in enumerate((("Bo", "40"), ("Cy", "12")), start=1):
        before = _player(window)
        _press(qtbot, window, "addInstanceButton")
        _reopened(qtbot, window, before)
        assert step_id(_player(window)) == f"dependents[{index}].dependent"
        _type(qtbot, window, f"dependents[{index}].name", name)
        _type(qtbot, window, f"dependents[{index}].age", age)
        wait_saved(qtbot, window)
    assert _steps(window)[:4] == ["You", "Dependent 1: Ada", "Dependent 2: Bo", "Dependent 3: Cy"]
    # Add another saved each instance as Next does: 3 of 5 steps done
    session_id = sessions.list_sessions(wizard_id=wizard_id)[0].id
    done = sessions.get_session(session_id).completed_step_ids
    assert done == ("you", "dependents[0].dependent", "dependents[1].dependent")
    assert sessions.get_session(session_id).progress_percentage == 60.0
    # Back crosses instances, Next too
    qtbot.keyClick(_player(window).focusWidget(), Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert step_id(_player(window)) == "dependents[1].dependent"
    _next(qtbot, window)
    assert step_id(_player(window)) == "dependents[2].dependent"
    # resume inside instance 3: leave and come back
    window.leave_player()
    wait_saved(qtbot, window) if window.player else qtbot.waitUntil(
        lambda: not window.controller.has_unsaved()
    )
    assert sessions.get_session(session_id).current_step_id == "dependents[2].dependent"
    window.open_session(session_id)
    assert step_id(_player(window)) == "dependents[2].dependent"
    # remove Bo from instance 2: the question names him and his answers
    _press_back_to(qtbot, window, "dependents[1].dependent")
    asked: list[tuple[str, list[str]]] = []

    def confirm(_parent: object, instance: str, answers: list[str]) -> bool:
        asked.append((instance, answers))
        return True

    monkeypatch.setattr(dialogs, "confirm_remove_instance", confirm)
    before = _player(window)
    _press(qtbot, window, "removeInstanceButton")
    _reopened(qtbot, window, before)
    assert asked == [("Dependent 2: Bo", ["Name: Bo", "Age of Bo: 40"])]
    assert _steps(window)[:3] == ["You", "Dependent 1: Ada", "Dependent 2: Cy"]
    _grab_side_panel(window, tmp_path)
    # undo, while still on the step
    before = _player(window)
    _press(qtbot, window, "undoRemoveButton")
    _reopened(qtbot, window, before)
    assert _steps(window)[:4] == ["You", "Dependent 1: Ada", "Dependent 2: Bo", "Dependent 3: Cy"]
    answers = sessions.load_session(session_id).answers
    assert [answers[f"dependents[{i}].name"] for i in range(3)] == ["Ada", "Bo", "Cy"]
    assert not _player(window).findChild(QPushButton, "undoRemoveButton").isVisible()
    close_window(qtbot, window)


def _press_back_to(qtbot: QtBot, window: MainWindow, target: str) -> None:
    for _ in range(5):
        if step_id(_player(window)) == target:
            return
        qtbot.keyClick(
            _player(window).focusWidget() or _player(window),
            Qt.Key.Key_Left,
            Qt.KeyboardModifier.AltModifier,
        )
    assert step_id(_player(window)) == target


def _grab_side_panel(window: MainWindow, folder: Path) -> None:
    """The window paints with its instances listed (docs/screenshots/repeat-side-panel.png
    is this picture; the tests never write into the checkout)."""
    image = window.grab()
    assert not image.isNull() and image.save(str(folder / "repeat-side-panel.png"))


def test_min_and_max_hold_in_the_player(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, no_modal_dialogs: list[str]
) -> None:
    window = make_window(qtbot, data_dir)
    try:
        text = DEPENDENTS.replace("min: 0", "min: 1").replace("max: 600", "max: 1")
        wizard_id = import_text(tmp_path, text)
        window.wizards_view.reload(wizard_id)
        window.start_session(wizard_id)
        qtbot.waitUntil(lambda: window.player is not None and window.player.isVisible())
        _type(qtbot, window, "your_name", "Me")
        _next(qtbot, window)
        qtbot.waitUntil(lambda: step_id(_player(window)) == "dependents[0].dependent")
        add = _player(window).findChild(QPushButton, "addInstanceButton")
        remove = _player(window).findChild(QPushButton, "removeInstanceButton")
        assert add.text() == "Add another dependent" and not add.isEnabled()
        assert not remove.isEnabled()
    finally:
        close_window(qtbot, window)
        window.shutdown()


def test_a_counted_repeat_lays_out_its_instances_once_the_count_is_saved(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, no_modal_dialogs: list[str]
) -> None:
    window = make_window(qtbot, data_dir)
    try:
        wizard_id = import_text(tmp_path, COUNTED)
        window.wizards_view.reload(wizard_id)
        window.start_session(wizard_id)
        qtbot.waitUntil(lambda: window.player is not None and window.player.isVisible())
        assert _steps(window) == ["Size", "End"]
        before = _player(window)
        _type(qtbot, window, "household_size", "2")
        _next(qtbot, window)
        _reopened(qtbot, window, before)
        assert step_id(_player(window)) == "members[0].adult"
        assert _steps(window)[:5] == [
            "Size",
            "Person 1:  · Adult",
            "Person 1:  · Job of ",
            "Person 2:  · Adult",
            "Person 2:  · Job of ",
        ]
        assert not _player(window).findChild(QPushButton, "addInstanceButton").isVisible()
    finally:
        close_window(qtbot, window)
        window.shutdown()
