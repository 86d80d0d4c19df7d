"""The wizards view, the first screen: "Continue where you left off" (the sessions in
progress, most recently changed first), the list of wizards (title, steps, completed
count) and the selected one's description, with the buttons that resume its latest
unfinished session, start a new one, remove the wizard and show its statistics. Titles
are shown as plain text, the description as Markdown that loads nothing (a wizard file
is untrusted input). What needs the window (opening the player, starting a session)
goes out as signals."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QFontMetrics, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wizard_desktop.core.session_list import SessionListQuery, SessionRow, fetch_page
from wizard_desktop.core.wizards import (
    RemovedWizard,
    UnknownWizardError,
    WizardHasSessionsError,
    WizardSummary,
    list_wizards,
    remove_wizard,
    wizard_usage,
)
from wizard_desktop.operations import Call, Change, OperationRunner
from wizard_desktop.store.models import IN_PROGRESS
from wizard_desktop.ui.formatting import counted, local_time, local_time_tooltip, whole_percent
from wizard_desktop.ui.markdown import MarkdownView, plain_label, plain_tooltip

WIZARD_ID_ROLE = Qt.ItemDataRole.UserRole
SESSION_ROLE = Qt.ItemDataRole.UserRole
CONTINUE_LIMIT = 20
"""The most recently changed sessions in progress the first screen lists (the
Sessions tab has them all)."""
CONTINUE_VISIBLE_ROWS = 4
CONTINUE_HEADERS = ["Session", "Wizard", "Current step", "Progress", "Last change"]
RIGHT_ALIGNED = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
NOTE_NAME_WIDTH = 260
"""Pixels of a session's name in the details' note (the whole name is its tooltip)."""


def unfinished_sessions(
    wizard_id: str | None = None, limit: int = CONTINUE_LIMIT
) -> list[SessionRow]:
    """Sessions in progress (of one wizard, when given), most recently changed first."""
    query = SessionListQuery(status=IN_PROGRESS, wizard_id=wizard_id)
    return fetch_page(query, limit=limit)


def where_it_stands(row: SessionRow, metrics: QFontMetrics) -> str:
    """“Name” at Step (40 %), last changed 2026-12-01 09:45; a long name elided in the
    middle to NOTE_NAME_WIDTH."""
    name = metrics.elidedText(row.name, Qt.TextElideMode.ElideMiddle, NOTE_NAME_WIDTH)
    step = f" at {row.current_step_title}" if row.current_step_title else ""
    return (
        f"“{name}”{step} ({whole_percent(row.progress_percentage)}), last changed "
        f"{local_time(row.updated_at)}"
    )


class WizardsView(QWidget):
    """The sessions to continue (objectName `continueList`), the list of wizards
    (`wizardList`) and the selected one's details; follows every stored change.
    `resumeRequested(session_id)` and `startRequested(wizard_id)` ask the window to
    open the player."""

    resumeRequested = Signal(str)
    startRequested = Signal(str)

    def __init__(self, operations: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.operations = operations
        self._stale = False  # a change came while hidden: reload when shown

        self.continue_label = QLabel("Continue where you left off", objectName="continueLabel")
        self.continue_label.setStyleSheet("font-weight: 600;")
        self.continue_list = QTreeWidget(objectName="continueList")
        self.continue_list.setAccessibleName("Continue where you left off")
        self.continue_list.setHeaderLabels(CONTINUE_HEADERS)
        self.continue_list.setRootIsDecorated(False)
        self.continue_list.setAlternatingRowColors(True)
        self.continue_list.setUniformRowHeights(True)
        self.continue_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.continue_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.continue_list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.continue_button = QPushButton("&Continue", objectName="continueButton")
        self.continue_button.setAccessibleName("Continue the selected session")
        self.continue_button.setToolTip("Open the selected session at the step you left it on")
        self.continue_button.clicked.connect(self.resume_selected_session)
        self.continue_list.itemActivated.connect(self.resume_selected_session)
        continue_buttons = QVBoxLayout()
        continue_buttons.addWidget(self.continue_button)
        continue_buttons.addStretch(1)
        continue_row = QHBoxLayout()
        continue_row.addWidget(self.continue_list, 1)
        continue_row.addLayout(continue_buttons)
        self.continue_section = QWidget(objectName="continueSection")
        continue_layout = QVBoxLayout(self.continue_section)
        continue_layout.setContentsMargins(0, 0, 0, 0)
        continue_layout.addWidget(self.continue_label)
        continue_layout.addLayout(continue_row)

        self.wizard_list = QTreeWidget(objectName="wizardList")
        self.wizard_list.setAccessibleName("Wizards")
        self.wizard_list.setHeaderLabels(["Wizard", "Steps", "Completed"])
        self.wizard_list.setRootIsDecorated(False)
        self.wizard_list.setAlternatingRowColors(True)
        self.wizard_list.setUniformRowHeights(True)
        header = self.wizard_list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)

        self.title_label = plain_label(object_name="wizardTitle")
        self.title_label.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.description = MarkdownView()
        self.description.setObjectName("wizardDescription")
        self.description.setAccessibleName("Wizard description")
        self.unfinished_note = plain_label(object_name="unfinishedNote")

        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.addWidget(self.title_label)
        details_layout.addWidget(self.description, 1)
        details_layout.addWidget(self.unfinished_note)
        self.resume_latest_button = QPushButton("&Resume", objectName="resumeLatestButton")
        self.resume_latest_button.setAccessibleName("Resume the latest unfinished session")
        self.resume_latest_button.clicked.connect(self.resume_latest)
        self.start_button = QPushButton("Start", objectName="startButton")
        self.start_button.setToolTip("Start a new session of the selected wizard")
        self.start_button.clicked.connect(self.start_selected)
        self.remove_button = QPushButton("Remove…", objectName="removeWizardButton")
        self.remove_button.setAccessibleName("Remove wizard")
        self.remove_button.setToolTip("Remove the selected wizard, its versions and templates")
        self.remove_button.clicked.connect(self.remove_selected)
        self.statistics_button = QPushButton("St&atistics…", objectName="statisticsButton")
        self.statistics_button.setAccessibleName("Statistics of the selected wizard")
        self.statistics_button.setToolTip("Sessions, completion, time spent, funnel and weeks")
        self.statistics_button.clicked.connect(self.show_statistics)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.statistics_button)
        buttons.addStretch(1)
        buttons.addWidget(self.resume_latest_button)
        buttons.addWidget(self.start_button)
        details_layout.addLayout(buttons)
        self._latest_unfinished: SessionRow | None = None

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.wizard_list)
        splitter.addWidget(details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.continue_section)
        layout.addWidget(splitter, 1)

        self.wizard_list.currentItemChanged.connect(self._show_details)
        self.wizard_list.itemActivated.connect(self._activate_wizard)
        operations.operationDidExecute.connect(self._follow)
        self.reload()

    def reload(self, select_id: str | None = None) -> None:
        """Re-read the wizards and the sessions to continue, keeping (or moving) the
        selections."""
        self._stale = False
        self._reload_continue_list()
        selected = select_id or self.selected_wizard_id()
        blocker = QSignalBlocker(self.wizard_list)  # the details are shown once, below
        self.wizard_list.clear()
        for wizard in list_wizards():
            item = QTreeWidgetItem(
                [wizard.title, str(wizard.step_count), str(wizard.completed_count)]
            )
            item.setData(0, WIZARD_ID_ROLE, wizard)
            item.setToolTip(0, plain_tooltip(wizard.description or wizard.title))
            item.setTextAlignment(1, RIGHT_ALIGNED)
            item.setTextAlignment(2, RIGHT_ALIGNED)
            self.wizard_list.addTopLevelItem(item)
            if wizard.id == selected:
                self.wizard_list.setCurrentItem(item)
        if self.wizard_list.currentItem() is None and self.wizard_list.topLevelItemCount():
            self.wizard_list.setCurrentItem(self.wizard_list.topLevelItem(0))
        blocker.unblock()
        self._show_details()

    def selected_wizard(self) -> WizardSummary | None:
        item = self.wizard_list.currentItem()
        return item.data(0, WIZARD_ID_ROLE) if item is not None else None

    def selected_wizard_id(self) -> str | None:
        wizard = self.selected_wizard()
        return wizard.id if wizard is not None else None

    def selected_session_id(self) -> str | None:
        """The session selected in the continue list."""
        item = self.continue_list.currentItem()
        return item.data(0, SESSION_ROLE) if item is not None else None

    def resume_selected_session(self) -> None:
        session_id = self.selected_session_id()
        if session_id is not None:
            self.resumeRequested.emit(session_id)

    def resume_latest(self) -> None:
        """Resume the selected wizard's most recently changed unfinished session."""
        if self._latest_unfinished is not None:
            self.resumeRequested.emit(self._latest_unfinished.id)

    def start_selected(self) -> None:
        wizard_id = self.selected_wizard_id()
        if wizard_id is not None:
            self.startRequested.emit(wizard_id)

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.reload()
        super().showEvent(event)

    def _reload_continue_list(self) -> None:
        selected = self.selected_session_id()
        self.continue_list.clear()
        for row in unfinished_sessions():
            item = QTreeWidgetItem(
                [
                    row.name,
                    row.wizard_title,
                    row.current_step_title or "—",
                    whole_percent(row.progress_percentage),
                    local_time(row.updated_at),
                ]
            )
            item.setData(0, SESSION_ROLE, row.id)
            item.setToolTip(0, plain_tooltip(row.name))
            item.setToolTip(4, local_time_tooltip(row.updated_at))
            item.setTextAlignment(3, RIGHT_ALIGNED)
            self.continue_list.addTopLevelItem(item)
            if row.id == selected:
                self.continue_list.setCurrentItem(item)
        rows = self.continue_list.topLevelItemCount()
        if self.continue_list.currentItem() is None and rows:
            self.continue_list.setCurrentItem(self.continue_list.topLevelItem(0))
        self.continue_section.setVisible(rows > 0)
        self._fit_continue_list(rows)

    def _fit_continue_list(self, rows: int) -> None:
        """As high as its rows, up to CONTINUE_VISIBLE_ROWS (then it scrolls)."""
        shown = max(1, min(rows, CONTINUE_VISIBLE_ROWS))
        row_height = self.continue_list.sizeHintForRow(0) if rows else 0
        frame = 2 * self.continue_list.frameWidth()
        header = self.continue_list.header().sizeHint().height()
        self.continue_list.setFixedHeight(header + frame + shown * max(row_height, 1))

    def _show_details(self) -> None:
        wizard = self.selected_wizard()
        if wizard is None:
            self.title_label.setText("No wizards yet — import a wizard file.")
            self.description.clear()
            self._show_unfinished([])
            self.start_button.setEnabled(False)
            self.remove_button.setEnabled(False)
            self.statistics_button.setEnabled(False)
            return
        self.start_button.setEnabled(True)
        self.remove_button.setEnabled(True)
        self.statistics_button.setEnabled(True)
        self.title_label.setText(wizard.title)
        summary = (
            f"{counted(wizard.step_count, 'step')} · completed "
            f"{counted(wizard.completed_count, 'time')}"
        )
        self.description.setMarkdown(f"{wizard.description or ''}\n\n*{summary}*")
        self._show_unfinished(unfinished_sessions(wizard.id, limit=2))

    def _show_unfinished(self, rows: list[SessionRow]) -> None:
        """Say whether the selected wizard has unfinished sessions; Resume (the
        latest) then stands beside Start new and is the default."""
        self._latest_unfinished = rows[0] if rows else None
        has_unfinished = bool(rows)
        note = ""
        metrics = self.unfinished_note.fontMetrics()
        self.unfinished_note.setToolTip(plain_tooltip(rows[0].name) if rows else "")
        if len(rows) > 1:
            latest = where_it_stands(rows[0], metrics)
            note = f"Unfinished sessions of this wizard; the latest is {latest}."
        elif rows:
            note = f"An unfinished session of this wizard: {where_it_stands(rows[0], metrics)}."
        self.unfinished_note.setText(note)
        self.unfinished_note.setVisible(has_unfinished)
        self.resume_latest_button.setVisible(has_unfinished)
        self.resume_latest_button.setDefault(has_unfinished)
        self.start_button.setDefault(not has_unfinished)
        self.start_button.setText("Start &new" if has_unfinished else "Start")

    def _activate_wizard(self) -> None:
        """Enter or a double-click on a wizard does what the default button says."""
        if self._latest_unfinished is not None:
            self.resume_latest()
        else:
            self.start_selected()

    def remove_selected(self) -> None:
        """Remove the selected wizard after a confirmation that names what goes."""
        from wizard_desktop.ui import dialogs

        wizard = self.selected_wizard()
        if wizard is None:
            return
        try:
            usage = wizard_usage(wizard.id)
        except UnknownWizardError:
            self.reload()
            return
        goes = [f"its {counted(wizard.version, 'imported version')}"]
        if usage.templates:
            goes.append(counted(usage.templates, "template"))
        if usage.sessions:
            goes.append(f"{counted(usage.sessions, 'session')} with all their answers")
        question = f"Remove the wizard “{wizard.title}” with {_and_list(goes)}?"
        if not dialogs.confirm_delete(self, question, title="Remove wizard"):
            return
        self.operations.run(
            Call(
                f"the removal of the wizard “{wizard.title}”",
                lambda: remove_wizard(wizard.id, with_sessions=usage.sessions > 0),
                changes=_removal_change,
                failed=lambda error: dialogs.show_error(self, str(error)),
                refused_by=(UnknownWizardError, WizardHasSessionsError),
            )
        )

    def show_statistics(self) -> None:
        """The selected wizard's statistics, over all its versions."""
        from wizard_desktop.ui import dialogs

        wizard = self.selected_wizard()
        if wizard is not None:
            dialogs.show_statistics(self, wizard.id, wizard.title)

    def _follow(self, change: Change) -> None:
        """Wizards changed: read them again. Only sessions changed: read them again now
        when on screen, else when next shown (the player saves while this view is
        hidden)."""
        if change.wizards or (self.isVisible() and (change.sessions or change.all_sessions)):
            self.reload(select_id=change.select_wizard)
        elif change.sessions or change.all_sessions:
            self._stale = True


def _removal_change(removed: RemovedWizard) -> Change:
    return Change(
        deleted_sessions=removed.session_ids,
        all_sessions=bool(removed.session_ids),
        templates=True,
        wizards=True,
    )


def _and_list(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
