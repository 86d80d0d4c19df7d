"""Every dialog the app shows, as plain functions: messages, name prompts, delete
confirmations, file choosers, the quit-with-unsaved-answers questions, the backup
restore offer and the unexpected-error report.

Widgets never build dialogs themselves; they call these, so tests replace them
(monkeypatch) and never block on a modal window. Every message is shown as plain
text: it may hold names, paths and errors that come from files or people.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

APP_TITLE = "Wizard Desktop"
SESSION_EXPORT_FILTERS = "JSON (*.json);;CSV (*.csv)"
TEMPLATE_FILTERS = "Wizard Desktop template (*.json)"
WIZARD_FILTERS = "Wizard files (*.yaml *.yml *.json)"


class UnsavedChoice(Enum):
    RETRY_NOW = "retry_now"
    KEEP_WAITING = "keep_waiting"
    QUIT_ANYWAY = "quit_anyway"


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


def _confirm(parent: QWidget | None, question: str, accept: QMessageBox.StandardButton) -> bool:
    """A question about something that cannot be undone; Cancel is the default."""
    cancel = QMessageBox.StandardButton.Cancel
    box = _message_box(parent, QMessageBox.Icon.Warning, f"{question}\n\nThis cannot be undone.")
    box.setStandardButtons(accept | cancel)
    box.setDefaultButton(cancel)
    return box.exec() == accept


def confirm_discard_unsaved(parent: QWidget | None, unsaved: str) -> bool:
    """The explicit confirmation before quitting loses `unsaved`."""
    return _confirm(parent, f"Quit and lose {unsaved}?", QMessageBox.StandardButton.Discard)


def ask_name(parent: QWidget | None, prompt: str, current: str) -> str | None:
    """A name typed by the person (trimmed), or None when cancelled or empty."""
    name, ok = QInputDialog.getText(parent, APP_TITLE, prompt, QLineEdit.EchoMode.Normal, current)
    return name.strip() or None if ok else None


def confirm_delete(parent: QWidget | None, question: str) -> bool:
    """True when the person confirms a deletion."""
    return _confirm(parent, question, QMessageBox.StandardButton.Yes)


def ask_save_path(parent: QWidget | None, title: str, suggested: str, filters: str) -> Path | None:
    """Where to save; a name typed without a suffix gets the chosen filter's suffix
    (`filters` as Qt writes them: "JSON (*.json);;CSV (*.csv)")."""
    path, chosen = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    if not path:
        return None
    target = Path(path)
    suffix = re.search(r"\*(\.\w+)", chosen or filters)
    if not target.suffix and suffix is not None:
        target = target.with_name(target.name + suffix.group(1))
    return target


def ask_open_paths(parent: QWidget | None, title: str, filters: str) -> list[Path]:
    """Files to open; empty when cancelled."""
    paths, _ = QFileDialog.getOpenFileNames(parent, title, "", filters)
    return [Path(p) for p in paths]


def offer_backup_restore(parent: QWidget | None, problem: str, backup: Path) -> bool:
    """The database was damaged and moved aside: restore `backup` (True) or start empty."""
    box = _message_box(parent, QMessageBox.Icon.Critical, problem)
    _set_informative_text(box, f"Restore the most recent backup ({backup.name})?")
    restore = box.addButton("Restore backup", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Start with an empty database", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore)
    box.exec()
    return box.clickedButton() is restore


def show_unexpected_error(parent: QWidget | None, summary: str, log_file: Path) -> None:
    """An uncaught exception: what happened and where the details are."""
    show_error(
        parent,
        f"Something went wrong: {summary}\n\nYour saved answers are safe. The details are in "
        f"{log_file}; please include that file when you report the problem.",
    )
