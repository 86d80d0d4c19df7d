"""The field editors: one `FieldInput` class per field type, found through one registry
keyed by `FieldType`, and `FieldRow`, a field's label, editor, hint and in-place error.

Adding a field type means one new `FieldInput` subclass registered with
`@editor_for(FieldType.X)`; the player builds every editor with `make_input` and knows
nothing else about the types.

Two rules hold for every editor:
- It holds every value the format accepts (`NUMBER_LIMIT`, `DATE_MIN`..`DATE_MAX` in
  definition/model.py), so an answer is never changed on its way through the screen. It
  may accept somewhat beyond a field's own min/max, so the message can say why a value
  is refused.
- Text from a wizard file is shown as plain text: labels are `PlainText` QLabels, tool
  tips are escaped (Qt guesses rich text there), button texts keep a literal `&`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QDate, QLocale, QPoint, Qt
from PySide6.QtGui import QIcon, QKeyEvent, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QButtonGroup,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QStyle,
    QStyleOption,
    QVBoxLayout,
    QWidget,
)

from wizard_desktop.definition.answers import answer_problem
from wizard_desktop.definition.model import (
    DATE_MAX,
    DATE_MIN,
    NUMBER_LIMIT,
    AnswerValue,
    Field,
    FieldType,
)
from wizard_desktop.ui.markdown import plain_label, plain_tooltip

MAX_RADIO_OPTIONS = 6
ROW_MAX_WIDTH = 640
EDITOR_WIDTH = 200
UNANSWERED_TEXT = "—"
ISO_FORMAT = "yyyy-MM-dd"  # how a date is stored, and shown once typed
# Readable on light and on dark palettes (the system's light/dark scheme).
ERROR_COLOR_ON_LIGHT = "#b00020"
ERROR_COLOR_ON_DARK = "#ff8a80"
HINT_STYLE = "color: palette(placeholder-text);"


def button_text(text: str) -> str:
    """`text` for a button or a label with a buddy, where `&` marks a shortcut key."""
    return text.replace("&", "&&")


def required_label(field: Field) -> str:
    """The field's label as shown: a required field's ends with `*`."""
    return f"{field.label} *" if field.required else field.label


class FieldInput:
    """The editor of one field: `widget` (objectName `field_<id>`, accessible name =
    label), its value as a stored answer (None when unanswered) and a change hook."""

    widget: QWidget

    def __init__(self, field: Field) -> None:
        self.field = field

    def _name(self, widget: QWidget) -> None:
        self.widget = widget
        widget.setObjectName(f"field_{self.field.id}")
        widget.setAccessibleName(self.field.label)
        if self.field.help:
            widget.setToolTip(plain_tooltip(self.field.help))
            widget.setAccessibleDescription(self.field.help)

    def value(self) -> AnswerValue | None:
        raise NotImplementedError

    def set_value(self, value: AnswerValue | None) -> None:
        raise NotImplementedError

    def on_change(self, callback: Callable[[], None]) -> None:
        raise NotImplementedError

    def focus_widget(self) -> QWidget:
        return self.widget

    def entry_problem(self) -> str | None:
        """Why what is typed is no value yet (a date half typed), or None."""
        return None

    def problem(self) -> str | None:
        """Why the editor holds no acceptable answer, as a sentence, or None."""
        return self.entry_problem() or answer_problem(self.field, self.value())


EditorFactory = TypeVar("EditorFactory", bound=Callable[[Field], FieldInput])
_EDITORS: dict[FieldType, Callable[[Field], FieldInput]] = {}


def editor_for(field_type: FieldType) -> Callable[[EditorFactory], EditorFactory]:
    """Register the editor (a FieldInput class, or a function choosing one) of a type."""

    def register(factory: EditorFactory) -> EditorFactory:
        assert field_type not in _EDITORS, f"two editors for {field_type}"
        _EDITORS[field_type] = factory
        return factory

    return register


def make_input(field: Field) -> FieldInput:
    """The editor of `field`, from the registry."""
    return _EDITORS[field.type](field)


@editor_for(FieldType.TEXT)
class TextInput(FieldInput):
    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.edit = QLineEdit(placeholderText=field.placeholder or "")
        self._name(self.edit)

    def value(self) -> AnswerValue | None:
        return self.edit.text() or None

    def set_value(self, value: AnswerValue | None) -> None:
        self.edit.setText(value if isinstance(value, str) else "")

    def on_change(self, callback: Callable[[], None]) -> None:
        self.edit.textChanged.connect(callback)


@editor_for(FieldType.MULTILINE)
class MultilineInput(FieldInput):
    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 4 + 12)
        self._name(self.edit)

    def value(self) -> AnswerValue | None:
        return self.edit.toPlainText() or None

    def set_value(self, value: AnswerValue | None) -> None:
        self.edit.setPlainText(value if isinstance(value, str) else "")

    def on_change(self, callback: Callable[[], None]) -> None:
        self.edit.textChanged.connect(callback)


@editor_for(FieldType.NUMBER)
class NumberInput(FieldInput):
    """A spin box of doubles, which hold every integer below NUMBER_LIMIT exactly (a
    QSpinBox holds only a C int). Its lowest value, -NUMBER_LIMIT, is no answer the
    format accepts, so it means "not answered" (shown as a dash). A number given and
    not changed is returned as given (an integer default of a field with decimals
    stays an integer)."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.spin = QDoubleSpinBox(decimals=field.decimals)
        self.spin.setRange(-NUMBER_LIMIT, NUMBER_LIMIT)
        self.spin.setSpecialValueText(UNANSWERED_TEXT)
        self.spin.setSuffix(f" {field.unit}" if field.unit else "")
        self.spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        self.spin.setFixedWidth(EDITOR_WIDTH)
        self.given: int | float | None = None
        self._name(self.spin)

    def value(self) -> AnswerValue | None:
        number = self.spin.value()
        if number == self.spin.minimum():
            return None
        shown = round(number, self.field.decimals) if self.field.decimals else int(number)
        return self.given if shown == self.given else shown

    def set_value(self, value: AnswerValue | None) -> None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.given = value
            # Compared as Python numbers: an int too large for a double cannot raise.
            self.spin.setValue(min(max(value, -NUMBER_LIMIT), NUMBER_LIMIT))
        else:
            self.given = None
            self.spin.setValue(self.spin.minimum())

    def on_change(self, callback: Callable[[], None]) -> None:
        self.spin.valueChanged.connect(callback)


def _numeric_format(date_format: str, year: str) -> str:
    """`date_format` read leniently: days and months with or without a leading zero,
    the year as `year` ("yyyy" or "yy")."""
    lenient = re.sub(r"(?<!d)dd(?!d)", "d", date_format)
    lenient = re.sub(r"(?<!M)MM(?!M)", "M", lenient)
    return re.sub(r"y+", year, lenient)


def date_formats(locale: QLocale) -> list[tuple[str, str]]:
    """The formats a typed date is read in, each with the one it is shown in after Up
    or Down: ISO first (what is stored), then the locale's short format with a
    four-digit year, then with a two-digit year when the locale writes one."""
    short = locale.dateFormat(QLocale.FormatType.ShortFormat)
    shown_short = re.sub(r"y+", "yyyy", short)
    formats = [(_numeric_format(ISO_FORMAT, "yyyy"), ISO_FORMAT)]
    formats.append((_numeric_format(short, "yyyy"), shown_short))
    if "yyyy" not in short:
        formats.append((_numeric_format(short, "yy"), shown_short))
    return formats


def read_date(text: str, locale: QLocale) -> tuple[QDate, str] | None:
    """The date `text` means, with the format to show it in; None when it is none.
    A two-digit year is the one within 50 years of this year."""
    text = text.strip()
    base_year = QDate.currentDate().year() - 50
    for read_format, shown_format in date_formats(locale):
        date = locale.toDate(text, read_format, base_year)
        if date.isValid():
            return date, shown_format
    return None


def _field_date(bound: AnswerValue | None, fallback: dt.date) -> QDate:
    when = dt.date.fromisoformat(bound) if isinstance(bound, str) else fallback
    return QDate(when.year, when.month, when.day)


class DateLineEdit(QLineEdit):
    """A date typed as text (ISO or the locale's short format), with a calendar.

    Up/Down step the day, month or year under the cursor within the field's range;
    Alt+Down and F4 open the calendar (also its button at the right). What is typed is
    kept as typed until it is a date; leaving the field writes a date as YYYY-MM-DD."""

    def __init__(self, first: QDate, last: QDate) -> None:
        super().__init__(placeholderText="YYYY-MM-DD")
        self.first, self.last = first, last
        self.calendar: QCalendarWidget | None = None  # built when first opened
        self.calendar_action = self.addAction(
            _drop_down_icon(self), QLineEdit.ActionPosition.TrailingPosition
        )
        self.calendar_action.setToolTip("Choose from a calendar (Alt+Down)")
        self.calendar_action.triggered.connect(self.open_calendar)
        self.editingFinished.connect(self._write_as_stored)

    def date(self) -> QDate | None:
        read = read_date(self.text(), self.locale())
        return read[0] if read is not None else None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, modifiers = event.key(), event.modifiers()
        alt = modifiers & Qt.KeyboardModifier.AltModifier
        if key == Qt.Key.Key_F4 or (key == Qt.Key.Key_Down and alt):
            self.open_calendar()
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not alt:
            self.step_part(1 if key == Qt.Key.Key_Up else -1)
        else:
            super().keyPressEvent(event)

    def step_part(self, steps: int) -> None:
        """Move the part under the cursor (day, month or year) by `steps`, within range.
        An empty field starts from today; text that is no date is left as typed."""
        text = self.text()
        read = read_date(text, self.locale())
        if read is None:
            if not text.strip():
                self._show(self._within(QDate.currentDate()), ISO_FORMAT, part=0)
            return
        date, shown_format = read
        runs = [m.span() for m in re.finditer(r"\d+", text)]
        cursor = self.cursorPosition()
        part = next((n for n, (start, end) in enumerate(runs) if start <= cursor <= end), 0)
        kind = re.findall(r"d+|M+|y+", shown_format)[part][0]
        if kind == "d":
            date = date.addDays(steps)
        elif kind == "M":
            date = date.addMonths(steps)
        else:
            date = date.addYears(steps)
        self._show(self._within(date), shown_format, part)

    def open_calendar(self) -> None:
        """Show the calendar under the field at its date (this month when empty); a
        date is answered only when one is picked."""
        if self.calendar is None:
            self.calendar = QCalendarWidget(self)
            self.calendar.setWindowFlags(Qt.WindowType.Popup)
            self.calendar.setObjectName(f"{self.objectName()}_calendar")
            self.calendar.clicked.connect(self._pick)
            self.calendar.activated.connect(self._pick)
        calendar = self.calendar
        calendar.setDateRange(self.first, self.last)
        calendar.setSelectedDate(self._within(self.date() or QDate.currentDate()))
        calendar.move(self.mapToGlobal(QPoint(0, self.height())))
        calendar.show()
        calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    def _pick(self, date: QDate) -> None:
        assert self.calendar is not None
        self.calendar.hide()
        self.setText(date.toString(ISO_FORMAT))
        self.setFocus(Qt.FocusReason.PopupFocusReason)

    def _within(self, date: QDate) -> QDate:
        return min(max(date, self.first), self.last)

    def _show(self, date: QDate, shown_format: str, part: int) -> None:
        shown_in = self.locale() if shown_format != ISO_FORMAT else QLocale.c()
        text = shown_in.toString(date, shown_format)
        self.setText(text)
        runs = [m.end() for m in re.finditer(r"\d+", text)]
        self.setCursorPosition(runs[min(part, len(runs) - 1)])

    def _write_as_stored(self) -> None:
        date = self.date()
        if date is not None and self.text() != date.toString(ISO_FORMAT):
            self.setText(date.toString(ISO_FORMAT))


def _drop_down_icon(widget: QWidget) -> QIcon:
    """The style's drop-down arrow (as on a combo box), for the calendar button."""
    pixmap = QPixmap(16, 16)
    pixmap.fill(Qt.GlobalColor.transparent)
    option = QStyleOption()
    option.initFrom(widget)
    option.rect = pixmap.rect()
    painter = QPainter(pixmap)
    widget.style().drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorArrowDown, option, painter)
    painter.end()
    return QIcon(pixmap)


@editor_for(FieldType.DATE)
class DateInput(FieldInput):
    """A date from the field's min (at least DATE_MIN) to its max (at most DATE_MAX),
    typed or picked; empty means "not answered". While the text is no date (half
    typed), the answer stays the last date it was, and `entry_problem` holds the page:
    retyping a date never clears the stored one on the way."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        first, last = _field_date(field.min, DATE_MIN), _field_date(field.max, DATE_MAX)
        self.edit = DateLineEdit(first, last)
        self.edit.setFixedWidth(EDITOR_WIDTH)
        self.held: str | None = None
        self.edit.textChanged.connect(self._hold)  # before any on_change callback
        self._name(self.edit)

    def _hold(self, text: str) -> None:
        date = self.edit.date()
        if date is not None:
            self.held = date.toString(ISO_FORMAT)
        elif not text.strip():
            self.held = None

    def value(self) -> AnswerValue | None:
        return self.held

    def set_value(self, value: AnswerValue | None) -> None:
        self.edit.setText(value if isinstance(value, str) else "")

    def on_change(self, callback: Callable[[], None]) -> None:
        self.edit.textChanged.connect(callback)

    def entry_problem(self) -> str | None:
        if not self.edit.text().strip() or self.edit.date() is not None:
            return None
        example = QDate(2027, 6, 30)
        local = self.edit.locale().toString(example, date_formats(self.edit.locale())[1][1])
        return f"Enter a date as YYYY-MM-DD (2027-06-30) or as {local}."


@editor_for(FieldType.BOOLEAN)
class BooleanInput(FieldInput):
    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.box = QCheckBox(button_text(required_label(field)))
        self._name(self.box)

    def value(self) -> AnswerValue | None:
        return self.box.isChecked()

    def set_value(self, value: AnswerValue | None) -> None:
        self.box.setChecked(value is True)

    def on_change(self, callback: Callable[[], None]) -> None:
        self.box.toggled.connect(callback)


class ComboChoiceInput(FieldInput):
    """A choice with many options: a combo box that starts with nothing chosen."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.combo = QComboBox(placeholderText="Choose…")
        for option in field.options:
            self.combo.addItem(option.label, option.value)
        self._name(self.combo)

    def value(self) -> AnswerValue | None:
        return self.combo.currentData()

    def set_value(self, value: AnswerValue | None) -> None:
        self.combo.setCurrentIndex(self.combo.findData(value) if value is not None else -1)

    def on_change(self, callback: Callable[[], None]) -> None:
        self.combo.currentIndexChanged.connect(callback)


@editor_for(FieldType.MULTI_CHOICE)
class OptionButtonsInput(FieldInput):
    """Radio buttons (choice) or check boxes (multi_choice) in a named group widget;
    each button is `field_<id>_<option value>`. Radio buttons are one Tab stop (the
    arrows choose among them, as everywhere); check boxes are one stop each, so they
    belong to no QButtonGroup: in one, Tab and the arrows reach only the first box."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.multiple = field.type is FieldType.MULTI_CHOICE
        group_widget = QWidget()
        layout = QVBoxLayout(group_widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.group = QButtonGroup(group_widget)
        self.group.setExclusive(not self.multiple)
        self.buttons: dict[str, QCheckBox | QRadioButton] = {}
        for option in field.options:
            text = button_text(option.label)
            button = QCheckBox(text) if self.multiple else QRadioButton(text)
            button.setObjectName(f"field_{field.id}_{option.value}")
            if not self.multiple:
                self.group.addButton(button)
            layout.addWidget(button)
            self.buttons[option.value] = button
        self._name(group_widget)

    def value(self) -> AnswerValue | None:
        chosen = [value for value, button in self.buttons.items() if button.isChecked()]
        if self.multiple:
            return chosen
        return chosen[0] if chosen else None

    def set_value(self, value: AnswerValue | None) -> None:
        wanted = set(value) if isinstance(value, list) else {value}
        self.group.setExclusive(False)  # lets an exclusive group go back to "none chosen"
        for option_value, button in self.buttons.items():
            button.setChecked(option_value in wanted)
        self.group.setExclusive(not self.multiple)

    def on_change(self, callback: Callable[[], None]) -> None:
        for button in self.buttons.values():
            button.toggled.connect(callback)

    def focus_widget(self) -> QWidget:
        checked = [b for b in self.buttons.values() if b.isChecked()]
        return (checked or list(self.buttons.values()))[0]


@editor_for(FieldType.CHOICE)
def choice_input(field: Field) -> FieldInput:
    """Radio buttons for a few options, a combo box beyond MAX_RADIO_OPTIONS."""
    if len(field.options) > MAX_RADIO_OPTIONS:
        return ComboChoiceInput(field)
    return OptionButtonsInput(field)


class FieldRow(QWidget):
    """A field's label, editor, help hint and in-place error message."""

    def __init__(self, field_input: FieldInput) -> None:
        super().__init__()
        field = field_input.field
        self.input = field_input
        self.setMaximumWidth(ROW_MAX_WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        if field.type is not FieldType.BOOLEAN:  # a check box carries its own label
            label = plain_label(button_text(required_label(field)))
            label.setObjectName(f"label_{field.id}")
            label.setBuddy(field_input.focus_widget())
            label.setStyleSheet("font-weight: 600;")
            layout.addWidget(label)
        layout.addWidget(field_input.widget)
        if field.help:
            hint = plain_label(field.help, f"hint_{field.id}")
            hint.setStyleSheet(HINT_STYLE)
            layout.addWidget(hint)
        self.error = plain_label(object_name=f"error_{field.id}")
        self.error.setAccessibleName(f"{field.label}: problem")
        # A line is kept for the message, shown or not: one appearing moves no field below.
        self.error.setMinimumHeight(self.error.fontMetrics().lineSpacing())
        keep_space = self.error.sizePolicy()
        keep_space.setRetainSizeWhenHidden(True)
        self.error.setSizePolicy(keep_space)
        self.error.hide()
        layout.addWidget(self.error)

    def show_problem(self, problem: str | None) -> None:
        """Show `problem` under the field, or hide it (None). This runs for every field
        on each keystroke, so the colour is styled only when a problem shows it."""
        if problem is not None:
            dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
            style = f"color: {ERROR_COLOR_ON_DARK if dark else ERROR_COLOR_ON_LIGHT};"
            if self.error.styleSheet() != style:
                self.error.setStyleSheet(style)
        self.error.setText(problem or "")
        self.error.setVisible(problem is not None)
