"""Fixtures for every test, Qt-free (the headless layers are tested without Qt): a
fresh data folder with a real SQLite file, an open store, and the reliability
figures printed at the end of the run. Qt's fixtures live in tests/qt_fixtures.py."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from wizard_desktop.core.wizards import import_bundled_wizards
from wizard_desktop.store.database import close_database, open_database

# Before any QApplication exists, also in the subprocesses tests start.
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
