"""The one owner of the database connection: how the file is opened (pragmas, file
mode), checked, migrated, and how driver errors reach callers.

`db` is a `peewee.DatabaseProxy` that every model uses; `open_database()` binds it to
the file in a data folder at start-up (tests hand it a temporary folder). Each thread
gets its own connection (Peewee's default), so a writer thread never shares one with
the UI.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import peewee

from wizard_desktop.store.backups import backup_database, backups_dir, latest_backup, move_aside
from wizard_desktop.store.errors import (
    DRIVER_ERRORS,
    DatabaseCorruptError,
    DatabaseTooNewError,
    StorageError,
    StorageErrorKind,
    classify,
)
from wizard_desktop.store.files import (
    create_private_file,
    database_path,
    make_private_dir,
    timestamp,
)

if TYPE_CHECKING:
    from playhouse.migrations import Runner

DEFAULT_BUSY_TIMEOUT_MS = 5000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATIONS_TABLE = "schema_migration"

db = peewee.DatabaseProxy()


def make_database(
    path: Path, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> peewee.SqliteDatabase:
    """An unconnected SqliteDatabase with our pragmas; writes take BEGIN IMMEDIATE."""
    pragmas = {
        "journal_mode": "wal",
        "synchronous": "full",
        "foreign_keys": 1,
        "busy_timeout": busy_timeout_ms,
    }
    return peewee.SqliteDatabase(str(path), pragmas=pragmas, lock_type="IMMEDIATE")


def raw_connection() -> sqlite3.Connection:
    """This thread's driver connection (for the backup API)."""
    connection: sqlite3.Connection = db.connection()
    return connection


def migration_runner(database: peewee.Database) -> Runner:
    """Peewee's migration runner on our scripts (imported only when a migration runs)."""
    from playhouse.migrations import Runner

    return Runner(database, directory=str(MIGRATIONS_DIR), table_name=MIGRATIONS_TABLE)


def _applied_migrations(database: peewee.Database) -> set[str]:
    """The names the runner recorded in its history table (none in a new database)."""
    if not database.table_exists(MIGRATIONS_TABLE):
        return set()
    rows = database.execute_sql(f"SELECT name FROM {MIGRATIONS_TABLE}")  # type: ignore[no-untyped-call]
    return {name for (name,) in rows}


def _migration_scripts() -> set[str]:
    """The names of this app's migration scripts, as the runner records them."""
    return {path.stem for path in MIGRATIONS_DIR.glob("[0-9]*.py")}


def schema_version(database: peewee.Database) -> int:
    """The number of the newest applied migration (0 for an empty database)."""
    applied = _applied_migrations(database)
    return max((int(name.split("_", 1)[0]) for name in applied), default=0)


def check_integrity(connection: sqlite3.Connection) -> None:
    """`PRAGMA quick_check` on `connection`; raises a CORRUPT `StorageError` on damage.
    It reads every page (about 1.2 s per million sessions), so a caller that cannot
    wait may run it on a thread with a connection of its own."""
    rows = connection.execute("PRAGMA quick_check").fetchall()
    if rows != [("ok",)]:
        raise StorageError(StorageErrorKind.CORRUPT, "; ".join(str(r[0]) for r in rows[:3]))


def _migrate(database: peewee.SqliteDatabase, data_dir: Path) -> None:
    if _applied_migrations(database) == _migration_scripts():
        return  # up to date: the usual start, without loading the runner and the scripts
    runner = migration_runner(database)
    status = runner.status()
    unknown = [m.name for m in status if m.path is None]
    if unknown:
        raise DatabaseTooNewError(sorted(unknown))
    pending = [m for m in status if m.applied is None]
    if not pending:
        return
    if any(m.applied is not None for m in status):
        name = f"before-migration-v{schema_version(database)}-{timestamp()}.sqlite3"
        backup_database(raw_connection(), backups_dir(data_dir) / name)
    runner.up()


def open_database(
    data_dir: Path, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, *, verify: bool = True
) -> peewee.SqliteDatabase:
    """Bind `db` to the database in `data_dir` (created 0600 if missing), checked and
    migrated to this app's schema. Raises `StorageError`: `DatabaseTooNewError` (file
    untouched), `DatabaseCorruptError` (file set moved aside), or an environmental one.
    With verify=False the page-by-page `check_integrity` is left to the caller (damage
    SQLite meets while opening and migrating is still detected and moved aside)."""
    make_private_dir(data_dir)
    path = database_path(data_dir)
    create_private_file(path)
    database = make_database(path, busy_timeout_ms)
    db.initialize(database)
    try:
        with storage_errors():
            database.connect(reuse_if_open=True)
            if verify:
                check_integrity(raw_connection())
            _migrate(database, data_dir)
    except StorageError as error:
        if not database.is_closed():
            database.close()
        if error.kind is StorageErrorKind.CORRUPT and not isinstance(error, DatabaseTooNewError):
            moved_to = move_aside(data_dir, "corrupt")
            raise DatabaseCorruptError(moved_to, latest_backup(data_dir), error.detail) from error
        raise
    return database


def close_database() -> None:
    """Close this thread's connection (each thread has its own)."""
    if db.obj is not None and not db.is_closed():
        db.close()


@contextlib.contextmanager
def storage_errors() -> Iterator[None]:
    """Re-raise driver errors as a classified `StorageError` (the original as cause)."""
    try:
        yield
    except DRIVER_ERRORS as exc:
        raise classify(exc) from exc


def execute_many(sql: str, rows: Iterable[Sequence[object]]) -> None:
    """Run one statement for each row on this thread's connection, joining the open
    transaction: one prepared statement instead of SQL built row by row."""
    with storage_errors():
        raw_connection().executemany(sql, rows)


@contextlib.contextmanager
def write_transaction() -> Iterator[None]:
    """One short write transaction (BEGIN IMMEDIATE); errors come out classified."""
    with storage_errors(), db.atomic():
        yield


def connect_this_thread(busy_timeout_ms: int, *, reconnect: bool = False) -> peewee.Database:
    """Give this (worker) thread its own connection to the bound database, waiting at
    most `busy_timeout_ms` for a lock held elsewhere; returns the database it is
    connected to, for the thread to close when it ends. reconnect=True closes the
    connection first (one that saw SQLITE_READONLY stays read-only)."""
    if reconnect:
        close_database()
    database: peewee.Database = db.obj
    if database.is_closed():
        database.connect()
        database.execute_sql(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")  # type: ignore[no-untyped-call]
    return database
