"""Storage failing under a running player, for real: the database files made immutable
(`chattr +i`) and the data folder on a tmpfs that fills up. The person keeps working,
the save status says "Not saved — retrying", and once storage recovers every answer
is stored exactly once. Both need root (chattr, mount), which CI has."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import (
    fill_laptop_basics,
    find,
    make_window,
    press_next,
    start,
    step_id,
)
from wizard_desktop.core.sessions import get_session, load_session
from wizard_desktop.store.database import close_database
from wizard_desktop.store.files import database_path

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.skipif(
        os.geteuid() != 0 or shutil.which("chattr") is None,
        reason="needs root to make files immutable and mount a tmpfs",
    ),
]


def run_next_while_storage_fails(
    qtbot: QtBot,
    data_dir: Path,
    break_storage: Callable[[], None],
    mend_storage: Callable[[], None],
) -> tuple[str, str]:
    """Fill step 1, break storage, click Next and keep working, mend it; returns the
    session id and the status text seen while it was broken."""
    window = make_window(qtbot, data_dir)
    player = start(qtbot, window, "laptop-config")
    fill_laptop_basics(qtbot, player)
    qtbot.waitUntil(lambda: not window.controller.has_unsaved())
    status = find(player, "saveStatus")
    break_storage()
    try:
        press_next(qtbot, player)
        qtbot.waitUntil(lambda: status.text().startswith("Not saved — retrying"), timeout=10_000)
        seen = status.text()
        assert step_id(player) == "hardware", "the person keeps going while it is not saved"
        assert get_session(player.info.id).progress_percentage == 0.0
    finally:
        mend_storage()
    find(player, "retryButton").click()
    qtbot.waitUntil(lambda: status.text() == "Saved", timeout=20_000)
    session_id = player.info.id
    window.close()
    close_database()
    return session_id, seen


def retried_kinds(caplog: pytest.LogCaptureFixture) -> set[str]:
    """The storage error kinds the controller logged while retrying."""
    return {str(r.args[0]) for r in caplog.records if r.msg.startswith("Not saved (")}  # type: ignore[index]


def assert_stored_once(data_dir: Path, session_id: str) -> None:
    from wizard_desktop.store.database import open_database

    open_database(data_dir)
    try:
        info = get_session(session_id)
        assert info.completed_step_ids == ("basics",)
        assert info.progress_percentage == 25.0
        assert load_session(session_id).answers["full_name"] == "Jane Doe"
    finally:
        close_database()


def test_immutable_database_files_are_retried_until_writable(
    qtbot: QtBot,
    data_dir: Path,
    caplog: pytest.LogCaptureFixture,
    reliability_report: Callable[[str], None],
) -> None:
    files = [
        database_path(data_dir),
        database_path(data_dir).with_name("wizard-desktop.sqlite3-wal"),
    ]

    def chattr(flag: str) -> None:
        subprocess.run(["chattr", flag, *map(str, files)], check=True)

    session_id, seen = run_next_while_storage_fails(
        qtbot, data_dir, lambda: chattr("+i"), lambda: chattr("-i")
    )
    assert_stored_once(data_dir, session_id)
    kinds = retried_kinds(caplog)
    assert kinds and kinds <= {"io", "read_only"}
    reliability_report(
        f"immutable files: retried on {sorted(kinds)}, shown {seen!r}, then stored once"
    )


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)], check=True)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "--lazy", str(mount_point)], check=True)


def test_a_full_disk_is_retried_until_space_returns(
    qtbot: QtBot,
    small_tmpfs: Path,
    caplog: pytest.LogCaptureFixture,
    reliability_report: Callable[[str], None],
) -> None:
    data_dir = small_tmpfs / "data"
    filler = small_tmpfs / "filler"

    def fill_the_disk() -> None:
        # Empty the WAL first, so the next write needs new space.
        with sqlite3.connect(database_path(data_dir)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        with filler.open("wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass  # ENOSPC: the disk is full

    session_id, seen = run_next_while_storage_fails(
        qtbot, data_dir, fill_the_disk, lambda: filler.unlink()
    )
    assert_stored_once(data_dir, session_id)
    assert retried_kinds(caplog) == {"full"}
    reliability_report(f"disk full: retried on ['full'], shown {seen!r}, then stored once")
