"""Damaged databases and backups, on real files: a damaged database is detected at
start, moved aside with its -wal/-shm (never deleted), and a backup can be restored."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.wizard_files import FOUR_STEPS, import_text
from wizard_desktop.core import sessions
from wizard_desktop.core.wizards import import_bundled_wizards
from wizard_desktop.store.backups import (
    DAILY_KEEP,
    backups_dir,
    latest_backup,
    list_backups,
    restore_backup,
    run_daily_backup,
)
from wizard_desktop.store.database import close_database, open_database, raw_connection
from wizard_desktop.store.errors import DatabaseCorruptError
from wizard_desktop.store.files import database_path

pytestmark = pytest.mark.reliability

PAGE = 4096


def make_store_with_a_session(data_dir: Path) -> str:
    open_database(data_dir)
    import_bundled_wizards()
    info = sessions.start_session(import_text(data_dir, FOUR_STEPS))
    sessions.save_step(info.id, "one", {"name": "Ada"})
    run_daily_backup(raw_connection(), data_dir)
    close_database()
    return info.id


def zero_header(path: Path) -> None:
    with path.open("r+b") as f:
        f.write(b"\0" * 100)


def truncate(path: Path) -> None:
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2 + 100)


def damage_pages(path: Path) -> None:
    with path.open("r+b") as f:
        for page in range(2, path.stat().st_size // PAGE):
            f.seek(page * PAGE + 8)
            f.write(b"\xff" * 64)


def checkpoint(path: Path) -> None:
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.mark.parametrize("damage", [zero_header, truncate, damage_pages])
def test_a_damaged_database_is_moved_aside_and_the_backup_offered(data_dir: Path, damage) -> None:  # type: ignore[no-untyped-def]
    session_id = make_store_with_a_session(data_dir)
    path = database_path(data_dir)
    checkpoint(path)
    damage(path)
    damaged_bytes = path.read_bytes()

    with pytest.raises(DatabaseCorruptError) as error:
        open_database(data_dir)
    close_database()
    assert error.value.moved_to is not None and error.value.moved_to.read_bytes() == damaged_bytes
    assert error.value.moved_to.name.startswith("wizard-desktop.sqlite3.corrupt-")
    assert error.value.backup == latest_backup(data_dir)
    assert "restore-backup" in str(error.value)
    assert not path.exists()

    restore_backup(data_dir, latest_backup(data_dir))  # type: ignore[arg-type]
    open_database(data_dir)
    try:
        assert sessions.load_session(session_id).answers == {"name": "Ada"}
    finally:
        close_database()
    assert error.value.moved_to.exists()  # still kept after the restore


def test_the_cli_reports_damage_in_one_line_and_restores_the_backup(data_dir: Path) -> None:
    session_id = make_store_with_a_session(data_dir)
    path = database_path(data_dir)
    checkpoint(path)
    zero_header(path)
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "wizard_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    damaged = run("sessions")
    assert damaged.returncode == 1
    assert "Traceback" not in damaged.stderr
    assert "damaged" in damaged.stderr and "restore-backup" in damaged.stderr
    restored = run("restore-backup")
    assert restored.returncode == 0, restored.stderr
    listed = run("sessions", "--json")
    assert session_id in listed.stdout
    assert len(list(data_dir.glob("wizard-desktop.sqlite3.corrupt-*Z"))) == 1


def test_daily_backup_is_verified_private_and_keeps_the_last_seven(store: Path) -> None:
    day = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    first = run_daily_backup(raw_connection(), store, now=day)
    assert first is not None
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert (
        run_daily_backup(raw_connection(), store, now=day + dt.timedelta(hours=5)) is None
    )  # not due
    for n in range(1, 10):
        # The file clock is coarse: make the last backup visibly older than the next write.
        an_hour_ago = time.time() - 3600
        os.utime(list_backups(store)[0], (an_hour_ago, an_hour_ago))
        sessions.start_session("laptop-config")  # a change since the last backup
        assert run_daily_backup(raw_connection(), store, now=day + dt.timedelta(days=n)) is not None
    unchanged = day + dt.timedelta(days=20)
    assert run_daily_backup(raw_connection(), store, now=unchanged) is None  # nothing changed
    kept = list_backups(store)
    assert len(kept) == DAILY_KEEP
    with sqlite3.connect(kept[0]) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM session").fetchone() == (9,)
    assert all(p.parent == backups_dir(store) for p in kept)
