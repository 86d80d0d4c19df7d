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

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from wizard_desktop.definition.model import (
    DATE_MAX,
    DATE_MIN,
    NUMBER_LIMIT,
    AnswerValue,
    Field,
    FieldType,
)
from wizard_desktop.ui.markdown import plain_tooltip

MAX_RADIO_OPTIONS = 6
ROW_MAX_WIDTH = 640
EDITOR_WIDTH = 200
UNANSWERED_TEXT = "—"
# The date editor's "not answered" value: the day before the first date the format accepts.
NO_DATE = QDate(DATE_MIN.year, DATE_MIN.month, DATE_MIN.day).addDays(-1)
LAST_DATE = QDate(DATE_MAX.year, DATE_MAX.month, DATE_MAX.day)
# Readable on light and on dark palettes (the system's light/dark scheme).
ERROR_COLOR_ON_LIGHT = "#b00020"
ERROR_COLOR_ON_DARK = "#ff8a80"
HINT_STYLE = "color: palette(placeholder-text);"


def plain_label(text: str = "", object_name: str = "") -> QLabel:
    """A word-wrapped QLabel that shows `text` literally (never as HTML)."""
    label = QLabel(objectName=object_name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setText(text)
    return label


def button_text(text: str) -> str:
    """`text` for a button or a label with a buddy, where `&` marks a shortcut key."""
    return text.replace("&", "&&")


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


class _CalendarOpensAtToday(QObject):
    """The calendar of an unanswered date shows this month, not the placeholder's; the
    date stays unanswered until one is picked. Qt creates the calendar when it is
    first needed (creating it up front made every page with a date slow to build), so
    this watches the editor until it is first pressed, then the calendar being shown."""

    def __init__(self, edit: QDateEdit) -> None:
        super().__init__(edit)
        self.edit = edit
        edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.edit and kind in (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress):
            self.edit.removeEventFilter(self)
            self.edit.calendarWidget().installEventFilter(self)
        elif kind == QEvent.Type.Show and self.edit.date() == NO_DATE:
            today = QDate.currentDate()
            self.edit.calendarWidget().setCurrentPage(today.year(), today.month())
        return False


@editor_for(FieldType.DATE)
class DateInput(FieldInput):
    """A date from DATE_MIN to DATE_MAX; the day before DATE_MIN means "not answered"."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.edit = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.edit.setDateRange(NO_DATE, LAST_DATE)
        self.edit.setSpecialValueText(UNANSWERED_TEXT)
        self.edit.setFixedWidth(EDITOR_WIDTH)
        self._name(self.edit)
        _CalendarOpensAtToday(self.edit)

    def value(self) -> AnswerValue | None:
        date = self.edit.date()
        return None if date == NO_DATE else date.toString(Qt.DateFormat.ISODate)

    def set_value(self, value: AnswerValue | None) -> None:
        date = QDate.fromString(value, Qt.DateFormat.ISODate) if isinstance(value, str) else NO_DATE
        self.edit.setDate(date if date.isValid() else NO_DATE)

    def on_change(self, callback: Callable[[], None]) -> None:
        self.edit.dateChanged.connect(callback)


@editor_for(FieldType.BOOLEAN)
class BooleanInput(FieldInput):
    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.box = QCheckBox(button_text(field.label))
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
    each button is `field_<id>_<option value>`."""

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
        self.group.buttonToggled.connect(callback)

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
        layout.setContentsMargins(0, 0, 0, 6)
        layout.setSpacing(3)
        if field.type is not FieldType.BOOLEAN:  # a check box carries its own label
            label = plain_label(button_text(f"{field.label}{' *' if field.required else ''}"))
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
