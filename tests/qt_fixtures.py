"""Qt's fixtures, for the GUI and reliability tests (their conftests import them): no
dialog can block a test, a view's operation runner, and the main window."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import close_window, make_window
from wizard_desktop.operations import OperationRunner
from wizard_desktop.store.database import close_database
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.main_window import MainWindow


@pytest.fixture
def operations(qtbot: QtBot) -> Iterator[OperationRunner]:
    """The runner of a view's writes, as a window owns one (stopped after the test)."""
    runner = OperationRunner()
    yield runner
    runner.shutdown()


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No dialog ever blocks a test: every function of ui/dialogs is replaced; messages
    (show_*) are recorded and returned, questions fail unless the test patches them."""
    shown: list[str] = []

    def record(_parent: object, text: str, *_details: object) -> None:
        shown.append(text)

    def unexpected(*_args: object) -> None:
        raise AssertionError("unexpected question dialog")

    for name, function in vars(dialogs).items():
        if inspect.isfunction(function) and function.__module__ == dialogs.__name__:
            monkeypatch.setattr(dialogs, name, record if name.startswith("show_") else unexpected)
    return shown


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    """The main window as `make run` builds it, on a fresh data folder."""
    main = make_window(qtbot, data_dir)
    yield main
    if main.isVisible():
        close_window(qtbot, main)
    main.shutdown()  # whatever the test did, no writer thread outlives it
    close_database()
