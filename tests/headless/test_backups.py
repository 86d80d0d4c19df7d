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
from wizard_desktop.store.files import connect_read_only, database_path

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


TRICKY_FOLDER = "C# projects?draft=1 %25 done"


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wizard_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_restore_works_in_a_folder_whose_path_holds_uri_characters(tmp_path: Path) -> None:
    data_dir = tmp_path / TRICKY_FOLDER / "data"
    session_id = make_store_with_a_session(data_dir)
    restored = run_cli(data_dir, "restore-backup")
    assert restored.returncode == 0, restored.stderr
    listed = run_cli(data_dir, "sessions", "--json")
    assert listed.returncode == 0, listed.stderr
    assert session_id in listed.stdout
    # SQLite was never handed the path cut at '#' or '?': no stray file was created.
    assert sorted(p.name for p in (tmp_path / TRICKY_FOLDER).iterdir()) == ["data"]


def test_a_read_only_connection_reads_the_real_file_and_never_creates_one(tmp_path: Path) -> None:
    folder = tmp_path / TRICKY_FOLDER
    folder.mkdir()
    path = folder / "x.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (a)")
        connection.execute("INSERT INTO t VALUES (42)")
    connection.close()
    reader = connect_read_only(path)
    try:
        assert reader.execute("SELECT a FROM t").fetchall() == [(42,)]
    finally:
        reader.close()
    with pytest.raises(sqlite3.OperationalError):
        connect_read_only(folder / "missing.sqlite3")
    assert sorted(p.name for p in tmp_path.iterdir()) == [TRICKY_FOLDER]
    assert sorted(p.name for p in folder.iterdir()) == ["x.sqlite3"]


def test_restore_refuses_a_file_without_the_schema_and_replaces_nothing(data_dir: Path) -> None:
    session_id = make_store_with_a_session(data_dir)
    empty = data_dir / "backups" / "empty.sqlite3"
    sqlite3.connect(empty).close()  # a valid SQLite file, no tables
    before = database_path(data_dir).read_bytes()
    result = run_cli(data_dir, "restore-backup", str(empty))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "restored" not in result.stdout
    assert "not a Wizard Desktop database" in result.stderr
    assert database_path(data_dir).read_bytes() == before
    assert not list(data_dir.glob("*.replaced-*"))
    assert session_id in run_cli(data_dir, "sessions", "--json").stdout


def test_stale_partial_copies_are_removed_when_the_database_opens(data_dir: Path) -> None:
    make_store_with_a_session(data_dir)
    folder = backups_dir(data_dir)
    kept = list_backups(data_dir)
    stale = [
        folder / "daily-20261101T000000Z.sqlite3.partial",
        folder / "daily-20261101T000000Z.sqlite3.partial-journal",
        data_dir / ".restore-20261101T000000Z.sqlite3",
        data_dir / ".restore-20261101T000000Z.sqlite3.partial",
    ]
    fresh = folder / "daily-20261102T000000Z.sqlite3.partial"  # a copy being written now
    an_hour_ago = time.time() - 3600
    for leftover in stale:
        leftover.write_bytes(b"x" * 4096)
        os.utime(leftover, (an_hour_ago, an_hour_ago))
    fresh.write_bytes(b"x")
    open_database(data_dir)
    close_database()
    assert [p for p in stale if p.exists()] == []
    assert fresh.exists()
    assert list_backups(data_dir) == kept


def test_a_backup_stamped_in_the_future_does_not_stop_the_daily_backups(store: Path) -> None:
    today = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
    future = run_daily_backup(raw_connection(), store, now=dt.datetime(2036, 1, 1, tzinfo=dt.UTC))
    assert future is not None  # made while the clock was ten years ahead
    made = []
    for day in range(DAILY_KEEP + 2):
        sessions.start_session("laptop-config")  # a write since the last backup
        made.append(run_daily_backup(raw_connection(), store, now=today + dt.timedelta(days=day)))
    assert all(backup is not None for backup in made)
    daily = sorted(p.name for p in list_backups(store))
    assert len(daily) == DAILY_KEEP
    assert future.name not in daily  # counted as the oldest once the clock was right
