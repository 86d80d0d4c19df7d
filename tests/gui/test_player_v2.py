"""Format 2 in the player, through its real widgets and the real database: notes,
calculated values, ratings and times; required_if, enabled_if, constraints, option
filters, `{field}` texts and default expressions followed live as the person types;
the keyboard alone through a format 2 wizard; and a hostile wizard whose logic runs out
of its budget without freezing or losing an answer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDoubleSpinBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import (
    NEXT,
    click,
    find,
    press_next,
    start,
    step_id,
    type_into,
    wait_saved,
)
from tests.wizard_files import import_text
from wizard_desktop.core.sessions import load_session, save_draft, start_session
from wizard_desktop.ui.editors import RatingBar
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.markdown import MarkdownView
from wizard_desktop.ui.player import COST_EXCEEDED_NOTE, StepPage, WizardPlayer

TRIP = """\
format_version: 2
id: trip-report
title: Trip report
steps:
  - id: trip
    title: "Trip of {traveller}"
    fields:
      - {id: traveller, type: text, label: Your name, required: true}
      - id: intro
        type: note
        label: "Hello *{traveller}*: amounts are in euros."
      - {id: day, type: date, label: Day, default_expression: "today()"}
      - {id: start, type: time, label: Departure time, min: "05:00"}
      - id: nights
        type: number
        label: Nights
        max: 30
        constraint: "{nights} <= 14 or {manager} = true"
        constraint_message: More than 14 nights needs a manager's approval.
      - {id: rate, type: number, label: Hotel rate per night, decimals: 2}
      - {id: total, type: calculated, label: Hotel total, calculate: "{nights} * {rate}"}
      - {id: secret, type: calculated, label: Secret, calculate: "{nights} + 1", hidden: true}
      - id: why
        type: text
        label: "Why {nights} nights?"
        required_if: "{nights} > 5"
      - id: region
        type: choice
        label: Region
        options: [{value: eu, label: Europe}, {value: us, label: Americas}]
      - id: city
        type: choice
        label: City
        options:
          - {value: paris, label: Paris, visible_if: "{region} = 'eu'"}
          - {value: rome, label: Rome, visible_if: "{region} = 'eu'"}
          - {value: nyc, label: New York, visible_if: "{region} = 'us'"}
      - {id: manager, type: boolean, label: Approved by a manager}
      - {id: approver, type: text, label: Approver, enabled_if: "{manager} = true"}
      - id: mood
        type: rating
        label: How was it?
        help: "{traveller}, 1 is bad and 5 is great"
  - id: done
    title: Done
    fields:
      - {id: comment, type: multiline, label: Comment}
"""


def trip(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> WizardPlayer:
    wizard_id = import_text(tmp_path, TRIP)
    window.wizards_view.reload(wizard_id)
    return start(qtbot, window, wizard_id)


def text_of(player: WizardPlayer, name: str) -> str:
    widget = find(player, name)
    if isinstance(widget, MarkdownView):
        return widget.toPlainText()
    assert isinstance(widget, QLabel | QLineEdit), name
    return widget.text()


def shown(player: WizardPlayer, name: str) -> bool:
    return find(player, name).isVisibleTo(player.currentPage())


def next_enabled(player: WizardPlayer) -> bool:
    """Whether Next may go; always what the core's own check of the step says."""
    page = player.currentPage()
    assert isinstance(page, StepPage)
    core_check = player.state.step_problems(page.step.id, page.answers())
    enabled = player.button(NEXT).isEnabled()
    entry_problems = any(row.input.entry_problem() for row in page.rows.values())
    held = entry_problems or player.state.cost_exceeded
    assert enabled == (not core_check and not held), core_check
    return enabled


def type_number(qtbot: QtBot, player: WizardPlayer, field_id: str, text: str) -> None:
    """Replace what a number field holds by typing `text` (empty: Backspace clears it)."""
    spin = find(player, f"field_{field_id}", QDoubleSpinBox)
    assert isinstance(spin, QDoubleSpinBox)
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClick(spin, Qt.Key.Key_Backspace)
    qtbot.keyClicks(spin, text)


def stored(player: WizardPlayer) -> dict[str, object]:
    return dict(load_session(player.info.id).answers)


def test_a_note_a_time_a_rating_and_a_calculated_total_through_their_widgets(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    player = trip(qtbot, window, tmp_path)
    type_into(qtbot, player, "traveller", "Ann <b>")
    assert text_of(player, "field_intro") == "Hello Ann <b>: amounts are in euros."
    assert player.currentPage().title() == "Trip of Ann <b>"
    assert text_of(player, "hint_mood") == "Ann <b>, 1 is bad and 5 is great"

    type_into(qtbot, player, "start", "7:5")  # half typed: no time yet
    assert text_of(player, "error_start").startswith("Enter a time as HH:MM")
    assert not next_enabled(player)
    type_into(qtbot, player, "start", "4:30")
    assert text_of(player, "error_start") == "Choose a time at or after 05:00."
    type_into(qtbot, player, "start", "0730")
    assert text_of(player, "field_start") == "0730" and next_enabled(player)

    assert text_of(player, "field_total") == "0"  # empty counts as 0, as in survey-core
    type_number(qtbot, player, "nights", "3")
    type_number(qtbot, player, "rate", "80")
    assert text_of(player, "field_total") == "240"
    assert not shown(player, "field_secret"), "a hidden calculated field is not shown"

    rating = find(player, "field_mood", RatingBar)
    rating.setFocus()
    qtbot.keyClick(rating, Qt.Key.Key_4)
    assert find(player, "field_mood_4").isChecked()  # type: ignore[attr-defined]
    qtbot.keyClick(rating, Qt.Key.Key_Right)
    assert find(player, "field_mood_5").isChecked()  # type: ignore[attr-defined]
    click(qtbot, player, "field_mood_clear")
    assert not any(
        find(player, f"field_mood_{n}").isChecked()  # type: ignore[attr-defined]
        for n in range(1, 6)
    )
    click(qtbot, player, "field_mood_2")

    press_next(qtbot, player)
    wait_saved(qtbot, window)
    assert step_id(player) == "done"
    answers = stored(player)
    assert answers["start"] == "07:30" and answers["mood"] == 2
    assert answers["nights"] == 3 and answers["rate"] == 80
    assert "intro" not in answers, "a note has no answer"


def test_required_if_marks_the_field_and_holds_next_until_it_is_answered(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    player = trip(qtbot, window, tmp_path)
    type_into(qtbot, player, "traveller", "Ann")
    assert next_enabled(player)
    assert text_of(player, "label_why") == "Why  nights?"
    type_number(qtbot, player, "nights", "6")
    assert text_of(player, "label_why") == "Why 6 nights? *"
    assert not next_enabled(player)
    type_into(qtbot, player, "why", "a conference")
    assert next_enabled(player)
    type_into(qtbot, player, "why", "")
    assert not next_enabled(player)
    assert text_of(player, "error_why") == "This field is required."
    type_number(qtbot, player, "nights", "2")
    assert text_of(player, "label_why") == "Why 2 nights?"
    assert next_enabled(player) and not shown(player, "error_why")


def test_enabled_if_false_leaves_the_field_read_only_and_visibly_so(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    player = trip(qtbot, window, tmp_path)
    approver = find(player, "field_approver")
    assert shown(player, "field_approver") and not approver.isEnabled()
    click(qtbot, player, "field_manager")
    assert approver.isEnabled()
    type_into(qtbot, player, "approver", "Bea")
    click(qtbot, player, "field_manager")
    assert not approver.isEnabled() and text_of(player, "field_approver") == "Bea"


def test_a_constraint_shows_its_own_message_like_any_problem(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    player = trip(qtbot, window, tmp_path)
    type_into(qtbot, player, "traveller", "Ann")
    type_number(qtbot, player, "nights", "20")
    type_into(qtbot, player, "why", "a long project")
    assert text_of(player, "error_nights") == "More than 14 nights needs a manager's approval."
    assert not next_enabled(player)
    click(qtbot, player, "field_manager")  # the constraint reads another field
    assert not shown(player, "error_nights") and next_enabled(player)


def test_an_answer_whose_option_goes_is_cleared_and_the_person_told(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    player = trip(qtbot, window, tmp_path)
    type_into(qtbot, player, "traveller", "Ann")
    assert not any(shown(player, f"field_city_{c}") for c in ("paris", "rome", "nyc"))
    click(qtbot, player, "field_region_eu")
    assert shown(player, "field_city_paris") and not shown(player, "field_city_nyc")
    click(qtbot, player, "field_city_rome")
    wait_saved(qtbot, window)
    assert stored(player)["city"] == "rome"

    click(qtbot, player, "field_region_us")
    assert not shown(player, "field_city_rome") and shown(player, "field_city_nyc")
    assert not find(player, "field_city_rome").isChecked()  # type: ignore[attr-defined]
    assert text_of(player, "notice_city") == (
        "“Rome” is no longer an option for “City” after your answers, so it was cleared."
    )
    wait_saved(qtbot, window)
    assert "city" not in stored(player)
    assert "city" in load_session(player.info.id).cleared, "stored as cleared"
    click(qtbot, player, "field_city_nyc")
    assert not shown(player, "notice_city"), "the notice goes once the person answers"


def test_a_default_expression_fills_the_field_once_then_it_is_an_answer(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    player = trip(qtbot, window, tmp_path)
    today = dt.date.today().isoformat()
    assert text_of(player, "field_day") == today
    wait_saved(qtbot, window)
    assert stored(player)["day"] == today, "stored like an answer the person gave"
    type_into(qtbot, player, "day", "")
    wait_saved(qtbot, window)
    assert "day" in load_session(player.info.id).cleared
    resumed = window.open_session(player.info.id)
    qtbot.waitUntil(resumed.isVisible)
    assert text_of(resumed, "field_day") == "", "cleared stays cleared: computed once"


KEYBOARD_V2 = """\
format_version: 2
id: keys-v2
title: Keys v2
steps:
  - id: one
    title: One
    fields:
      - {id: name, type: text, label: Name, required: true}
      - {id: hello, type: note, label: "Hello {name}."}
      - {id: score, type: rating, label: Score, min: 1, max: 10, required: true}
      - {id: at, type: time, label: At, required: true}
      - {id: double, type: calculated, label: Double, calculate: "{score} * 2"}
      - {id: remark, type: text, label: Remark}
  - id: two
    title: "Two for {name}"
    fields:
      - id: level
        type: rating
        label: Level
        options: [{value: low, label: Low}, {value: high, label: High}]
"""


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def test_the_keyboard_alone_through_a_format_2_wizard(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, KEYBOARD_V2)
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    assert focused() is find(player, "field_name")
    qtbot.keyClicks(focused(), "Ann")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # the note takes no Tab stop
    assert focused() is find(player, "field_score")
    qtbot.keyClick(focused(), Qt.Key.Key_0)  # the tenth point
    assert text_of(player, "field_double") == "20"
    qtbot.keyClick(focused(), Qt.Key.Key_Left)
    qtbot.keyClick(focused(), Qt.Key.Key_Left)
    assert text_of(player, "field_double") == "16"
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is find(player, "field_at")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # not complete yet: Enter does nothing
    assert step_id(player) == "one"
    qtbot.keyClicks(focused(), "18:45")
    qtbot.keyClick(focused(), Qt.Key.Key_Up)  # the minutes, under the cursor
    assert text_of(player, "field_at") == "18:46"
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # the calculated value takes no Tab stop
    assert focused() is find(player, "field_remark")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    wait_saved(qtbot, window)
    assert step_id(player) == "two" and player.currentPage().title() == "Two for Ann"
    assert focused() is find(player, "field_level")
    qtbot.keyClick(focused(), Qt.Key.Key_End)
    assert find(player, "field_level_high").isChecked()  # type: ignore[attr-defined]
    qtbot.keyClick(focused(), Qt.Key.Key_Delete)
    assert not find(player, "field_level_high").isChecked()  # type: ignore[attr-defined]
    qtbot.keyClick(focused(), Qt.Key.Key_1)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # the review
    assert player.currentPage() is player.review_page
    assert text_of(player, "review_double") == "16"
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # Finish
    qtbot.waitUntil(lambda: load_session(player.info.id).info.is_completed)
    answers = stored(player)
    assert answers["score"] == 8 and answers["at"] == "18:46" and answers["level"] == "low"


# Each of the calculated values costs (options chosen) x 900 units: a few choices are
# cheap, all of them more than one change may spend.
_COSTLY_LIST = ",".join(str(n % 10) for n in range(900))
HOSTILE = (
    """\
format_version: 2
id: hostile
title: Hostile
steps:
  - id: one
    title: One
    fields:
      - id: tags
        type: multi_choice
        label: Tags
        options:
"""
    + "".join(f"          - {{value: t{n}, label: T{n}}}\n" for n in range(30))
    + "".join(
        f"      - id: c{n}\n        type: calculated\n        label: C{n}\n        hidden: true\n"
        f'        calculate: "{{tags}} anyof [{_COSTLY_LIST}]"\n'
        for n in range(10)
    )
    + "      - {id: other, type: text, label: Other}\n"
)


def test_logic_out_of_its_budget_says_so_keeps_the_answers_and_never_freezes(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, HOSTILE)
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    page = player.currentPage()
    assert isinstance(page, StepPage)
    chosen = 0
    while page.cost_note is None or not page.cost_note.isVisible():
        assert chosen < 30, "the budget never ran out"
        click(qtbot, player, f"field_tags_t{chosen}")
        chosen += 1
    assert text_of(player, "costNote_one") == COST_EXCEEDED_NOTE
    assert not next_enabled(player)
    type_into(qtbot, player, "other", "still typing")
    wait_saved(qtbot, window)
    answers = stored(player)
    assert answers["tags"] == [f"t{n}" for n in range(chosen)], "every choice is kept"
    assert answers["other"] == "still typing"
    click(qtbot, player, f"field_tags_t{chosen - 1}")  # back within the budget
    assert not page.cost_note.isVisible() and next_enabled(player)


PATHS = """\
format_version: 2
id: paths-v2
title: Paths v2
steps:
  - id: one
    title: One
    fields:
      - {id: age, type: number, label: Age, max: 150}
  - id: adult
    title: "Adult, {age}"
    visible_if: "{age} >= 18"
    fields:
      - {id: job, type: text, label: Job}
  - id: last
    title: Last
    fields:
      - {id: remark, type: text, label: Remark}
"""


def test_a_step_an_expression_shows_changes_the_side_panel_path_and_progress(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, PATHS)
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    steps = find(player, "stepList")

    def listed() -> list[str]:
        return [steps.item(n).text()[3:] for n in range(steps.count())]  # type: ignore[attr-defined]

    assert listed() == ["One", "Last"]
    type_number(qtbot, player, "age", "42")
    assert listed() == ["One", "Adult, 42", "Last"]
    note = find(player, "progressNote")
    assert note.isVisible() and text_of(player, "progressNote") == (
        "Your answer adds Adult, 42: 3 steps now."
    )
    press_next(qtbot, player)
    wait_saved(qtbot, window, progress=33)
    assert step_id(player) == "adult" and player.currentPage().title() == "Adult, 42"
    player.back()
    type_number(qtbot, player, "age", "12")
    assert listed() == ["One", "Last"]
    assert text_of(player, "progressNote") == "Your answer skips Adult, 42: 2 steps now."
    wait_saved(qtbot, window, progress=50)


MANY_CITIES = """\
format_version: 2
id: many-cities
title: Many cities
steps:
  - id: one
    title: One
    fields:
      - {id: all, type: boolean, label: Every city}
      - id: city
        type: choice
        label: City
        options:
""" + "".join(
    f"          - {{value: c{n}, label: City {n}"
    + (", visible_if: '{all} = true'}\n" if n % 2 else "}\n")
    for n in range(8)
)


def test_a_combo_box_offers_only_the_visible_options_and_clears_a_gone_answer(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, MANY_CITIES)
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    combo = find(player, "field_city", QComboBox)
    assert isinstance(combo, QComboBox) and combo.count() == 4
    click(qtbot, player, "field_all")
    assert combo.count() == 8
    combo.setFocus()
    combo.setCurrentIndex(3)  # City 3, shown only while "big" is not checked
    assert combo.currentData() == "c3"
    click(qtbot, player, "field_all")
    assert [combo.itemData(n) for n in range(combo.count())] == ["c0", "c2", "c4", "c6"]
    assert combo.currentIndex() == -1
    assert text_of(player, "notice_city") == (
        "“City 3” is no longer an option for “City” after your answers, so it was cleared."
    )
    wait_saved(qtbot, window)
    assert "city" in load_session(player.info.id).cleared


def test_a_session_whose_answers_are_beyond_the_budget_opens_says_so_and_recovers(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, HOSTILE)
    session = start_session(wizard_id, "Too much")
    every_tag = [f"t{n}" for n in range(30)]
    save_draft(session.id, {"tags": every_tag, "other": "kept"})
    player = window.open_session(session.id)
    qtbot.waitUntil(player.isVisible)
    page = player.currentPage()
    assert isinstance(page, StepPage) and page.cost_note is not None
    assert page.cost_note.isVisible() and not next_enabled(player)
    assert all(find(player, f"field_tags_{t}").isChecked() for t in every_tag)  # type: ignore[attr-defined]
    assert text_of(player, "field_other") == "kept"
    for tag in every_tag[10:]:  # back within the budget: every answer counts again
        click(qtbot, player, f"field_tags_{tag}")
    assert not page.cost_note.isVisible() and next_enabled(player)
    wait_saved(qtbot, window)
    assert stored(player) == {"tags": every_tag[:10], "other": "kept"}
