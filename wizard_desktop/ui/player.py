"""The wizard player: a QWizard generated from a wizard definition, one page per step.

It owns what the person sees while playing a session: the field editors and their
in-place messages (the rules come from `answer_problem`), skip logic (`nextId`
follows the current path, hidden fields disappear as answers change), the side panel
(session name, stored progress, the path's steps, save status) and the completion
page. It never writes to the database itself: every change goes to the
`SessionController`, and what it shows as saved is what the controller reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from wizard_desktop.controller import FAILED, RETRYING, SAVED, SessionController
from wizard_desktop.core.export import suggested_file_name
from wizard_desktop.core.sessions import SessionInfo, SessionState, StepSaved
from wizard_desktop.core.templates import TemplateInfo
from wizard_desktop.definition.answers import answer_problem
from wizard_desktop.definition.conditions import ResolvedPath, is_answered, resolve_path
from wizard_desktop.definition.model import AnswerValue, Field, FieldType, Step
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.formatting import format_answer, format_duration
from wizard_desktop.ui.markdown import MarkdownView

MAX_RADIO_OPTIONS = 6
ROW_MAX_WIDTH = 640
NUMBER_LIMIT = 1_000_000_000  # editors accept more than the field allows, to explain why
NO_DATE = QDate(1900, 1, 1)  # the date editor's "not answered" value
UNANSWERED_TEXT = "—"
# A wizard up to this long has every step's editors built when the player opens, so
# each one can be found (objectName field_<id>) at once; a longer one builds a step's
# editors when it is first shown (see StepPage).
STEPS_BUILT_UP_FRONT = 50
STEP_ID_ROLE = Qt.ItemDataRole.UserRole
# Readable on light and on dark palettes (the system's light/dark scheme).
ERROR_COLOR_ON_LIGHT = "#b00020"
ERROR_COLOR_ON_DARK = "#ff8a80"
HINT_STYLE = "color: palette(placeholder-text);"

# --- Field editors: one per field type, all with the same small interface.


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
            widget.setToolTip(self.field.help)
            widget.setAccessibleDescription(self.field.help)

    def value(self) -> AnswerValue | None:
        raise NotImplementedError

    def set_value(self, value: AnswerValue | None) -> None:
        raise NotImplementedError

    def on_change(self, callback: Callable[[], None]) -> None:
        raise NotImplementedError

    def focus_widget(self) -> QWidget:
        return self.widget


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


class NumberInput(FieldInput):
    """A spin box whose lowest value means "not answered" (shown as a dash)."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        spin: QSpinBox | QDoubleSpinBox
        spin = QDoubleSpinBox(decimals=field.decimals) if field.decimals else QSpinBox()
        spin.setRange(-NUMBER_LIMIT - 1, NUMBER_LIMIT)
        spin.setSpecialValueText(UNANSWERED_TEXT)
        spin.setSuffix(f" {field.unit}" if field.unit else "")
        spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        spin.setFixedWidth(200)
        self.spin = spin
        self._name(spin)

    def value(self) -> AnswerValue | None:
        number = self.spin.value()
        if number == self.spin.minimum():
            return None
        return round(number, self.field.decimals) if self.field.decimals else int(number)

    def set_value(self, value: AnswerValue | None) -> None:
        answered = isinstance(value, int | float) and not isinstance(value, bool)
        self.spin.setValue(value if answered else self.spin.minimum())  # type: ignore[arg-type]

    def on_change(self, callback: Callable[[], None]) -> None:
        self.spin.valueChanged.connect(callback)


class _CalendarOpensAtToday(QObject):
    """The calendar of an unanswered date shows this month, not the 1900 placeholder;
    the date stays unanswered until one is picked. Qt creates the calendar when it is
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


class DateInput(FieldInput):
    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.edit = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.edit.setMinimumDate(NO_DATE)
        self.edit.setSpecialValueText(UNANSWERED_TEXT)
        self.edit.setFixedWidth(200)
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


class BooleanInput(FieldInput):
    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.box = QCheckBox(field.label)
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
            button = QCheckBox(option.label) if self.multiple else QRadioButton(option.label)
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


def make_input(field: Field) -> FieldInput:
    if field.type is FieldType.TEXT:
        return TextInput(field)
    if field.type is FieldType.MULTILINE:
        return MultilineInput(field)
    if field.type is FieldType.NUMBER:
        return NumberInput(field)
    if field.type is FieldType.DATE:
        return DateInput(field)
    if field.type is FieldType.BOOLEAN:
        return BooleanInput(field)
    if field.type is FieldType.CHOICE and len(field.options) > MAX_RADIO_OPTIONS:
        return ComboChoiceInput(field)
    return OptionButtonsInput(field)


# --- Pages.


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
        if field.type is not FieldType.BOOLEAN:
            label = QLabel(f"{field.label}{' *' if field.required else ''}")
            label.setBuddy(field_input.focus_widget())
            label.setStyleSheet("font-weight: 600;")
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addWidget(field_input.widget)
        if field.help:
            hint = QLabel(field.help, objectName=f"hint_{field.id}")
            hint.setWordWrap(True)
            hint.setStyleSheet(HINT_STYLE)
            layout.addWidget(hint)
        self.error = QLabel(objectName=f"error_{field.id}")
        self.error.setWordWrap(True)
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


class StepPage(QWizardPage):
    """One step: its Markdown description and the editors of its fields. Complete when
    every visible field has an acceptable answer.

    The editors are built by `build()`: when the player opens (up to
    STEPS_BUILT_UP_FRONT steps), else just before the page is first shown, because Qt
    walks every widget of every page on each page change, and a long wizard holding all
    its editors makes each Next slower. Until then the step's answers are the player's
    `answers`.
    """

    def __init__(self, player: WizardPlayer, step: Step) -> None:
        super().__init__()
        self.player = player
        self.step = step
        self.touched: set[str] = set()
        self.read_only = False
        self.rows: dict[str, FieldRow] = {}  # filled by `build`
        self.built = False
        self.setTitle(step.title)
        self.setObjectName(f"step_{step.id}")

    def setVisible(self, visible: bool) -> None:
        """QWizard shows the page it turns to: build the editors first, so they appear
        with it. Pages the player only walks through on resume stay unbuilt."""
        if visible and not self.player.replaying:
            self.build()
        super().setVisible(visible)

    def build(self) -> None:
        """Create the description and the editors (once), filled with the answers."""
        if self.built:
            return
        self.built = True
        step = self.step
        content = QWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from field to field
        scroll.setWidget(content)  # while empty: sizing it full costs a layout pass
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 8, 0)
        if step.description:
            description = MarkdownView()
            description.setObjectName(f"description_{step.id}")
            description.setFrameShape(QFrame.Shape.NoFrame)
            description.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            description.setStyleSheet("background: transparent;")
            description.document().setDocumentMargin(0)
            description.setMarkdown(step.description)
            description.document().documentLayout().documentSizeChanged.connect(
                lambda size, view=description: view.setFixedHeight(int(size.height()) + 4)
            )
            column.addWidget(description)
        for field in step.fields:
            field_input = make_input(field)
            field_input.set_value(self.player.answers.get(field.id))
            field_input.widget.setEnabled(not self.read_only)
            field_input.on_change(lambda *_, f=field.id: self._changed(f))
            row = FieldRow(field_input)
            self.rows[field.id] = row
            column.addWidget(row)
        column.addStretch(1)

    def value(self, field: Field) -> AnswerValue | None:
        """The field's answer: its editor's value, or the player's answer while unbuilt."""
        row = self.rows.get(field.id)
        return row.input.value() if row is not None else self.player.answers.get(field.id)

    def answers(self) -> dict[str, AnswerValue | None]:
        """Every field of the step with its answer (None clears it)."""
        return {field.id: self.value(field) for field in self.step.fields}

    def visible_fields(self) -> tuple[Field, ...]:
        return self.player.path.visible_fields.get(self.step.id, self.step.fields)

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        for row in self.rows.values():
            row.input.widget.setEnabled(not read_only)

    def refresh(self) -> None:
        """Show the fields the current answers make visible, and their problems."""
        visible = {f.id: f for f in self.visible_fields()}
        for field_id, row in self.rows.items():
            in_view = field_id in visible
            if row.isHidden() == in_view:  # only on change: showing a shown row re-shows
                row.setVisible(in_view)  # everything in it
            value = row.input.value()
            # Untouched fields only complain about what is in them (not about being empty).
            filled = is_answered(value) and value is not False
            shown = in_view and (field_id in self.touched or filled)
            row.show_problem(answer_problem(row.input.field, value) if shown else None)
        self.setFinalPage(self.nextId() == -1)
        self.completeChanged.emit()

    def focus_first_field(self) -> None:
        for row in self.rows.values():
            if row.isVisibleTo(self) and row.input.widget.isEnabled():
                row.input.focus_widget().setFocus(Qt.FocusReason.TabFocusReason)
                return

    def _changed(self, field_id: str) -> None:
        self.touched.add(field_id)
        self.player.answer_changed(self, field_id, self.rows[field_id].input.value())

    def isComplete(self) -> bool:
        return all(answer_problem(f, self.value(f)) is None for f in self.visible_fields())

    def nextId(self) -> int:
        path = self.player.path
        next_step = path.next_step_id(self.step.id)
        return self.player.page_id(next_step) if next_step is not None else -1


class CompletionPage(QWizardPage):
    """After Finish: "Completing… not saved yet" until the database confirms, then the
    answers on the path, the times, and save-as-template / export."""

    def __init__(self, player: WizardPlayer) -> None:
        super().__init__()
        self.player = player
        self.setObjectName("completionPage")
        self.setTitle(player.definition.title)
        self.setFinalPage(True)
        self.status = QLabel(objectName="completionStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.note = QLabel(objectName="completionNote")
        self.note.setWordWrap(True)
        self.times = QLabel(objectName="completionTimes")
        self.summary = QTreeWidget(objectName="answerSummary")
        self.summary.setAccessibleName("Answers")
        self.summary.setHeaderLabels(["Question", "Answer"])
        self.summary.setColumnWidth(0, 260)
        self.summary.setRootIsDecorated(False)
        self.summary.setWordWrap(True)
        self.template_button = QPushButton("Save as template…", objectName="saveAsTemplateButton")
        self.export_button = QPushButton("Export…", objectName="exportButton")
        self.template_button.clicked.connect(player.save_as_template)
        self.export_button.clicked.connect(player.export)
        buttons = QHBoxLayout()
        buttons.addWidget(self.template_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.note)
        layout.addWidget(self.times)
        layout.addWidget(self.summary, 1)
        layout.addLayout(buttons)
        layout.addStretch(0)  # keeps the pending message at the top while the rest is hidden
        self.show_pending()

    def show_pending(self) -> None:
        self.status.setText("Completing… not saved yet")
        self.note.setText(
            "Your answers are kept and the session is completed as soon as the database "
            "can be written. Nothing is shown as completed before that."
        )
        self.note.show()
        for widget in (self.times, self.summary, self.template_button, self.export_button):
            widget.hide()

    def show_completed(self, info: SessionInfo) -> None:
        self.status.setText(f"“{info.name}” is completed and saved.")
        self.times.setText(
            f"Total time: {format_duration(info.total_time_seconds)} · "
            f"Active time: {format_duration(info.active_seconds)}"
        )
        self.summary.clear()
        path = self.player.path
        for step in path.steps:
            step_item = QTreeWidgetItem([step.title, ""])
            font = step_item.font(0)
            font.setBold(True)
            step_item.setFont(0, font)
            self.summary.addTopLevelItem(step_item)
            for field in path.visible_fields[step.id]:
                value = path.answers.get(field.id)
                text = format_answer(field, value) if value is not None else "—"
                self.summary.addTopLevelItem(QTreeWidgetItem([f"    {field.label}", text]))
        self.note.hide()
        for widget in (self.times, self.summary, self.template_button, self.export_button):
            widget.show()


# --- The wizard.


class WizardPlayer(QWizard):
    """Plays one session. Emits `left` when the person leaves (Esc, "Close the player")."""

    left = Signal()

    def __init__(
        self, state: SessionState, controller: SessionController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("wizardPlayer")
        self.setWindowFlags(Qt.WindowType.Widget)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOptions(
            QWizard.WizardOption.IndependentPages
            | QWizard.WizardOption.NoCancelButton
            | QWizard.WizardOption.NoBackButtonOnStartPage
        )
        self.controller = controller
        self.definition = state.definition
        self.info = state.info
        self.read_only = state.info.is_completed
        self.answers: dict[str, AnswerValue] = {  # defaults, unless the person cleared them
            f.id: f.default
            for f in self.definition.fields
            if f.default is not None and f.id not in state.cleared
        }
        self.answers.update(state.answers)
        self._path: ResolvedPath | None = None
        self._page_ids = {step.id: index for index, step in enumerate(self.definition.steps)}
        self._step_list_entries: list[tuple[str, int, bool, bool]] = []
        self.stored_steps: set[str] = set(state.info.completed_step_ids)
        self.pending_steps: set[str] = set()
        self.replaying = False  # walking to the step being resumed: see _resume
        self._expected_step_id = state.info.current_step_id

        self.step_pages: dict[str, StepPage] = {}
        for index, step in enumerate(self.definition.steps):
            page = StepPage(self, step)
            page.set_read_only(self.read_only)
            self.step_pages[step.id] = page
            self.setPage(index, page)
        if len(self.step_pages) <= STEPS_BUILT_UP_FRONT:
            for page in self.step_pages.values():
                page.build()
        self.completion_id = len(self.definition.steps)
        self.completion_page = CompletionPage(self)
        self.setPage(self.completion_id, self.completion_page)
        self.setSideWidget(self._build_side_panel())

        QShortcut(QKeySequence("Alt+Left"), self, self._shortcut_back)
        QShortcut(QKeySequence("Alt+Right"), self, self._shortcut_next)
        self.currentIdChanged.connect(self._on_page_changed)
        self.finished.connect(self._on_finished)
        controller.saveStateChanged.connect(self._show_save_state)
        controller.progressChanged.connect(self._show_progress)
        controller.stepSaved.connect(self._on_step_saved)
        controller.completed.connect(self._on_completed)
        controller.renamed.connect(self._on_renamed)
        controller.templateSaved.connect(self._on_template_saved)

        self._show_progress(state.info.progress_percentage, "")
        self._show_save_state("saving" if controller.has_unsaved() else SAVED, "")
        if self.read_only:
            self.setButtonLayout([QWizard.WizardButton.Stretch])
            self.completion_page.show_completed(state.info)
            self._go_to(self.completion_id)
        else:
            self._resume(state.info.current_step_id)

    # --- Side panel.

    def _build_side_panel(self) -> QWidget:
        panel = QWidget(self, objectName="playerSidePanel")
        panel.setFixedWidth(240)
        self.name_edit = QLineEdit(self.info.name, objectName="sessionNameEdit")
        self.name_edit.setAccessibleName("Session name")
        self.name_edit.editingFinished.connect(self._rename)
        self.progress_bar = QProgressBar(objectName="progressBar")
        self.progress_bar.setAccessibleName("Progress")
        self.progress_bar.setRange(0, 100)
        self.progress_note = QLabel(objectName="progressNote")
        self.progress_note.setWordWrap(True)
        self.progress_note.setStyleSheet(HINT_STYLE)
        self.progress_note.hide()
        self.step_list = QListWidget(objectName="stepList")
        self.step_list.setAccessibleName("Steps")
        self.step_list.itemClicked.connect(self._jump_to_item)
        self.save_status = QLabel(objectName="saveStatus")
        self.save_status.setAccessibleName("Save status")
        self.save_status.setWordWrap(True)
        self.retry_button = QPushButton("Retry now", objectName="retryButton")
        self.retry_button.clicked.connect(self.controller.retry_now)
        self.retry_button.hide()
        leave_button = QPushButton("Close the player", objectName="leavePlayerButton")
        leave_button.setToolTip("Leave the player (Esc). Everything saved stays saved.")
        leave_button.clicked.connect(self.reject)

        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 12, 0)
        name_label = QLabel("Session", buddy=self.name_edit)
        layout.addWidget(name_label)
        layout.addWidget(self.name_edit)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.progress_note)
        layout.addWidget(self.step_list, 1)
        layout.addWidget(self.save_status)
        layout.addWidget(self.retry_button)
        layout.addWidget(leave_button)
        return panel

    @property
    def path(self) -> ResolvedPath:
        """The current path for the answers on screen (kept until an answer changes)."""
        if self._path is None:
            self._path = resolve_path(self.definition, self.answers)
        return self._path

    def _refresh_step_list(self) -> None:
        """The side panel: the path's steps marked done/current; rebuilt only when
        something in it changed (it runs on every keystroke)."""
        current = self.currentPage()
        entries: list[tuple[str, int, bool, bool]] = []  # text, page id, current, clickable
        for step in self.path.steps:
            page = self.step_pages[step.id]
            done = step.id in self.stored_steps
            pending = step.id in self.pending_steps
            if page is current:
                mark = "▶"
            elif done:
                mark = "✓"
            elif pending:
                mark = "…"
            else:
                mark = "○"
            entries.append(
                (f"{mark}  {step.title}", self._page_ids[step.id], page is current, done or pending)
            )
        if self.read_only:
            on_summary = current is self.completion_page
            entries.append(
                (f"{'▶' if on_summary else '✓'}  Summary", self.completion_id, on_summary, True)
            )
        if entries == self._step_list_entries:
            return
        self._step_list_entries = entries
        self.step_list.clear()
        for text, page_id, is_current, clickable in entries:
            item = QListWidgetItem(text)
            item.setData(STEP_ID_ROLE, page_id)
            if is_current:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            elif not clickable:
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.step_list.addItem(item)

    def _jump_to_item(self, item: QListWidgetItem) -> None:
        self.jump_to(item.data(STEP_ID_ROLE))

    def jump_to(self, page_id: int) -> None:
        """Show a done step (or, read-only, any step or the summary)."""
        if self.read_only:
            self._go_to(page_id)
        elif page_id in self.visitedIds():
            while self.currentId() != page_id:
                self.back()
        else:  # a done step further on: walk there with Next, saving each step
            while self.currentId() != page_id and self.currentPage().isComplete():
                self.next()

    # --- Answers and navigation.

    def page_id(self, step_id: str) -> int:
        return self._page_ids[step_id]

    def answer_changed(self, page: StepPage, field_id: str, value: AnswerValue | None) -> None:
        if value is not None and is_answered(value):
            self.answers[field_id] = value
        else:
            self.answers.pop(field_id, None)
        self._path = None
        page.refresh()
        self._refresh_step_list()
        if not self.replaying:
            self.controller.update_draft({field_id: value})

    def _go_to(self, page_id: int) -> None:
        """Show `page_id` with a fresh history (review of a completed session)."""
        self.setStartId(page_id)
        self.restart()

    def _resume(self, step_id: str | None) -> None:
        """Open at the first step, then walk (without saving) to the step the person
        was on, so Back and the side panel work as if they had never left."""
        self.replaying = True
        self._go_to(self.page_id(self.definition.steps[0].id))
        target = self.page_id(step_id) if step_id and self.definition.step(step_id) else 0
        while self.currentId() != target and self.currentPage().isComplete():
            before = self.currentId()
            self.next()
            if self.currentId() == before:
                break
        self.replaying = False
        landing = self.currentPage()
        assert isinstance(landing, StepPage)
        landing.build()  # the pages walked through stay unbuilt until shown
        landing.refresh()
        landing.focus_first_field()
        self._expected_step_id = self._current_step_id()

    def focus_current_page(self) -> None:
        """Put the keyboard focus on the first field of the page on screen."""
        page = self.currentPage()
        if isinstance(page, StepPage):
            page.focus_first_field()
        else:
            self.setFocus()

    def _current_step_id(self) -> str | None:
        page = self.currentPage()
        return page.step.id if isinstance(page, StepPage) else None

    def validateCurrentPage(self) -> bool:
        page = self.currentPage()
        if not isinstance(page, StepPage) or self.replaying:
            return True
        if self.read_only or not page.isComplete():
            return False
        if page.nextId() == -1:
            self.controller.complete(page.step.id, page.answers())
        else:
            self.controller.save_step(page.step.id, page.answers())
            self.pending_steps.add(page.step.id)
            next_id = page.nextId()
            self._expected_step_id = self.definition.steps[next_id].id
        return True

    def _on_page_changed(self, page_id: int) -> None:
        page = self.page(page_id)
        if isinstance(page, StepPage):
            page.refresh()
            page.focus_first_field()
            step_id = page.step.id
            if not (self.replaying or self.read_only) and step_id != self._expected_step_id:
                self.controller.update_draft({}, step_id)
            self._expected_step_id = step_id
            if not self.replaying:
                QTimer.singleShot(0, self, self._build_next_page)
        self._refresh_step_list()

    def _build_next_page(self) -> None:
        """Build the page Next leads to once the event loop is free (this page painted,
        the step's save usually still committing), so that Next does not wait for it."""
        page = self.currentPage()
        if isinstance(page, StepPage) and page.nextId() != -1:
            next_page = self.page(page.nextId())
            assert isinstance(next_page, StepPage)
            next_page.build()

    def _shortcut_back(self) -> None:
        if self.currentId() in self.visitedIds()[1:] and not self.read_only:
            self.back()

    def _shortcut_next(self) -> None:
        page = self.currentPage()
        if isinstance(page, StepPage) and page.isComplete() and page.nextId() != -1:
            self.next()

    def _on_finished(self, result: int) -> None:
        if result == QDialog.DialogCode.Accepted and not self.read_only:
            self.read_only = True
            for page in self.step_pages.values():
                page.set_read_only(True)
            self.setButtonLayout([QWizard.WizardButton.Stretch])
            self._go_to(self.completion_id)
            self.show()
            self.completion_page.setFocus()
        else:
            self.left.emit()

    # --- What the controller reports.

    def _show_save_state(self, state: str, text: str) -> None:
        self.save_status.setText(text or ("Saved" if state == SAVED else "Saving…"))
        self.retry_button.setVisible(state in (RETRYING, FAILED))

    def _show_progress(self, percentage: float, reason: str) -> None:
        self.progress_bar.setValue(round(percentage))
        self.progress_note.setText(reason)
        self.progress_note.setVisible(bool(reason))

    def _on_step_saved(self, step_id: str, saved: StepSaved) -> None:
        self.stored_steps.add(step_id)
        self.pending_steps.discard(step_id)
        self._refresh_step_list()

    def _on_completed(self, info: SessionInfo) -> None:
        self.info = info
        self.stored_steps.update(info.completed_step_ids)
        self.completion_page.show_completed(info)
        self._refresh_step_list()

    def _on_renamed(self, info: SessionInfo) -> None:
        if info.id == self.info.id and not self.name_edit.hasFocus():
            self.name_edit.setText(info.name)

    def _rename(self) -> None:
        name = self.name_edit.text().strip()
        if name and name != self.info.name:
            self.info = replace(self.info, name=name)
            self.controller.rename(name)

    # --- Completion page actions.

    def save_as_template(self) -> None:
        name = dialogs.ask_name(self, "Save these answers as a template named:", self.info.name)
        if name:
            self.controller.save_as_template(name)

    def _on_template_saved(self, template: TemplateInfo) -> None:
        dialogs.show_info(self, f"Saved the template “{template.name}”.")

    def export(self) -> None:
        path = dialogs.ask_save_path(
            self,
            "Export session",
            suggested_file_name(self.info.name),
            dialogs.SESSION_EXPORT_FILTERS,
        )
        if path is not None:
            self.controller.export(
                self.info.id,
                path,
                done=lambda: dialogs.show_info(self, f"Exported the session to {path}."),
                failed=lambda exc: dialogs.show_error(self, f"Could not export to {path}: {exc}"),
            )
