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

from PySide6.QtCore import QDate, QLocale, QPoint, Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QHideEvent,
    QIcon,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QShowEvent,
    QValidator,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QButtonGroup,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyleOption,
    QStyleOptionFocusRect,
    QVBoxLayout,
    QWidget,
)

from wizard_desktop.definition.answers import answer_problem, rating_scale
from wizard_desktop.definition.model import (
    DATE_MAX,
    DATE_MIN,
    NUMBER_LIMIT,
    AnswerValue,
    Field,
    FieldType,
)
from wizard_desktop.ui.formatting import format_answer
from wizard_desktop.ui.markdown import MarkdownView, markdown_block, plain_label, plain_tooltip

MAX_RADIO_OPTIONS = 6
ROW_MAX_WIDTH = 640
EDITOR_WIDTH = 200
UNANSWERED_TEXT = "—"
ISO_FORMAT = "yyyy-MM-dd"  # how a date is stored, and shown once typed
# Readable on light and on dark palettes (the system's light/dark scheme).
ERROR_COLOR_ON_LIGHT = "#b00020"
ERROR_COLOR_ON_DARK = "#ff8a80"
HINT_STYLE = "color: palette(placeholder-text);"
MAX_RANKING_ROWS_SHOWN = 10  # a longer ranking scrolls
RANKING_LIST_WIDTH = 420
NOT_RANKED_TEXT = "Not ranked yet: move an option, or keep this order."


def button_text(text: str) -> str:
    """`text` for a button or a label with a buddy, where `&` marks a shortcut key."""
    return text.replace("&", "&&")


def required_label(label: str, required: bool) -> str:
    """A field's label as shown: a required field's ends with `*`."""
    return f"{label} *" if required else label


# Types with no answer of the person's: nothing to type, nothing to check, no Tab stop.
SHOWN_ONLY = frozenset({FieldType.NOTE, FieldType.CALCULATED})


class FieldInput:
    """The editor of one field: `widget` (objectName `field_<id>`, accessible name =
    label), its value as a stored answer (None when unanswered) and a change hook."""

    widget: QWidget
    row_width = ROW_MAX_WIDTH  # the widest its FieldRow grows (a grid's is wider)

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

    def set_label(self, label: str, required: bool) -> None:
        """Name the editor `label` (interpolated); editors that show their label
        themselves show it marked when `required`."""
        self.widget.setAccessibleName(label)

    def set_options(self, values: tuple[str, ...]) -> None:
        """Offer only the options `values` (those whose `visible_if` holds)."""

    def show_texts(self, field: Field) -> None:
        """The same field in another language (`languages.localized`): show its texts
        (options, placeholder, unit…), the answer untouched. The label, help and
        messages follow through the row and the page; editors showing texts of their
        own override this."""
        self.field = field

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

    def show_texts(self, field: Field) -> None:
        super().show_texts(field)
        self.edit.setPlaceholderText(field.placeholder or "")


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


class NumberSpinBox(QDoubleSpinBox):
    """A number editor whose minimum, shown as UNANSWERED_TEXT, means "not answered",
    as does a number deleted, and stays so: Qt reads either text as no number and
    corrects it to the nearest value, 0, whenever it reads the text again (Tab away,
    Enter, the wizard's buttons updated). A digit typed onto the dash replaces it. Up
    or Down from unanswered start at `start`."""

    def __init__(self, decimals: int, start: float) -> None:
        super().__init__(decimals=decimals)
        self.start = start
        self.setSpecialValueText(UNANSWERED_TEXT)

    def _unanswered(self, text: str) -> bool:
        suffix = self.suffix()
        if suffix and text.endswith(suffix):
            text = text[: -len(suffix)]
        return text.strip() in ("", UNANSWERED_TEXT)

    def validate(self, text: str, pos: int) -> object:
        if UNANSWERED_TEXT in text and text != UNANSWERED_TEXT:  # typed onto the dash
            pos = max(0, pos - text[:pos].count(UNANSWERED_TEXT))
            text = text.replace(UNANSWERED_TEXT, "")
        if self._unanswered(text):
            return QValidator.State.Acceptable, text, pos
        return super().validate(text, pos)

    def valueFromText(self, text: str) -> float:
        return self.minimum() if self._unanswered(text) else super().valueFromText(text)

    def stepBy(self, steps: int) -> None:
        if self.value() == self.minimum():
            self.setValue(self.start)
            self.selectAll()
        else:
            super().stepBy(steps)

    # QWizard hides and shows its pages each time a page's completeness changes, and a
    # spin box shown again writes its value anew ("1." being typed became "1.0", and
    # the "5" that followed was refused): what is typed comes back as it was, unless
    # the value changed meanwhile.
    _typed: tuple[str, int, float] | None = None

    def hideEvent(self, event: QHideEvent) -> None:
        text, cursor = self.lineEdit().text(), self.lineEdit().cursorPosition()
        super().hideEvent(event)  # reads the text: the value it means so far
        self._typed = (text, cursor, self.value()) if self.hasFocus() else None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        typed, self._typed = self._typed, None
        if typed is not None and typed[2] == self.value() and self.lineEdit().text() != typed[0]:
            self.lineEdit().setText(typed[0])
            self.lineEdit().setCursorPosition(typed[1])


@editor_for(FieldType.NUMBER)
class NumberInput(FieldInput):
    """A spin box of doubles, which hold every integer below NUMBER_LIMIT exactly (a
    QSpinBox holds only a C int). Its lowest value, -NUMBER_LIMIT, is no answer the
    format accepts, so it means "not answered" (shown as a dash). A number given and
    not changed is returned as given (an integer default of a field with decimals
    stays an integer). Up or Down on an unanswered one start at the field's min (else
    0, or its max when that is below 0)."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        low, high = field.min, field.max
        if isinstance(low, int | float):
            start = float(low)
        else:
            start = min(0.0, float(high)) if isinstance(high, int | float) else 0.0
        self.spin = NumberSpinBox(field.decimals, start)
        self.spin.setRange(-NUMBER_LIMIT, NUMBER_LIMIT)
        self._show_unit()
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

    def _show_unit(self) -> None:
        self.spin.setSuffix(f" {self.field.unit}" if self.field.unit else "")

    def show_texts(self, field: Field) -> None:
        super().show_texts(field)
        self._show_unit()


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


class HeldTextInput(FieldInput):
    """A value typed as text into `edit` (a date, a time): while the text is no value
    (half typed), the answer stays the last value it was, and `entry_problem` holds the
    page, so retyping never clears the stored answer on the way; empty means "not
    answered". A subclass reads the text (`read`) and says how to write it
    (`entry_message`)."""

    edit: QLineEdit

    def _hold_typed(self, edit: QLineEdit) -> None:
        self.edit = edit
        edit.setFixedWidth(EDITOR_WIDTH)
        self.held: str | None = None
        edit.textChanged.connect(self._hold)  # before any on_change callback
        self._name(edit)

    def read(self, text: str) -> str | None:
        """The stored form of the value `text` means, or None when it is none."""
        raise NotImplementedError

    def entry_message(self) -> str:
        raise NotImplementedError

    def _hold(self, text: str) -> None:
        value = self.read(text)
        if value is not None:
            self.held = value
        elif not text.strip():
            self.held = None

    def value(self) -> AnswerValue | None:
        return self.held

    def set_value(self, value: AnswerValue | None) -> None:
        self.edit.setText(value if isinstance(value, str) else "")

    def on_change(self, callback: Callable[[], None]) -> None:
        self.edit.textChanged.connect(callback)

    def entry_problem(self) -> str | None:
        text = self.edit.text()
        if not text.strip() or self.read(text) is not None:
            return None
        return self.entry_message()


@editor_for(FieldType.DATE)
class DateInput(HeldTextInput):
    """A date from the field's min (at least DATE_MIN) to its max (at most DATE_MAX),
    typed (ISO or the locale's short format) or picked; held as `HeldTextInput` says."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        first, last = _field_date(field.min, DATE_MIN), _field_date(field.max, DATE_MAX)
        self._hold_typed(DateLineEdit(first, last))

    def read(self, text: str) -> str | None:
        read = read_date(text, self.edit.locale())
        return read[0].toString(ISO_FORMAT) if read is not None else None

    def entry_message(self) -> str:
        example = QDate(2027, 6, 30)
        local = self.edit.locale().toString(example, date_formats(self.edit.locale())[1][1])
        return f"Enter a date as YYYY-MM-DD (2027-06-30) or as {local}."


@editor_for(FieldType.BOOLEAN)
class BooleanInput(FieldInput):
    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.box = QCheckBox(button_text(required_label(field.label, field.required)))
        self._name(self.box)

    def value(self) -> AnswerValue | None:
        return self.box.isChecked()

    def set_value(self, value: AnswerValue | None) -> None:
        self.box.setChecked(value is True)

    def on_change(self, callback: Callable[[], None]) -> None:
        self.box.toggled.connect(callback)

    def set_label(self, label: str, required: bool) -> None:
        super().set_label(label, required)
        self.box.setText(button_text(required_label(label, required)))


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

    def set_options(self, values: tuple[str, ...]) -> None:
        chosen = self.combo.currentData()
        offered = set(values)
        self.combo.blockSignals(True)  # the answer changes only through set_value
        self.combo.clear()
        for option in self.field.options:
            if option.value in offered:
                self.combo.addItem(option.label, option.value)
        self.combo.setCurrentIndex(self.combo.findData(chosen) if chosen is not None else -1)
        self.combo.blockSignals(False)

    def set_value(self, value: AnswerValue | None) -> None:
        self.combo.setCurrentIndex(self.combo.findData(value) if value is not None else -1)

    def on_change(self, callback: Callable[[], None]) -> None:
        self.combo.currentIndexChanged.connect(callback)

    def show_texts(self, field: Field) -> None:
        super().show_texts(field)
        labels = {option.value: option.label for option in field.options}
        for index in range(self.combo.count()):
            self.combo.setItemText(index, labels[self.combo.itemData(index)])


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

    def show_texts(self, field: Field) -> None:
        super().show_texts(field)
        for option in field.options:
            self.buttons[option.value].setText(button_text(option.label))

    def set_options(self, values: tuple[str, ...]) -> None:
        offered = set(values)
        for option_value, button in self.buttons.items():
            if button.isHidden() == (option_value in offered):
                button.setVisible(option_value in offered)

    def focus_widget(self) -> QWidget:
        shown = [b for b in self.buttons.values() if not b.isHidden()]
        checked = [b for b in shown if b.isChecked()]
        return (checked or shown or list(self.buttons.values()))[0]


@editor_for(FieldType.CHOICE)
def choice_input(field: Field) -> FieldInput:
    """Radio buttons for a few options, a combo box beyond MAX_RADIO_OPTIONS."""
    if len(field.options) > MAX_RADIO_OPTIONS:
        return ComboChoiceInput(field)
    return OptionButtonsInput(field)


@editor_for(FieldType.NOTE)
class NoteInput(FieldInput):
    """A note: its label is Markdown shown in the step (loading nothing); no answer."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.view: MarkdownView = markdown_block(field.label, "")
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._name(self.view)

    def value(self) -> AnswerValue | None:
        return None

    def set_value(self, value: AnswerValue | None) -> None:
        """A note holds no answer."""

    def on_change(self, callback: Callable[[], None]) -> None:
        """A note never changes by itself."""

    def set_label(self, label: str, required: bool) -> None:
        super().set_label(label, required)
        self.view.setMarkdown(label)

    def problem(self) -> str | None:
        return None


@editor_for(FieldType.CALCULATED)
class CalculatedInput(FieldInput):
    """A calculated value, shown read-only as answers read (`format_answer`). The
    wizard's logic computes it; the person can select and copy it, not change it."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.held: AnswerValue | None = None
        self.label = plain_label(format_answer(field, None))
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setStyleSheet("font-size: 12pt;")
        self._name(self.label)

    def value(self) -> AnswerValue | None:
        return self.held

    def set_value(self, value: AnswerValue | None) -> None:
        self.held = value
        self.label.setText(format_answer(self.field, value))

    def on_change(self, callback: Callable[[], None]) -> None:
        """The person never changes a calculated value."""

    def show_texts(self, field: Field) -> None:
        super().show_texts(field)
        self.label.setText(format_answer(field, self.held))

    def problem(self) -> str | None:
        return None


def rating_points(field: Field) -> list[tuple[AnswerValue, str]]:
    """A rating's points, lowest first, each with the text of its button: the labelled
    options (answer: the option's value), or the numbers min..max (answer: the int)."""
    if field.options:
        return [(option.value, option.label) for option in field.options]
    low, high = rating_scale(field)
    return [(number, str(number)) for number in range(low, high + 1)]


class RatingBar(QWidget):
    """A rating's points as a row of buttons in one Tab stop: Left/Down and Right/Up
    move the choice, Home/End go to the ends, the number keys choose that point (a
    numeric scale's number, 0 for 10; else the n-th point), Delete or Backspace clear
    it, as do the Clear button and a click on the chosen point."""

    chosenChanged = Signal()

    def __init__(self, field: Field) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # The chosen point stands out on light and dark palettes alike.
        self.setStyleSheet(
            "QPushButton:checked { background: palette(highlight);"
            " color: palette(highlighted-text); border: 1px solid palette(dark);"
            " border-radius: 3px; padding: 4px 8px; }"
        )
        self.points = rating_points(field)
        self.chosen: int | None = None  # index in `points`
        layout = QHBoxLayout(self)
        layout.setContentsMargins(3, 3, 3, 3)
        layout.setSpacing(4)
        self.buttons: list[QPushButton] = []
        for index, (value, text) in enumerate(self.points):
            button = QPushButton(button_text(text), objectName=f"field_{field.id}_{value}")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAutoDefault(False)
            if not field.options:
                button.setFixedWidth(button.fontMetrics().horizontalAdvance("10") + 24)
            button.toggled.connect(lambda checked, n=index: self._toggled(n, checked))
            layout.addWidget(button)
            self.buttons.append(button)
        self.clear_button = QPushButton("Clear", objectName=f"field_{field.id}_clear")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.setAutoDefault(False)
        self.clear_button.setToolTip("Clear the rating (Delete)")
        self.clear_button.clicked.connect(lambda: self.choose(None))
        layout.addWidget(self.clear_button)
        layout.addStretch(1)
        self.choose(None, notify=False)

    def _toggled(self, index: int, checked: bool) -> None:
        """A button pressed (or checked by an assistive tool): a click on the chosen
        point unchecks it, which clears the rating."""
        if checked:
            self.choose(index)
        elif index == self.chosen:
            self.choose(None)

    def choose(self, index: int | None, notify: bool = True) -> None:
        if index is not None:
            index = min(max(index, 0), len(self.points) - 1)
        changed = index != self.chosen
        self.chosen = index
        for n, button in enumerate(self.buttons):
            button.blockSignals(True)  # the bar says what changed, once
            button.setChecked(n == index)
            button.blockSignals(False)
        self.clear_button.setEnabled(index is not None)
        if changed and notify:
            self.chosenChanged.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text = event.key(), event.text()
        last = len(self.points) - 1
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Up):
            self.choose(0 if self.chosen is None else self.chosen + 1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Down):
            self.choose(last if self.chosen is None else self.chosen - 1)
        elif key == Qt.Key.Key_Home:
            self.choose(0)
        elif key == Qt.Key.Key_End:
            self.choose(last)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.choose(None)
        elif len(text) == 1 and text.isdigit():
            wanted = self._point_of_digit(int(text))
            if wanted is not None:
                self.choose(wanted)
        else:
            super().keyPressEvent(event)

    def _point_of_digit(self, digit: int) -> int | None:
        """The point a number key chooses: a numeric scale's point of that number
        (0 is 10), else the n-th point; None when there is none."""
        number = 10 if digit == 0 else digit
        for index, (value, _text) in enumerate(self.points):
            if value == number:
                return index
        numeric = isinstance(self.points[0][0], int)
        return number - 1 if not numeric and number <= len(self.points) else None

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.hasFocus():  # the buttons take no focus: the bar shows it
            option = QStyleOptionFocusRect()
            option.initFrom(self)
            painter = QPainter(self)
            self.style().drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, option, painter)
            painter.end()


@editor_for(FieldType.RATING)
class RatingInput(FieldInput):
    """A rating: a numeric scale (answer: int) or labelled points (answer: the value)."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.bar = RatingBar(field)
        self._name(self.bar)

    def value(self) -> AnswerValue | None:
        chosen = self.bar.chosen
        return self.bar.points[chosen][0] if chosen is not None else None

    def set_value(self, value: AnswerValue | None) -> None:
        values = [point for point, _text in self.bar.points]
        found = [
            n for n, point in enumerate(values) if point == value and type(point) is type(value)
        ]
        self.bar.choose(found[0] if found else None)

    def on_change(self, callback: Callable[[], None]) -> None:
        self.bar.chosenChanged.connect(callback)

    def show_texts(self, field: Field) -> None:
        super().show_texts(field)
        self.bar.points = rating_points(field)
        for button, (_value, text) in zip(self.bar.buttons, self.bar.points, strict=True):
            button.setText(button_text(text))


class RankingList(QListWidget):
    """A ranking's options, first ranked on top: Up/Down choose an option, Alt+Up and
    Alt+Down (or the Move buttons) move it, and it can be dragged. `moved` is emitted
    once the order is the person's (a move, a drop)."""

    moved = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.model().rowsMoved.connect(lambda *_: self.moved.emit())

    def move_current(self, step: int) -> None:
        row = self.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.count():
            return
        self.insertItem(target, self.takeItem(row))  # rowsMoved is not emitted: say it
        self.setCurrentRow(target)
        self.moved.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if event.modifiers() & Qt.KeyboardModifier.AltModifier and key in (
            Qt.Key.Key_Up,
            Qt.Key.Key_Down,
        ):
            self.move_current(-1 if key == Qt.Key.Key_Up else 1)
        else:
            super().keyPressEvent(event)


@editor_for(FieldType.RANKING)
class RankingInput(FieldInput):
    """A ranking: the options in a list the person puts in order (`RankingList`, the
    Move up / Move down buttons beside it). It is unanswered until the person moves an
    option or presses "Keep this order"; Clear makes it unanswered again. The answer is
    held as given (`answer`) until the person changes the order, so a stored answer is
    never rewritten by showing it."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.answer: list[str] | None = None
        self.labels = {option.value: option.label for option in field.options}
        self.list = RankingList()
        self.list.setAccessibleDescription(
            "Alt+Up and Alt+Down move the chosen option; the first is ranked highest."
        )
        for option in field.options:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, option.value)
            self.list.addItem(item)
        self._renumber()
        self.list.setSpacing(2)
        rows = min(len(field.options), MAX_RANKING_ROWS_SHOWN)
        row_height = self.list.sizeHintForRow(0) + 2 * self.list.spacing()
        self.list.setFixedHeight(row_height * rows + 2 * self.list.frameWidth() + 2)
        self.list.setMaximumWidth(RANKING_LIST_WIDTH)
        self.list.setCurrentRow(0)
        self.list.moved.connect(self._ordered)
        buttons = QVBoxLayout()
        buttons.setSpacing(4)
        self.up_button = self._button("Move up", "up", "Move the chosen option up (Alt+Up)")
        self.down_button = self._button(
            "Move down", "down", "Move the chosen option down (Alt+Down)"
        )
        self.keep_button = self._button(
            "Keep this order", "keep", "Rank the options in the order shown"
        )
        self.clear_button = self._button("Clear", "clear", "Clear the ranking")
        self.up_button.clicked.connect(lambda: self.list.move_current(-1))
        self.down_button.clicked.connect(lambda: self.list.move_current(1))
        self.keep_button.clicked.connect(self._ordered)
        self.clear_button.clicked.connect(lambda: self.set_value(None))
        for button in (self.up_button, self.down_button, self.keep_button, self.clear_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.status = plain_label(object_name=f"field_{field.id}_status")
        self.status.setStyleSheet(HINT_STYLE)
        box = QWidget()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.list, 1, Qt.AlignmentFlag.AlignTop)
        row.addLayout(buttons)
        row.addStretch(0)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addLayout(row)
        column.addWidget(self.status)
        self.changed_callbacks: list[Callable[[], None]] = []
        self._name(box)
        self.list.setObjectName(f"field_{field.id}_list")
        self.list.setAccessibleName(field.label)
        self._show_state()

    def _button(self, text: str, key: str, tip: str) -> QPushButton:
        button = QPushButton(text, objectName=f"field_{self.field.id}_{key}")
        button.setAutoDefault(False)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        return button

    def order(self) -> list[str]:
        """The option values as the list shows them, top first."""
        return [
            str(self.list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.list.count())
        ]

    def _renumber(self) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            value = str(item.data(Qt.ItemDataRole.UserRole))
            item.setText(f"{row + 1}. {self.labels.get(value, value)}")

    def _ordered(self) -> None:
        """The person moved an option or kept the order: the answer is the order shown."""
        self._renumber()
        if self.answer != self.order():
            self.answer = self.order()
            self._show_state()
            self._notify()

    def _notify(self) -> None:
        for callback in self.changed_callbacks:
            callback()

    def _show_state(self) -> None:
        ranked = self.answer is not None
        self.status.setText("Ranked." if ranked else NOT_RANKED_TEXT)
        self.keep_button.setEnabled(not ranked)
        self.clear_button.setEnabled(ranked)

    def value(self) -> AnswerValue | None:
        return list(self.answer) if self.answer is not None else None

    def set_value(self, value: AnswerValue | None) -> None:
        given = value if isinstance(value, list) and value else None
        answer = [str(v) for v in given] if given is not None else None
        # the given order first, then what it leaves out, in the file's order
        wanted = [v for v in answer or () if v in self.labels]
        wanted += [o.value for o in self.field.options if o.value not in wanted]
        taken: dict[str, QListWidgetItem] = {}
        while self.list.count():
            item = self.list.takeItem(0)
            taken[str(item.data(Qt.ItemDataRole.UserRole))] = item
        for item_value in wanted:
            self.list.addItem(taken[item_value])
        self._renumber()
        self.list.setCurrentRow(0)
        changed = answer != self.answer
        self.answer = answer
        self._show_state()
        if changed:
            self._notify()

    def on_change(self, callback: Callable[[], None]) -> None:
        self.changed_callbacks.append(callback)

    def focus_widget(self) -> QWidget:
        return self.list

    def set_label(self, label: str, required: bool) -> None:
        super().set_label(label, required)
        self.list.setAccessibleName(label)

    def show_texts(self, field: Field) -> None:
        super().show_texts(field)
        self.labels = {option.value: option.label for option in field.options}
        self._renumber()


TIME_TYPED = re.compile(r"\s*([0-9]{1,2})(?:[:.h]?([0-9]{2}))?\s*")


def read_time(text: str) -> str | None:
    """The time "HH:MM" that `text` means (9:05, 09:05, 0905, 9.05, 9h05, or a bare
    hour), or None when it is none."""
    match = TIME_TYPED.fullmatch(text)
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


class TimeLineEdit(QLineEdit):
    """A 24-hour time typed as text; Up/Down step the hour or the minute under the
    cursor (an empty field starts from the current time); leaving the field writes the
    time as HH:MM."""

    def __init__(self) -> None:
        super().__init__(placeholderText="HH:MM")
        self.editingFinished.connect(self._write_as_stored)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = not event.modifiers() & Qt.KeyboardModifier.AltModifier
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and plain:
            self.step_part(1 if event.key() == Qt.Key.Key_Up else -1)
        else:
            super().keyPressEvent(event)

    def step_part(self, steps: int) -> None:
        text = self.text()
        time = read_time(text)
        if time is None:
            if not text.strip():
                now = dt.datetime.now()
                self._show(now.hour, now.minute, on_minutes=False)
            return
        hour, minute = int(time[:2]), int(time[3:])
        on_minutes = self.cursorPosition() > text.find(":") >= 0 or (
            ":" not in text and self.cursorPosition() > 2
        )
        if on_minutes:
            total = (hour * 60 + minute + steps) % (24 * 60)
            hour, minute = divmod(total, 60)
        else:
            hour = (hour + steps) % 24
        self._show(hour, minute, on_minutes)

    def _show(self, hour: int, minute: int, on_minutes: bool) -> None:
        self.setText(f"{hour:02d}:{minute:02d}")
        self.setCursorPosition(5 if on_minutes else 2)

    def _write_as_stored(self) -> None:
        time = read_time(self.text())
        if time is not None and self.text() != time:
            self.setText(time)


@editor_for(FieldType.TIME)
class TimeInput(HeldTextInput):
    """A time of day, HH:MM (24 h), typed; held as `HeldTextInput` says."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self._hold_typed(TimeLineEdit())

    def read(self, text: str) -> str | None:
        return read_time(text)

    def entry_message(self) -> str:
        return "Enter a time as HH:MM, 24-hour (for example 09:30 or 17:45)."


class FieldRow(QWidget):
    """A field's label, editor, help hint, in-place error message and notice (what the
    wizard changed on its own, e.g. an answer cleared because its option went). The
    label, the required mark, the help and read-only follow the wizard's logic through
    `set_label`, `set_help` and `set_read_only`; each changes the widgets only when
    what they show differs, since they run on keystrokes."""

    def __init__(self, field_input: FieldInput) -> None:
        super().__init__()
        field = field_input.field
        self.input = field_input
        self.setMaximumWidth(field_input.row_width)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        self.shown_label = (field.label, field.required)
        self.label: QLabel | None = None
        # A check box carries its own label; a note's label is the note.
        if field.type not in (FieldType.BOOLEAN, FieldType.NOTE):
            self.label = plain_label(button_text(required_label(field.label, field.required)))
            self.label.setObjectName(f"label_{field.id}")
            self.label.setBuddy(field_input.focus_widget())
            self.label.setStyleSheet("font-weight: 600;")
            layout.addWidget(self.label)
        layout.addWidget(field_input.widget)
        self.column = layout
        # Made when first needed (most fields never show one): a hint, a notice.
        self.hint: QLabel | None = None
        self.notice: QLabel | None = None
        if field.help:
            self.set_help(field.help)
        self.error = plain_label(object_name=f"error_{field.id}")
        self.error.setAccessibleName(f"{field.label}: problem")
        if field.type in SHOWN_ONLY:  # never a problem: no line kept for one
            self.error.hide()
            layout.addWidget(self.error)
            return
        # A line is kept for the message, shown or not: one appearing moves no field below.
        self.error.setMinimumHeight(self.error.fontMetrics().lineSpacing())
        keep_space = self.error.sizePolicy()
        keep_space.setRetainSizeWhenHidden(True)
        self.error.setSizePolicy(keep_space)
        self.error.hide()
        layout.addWidget(self.error)

    def set_label(self, label: str, required: bool) -> None:
        """Show `label` (marked `*` when `required`)."""
        if (label, required) == self.shown_label:
            return
        self.shown_label = (label, required)
        if self.label is not None:
            self.label.setText(button_text(required_label(label, required)))
        self.input.set_label(label, required)
        self.error.setAccessibleName(f"{label}: problem")

    def set_help(self, text: str) -> None:
        if self.hint is None:
            if not text:
                return
            self.hint = plain_label(object_name=f"hint_{self.input.field.id}")
            self.hint.setStyleSheet(HINT_STYLE)
            self.column.insertWidget(self.column.indexOf(self.input.widget) + 1, self.hint)
        elif self.hint.text() == text:
            return
        self.hint.setText(text)
        self.hint.setVisible(bool(text))
        self.input.widget.setToolTip(plain_tooltip(text) if text else "")
        self.input.widget.setAccessibleDescription(text)

    def set_read_only(self, read_only: bool) -> None:
        """A read-only field's editor is disabled (greyed, no Tab stop); a calculated
        value or a note is always read-only and looks it already."""
        if self.input.widget.isEnabled() == read_only:
            self.input.widget.setEnabled(not read_only)

    def show_notice(self, notice: str | None) -> None:
        """Show what the wizard changed on its own under the field, or hide it (None)."""
        if self.notice is None:
            if notice is None:
                return
            self.notice = plain_label(object_name=f"notice_{self.input.field.id}")
            self.notice.setStyleSheet("font-style: italic;")
            self.column.insertWidget(self.column.indexOf(self.error), self.notice)
        self.notice.setText(notice or "")
        self.notice.setVisible(notice is not None)

    def show_problem(self, problem: str | None) -> None:
        """Show `problem` under the field, or hide it (None). The colour is styled only
        when a problem shows it."""
        if problem is not None:
            dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
            style = f"color: {ERROR_COLOR_ON_DARK if dark else ERROR_COLOR_ON_LIGHT};"
            if self.error.styleSheet() != style:
                self.error.setStyleSheet(style)
        if self.error.text() != (problem or ""):
            self.error.setText(problem or "")
        if self.error.isHidden() == (problem is not None):
            self.error.setVisible(problem is not None)


# The attachment editors (file, image, signature) and the grids' editors register
# themselves from their modules (they build on the classes above).
from wizard_desktop.ui import file_editors, grid_editors  # noqa: E402, F401
