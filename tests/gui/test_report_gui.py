"""Print… and Save as PDF… of a session's report through real widgets on real SQLite
files: on the completion page, on the review page (a draft), from the Sessions table's
Report menu, by keyboard; the print path with a QPrinter writing a PDF file instead
of the platform's dialog; what the PDF holds read back with poppler, and its pages
rendered (pdftoppm) and looked at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QLocale, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import find, playing, press_next
from tests.report_files import (
    assert_visible_answers_only,
    long_session,
    pdf_pages,
    pdf_text,
    render_pages,
    skipping_session,
)
from wizard_desktop.core.report import DRAFT
from wizard_desktop.operations import OperationRunner
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.sessions_view import SessionsView


def locale_date(iso: str) -> str:
    return QLocale().toString(
        QDate.fromString(iso, Qt.DateFormat.ISODate), QLocale.FormatType.ShortFormat
    )


def save_to(monkeypatch: pytest.MonkeyPatch, target: Path) -> list[str]:
    """The file chooser answers `target`; returns the titles it was asked with."""
    asked: list[str] = []

    def choose(_parent: QWidget, title: str, suggested: str, filters: str) -> Path:
        asked.append(title)
        assert suggested.endswith(".pdf") and filters == dialogs.REPORT_FILTERS
        return target

    monkeypatch.setattr(dialogs, "ask_save_path", choose)
    return asked


def print_to(monkeypatch: pytest.MonkeyPatch, target: Path) -> list[QPrinter]:
    """The print dialog "chooses" a PDF file as the printer (as its Print to File does)."""
    printers: list[QPrinter] = []

    def choose(_parent: QWidget, printer: QPrinter, title: str) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        printers.append(printer)
        return True

    monkeypatch.setattr(dialogs, "ask_print", choose)
    return printers


def button(widget: QWidget, name: str) -> QPushButton:
    found = find(widget, name, QPushButton)
    assert isinstance(found, QPushButton) and found.isVisible(), name
    return found


def wait_for_file(qtbot: QtBot, path: Path) -> None:
    qtbot.waitUntil(lambda: path.exists() and path.stat().st_size > 0, timeout=10_000)


def test_save_as_pdf_and_print_on_the_completion_page(
    qtbot: QtBot,
    store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_modal_dialogs: list[str],
) -> None:
    session_id = skipping_session(store, complete=True)
    saved, printed = tmp_path / "saved.pdf", tmp_path / "printed.pdf"
    asked = save_to(monkeypatch, saved)
    printers = print_to(monkeypatch, printed)
    with playing(qtbot, session_id) as player:
        assert player.currentPage() is player.completion_page
        button(player.completion_page, "saveReportPdfButton").click()
        wait_for_file(qtbot, saved)
        qtbot.waitUntil(lambda: f"Saved the report to {saved}." in no_modal_dialogs)
        button(player.completion_page, "printReportButton").click()
        wait_for_file(qtbot, printed)
    assert asked == ["Save report as PDF"]
    for pdf in (saved, printed):
        assert_visible_answers_only(pdf, locale_date("1990-04-27"))
        assert "Draft" not in pdf_text(pdf)
        assert "Page 1 of 1" in pdf_text(pdf)
    territory = QLocale().territory()
    letter = territory in (QLocale.Country.UnitedStates, QLocale.Country.Canada)
    expected = "Letter" if letter else "A4"
    assert printers[0].pageLayout().pageSize().name() == expected  # before the dialog


def test_print_on_the_review_page_marks_the_draft_and_shows_what_is_stored(
    qtbot: QtBot, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = skipping_session(store, complete=False)
    printed = tmp_path / "draft.pdf"
    print_to(monkeypatch, printed)
    with playing(qtbot, session_id) as player:
        assert player.currentPage() is player.step_pages["extras"]
        press_next(qtbot, player)
        assert player.currentPage() is player.review_page
        button(player.review_page, "printReportButton").click()
        wait_for_file(qtbot, printed)
    assert_visible_answers_only(printed, locale_date("1990-04-27"))
    assert DRAFT in pdf_text(printed)


def test_every_page_of_a_long_draft_is_marked_and_numbered_and_renders(
    qtbot: QtBot,
    store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_modal_dialogs: list[str],
) -> None:
    session_id = long_session(store, 120, complete=False)
    saved = tmp_path / "long.pdf"
    save_to(monkeypatch, saved)
    with playing(qtbot, session_id) as player:
        press_next(qtbot, player)  # the last step: its answers are kept, the review shows
        assert player.currentPage() is player.review_page
        button(player.review_page, "saveReportPdfButton").click()
        wait_for_file(qtbot, saved)
    pages = pdf_pages(saved)
    assert pages >= 2
    for page in range(1, pages + 1):
        text = pdf_text(saved, page)
        assert DRAFT in text and f"Page {page} of {pages}" in text, page
    images = render_pages(saved, tmp_path)
    assert len(images) == pages
    for image_path in images:
        image = QImage(str(image_path))
        assert not image.isNull() and image.height() > image.width()  # portrait
        inked = sum(
            1
            for y in range(0, image.height(), 3)
            for x in range(0, image.width(), 3)
            if image.pixelColor(x, y).lightness() < 128
        )
        assert inked > 30, f"{image_path.name} is blank"
    first, second = (QImage(str(p)) for p in images[:2])
    assert first != second


def report_view(qtbot: QtBot, operations: OperationRunner, session_id: str) -> SessionsView:
    view = SessionsView(operations)
    qtbot.addWidget(view)
    view.resize(1000, 500)
    view.show()
    qtbot.waitExposed(view)
    assert view.select_session(session_id)
    return view


def test_the_sessions_report_menu_saves_and_prints_the_selected_session(
    qtbot: QtBot,
    store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    operations: OperationRunner,
) -> None:
    session_id = skipping_session(store, complete=True)
    view = report_view(qtbot, operations, session_id)
    saved, printed = tmp_path / "table.pdf", tmp_path / "table-printed.pdf"
    save_to(monkeypatch, saved)
    print_to(monkeypatch, printed)
    actions = {a.objectName(): a for a in view.report_menu.actions()}
    assert [a.text() for a in view.report_menu.actions()] == ["Print…", "Save as PDF…"]
    actions["saveReportPdfAction"].trigger()
    wait_for_file(qtbot, saved)
    actions["printReportAction"].trigger()
    wait_for_file(qtbot, printed)
    for pdf in (saved, printed):
        assert_visible_answers_only(pdf, locale_date("1990-04-27"))
    view.table.clearSelection()
    assert not view.report_button.isEnabled()


def test_a_refused_target_is_told_and_nothing_is_written(
    qtbot: QtBot,
    store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    operations: OperationRunner,
    no_modal_dialogs: list[str],
) -> None:
    session_id = skipping_session(store, complete=True)
    view = report_view(qtbot, operations, session_id)
    save_to(monkeypatch, tmp_path / "missing" / "x.pdf")
    {a.objectName(): a for a in view.report_menu.actions()}["saveReportPdfAction"].trigger()
    qtbot.waitUntil(lambda: len(no_modal_dialogs) == 1)
    assert no_modal_dialogs[0].startswith("Could not save") and "missing" in no_modal_dialogs[0]
    assert not (tmp_path / "missing").exists()


def choose_in_popup(qtbot: QtBot, keys: list[Qt.Key]) -> Callable[[], None]:
    def choose() -> None:
        popup = QApplication.activePopupWidget()
        assert popup is not None, "the Report menu did not open"
        for key in keys:
            qtbot.keyClick(popup, key)

    return choose


def test_the_report_buttons_work_from_the_keyboard(
    qtbot: QtBot,
    store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    operations: OperationRunner,
) -> None:
    session_id = skipping_session(store, complete=True)
    by_mnemonic, by_tab, from_table = (tmp_path / f"{n}.pdf" for n in ("mnemonic", "tab", "table"))
    with playing(qtbot, session_id) as player:
        save_to(monkeypatch, by_mnemonic)
        player.activateWindow()  # mnemonics work in the active window
        qtbot.waitUntil(player.isActiveWindow)
        qtbot.keyClick(player, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # Save as P&DF…
        wait_for_file(qtbot, by_mnemonic)
        print_to(monkeypatch, by_tab)
        export = button(player.completion_page, "exportButton")
        export.setFocus()
        qtbot.keyClick(export, Qt.Key.Key_Tab)
        print_button = button(player.completion_page, "printReportButton")
        assert QApplication.focusWidget() is print_button
        qtbot.keyClick(print_button, Qt.Key.Key_Space)
        wait_for_file(qtbot, by_tab)

    view = report_view(qtbot, operations, session_id)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    save_to(monkeypatch, from_table)
    view.buttons[view.delete_action].setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view.report_button
    QTimer.singleShot(
        100, choose_in_popup(qtbot, [Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Return])
    )
    qtbot.keyClick(view.report_button, Qt.Key.Key_Space)
    wait_for_file(qtbot, from_table)
    assert_visible_answers_only(from_table, locale_date("1990-04-27"))
