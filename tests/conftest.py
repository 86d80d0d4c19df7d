"""Shared fixtures: every test that touches storage gets a fresh data folder with a
real SQLite file; Qt runs offscreen; no dialog can block a test."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.player_helpers import close_window, make_window
from wizard_desktop.core.wizards import import_bundled_wizards
from wizard_desktop.operations import OperationRunner
from wizard_desktop.store.database import close_database, open_database
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.main_window import MainWindow

# Before any QApplication exists (pytest-qt creates it on first use of qtbot).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_reliability_lines: list[str] = []


@pytest.fixture
def reliability_report() -> Callable[[str], None]:
    """Record one summary line (trials, answers, losses…) printed at the end of the run."""
    return _reliability_lines.append


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _reliability_lines:
        terminalreporter.section("reliability figures")
        for line in _reliability_lines:
            terminalreporter.write_line(line)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def store(data_dir: Path) -> Iterator[Path]:
    """An open, migrated database in `data_dir`, with the bundled wizards imported."""
    open_database(data_dir)
    import_bundled_wizards()
    yield data_dir
    close_database()


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
