"""The ranking editor: put in order with the keyboard alone (Alt+Up/Alt+Down, the Move
buttons reached with Tab), a drop, "Keep this order" and Clear; the answer saved in
order, shown as "A > B" on the review, and the order back when the session resumes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QListWidget, QWidget
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import (
    a_photo,
    find,
    import_listed,
    press_next,
    start,
    step_id,
    wait_saved,
)
from tests.gui.test_xlsform_play import play
from tests.headless.test_ranking import CITIES
from tests.headless.test_xlsform_import import REALFORMS
from tests.wizard_files import import_text
from wizard_desktop.core.sessions import load_session
from wizard_desktop.definition.model import Field, FieldType, Option
from wizard_desktop.ui.editors import NOT_RANKED_TEXT, RankingInput, make_input
from wizard_desktop.ui.main_window import MainWindow

PRIORITIES = """\
format_version: 2
id: priorities
title: Priorities
steps:
  - id: rank
    title: What matters
    fields:
      - {id: name, type: text, label: Your name}
      - id: order
        type: ranking
        label: Put these in order
        required: true
        options:
          - {value: price, label: Price}
          - {value: speed, label: Speed & ease}
          - {value: quality, label: "<b>Quality</b>"}
  - id: done
    title: Done
    fields:
      - {id: comment, type: multiline, label: Comment}
"""
OPTIONS = (Option("a", "Alpha"), Option("b", "Beta"), Option("c", "Gamma"))


def shown_order(widget: QListWidget) -> list[str]:
    return [widget.item(row).text() for row in range(widget.count())]


def key(qtbot: QtBot, name: Qt.Key, modifier: Qt.KeyboardModifier | None = None) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None
    if modifier is None:
        qtbot.keyClick(focused, name)
    else:
        qtbot.keyClick(focused, name, modifier)


def ranking_editor(qtbot: QtBot) -> RankingInput:
    made = make_input(Field(id="r", type=FieldType.RANKING, label="Rank", options=OPTIONS))
    assert isinstance(made, RankingInput)
    qtbot.addWidget(made.widget)
    return made


def test_a_ranking_is_unanswered_until_the_order_is_the_persons(qtbot: QtBot) -> None:
    made = ranking_editor(qtbot)
    status = find(made.widget, "field_r_status")
    assert made.value() is None and status.text() == NOT_RANKED_TEXT  # type: ignore[attr-defined]
    assert made.problem() is None, "not required: unanswered is fine"
    keep = find(made.widget, "field_r_keep")
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    assert made.value() == ["a", "b", "c"] and not keep.isEnabled()
    assert status.text() == "Ranked."  # type: ignore[attr-defined]
    qtbot.mouseClick(find(made.widget, "field_r_clear"), Qt.MouseButton.LeftButton)
    assert made.value() is None and keep.isEnabled()
    ranked = made.list
    assert ranked.model().moveRow(QModelIndex(), 2, QModelIndex(), 0)
    assert made.value() == ["c", "a", "b"], "a drop (a row moved in the model) ranks"
    assert shown_order(ranked) == ["1. Gamma", "2. Alpha", "3. Beta"]


def test_a_partial_answer_given_is_held_as_given_and_named_as_a_problem(qtbot: QtBot) -> None:
    made = ranking_editor(qtbot)
    changes: list[None] = []
    made.on_change(lambda: changes.append(None))
    made.set_value(["c"])  # e.g. a stored answer of an older version of the wizard
    assert made.value() == ["c"], "shown, never rewritten"
    assert shown_order(made.list)[0] == "1. Gamma" and len(changes) == 1
    assert made.problem() == "Put every option in order (1 of 3 ranked)."
    made.set_value(["b", "c", "a"])
    assert made.value() == ["b", "c", "a"] and made.problem() is None
    made.show_texts(
        Field(
            id="r", type=FieldType.RANKING, label="Rang", options=(*OPTIONS[:2], Option("c", "G"))
        )
    )
    assert shown_order(made.list) == ["1. Beta", "2. G", "3. Alpha"]
    assert made.value() == ["b", "c", "a"], "another language keeps the answer"


def test_ranked_with_the_keyboard_alone_saved_in_order_and_resumed(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, PRIORITIES)
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    session_id = player.info.id
    ranked = find(player, "field_order_list", QListWidget)
    assert isinstance(ranked, QListWidget)
    assert ranked.accessibleName() == "Put these in order"
    assert find(player, "field_order_up").accessibleName() == "Move the chosen option up (Alt+Up)"
    assert find(player, "label_order").buddy() is ranked  # type: ignore[attr-defined]
    assert shown_order(ranked) == ["1. Price", "2. Speed & ease", "3. <b>Quality</b>"]
    assert not player.button(player.WizardButton.NextButton).isEnabled(), "required, unranked"

    find(player, "field_name").setFocus()
    key(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is ranked, "Tab reaches the list"
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # Speed first
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # Quality above Price
    assert shown_order(ranked) == ["1. Speed & ease", "2. <b>Quality</b>", "3. Price"]
    key(qtbot, Qt.Key.Key_Tab)
    up = find(player, "field_order_up")
    assert QApplication.focusWidget() is up, "the Move up button is the next Tab stop"
    key(qtbot, Qt.Key.Key_Space)  # Quality first
    key(qtbot, Qt.Key.Key_Tab)
    key(qtbot, Qt.Key.Key_Space)  # Move down: Quality back under Speed
    key(qtbot, Qt.Key.Key_Space)  # and under Price
    assert shown_order(ranked) == ["1. Speed & ease", "2. Price", "3. <b>Quality</b>"]
    assert find(player, "field_order_status").text() == "Ranked."  # type: ignore[attr-defined]
    assert not find(player, "error_order").isVisible()
    ranked.setFocus()
    press_next(qtbot, player, keyboard=True)
    wait_saved(qtbot, window)
    assert step_id(player) == "done"
    assert load_session(session_id).answers["order"] == ["speed", "price", "quality"]

    press_next(qtbot, player)  # the review page reads the order
    review = player.review_page
    texts = [w.text() for w in review.findChildren(QWidget) if hasattr(w, "text")]
    assert "Speed & ease > Price > <b>Quality</b>" in texts

    window.show_main_views()
    player = window.open_session(session_id)
    player.back()
    qtbot.waitUntil(lambda: step_id(player) == "rank")
    ranked = find(player, "field_order_list", QListWidget)
    assert isinstance(ranked, QListWidget)
    assert shown_order(ranked) == ["1. Speed & ease", "2. Price", "3. <b>Quality</b>"]
    assert find(player, "field_order_status").text() == "Ranked."  # type: ignore[attr-defined]


def test_all_question_types_plays_to_completion_with_its_geojson_beside_it(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """The real form, copied with a cities.geojson beside it (the corpus has none):
    imported as a person would, every required field answered, completed."""
    form = tmp_path / "all-question-types.xlsx"
    shutil.copy(REALFORMS / "all-question-types.xlsx", form)
    (tmp_path / "cities.geojson").write_text(json.dumps(CITIES), encoding="utf-8")
    picture = a_photo(tmp_path)
    wizard_id = import_listed(window, form)
    player = start(qtbot, window, wizard_id)
    session_id = player.info.id
    assert play(qtbot, player, picture) > 50
    qtbot.waitUntil(lambda: not window.controller.has_unsaved(), timeout=20000)
    qtbot.waitUntil(lambda: load_session(session_id).info.is_completed, timeout=20000)
