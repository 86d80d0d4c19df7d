"""The editors of the grids (`definition/grids.py`), registered in `ui/editors`:

- matrix: a table of radio buttons, one row per grid row, one column per choice;
- matrix_dropdown: a table of typed cell editors (a line edit for text and numbers, a
  combo box for a choice and for a boolean: "—", Yes, No);
- multiple_text: a form of labelled line edits.

Keyboard: the grid is one Tab stop for a matrix (the cell last visited; the arrows
move, Space chooses), every cell is one for the others (Tab moves cell by cell; Up and
Down move between rows, Left and Right between cells at the ends of a text or on a
combo box). A cell whose value breaks its rules (the answer rules of its column or
item) is outlined, its message in its tool tip and accessible description; the field's
message under the grid names the first of them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from wizard_desktop.definition.grids import cell_problems
from wizard_desktop.definition.model import AnswerValue, CellValue, Field, FieldType
from wizard_desktop.ui.editors import (
    ROW_MAX_WIDTH,
    FieldInput,
    button_text,
    editor_for,
    required_label,
)
from wizard_desktop.ui.markdown import plain_label, plain_tooltip

GRID_ROW_WIDTH = 960  # a grid's row may use the width of a 1000 px window
_PROBLEM_STYLE = "border: 2px solid #b00020;"
_ARROWS = {
    Qt.Key.Key_Up: (-1, 0),
    Qt.Key.Key_Down: (1, 0),
    Qt.Key.Key_Left: (0, -1),
    Qt.Key.Key_Right: (0, 1),
}


def _header(text: str) -> QLabel:
    label = plain_label(text)
    label.setStyleSheet("font-weight: 600;")
    return label


class _GridInput(FieldInput):
    """What the three grids share: a table of cell widgets (`cells[(row, column)]`),
    the arrow keys between them and the per-cell problems."""

    row_width = GRID_ROW_WIDTH

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.table = QWidget()
        self.layout = QGridLayout(self.table)
        self.layout.setContentsMargins(0, 0, 0, 0)
        self.layout.setHorizontalSpacing(12)
        self.layout.setVerticalSpacing(4)
        self.cells: dict[tuple[int, int], QWidget] = {}
        self.cell_keys: dict[QWidget, str] = {}  # widget -> its cell key (`grids.Cell.key`)
        self.callbacks: list[Callable[[], None]] = []
        self._name(self.table)

    def add_cell(self, row: int, column: int, widget: QWidget, key: str, name: str) -> None:
        widget.setObjectName(f"field_{self.field.id}_{key}")
        widget.setAccessibleName(name)
        widget.installEventFilter(self.table_filter)
        self.layout.addWidget(widget, row + 1, column + 1)
        self.cells[(row, column)] = widget
        self.cell_keys[widget] = key

    @property
    def table_filter(self) -> QObject:
        if not hasattr(self, "_filter"):
            self._filter = _ArrowKeys(self)
        return self._filter

    def changed(self) -> None:
        self.mark_cells()
        for callback in self.callbacks:
            callback()

    def on_change(self, callback: Callable[[], None]) -> None:
        self.callbacks.append(callback)

    def focus_widget(self) -> QWidget:
        return self.cells[(0, 0)]

    def focused(self, widget: QWidget) -> None:
        """`widget`, a cell, got the focus."""

    def cell_entry_problems(self) -> dict[str, str]:
        """Cell key -> why what is typed there is no value yet."""
        return {}

    def cell_messages(self) -> dict[str, str]:
        value = self.value()
        problems = self.cell_entry_problems()
        for key, message in cell_problems(self.field, value, required=False).items():
            problems.setdefault(key, message)
        return problems

    def mark_cells(self) -> None:
        problems = self.cell_messages()
        for widget, key in self.cell_keys.items():
            message = problems.get(key, "")
            style = _PROBLEM_STYLE if message else ""
            if widget.styleSheet() != style:
                widget.setStyleSheet(style)
                widget.setToolTip(plain_tooltip(message) if message else "")
                widget.setAccessibleDescription(message)

    def move(self, widget: QWidget, step: tuple[int, int]) -> bool:
        """Focus the cell next to `widget` in direction `step`; False at the edge."""
        here = next((place for place, cell in self.cells.items() if cell is widget), None)
        if here is None:
            return False
        target = (here[0] + step[0], here[1] + step[1])
        cell = self.cells.get(target)
        if cell is None or not cell.isEnabled():
            return False
        cell.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def arrow(self, widget: QWidget, event: QKeyEvent) -> bool:
        """Whether an arrow key on `widget` moves to another cell (True: handled)."""
        step = _ARROWS.get(Qt.Key(event.key()))
        if step is None or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if isinstance(widget, QLineEdit) and step[1]:
            at_end = widget.cursorPosition() == len(widget.text())
            if not ((step[1] < 0 and widget.cursorPosition() == 0) or (step[1] > 0 and at_end)):
                return False
        if isinstance(widget, QComboBox) and step[0]:
            return False  # Up and Down choose in a combo box
        return self.move(widget, step)


class _ArrowKeys(QObject):
    """Sends the arrow keys of a grid's cells to the grid (`_GridInput.arrow`)."""

    def __init__(self, grid: _GridInput) -> None:
        super().__init__(grid.table)
        self.grid = grid

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(watched, QWidget):
            assert isinstance(event, QKeyEvent)
            return self.grid.arrow(watched, event)
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QWidget):
            self.grid.focused(watched)
        return False


@editor_for(FieldType.MATRIX)
class MatrixInput(_GridInput):
    """Radio buttons, one exclusive group per row; the grid is one Tab stop (the button
    last focused), the arrows move between buttons without choosing, Space chooses."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        for c, column in enumerate(field.columns):
            self.layout.addWidget(_header(column.label), 0, c + 1, Qt.AlignmentFlag.AlignCenter)
        self.groups: dict[str, QButtonGroup] = {}
        self.row_labels: list[QLabel] = []
        for r, row in enumerate(field.rows):
            label = plain_label(row.label)
            self.layout.addWidget(label, r + 1, 0)
            self.row_labels.append(label)
            group = QButtonGroup(self.table)
            self.groups[row.value] = group
            for c, column in enumerate(field.columns):
                button = QRadioButton()
                button.setAutoExclusive(False)  # the group is; arrows are ours
                button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
                group.addButton(button, c)
                self.add_cell(r, c, button, row.value, f"{row.label}: {column.label}")
                self.layout.setAlignment(button, Qt.AlignmentFlag.AlignCenter)
            group.buttonToggled.connect(lambda _b, on: self.changed() if on else None)
        self.layout.setColumnMinimumWidth(0, 200)
        self.layout.setColumnStretch(len(field.columns) + 1, 1)  # the choices stay by the rows
        self.tab_stop = self.cells[(0, 0)]
        self.tab_stop.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.set_label(field.label, field.required)

    def focused(self, widget: QWidget) -> None:
        if widget is not self.tab_stop:
            self.tab_stop.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.tab_stop = widget

    def focus_widget(self) -> QWidget:
        return self.tab_stop

    def set_label(self, label: str, required: bool) -> None:
        super().set_label(label, required)
        needed = self.field.required_rows
        for row, row_label in zip(self.field.rows, self.row_labels, strict=True):
            marked = required and (needed is None or row.value in needed)
            row_label.setText(required_label(row.label, marked))

    def value(self) -> AnswerValue | None:
        answer: dict[str, str] = {}
        for row in self.field.rows:
            chosen = self.groups[row.value].checkedId()
            if chosen >= 0:
                answer[row.value] = self.field.columns[chosen].value
        return answer or None

    def set_value(self, value: AnswerValue | None) -> None:
        given = value if isinstance(value, dict) else {}
        columns = [c.value for c in self.field.columns]
        for row in self.field.rows:
            group = self.groups[row.value]
            chosen = given.get(row.value)
            group.setExclusive(False)  # lets a row go back to "none chosen"
            for index, button in enumerate(group.buttons()):
                button.blockSignals(True)
                button.setChecked(chosen in columns and columns.index(str(chosen)) == index)
                button.blockSignals(False)
            group.setExclusive(True)
        self.mark_cells()


def _cell_editor(column: Field) -> QWidget:
    if column.type in (FieldType.CHOICE, FieldType.BOOLEAN):
        combo = QComboBox()
        combo.addItem("—", None)
        if column.type is FieldType.BOOLEAN:
            combo.addItem("Yes", True)
            combo.addItem("No", False)
        for option in column.options:
            combo.addItem(option.label, option.value)
        return combo
    edit = QLineEdit(placeholderText=column.placeholder or "")
    if column.type is FieldType.NUMBER:
        edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        edit.setPlaceholderText(column.unit or "")
    return edit


def _number(text: str) -> int | float | None:
    """A typed number ("1 234,5" and "1234.5" alike), or None when it is none."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return None
    if cleaned.lstrip("+-").isdigit():
        return int(cleaned)
    return number


def _cell_of(widget: QWidget, column: Field) -> CellValue | None:
    if isinstance(widget, QComboBox):
        data = widget.currentData()
        return data if isinstance(data, str | bool) else None
    assert isinstance(widget, QLineEdit)
    text = widget.text()
    if column.type is FieldType.NUMBER:
        return _number(text) if text.strip() else None
    return text or None


def _show_cell(widget: QWidget, value: object) -> None:
    widget.blockSignals(True)
    if isinstance(widget, QComboBox):
        data = [widget.itemData(i) for i in range(widget.count())]
        # exact: True must not find 1, nor "1" find 1
        found = [i for i, d in enumerate(data) if type(d) is type(value) and d == value]
        widget.setCurrentIndex(found[0] if found and value is not None else 0)
    elif isinstance(widget, QLineEdit):
        widget.setText("" if value is None or isinstance(value, bool) else str(value))
    widget.blockSignals(False)


@editor_for(FieldType.MATRIX_DROPDOWN)
class MatrixDropdownInput(_GridInput):
    """A typed editor per cell, every cell a Tab stop, in reading order."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.headers: list[QLabel] = []
        for c, column in enumerate(field.cell_columns):
            header = _header(required_label(column.label, column.required))
            self.headers.append(header)
            self.layout.addWidget(header, 0, c + 1)
        for r, row in enumerate(field.rows):
            self.layout.addWidget(plain_label(row.label), r + 1, 0)
            for c, column in enumerate(field.cell_columns):
                editor = _cell_editor(column)
                self.add_cell(
                    r, c, editor, f"{row.value}.{column.id}", f"{row.label}: {column.label}"
                )
                if isinstance(editor, QComboBox):
                    editor.currentIndexChanged.connect(lambda *_: self.changed())
                else:
                    assert isinstance(editor, QLineEdit)
                    editor.textChanged.connect(lambda *_: self.changed())
        self.layout.setColumnStretch(0, 1)
        for c in range(len(field.cell_columns)):
            self.layout.setColumnStretch(c + 1, 1)

    def value(self) -> AnswerValue | None:
        answer: dict[str, dict[str, CellValue]] = {}
        for r, row in enumerate(self.field.rows):
            cells: dict[str, CellValue] = {}
            for c, column in enumerate(self.field.cell_columns):
                held = _cell_of(self.cells[(r, c)], column)
                if held is not None:
                    cells[column.id] = held
            if cells:
                answer[row.value] = cells
        return answer or None

    def set_value(self, value: AnswerValue | None) -> None:
        given = value if isinstance(value, dict) else {}
        for r, row in enumerate(self.field.rows):
            cells = given.get(row.value)
            held = cells if isinstance(cells, dict) else {}
            for c, column in enumerate(self.field.cell_columns):
                _show_cell(self.cells[(r, c)], held.get(column.id))
        self.mark_cells()

    def cell_entry_problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        for r, row in enumerate(self.field.rows):
            for c, column in enumerate(self.field.cell_columns):
                widget = self.cells[(r, c)]
                if column.type is FieldType.NUMBER and isinstance(widget, QLineEdit):
                    text = widget.text()
                    if text.strip() and _number(text) is None:
                        problems[f"{row.value}.{column.id}"] = "Enter a number."
        return problems

    def entry_problem(self) -> str | None:
        problems = self.cell_entry_problems()
        if not problems:
            return None
        key, message = next(iter(problems.items()))
        widget = next(w for w, k in self.cell_keys.items() if k == key)
        return f"{widget.accessibleName()}: {message}"


@editor_for(FieldType.MULTIPLE_TEXT)
class MultipleTextInput(_GridInput):
    """A form: one labelled line edit per item."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.labels: list[QLabel] = []
        for r, item in enumerate(field.items):
            edit = QLineEdit(placeholderText=item.placeholder or "")
            label = plain_label(button_text(item.label))
            label.setBuddy(edit)
            self.labels.append(label)
            self.layout.addWidget(label, r + 1, 0)
            self.add_cell(r, 0, edit, item.id, item.label)
            edit.textChanged.connect(lambda *_: self.changed())
        self.layout.setColumnStretch(1, 3)
        self.layout.setColumnStretch(0, 1)
        self.set_label(field.label, field.required)

    row_width = ROW_MAX_WIDTH  # a form, as wide as any field

    def set_label(self, label: str, required: bool) -> None:
        super().set_label(label, required)
        marked_any = any(i.required for i in self.field.items)
        for item, item_label in zip(self.field.items, self.labels, strict=True):
            marked = required and (item.required or not marked_any)
            item_label.setText(button_text(required_label(item.label, marked)))

    def value(self) -> AnswerValue | None:
        answer = {
            item.id: text
            for r, item in enumerate(self.field.items)
            if (text := self._edit(r).text())
        }
        return answer or None

    def _edit(self, row: int) -> QLineEdit:
        edit = self.cells[(row, 0)]
        assert isinstance(edit, QLineEdit)
        return edit

    def set_value(self, value: AnswerValue | None) -> None:
        given = value if isinstance(value, dict) else {}
        for r, item in enumerate(self.field.items):
            _show_cell(self._edit(r), given.get(item.id))
        self.mark_cells()
