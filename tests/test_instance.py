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

from tests.player_helpers import fill_laptop_basics, press_next, start, wait_saved
from tests.wizard_files import FOUR_STEPS
from wizard_desktop.core.wizards import list_wizards
from wizard_desktop.instance import InstanceGuard
from wizard_desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.reliability

SECOND_LAUNCH = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from tests.player_helpers import fill_laptop_basics, press_next, start, wait_saved
from tests.wizard_files import FOUR_STEPS
from wizard_desktop.core.wizards import list_wizards
from wizard_desktop.instance import InstanceGuard
from wizard_desktop.ui.main_window import MainWindow
app = QCoreApplication([])
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
    try:
        with qtbot.waitSignal(guard.activationRequested, timeout=10_000):
            launch = second_launch(data_dir)
        output, _ = launch.communicate(timeout=30)
        assert output.strip() == "False"
    finally:
        guard.release()
    output, _ = second_launch(data_dir).communicate(timeout=30)
    assert output.strip() == "True"  # the folder is free again


def test_other_folders_are_independent(qtbot: QtBot, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    guard = InstanceGuard(first)
    assert guard.acquire()
    try:
        output, _ = second_launch(second).communicate(timeout=30)
        assert output.strip() == "True"
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
