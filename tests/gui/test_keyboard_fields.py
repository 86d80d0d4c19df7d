"""Fields a person works from the keyboard, driven with real key presses: a date typed
(ISO or the locale's short format), stepped with Up/Down, picked from its calendar
(Alt+Down, F4) or left empty; Tab through every editor, each showing that it has the
focus; a required check box marked `*`; messages under a field (a pattern's own
message among them) that move no field below."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QLocale, QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import find, press_next, start, step_id, type_into, wait_saved
from tests.wizard_files import import_text
from wizard_desktop.core.sessions import load_session
from wizard_desktop.definition.model import Field, FieldType, Option
from wizard_desktop.ui.editors import DateInput, DateLineEdit, FieldRow, make_input
from wizard_desktop.ui.main_window import MainWindow

KEYBOARD_WIZARD = """\
format_version: 1
id: keyboard
title: Keyboard
steps:
  - id: details
    title: Details
    fields:
      - {id: name, type: text, label: Name, required: true, min_length: 2}
      - id: email
        type: text
        label: Email
        pattern: "[^@ ]+@[^@ ]+"
        pattern_message: Use the form name@example.org
      - {id: when, type: date, label: When, min: "2027-01-01", max: "2027-12-31"}
      - {id: note, type: text, label: Note}
  - id: last
    title: Last
    fields:
      - {id: agree, type: boolean, label: I agree, required: true}
"""
WHEN = Field(id="when", type=FieldType.DATE, label="When", min="2027-01-01", max="2027-12-31")
OPTIONS = (Option("a", "Apple"), Option("b", "Banana"))


@pytest.fixture
def locale() -> Iterator[None]:
    """Whatever a test sets with QLocale.setDefault is undone after it."""
    before = QLocale()
    yield
    QLocale.setDefault(before)


class Windows:
    """Shows widgets in an active window (key presses go to its focus widget), kept
    for the test: pytest-qt holds only weak references to the widgets it closes."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.shown: list[QWidget] = []

    def show(self, *widgets: QWidget) -> QWidget:
        host = QWidget()
        layout = QVBoxLayout(host)
        for widget in widgets:
            layout.addWidget(widget)
        self.qtbot.addWidget(host)
        self.shown.append(host)
        host.show()
        host.activateWindow()
        self.qtbot.waitUntil(lambda: QApplication.activeWindow() is host)
        return host

    def date_between_two_fields(self, field: Field = WHEN) -> tuple[QLineEdit, DateInput]:
        """A text field, the date, a text field; Tab has moved into the date."""
        before, date, after = QLineEdit(), make_input(field), QLineEdit()
        assert isinstance(date, DateInput)
        self.show(before, date.widget, after)
        before.setFocus(Qt.FocusReason.OtherFocusReason)
        self.qtbot.keyClick(before, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is date.edit
        return after, date


@pytest.fixture
def windows(qtbot: QtBot) -> Windows:
    return Windows(qtbot)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


# --- Dates typed.


def test_a_date_typed_into_an_empty_field_shows_and_is_its_value(
    qtbot: QtBot, windows: Windows
) -> None:
    _after, date = windows.date_between_two_fields()
    assert date.edit.text() == "" and date.value() is None
    qtbot.keyClicks(focused(), "2027-06-30")
    assert date.edit.text() == "2027-06-30"
    assert date.value() == "2027-06-30" and date.problem() is None


def test_tab_leaves_a_date_and_keeps_what_was_typed_even_half_typed(
    qtbot: QtBot, windows: Windows, locale: None
) -> None:
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    after, date = windows.date_between_two_fields()
    qtbot.keyClicks(focused(), "2027-06-2")
    qtbot.keyClick(focused(), Qt.Key.Key_Backspace)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is after, "Tab goes on to the next field (the calendar button is no stop)"
    assert date.edit.text() == "2027-06-", "nothing typed is thrown away"
    assert date.value() == "2027-06-02", "the answer is the last date it was"
    assert date.problem() == "Enter a date as YYYY-MM-DD (2027-06-30) or as 30/06/2027."
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab)
    assert focused() is date.edit
    date.edit.end(False)
    qtbot.keyClicks(focused(), "30")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert date.value() == "2027-06-30" and date.problem() is None


@pytest.mark.parametrize(
    ("language", "country", "typed"),
    [
        (QLocale.Language.English, QLocale.Country.UnitedKingdom, "30/06/2027"),
        (QLocale.Language.English, QLocale.Country.UnitedStates, "6/30/2027"),
        (QLocale.Language.English, QLocale.Country.UnitedStates, "6/30/27"),
        (QLocale.Language.German, QLocale.Country.Germany, "30.06.27"),
    ],
)
def test_the_locales_short_date_format_is_read_and_written_as_stored_on_leaving(
    qtbot: QtBot,
    windows: Windows,
    locale: None,
    language: QLocale.Language,
    country: QLocale.Country,
    typed: str,
) -> None:
    QLocale.setDefault(QLocale(language, country))
    after, date = windows.date_between_two_fields()
    qtbot.keyClicks(focused(), typed)
    assert date.value() == "2027-06-30", "a two-digit year is the one within 50 years"
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is after and date.edit.text() == "2027-06-30"


def test_an_empty_date_stays_empty_through_tab_and_the_calendar(
    qtbot: QtBot, windows: Windows
) -> None:
    after, date = windows.date_between_two_fields()
    assert date.edit.placeholderText() == "YYYY-MM-DD"
    qtbot.keyClick(focused(), Qt.Key.Key_F4)
    calendar = date.edit.calendar
    assert calendar is not None and calendar.isVisible()
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert not calendar.isVisible() and focused() is date.edit
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is after
    assert date.edit.text() == "" and date.value() is None, "no 1901-01-01, no silent today"
    assert date.problem() is None


# --- Up and Down, the calendar.


@pytest.mark.parametrize(
    ("cursor", "key", "expected"),
    [
        (10, Qt.Key.Key_Up, "2027-07-01"),  # day, into the next month
        (9, Qt.Key.Key_Down, "2027-06-29"),
        (6, Qt.Key.Key_Up, "2027-07-30"),  # month
        (5, Qt.Key.Key_Down, "2027-05-30"),
        (0, Qt.Key.Key_Up, "2027-12-31"),  # year: held at the field's max
        (2, Qt.Key.Key_Down, "2027-01-01"),  # and at its min
    ],
)
def test_up_and_down_change_the_part_under_the_cursor_within_min_and_max(
    qtbot: QtBot, windows: Windows, cursor: int, key: Qt.Key, expected: str
) -> None:
    _after, date = windows.date_between_two_fields()
    qtbot.keyClicks(focused(), "2027-06-30")
    date.edit.setCursorPosition(cursor)
    qtbot.keyClick(focused(), key)
    assert date.edit.text() == expected and date.value() == expected


def test_up_in_a_locale_date_steps_that_part_and_keeps_the_locales_order(
    qtbot: QtBot, windows: Windows, locale: None
) -> None:
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    _after, date = windows.date_between_two_fields()
    qtbot.keyClicks(focused(), "6/30/2027")
    date.edit.setCursorPosition(0)  # the month comes first here
    qtbot.keyClick(focused(), Qt.Key.Key_Up)
    assert date.edit.text() == "7/30/2027" and date.value() == "2027-07-30"


def test_up_in_an_empty_date_starts_from_today_held_within_range(
    qtbot: QtBot, windows: Windows
) -> None:
    open_ended = Field(id="d", type=FieldType.DATE, label="D")
    _after, date = windows.date_between_two_fields(open_ended)
    qtbot.keyClick(focused(), Qt.Key.Key_Up)
    assert date.value() == QDate.currentDate().toString(Qt.DateFormat.ISODate)
    ranged = Field(id="r", type=FieldType.DATE, label="R", min="9000-01-01")
    _after, date = windows.date_between_two_fields(ranged)
    qtbot.keyClick(focused(), Qt.Key.Key_Down)
    assert date.value() == "9000-01-01"


def test_a_date_half_retyped_keeps_its_answer_until_complete_or_emptied(
    qtbot: QtBot, windows: Windows
) -> None:
    _after, date = windows.date_between_two_fields()
    date.set_value("2027-03-04")
    date.edit.selectAll()
    qtbot.keyClicks(focused(), "2027-1")
    assert date.value() == "2027-03-04" and date.problem() is not None
    qtbot.keyClicks(focused(), "1-05")
    assert date.value() == "2027-11-05" and date.problem() is None
    date.edit.selectAll()
    qtbot.keyClick(focused(), Qt.Key.Key_Delete)
    assert date.value() is None and date.problem() is None


def test_text_that_is_no_date_is_left_alone_by_up_and_down(qtbot: QtBot, windows: Windows) -> None:
    _after, date = windows.date_between_two_fields()
    qtbot.keyClicks(focused(), "2027-6")
    qtbot.keyClick(focused(), Qt.Key.Key_Up)
    assert date.edit.text() == "2027-6"


def test_alt_down_opens_the_calendar_at_the_date_and_enter_picks_one(
    qtbot: QtBot, windows: Windows
) -> None:
    after, date = windows.date_between_two_fields()
    qtbot.keyClicks(focused(), "2027-06-30")
    qtbot.keyClick(focused(), Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = date.edit.calendar
    assert calendar is not None and calendar.isVisible()
    assert calendar.selectedDate() == QDate(2027, 6, 30)
    assert (calendar.minimumDate(), calendar.maximumDate()) == (
        QDate(2027, 1, 1),
        QDate(2027, 12, 31),
    )
    qtbot.keyClick(focused(), Qt.Key.Key_Right)  # the next day, in the calendar
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert not calendar.isVisible() and focused() is date.edit
    assert date.value() == "2027-07-01"
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is after


def test_an_empty_dates_calendar_opens_at_this_month_and_a_click_picks(
    qtbot: QtBot, windows: Windows
) -> None:
    _after, date = windows.date_between_two_fields(Field(id="d", type=FieldType.DATE, label="D"))
    qtbot.keyClick(focused(), Qt.Key.Key_F4)
    calendar = date.edit.calendar
    assert calendar is not None
    today = QDate.currentDate()
    assert (calendar.yearShown(), calendar.monthShown()) == (today.year(), today.month())
    assert date.value() is None, "opening the calendar answers nothing"
    calendar.clicked.emit(QDate(2030, 1, 2))  # what a click on that day emits
    assert date.value() == "2030-01-02" and not calendar.isVisible()


def test_the_calendar_button_at_the_right_opens_the_calendar(
    qtbot: QtBot, windows: Windows
) -> None:
    _after, date = windows.date_between_two_fields()
    button = next(
        widget
        for widget in date.edit.findChildren(QWidget)
        if date.edit.calendar_action in widget.actions()
    )
    assert button.focusPolicy() == Qt.FocusPolicy.NoFocus
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert date.edit.calendar is not None and date.edit.calendar.isVisible()
    date.edit.calendar.hide()


# --- Through the player, into the database.


def test_a_date_typed_in_the_player_is_stored_and_a_half_typed_one_holds_next(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, KEYBOARD_WIZARD)
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    type_into(qtbot, player, "name", "Ada")
    when = find(player, "field_when", DateLineEdit)
    when.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClicks(when, "2027-06-")
    qtbot.keyClick(when, Qt.Key.Key_Tab)
    assert focused() is find(player, "field_note")
    error = find(player, "error_when")
    assert error.isVisible() and error.text().startswith("Enter a date as YYYY-MM-DD")  # type: ignore[attr-defined]
    assert not player.currentPage().isComplete(), "Next would lose what was typed"
    when.setFocus(Qt.FocusReason.BacktabFocusReason)
    when.end(False)  # type: ignore[attr-defined]
    qtbot.keyClicks(when, "30")
    assert not error.isVisible()
    press_next(qtbot, player)
    wait_saved(qtbot, window)
    assert step_id(player) == "last"
    assert load_session(player.info.id).answers["when"] == "2027-06-30"


def test_a_patterns_own_message_shows_under_the_field(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, KEYBOARD_WIZARD)
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    type_into(qtbot, player, "email", "ada at example.org")
    error = find(player, "error_email")
    assert error.isVisible() and error.text() == "Use the form name@example.org"  # type: ignore[attr-defined]
    type_into(qtbot, player, "email", "ada@example.org")
    assert not error.isVisible()


def test_a_message_appearing_moves_no_field_below(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, KEYBOARD_WIZARD)
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    below = [find(player, f"field_{field_id}") for field_id in ("email", "when", "note")]

    def positions() -> list[int]:
        return [widget.mapTo(player, QPoint(0, 0)).y() for widget in below]

    qtbot.wait(50)  # the page's first layout passes have run (else "before" is stale)
    before = positions()
    type_into(qtbot, player, "name", "A")  # too short: a message under the first field
    assert find(player, "error_name").isVisible()
    qtbot.wait(50)  # any layout pass that would move them has run
    assert positions() == before
    type_into(qtbot, player, "email", "nope")
    assert find(player, "error_email").isVisible()
    qtbot.wait(50)
    assert positions() == before


# --- Required check boxes and visible focus.


def test_a_required_check_box_shows_the_same_star_as_other_required_fields(
    qtbot: QtBot,
    windows: Windows,
) -> None:
    required = make_input(Field(id="agree", type=FieldType.BOOLEAN, label="I agree", required=True))
    optional = make_input(Field(id="news", type=FieldType.BOOLEAN, label="News"))
    text = FieldRow(make_input(Field(id="t", type=FieldType.TEXT, label="Name", required=True)))
    windows.show(FieldRow(required), FieldRow(optional), text)
    assert isinstance(required.widget, QCheckBox) and isinstance(optional.widget, QCheckBox)
    assert required.widget.text() == "I agree *"
    assert required.widget.accessibleName() == "I agree", "the star is not read out"
    assert optional.widget.text() == "News"
    assert find(text, "label_t").text() == "Name *"  # type: ignore[attr-defined]


def test_every_editor_looks_different_while_it_has_the_keyboard_focus(
    qtbot: QtBot, windows: Windows
) -> None:
    fields = [
        Field(id="text", type=FieldType.TEXT, label="Text"),
        Field(id="lines", type=FieldType.MULTILINE, label="Lines"),
        Field(id="number", type=FieldType.NUMBER, label="Number"),
        Field(id="date", type=FieldType.DATE, label="Date"),
        Field(id="radio", type=FieldType.CHOICE, label="Radio", options=OPTIONS),
        Field(id="checks", type=FieldType.MULTI_CHOICE, label="Checks", options=OPTIONS),
        Field(id="box", type=FieldType.BOOLEAN, label="Box"),
        Field(
            id="combo",
            type=FieldType.CHOICE,
            label="Combo",
            options=tuple(Option(str(n), f"Option {n}") for n in range(8)),
        ),
    ]
    start_here = QLineEdit()
    rows = [FieldRow(make_input(field)) for field in fields]
    windows.show(start_here, *rows)
    start_here.setFocus(Qt.FocusReason.OtherFocusReason)
    stops = ["field_text", "field_lines", "field_number", "field_date", "field_radio_a"]
    stops += ["field_checks_a", "field_checks_b", "field_box", "field_combo"]
    unfocused: dict[str, QImage] = {
        name: find(rows[0].window(), name).grab().toImage() for name in stops
    }
    for name in stops:
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        assert focused().objectName() == name, "Tab goes from field to field"
        assert focused().grab().toImage() != unfocused[name], f"{name} shows no focus"


def test_tab_reaches_every_check_box_of_a_multi_choice_and_space_ticks_it(
    qtbot: QtBot, windows: Windows
) -> None:
    """In a QButtonGroup, Tab and the arrows reached only the first box."""
    options = (*OPTIONS, Option("c", "Cherry"))
    field = Field(id="fruit", type=FieldType.MULTI_CHOICE, label="Fruit", options=options)
    before, fruit, after = QLineEdit(), make_input(field), QLineEdit()
    windows.show(before, FieldRow(fruit), after)
    before.setFocus(Qt.FocusReason.OtherFocusReason)
    reached = []
    for _ in options:
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        reached.append(focused().objectName())
        qtbot.keyClick(focused(), Qt.Key.Key_Space)
    assert reached == ["field_fruit_a", "field_fruit_b", "field_fruit_c"]
    assert fruit.value() == ["a", "b", "c"]
    qtbot.keyClick(focused(), Qt.Key.Key_Up)
    assert focused().objectName() == "field_fruit_b", "the arrows move between them too"
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is after


def test_a_radio_group_is_one_tab_stop_and_the_arrows_choose(
    qtbot: QtBot, windows: Windows
) -> None:
    field = Field(id="fruit", type=FieldType.CHOICE, label="Fruit", options=OPTIONS)
    before, fruit, after = QLineEdit(), make_input(field), QLineEdit()
    windows.show(before, FieldRow(fruit), after)
    before.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused().objectName() == "field_fruit_a"
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    assert fruit.value() == "a"
    qtbot.keyClick(focused(), Qt.Key.Key_Down)
    assert focused().objectName() == "field_fruit_b" and fruit.value() == "b"
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is after


def test_esc_in_the_calendar_closes_it_and_stays_in_the_player(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, KEYBOARD_WIZARD)
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    when = find(player, "field_when", DateLineEdit)
    assert isinstance(when, DateLineEdit)
    when.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(when, Qt.Key.Key_F4)
    assert when.calendar is not None and when.calendar.isVisible()
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert not when.calendar.isVisible() and focused() is when
    assert window.player is player and player.isVisible(), "Esc closed only the calendar"
    assert when.text() == ""


def test_retyping_a_date_never_stores_it_as_cleared_on_the_way(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    wizard_id = import_text(tmp_path, KEYBOARD_WIZARD)
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    when = find(player, "field_when", DateLineEdit)
    when.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClicks(when, "2027-03-04")
    wait_saved(qtbot, window)  # the draft of what is typed
    assert load_session(player.info.id).answers["when"] == "2027-03-04"
    when.selectAll()  # type: ignore[attr-defined]
    qtbot.keyClicks(when, "2027-1")
    wait_saved(qtbot, window)
    assert load_session(player.info.id).answers["when"] == "2027-03-04"
    qtbot.keyClicks(when, "1-05")
    wait_saved(qtbot, window)
    assert load_session(player.info.id).answers["when"] == "2027-11-05"
