"""The side panel's step list as the person walks: its rows change in place when only
their marks do and are built again when the path's steps change; either way each row
reads as it should (the current step in bold, a step not reached greyed out, each row
leading to its own step) after Next, a path change, Back and a resume."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import (
    BACK,
    click,
    close_window,
    find,
    make_window,
    press_next,
    start,
    step_id,
    type_into,
    wait_saved,
)
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.player import STEP_ID_ROLE, StepPage, WizardPlayer

ALL = ["Workplace", "Equipment", "Accounts and access", "Onboarding buddy", "Confirmation"]
CONTRACTOR = ["Workplace", "Accounts and access", "Confirmation"]


def rows(player: WizardPlayer) -> list[str]:
    """The list's rows, each checked against what it says: bold only for the current
    step, enabled unless not reached yet, its page the step it names."""
    step_list = find(player, "stepList", QListWidget)
    assert isinstance(step_list, QListWidget)
    texts = []
    for row in range(step_list.count()):
        item = step_list.item(row)
        text = item.text()
        assert item.font().bold() == text.startswith("▶"), text
        enabled = bool(item.flags() & Qt.ItemFlag.ItemIsEnabled)
        assert enabled == (not text.startswith("○")), text
        page = player.page(item.data(STEP_ID_ROLE))
        assert isinstance(page, StepPage) and page.step.title == text[3:], text
        texts.append(text)
    return texts


def ahead(titles: list[str]) -> list[str]:
    return [f"○  {title}" for title in titles]


def test_the_step_list_after_next_a_path_change_back_and_a_resume(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    player = start(qtbot, window, "employee-onboarding")
    session_id = player.info.id
    assert rows(player) == ["▶  New employee", *ahead(["Contract", *ALL])]
    type_into(qtbot, player, "employee_name", "Ada Lovelace")
    type_into(qtbot, player, "job_title", "Analyst")
    type_into(qtbot, player, "start_date", "2025-05-01")
    press_next(qtbot, player, keyboard=True)
    wait_saved(qtbot, window)
    assert rows(player) == ["✓  New employee", "▶  Contract", *ahead(ALL)]

    click(qtbot, player, "field_contract_type_contractor")  # two steps leave the path
    assert rows(player) == ["✓  New employee", "▶  Contract", *ahead(CONTRACTOR)]
    type_into(qtbot, player, "end_date", "2026-04-30")
    press_next(qtbot, player, keyboard=True)
    wait_saved(qtbot, window)
    done = ["✓  New employee", "✓  Contract"]
    assert rows(player) == [*done, "▶  Workplace", *ahead(CONTRACTOR[1:])]

    qtbot.mouseClick(player.button(BACK), Qt.MouseButton.LeftButton)
    assert step_id(player) == "contract"
    assert rows(player) == ["✓  New employee", "▶  Contract", *ahead(CONTRACTOR)]
    click(qtbot, player, "field_contract_type_permanent")  # and come back
    assert rows(player) == ["✓  New employee", "▶  Contract", *ahead(ALL)]
    wait_saved(qtbot, window)
    close_window(qtbot, window)

    window = make_window(qtbot, data_dir)
    player = window.open_session(session_id)
    assert step_id(player) == "contract"
    assert rows(player) == ["✓  New employee", "▶  Contract", *ahead(ALL)]
    press_next(qtbot, player, keyboard=True)
    wait_saved(qtbot, window)
    assert rows(player) == [*done, "▶  Workplace", *ahead(ALL[1:])]
    step_list = find(player, "stepList", QListWidget)
    assert isinstance(step_list, QListWidget)
    step_list.itemClicked.emit(step_list.item(0))  # a done step: its row leads there
    assert step_id(player) == "employee"
    assert rows(player) == ["▶  New employee", "✓  Contract", *ahead(ALL)]
    close_window(qtbot, window)
