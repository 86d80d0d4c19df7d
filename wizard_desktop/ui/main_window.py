"""The main window: the main views (wizards, ...) as tabs, and the wizard player, in
one stack. It owns the window's `SessionController`, starts and opens sessions, and
warns before closing while answers are not stored yet."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wizard_desktop.controller import SessionController
from wizard_desktop.core.sessions import load_session
from wizard_desktop.core.wizards import WizardSummary, list_wizards
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.markdown import MarkdownView
from wizard_desktop.ui.player import WizardPlayer

WIZARD_ID_ROLE = Qt.ItemDataRole.UserRole
CLOSE_GRACE_MS = 3000


class WizardsView(QWidget):
    """The list of wizards (objectName `wizardList`) and the selected one's details."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        details_layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignRight)
        self.details_layout = details_layout

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.wizard_list)
        splitter.addWidget(details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)

        self.wizard_list.currentItemChanged.connect(self._show_details)
        self.reload()

    def reload(self) -> None:
        selected = self.selected_wizard_id()
        self.wizard_list.clear()
        for wizard in list_wizards():
            item = QTreeWidgetItem(
                [wizard.title, str(wizard.step_count), str(wizard.completed_count)]
            )
            item.setData(0, WIZARD_ID_ROLE, wizard)
            item.setToolTip(0, wizard.description or wizard.title)
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
            return
        self.start_button.setEnabled(True)
        self.title_label.setText(wizard.title)
        summary = f"{wizard.step_count} steps · completed {wizard.completed_count} times"
        self.description.setMarkdown(f"{wizard.description or ''}\n\n*{summary}*")


class MainWindow(QMainWindow):
    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.setObjectName("mainWindow")
        self.setWindowTitle("Wizard Desktop")
        self.resize(960, 640)
        self.wizards_view = WizardsView()
        self.tabs = QTabWidget(objectName="mainTabs")
        self.tabs.addTab(self.wizards_view, "Wizards")
        self.stack = QStackedWidget(objectName="mainStack")
        self.stack.addWidget(self.tabs)
        self.setCentralWidget(self.stack)
        self.player: WizardPlayer | None = None

        self.controller = SessionController(self)
        self.controller.sessionStarted.connect(lambda info: self.open_session(info.id))
        self.controller.completed.connect(lambda _info: self.wizards_view.reload())
        self.controller.error.connect(lambda text: dialogs.show_error(self, text))
        self.wizards_view.start_button.clicked.connect(self.start_selected_wizard)
        self.wizards_view.wizard_list.itemActivated.connect(self.start_selected_wizard)

    def bring_to_front(self) -> None:
        """Another launch on the same data folder asked for this window."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def start_selected_wizard(self) -> None:
        """Start a session of the selected wizard; the player opens once it is stored."""
        wizard_id = self.wizards_view.selected_wizard_id()
        if wizard_id is not None:
            self.controller.start_session(wizard_id)

    def open_session(self, session_id: str) -> WizardPlayer:
        """Show the player on a session: in progress at its current step with every
        answer restored, completed read-only."""
        state = load_session(session_id)
        self._close_player()
        self.controller.open(session_id)
        self.player = WizardPlayer(state, self.controller)
        self.player.left.connect(self.show_main_views)
        self.stack.addWidget(self.player)
        self.stack.setCurrentWidget(self.player)
        self.player.focus_current_page()
        self.setWindowTitle(f"{state.info.name} — Wizard Desktop")
        return self.player

    def show_main_views(self) -> None:
        """Leave the player; what is queued keeps being saved."""
        self._close_player()
        self.stack.setCurrentWidget(self.tabs)
        self.setWindowTitle("Wizard Desktop")
        self.wizards_view.wizard_list.setFocus()

    def _close_player(self) -> None:
        self.controller.leave()
        if self.player is not None:
            self.stack.removeWidget(self.player)
            self.player.deleteLater()
            self.player = None

    def closeEvent(self, event: QCloseEvent) -> None:
        """Wait a moment for pending writes; if storage still refuses them, ask."""
        if not self.controller.wait_until_saved(CLOSE_GRACE_MS):
            unsaved = self.controller.unsaved_description()
            choice = dialogs.ask_unsaved_on_quit(self, unsaved)
            if choice is dialogs.UnsavedChoice.RETRY_NOW:
                self.controller.retry_now()
                event.ignore()
                return
            if choice is dialogs.UnsavedChoice.KEEP_WAITING or not dialogs.confirm_discard_unsaved(
                self, unsaved
            ):
                event.ignore()
                return
        self.controller.shutdown()
        event.accept()
