"""Driving the real main window and player in tests: building a window on a data
folder, starting a wizard, playing a session in the player alone, typing, clicking,
Next, Finish through the review page, and how responsive the UI thread stays."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QPoint, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot

from wizard_desktop.app import create_main_window
from wizard_desktop.controller import SessionController
from wizard_desktop.core.sessions import load_session
from wizard_desktop.core.wizards import import_wizard_file
from wizard_desktop.operations import OperationRunner
from wizard_desktop.store.database import close_database
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.player import WizardPlayer

NEXT = QWizard.WizardButton.NextButton
BACK = QWizard.WizardButton.BackButton
FINISH = QWizard.WizardButton.FinishButton


def make_window(qtbot: QtBot, data_dir: Path) -> MainWindow:
    window = create_main_window(data_dir)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def close_window(qtbot: QtBot, window: MainWindow) -> None:
    window.close()
    assert not window.isVisible(), "the window refused to close"
    close_database()


def find(player: QWidget, name: str, kind: type[QWidget] = QWidget) -> QWidget:
    widget = player.findChild(kind, name)
    assert widget is not None, f"no {kind.__name__} named {name}"
    return widget


def a_photo(folder: Path) -> Path:
    """A small PNG in `folder`, for an image or file question."""
    picture = folder / "photo.png"
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(0x336699)
    assert image.save(str(picture))
    return picture


def import_listed(window: MainWindow, path: Path, *, skip_unsupported: bool = False) -> str:
    """Import a form as File → Import does and show it in the wizards list; its id."""
    wizard_id = import_wizard_file(path, skip_unsupported=skip_unsupported).wizard_id
    window.wizards_view.reload(wizard_id)
    return wizard_id


def start(qtbot: QtBot, window: MainWindow, wizard_id: str) -> WizardPlayer:
    """Select the wizard in the list and click Start."""
    wizard_list = window.wizards_view.wizard_list
    for row in range(wizard_list.topLevelItemCount()):
        item = wizard_list.topLevelItem(row)
        if item.data(0, Qt.ItemDataRole.UserRole).id == wizard_id:
            wizard_list.setCurrentItem(item)
    qtbot.mouseClick(window.wizards_view.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.player is not None and window.player.isVisible())
    assert window.player is not None
    return window.player


def type_into(qtbot: QtBot, player: WizardPlayer, field_id: str, text: str) -> None:
    widget = player.findChild(QWidget, f"field_{field_id}")
    assert isinstance(widget, QLineEdit | QPlainTextEdit), field_id
    widget.setFocus()
    if isinstance(widget, QLineEdit):
        widget.clear()
    else:
        widget.setPlainText("")
    qtbot.keyClicks(widget, text)


def click(qtbot: QtBot, player: WizardPlayer, name: str) -> None:
    """Click a button; check boxes and radio buttons on their indicator."""
    button = find(player, name, QAbstractButton)
    assert button.isVisible(), f"{name} is hidden"
    position = QPoint(8, button.height() // 2) if button.isCheckable() else button.rect().center()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=position)


def press_next(qtbot: QtBot, player: WizardPlayer, *, keyboard: bool = False) -> None:
    button = player.button(NEXT)
    assert button.isVisible() and button.isEnabled(), "Next is not available"
    if keyboard:
        qtbot.keyClick(player.focusWidget() or player, Qt.Key.Key_Return)
    else:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def finish(qtbot: QtBot, player: WizardPlayer) -> None:
    """On the last step: Next to the review page, then Finish there."""
    press_next(qtbot, player)
    assert player.currentPage() is player.review_page, "Next on the last step shows the review"
    button = player.button(FINISH)
    assert button.isVisible() and button.isEnabled(), "Finish is not available"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_saved(qtbot: QtBot, window: MainWindow, progress: int | None = None) -> None:
    player = window.player
    assert player is not None
    qtbot.waitUntil(lambda: not window.controller.has_unsaved())
    assert find(player, "saveStatus").text() == "Saved"
    if progress is not None:
        bar = find(player, "progressBar", QProgressBar)
        assert isinstance(bar, QProgressBar)
        qtbot.waitUntil(lambda: bar.value() == progress)


def step_id(player: WizardPlayer) -> str:
    page = player.currentPage()
    return page.step.id  # type: ignore[attr-defined]


def fill_laptop_basics(qtbot: QtBot, player: WizardPlayer) -> None:
    type_into(qtbot, player, "full_name", "Jane Doe")
    type_into(qtbot, player, "email", "jane@example.com")
    click(qtbot, player, "field_department_Design")


@contextmanager
def ticking(interval_ms: int = 20) -> Iterator[list[int]]:
    """Records the gaps between ticks of a UI-thread timer (how responsive it stays)."""
    gaps: list[int] = []
    clock = QElapsedTimer()
    clock.start()
    timer = QTimer(interval=interval_ms)
    timer.timeout.connect(lambda: gaps.append(clock.restart()))
    timer.start()
    try:
        yield gaps
    finally:
        timer.stop()


@contextmanager
def playing(qtbot: QtBot, session_id: str) -> Iterator[WizardPlayer]:
    """The player alone on a session (no main window, so no other view shows its
    wizard), with its own controller (`player.controller`), shown; everything is
    stored when it ends."""
    controller = SessionController(OperationRunner())
    controller.open(session_id)
    player = WizardPlayer(load_session(session_id), controller)
    qtbot.addWidget(player)
    player.resize(960, 640)
    player.show()
    qtbot.waitExposed(player)
    try:
        yield player
    finally:
        assert controller.wait_until_saved(5000), "the player's writes were not stored"
        controller.shutdown()
