"""Print… and Save as PDF… of a session's report, where the GUI offers them (the
review page, the completion page, the Sessions table). Both go through the window's
one door (`OperationRunner`), after the writes queued before them, so the report
shows what is stored. Both read the report on the writer thread and draw it on the UI
thread (Qt's text layout and fonts belong to the GUI thread: drawing on the writer
thread could hang it): Save as PDF then queues the write of those bytes (after the
file chooser asked about an existing file); Print… asks the platform's print dialog
first (on the locale's paper) and draws on the chosen printer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QHBoxLayout, QMenu, QPushButton, QWidget

from wizard_desktop.core.export import suggested_file_name
from wizard_desktop.core.output_files import write_output_file
from wizard_desktop.core.report import SessionReport, session_report
from wizard_desktop.operations import Call, OperationRunner
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.formatting import shown_answer
from wizard_desktop.ui.report_pdf import draw_report, prepare_page, report_pdf

REFUSALS = (ValueError, LookupError, OSError)
PRINT_TEXT = "&Print…"
SAVE_PDF_TEXT = "Save as P&DF…"


def save_report_pdf(
    parent: QWidget, operations: OperationRunner, session_id: str, session_name: str
) -> None:
    """Ask where, then write the report's PDF there (replacing a file the chooser asked
    about)."""
    path = dialogs.ask_save_path(
        parent,
        "Save report as PDF",
        suggested_file_name(session_name, ".pdf"),
        dialogs.REPORT_FILTERS,
    )
    if path is None:
        return
    target: Path = path

    def failed(exc: Exception) -> None:
        dialogs.show_error(parent, f"Could not save {target}: {exc}")

    def write_it(report: SessionReport) -> None:
        try:
            pdf = report_pdf(report)
        except OSError as exc:
            failed(exc)
            return
        operations.run(
            Call(
                f"the report {target}",
                lambda: write_output_file(target, pdf, overwrite=True),  # the dialog asked
                done=lambda _: dialogs.show_info(parent, f"Saved the report to {target}."),
                failed=failed,
                refused_by=REFUSALS,
            )
        )

    operations.run(
        Call(
            "the report to save",
            lambda: session_report(session_id, shown_answer),
            done=write_it,
            failed=failed,
            refused_by=REFUSALS,
            kept=False,  # a read: nothing to lose when the app quits
        )
    )


def print_report(parent: QWidget, operations: OperationRunner, session_id: str) -> None:
    """The print dialog, then the report on the printer it set up."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    prepare_page(printer)
    if not dialogs.ask_print(parent, printer, "Print report"):
        return

    def print_it(report: SessionReport) -> None:
        printer.setDocName(report.title)
        try:
            draw_report(report, printer)
        except OSError as exc:
            dialogs.show_error(parent, f"Could not print the report: {exc}")

    operations.run(
        Call(
            "the report to print",
            lambda: session_report(session_id, shown_answer),
            done=print_it,
            failed=lambda exc: dialogs.show_error(parent, f"Could not print the report: {exc}"),
            refused_by=REFUSALS,
            kept=False,  # a read: nothing to lose when the app quits
        )
    )


class ReportButtons(QWidget):
    """Print… and Save as PDF… for the session `session()` names (id, name); `before`
    runs first (the player queues its pending draft)."""

    def __init__(
        self,
        operations: OperationRunner,
        session: Callable[[], tuple[str, str]],
        before: Callable[[], None] = lambda: None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.operations = operations
        self.session = session
        self.before = before
        self.print_button = QPushButton(PRINT_TEXT, self)
        self.print_button.setObjectName("printReportButton")
        self.print_button.setAccessibleName("Print the report")
        self.pdf_button = QPushButton(SAVE_PDF_TEXT, self)
        self.pdf_button.setObjectName("saveReportPdfButton")
        self.pdf_button.setAccessibleName("Save the report as PDF")
        self.print_button.clicked.connect(self.print_report)
        self.pdf_button.clicked.connect(self.save_pdf)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.print_button)
        layout.addWidget(self.pdf_button)

    def print_report(self) -> None:
        self.before()
        session_id, _name = self.session()
        print_report(self, self.operations, session_id)

    def save_pdf(self) -> None:
        self.before()
        session_id, name = self.session()
        save_report_pdf(self, self.operations, session_id, name)


def report_menu(
    parent: QWidget, operations: OperationRunner, session: Callable[[], tuple[str, str] | None]
) -> QMenu:
    """The Sessions table's "Report" menu: Print… and Save as PDF… for the selected
    session (`session()`: its id and name, None when there is none)."""
    menu = QMenu("Report", parent)
    menu.setObjectName("reportMenu")
    menu.menuAction().setObjectName("reportAction")

    def with_session(act: Callable[[str, str], None]) -> Callable[[], None]:
        def run() -> None:
            chosen = session()
            if chosen is not None:
                act(*chosen)

        return run

    menu.addAction(
        PRINT_TEXT.replace("&", ""),
        with_session(lambda session_id, _name: print_report(parent, operations, session_id)),
    ).setObjectName("printReportAction")
    menu.addAction(
        SAVE_PDF_TEXT.replace("&", ""),
        with_session(
            lambda session_id, name: save_report_pdf(parent, operations, session_id, name)
        ),
    ).setObjectName("saveReportPdfAction")
    return menu
