"""Entry points: `main(argv)` (what `wizard-desktop` and `python -m wizard_desktop` run)
and `create_main_window(data_dir)`, which builds the main window on an existing
QApplication. The GUI start-up lives here too: the log file, the report of uncaught
exceptions, one instance per data folder, the offer to restore a backup when the
database is damaged, and the daily backup. Qt is imported only when the GUI starts,
so headless commands stay fast.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import platformdirs

from wizard_desktop import __version__
from wizard_desktop.cli import build_parser, run_command
from wizard_desktop.core.wizards import import_bundled_wizards
from wizard_desktop.paths import APP_NAME, data_dir
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
    storage_errors,
)
from wizard_desktop.store.errors import DatabaseCorruptError, StorageError, StorageErrorKind
from wizard_desktop.store.files import connect_read_only, database_path

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from wizard_desktop.instance import InstanceGuard
    from wizard_desktop.ui.main_window import MainWindow

APP_DISPLAY_NAME = "Wizard Desktop"
# Benchmarks set this: the app prints "shown <CLOCK_MONOTONIC seconds>" when the main
# window is first painted, then quits (the clock is shared by processes).
STARTUP_PROBE_ENV = "WIZARD_DESKTOP_STARTUP_PROBE"
LOG_FILENAME = "wizard-desktop.log"
DAILY_BACKUP_DELAY_MS = 10_000
BACKGROUND_WORK_FALLBACK_MS = 1000

log = logging.getLogger("wizard_desktop")


def create_main_window(
    folder: Path, *, verify: bool = True, build_hidden_tabs: bool = True
) -> MainWindow:
    """Open (and migrate) the database in `folder`, import the bundled wizards and
    build the main window. Needs a QApplication; raises StorageError or OSError.

    The app's own start (run_gui) passes False to both: verify=False leaves the
    page-by-page integrity check to the caller (run on a thread, so start-up does not
    grow with the data); build_hidden_tabs=False builds the Sessions and Templates
    tabs when first shown, so the first screen is painted sooner."""
    from wizard_desktop.ui.main_window import MainWindow

    open_database(folder, verify=verify)
    import_bundled_wizards()
    return MainWindow(folder, build_hidden_tabs=build_hidden_tabs)


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


def _report_uncaught(log_file: Path) -> None:
    """Uncaught exceptions (also those raised in Qt slots) are logged and shown once."""

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        log.critical("Uncaught exception", exc_info=(kind, error, trace))
        from wizard_desktop.ui import dialogs

        dialogs.show_unexpected_error(None, f"{kind.__name__}: {error}", log_file)

    sys.excepthook = hook


def _open_window(folder: Path, damaged: DatabaseCorruptError | None = None) -> MainWindow:
    """The main window. When the database is (or was just found) damaged, it has been
    moved aside: first offer to restore the newest backup."""
    if damaged is None:
        try:
            return create_main_window(folder, verify=False, build_hidden_tabs=False)
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
        try:
            restore_backup(folder, damaged.backup)
        except (BackupError, OSError, sqlite3.Error) as exc:
            dialogs.show_error(None, f"The backup could not be restored: {exc}")
    return create_main_window(folder, verify=False, build_hidden_tabs=False)


def _check_integrity_in_background(folder: Path, on_damage: Callable[[str], None]) -> None:
    """`PRAGMA quick_check` on a thread with a read-only connection of its own; damage
    is reported through `on_damage(detail)` (a Qt signal's emit: it crosses threads)."""

    def work() -> None:
        try:
            connection = connect_read_only(database_path(folder))
        except sqlite3.Error:
            log.exception("Integrity check could not open the database")
            return
        try:
            with storage_errors():
                check_integrity(connection)
        except StorageError as error:
            if error.kind is StorageErrorKind.CORRUPT:
                on_damage(error.detail)
            else:
                log.warning("Integrity check did not run: %s", error)
        finally:
            connection.close()

    threading.Thread(target=work, name="integrity-check", daemon=True).start()


def _start_daily_backup(folder: Path) -> None:
    """Back up once a day, on a thread of its own with its own connection."""

    def work() -> None:
        connection = sqlite3.connect(database_path(folder))
        try:
            made = run_daily_backup(connection, folder)
            if made is not None:
                log.info("Daily backup written: %s", made)
        except (BackupError, OSError, sqlite3.Error):
            log.exception("Daily backup failed")
        finally:
            connection.close()

    threading.Thread(target=work, name="daily-backup", daemon=True).start()


def _route_qt_messages_to_the_log() -> None:
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }
    qt_log = logging.getLogger("qt")

    def handler(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def _application() -> QApplication:
    """The QApplication with our name and icon; Qt's messages go to the log file."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from wizard_desktop.paths import resources_dir

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


def _on_first_paint(window: MainWindow, callback: Callable[[], None]) -> None:
    """Call `callback` once, when `window` gets its first paint event."""
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                callback()
            return False

    window.installEventFilter(FirstPaint(window))


def _report_first_paint_and_quit() -> None:
    """The startup probe: print the first paint's time on the shared monotonic clock."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    print(f"shown {time.monotonic():.6f}", flush=True)
    QTimer.singleShot(0, QApplication.quit)


class _Gui:
    """The running app: one data folder, its instance guard and its current window,
    replaced when the background integrity check finds the database damaged."""

    def __init__(self, folder: Path, guard: InstanceGuard) -> None:
        from PySide6.QtCore import QObject, Signal

        class Damage(QObject):
            found = Signal(str)

        self.folder = folder
        self.guard = guard
        self.window: MainWindow | None = None
        self.listening = False
        self.damage = Damage()
        self.damage.found.connect(self.recover)

    def open(self, damaged: DatabaseCorruptError | None = None) -> None:
        """Show the window; what its first screen does not need starts once it has
        been painted (or after a moment, if it is not painted, e.g. when hidden)."""
        from PySide6.QtCore import QTimer

        window = self.window = _open_window(self.folder, damaged)
        self.guard.activationRequested.connect(window.bring_to_front)
        if os.environ.get(STARTUP_PROBE_ENV):
            _on_first_paint(window, _report_first_paint_and_quit)
        started = False

        def start_background_work() -> None:
            nonlocal started
            if not started and self.window is window:  # once, and not for a replaced window
                started = True
                self._start_background_work()

        _on_first_paint(window, lambda: QTimer.singleShot(0, start_background_work))
        QTimer.singleShot(BACKGROUND_WORK_FALLBACK_MS, start_background_work)
        window.show()

    def _start_background_work(self) -> None:
        """Answer other launches on this folder; check the database's pages."""
        if not self.listening:
            self.guard.listen()
            self.listening = True
        _check_integrity_in_background(self.folder, self.damage.found.emit)

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
    from wizard_desktop.ui import dialogs

    log.error("%s", text)
    dialogs.show_error(None, text)


def run_gui(folder: Path) -> int:
    from PySide6.QtCore import QTimer

    from wizard_desktop.instance import InstanceGuard

    log_file = configure_logging()
    app = _application()
    _report_uncaught(log_file)
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
    gui = _Gui(folder, guard)
    try:
        gui.open()
    except (StorageError, OSError) as exc:
        _show_startup_error(f"Wizard Desktop cannot open its data in {folder}.\n\n{exc}")
        return 1
    QTimer.singleShot(DAILY_BACKUP_DELAY_MS, lambda: _start_daily_backup(folder))
    try:
        return app.exec()
    finally:
        guard.release()


def _use_offscreen_without_a_display() -> None:
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        _use_offscreen_without_a_display()
        from wizard_desktop.selftest import run_self_test

        configure_logging()
        _application()
        return run_self_test()
    if args.command is not None:
        return run_command(args)
    return run_gui(data_dir(args.data_dir))
