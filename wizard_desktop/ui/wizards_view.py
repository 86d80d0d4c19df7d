"""The wizards view: the list of wizards (title, steps, completed count) and the
selected one's description, with the buttons that start a session and remove the
wizard. Titles are shown as plain text, the description as Markdown that loads
nothing (a wizard file is untrusted input)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
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
from wizard_desktop.ui.markdown import MarkdownView, plain_tooltip

WIZARD_ID_ROLE = Qt.ItemDataRole.UserRole


class WizardsView(QWidget):
    """The list of wizards (objectName `wizardList`) and the selected one's details;
    follows every stored change to the wizards."""

    def __init__(self, operations: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.operations = operations
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

        self.title_label = QLabel(objectName="wizardTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.title_label.setWordWrap(True)
        self.description = MarkdownView()
        self.description.setObjectName("wizardDescription")
        self.description.setAccessibleName("Wizard description")

        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.addWidget(self.title_label)
        details_layout.addWidget(self.description, 1)
        self.start_button = QPushButton("Start", objectName="startButton")
        self.start_button.setToolTip("Start a new session of the selected wizard")
        self.start_button.setDefault(True)
        self.remove_button = QPushButton("Remove…", objectName="removeWizardButton")
        self.remove_button.setAccessibleName("Remove wizard")
        self.remove_button.setToolTip("Remove the selected wizard, its versions and templates")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        details_layout.addLayout(buttons)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.wizard_list)
        splitter.addWidget(details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)

        self.wizard_list.currentItemChanged.connect(self._show_details)
        operations.operationDidExecute.connect(self._follow)
        self.reload()

    def reload(self, select_id: str | None = None) -> None:
        """Re-read the wizards, keeping (or moving) the selection."""
        selected = select_id or self.selected_wizard_id()
        self.wizard_list.clear()
        for wizard in list_wizards():
            item = QTreeWidgetItem(
                [wizard.title, str(wizard.step_count), str(wizard.completed_count)]
            )
            item.setData(0, WIZARD_ID_ROLE, wizard)
            item.setToolTip(0, plain_tooltip(wizard.description or wizard.title))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.wizard_list.addTopLevelItem(item)
            if wizard.id == selected:
                self.wizard_list.setCurrentItem(item)
        if self.wizard_list.currentItem() is None and self.wizard_list.topLevelItemCount():
            self.wizard_list.setCurrentItem(self.wizard_list.topLevelItem(0))

    def selected_wizard(self) -> WizardSummary | None:
        item = self.wizard_list.currentItem()
        return item.data(0, WIZARD_ID_ROLE) if item is not None else None

    def selected_wizard_id(self) -> str | None:
        wizard = self.selected_wizard()
        return wizard.id if wizard is not None else None

    def _show_details(self) -> None:
        wizard = self.selected_wizard()
        if wizard is None:
            self.title_label.setText("No wizards yet — import a wizard file.")
            self.description.clear()
            self.start_button.setEnabled(False)
            self.remove_button.setEnabled(False)
            return
        self.start_button.setEnabled(True)
        self.remove_button.setEnabled(True)
        self.title_label.setText(wizard.title)
        summary = f"{wizard.step_count} steps · completed {wizard.completed_count} times"
        self.description.setMarkdown(f"{wizard.description or ''}\n\n*{summary}*")

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
        goes = [f"its {wizard.version} imported version{'s' if wizard.version != 1 else ''}"]
        if usage.templates:
            goes.append(f"{usage.templates} template{'s' if usage.templates != 1 else ''}")
        if usage.sessions:
            goes.append(
                f"{usage.sessions} session{'s' if usage.sessions != 1 else ''} with all "
                "their answers"
            )
        question = f"Remove the wizard “{wizard.title}” with {_and_list(goes)}?"
        if not dialogs.confirm_delete(self, question):
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

    def _follow(self, change: Change) -> None:
        if change.wizards:
            self.reload(select_id=change.select_wizard)


def _removal_change(removed: RemovedWizard) -> Change:
    return Change(
        deleted_sessions=removed.session_ids,
        all_sessions=bool(removed.session_ids),
        templates=True,
        wizards=True,
    )


def _and_list(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
