"""An untouched check box is `false` for the player as it is for the save: the step page
gives the live resolution what its editors will send on Next, so a condition reading a
boolean nobody touched shows, requires and enables the same there as in the core's
check (plant-help.json: `plantType` is visible and required when neither "do you know"
box is ticked). Driven with the keyboard."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import NEXT, find, press_next, start, type_into, wait_saved
from tests.gui.test_surveyjs_play import REALFORMS, answer_for
from tests.wizard_files import import_text
from wizard_desktop.core import sessions
from wizard_desktop.definition.conditions import is_answered
from wizard_desktop.definition.logic import wizard_logic
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.player import StepPage, WizardPlayer

AGREE = """\
format_version: 2
id: agree
title: Agree
steps:
  - id: terms
    title: Terms
    fields:
      - {id: agree, type: boolean, label: I agree}
      - id: why
        type: text
        label: Why not?
        visible_if: "{agree} = false"
        required_if: "{agree} = false"
  - id: end
    title: End
    fields:
      - {id: remark, type: text, label: Remark}
"""


def _core_problems(player: WizardPlayer) -> dict[str, str]:
    """What the core's save checks for the step on screen: the stored answers with the
    page's, resolved anew (not the player's live resolution)."""
    page = player.currentPage()
    assert isinstance(page, StepPage)
    stored = sessions.load_session(player.info.id).answers
    answers = {**stored, **page.answers()}
    logic = wizard_logic(player.definition)
    resolution = logic.resolve({k: v for k, v in answers.items() if v is not None})
    return logic.step_problems(resolution, page.step.id, page.answers())


def _agree(player: WizardPlayer) -> bool:
    """Next and the core's check agree on the step on screen."""
    return player.button(NEXT).isEnabled() == (not _core_problems(player))


def test_an_untouched_box_requires_the_field_its_false_asks_for(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.wizards_view.reload(import_text(tmp_path, AGREE))
    player = start(qtbot, window, "agree")
    page = player.currentPage()
    assert isinstance(page, StepPage)
    # the box is unticked: "why" shows and is required, so Next waits, as the save would
    assert page.rows["why"].isVisibleTo(page)
    assert "why" in page.state.resolution.required
    assert not player.button(NEXT).isEnabled()
    assert set(_core_problems(player)) == {"why"}
    assert _agree(player)
    type_into(qtbot, player, "why", "Too long")
    qtbot.waitUntil(lambda: player.button(NEXT).isEnabled())
    assert _agree(player)
    press_next(qtbot, player, keyboard=True)
    qtbot.waitUntil(lambda: player.currentPage() is not page)
    wait_saved(qtbot, window)
    stored = sessions.load_session(player.info.id).answers
    assert stored["agree"] is False and stored["why"] == "Too long"


def test_an_untouched_box_alone_stores_nothing_before_next(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.wizards_view.reload(import_text(tmp_path, AGREE))
    player = start(qtbot, window, "agree")
    qtbot.wait(50)
    assert not window.controller.has_unsaved()
    assert "agree" not in sessions.load_session(player.info.id).answers


def test_plant_help_with_its_boxes_untouched_plays_and_saves_as_next_says(
    qtbot: QtBot, window: MainWindow
) -> None:
    survey = REALFORMS / "surveyjs" / "plant-help.json"
    window._import_paths([survey], skip_unsupported=False)
    qtbot.waitUntil(lambda: window.wizards_view.selected_wizard_id() == "plant-help")
    player = start(qtbot, window, "plant-help")
    asked_plant_type = False
    # (the other required answers are set on the editors, as the play test does)
    for _ in range(30):
        page = player.currentPage()
        if page is player.review_page:
            break
        assert isinstance(page, StepPage)
        assert _agree(player), (page.step.id, _core_problems(player))
        if "plantType" in page.rows and page.rows["plantType"].isVisibleTo(page):
            asked_plant_type = True
            # neither "do you know" box ticked: the kind of plant is asked, and required
            assert "plantType" in page.state.resolution.required
            assert not player.button(NEXT).isEnabled()
            combo = find(player, "field_plantType", QComboBox)
            combo.setFocus()
            qtbot.keyClick(combo, Qt.Key.Key_Down)
            qtbot.waitUntil(lambda: player.button(NEXT).isEnabled())
            assert _agree(player)
        for _pass in range(3):  # what else a step requires (answering may ask more)
            resolution = page.state.resolution
            for field_id in sorted(resolution.required - resolution.disabled):
                row = page.rows.get(field_id)
                field = player.definition.field(field_id)
                if row is not None and field is not None and not is_answered(row.input.value()):
                    row.input.set_value(answer_for(field, resolution.options.get(field_id)))
                    page._changed(field_id)
        assert _agree(player), (page.step.id, _core_problems(player))
        press_next(qtbot, player, keyboard=True)
        qtbot.waitUntil(lambda page=page: player.currentPage() is not page)
    assert player.currentPage() is player.review_page
    assert asked_plant_type
    wait_saved(qtbot, window)
    stored = sessions.load_session(player.info.id).answers
    assert stored["commonKnow"] is False and stored["botanicalKnow"] is False
    assert stored["plantType"]
