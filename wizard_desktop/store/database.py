"""The one owner of the database connection: where the file lives, how it is opened
(pragmas, file mode), migrated, backed up, and how driver errors reach callers.

`db` is a `peewee.DatabaseProxy` that every model uses; `open_database()` binds it to
a file at start-up (tests hand it a temporary folder). Each thread gets its own
connection (Peewee's default), so a writer thread never shares one with the UI.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import peewee
from playhouse.migrations import Runner

from wizard_desktop.store.errors import DRIVER_ERRORS, DatabaseTooNewError, classify

DB_FILENAME = "wizard-desktop.sqlite3"
BACKUPS_DIRNAME = "backups"
FILE_MODE = 0o600
DIR_MODE = 0o700
DEFAULT_BUSY_TIMEOUT_MS = 5000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATIONS_TABLE = "schema_migration"

db = peewee.DatabaseProxy()


def _pragmas(busy_timeout_ms: int) -> dict[str, object]:
    return {
        "journal_mode": "wal",
        "synchronous": "full",
        "foreign_keys": 1,
        "busy_timeout": busy_timeout_ms,
    }


def _create_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists, then enforce the mode."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    if os.name == "posix":
        os.chmod(path, FILE_MODE)


def database_path(data_dir: Path) -> Path:
    return data_dir / DB_FILENAME


def make_database(
    path: Path, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> peewee.SqliteDatabase:
    """An unconnected SqliteDatabase with our pragmas; writes take BEGIN IMMEDIATE."""
    return peewee.SqliteDatabase(
        str(path), pragmas=_pragmas(busy_timeout_ms), lock_type="IMMEDIATE"
    )


def migration_runner(database: peewee.Database) -> Runner:
    return Runner(database, directory=str(MIGRATIONS_DIR), table_name=MIGRATIONS_TABLE)


def schema_version(database: peewee.Database) -> int:
    """The number of the newest applied migration (0 for an empty database)."""
    applied = migration_runner(database).applied()
    return max((int(name.split("_", 1)[0]) for name in applied), default=0)


def backup_database(database: peewee.SqliteDatabase, destination: Path) -> Path:
    """Copy the open database to `destination` with SQLite's backup API (safe while in
    use, WAL included), mode 0600, then check the copy."""
    destination.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    _create_private_file(destination)
    target = sqlite3.connect(destination)
    try:
        database.connection().backup(target)  # type: ignore[no-untyped-call]
        (result,) = target.execute("PRAGMA quick_check").fetchone()
    finally:
        target.close()
    if result != "ok":
        destination.unlink(missing_ok=True)
        raise OSError(f"backup {destination} failed its check: {result}")
    return destination


def _migrate(database: peewee.SqliteDatabase, data_dir: Path) -> None:
    runner = migration_runner(database)
    status = runner.status()
    unknown = [m.name for m in status if m.path is None]
    if unknown:
        raise DatabaseTooNewError(sorted(unknown))
    pending = [m for m in status if m.applied is None]
    if not pending:
        return
    if any(m.applied is not None for m in status):
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        version = schema_version(database)
        backup_database(
            database, data_dir / BACKUPS_DIRNAME / f"before-migration-v{version}-{stamp}.sqlite3"
        )
    runner.up()


def open_database(
    data_dir: Path, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> peewee.SqliteDatabase:
    """Bind `db` to the database in `data_dir` (created 0600 if missing), migrated to
    this app's schema. Raises `StorageError` (e.g. `DatabaseTooNewError`)."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    path = database_path(data_dir)
    with storage_errors():
        _create_private_file(path)
        database = make_database(path, busy_timeout_ms)
        db.initialize(database)
        database.connect(reuse_if_open=True)
        _migrate(database, data_dir)
    return database


def close_database() -> None:
    if db.obj is not None and not db.is_closed():
        db.close()


def reconnect() -> None:
    """Drop this thread's connection and open a new one: after a read-only episode a
    connection stays read-only even when the file is writable again."""
    if db.obj is None:
        return
    if not db.is_closed():
        db.close()
    db.connect()


@contextlib.contextmanager
def storage_errors() -> Iterator[None]:
    """Re-raise driver errors as a classified `StorageError` (the original as cause)."""
    try:
        yield
    except DRIVER_ERRORS as exc:
        raise classify(exc) from exc


@contextlib.contextmanager
def write_transaction() -> Iterator[None]:
    """One short write transaction (BEGIN IMMEDIATE); errors come out classified."""
    with storage_errors(), db.atomic():
        yield
