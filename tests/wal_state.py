"""The state of a database's WAL on a real file, for the checkpoint tests (headless and
GUI): 5 MB written in one transaction through the app's connection, what the database
file holds without its log, and the log's size. Since migration 0008 no write of the
app is that large (attachment contents go to files of their own), so the bytes go into
a table of the tests' own, `wal_probe`, in the app's database with the app's pragmas."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

from wizard_desktop.store.database import db, write_transaction
from wizard_desktop.store.files import database_path, with_sidecars

SIZE = 5 * 1024 * 1024


def write_big_row() -> str:
    """5 MB of new bytes written in one write transaction; their SHA-256."""
    payload = os.urandom(SIZE)
    sha = hashlib.sha256(payload).hexdigest()
    with write_transaction():
        db.execute_sql(
            "CREATE TABLE IF NOT EXISTS wal_probe (sha256 TEXT PRIMARY KEY, payload BLOB NOT NULL)"
        )
        db.execute_sql("INSERT INTO wal_probe VALUES (?, ?)", (sha, payload))
    return sha


def rows(connection: sqlite3.Connection) -> dict[str, bytes]:
    """The big rows a connection sees (none before the first was written)."""
    try:
        return dict(connection.execute("SELECT sha256, payload FROM wal_probe").fetchall())
    except sqlite3.OperationalError:  # no such table: nothing written yet
        return {}


def rows_in_file_alone(data_dir: Path, folder: Path) -> dict[str, bytes]:
    """The big rows the database file holds without its WAL (a copy of the file alone,
    opened where no -wal lies beside it)."""
    alone = folder / "alone" / "copy.sqlite3"
    alone.parent.mkdir(exist_ok=True)
    for stale in with_sidecars(alone):
        stale.unlink(missing_ok=True)
    shutil.copyfile(database_path(data_dir), alone)
    connection = sqlite3.connect(alone)
    try:
        return rows(connection)
    finally:
        connection.close()


def wal_size(data_dir: Path) -> int:
    wal = with_sidecars(database_path(data_dir))[1]
    return wal.stat().st_size if wal.exists() else 0
