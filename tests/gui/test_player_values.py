"""Every value the format accepts goes through the player's editors unchanged: numbers
up to NUMBER_LIMIT (beyond a C int, with and without decimals) and dates from DATE_MIN
to DATE_MAX, as defaults, as stored answers on resume and as template answers; what is
unanswered stays unanswered. Played through the real window and read back from the
real SQLite file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDoubleSpinBox
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import BACK, find, press_next, start, step_id, wait_saved
from tests.wizard_files import import_text
from wizard_desktop.core.sessions import (
    complete_session,
    load_session,
    save_draft,
    save_step,
    start_session,
)
from wizard_desktop.core.templates import save_as_template, start_from_template
from wizard_desktop.definition.model import AnswerValue
from wizard_desktop.ui.editors import DateLineEdit
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.player import WizardPlayer

WIDE_VALUES = """\
format_version: 1
id: wide-values
title: Wide Values
steps:
  - id: values
    title: Values
    fields:
      - {id: money, type: number, label: Money, decimals: 2, default: 5000000000}
      - {id: cents, type: number, label: Cents, decimals: 2, default: 123456789012.34}
      - {id: count, type: number, label: Count, default: 3000000000}
      - {id: largest, type: number, label: Largest, default: 999999999999999}
      - {id: lowest, type: number, label: Lowest, default: -999999999999999}
      - {id: founded, type: date, label: Founded, default: "1850-05-01"}
      - {id: first_day, type: date, label: First day, default: "1000-01-01"}
      - {id: last_day, type: date, label: Last day, default: "9999-12-31"}
      - {id: unset_date, type: date, label: Not set}
      - {id: unset_number, type: number, label: Not set either}
  - id: end
    title: End
    fields:
      - {id: note, type: text, label: Note}
"""
DEFAULTS: dict[str, AnswerValue] = {
    "money": 5_000_000_000,
    "cents": 123_456_789_012.34,
    "count": 3_000_000_000,
    "largest": 999_999_999_999_999,
    "lowest": -999_999_999_999_999,
    "founded": "1850-05-01",
    "first_day": "1000-01-01",
    "last_day": "9999-12-31",
}


def exactly(answers: dict[str, AnswerValue]) -> dict[str, tuple[type, AnswerValue]]:
    """Answers with their JSON types: 5000000000 and 5000000000.0 differ here."""
    return {field_id: (type(value), value) for field_id, value in answers.items()}


def spin(player: WizardPlayer, field_id: str) -> QDoubleSpinBox:
    widget = find(player, f"field_{field_id}", QDoubleSpinBox)
    assert isinstance(widget, QDoubleSpinBox)
    return widget


def date_edit(player: WizardPlayer, field_id: str) -> DateLineEdit:
    widget = find(player, f"field_{field_id}", DateLineEdit)
    assert isinstance(widget, DateLineEdit)
    return widget


def test_defaults_beyond_a_c_int_and_before_1900_are_stored_unchanged_after_next(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, WIDE_VALUES)
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    assert spin(player, "money").text() == "5000000000.00"
    assert spin(player, "count").text() == "3000000000"
    assert date_edit(player, "founded").text() == "1850-05-01"
    assert date_edit(player, "unset_date").text() == ""
    assert spin(player, "unset_number").text() == "—"

    press_next(qtbot, player)
    wait_saved(qtbot, window)
    assert exactly(load_session(player.info.id).answers) == exactly(DEFAULTS)


def test_values_a_person_enters_across_the_whole_range_are_stored(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, WIDE_VALUES)
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    count = spin(player, "unset_number")
    count.setFocus()
    count.selectAll()
    qtbot.keyClicks(count, "4000000000")
    date_edit(player, "unset_date").setFocus()
    qtbot.keyClicks(date_edit(player, "unset_date"), "1066-10-14")
    assert date_edit(player, "unset_date").date() == QDate(1066, 10, 14)

    press_next(qtbot, player)
    wait_saved(qtbot, window)
    stored = load_session(player.info.id).answers
    assert exactly(stored) == exactly(
        {**DEFAULTS, "unset_number": 4_000_000_000, "unset_date": "1066-10-14"}
    )


def test_a_resumed_answer_of_three_billion_is_shown_and_kept(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, WIDE_VALUES)
    session_id = start_session(wizard_id).id
    save_draft(session_id, {"count": 3_000_000_000, "cents": 0.5, "unset_date": "1000-01-01"})

    player = window.open_session(session_id)
    assert spin(player, "count").value() == 3_000_000_000
    assert spin(player, "count").text() == "3000000000"
    assert spin(player, "cents").text() == "0.50"
    assert date_edit(player, "unset_date").text() == "1000-01-01"
    press_next(qtbot, player)
    wait_saved(qtbot, window)
    stored = load_session(session_id).answers
    assert exactly(stored) == exactly(
        {**DEFAULTS, "count": 3_000_000_000, "cents": 0.5, "unset_date": "1000-01-01"}
    )


def test_a_template_answer_beyond_a_c_int_opens_and_is_kept(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, WIDE_VALUES)
    finished = start_session(wizard_id).id
    save_step(finished, "values", {**DEFAULTS, "count": 2**31, "money": 2**40})
    complete_session(finished, "end", {})
    template = save_as_template(finished, "Big numbers")

    session_id = start_from_template(template.id).session.id
    player = window.open_session(session_id)
    assert spin(player, "count").text() == str(2**31)
    assert spin(player, "money").text() == f"{2**40}.00"
    press_next(qtbot, player)
    wait_saved(qtbot, window)
    stored = load_session(session_id).answers
    assert exactly(stored) == exactly({**DEFAULTS, "count": 2**31, "money": 2**40})


def test_an_unanswered_date_stays_unanswered_after_next_and_resume(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, WIDE_VALUES)
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    session_id = player.info.id
    press_next(qtbot, player)
    wait_saved(qtbot, window)
    assert "unset_date" not in load_session(session_id).answers

    qtbot.keyClick(player, Qt.Key.Key_Escape)
    player = window.open_session(session_id)
    assert step_id(player) == "end"
    qtbot.mouseClick(player.button(BACK), Qt.MouseButton.LeftButton)
    assert date_edit(player, "unset_date").text() == ""
    press_next(qtbot, player)
    wait_saved(qtbot, window)
    assert exactly(load_session(session_id).answers) == exactly(DEFAULTS)
