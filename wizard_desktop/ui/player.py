"""The wizard player: a QWizard generated from a wizard definition, one page per step.

It owns what the person sees while playing a session: the step pages with their field
editors (from ui/editors.py) and in-place messages (the rules come from
`answer_problem`), skip logic (`nextId` follows the current path, hidden fields
disappear as answers change), the side panel (session name, the template it started
from, progress, the path's steps, save status), the review page and the completion
page. It never writes to the database itself: every change goes to the
`SessionController`, and what it shows as saved is what the controller reports.

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

Review: Next on the last step of the path stores its answers as a draft (the step is
not completed) and shows the review page: every step on the path with its answers as
a person reads them, an Edit button per step, and Finish, which completes the session
with the last step's answers. A 4-step wizard so reads 75 % on the review page and
100 % only once the completion is stored. After Edit, Next goes back through the steps
already completed to the review; it stops at a step the edit put on the path, or one
whose answers no longer hold. A session left on the review page resumes on its last
step (not completed, so it is the session's current step): one Next shows the review
again. `review: false` in the file: Finish is on the last step, no review page.

Progress and the path: the progress bar is 100 * (completed steps on the path) /
(steps on the path) for the answers on screen, so the side panel's list and the
denominator are always the same path; the core stores the same figure with Next. A
condition that reads a field not answered yet reads the field's default (what its
editor shows pre-filled) unless the person cleared it; a field with neither is
unanswered, and a condition on it is false (`not_equals` and `answered: false` are
true). The path so changes only when an answer changes it, and only then one sentence
under the progress bar says how, in the steps' titles ("Your answer skips Equipment
and Onboarding buddy: 5 steps now."); it goes when the person moves to another page.

The wizard's logic (format 2, and format 1's conditions): `PlayState` keeps one
`LiveResolution` (definition/logic.py) for the answers on screen. Each change goes
through `PlayState.settle`: the logic re-evaluates only what reads the field and names
the steps and fields whose state changed; only those widgets of the page on screen are
updated (visible, the `*` of required/required_if, read-only for enabled_if false,
calculated values, offered options, `{field}` texts as plain text, notes as Markdown,
messages); a page built but off screen is brought up to date when shown. An answer
whose option went is cleared and stored so, with a sentence under its field naming the
option and the field; a field that appears unanswered takes its default expression's
value (the logic computes it once) as an ordinary answer; a field the person cleared
keeps no default. Next follows the rules one field at a time while typing, and before
a step is stored the player runs the core's own check (`WizardLogic.step_problems`).
When the logic runs out of its budget (`ExpressionCostExceeded`) the page says so, Next
waits, the answers are kept and stored as drafts, and the last state worked out stays
on screen until an answer brings the logic back within its budget.

Keyboard: Enter is Next (or Finish) whenever the page is valid, wherever the focus is
but on another button or in a multi-line field; on a page not complete yet, Enter (and
Alt+Right) shows under every field what it lacks and focuses the first of them (Next
being disabled would otherwise say nothing). Next is the default button on every
step page, Finish on the review page (where it has the focus); Alt+Right does what the
forward button does, Alt+Left is Back; Finish's mnemonic is Alt+I (Alt+F opens the
File menu); Esc leaves the player, and the main window then says "Your answers are
saved." once they are (what still waits is in its status bar until then).

Text from a wizard file or a person is shown as plain text everywhere: page titles
(the wizard's title format), labels, hints, messages, the side panel, the completion
page. Step descriptions are Markdown views that load no resource (ui/markdown.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QFrame,
    QGridLayout,
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
from wizard_desktop.core.sessions import SessionInfo, SessionState, StepSaved, progress_percentage
from wizard_desktop.core.templates import (
    TemplateInfo,
    TemplateNotFoundError,
    get_template,
    template_preview,
)
from wizard_desktop.definition.answers import answer_problem
from wizard_desktop.definition.conditions import ResolvedPath, is_answered
from wizard_desktop.definition.expressions import ExpressionCostExceeded
from wizard_desktop.definition.languages import localized
from wizard_desktop.definition.logic import Resolution, hold_answer, wizard_logic
from wizard_desktop.definition.model import (
    AnswerValue,
    Field,
    FieldType,
    Repeat,
    Step,
    WizardDefinition,
)
from wizard_desktop.definition.repeats import in_language
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.editors import (
    ERROR_COLOR_ON_LIGHT,
    HINT_STYLE,
    SHOWN_ONLY,
    FieldRow,
    make_input,
)
from wizard_desktop.ui.formatting import session_times, shown_answer
from wizard_desktop.ui.language_switch import LanguageSwitch, start_language
from wizard_desktop.ui.markdown import MarkdownView, markdown_block, plain_label, plain_tooltip
from wizard_desktop.ui.repeat_controls import RepeatControls
from wizard_desktop.ui.report_print import ReportButtons

STEP_ID_ROLE = Qt.ItemDataRole.UserRole
# A list item's flags as QListWidgetItem starts with them (a step one can go to).
_ITEM_FLAGS = (
    Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemIsUserCheckable
    | Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsDragEnabled
)

NEXT = QWizard.WizardButton.NextButton
FINISH = QWizard.WizardButton.FinishButton


def _show_step_entry(
    item: QListWidgetItem, text: str, page_id: int, is_current: bool, clickable: bool, tip: str
) -> None:
    """A row of the side panel's step list: the current step in bold, a step one
    cannot go to yet greyed out; `tip`, its whole text, as its tool tip."""
    item.setText(text)
    item.setToolTip(plain_tooltip(tip))
    item.setData(STEP_ID_ROLE, page_id)
    if is_current:
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    else:
        item.setData(Qt.ItemDataRole.FontRole, None)  # the list's own font
    item.setFlags(_ITEM_FLAGS if is_current or clickable else Qt.ItemFlag.NoItemFlags)


def path_change_note(
    before: tuple[Step, ...],
    after: tuple[Step, ...],
    title: Callable[[Step], str] = lambda step: step.title,
) -> str:
    """One sentence on how an answer changed the path, in the steps' own titles."""
    before_ids = {step.id for step in before}
    after_ids = {step.id for step in after}
    added = [title(step) for step in after if step.id not in before_ids]
    skipped = [title(step) for step in before if step.id not in after_ids]
    changes = [f"adds {_listed(added)}"] if added else []
    if skipped:
        changes.append(f"skips {_listed(skipped)}")
    count = len(after)
    return f"Your answer {' and '.join(changes)}: {count} step{'s' if count != 1 else ''} now."


STEP_ENTRY_LIMIT = 120  # characters of a question shown as a step list entry


def told_apart(title: str, fields: tuple[Field, ...], label: Callable[[Field], str]) -> str:
    """A step list entry for a step whose title other steps on the path share (an
    XLSForm's questions, each a screen titled by its group): the first line of its
    first question (a note's, its Markdown as it reads, when it has nothing else), else
    the title."""
    asked = [f for f in fields if f.type is not FieldType.NOTE] or list(fields)
    for f in asked:
        text = label(f)
        if f.type is FieldType.NOTE:
            document = QTextDocument()  # reads the text only: it loads no resource
            document.setMarkdown(text)
            text = document.toPlainText().replace("\ufffc", "")  # an image's place
        line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
        if line:
            return line if len(line) <= STEP_ENTRY_LIMIT else f"{line[:STEP_ENTRY_LIMIT]}…"
    return title


def _listed(titles: list[str]) -> str:
    return titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"


# --- What the pages share.


class PlayState:
    """What the pages of one player read and change, instead of reaching into the
    QWizard: the definition, the answers on screen (stored answers and defaults, as the
    person changes them), whether the session is read-only, whether the player is
    walking through pages to resume (nothing is built or saved then), and the wizard's
    logic for those answers (`resolution`: the path, what is visible, required,
    read-only, calculated, offered and how texts read), kept up to date incrementally
    by `settle`, which brings every built page up to date with what changed."""

    def __init__(
        self,
        definition: WizardDefinition,
        answers: dict[str, AnswerValue],
        read_only: bool,
        cleared: frozenset[str] = frozenset(),
    ) -> None:
        self.definition = definition
        self.answers = answers
        self.read_only = read_only
        self.walking_through = False
        self.cleared = set(cleared)  # emptied by the person: no default comes back
        self.pages: dict[str, StepPage] = {}  # the built ones, by step id
        self._step_of = {f.id: s.id for s in definition.steps for f in s.fields}
        self._page_ids = {step.id: index for index, step in enumerate(definition.steps)}
        self.review_page_id = len(definition.steps) if definition.review else None
        self.cost_exceeded = False
        self._visible: tuple[Resolution | None, frozenset[str]] = (None, frozenset())
        self._start_logic()

    def _start_logic(self) -> None:
        """The logic of `definition` for the answers on screen."""
        self.logic = logic = wizard_logic(self.definition)
        self._whole = True  # False: `live` stands in for the answers it could not take
        try:
            self.live = logic.live(self.answers, frozenset(self.cleared))
            self._resolution = self.live.current
        except ExpressionCostExceeded:  # shown as the pages are: the answers stay as given
            self.cost_exceeded, self._whole = True, False
            self.live = logic.live({}, frozenset(self.cleared))
            self._resolution = self.live.current

    def show_language(self, definition: WizardDefinition) -> None:
        """The same wizard in another language (`languages.localized`): its logic again,
        for the same answers (texts such as `{field}` titles render in it)."""
        self.definition = definition
        self._start_logic()

    @property
    def resolution(self) -> Resolution:
        """The logic's state for the answers on screen; while the logic is out of its
        budget, the last one it could work out."""
        if not self.cost_exceeded:
            self._resolution = self.live.current
        return self._resolution

    @property
    def path(self) -> ResolvedPath:
        """The current path for the answers on screen."""
        return self.resolution.path

    def visible(self) -> frozenset[str]:
        """The ids of the fields shown now (on the path, visible, not hidden)."""
        resolution = self.resolution
        if self._visible[0] is not resolution:
            self._visible = (resolution, frozenset(resolution.fields))
        return self._visible[1]

    def text(self, element_id: str, key: str, given: str | None) -> str:
        """A title, label, help or description as shown: interpolated when templated."""
        return self.resolution.texts.get((element_id, key), given or "")

    def title(self, step: Step) -> str:
        return self.text(step.id, "title", step.title)

    def label(self, field: Field) -> str:
        return self.text(field.id, "label", field.label)

    def shown_value(self, field: Field) -> AnswerValue | None:
        """What the field holds on the path: its answer, or its calculated value."""
        if field.type is FieldType.CALCULATED:
            return self.resolution.values.get(field.id)
        return self.path.answers.get(field.id)

    def settle(self, changes: dict[str, AnswerValue | None]) -> dict[str, AnswerValue | None]:
        """Take the answers `changes` and what follows from them on the built pages (an
        answer whose option went is cleared, a default expression fills a field that
        appears), updating only the widgets whose state changed. Returns every answer
        so changed, to be stored. When the logic runs out of its budget the answers
        are kept and every page says so."""
        pending = list(changes.items())
        settled: dict[str, AnswerValue | None] = {}
        while pending:
            field_id, value = pending.pop(0)
            settled[field_id] = value
            hold_answer(self.answers, self.cleared, field_id, value)
            try:
                if self._whole:
                    changed = self.live.set_answer(field_id, value) | {field_id}
                else:  # every answer again, once the logic can take them
                    self.live = self.logic.live(self.answers, self.cleared)
                    self._whole = True
                    changed = {*self.pages, *(f.id for f in self.definition.fields)}
                self.live.current  # noqa: B018 (worked out now, within the budget)
            except ExpressionCostExceeded:
                self._show_cost_exceeded(True)
                return settled
            self._show_cost_exceeded(False)
            pending.extend(self.apply(changed))
        return settled

    def apply(self, changed: frozenset[str] | set[str]) -> list[tuple[str, AnswerValue | None]]:
        """Bring the page on screen up to date with the steps and fields `changed`
        (other built pages only note that they are out of date: each is brought up to
        date when shown); the answers that changed on the way, to be settled."""
        by_page: dict[str, set[str]] = {}
        for element_id in changed:
            step_id = self._step_of.get(element_id, element_id)
            if step_id in self.pages:
                by_page.setdefault(step_id, set()).add(element_id)
        follow: list[tuple[str, AnswerValue | None]] = []
        for step_id, ids in by_page.items():
            page = self.pages[step_id]
            if page.on_screen():
                follow.extend(page.apply(ids))
            else:
                page.stale = True
        return follow

    def step_problems(self, step_id: str, answers: dict[str, AnswerValue | None]) -> dict[str, str]:
        """The check of a step before it is saved: the core's own (`step_problems`)."""
        return self.logic.step_problems(self.resolution, step_id, answers)

    def _show_cost_exceeded(self, exceeded: bool) -> None:
        if exceeded != self.cost_exceeded:
            self.cost_exceeded = exceeded
            for page in self.pages.values():
                page.show_cost_exceeded()

    def page_id(self, step_id: str) -> int:
        return self._page_ids[step_id]

    def next_page_id(self, step_id: str) -> int:
        """The page after `step_id` on the current path: after the last, the review
        page, or -1 (Finish) when the wizard has none."""
        next_step = self.path.next_step_id(step_id)
        if next_step is not None:
            return self.page_id(next_step)
        return self.review_page_id if self.review_page_id is not None else -1


COST_EXCEEDED_NOTE = (
    "This wizard's rules needed more work than allowed to follow your last answer, so "
    "this page may be out of date and cannot go on. Your answers are kept: change the "
    "answer, or leave the player and tell the wizard's author."
)


def rule_problem(field: Field, value: AnswerValue | None, resolution: Resolution) -> str | None:
    """Why `value` breaks the rules of `field` now, one field at a time (so a keystroke
    checks only what it changed): what `WizardLogic.step_problems` says of it, from the
    same parts (the answer rules with what is required now, and the resolution's
    problems: an option filtered out, the constraint)."""
    required = field.id in resolution.required and field.id not in resolution.disabled
    return answer_problem(field, value, required=required) or resolution.problems.get(field.id)


def option_cleared_note(field_label: str, gone: list[str]) -> str:
    """What the person is told when options they had chosen are no longer offered."""
    listed = _listed([f"“{label}”" for label in gone])
    options = "is no longer an option" if len(gone) == 1 else "are no longer options"
    return f"{listed} {options} for “{field_label}” after your answers, so it was cleared."


# --- Pages.


class StepPage(QWizardPage):
    """One step: its Markdown description and the editors of its fields. Complete when
    every visible field has an acceptable answer. The editors are built by `build()`
    (see the module docstring for when); `answerChanged` reports each change, once the
    page's state and messages follow it (an answer the page changed by itself, cleared
    or defaulted, is reported too)."""

    answerChanged = Signal(str, object)  # field id, its value (None when cleared)

    def __init__(self, state: PlayState, step: Step) -> None:
        super().__init__()
        self.state = state
        self.step = step
        self.touched: set[str] = set()
        self.rows: dict[str, FieldRow] = {}  # filled by `build`
        self.blocking: set[str] = set()  # shown fields with a problem
        self.description: MarkdownView | None = None
        self.cost_note: QLabel | None = None  # made when first needed
        self.column: QVBoxLayout | None = None
        self.scroll: QScrollArea | None = None
        self._built = False
        self.stale = False  # built, and the logic changed while it was not on screen
        self._shown_complete: bool | None = None  # what completeChanged last told
        self._final: bool | None = None  # what setFinalPage last said
        self._quiet = False  # while the page changes an editor itself
        self.setTitle(state.title(step))
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
        self.scroll = scroll

        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 8, 0)
        self.column = column
        if step.description:
            self.description = markdown_block(
                self.state.text(step.id, "description", step.description),
                f"description_{step.id}",
            )
            column.addWidget(self.description)
        for field in step.fields:
            field_input = make_input(field)
            field_input.set_value(self.state.answers.get(field.id))
            field_input.widget.setEnabled(not self.state.read_only)
            field_input.on_change(lambda *_, f=field.id: self._changed(f))
            row = FieldRow(field_input)
            self.rows[field.id] = row
            column.addWidget(row)
        column.addStretch(1)
        if not self.state.read_only:
            self._seed()
        visible = self.state.visible()
        for field_id, row in self.rows.items():  # as the page will show: `refresh` follows
            if field_id not in visible:
                row.hide()
            self._check(row, field_id in visible)
        self.state.pages[step.id] = self
        self.show_cost_exceeded()

    def _seed(self) -> None:
        """The logic reads what Next will send: an editor that holds an answer the
        player has not (an untouched check box holds `false`) gives it to the live
        resolution, so what shows, what is required and whether Next goes agree with
        the save's check. Not stored before Next (a session nobody answered stays
        unanswered); an answer that changes elsewhere because of it is reported."""
        sent = {
            field_id: value
            for field_id, row in self.rows.items()
            if row.input.field.type not in SHOWN_ONLY
            and is_answered(value := row.input.value())
            and value != self.state.answers.get(field_id)
        }
        if sent:
            for changed_id, value in self.state.settle(sent).items():
                if changed_id not in sent:
                    self.answerChanged.emit(changed_id, value)

    def show_texts(self, step: Step) -> None:
        """The same step in another language: every editor shows its field's texts (the
        answers and what is typed stay); `refresh` then shows the rest."""
        self.step = step
        for field in step.fields:
            row = self.rows.get(field.id)
            if row is not None:
                row.input.show_texts(field)
        self.setTitle(self.state.title(step))

    def on_screen(self) -> bool:
        """The page the person is on: its wizard's current page (shown, when alone)."""
        wizard = self.wizard()
        return wizard.currentPage() is self if wizard is not None else self.isVisible()

    def value(self, field: Field) -> AnswerValue | None:
        """The field's answer: its editor's value, or the player's answer while unbuilt."""
        row = self.rows.get(field.id)
        return row.input.value() if row is not None else self.state.answers.get(field.id)

    def answers(self) -> dict[str, AnswerValue | None]:
        """Every field of the step the person answers, with its answer (None clears it);
        notes have none, calculated values are the logic's."""
        return {
            field.id: self.value(field)
            for field in self.step.fields
            if field.type not in SHOWN_ONLY
        }

    def visible_fields(self) -> tuple[Field, ...]:
        visible = self.state.visible()
        return tuple(f for f in self.step.fields if f.id in visible)

    def show_read_only(self) -> None:
        """Enable the editors, or disable them when the state is read-only."""
        disabled = self.state.resolution.disabled
        for field_id, row in self.rows.items():
            row.set_read_only(self.state.read_only or field_id in disabled)

    def show_cost_exceeded(self) -> None:
        """Say at the top of the page when the logic ran out of its budget (Next waits)."""
        if self.cost_note is None and self.state.cost_exceeded and self.column is not None:
            self.cost_note = plain_label(COST_EXCEEDED_NOTE, f"costNote_{self.step.id}")
            self.cost_note.setStyleSheet(f"color: {ERROR_COLOR_ON_LIGHT}; font-weight: 600;")
            self.column.insertWidget(0, self.cost_note)
        if self.cost_note is not None:
            self.cost_note.setVisible(self.state.cost_exceeded)
        self._tell_complete()

    def refresh(self) -> list[tuple[str, AnswerValue | None]]:
        """Bring every field and text of the page up to date (when it is shown); the
        answers that changed on the way, to be settled."""
        self.stale = False
        self._shown_complete = None
        return self.apply({self.step.id, *self.rows})

    def apply(self, ids: set[str]) -> list[tuple[str, AnswerValue | None]]:
        """Bring the step's texts (its id in `ids`) and the fields `ids` up to date with
        the state's resolution, changing only what differs. Returns the answers the
        page changed itself: cleared (their option went) or defaulted."""
        state = self.state
        resolution = state.resolution
        visible = state.visible()
        follow: list[tuple[str, AnswerValue | None]] = []
        if self.step.id in ids:
            title = state.title(self.step)
            if title != self.title():
                self.setTitle(title)
            if self.description is not None and self.step.description:
                self.description.setMarkdown(
                    state.text(self.step.id, "description", self.step.description)
                )
        for field_id in ids:
            row = self.rows.get(field_id)
            if row is None:
                continue
            field = row.input.field
            in_view = field_id in visible
            if row.isHidden() == in_view:  # only on change: showing a shown row re-shows
                row.setVisible(in_view)  # everything in it
            row.set_label(state.label(field), field_id in resolution.required)
            row.set_help(state.text(field_id, "help", field.help))
            row.set_read_only(state.read_only or field_id in resolution.disabled)
            if field.type is FieldType.CALCULATED:
                calculated = resolution.values.get(field_id)
                shown = row.input.value()  # True == 1 in Python: compare the types too
                if calculated != shown or type(calculated) is not type(shown):
                    row.input.set_value(calculated)
            changes = in_view and not state.read_only  # a completed session stays as it is
            changed = self._follow_options(row, resolution) if changes else None
            if changed is None and changes:
                changed = self._default(row)
            if changed is not None:
                follow.append(changed)
            self._check(row, in_view)
        final = self.nextId() == -1
        if final != self._final:  # QWizard lays out its buttons on each call
            self._final = final
            self.setFinalPage(final)
        self._tell_complete()
        return follow

    def _tell_complete(self) -> None:
        """Emit completeChanged when whether Next may go changed (QWizard then updates
        its buttons, which costs a layout pass: not on every keystroke)."""
        complete = self.isComplete()
        if complete != self._shown_complete:
            self._shown_complete = complete
            self.completeChanged.emit()

    def _follow_options(
        self, row: FieldRow, resolution: Resolution
    ) -> tuple[str, AnswerValue | None] | None:
        """Offer the options whose visible_if holds; an answer whose option went is
        cleared, and the person is told under the field."""
        field = row.input.field
        offered = resolution.options.get(field.id)
        if offered is None:
            return None
        value = row.input.value()  # before: a combo box offers only what it lists
        row.input.set_options(offered)
        chosen = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        gone = [v for v in chosen if v not in offered]
        if not gone:
            return None
        kept: AnswerValue | None = (
            [v for v in chosen if v in offered] if isinstance(value, list) else None
        )
        self._set_quietly(row, kept)
        labels = [field.option_label(v) for v in gone]
        row.show_notice(option_cleared_note(self.state.label(field), labels))
        return field.id, row.input.value()

    def _default(self, row: FieldRow) -> tuple[str, AnswerValue | None] | None:
        """A field that appears unanswered takes the value of its default expression
        (the logic computes it once): from then on it is an ordinary answer."""
        field = row.input.field
        default = self.state.resolution.defaults.get(field.id)
        if default is None or field.id in self.state.cleared or is_answered(row.input.value()):
            return None
        self._set_quietly(row, default)
        return field.id, row.input.value()

    def _set_quietly(self, row: FieldRow, value: AnswerValue | None) -> None:
        self._quiet = True
        try:
            row.input.set_value(value)
        finally:
            self._quiet = False

    def _check(self, row: FieldRow, in_view: bool) -> None:
        """Show the field's problem, and count it against Next while it is shown."""
        field_id = row.input.field.id
        problem = row.input.entry_problem() if in_view else None
        if in_view and problem is None and row.input.field.type not in SHOWN_ONLY:
            problem = rule_problem(row.input.field, row.input.value(), self.state.resolution)
        if problem is None:
            self.blocking.discard(field_id)
        else:
            self.blocking.add(field_id)
        value = row.input.value()
        # Untouched fields only complain about what is in them (not about being empty).
        filled = is_answered(value) and value is not False
        shown = field_id in self.touched or filled
        row.show_problem(problem if shown else None)

    def focus_first_field(self) -> None:
        for row in self.rows.values():
            focusable = row.input.field.type not in SHOWN_ONLY
            if focusable and row.isVisibleTo(self) and row.input.widget.isEnabled():
                row.input.focus_widget().setFocus(Qt.FocusReason.TabFocusReason)
                return

    def show_problems(self) -> None:
        """Next asked for while the page is not complete: every shown field says what it
        lacks (an untouched one too), and the first of them takes the focus, scrolled
        into view."""
        visible = self.state.visible()
        first: FieldRow | None = None
        for field_id, row in self.rows.items():
            if field_id not in visible or row.input.field.type in SHOWN_ONLY:
                continue
            self.touched.add(field_id)
            self._check(row, True)
            if first is None and field_id in self.blocking and row.input.widget.isEnabled():
                first = row
        if first is not None:
            if self.scroll is not None:
                self.scroll.ensureWidgetVisible(first)
            first.input.focus_widget().setFocus(Qt.FocusReason.OtherFocusReason)

    def _changed(self, field_id: str) -> None:
        if self._quiet:
            return
        self.touched.add(field_id)
        row = self.rows[field_id]
        row.show_notice(None)
        settled = self.state.settle({field_id: row.input.value()})
        for changed_id, value in settled.items():
            self.answerChanged.emit(changed_id, value)

    def isComplete(self) -> bool:
        if self.state.cost_exceeded:
            return False
        if self._built and not self.stale:
            return not self.blocking
        return not self.state.step_problems(self.step.id, self.answers())

    def nextId(self) -> int:
        return self.state.next_page_id(self.step.id)


def answered_fields(state: PlayState, step: Step) -> list[Field]:
    """The fields of `step` the review and the summary list: the visible ones with an
    answer or a value (no notes)."""
    visible = state.visible()
    return [f for f in step.fields if f.id in visible and f.type is not FieldType.NOTE]


class CompletionPage(QWizardPage):
    """After Finish: "Completing… not saved yet" until the database confirms, then the
    answers on the path, the times, and save-as-template / export."""

    def __init__(
        self,
        state: PlayState,
        save_as_template: Callable[[], None],
        export: Callable[[], None],
        report: ReportButtons,
    ) -> None:
        super().__init__()
        self.state = state
        self.setObjectName("completionPage")
        self.setTitle(state.definition.title)
        self.setFinalPage(True)
        self.report = report
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
        buttons.addWidget(report)
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
        self.report.hide()

    def show_completed(self, info: SessionInfo) -> None:
        self.status.setText(f"“{info.name}” is completed and saved.")
        self.times.setText(session_times(info))
        self.summary.clear()
        state = self.state
        previous: str | None = None
        for step in state.path.steps:
            heading = state.title(step)
            if heading != previous:  # steps of one title under one heading, as the review
                step_item = QTreeWidgetItem([heading, ""])
                font = step_item.font(0)
                font.setBold(True)
                step_item.setFont(0, font)
                self.summary.addTopLevelItem(step_item)
            previous = heading
            for field in answered_fields(state, step):
                text = shown_answer(field, state.shown_value(field))
                item = QTreeWidgetItem([f"    {state.label(field)}", text])
                self.summary.addTopLevelItem(item)
        self.note.hide()
        for widget in (self.times, self.summary, self.template_button, self.export_button):
            widget.show()
        self.report.show()


class ReviewPage(QWizardPage):
    """Before Finish: every step on the path with its answers as a person reads them,
    each with an Edit button (`editStep_<step id>`) that calls `edit(step_id)`; steps in
    a row with one title share its heading. Filled again each time it is shown."""

    def __init__(
        self, state: PlayState, edit: Callable[[str], None], report: ReportButtons
    ) -> None:
        super().__init__()
        self.state = state
        self.edit = edit
        self.setObjectName("reviewPage")
        self.setTitle("Review your answers")
        self.setSubTitle("Check each step, edit what is wrong, then Finish.")
        self.setFinalPage(True)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        layout.addWidget(report, 0, Qt.AlignmentFlag.AlignLeft)

    def setVisible(self, visible: bool) -> None:
        if visible:
            self.fill()
        super().setVisible(visible)

    def nextId(self) -> int:
        return -1  # Finish (the completion page is shown after it, not "next")

    def fill(self) -> None:
        """Rebuild the list for the path and answers on screen (the scroll area deletes
        the list it showed before)."""
        content = QWidget()
        grid = QGridLayout(content)  # one grid, so the answers of every step line up
        grid.setContentsMargins(0, 0, 8, 0)
        grid.setColumnMinimumWidth(0, 12)
        grid.setColumnStretch(2, 1)
        state = self.state
        previous: str | None = None
        for step in state.path.steps:
            heading = state.title(step)
            # the same title as the step before (an XLSForm's questions, each a screen
            # titled by its group): listed under that heading, its Edit on its first row
            grouped, previous = heading == previous, heading
            fields = answered_fields(state, step)
            edit_button = QPushButton("Edit", objectName=f"editStep_{step.id}")
            named = told_apart(heading, tuple(fields), state.label) if grouped else heading
            edit_button.setAccessibleName(f"Edit {named}")
            edit_button.clicked.connect(lambda *_, step_id=step.id: self.edit(step_id))
            if not grouped:
                if grid.rowCount() > 1:
                    grid.setRowMinimumHeight(grid.rowCount(), 8)  # a gap before the step
                row = grid.rowCount()
                title = plain_label(heading)
                title.setStyleSheet("font-weight: 600;")
                grid.addWidget(title, row, 0, 1, 3)
                grid.addWidget(edit_button, row, 3)
            elif not fields:
                grid.addWidget(edit_button, grid.rowCount(), 3)
            for n, field in enumerate(fields):
                row = grid.rowCount()
                value = plain_label(shown_answer(field, state.shown_value(field)))
                value.setObjectName(f"review_{field.id}")
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                label = plain_label(state.label(field))
                grid.addWidget(label, row, 1, Qt.AlignmentFlag.AlignTop)
                if grouped and n == 0:
                    grid.addWidget(value, row, 2, Qt.AlignmentFlag.AlignTop)
                    grid.addWidget(edit_button, row, 3, Qt.AlignmentFlag.AlignTop)
                else:
                    grid.addWidget(value, row, 2, 1, 2, Qt.AlignmentFlag.AlignTop)
        grid.setRowMinimumHeight(grid.rowCount(), 8)
        grid.setRowStretch(grid.rowCount(), 1)
        self.scroll.setWidget(content)


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
        self.unexpanded = state.unexpanded
        self.language = start_language(state.definition, state.info.language)
        self.definition = self._in_language(state.definition, self.language)
        self.info = state.info
        answers: dict[str, AnswerValue] = {  # defaults, unless the person cleared them
            f.id: f.default
            for f in self.definition.fields
            if f.default is not None and f.id not in state.cleared
        }
        answers.update(state.answers)
        self.state = PlayState(
            self.definition, answers, state.info.is_completed, cleared=state.cleared
        )
        self._step_list_entries: list[tuple[str, int, bool, bool, str]] = []
        self.stored_steps: set[str] = set(state.info.completed_step_ids)
        self.pending_steps: set[str] = set()
        self._expected_step_id = state.info.current_step_id

        self.step_pages: dict[str, StepPage] = {}
        for index, step in enumerate(self.definition.steps):
            page = StepPage(self.state, step)
            page.answerChanged.connect(self._on_answer_changed)
            self.step_pages[step.id] = page
            self.setPage(index, page)
        self.review_page = ReviewPage(self.state, self.edit_step, self._report_buttons())
        self.setPage(len(self.definition.steps), self.review_page)
        self.completion_id = len(self.definition.steps) + 1
        self.completion_page = CompletionPage(
            self.state, self.save_as_template, self.export, self._report_buttons()
        )
        self.setPage(self.completion_id, self.completion_page)
        self._returning_to_review = False  # after Edit: Next goes back to the review
        self._left_for_review = ""  # the step whose Next showed the review (a draft)
        self._path_steps = self.state.path.steps  # what a path-change note compares with
        self._path_titles = self._titles()  # their titles as shown
        self.repeat_controls = RepeatControls(
            state.info.id,
            self._repeats_in(self.language),
            self.definition,
            controller,
            lambda: self.state.path.answers,
            lambda field: self.state.label(field),
            self._save_before_adding,
        )
        self.setSideWidget(self._build_side_panel())
        self.setButtonText(FINISH, "F&inish")  # Alt+F is the File menu
        for which in (QWizard.WizardButton.BackButton, NEXT, FINISH):
            wizard_button = self.button(which)
            assert isinstance(wizard_button, QPushButton)
            wizard_button.setAutoDefault(False)
        for page in (*self.step_pages.values(), self.review_page):
            page.completeChanged.connect(self._keep_forward_default)  # after QWizard's own

        QShortcut(QKeySequence("Alt+Left"), self, self._shortcut_back)
        QShortcut(QKeySequence("Alt+Right"), self, self._shortcut_next)
        self.currentIdChanged.connect(self._on_page_changed)
        self.finished.connect(self._on_finished)
        controller.saveStateChanged.connect(self._show_save_state)
        controller.stepSaved.connect(self._on_step_saved)
        controller.completed.connect(self._on_completed)
        controller.renamed.connect(self._on_renamed)
        controller.templateSaved.connect(self._on_template_saved)

        self._show_progress()
        self._show_save_state("saving" if controller.has_unsaved() else SAVED, "")
        if self.language not in (None, self.info.language) and not self.state.read_only:
            controller.set_language(self.language)
        if self.state.read_only:
            self.repeat_controls.hide()
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
        self.name_edit.setCursorPosition(0)  # a long name shows its beginning
        self.name_edit.editingFinished.connect(self._rename)
        self.template_banner = plain_label(object_name="templateBanner")
        self.template_banner.setStyleSheet(HINT_STYLE)
        template_name = self._template_name()
        if template_name is not None:
            self.template_banner.setText(f"Pre-filled from template “{template_name}”")
        else:
            self.template_banner.hide()
        self.progress_bar = QProgressBar(objectName="progressBar")
        self.progress_bar.setAccessibleName("Progress")
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setFormat("%p %")  # "60 %", as every view writes a percentage
        self.progress_note = plain_label(object_name="progressNote")
        self.progress_note.setStyleSheet(HINT_STYLE)
        self.progress_note.hide()
        self.step_list = QListWidget(objectName="stepList")
        self.step_list.setAccessibleName("Steps")
        # a long entry is cut with "…" (its tool tip says it whole), not scrolled sideways
        self.step_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.step_list.setTextElideMode(Qt.TextElideMode.ElideRight)
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
        if len(self.definition.languages) > 1:
            self.language_switch = LanguageSwitch(self.definition.languages, self.language, panel)
            self.language_switch.languageChosen.connect(self.switch_language)
            layout.addWidget(QLabel("Language", buddy=self.language_switch))
            layout.addWidget(self.language_switch)
        name_label = QLabel("Session", buddy=self.name_edit)
        layout.addWidget(name_label)
        layout.addWidget(self.name_edit)
        layout.addWidget(self.template_banner)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.progress_note)
        layout.addWidget(self.step_list, 1)
        layout.addWidget(self.repeat_controls)
        layout.addWidget(self.save_status)
        layout.addWidget(self.retry_button)
        layout.addWidget(leave_button)
        return panel

    def _template_name(self) -> str | None:
        """The name of the template the session started from, if it is still there."""
        if self.info.template_id is None:
            return None
        try:
            return get_template(self.info.template_id).name
        except TemplateNotFoundError:
            return None

    def _refresh_step_list(self) -> None:
        """The side panel: the path's steps marked done/current (a step whose title
        other steps share named by its first question, `told_apart`; the current one kept
        in view); changed only where
        something in it changed (it runs on every keystroke and page change): the rows
        whose mark changed are updated in place while the path's steps stay the same,
        and the list is rebuilt when they do not."""
        current = self.currentPage()
        # text, page id, current, clickable, tool tip
        entries: list[tuple[str, int, bool, bool, str]] = []
        path = self.state.path
        titles = [self.state.title(step) for step in path.steps]
        shared = {title for title, n in Counter(titles).items() if n > 1}
        names = [
            told_apart(title, path.visible_fields.get(step.id, ()), self.state.label)
            if title in shared
            else title
            for step, title in zip(path.steps, titles, strict=True)
        ]
        still_shared = {name for name, n in Counter(names).items() if n > 1}
        seen: Counter[str] = Counter()
        for step, title, name in zip(path.steps, titles, names, strict=True):
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
            clickable = done or pending or step.id == self._left_for_review
            shown = name
            if name in still_shared:  # the same question again (a repeat's instances)
                seen[name] += 1
                shown = f"{name} ({seen[name]})"
            tip = f"{title}: {shown}" if shown != title else title
            entry = (f"{mark}  {shown}", self.page_id(step.id), page is current, clickable, tip)
            entries.append(entry)
        if current is self.review_page:
            entries.append(("▶  Review", self.currentId(), True, True, "Review"))
        if self.state.read_only:
            on_summary = current is self.completion_page
            mark = "▶" if on_summary else "✓"
            entries.append((f"{mark}  Summary", self.completion_id, on_summary, True, "Summary"))
        before, self._step_list_entries = self._step_list_entries, entries
        if entries == before:
            return
        if [e[1] for e in entries] == [e[1] for e in before]:
            for row, (old, new) in enumerate(zip(before, entries, strict=True)):
                if old != new:
                    _show_step_entry(self.step_list.item(row), *new)
        else:
            self.step_list.clear()
            for entry in entries:
                item = QListWidgetItem()
                _show_step_entry(item, *entry)
                self.step_list.addItem(item)
        current_row = next((n for n, e in enumerate(entries) if e[2]), None)
        if current_row is not None and current_row != next(
            (n for n, e in enumerate(before) if e[2]), None
        ):  # the current step kept in view as it moves (deep in a long list)
            self.step_list.scrollToItem(self.step_list.item(current_row))

    def _jump_to_item(self, item: QListWidgetItem) -> None:
        self.jump_to(item.data(STEP_ID_ROLE))

    def jump_to(self, page_id: int) -> None:
        """Show a done step (or, read-only, any step or the summary); from the review
        page as its Edit does."""
        if self.state.read_only:
            self._go_to(page_id)
        elif self.currentPage() is self.review_page:
            self.edit_step(self.definition.steps[page_id].id)
        elif page_id in self.visitedIds():
            while self.currentId() != page_id:
                self.back()
        else:  # a done step further on: walk there with Next, saving each step
            while self.currentId() != page_id and isinstance(self.currentPage(), StepPage):
                before = self.currentId()
                if self.currentPage().isComplete():
                    self.next()
                if self.currentId() == before:
                    break

    # --- Languages.

    def switch_language(self, language: str) -> None:
        """Show every text in `language` at once: the pages built so far (what is typed
        stays in its editor), the side panel, the review or the summary; the answers
        are untouched, and the session is answered in it from now on."""
        definition = self._in_language(self.definition, language)
        if definition is self.definition:
            return
        self.language, self.definition = language, definition
        self.state.show_language(definition)
        for page in self.step_pages.values():
            step = definition.step(page.step.id)
            assert step is not None
            page.show_texts(step)
        current = self.currentPage()
        for page in self.step_pages.values():
            if page is current:
                self._refresh_page(page)
            elif page.rows:
                page.stale = True
        self.completion_page.setTitle(definition.title)
        if current is self.review_page:
            self.review_page.fill()
        elif current is self.completion_page and self.info.is_completed:
            self.completion_page.show_completed(self.info)
        self._path_titles = self._titles()
        self._refresh_step_list()
        self.repeat_controls.show_language(self._repeats_in(language), definition)
        self.repeat_controls.show_for(self._current_step_id(), self._path_titles)
        if not self.state.read_only:
            self.controller.set_language(language)

    def _in_language(self, definition: WizardDefinition, language: str | None) -> WizardDefinition:
        """`definition` with its texts in `language`; a session's repeats laid out anew."""
        if self.unexpanded is None:
            return localized(definition, language)
        return in_language(self.unexpanded, definition, language)

    def _repeats_in(self, language: str | None) -> tuple[Repeat, ...]:
        """The version's repeats with their texts in `language`."""
        if self.unexpanded is None:
            return ()
        return localized(self.unexpanded, language).repeats

    # --- Answers and navigation.

    def page_id(self, step_id: str) -> int:
        return self.state.page_id(step_id)

    def _titles(self) -> dict[str, str]:
        return {step.id: self.state.title(step) for step in self.state.path.steps}

    def _on_answer_changed(self, field_id: str, value: AnswerValue | None) -> None:
        self._refresh_step_list()
        steps = self.state.path.steps
        if steps != self._path_steps:
            titles = {**self._path_titles, **self._titles()}  # a step skipped: as it read
            note = path_change_note(self._path_steps, steps, lambda step: titles[step.id])
            self._show_path_note(note)
            self._path_steps = steps
            self._show_progress()
        self._path_titles = self._titles()
        if not self.state.walking_through:
            self.controller.update_draft({field_id: value})

    def _refresh_page(self, page: StepPage) -> None:
        """Bring a page up to date as it is shown; what it changed itself (an answer
        cleared or defaulted) is settled and kept as a draft like any change."""
        follow = page.refresh()
        if follow and not self.state.read_only:
            for field_id, value in self.state.settle(dict(follow)).items():
                self._on_answer_changed(field_id, value)

    def _go_to(self, page_id: int) -> None:
        """Show `page_id` with a fresh history (review of a completed session)."""
        self.setStartId(page_id)
        self.restart()

    def _resume(self, step_id: str | None) -> None:
        """Open at the first step on the path, then walk (without saving) to the step
        the person was on, so Back and the side panel work as if they had never left.
        (With `hide_empty_steps` the wizard's first step may be off the path: a new
        session, which the core starts there, opens at the path's first.)"""
        self.state.walking_through = True
        on_path = self.state.path.step_ids
        first = on_path[0] if on_path else self.definition.steps[0].id
        self._go_to(self.page_id(first))
        target = self.page_id(first)
        new = step_id is None or step_id == self.definition.steps[0].id
        if step_id is not None and not new and self.definition.step(step_id) is not None:
            target = self.page_id(step_id)
        while self.currentId() != target and self.currentPage().isComplete():
            before = self.currentId()
            self.next()
            if self.currentId() == before:
                break
        self.state.walking_through = False
        landing = self.currentPage()
        assert isinstance(landing, StepPage)
        landing.build()  # the pages walked through stay unbuilt until shown
        self._refresh_page(landing)
        landing.focus_first_field()
        self._expected_step_id = self._current_step_id()
        self.repeat_controls.show_for(self._expected_step_id, self._titles())
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

    def _save_before_adding(self) -> bool:
        """Add another on a step: the step is saved first as Next saves it (so the
        instance is done); False when its answers are not complete yet."""
        page = self.currentPage()
        if not isinstance(page, StepPage) or self.state.read_only or not page.isComplete():
            return False
        if self.state.step_problems(page.step.id, page.answers()):
            return False
        self.controller.save_step(page.step.id, page.answers(), page.title())
        self.pending_steps.add(page.step.id)
        return True

    def validateCurrentPage(self) -> bool:
        page = self.currentPage()
        if page is self.review_page and not self.state.read_only:
            last = self.step_pages[self.state.path.steps[-1].id]
            self.controller.complete(last.step.id, last.answers())
            return True
        if not isinstance(page, StepPage) or self.state.walking_through:
            return True
        if self.state.read_only or not page.isComplete():
            return False
        if self.state.step_problems(page.step.id, page.answers()):
            return False  # what the core would refuse (the page shows each problem)
        if page.nextId() == -1:
            self.controller.complete(page.step.id, page.answers())
        elif page.nextId() == self.state.review_page_id:
            # Not completed until Finish: its answers are kept as a draft meanwhile.
            self.controller.keep_for_review(page.step.id, page.answers())
            self._left_for_review = page.step.id
        else:
            self.controller.save_step(page.step.id, page.answers(), page.title())
            self.pending_steps.add(page.step.id)
            next_id = page.nextId()
            self._expected_step_id = self.definition.steps[next_id].id
        return True

    def _on_page_changed(self, page_id: int) -> None:
        page = self.page(page_id)
        if not self.state.walking_through:
            self._show_path_note("")  # a path-change note goes with the page it was made on
        if page is self.review_page:
            self._returning_to_review = False
            self.button(FINISH).setFocus()  # Enter finishes; Tab reaches the Edit buttons
        elif self._returning_to_review:
            QTimer.singleShot(0, self, self._continue_to_review)
        self._keep_forward_default()
        if isinstance(page, StepPage):
            self._refresh_page(page)
            page.focus_first_field()
            step_id = page.step.id
            walking_or_reading = self.state.walking_through or self.state.read_only
            if not walking_or_reading and step_id != self._expected_step_id:
                self.controller.update_draft({}, step_id)
            self._expected_step_id = step_id
            if not self.state.walking_through:
                self._build_ahead()
        if not self.state.walking_through:
            self.repeat_controls.show_for(self._current_step_id(), self._titles())
        self._refresh_step_list()

    def _build_ahead(self) -> None:
        """Build the page Next leads to once the event loop is free and no step the
        person left is still being stored, so that neither Next nor the step's "Saved"
        waits for it."""
        if not self.pending_steps:
            QTimer.singleShot(0, self, self._build_next_page)

    def _build_next_page(self) -> None:
        page = self.currentPage()
        if isinstance(page, StepPage):
            next_page = self.page(page.nextId())
            if isinstance(next_page, StepPage):
                next_page.build()

    def _shortcut_back(self) -> None:
        if self.currentId() in self.visitedIds()[1:] and not self.state.read_only:
            self.back()

    def _shortcut_next(self) -> None:
        self._go_forward()

    def _forward_button(self) -> QAbstractButton:
        """Next, or Finish where Finish takes its place."""
        page = self.currentPage()
        return self.button(FINISH) if page is not None and page.isFinalPage() else self.button(NEXT)

    def _go_forward(self) -> None:
        """What Enter and Alt+Right do: Next or Finish, when the page allows it; on a
        page that is not complete yet, the page shows what each field lacks."""
        forward = self._forward_button()
        if self.state.read_only or not forward.isVisible():
            return
        if forward.isEnabled():
            forward.click()
        elif isinstance(page := self.currentPage(), StepPage):
            page.show_problems()

    def _keep_forward_default(self) -> None:
        """Next is the default button on every step page (Finish where it takes Next's
        place), also while the page is not complete yet. Embedded in the main window,
        QDialog's own bookkeeping would lose the default whenever focus leaves a wizard
        button (it only restores defaults of buttons whose window is the dialog), so
        the wizard buttons are not auto-default and Enter is handled here."""
        forward = self._forward_button()
        if isinstance(forward, QPushButton) and not forward.isDefault():
            forward.setDefault(True)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._keep_forward_default()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter is Next (or Finish) whenever the page is valid, or the wizard button
        that has the focus. (Other buttons and multi-line fields take Enter first.)"""
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if not (enter and plain):
            super().keyPressEvent(event)
            return
        focused = self.focusWidget()
        if isinstance(focused, QPushButton):
            focused.click()
        else:
            self._go_forward()
        event.accept()

    def edit_step(self, step_id: str) -> None:
        """Edit on the review page: show the step; its Next returns to the review."""
        self._returning_to_review = True
        page_id = self.page_id(step_id)
        while self.currentId() != page_id and self.currentId() in self.visitedIds()[1:]:
            self.back()

    def _continue_to_review(self) -> None:
        """After an edited step: pass each step already completed whose answers still
        hold, towards the review; stop at any other (one the edit put on the path)."""
        page = self.currentPage()
        if not self._returning_to_review or not isinstance(page, StepPage):
            return
        passed = self.stored_steps | self.pending_steps | {self._left_for_review}
        if page.step.id in passed and page.isComplete():
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

    def _show_progress(self) -> None:
        """The progress of the path on screen (the side panel's), from the steps stored
        as completed."""
        if self.info.is_completed:
            percentage = 100.0
        else:
            percentage = progress_percentage(self.state.path, tuple(self.stored_steps))
        self.progress_bar.setValue(round(percentage))

    def _show_path_note(self, note: str) -> None:
        self.progress_note.setText(note)
        self.progress_note.setVisible(bool(note))

    def _on_step_saved(self, step_id: str, saved: StepSaved) -> None:
        if saved.instance_counts != self.repeat_controls.counts:  # a repeat_count changed
            self.repeat_controls.reopen.emit(self.info.id, None)
            return
        self.stored_steps.add(step_id)
        self.pending_steps.discard(step_id)
        self._show_progress()
        self._refresh_step_list()
        self._build_ahead()

    def _on_completed(self, info: SessionInfo) -> None:
        self.info = info
        self.stored_steps.update(info.completed_step_ids)
        self._show_progress()
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

    def _report_buttons(self) -> ReportButtons:
        """Print… and Save as PDF… of this session, after its pending draft."""
        return ReportButtons(
            self.controller.operations,
            lambda: (self.info.id, self.info.name),
            before=self.controller.flush,
        )

    def save_as_template(self) -> None:
        preview = template_preview(self.info.id).text()  # what it keeps, what it leaves out
        name = dialogs.ask_name(
            self,
            f"{preview}\n\n{dialogs.TEMPLATE_NAME_PROMPT}",
            self.info.name,
            title="Save as template",
        )
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
                done=lambda written: dialogs.show_info(self, f"Exported the session to {written}."),
                failed=lambda exc: dialogs.show_error(self, f"Could not export to {path}: {exc}"),
            )
