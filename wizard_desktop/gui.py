"""The GUI start-up: the QApplication with our name and icon, the log file, the report
of uncaught exceptions, one instance per data folder, the offer to restore a backup
when the database is damaged, the integrity check (read lane), the attachment sweep
and the daily backup (operations of the window's runner), started once the first
screen is painted.

`app.main()` imports this module only when the GUI (or the self-test) starts, so
headless commands load no Qt. On the first paint the app logs, at INFO on the
"wizard_desktop" logger, `First screen painted at monotonic <seconds>`.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs
from PySide6.QtCore import (
    QEvent,
    QMessageLogContext,
    QObject,
    QTimer,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from wizard_desktop import __version__
from wizard_desktop.core.wizards import import_bundled_wizards
from wizard_desktop.instance import InstanceGuard
from wizard_desktop.operations import (
    Call,
    Operation,
    OperationRunner,
    read_in_background,
    wait_for_reads,
)
from wizard_desktop.paths import APP_NAME, resources_dir
from wizard_desktop.store.attachments import file_problems
from wizard_desktop.store.backups import (
    BackupError,
    quarantine_damaged,
    restore_backup,
    run_daily_backup,
)
from wizard_desktop.store.database import (
    check_integrity,
    close_database,
    open_database,
    raw_connection,
    sweep_attachment_files,
)
from wizard_desktop.store.errors import DatabaseCorruptError, StorageError, StorageErrorKind
from wizard_desktop.ui.main_window import MainWindow

APP_DISPLAY_NAME = "Wizard Desktop"
LOG_FILENAME = "wizard-desktop.log"
DAILY_BACKUP_DELAY_MS = 10_000
BACKGROUND_WORK_FALLBACK_MS = 1000

log = logging.getLogger("wizard_desktop")


def create_main_window(folder: Path, *, background: bool = False) -> MainWindow:
    """Open (and migrate) the database in `folder`, import the bundled wizards and
    build the main window. Needs a QApplication; raises StorageError or OSError.

    background=True leaves what reads every page or file to the caller: the app's
    own start runs the integrity check on the read lane and the attachment sweep on
    the window's writer thread once the first screen is painted, so start-up does
    not grow with the data."""
    open_database(folder, verify=not background, sweep_attachments=not background)
    import_bundled_wizards()
    return MainWindow(folder)


def configure_logging() -> Path:
    """Log to a rotating file in the platform's log folder; returns the file."""
    folder = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    log_file = folder / LOG_FILENAME
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return log_file


def report_uncaught(log_file: Path) -> None:
    """Uncaught exceptions (also those raised in Qt slots) are logged and shown once."""

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        log.critical("Uncaught exception", exc_info=(kind, error, trace))
        from wizard_desktop.ui import dialogs  # like every dialog, loaded when first shown

        dialogs.show_unexpected_error(None, f"{kind.__name__}: {error}", log_file)

    sys.excepthook = hook


QT_LOG_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _route_qt_messages_to_the_log() -> None:
    qt_log = logging.getLogger("qt")

    def handler(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        qt_log.log(QT_LOG_LEVELS.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def application() -> QApplication:
    """The QApplication with our name and icon; Qt's messages go to the log file."""
    _route_qt_messages_to_the_log()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_NAME)
    icon = QIcon()
    for png in sorted((resources_dir() / "icons").glob("wizard-desktop-*.png")):
        icon.addFile(str(png))
    app.setWindowIcon(icon)
    return app


def open_window(folder: Path, damaged: DatabaseCorruptError | None = None) -> MainWindow:
    """The main window. When the database is (or was just found) damaged, it has been
    moved aside: first offer to restore the newest backup."""
    if damaged is None:
        try:
            return create_main_window(folder, background=True)
        except DatabaseCorruptError as error:  # found while opening: already moved aside
            damaged = error
        except StorageError as error:  # found by the first reads of the window
            if error.kind is not StorageErrorKind.CORRUPT:
                raise
            close_database()
            damaged = quarantine_damaged(folder, error.detail)
    log.error("Damaged database moved aside: %s", damaged)
    from wizard_desktop.ui import dialogs

    if damaged.backup is not None and dialogs.offer_backup_restore(
        None, str(damaged), damaged.backup
    ):
        _restore(folder, damaged.backup)
    return create_main_window(folder, background=True)


def _restore(folder: Path, backup: Path) -> None:
    """Restore `backup` on a writer thread while the event loop runs (before any window
    exists, so with a runner of its own); a failure is shown."""
    from wizard_desktop.ui import dialogs

    runner = OperationRunner()
    runner.run(
        Call(
            "the restore of the backup",
            lambda: restore_backup(folder, backup),
            failed=lambda exc: dialogs.show_error(None, f"The backup could not be restored: {exc}"),
            refused_by=(BackupError, OSError, StorageError),
            kept=False,  # tried once: the person chooses again at the next start
            uses_database=False,  # it replaces the database's file
        )
    )
    runner.wait_until_idle()
    runner.shutdown()


class _DailyBackup(Operation):
    """Back up once a day, on the writer thread with its connection: between writes,
    so none of ours makes the backup start over."""

    kept = False  # maintenance: a failure is logged and tried again at the next start

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def run(self) -> Path | None:
        return run_daily_backup(raw_connection(), self.folder)

    def describe(self) -> str:
        return "the daily backup"

    def succeeded(self, result: Path | None) -> None:
        if result is not None:
            log.info("Daily backup written: %s", result)

    def refused(self, error: Exception) -> None:
        log.error("Daily backup failed: %s", error)


class _AttachmentSweep(Operation):
    """Remove the attachment files no row names (`sweep_attachment_files`), on the
    writer thread: between this window's writes, so none of its saves writes a file
    meanwhile (other processes are kept out by the write lock the sweep takes)."""

    kept = False  # maintenance: a failure is logged and the next start sweeps again

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def run(self) -> None:
        sweep_attachment_files(self.folder)

    def describe(self) -> str:
        return "the removal of attachment files no answer names"

    def refused(self, error: Exception) -> None:
        log.error("Attachment files not swept: %s", error)


def _check_integrity() -> list[str]:
    """`PRAGMA quick_check` on the read lane's connection (raises CORRUPT on damage),
    then every attachment file against its row: one line per missing or damaged one."""
    check_integrity(raw_connection())
    return [f"The attachment file {sha256} is {problem}." for sha256, problem in file_problems()]


class _FirstPaint(QObject):
    """Calls `callback` once, when the watched widget gets its first paint event."""

    def __init__(self, parent: QObject, callback: Callable[[], None]) -> None:
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            self._callback()
        return False


class Gui(QObject):
    """The running app: one data folder, its instance guard and its current window,
    replaced when the background integrity check finds the database damaged."""

    damageFound = Signal(str)

    def __init__(self, folder: Path, guard: InstanceGuard) -> None:
        super().__init__()
        self.folder = folder
        self.guard = guard
        self.window: MainWindow | None = None
        self.listening = False
        self.damageFound.connect(self.recover)

    def open(self, damaged: DatabaseCorruptError | None = None) -> None:
        """Show the window; what its first screen does not need starts once it has
        been painted (or after a moment, if it is not painted, e.g. when hidden)."""
        window = self.window = open_window(self.folder, damaged)
        self.guard.activationRequested.connect(window.bring_to_front)
        started = False

        def start_background_work() -> None:
            nonlocal started
            if not started and self.window is window:  # once, and not for a replaced window
                started = True
                self._start_background_work()

        def painted() -> None:
            log.info("First screen painted at monotonic %.6f", time.monotonic())
            QTimer.singleShot(0, start_background_work)

        window.installEventFilter(_FirstPaint(window, painted))
        QTimer.singleShot(BACKGROUND_WORK_FALLBACK_MS, start_background_work)
        window.show()

    def back_up(self) -> None:
        """Queue the daily backup on the current window's runner."""
        if self.window is not None:
            self.window.operations.run(_DailyBackup(self.folder))

    def _start_background_work(self) -> None:
        """Answer other launches on this folder; check the database's pages; sweep the
        attachment files no row names."""
        if not self.listening:
            self.guard.listen()
            self.listening = True
        read_in_background(_check_integrity, self._integrity_checked, self)
        if self.window is not None:
            self.window.operations.run(_AttachmentSweep(self.folder))

    def _integrity_checked(self, result: Any) -> None:
        if isinstance(result, StorageError):
            if result.kind is StorageErrorKind.CORRUPT:
                self.damageFound.emit(result.detail)
            else:
                log.warning("Integrity check did not run: %s", result)
        elif isinstance(result, list) and result:
            for problem in result:
                log.error("%s", problem)
            from wizard_desktop.ui import dialogs

            dialogs.show_error(
                self.window,
                f"{len(result)} attachment file(s) in the data folder are missing or "
                "damaged; the answers naming them cannot be exported. A backup may "
                "still hold them (restore-backup). The log names each.",
            )

    def recover(self, detail: str) -> None:
        """The database is damaged: close this window's use of it, move it aside and
        open again (offering the newest backup)."""
        window = self.window
        if window is not None:
            self.guard.activationRequested.disconnect(window.bring_to_front)
            window.shutdown()
            window.hide()
            window.deleteLater()
        close_database()
        self.open(quarantine_damaged(self.folder, detail))


def _show_startup_error(text: str) -> None:
    log.error("%s", text)
    from wizard_desktop.ui import dialogs

    dialogs.show_error(None, text)


def run_gui(folder: Path) -> int:
    log_file = configure_logging()
    app = application()
    report_uncaught(log_file)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _show_startup_error(f"Wizard Desktop cannot use its data folder {folder}: {exc}")
        return 1
    guard = InstanceGuard(folder)
    if not guard.acquire():
        print(
            f"Wizard Desktop is already running with {folder}; its window was brought to the front."
        )
        return 0
    gui = Gui(folder, guard)
    try:
        gui.open()
    except (StorageError, OSError) as exc:
        _show_startup_error(f"Wizard Desktop cannot open its data in {folder}.\n\n{exc}")
        return 1
    QTimer.singleShot(DAILY_BACKUP_DELAY_MS, gui.back_up)
    try:
        return app.exec()
    finally:
        wait_for_reads()
        guard.release()
