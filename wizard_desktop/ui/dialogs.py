"""Every dialog the app shows, as plain functions: message boxes, the template name
prompt, the export file chooser, the quit-with-unsaved-answers questions, the backup
restore offer and the unexpected-error report.

Widgets never build dialogs themselves; they call these, so tests replace them
(monkeypatch) and never block on a modal window.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

APP_TITLE = "Wizard Desktop"


class UnsavedChoice(Enum):
    RETRY_NOW = "retry_now"
    KEEP_WAITING = "keep_waiting"
    QUIT_ANYWAY = "quit_anyway"


def show_error(parent: QWidget | None, text: str) -> None:
    QMessageBox.critical(parent, APP_TITLE, text)


def show_info(parent: QWidget | None, text: str) -> None:
    QMessageBox.information(parent, APP_TITLE, text)


def ask_unsaved_on_quit(parent: QWidget | None, unsaved: str) -> UnsavedChoice:
    """Some answers are not stored yet: retry now, keep waiting, or quit anyway."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        APP_TITLE,
        "Some of your work is not saved yet because the database cannot be written.",
        parent=parent,
    )
    box.setInformativeText(f"Not saved: {unsaved}.")
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


def confirm_discard_unsaved(parent: QWidget | None, unsaved: str) -> bool:
    """The explicit confirmation before quitting loses `unsaved`."""
    answer = QMessageBox.warning(
        parent,
        APP_TITLE,
        f"Quit and lose {unsaved}?\n\nThis cannot be undone.",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


def ask_template_name(parent: QWidget | None, suggestion: str) -> str | None:
    """The name for a new template, or None when cancelled."""
    name, ok = QInputDialog.getText(
        parent,
        APP_TITLE,
        "Save these answers as a template named:",
        QLineEdit.EchoMode.Normal,
        suggestion,
    )
    return name.strip() or None if ok else None


def ask_export_path(parent: QWidget | None, suggested_name: str) -> Path | None:
    """Where to export a session (the suffix, .json or .csv, picks the format)."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "Export session", suggested_name, "JSON (*.json);;CSV (*.csv)"
    )
    return Path(path) if path else None


def offer_backup_restore(parent: QWidget | None, problem: str, backup: Path) -> bool:
    """The database was damaged and moved aside: restore `backup` (True) or start empty."""
    box = QMessageBox(QMessageBox.Icon.Critical, APP_TITLE, problem, parent=parent)
    box.setInformativeText(f"Restore the most recent backup ({backup.name})?")
    restore = box.addButton("Restore backup", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Start with an empty database", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore)
    box.exec()
    return box.clickedButton() is restore


def show_unexpected_error(parent: QWidget | None, summary: str, log_file: Path) -> None:
    """An uncaught exception: what happened and where the details are."""
    QMessageBox.critical(
        parent,
        APP_TITLE,
        f"Something went wrong: {summary}\n\nYour saved answers are safe. The details are in "
        f"{log_file}; please include that file when you report the problem.",
    )
