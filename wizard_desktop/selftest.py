"""`wizard-desktop --self-test`: proves on this machine, without touching the person's
data, that the app works end to end: a fresh database in a temporary folder, the
bundled wizards imported, the Laptop Config wizard played through the real player and
controller to completion, and the stored result checked. Then what else a person does
with files, as the command line runs it (`_files`): the shipped forms of every importer
imported (resources/self-test: an XLSForm as .xlsx, .xls and Markdown, a SurveyJS
survey), the session exported as XLSX and CSV and read back, its report written as a
PDF and drawn on a QPrinter (Print…'s device), the print dialog made. In a bundle,
that is what fails when the build leaves out a module, a library or a plugin that
only these paths load. One line of output.

It drives the player as a person does: editors found by their objectName
(`field_<id>`, `field_<id>_<option>`), answers typed as key presses, buttons clicked."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, Qt, QTimer, SignalInstance
from PySide6.QtGui import QKeyEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QWidget,
    QWizard,
)

from wizard_desktop.core.report import session_report
from wizard_desktop.core.session_list import SessionListQuery
from wizard_desktop.core.sessions import load_session
from wizard_desktop.core.sessions_export import SessionsExport, export_sessions
from wizard_desktop.core.wizards import import_wizard_file, list_wizards
from wizard_desktop.definition.model import AnswerValue
from wizard_desktop.gui import application, configure_logging, create_main_window
from wizard_desktop.paths import resources_dir
from wizard_desktop.store.database import close_database
from wizard_desktop.ui.formatting import shown_answer
from wizard_desktop.ui.report_pdf import draw_report, prepare_page, write_report_pdf

WIZARD_ID = "laptop-config"
ANSWERS: dict[str, AnswerValue] = {
    "full_name": "Self Test",
    "email": "self.test@example.com",
    "department": "Engineering",
    "model": "ultrabook-13",
    "memory_gb": "32",
    "storage_gb": 1024,
    "operating_system": "linux",
    "applications": ["ide", "vpn"],
    "delivery_address": "1 Test Street, Testville",
}
TIMEOUT_MS = 15_000
# resources/self-test: one small form per importer; the three XLSForms are one form
# (form.md's tables, saved as .xlsx by XlsxWriter and as .xls by xlwt).
FORMS = ("form.xlsx", "form.xls", "form.md", "survey.json")


class SelfTestError(Exception):
    pass


def _wait_for(signal: SignalInstance, what: str) -> list[object]:
    received: list[object] = []
    loop = QEventLoop()

    def got(*args: object) -> None:
        received.extend(args)
        loop.quit()

    signal.connect(got)
    timer = QTimer(singleShot=True, interval=TIMEOUT_MS)
    timer.timeout.connect(loop.quit)
    timer.start()
    loop.exec()
    signal.disconnect(got)
    if not timer.isActive():
        raise SelfTestError(f"timed out waiting for {what}")
    return received


def _type(widget: QWidget, text: str) -> None:
    """Replace what `widget` holds by `text`, typed one key at a time."""
    widget.setFocus()
    if isinstance(widget, QLineEdit | QPlainTextEdit | QAbstractSpinBox):
        widget.selectAll()
    for character in text:
        key = ord(character.upper()) if character.isascii() and character.isalnum() else 0
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, character)
            QCoreApplication.sendEvent(widget, event)


def _answer(page: QWidget, field_id: str, value: AnswerValue) -> None:
    """Give the field on `page` the answer `value`, as a person would."""
    chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
    buttons = [
        b
        for b in page.findChildren(QAbstractButton)
        if b.objectName().startswith(f"field_{field_id}_")
    ]
    if buttons:  # radio buttons or check boxes, one per option
        for button in buttons:
            wanted = button.objectName().removeprefix(f"field_{field_id}_") in chosen
            if button.isChecked() != wanted:
                button.click()
        return
    editor = page.findChild(QWidget, f"field_{field_id}")
    if editor is None:
        raise SelfTestError(f"no editor for the field {field_id}")
    if isinstance(editor, QComboBox):
        editor.setCurrentIndex(editor.findData(value))
    else:
        _type(editor, str(value))


def _play(folder: Path) -> str:
    window = create_main_window(folder)
    window.show()
    wizards = window.findChild(QTreeWidget, "wizardList")
    if wizards is None:
        raise SelfTestError("no wizard list")
    for row in range(wizards.topLevelItemCount()):
        item = wizards.topLevelItem(row)
        if item.data(0, Qt.ItemDataRole.UserRole).id == WIZARD_ID:
            wizards.setCurrentItem(item)
    if wizards.currentItem().data(0, Qt.ItemDataRole.UserRole).id != WIZARD_ID:
        raise SelfTestError(f"the wizard {WIZARD_ID} is not listed")
    controller = window.controller
    start = window.findChild(QPushButton, "startButton")
    if start is None:
        raise SelfTestError("no Start button")
    start.click()
    _wait_for(controller.sessionStarted, "the session to start")
    player = window.player
    if player is None:
        raise SelfTestError("the player did not open")
    session_id = player.info.id
    while True:
        page = player.currentPage()
        step = page.objectName().removeprefix("step_")
        for field_id, value in ANSWERS.items():
            if page.findChild(QWidget, f"field_{field_id}") is not None:
                _answer(page, field_id, value)
        last = page.isFinalPage()
        button = player.button(
            QWizard.WizardButton.FinishButton if last else QWizard.WizardButton.NextButton
        )
        if not button.isEnabled():
            raise SelfTestError(f"step {step} is not complete with the test answers")
        button.click()
        if last:
            break
    _wait_for(controller.completed, "the completion to be stored")
    window.close()
    return session_id


def _check(session_id: str) -> None:
    state = load_session(session_id)
    if not state.info.is_completed or state.info.progress_percentage != 100:
        raise SelfTestError(
            f"stored status {state.info.status} at {state.info.progress_percentage}%"
        )
    wrong = {k: v for k, v in ANSWERS.items() if state.answers.get(k) != v}
    if wrong:
        raise SelfTestError(f"stored answers differ for {', '.join(sorted(wrong))}")
    if {w.id: w.completed_count for w in list_wizards()}.get(WIZARD_ID) != 1:
        raise SelfTestError("the wizard's completed count is not 1")


def _files(folder: Path, session_id: str) -> None:
    """Import every shipped form, export the session as XLSX and CSV, write its report
    as a PDF and draw it on a QPrinter; each result read back."""
    for name in FORMS:
        import_wizard_file(resources_dir() / "self-test" / name)  # WizardFileError
    import openpyxl  # pyxform's reader of .xlsx, already loaded by the import above

    query = SessionListQuery(wizard_id=WIZARD_ID)
    for spreadsheet in ("xlsx", "csv"):
        target = folder / f"sessions.{spreadsheet}"
        if export_sessions(SessionsExport(query, spreadsheet), target) != 1:
            raise SelfTestError(f"the {spreadsheet} export did not write the session")
    book = openpyxl.load_workbook(folder / "sessions.xlsx", read_only=True)
    cells = {c for row in book.worksheets[0].iter_rows(values_only=True) for c in row}
    book.close()
    if ANSWERS["full_name"] not in cells:
        raise SelfTestError("the xlsx export does not hold the answers")
    if str(ANSWERS["email"]) not in (folder / "sessions.csv").read_text(encoding="utf-8"):
        raise SelfTestError("the csv export does not hold the answers")
    write_report_pdf(session_id, folder / "report.pdf")
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(folder / "printed.pdf"))
    prepare_page(printer)
    draw_report(session_report(session_id, shown_answer), printer)
    del printer  # finishes the file
    for name in ("report.pdf", "printed.pdf"):
        if not (folder / name).read_bytes().startswith(b"%PDF-"):
            raise SelfTestError(f"the report's {name} is no PDF")
    QPrintDialog().deleteLater()


def run_self_test() -> int:
    """Exit code 0 when everything worked; prints one line either way. Without a
    display it runs offscreen."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    configure_logging()
    app = application()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="wizard-desktop-self-test-") as folder:
        try:
            session_id = _play(Path(folder))
            _check(session_id)
            _files(Path(folder), session_id)
        except Exception as exc:  # the one line must say what failed, whatever it was
            print(f"self-test FAILED on platform {app.platformName()}: {type(exc).__name__}: {exc}")
            return 1
        finally:
            close_database()
    elapsed = (time.monotonic() - started) * 1000
    print(
        f"self-test ok: {WIZARD_ID} played to completion and stored; {len(FORMS)} forms"
        f" imported, xlsx and csv exported, report PDF written and printed"
        f" (platform {app.platformName()}, {elapsed:.0f} ms)"
    )
    return 0
