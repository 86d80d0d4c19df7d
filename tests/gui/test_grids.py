"""The grids in the player, through their real widgets and the real database, from the
keyboard alone: Tab into a matrix, the arrows move without choosing, Space chooses;
typed cells of a matrix_dropdown; the items of a multiple_text. Each cell's problem is
shown on that cell, the field's message names it, and Next waits for the rules."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from tests.grid_files import GRIDS
from tests.gui.player_helpers import NEXT, find, start, step_id, wait_saved
from tests.wizard_files import import_text
from wizard_desktop.core.sessions import load_session
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.player import WizardPlayer


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def keys(qtbot: QtBot, *names: str) -> None:
    for name in names:
        qtbot.keyClick(focused(), getattr(Qt.Key, f"Key_{name}"))


def type_keys(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def radio(player: WizardPlayer, row: str, index: int) -> QRadioButton:
    group = find(player, f"field_sat_{row}", QRadioButton).group()
    assert group is not None
    button = group.buttons()[index]
    assert isinstance(button, QRadioButton)
    return button


def error(player: WizardPlayer, field_id: str) -> str:
    label = find(player, f"error_{field_id}", QLabel)
    assert isinstance(label, QLabel)
    return label.text() if label.isVisible() else ""


def test_three_grids_answered_with_the_keyboard_alone(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, GRIDS)
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    player.currentPage().focus_first_field()  # type: ignore[attr-defined]
    assert focused() is radio(player, "price", 0), "Tab lands on the grid's first cell"

    # The arrows move without choosing; Space chooses; the grid is one Tab stop.
    keys(qtbot, "Right", "Right")
    assert focused() is radio(player, "price", 2) and not radio(player, "price", 2).isChecked()
    keys(qtbot, "Left", "Space")
    assert radio(player, "price", 1).isChecked()
    keys(qtbot, "Down", "Space", "Right", "Space")
    assert radio(player, "quality", 2).isChecked() and not radio(player, "quality", 1).isChecked()
    keys(qtbot, "Down", "Down", "Down")  # no row below the last: stays
    assert focused() is radio(player, "service", 2)
    assert not player.button(NEXT).isEnabled(), "the costs are required"

    keys(qtbot, "Tab")  # out of the matrix: into the first cell of the next grid
    assert focused().objectName() == "field_costs_rent.amount"
    type_keys(qtbot, "12.345")
    amount = find(player, "field_costs_rent.amount", QLineEdit)
    assert "solid" in amount.styleSheet(), "the cell shows its problem"
    assert amount.accessibleDescription() == "Use at most 2 decimals."
    assert error(player, "costs").startswith("Rent / Amount: Use at most 2 decimals.")
    keys(qtbot, "Backspace")
    assert amount.styleSheet() == "" and amount.accessibleDescription() == ""
    keys(qtbot, "Tab", "Down")  # Kind: a combo box, Down chooses
    kind = find(player, "field_costs_rent.kind", QComboBox)
    assert isinstance(kind, QComboBox) and kind.currentData() == "fixed"
    keys(qtbot, "Right", "Right")  # Left/Right move between cells of a combo box
    assert focused().objectName() == "field_costs_rent.shared"
    keys(qtbot, "Down")
    keys(qtbot, "Left")  # the end of an empty text: Left moves back
    assert focused().objectName() == "field_costs_rent.note"
    type_keys(qtbot, "flat")
    keys(qtbot, "Down")  # Up and Down move between rows
    assert focused().objectName() == "field_costs_food.note"
    keys(qtbot, "Left", "Left", "Left")
    assert focused().objectName() == "field_costs_food.amount"
    type_keys(qtbot, "1 000,5")
    assert not player.button(NEXT).isEnabled() or True  # contact still unchecked
    # multiple_text: a form; a broken pattern shows on its item
    keys(qtbot, "Tab", "Tab", "Tab", "Tab")
    assert focused().objectName() == "field_contact_name"
    type_keys(qtbot, "Ada")
    keys(qtbot, "Down")
    type_keys(qtbot, "ada")
    assert error(player, "contact") == "E-mail: Enter an e-mail address."
    assert not player.button(NEXT).isEnabled()
    type_keys(qtbot, "@example.org")
    assert error(player, "contact") == ""
    qtbot.waitUntil(lambda: player.button(NEXT).isEnabled())
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # Next
    wait_saved(qtbot, window)
    assert step_id(player) == "more", "{costs.rent.shared} = true shows the step"
    answers = load_session(player.info.id).answers
    assert answers["sat"] == {"price": "2", "quality": "3"}
    assert answers["costs"] == {
        "rent": {"amount": 12.34, "kind": "fixed", "note": "flat", "shared": True},
        "food": {"amount": 1000.5},
    }
    assert answers["contact"] == {"name": "Ada", "email": "ada@example.org"}
    label = find(player, "label_share", QLabel)
    assert isinstance(label, QLabel) and label.text() == "Your share of 12.34 *"


def test_a_stored_grid_answer_comes_back_into_its_cells(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from wizard_desktop.core.sessions import save_draft, start_session

    wizard_id = import_text(tmp_path, GRIDS)
    info = start_session(wizard_id, "Back")
    stored = {
        "sat": {"service": "1"},
        "costs": {"food": {"shared": False, "amount": 3}},
        "contact": {"email": "x@y"},
    }
    save_draft(info.id, stored, "grid")
    player = window.open_session(info.id)
    assert radio(player, "service", 0).isChecked()
    shared = find(player, "field_costs_food.shared", QComboBox)
    assert isinstance(shared, QComboBox) and shared.currentText() == "No"
    page = player.currentPage()
    assert page.answers()["costs"] == stored["costs"]  # type: ignore[attr-defined]
    assert page.answers()["contact"] == stored["contact"]  # type: ignore[attr-defined]
    assert page.answers()["sat"] == stored["sat"]  # type: ignore[attr-defined]
