"""Copies of the database: verified backups made with SQLite's backup API (before a
migration and once a day), keeping the last seven, restoring one, and moving a
damaged database aside. Nothing here deletes a database file the person may need:
damaged and replaced files are renamed, never removed or overwritten.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from wizard_desktop.store.errors import DatabaseCorruptError
from wizard_desktop.store.files import (
    create_private_file,
    database_path,
    make_private_dir,
    timestamp,
    with_sidecars,
)

BACKUPS_DIRNAME = "backups"
DAILY_PREFIX = "daily-"
DAILY_KEEP = 7
DAILY_INTERVAL = dt.timedelta(days=1)


class BackupError(OSError):
    """A backup that could not be written or failed its check; nothing was replaced."""


def backups_dir(data_dir: Path) -> Path:
    return data_dir / BACKUPS_DIRNAME


def backup_database(source: sqlite3.Connection, destination: Path) -> Path:
    """Copy the open database to `destination` (mode 0600) with the backup API, which is
    safe while the database is in use and includes what is in the WAL. The copy is
    written beside it under a temporary name, checked, and only then renamed, so an
    interrupted or failed backup never looks like one. Raises BackupError."""
    make_private_dir(destination.parent)
    partial = destination.with_name(destination.name + ".partial")
    create_private_file(partial)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        (result,) = target.execute("PRAGMA quick_check").fetchone()
        target.execute("PRAGMA journal_mode = delete")  # one self-contained file
    except sqlite3.Error as exc:
        result = str(exc)
    finally:
        target.close()
    if result != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup {destination} failed its check: {result}")
    os.replace(partial, destination)
    return destination


def list_backups(data_dir: Path) -> list[Path]:
    """Every backup, newest first."""
    folder = backups_dir(data_dir)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.sqlite3"), key=lambda p: p.stat().st_mtime, reverse=True)


def latest_backup(data_dir: Path) -> Path | None:
    backups = list_backups(data_dir)
    return backups[0] if backups else None


def _last_write(data_dir: Path) -> float:
    """When the database or its WAL was last written (the -shm changes on reads too)."""
    path = database_path(data_dir)
    written = [p.stat().st_mtime for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
    return max(written, default=0.0)


def _daily_backups(data_dir: Path) -> list[Path]:
    """Daily backups, oldest first (their names sort by the time they stand for)."""
    folder = backups_dir(data_dir)
    return sorted(folder.glob(f"{DAILY_PREFIX}*.sqlite3")) if folder.is_dir() else []


def _stamped_time(backup: Path) -> dt.datetime:
    stamp = backup.stem.removeprefix(DAILY_PREFIX)
    return dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


def run_daily_backup(
    source: sqlite3.Connection, data_dir: Path, now: dt.datetime | None = None
) -> Path | None:
    """Back up when the newest daily backup is a day old and the database was written
    after it was made; keep the last seven. Returns the new backup, or None."""
    now = now or dt.datetime.now(dt.UTC)
    daily = _daily_backups(data_dir)
    if daily:
        newest = daily[-1]
        if now - _stamped_time(newest) < DAILY_INTERVAL:
            return None
        if _last_write(data_dir) <= newest.stat().st_mtime:
            return None
    created = backup_database(
        source, backups_dir(data_dir) / f"{DAILY_PREFIX}{timestamp(now)}.sqlite3"
    )
    for old in _daily_backups(data_dir)[:-DAILY_KEEP]:
        old.unlink()
    return created


def move_aside(data_dir: Path, label: str, now: dt.datetime | None = None) -> Path | None:
    """Rename the database and its -wal/-shm files together to
    `wizard-desktop.sqlite3.<label>-<stamp>` (+ `-wal`, `-shm`), so SQLite can still open
    the set. Returns the new name of the database file (None when there was none)."""
    path = database_path(data_dir)
    moved_db = path.with_name(f"{path.name}.{label}-{timestamp(now)}")
    if not path.exists():
        return None
    for original, moved in zip(with_sidecars(path), with_sidecars(moved_db), strict=True):
        if original.exists():
            os.replace(original, moved)
    return moved_db


def quarantine_damaged(data_dir: Path, detail: str) -> DatabaseCorruptError:
    """Move a damaged database aside (with its -wal/-shm); the error to show, naming
    where it went and the newest backup to offer. The database must be closed."""
    return DatabaseCorruptError(move_aside(data_dir, "corrupt"), latest_backup(data_dir), detail)


def restore_backup(data_dir: Path, backup: Path) -> Path | None:
    """Make `backup` the database (the database must be closed). The current database,
    if any, is moved aside as `...replaced-<stamp>`, which is returned."""
    staging = data_dir / f".restore-{timestamp()}.sqlite3"
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        backup_database(source, staging)
    finally:
        source.close()
    replaced = move_aside(data_dir, "replaced")
    os.replace(staging, database_path(data_dir))
    return replaced
