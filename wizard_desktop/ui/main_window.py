"""The main window: the main views (wizards, sessions, templates) as tabs and the
wizard player, in one stack; the menus (import, export, quit, about); wizard files
dropped on the window; what it remembers between runs (geometry, last view, the
sessions table's columns and sort order). It owns the window's `OperationRunner`
(every write its views make goes through it; every view listens to its
`operationDidExecute`), says in the status bar what is waiting to be stored, and
warns before closing while something is not stored yet.

The controller and the player (and the code behind them) are loaded when first
needed, and so are the sessions and templates views (when their tab is first shown
or they are asked for), so the first screen appears sooner."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QSignalBlocker, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from wizard_desktop import __version__
from wizard_desktop.operations import SAVED, SAVING, Call, Change, OperationRunner
from wizard_desktop.ui.formatting import counted
from wizard_desktop.ui.markdown import plain_tooltip
from wizard_desktop.ui.wizards_view import WizardsView

if TYPE_CHECKING:
    from wizard_desktop.controller import SessionController
    from wizard_desktop.core.sessions import SessionInfo
    from wizard_desktop.core.wizards import ImportResult
    from wizard_desktop.importers import ImportRefused
    from wizard_desktop.ui.player import WizardPlayer
    from wizard_desktop.ui.sessions_view import SessionsView
    from wizard_desktop.ui.templates_view import TemplatesView

CLOSE_GRACE_MS = 3000
ANSWERS_SAVED_MS = 8000  # how long the status bar says so after leaving the player
# The Help menu's "Keyboard shortcuts" page (F1): keys as QKeySequence reads them.
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("F1", "Show these keyboard shortcuts"),
    ("Ctrl+O", "Import wizard files (or drop them on the window)"),
    ("Ctrl+E", "Export the current session"),
    ("Ctrl+Q", "Quit"),
    ("Alt+W, Alt+S, Alt+T", "Show Wizards, Sessions, Templates"),
    ("Return", "Wizards: continue the selected session, or resume or start the wizard"),
    ("Alt+R, Alt+N", "Wizards: resume the latest unfinished session, start a new one"),
    ("Alt+A", "Wizards: the selected wizard's statistics (Esc closes them)"),
    ("Return", "Player: Next when the step is valid; Finish on the review page"),
    ("Alt+I", "Player: Finish"),
    ("Alt+Left, Alt+Right", "Player: Back, Next"),
    ("Esc", "Player: leave it (what is saved stays saved)"),
    ("Left, Right, Home, End", "Player, a rating: a point lower, higher, the first, the last"),
    ("1, 0, Del", "Player, a rating: that point (0 is 10); clear it"),
    ("Up, Down", "Player, a date or a time: step the part under the cursor"),
    ("Alt+Up, Alt+Down", "Player, a ranking: move the chosen option up, down"),
    ("Del", "Sessions: delete the selected session (after a confirmation)"),
    ("Esc", "Sessions: clear the search"),
)
SETTINGS_FILENAME = "settings.ini"
SESSIONS_TAB, TEMPLATES_TAB = 1, 2


class MainWindow(QMainWindow):
    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.setObjectName("mainWindow")
        self.setWindowTitle("Wizard Desktop")
        self.setAcceptDrops(True)
        self.resize(1000, 680)
        # Kept beside the database, so each data folder (and each test) has its own.
        self.settings = QSettings(str(data_dir / SETTINGS_FILENAME), QSettings.Format.IniFormat)

        self.operations = OperationRunner(self)
        self.operations.operationDidExecute.connect(self._on_changed)
        self.operations.error.connect(self._show_error)
        self.wizards_view = WizardsView(self.operations)
        self.tabs = QTabWidget(objectName="mainTabs")
        self.tabs.addTab(self.wizards_view, "&Wizards")
        # Placeholders until first shown or asked for (see _install_tab).
        self.tabs.addTab(QWidget(), "&Sessions")
        self.tabs.addTab(QWidget(), "&Templates")
        self.tabs.currentChanged.connect(self._build_tab)
        self._sessions_view: SessionsView | None = None
        self._templates_view: TemplatesView | None = None
        self._controller: SessionController | None = None
        self.stack = QStackedWidget(objectName="mainStack")
        self.stack.addWidget(self.tabs)
        self.setCentralWidget(self.stack)
        self.player: WizardPlayer | None = None

        self.wizards_view.startRequested.connect(self.start_session)
        self.wizards_view.resumeRequested.connect(self.open_session)

        self._operation_status: QLabel | None = None
        self._retry_operations: QPushButton
        self.operations.stateChanged.connect(self._show_operation_state)
        self._build_menus()
        self._restore_settings()

    # --- What is built when first needed.

    @property
    def controller(self) -> SessionController:
        """The one writer of this window's sessions (created on first use)."""
        if self._controller is None:
            from wizard_desktop.controller import SessionController

            controller = SessionController(self.operations, self)
            controller.sessionStarted.connect(self._open_started_session)
            self._controller = controller
        return self._controller

    @property
    def sessions_view(self) -> SessionsView:
        return self._sessions_view or self._build_sessions_view()

    @property
    def templates_view(self) -> TemplatesView:
        return self._templates_view or self._build_templates_view()

    def _build_sessions_view(self) -> SessionsView:
        from wizard_desktop.ui.sessions_view import SessionsView

        view = SessionsView(self.operations)
        view.resumeRequested.connect(self.open_session)
        view.reviewRequested.connect(self.open_session)
        header_state = self.settings.value("sessions/header")
        if header_state is not None:
            view.table.horizontalHeader().restoreState(header_state)
        self._sessions_view = view
        self._install_tab(SESSIONS_TAB, view)
        return view

    def _build_templates_view(self) -> TemplatesView:
        from wizard_desktop.ui.templates_view import TemplatesView

        view = TemplatesView(self.operations)
        view.sessionStarted.connect(self.open_session)
        self._templates_view = view
        self._install_tab(TEMPLATES_TAB, view)
        return view

    def _install_tab(self, index: int, view: QWidget) -> None:
        """Put a built view in place of its tab's placeholder; the current tab stays."""
        current = self.tabs.currentIndex()
        placeholder = self.tabs.widget(index)
        text = self.tabs.tabText(index)
        with QSignalBlocker(self.tabs):
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, view, text)
            self.tabs.setCurrentIndex(current)
        placeholder.deleteLater()

    def _build_tab(self, index: int) -> None:
        """A tab is about to be shown: build its view if it is still a placeholder."""
        if index == SESSIONS_TAB and self._sessions_view is None:
            self._build_sessions_view()
        elif index == TEMPLATES_TAB and self._templates_view is None:
            self._build_templates_view()

    def _on_changed(self, change: Change) -> None:
        """An operation was stored (the views follow it themselves): the player of a
        deleted session closes."""
        if self.player is not None and self.player.info.id in change.deleted_sessions:
            self.show_main_views()

    # --- Menus.

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.import_action = self._action("&Import wizard…", QKeySequence.StandardKey.Open)
        self.import_action.triggered.connect(self.import_wizard_files)
        self.export_action = self._action("&Export session…", "Ctrl+E")
        self.export_action.triggered.connect(self.export_current_session)
        quit_action = self._action("&Quit", QKeySequence.StandardKey.Quit)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        file_menu.addActions([self.import_action, self.export_action])
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        help_menu = self.menuBar().addMenu("&Help")
        shortcuts_action = self._action(
            "&Keyboard shortcuts", QKeySequence.StandardKey.HelpContents
        )
        shortcuts_action.setObjectName("keyboardShortcutsAction")
        shortcuts_action.triggered.connect(self.show_keyboard_shortcuts)
        about_action = QAction("&About Wizard Desktop", self, objectName="aboutAction")
        about_action.setMenuRole(QAction.MenuRole.AboutRole)
        about_action.triggered.connect(self.show_about)
        help_menu.addActions([shortcuts_action, about_action])

    def _show_operation_state(self, state: str, _text: str) -> None:
        """What is waiting to be stored, and why, in the status bar (built the first
        time anything waits, so the first screen does not pay for it)."""
        if self._operation_status is None:
            if state == SAVED:
                return
            self._operation_status = QLabel(objectName="operationStatus")
            self._operation_status.setAccessibleName("Waiting to be saved")
            self._operation_status.setTextFormat(Qt.TextFormat.PlainText)
            self._retry_operations = QPushButton("Retry now", objectName="retryOperationsButton")
            self._retry_operations.clicked.connect(self.operations.retry_now)
            bar = self.statusBar()
            bar.addWidget(self._operation_status, 1)
            bar.addPermanentWidget(self._retry_operations)
        waiting = self.operations.waiting_text()
        self._operation_status.setText(waiting)
        self._operation_status.setToolTip(plain_tooltip(waiting))  # all of it, if cut off
        self._retry_operations.setVisible(state not in (SAVED, SAVING))

    def _action(self, text: str, shortcut: QKeySequence.StandardKey | str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        self.addAction(action)  # shortcuts work while the player hides the menu's view too
        return action

    def _show_error(self, text: str) -> None:
        from wizard_desktop.ui import dialogs  # like every dialog, loaded when first shown

        dialogs.show_error(self, text)

    def show_keyboard_shortcuts(self) -> None:
        from wizard_desktop.ui import dialogs

        dialogs.show_keyboard_shortcuts(self, keyboard_shortcuts())

    def show_about(self) -> None:
        from wizard_desktop.ui import dialogs

        dialogs.show_about(
            self,
            f"Wizard Desktop {__version__}\n\nAn offline wizard player. Your data stays in "
            f"{self.data_dir}.",
        )

    # --- Importing wizard files (menu and drag and drop).

    def import_wizard_files(self, paths: list[Path] | None = None) -> None:
        """Import each file off the UI thread; a file with problems imports nothing, and
        once every file is done all problems are shown in one dialog, with the loader's
        `FILE:LINE: path: message` lines."""
        from wizard_desktop.ui import dialogs

        if not paths:
            paths = dialogs.ask_open_paths(self, "Import wizards", dialogs.WIZARD_FILTERS)
        self._import_paths(paths, skip_unsupported=False)

    def _import_paths(self, paths: list[Path], *, skip_unsupported: bool) -> None:
        from wizard_desktop.core.wizards import import_wizard_file
        from wizard_desktop.definition.loader import WizardFileError

        batch = _ImportBatch(self, len(paths))
        for path in paths:
            self.operations.run(
                Call(
                    f"the wizard file {path.name}",
                    lambda path=path: import_wizard_file(path, skip_unsupported=skip_unsupported),
                    changes=lambda result: Change(wizards=True, select_wizard=result.wizard_id),
                    done=batch.stored,
                    failed=lambda error, path=path: batch.refused(error, path),
                    refused_by=(WizardFileError, OSError),
                )
            )

    @staticmethod
    def _wizard_files(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        from wizard_desktop.definition.fileformat import IMPORTABLE_SUFFIXES

        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths = [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
        return [p for p in paths if p.suffix.lower() in IMPORTABLE_SUFFIXES]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._wizard_files(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._wizard_files(event)
        if paths:
            event.acceptProposedAction()
            self.import_wizard_files(paths)

    # --- Sessions and the player.

    def bring_to_front(self) -> None:
        """Another launch on the same data folder asked for this window."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def start_session(self, wizard_id: str) -> None:
        """Start a new session of the wizard; the player opens once it is stored."""
        self.controller.start_session(wizard_id)

    def open_session(self, session_id: str) -> WizardPlayer:
        """Show the player on a session: in progress at its current step with every
        answer restored, completed read-only."""
        from wizard_desktop.core.sessions import load_session
        from wizard_desktop.ui.player import WizardPlayer

        state = load_session(session_id)
        self._close_player()
        self.controller.open(session_id)
        self.player = WizardPlayer(state, self.controller)
        self.player.left.connect(self.leave_player)
        self.player.repeat_controls.reopen.connect(self._reopen_after_instances)
        self.stack.addWidget(self.player)
        self.stack.setCurrentWidget(self.player)
        self.player.focus_current_page()
        self.setWindowTitle(f"{state.info.name} — Wizard Desktop")
        return self.player

    def _reopen_after_instances(self, session_id: str, removed: object) -> None:
        """An instance was added, removed or restored: the player again on the session,
        at the step the core chose; after a removal it offers Undo."""
        from wizard_desktop.core.repeats import RemovedInstance

        player = self.open_session(session_id)
        if isinstance(removed, RemovedInstance):
            player.repeat_controls.offer_undo(removed)

    def _open_started_session(self, info: SessionInfo) -> None:
        self.open_session(info.id)

    def show_main_views(self) -> None:
        """Leave the player; what is queued keeps being saved."""
        self._close_player()
        self.stack.setCurrentWidget(self.tabs)
        self.setWindowTitle("Wizard Desktop")
        self.tabs.currentWidget().setFocus()

    def leave_player(self) -> None:
        """Esc or "Close the player": back to the views. The status bar shows what still
        waits (`_show_operation_state`), then says "Your answers are saved."."""
        self.show_main_views()
        self.controller.when_saved(
            lambda: self.statusBar().showMessage("Your answers are saved.", ANSWERS_SAVED_MS)
        )

    def export_current_session(self) -> None:
        """Ctrl+E: the session in the player, else the one selected in Sessions."""
        if self.player is not None and self.stack.currentWidget() is self.player:
            self.player.export()
        else:
            self.tabs.setCurrentWidget(self.sessions_view)
            self.sessions_view.export_selected()

    def _close_player(self) -> None:
        if self._controller is not None:
            self._controller.leave()
        if self.player is not None:
            self._discard_if_unanswered(self.player)
            self.stack.removeWidget(self.player)
            self.player.deleteLater()
            self.player = None

    def _discard_if_unanswered(self, player: WizardPlayer) -> None:
        """The person leaves a session: when it was opened and never answered (no
        answer stored, no step completed), it goes, so no 0 % row is left behind.
        Queued after the session's last draft; tidying up, so never retried."""
        from wizard_desktop.core.sessions import discard_if_unanswered

        session_id = player.info.id
        if player.info.is_completed:
            return

        def change(discarded: bool) -> Change:
            if not discarded:
                return Change()
            return Change(sessions=(session_id,), deleted_sessions=(session_id,))

        self.operations.run(
            Call(
                "the removal of a session left unanswered",
                lambda: discard_if_unanswered(session_id),
                changes=change,
                kept=False,
            )
        )

    # --- Settings and closing.

    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.tabs.setCurrentIndex(int(self.settings.value("window/tab", 0)))

    def _save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/tab", self.tabs.currentIndex())
        if self._sessions_view is not None:  # else what was restored stays as it was
            header = self._sessions_view.table.horizontalHeader()
            self.settings.setValue("sessions/header", header.saveState())
        self.settings.sync()

    def shutdown(self) -> None:
        """Stop the timers and the writer thread (after its current write)."""
        if self._controller is not None:
            self._controller.shutdown()
        self.operations.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Wait a moment for pending writes; if storage still refuses them, ask."""
        if self._controller is not None:
            self._controller.flush()
        if not self.operations.wait_until_saved(CLOSE_GRACE_MS):
            from wizard_desktop.ui import dialogs

            unsaved = self.operations.unsaved_description()
            choice = dialogs.ask_unsaved_on_quit(self, unsaved)
            if choice is dialogs.UnsavedChoice.RETRY_NOW:
                self.operations.retry_now()
                event.ignore()
                return
            if choice is dialogs.UnsavedChoice.KEEP_WAITING or not dialogs.confirm_discard_unsaved(
                self, unsaved
            ):
                event.ignore()
                return
        if self.player is not None and not self.operations.has_unsaved():
            self._discard_if_unanswered(self.player)
            self.operations.wait_until_idle()  # tidying up only: it is never retried
        self._save_settings()
        self.shutdown()
        event.accept()


def keyboard_shortcuts() -> list[tuple[str, str]]:
    """SHORTCUTS with the keys written as this platform writes them."""
    native = QKeySequence.SequenceFormat.NativeText
    return [
        (", ".join(QKeySequence(key).toString(native) for key in keys.split(", ")), what)
        for keys, what in SHORTCUTS
    ]


class _ImportBatch:
    """The wizard files of one import: once each is stored or refused, the Wizards tab
    is shown if any was stored, and the refused ones are named in one dialog."""

    def __init__(self, window: MainWindow, files: int) -> None:
        self.window = window
        self.remaining = files
        self.imported = False
        self.problems: list[str] = []
        # forms the person may import without their unplayable parts
        self.partial: list[tuple[Path, ImportRefused]] = []

    def stored(self, _result: ImportResult) -> None:
        self.imported = True
        self._one_done()

    def refused(self, error: Exception, path: Path) -> None:
        from wizard_desktop.importers import ImportRefused

        if isinstance(error, ImportRefused) and error.items:  # a form with unplayable parts
            self.partial.append((path, error))
        else:
            self.problems.append(str(error))
        self._one_done()

    def _one_done(self) -> None:
        self.remaining -= 1
        if self.remaining:
            return
        if self.imported:  # the list already shows (and selects) what was stored
            self.window.tabs.setCurrentWidget(self.window.wizards_view)
        if self.problems:
            self.window._show_error(
                f"{counted(len(self.problems), 'file')} could not be imported; nothing was "
                "imported from them.\n\n" + "\n".join(self.problems),
            )
        from wizard_desktop.ui import dialogs

        again = [
            path
            for path, refused in self.partial
            if dialogs.ask_import_without(
                self.window, path.name, [i.place_and_reason for i in refused.items]
            )
        ]
        if again:
            self.window._import_paths(again, skip_unsupported=True)
