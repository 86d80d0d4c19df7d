"""One instance per data folder, checked with a real second process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from wizard_desktop.instance import InstanceGuard

pytestmark = pytest.mark.reliability

SECOND_LAUNCH = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from wizard_desktop.instance import InstanceGuard
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
