"""Every dialog the app shows, as plain functions: messages, name prompts, delete
confirmations, file choosers, the print dialog, the quit-with-unsaved-answers
questions, the backup restore offer, the keyboard shortcuts page, a wizard's
statistics and the unexpected-error report. A question's title says what it asks;
file choosers start in the home folder and then in the folder last used for that kind
of file (wizard files, templates, exports, reports), remembered in the window's
settings.

Widgets never build dialogs themselves; they call these, so tests replace them
(monkeypatch) and never block on a modal window. Every message is shown as plain
text: it may hold names, paths and errors that come from files or people.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QSettings, Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wizard_desktop.ui.formatting import counted

APP_TITLE = "Wizard Desktop"
SESSION_EXPORT_FILTERS = "JSON (*.json);;CSV (*.csv)"
REPORT_FILTERS = "PDF (*.pdf)"
SPREADSHEET_FILTERS = "Excel workbook (*.xlsx);;CSV, one wizard's sessions (*.csv)"
TEMPLATE_FILTERS = "Wizard Desktop template (*.json)"
WIZARD_FILTERS = (
    "Wizard files and forms (*.yaml *.yml *.json *.xlsx *.xls *.md);;"
    "Wizard files (*.yaml *.yml *.json);;SurveyJS surveys (*.json);;XLSForms (*.xlsx *.xls *.md)"
)
# The kind of file each chooser's filters are for: each kind remembers its folder.
FOLDER_KINDS = {
    WIZARD_FILTERS: "wizard_files",
    TEMPLATE_FILTERS: "templates",
    SESSION_EXPORT_FILTERS: "exports",
    REPORT_FILTERS: "reports",
    SPREADSHEET_FILTERS: "exports",
}
FOLDERS_GROUP = "folders"
NAME_FIELD_WIDTHS = (360, 640)
"""The name prompt's width: at least the first, up to the second to fit the name."""


class UnsavedChoice(Enum):
    RETRY_NOW = "retry_now"
    KEEP_WAITING = "keep_waiting"
    QUIT_ANYWAY = "quit_anyway"


class _LastFolders:
    """Where file choosers open: the folder last used for each kind of file, kept in
    the settings of the window the chooser belongs to (the main window keeps them
    beside the database as `settings`), else the home folder."""

    @staticmethod
    def _settings(parent: QWidget | None) -> QSettings | None:
        settings = getattr(parent.window(), "settings", None) if parent is not None else None
        return settings if isinstance(settings, QSettings) else None

    @staticmethod
    def _key(filters: str) -> str:
        return f"{FOLDERS_GROUP}/{FOLDER_KINDS.get(filters, 'other')}"

    @classmethod
    def start(cls, parent: QWidget | None, filters: str) -> Path:
        settings = cls._settings(parent)
        remembered = settings.value(cls._key(filters)) if settings is not None else None
        if isinstance(remembered, str) and Path(remembered).is_dir():
            return Path(remembered)
        return Path.home()

    @classmethod
    def remember(cls, parent: QWidget | None, filters: str, folder: Path) -> None:
        settings = cls._settings(parent)
        if settings is not None:
            settings.setValue(cls._key(filters), str(folder))


def _message_box(
    parent: QWidget | None, icon: QMessageBox.Icon, text: str, title: str = APP_TITLE
) -> QMessageBox:
    """A message box that shows `text` (and its informative text) as typed."""
    box = QMessageBox(icon, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def _set_informative_text(box: QMessageBox, text: str) -> None:
    box.setInformativeText(text)
    box.setTextFormat(Qt.TextFormat.PlainText)  # applies to the informative text too


def show_error(parent: QWidget | None, text: str) -> None:
    _message_box(parent, QMessageBox.Icon.Critical, text).exec()


# How many of an imported form's unplayable parts the question lists itself.
IMPORT_ITEMS_SHOWN = 12


def ask_import_without(parent: QWidget | None, file_name: str, items: list[str]) -> bool:
    """An imported form (SurveyJS, XLSForm) holds what cannot be played: list every
    item; True when the person chooses "Import without these"."""
    box = _message_box(
        parent,
        QMessageBox.Icon.Warning,
        f"{file_name} holds {counted(len(items), 'part')} Wizard Desktop cannot play. "
        "Import the rest? The wizard will say what was left out.",
        "Import a form",
    )
    if len(items) <= IMPORT_ITEMS_SHOWN:
        _set_informative_text(box, "\n".join(items))
    else:  # the box stays on the screen: the rest behind Show Details…, every item there
        shown = IMPORT_ITEMS_SHOWN - 1
        _set_informative_text(
            box,
            "\n".join(items[:shown])
            + f"\n… and {len(items) - shown} more: Show Details… lists every one.",
        )
        box.setDetailedText("\n".join(items))
    without = box.addButton("Import without these", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(without)
    box.exec()
    return box.clickedButton() is without


def show_info(parent: QWidget | None, text: str) -> None:
    _message_box(parent, QMessageBox.Icon.Information, text).exec()


def show_about(parent: QWidget | None, text: str) -> None:
    box = _message_box(parent, QMessageBox.Icon.NoIcon, text, f"About {APP_TITLE}")
    box.setIconPixmap(box.windowIcon().pixmap(64, 64))
    box.exec()


def ask_unsaved_on_quit(parent: QWidget | None, unsaved: str) -> UnsavedChoice:
    """Some answers are not stored yet: retry now, keep waiting, or quit anyway."""
    box = _message_box(
        parent,
        QMessageBox.Icon.Warning,
        "Some of your work is not saved yet because the database cannot be written.",
        "Quit with unsaved work?",
    )
    _set_informative_text(box, f"Not saved: {unsaved}.")
    retry = box.addButton("Retry now", QMessageBox.ButtonRole.AcceptRole)
    wait = box.addButton("Keep waiting", QMessageBox.ButtonRole.RejectRole)
    quit_anyway = box.addButton("Quit anyway…", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(retry)
    box.setEscapeButton(wait)
    box.exec()
    clicked = box.clickedButton()
    if clicked is quit_anyway:
        return UnsavedChoice.QUIT_ANYWAY
    if clicked is retry:
        return UnsavedChoice.RETRY_NOW
    return UnsavedChoice.KEEP_WAITING


def _confirm(
    parent: QWidget | None, title: str, question: str, accept: QMessageBox.StandardButton
) -> bool:
    """A question about something that cannot be undone; Cancel is the default."""
    cancel = QMessageBox.StandardButton.Cancel
    box = _message_box(
        parent, QMessageBox.Icon.Warning, f"{question}\n\nThis cannot be undone.", title
    )
    box.setStandardButtons(accept | cancel)
    box.setDefaultButton(cancel)
    return box.exec() == accept


def confirm_discard_unsaved(parent: QWidget | None, unsaved: str) -> bool:
    """The explicit confirmation before quitting loses `unsaved`."""
    return _confirm(
        parent,
        "Quit without saving?",
        f"Quit and lose {unsaved}?",
        QMessageBox.StandardButton.Discard,
    )


TEMPLATE_NAME_PROMPT = "Save these answers as a template named:"


def ask_name(
    parent: QWidget | None, prompt: str, current: str, *, title: str = "Choose a name"
) -> str | None:
    """A name typed by the person (trimmed), or None when cancelled or empty. The
    field is wide enough for `current` (within NAME_FIELD_WIDTHS)."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(prompt)
    for label in dialog.findChildren(QLabel):  # the prompt may hold names from a file
        label.setTextFormat(Qt.TextFormat.PlainText)
    dialog.setTextValue(current)
    narrowest, widest = NAME_FIELD_WIDTHS
    needed = dialog.fontMetrics().horizontalAdvance(current) + 80  # margins and frame
    dialog.resize(max(narrowest, min(needed, widest)), dialog.sizeHint().height())
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.textValue().strip() or None


def confirm_delete(parent: QWidget | None, question: str, *, title: str = "Delete?") -> bool:
    """True when the person confirms a deletion."""
    return _confirm(parent, title, question, QMessageBox.StandardButton.Yes)


def confirm_remove_instance(parent: QWidget | None, instance: str, answers: list[str]) -> bool:
    """True when the person confirms removing a repeat's instance; the question names
    the instance and the answers that go (Undo stays offered until they leave the step)."""
    listed = "\n".join(f"• {line}" for line in answers[:8]) or "• no answers yet"
    more = f"\n… and {len(answers) - 8} more" if len(answers) > 8 else ""
    box = _message_box(
        parent,
        QMessageBox.Icon.Question,
        f"Remove “{instance}”?\n\nThese answers go with it:\n{listed}{more}\n\n"
        "You can undo this until you leave this step.",
        "Remove?",
    )
    remove, cancel = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Cancel
    box.setStandardButtons(remove | cancel)
    box.button(remove).setText("Remove")
    box.setDefaultButton(cancel)
    return box.exec() == remove


def ask_save_path(parent: QWidget | None, title: str, suggested: str, filters: str) -> Path | None:
    """Where to save; a name typed without a suffix gets the chosen filter's suffix
    (`filters` as Qt writes them: "JSON (*.json);;CSV (*.csv)")."""
    start = str(_LastFolders.start(parent, filters) / suggested)
    path, chosen = QFileDialog.getSaveFileName(parent, title, start, filters)
    if not path:
        return None
    target = Path(path)
    _LastFolders.remember(parent, filters, target.parent)
    suffix = re.search(r"\*(\.\w+)", chosen or filters)
    if not target.suffix and suffix is not None:
        target = target.with_name(target.name + suffix.group(1))
    return target


def ask_print(parent: QWidget | None, printer: QPrinter, title: str) -> bool:
    """The platform's print dialog on `printer`; True when the person chose Print."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    return dialog.exec() == QDialog.DialogCode.Accepted


def ask_spreadsheet_path(
    parent: QWidget | None, suggested: str
) -> tuple[Path, Literal["csv", "xlsx"]] | None:
    """Where to save the sessions spreadsheet, and its format: "csv" for a .csv file,
    else "xlsx" (a name with another suffix gets .xlsx)."""
    target = ask_save_path(parent, "Export sessions", suggested, SPREADSHEET_FILTERS)
    if target is None:
        return None
    suffix = target.suffix.lower()
    if suffix == ".csv":
        return target, "csv"
    return (target if suffix == ".xlsx" else target.with_name(target.name + ".xlsx")), "xlsx"


def ask_open_paths(parent: QWidget | None, title: str, filters: str) -> list[Path]:
    """Files to open; empty when cancelled."""
    chosen, _ = QFileDialog.getOpenFileNames(
        parent, title, str(_LastFolders.start(parent, filters)), filters
    )
    paths = [Path(p) for p in chosen]
    if paths:
        _LastFolders.remember(parent, filters, paths[0].parent)
    return paths


def ask_attachment_path(parent: QWidget | None, title: str, filters: str) -> Path | None:
    """One file to attach (a file or image field's Choose file…); None when cancelled."""
    chosen, _ = QFileDialog.getOpenFileName(
        parent, title, str(_LastFolders.start(parent, filters)), filters
    )
    if not chosen:
        return None
    path = Path(chosen)
    _LastFolders.remember(parent, filters, path.parent)
    return path


def offer_backup_restore(parent: QWidget | None, problem: str, backup: Path) -> bool:
    """The database was damaged and moved aside: restore `backup` (True) or start empty."""
    box = _message_box(parent, QMessageBox.Icon.Critical, problem, "Restore from a backup?")
    _set_informative_text(box, f"Restore the most recent backup ({backup.name})?")
    restore = box.addButton("Restore backup", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Start with an empty database", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore)
    box.exec()
    return box.clickedButton() is restore


def show_keyboard_shortcuts(parent: QWidget | None, shortcuts: list[tuple[str, str]]) -> None:
    """The Help menu's page of (keys, what they do) rows."""
    dialog = QDialog(parent, objectName="keyboardShortcutsDialog")
    dialog.setWindowTitle("Keyboard shortcuts")
    table = QTableWidget(len(shortcuts), 2, dialog, objectName="keyboardShortcutsTable")
    table.setAccessibleName("Keyboard shortcuts")
    table.setHorizontalHeaderLabels(["Keys", "Does"])
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    for row, (keys, what) in enumerate(shortcuts):
        table.setItem(row, 0, QTableWidgetItem(keys))
        table.setItem(row, 1, QTableWidgetItem(what))
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    table.resizeColumnsToContents()
    dialog.resize(640, 420)
    dialog.exec()


STATISTICS_SIZE = (820, 680)


def show_statistics(parent: QWidget | None, wizard_id: str, title: str) -> QDialog:
    """A wizard's statistics (ui/stats_view.py), window-modal and not blocking: shown
    at once, filled in when the figures are read; Esc or Close closes it."""
    from wizard_desktop.ui.stats_view import StatisticsView

    dialog = QDialog(parent, objectName="statisticsDialog")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowTitle(f"Statistics — {title}")
    view = StatisticsView(wizard_id, title, dialog)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(view, 1)
    layout.addWidget(buttons)
    QWidget.setTabOrder(view.weekly, buttons)
    dialog.resize(*STATISTICS_SIZE)
    dialog.open()
    return dialog


def show_unexpected_error(parent: QWidget | None, summary: str, log_file: Path) -> None:
    """An uncaught exception: what happened and where the details are."""
    show_error(
        parent,
        f"Something went wrong: {summary}\n\nYour saved answers are safe. The details are in "
        f"{log_file}; please include that file when you report the problem.",
    )
