"""The wizard player: a QWizard generated from a wizard definition, one page per step.

It owns what the person sees while playing a session: the step pages with their field
editors (from ui/editors.py) and in-place messages (the rules come from
`answer_problem`), skip logic (`nextId` follows the current path, hidden fields
disappear as answers change), the side panel (session name, stored progress, the
path's steps, save status) and the completion page. It never writes to the database
itself: every change goes to the `SessionController`, and what it shows as saved is
what the controller reports.

When a step's editors exist (and so its widgets `field_<id>`, `field_<id>_<option>`,
`label_<id>`, `hint_<id>`, `error_<id>` can be found): from the moment its page is
first shown, and from then on for the life of the player. Besides, once a page has
been shown, the event loop is free and no step the person left is still being stored,
the page Next leads to from it is built ahead, so that neither Next nor the "Saved" of
the step before waits for it. Every other step has no editors: the steps a resume
walks through to reach the step the person was on, a completed session's steps until
one is opened from the side panel, the steps further on. Until a step is built its
answers are the player's answers (`PlayState.answers`). Building every step up front
would make each Next slower, because Qt walks every widget of every page on each page
change.

Text from a wizard file or a person is shown as plain text everywhere: page titles
(the wizard's title format), labels, hints, messages, the side panel, the completion
page. Step descriptions are Markdown views that load no resource (ui/markdown.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
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
from wizard_desktop.definition.model import AnswerValue, Field, Step, WizardDefinition
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.editors import HINT_STYLE, FieldRow, make_input, plain_label
from wizard_desktop.ui.formatting import format_answer, format_duration
from wizard_desktop.ui.markdown import MarkdownView

STEP_ID_ROLE = Qt.ItemDataRole.UserRole

# --- What the pages share.


class PlayState:
    """What the pages of one player read and change, instead of reaching into the
    QWizard: the definition, the answers on screen (stored answers and defaults, as the
    person changes them), whether the session is read-only, whether the player is
    walking through pages to resume (nothing is built or saved then), and the path
    those answers give."""

    def __init__(
        self, definition: WizardDefinition, answers: dict[str, AnswerValue], read_only: bool
    ) -> None:
        self.definition = definition
        self.answers = answers
        self.read_only = read_only
        self.walking_through = False
        self._path: ResolvedPath | None = None
        self._page_ids = {step.id: index for index, step in enumerate(definition.steps)}

    @property
    def path(self) -> ResolvedPath:
        """The current path for the answers on screen (kept until an answer changes)."""
        if self._path is None:
            self._path = resolve_path(self.definition, self.answers)
        return self._path

    def set_answer(self, field_id: str, value: AnswerValue | None) -> None:
        if value is not None and is_answered(value):
            self.answers[field_id] = value
        else:
            self.answers.pop(field_id, None)
        self._path = None

    def page_id(self, step_id: str) -> int:
        return self._page_ids[step_id]

    def next_page_id(self, step_id: str) -> int:
        """The page after `step_id` on the current path, -1 when it is the last."""
        next_step = self.path.next_step_id(step_id)
        return self.page_id(next_step) if next_step is not None else -1


# --- Pages.


class StepPage(QWizardPage):
    """One step: its Markdown description and the editors of its fields. Complete when
    every visible field has an acceptable answer. The editors are built by `build()`
    (see the module docstring for when); `answerChanged` reports each change, once the
    page's state and messages follow it."""

    answerChanged = Signal(str, object)  # field id, its value (None when cleared)

    def __init__(self, state: PlayState, step: Step) -> None:
        super().__init__()
        self.state = state
        self.step = step
        self.touched: set[str] = set()
        self.rows: dict[str, FieldRow] = {}  # filled by `build`
        self._built = False
        self.setTitle(step.title)
        self.setObjectName(f"step_{step.id}")

    def setVisible(self, visible: bool) -> None:
        """QWizard shows the page it turns to: build the editors first, so they appear
        with it. Pages the player only walks through on resume stay unbuilt."""
        if visible and not self.state.walking_through:
            self.build()
        super().setVisible(visible)

    def build(self) -> None:
        """Create the description and the editors (once), filled with the answers."""
        if self._built:
            return
        self._built = True
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
            field_input.set_value(self.state.answers.get(field.id))
            field_input.widget.setEnabled(not self.state.read_only)
            field_input.on_change(lambda *_, f=field.id: self._changed(f))
            row = FieldRow(field_input)
            self.rows[field.id] = row
            column.addWidget(row)
        column.addStretch(1)

    def value(self, field: Field) -> AnswerValue | None:
        """The field's answer: its editor's value, or the player's answer while unbuilt."""
        row = self.rows.get(field.id)
        return row.input.value() if row is not None else self.state.answers.get(field.id)

    def answers(self) -> dict[str, AnswerValue | None]:
        """Every field of the step with its answer (None clears it)."""
        return {field.id: self.value(field) for field in self.step.fields}

    def visible_fields(self) -> tuple[Field, ...]:
        return self.state.path.visible_fields.get(self.step.id, self.step.fields)

    def show_read_only(self) -> None:
        """Enable the editors, or disable them when the state is read-only."""
        for row in self.rows.values():
            row.input.widget.setEnabled(not self.state.read_only)

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
            row.show_problem(row.input.problem() if shown else None)
        self.setFinalPage(self.nextId() == -1)
        self.completeChanged.emit()

    def focus_first_field(self) -> None:
        for row in self.rows.values():
            if row.isVisibleTo(self) and row.input.widget.isEnabled():
                row.input.focus_widget().setFocus(Qt.FocusReason.TabFocusReason)
                return

    def _changed(self, field_id: str) -> None:
        self.touched.add(field_id)
        value = self.rows[field_id].input.value()
        self.state.set_answer(field_id, value)
        self.refresh()
        self.answerChanged.emit(field_id, value)

    def isComplete(self) -> bool:
        return all(self.problem(f) is None for f in self.visible_fields())

    def problem(self, field: Field) -> str | None:
        """Why the field's answer is not acceptable (its editor's, once built), or None."""
        row = self.rows.get(field.id)
        return row.input.problem() if row is not None else answer_problem(field, self.value(field))

    def nextId(self) -> int:
        return self.state.next_page_id(self.step.id)


class CompletionPage(QWizardPage):
    """After Finish: "Completing… not saved yet" until the database confirms, then the
    answers on the path, the times, and save-as-template / export."""

    def __init__(
        self,
        state: PlayState,
        save_as_template: Callable[[], None],
        export: Callable[[], None],
    ) -> None:
        super().__init__()
        self.state = state
        self.setObjectName("completionPage")
        self.setTitle(state.definition.title)
        self.setFinalPage(True)
        self.status = plain_label(object_name="completionStatus")
        self.status.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.note = plain_label(object_name="completionNote")
        self.times = plain_label(object_name="completionTimes")
        self.summary = QTreeWidget(objectName="answerSummary")
        self.summary.setAccessibleName("Answers")
        self.summary.setHeaderLabels(["Question", "Answer"])
        self.summary.setColumnWidth(0, 260)
        self.summary.setRootIsDecorated(False)
        self.summary.setWordWrap(True)
        self.template_button = QPushButton("Save as template…", objectName="saveAsTemplateButton")
        self.export_button = QPushButton("Export…", objectName="exportButton")
        self.template_button.clicked.connect(save_as_template)
        self.export_button.clicked.connect(export)
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
        path = self.state.path
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
        self.setTitleFormat(Qt.TextFormat.PlainText)  # page titles come from the file
        self.setSubTitleFormat(Qt.TextFormat.PlainText)
        self.controller = controller
        self.definition = state.definition
        self.info = state.info
        answers: dict[str, AnswerValue] = {  # defaults, unless the person cleared them
            f.id: f.default
            for f in self.definition.fields
            if f.default is not None and f.id not in state.cleared
        }
        answers.update(state.answers)
        self.state = PlayState(self.definition, answers, state.info.is_completed)
        self._step_list_entries: list[tuple[str, int, bool, bool]] = []
        self.stored_steps: set[str] = set(state.info.completed_step_ids)
        self.pending_steps: set[str] = set()
        self._expected_step_id = state.info.current_step_id

        self.step_pages: dict[str, StepPage] = {}
        for index, step in enumerate(self.definition.steps):
            page = StepPage(self.state, step)
            page.answerChanged.connect(self._on_answer_changed)
            self.step_pages[step.id] = page
            self.setPage(index, page)
        self.completion_id = len(self.definition.steps)
        self.completion_page = CompletionPage(self.state, self.save_as_template, self.export)
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
        if self.state.read_only:
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
        self.progress_note = plain_label(object_name="progressNote")
        self.progress_note.setStyleSheet(HINT_STYLE)
        self.progress_note.hide()
        self.step_list = QListWidget(objectName="stepList")
        self.step_list.setAccessibleName("Steps")
        self.step_list.itemClicked.connect(self._jump_to_item)
        self.save_status = plain_label(object_name="saveStatus")
        self.save_status.setAccessibleName("Save status")
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

    def _refresh_step_list(self) -> None:
        """The side panel: the path's steps marked done/current; rebuilt only when
        something in it changed (it runs on every keystroke)."""
        current = self.currentPage()
        entries: list[tuple[str, int, bool, bool]] = []  # text, page id, current, clickable
        for step in self.state.path.steps:
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
                (f"{mark}  {step.title}", self.page_id(step.id), page is current, done or pending)
            )
        if self.state.read_only:
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
        if self.state.read_only:
            self._go_to(page_id)
        elif page_id in self.visitedIds():
            while self.currentId() != page_id:
                self.back()
        else:  # a done step further on: walk there with Next, saving each step
            while self.currentId() != page_id and self.currentPage().isComplete():
                self.next()

    # --- Answers and navigation.

    def page_id(self, step_id: str) -> int:
        return self.state.page_id(step_id)

    def _on_answer_changed(self, field_id: str, value: AnswerValue | None) -> None:
        self._refresh_step_list()
        if not self.state.walking_through:
            self.controller.update_draft({field_id: value})

    def _go_to(self, page_id: int) -> None:
        """Show `page_id` with a fresh history (review of a completed session)."""
        self.setStartId(page_id)
        self.restart()

    def _resume(self, step_id: str | None) -> None:
        """Open at the first step, then walk (without saving) to the step the person
        was on, so Back and the side panel work as if they had never left."""
        self.state.walking_through = True
        self._go_to(self.page_id(self.definition.steps[0].id))
        target = self.page_id(step_id) if step_id and self.definition.step(step_id) else 0
        while self.currentId() != target and self.currentPage().isComplete():
            before = self.currentId()
            self.next()
            if self.currentId() == before:
                break
        self.state.walking_through = False
        landing = self.currentPage()
        assert isinstance(landing, StepPage)
        landing.build()  # the pages walked through stay unbuilt until shown
        landing.refresh()
        landing.focus_first_field()
        self._expected_step_id = self._current_step_id()
        self._build_ahead()

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
        if not isinstance(page, StepPage) or self.state.walking_through:
            return True
        if self.state.read_only or not page.isComplete():
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
            walking_or_reading = self.state.walking_through or self.state.read_only
            if not walking_or_reading and step_id != self._expected_step_id:
                self.controller.update_draft({}, step_id)
            self._expected_step_id = step_id
            if not self.state.walking_through:
                self._build_ahead()
        self._refresh_step_list()

    def _build_ahead(self) -> None:
        """Build the page Next leads to once the event loop is free and no step the
        person left is still being stored, so that neither Next nor the step's "Saved"
        waits for it."""
        if not self.pending_steps:
            QTimer.singleShot(0, self, self._build_next_page)

    def _build_next_page(self) -> None:
        page = self.currentPage()
        if isinstance(page, StepPage) and page.nextId() != -1:
            next_page = self.page(page.nextId())
            assert isinstance(next_page, StepPage)
            next_page.build()

    def _shortcut_back(self) -> None:
        if self.currentId() in self.visitedIds()[1:] and not self.state.read_only:
            self.back()

    def _shortcut_next(self) -> None:
        page = self.currentPage()
        if isinstance(page, StepPage) and page.isComplete() and page.nextId() != -1:
            self.next()

    def _on_finished(self, result: int) -> None:
        if result == QDialog.DialogCode.Accepted and not self.state.read_only:
            self.state.read_only = True
            for page in self.step_pages.values():
                page.show_read_only()
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
        self._build_ahead()

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
