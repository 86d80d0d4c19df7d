"""The strip under the sessions table while the sessions spreadsheet is written: what
is exported where, a progress bar, Cancel, then what came of it (for a few seconds).

The export runs on the read lane (`operations.read_with_progress`), not the writer
thread: it only reads the database and writes a file of the person's, so it has
nothing to store or retry, and the player's saves must not wait seconds behind it.
Cancel stops it at its next chunk; `core.sessions_export` then leaves no file. Quitting
the app cancels it too, so the exit does not wait for the rest of the export.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from wizard_desktop.core.output_files import OutputFileError
from wizard_desktop.core.sessions_export import (
    ExportCancelled,
    SessionsExport,
    SeveralWizardsError,
    export_sessions,
)
from wizard_desktop.operations import ReadProgress, read_with_progress
from wizard_desktop.store.errors import StorageError
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.formatting import counted
from wizard_desktop.ui.markdown import plain_label

log = logging.getLogger(__name__)

RESULT_SHOWN_MS = 8000
SEVERAL_WIZARDS = (
    "The sessions shown belong to {count} wizards, and a CSV file holds the sessions of"
    " one wizard. Search for one wizard's title, or export as an Excel workbook (one"
    " sheet per wizard)."
)


def _refusal(target: Path, error: Exception) -> str:
    """What the person reads when the export failed (nothing was written)."""
    if isinstance(error, SeveralWizardsError):
        return SEVERAL_WIZARDS.format(count=len(error.wizard_ids))
    if isinstance(error, OutputFileError | StorageError | ValueError | LookupError):
        return f"Could not export the sessions: {error}"
    if isinstance(error, OSError):
        return f"Could not write {target}: {error.strerror or error}"
    log.error("Exporting the sessions to %s failed", target, exc_info=error)
    return f"Could not export the sessions: {error}"


class ExportBar(QWidget):
    """Hidden until `start()`; `finished(result)` gives the number of sessions written,
    or the exception (ExportCancelled when cancelled)."""

    finished = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="exportBar")
        self.status = plain_label(object_name="exportStatus")
        self.status.setWordWrap(False)
        self.progress_bar = QProgressBar(objectName="exportProgress")
        self.progress_bar.setAccessibleName("Export progress")
        self.cancel_button = QPushButton("Cancel export", self, objectName="cancelExportButton")
        self.cancel_button.setAccessibleName("Cancel export")
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status, 1)
        layout.addWidget(self.progress_bar, 1)
        layout.addWidget(self.cancel_button)
        self._running: ReadProgress | None = None
        self._hide_timer = QTimer(self, singleShot=True, interval=RESULT_SHOWN_MS)
        self._hide_timer.timeout.connect(self.hide)
        app = QCoreApplication.instance()
        if app is not None:  # the app waits for the read lane as it exits: cancel first
            app.aboutToQuit.connect(self.cancel)
        self.hide()

    @property
    def running(self) -> bool:
        return self._running is not None

    def start(self, export: SessionsExport, target: Path) -> None:
        """Export on the read lane to `target` (the file dialog asked before replacing)."""
        self._hide_timer.stop()
        self.status.setText(f"Exporting the sessions to {target.name}…")
        self.progress_bar.setRange(0, 0)  # busy until the first chunk says how many
        self.progress_bar.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.show()

        def work(progress: ReadProgress) -> Any:
            try:
                return export_sessions(
                    export,
                    target,
                    overwrite=True,
                    progress=progress.report,
                    cancelled=lambda: progress.cancelled,
                )
            except Exception as error:  # told on the UI thread, never lost in the pool
                return error

        self._running = read_with_progress(
            work, lambda result: self._finished(target, result), self, self._progressed
        )

    def cancel(self) -> None:
        if self._running is not None:
            self._running.cancel()
            self.status.setText("Cancelling the export…")
            self.cancel_button.setEnabled(False)

    def _progressed(self, done: int, total: int) -> None:
        if self._running is None or self._running.cancelled:
            return
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(min(done, total))
        self.status.setText(f"Exporting {done:,} of {counted(total, 'session')}…")

    def _finished(self, target: Path, result: object) -> None:
        self._running = None
        self.progress_bar.hide()
        self.cancel_button.hide()
        if isinstance(result, int):
            self.status.setText(f"Exported {counted(result, 'session')} to {target}.")
            self._hide_timer.start()
        elif isinstance(result, ExportCancelled):
            self.status.setText("Export cancelled: no file was written.")
            self._hide_timer.start()
        else:
            self.hide()
            error = result if isinstance(result, Exception) else RuntimeError(str(result))
            dialogs.show_error(self, _refusal(target, error))
        self.finished.emit(result)
