"""One app instance per data folder, checked with a real second process, and the
command line working beside a running window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import fill_laptop_basics, press_next, start, wait_saved
from tests.wizard_files import FOUR_STEPS
from wizard_desktop import gui
from wizard_desktop.core.wizards import list_wizards
from wizard_desktop.instance import InstanceGuard
from wizard_desktop.store.database import close_database
from wizard_desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.reliability

SECOND_LAUNCH = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from tests.gui.player_helpers import fill_laptop_basics, press_next, start, wait_saved
from tests.wizard_files import FOUR_STEPS
from wizard_desktop.core.wizards import list_wizards
from wizard_desktop.instance import InstanceGuard
from wizard_desktop.ui.main_window import MainWindow
app = QCoreApplication([])
print("acquiring", flush=True)
print(InstanceGuard(Path(sys.argv[1])).acquire(), flush=True)
"""


def second_launch(data_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SECOND_LAUNCH, str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def test_a_second_launch_on_the_same_folder_activates_the_first(
    qtbot: QtBot, data_dir: Path
) -> None:
    guard = InstanceGuard(data_dir)
    assert guard.acquire()
    guard.listen()
    try:
        with qtbot.waitSignal(guard.activationRequested, timeout=10_000):
            launch = second_launch(data_dir)
        output, _ = launch.communicate(timeout=30)
        assert output.split() == ["acquiring", "False"]
    finally:
        guard.release()
    output, _ = second_launch(data_dir).communicate(timeout=30)
    assert output.split() == ["acquiring", "True"]  # the folder is free again


def test_a_launch_before_the_first_one_listens_still_reaches_it(
    qtbot: QtBot, data_dir: Path
) -> None:
    """The running app listens only once its window is painted; a launch in between
    keeps trying to connect until it does."""
    guard = InstanceGuard(data_dir)
    assert guard.acquire()
    try:
        with qtbot.waitSignal(guard.activationRequested, timeout=10_000):
            launch = second_launch(data_dir)
            assert launch.stdout is not None
            assert launch.stdout.readline().strip() == "acquiring"
            qtbot.wait(500)  # it has found the lock taken and keeps trying to connect
            guard.listen()
        output, _ = launch.communicate(timeout=30)
        assert output.strip() == "False"
    finally:
        guard.release()


def test_the_running_app_answers_once_its_window_is_shown(qtbot: QtBot, data_dir: Path) -> None:
    guard = InstanceGuard(data_dir)
    assert guard.acquire()
    running = gui.Gui(data_dir, guard)
    try:
        running.open()
        assert running.window is not None
        qtbot.waitUntil(lambda: running.listening, timeout=10_000)
        with qtbot.waitSignal(guard.activationRequested, timeout=10_000):
            launch = second_launch(data_dir)
        output, _ = launch.communicate(timeout=30)
        assert output.split() == ["acquiring", "False"]
    finally:
        if running.window is not None:
            running.window.shutdown()
            running.window.close()
        guard.release()
        close_database()


def test_other_folders_are_independent(qtbot: QtBot, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    guard = InstanceGuard(first)
    assert guard.acquire()
    try:
        output, _ = second_launch(second).communicate(timeout=30)
        assert output.split() == ["acquiring", "True"]
    finally:
        guard.release()


def test_the_command_line_works_beside_a_running_window(
    qtbot: QtBot, window: MainWindow, data_dir: Path, tmp_path: Path
) -> None:
    """WAL lets the CLI read while the app writes; the busy timeout lets both write."""
    player = start(qtbot, window, "laptop-config")
    fill_laptop_basics(qtbot, player)
    wizard_file = tmp_path / "four.yaml"
    wizard_file.write_text(FOUR_STEPS)
    cli = [sys.executable, "-m", "wizard_desktop", "--data-dir", str(data_dir)]
    importing = subprocess.Popen(
        [*cli, "import", str(wizard_file)], stdout=subprocess.PIPE, text=True
    )
    press_next(qtbot, player)  # the app writes while the CLI imports
    wait_saved(qtbot, window, progress=25)
    output, _ = importing.communicate(timeout=60)
    assert importing.returncode == 0 and "imported" in output
    listed = subprocess.run(
        [*cli, "sessions", "--json"], capture_output=True, text=True, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    (session,) = json.loads(listed.stdout)
    assert (session["id"], session["progress_percentage"]) == (player.info.id, 25)
    assert "four-steps" in {w.id for w in list_wizards()}
