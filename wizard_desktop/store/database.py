"""The one owner of the database connection: how the file is opened (pragmas, file
mode, read-only when it cannot be written), checked, migrated, and how driver errors
reach callers.

`db` is a `peewee.DatabaseProxy` that every model uses; `open_database()` binds it to
the file in a data folder at start-up (tests hand it a temporary folder). Each thread
gets its own connection (Peewee's default), so a writer thread never shares one with
the UI.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import peewee

from wizard_desktop.store.attachment_files import (
    attachments_dir,
    orphans,
    sweep,
    take_released,
    unlink_contents,
)
from wizard_desktop.store.backups import (
    backup_database,
    backups_dir,
    latest_backup,
    move_aside,
    remove_stale_partials,
)
from wizard_desktop.store.errors import (
    DRIVER_ERRORS,
    DatabaseCorruptError,
    DatabasePathError,
    DatabaseTooNewError,
    StorageError,
    StorageErrorKind,
    classify,
)
from wizard_desktop.store.files import (
    create_private_file,
    database_path,
    make_private_dir,
    sqlite_uri,
    timestamp,
    with_sidecars,
)

if TYPE_CHECKING:
    from playhouse.migrations import Runner

DEFAULT_BUSY_TIMEOUT_MS = 5000
CONNECT_RETRY_S = 0.05
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATIONS_TABLE = "schema_migration"
MAX_PATH_BYTES = 504
"""SQLite (Unix) refuses a file name over 512 bytes; its rollback journal's name adds
"-journal" to the database's."""
WAL_AUTOCHECKPOINT_PAGES = 8192
"""A commit checkpoints only once the WAL holds this many pages (32 MiB of 4 KiB
pages; SQLite's default, 1000, made every 4 MB attachment's save write it twice):
the writer thread checkpoints when the queue is idle (`checkpoint`), so a save
writes its bytes once, into the log. A burst of saves with no idle moment still
checkpoints here, so the log stays bounded."""
WAL_SIZE_LIMIT_BYTES = WAL_AUTOCHECKPOINT_PAGES * 4096
"""`journal_size_limit`: the log file is cut back to this size when it restarts."""

db = peewee.DatabaseProxy()
log = logging.getLogger(__name__)


def make_database(
    path: Path, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, *, read_only: bool = False
) -> peewee.SqliteDatabase:
    """An unconnected SqliteDatabase with our pragmas; writes take BEGIN IMMEDIATE.
    Read-only, it opens the file by an encoded `mode=ro` URI (`immutable` when the
    folder cannot hold the -wal/-shm files and no -wal is there) and every write fails
    with SQLITE_READONLY."""
    if read_only:
        parameters = {"mode": "ro"}
        if not os.access(path.parent, os.W_OK) and not with_sidecars(path)[1].exists():
            parameters["immutable"] = "1"
        read_only_pragmas = {"query_only": 1, "foreign_keys": 1, "busy_timeout": busy_timeout_ms}
        return peewee.SqliteDatabase(
            sqlite_uri(path, **parameters),
            pragmas=read_only_pragmas,
            uri=True,
            lock_type="IMMEDIATE",
        )
    pragmas = {
        "journal_mode": "wal",
        "synchronous": "full",
        "foreign_keys": 1,
        "busy_timeout": busy_timeout_ms,
        "wal_autocheckpoint": WAL_AUTOCHECKPOINT_PAGES,
        "journal_size_limit": WAL_SIZE_LIMIT_BYTES,
    }
    return peewee.SqliteDatabase(str(path), pragmas=pragmas, lock_type="IMMEDIATE")


def is_read_only() -> bool:
    """True when the open database was opened read-only (its files cannot be written)."""
    (query_only,) = db.execute_sql("PRAGMA query_only").fetchone()
    return bool(query_only)


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


def _pending_migrations(database: peewee.SqliteDatabase) -> tuple[list[str], bool]:
    """The names of the migrations still to run, and whether the database has any
    applied (an upgrade, not a new database). Raises DatabaseTooNewError."""
    status = migration_runner(database).status()
    unknown = [m.name for m in status if m.path is None]
    if unknown:
        raise DatabaseTooNewError(sorted(unknown))
    pending = [m.name for m in status if m.applied is None]
    return pending, len(pending) < len(status)


def _migrate(database: peewee.SqliteDatabase, data_dir: Path, *, read_only: bool) -> None:
    if _applied_migrations(database) == _migration_scripts():
        return  # up to date: the usual start, without loading the runner and the scripts
    if read_only:
        if _pending_migrations(database)[0]:
            raise StorageError(
                StorageErrorKind.READ_ONLY,
                "the database needs this version's schema changes and cannot be written",
            )
        return
    # The write lock first, then the version read again inside it: a second process
    # starting on the same new folder waits here, then finds nothing left to do.
    with database.atomic():
        pending, upgrading = _pending_migrations(database)
        if not pending:
            return
        if upgrading:
            _backup_before_migration(database, data_dir)
        migration_runner(database).up()


def _backup_before_migration(database: peewee.SqliteDatabase, data_dir: Path) -> None:
    """Back up the database as it is, from a connection of its own: the backup API
    cannot read through a connection holding a write transaction, and this one has
    written nothing yet. That transaction holds the write lock, so the backup does
    not take it."""
    name = f"before-migration-v{schema_version(database)}-{timestamp()}.sqlite3"
    source = sqlite3.connect(database.database)
    try:
        backup_database(source, backups_dir(data_dir) / name, writes_held=True)
    finally:
        source.close()


def sweep_attachment_files(data_dir: Path) -> None:
    """Remove the attachment files no row names (left by a crash between a file's
    write and its row's commit, or between a row's delete and its file's unlink), on
    this thread's connection; nothing in a read-only database. It reads every file's
    name and age (a stat each), so the app runs it once its first screen is painted,
    on its writer thread (`open_database(sweep_attachments=False)`). A read finds
    whether there are any; only then is the write lock taken (a save writes its file
    inside its transaction, so none is written meanwhile, in this process or another)
    and the rows read again. When another process holds the lock past the busy
    timeout, the sweep waits for the next start. Raises StorageError, or OSError (a
    file that cannot be removed)."""
    folder = attachments_dir(data_dir)
    if not folder.is_dir() or is_read_only():
        return

    def named() -> set[str]:
        rows = db.execute_sql("SELECT sha256 FROM attachment")
        return {sha256 for (sha256,) in rows}

    with storage_errors():
        if not orphans(folder, named()):
            return
    try:
        with storage_errors(), db.atomic():
            removed = sweep(folder, named())
    except StorageError as error:
        if error.kind is not StorageErrorKind.BUSY:
            raise
        log.info("Attachment files not swept: the database is busy")
        return
    log.info("Removed %d attachment files no answer names", len(removed))


def _check_path(path: Path) -> None:
    if path.is_dir():
        raise DatabasePathError(
            f"The database {path} is a folder, not a file: move it away or choose another "
            "data folder."
        )
    length = len(os.fsencode(path.absolute()))
    if length > MAX_PATH_BYTES:
        raise DatabasePathError(
            f"The path of the database is too long for SQLite ({length} bytes; at most "
            f"{MAX_PATH_BYTES}): choose a data folder with a shorter path."
        )


def _connect_waiting(database: peewee.SqliteDatabase, busy_timeout_ms: int) -> None:
    """Connect, waiting up to `busy_timeout_ms` while another process holds the lock
    that switching a new file to WAL needs: SQLite reports that lock at once, without
    calling the busy handler, when another process is creating the same database."""
    deadline = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            database.connect(reuse_if_open=True)
            return
        except DRIVER_ERRORS as exc:
            if not database.is_closed():
                database.close()
            if classify(exc).kind is not StorageErrorKind.BUSY or time.monotonic() > deadline:
                raise
            time.sleep(CONNECT_RETRY_S)


def open_database(
    data_dir: Path,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    *,
    verify: bool = True,
    sweep_attachments: bool = True,
) -> peewee.SqliteDatabase:
    """Bind `db` to the database in `data_dir` (created 0600 if missing), checked and
    migrated to this app's schema; read-only when its file or folder cannot be written
    (and it needs no migration). Leftovers of interrupted backups are removed first.
    Raises `StorageError`: `DatabaseTooNewError` (file untouched), `DatabaseCorruptError`
    (file set moved aside), `DatabasePathError` (nothing created), or an environmental
    one. With verify=False the page-by-page `check_integrity` is left to the caller
    (damage SQLite meets while opening and migrating is still detected and moved aside),
    with sweep_attachments=False `sweep_attachment_files` (both grow with the data)."""
    make_private_dir(data_dir)
    path = database_path(data_dir)
    _check_path(path)
    read_only = path.exists() and not (os.access(path, os.W_OK) and os.access(data_dir, os.W_OK))
    if not read_only:
        remove_stale_partials(data_dir)
        create_private_file(path)
    database = make_database(path, busy_timeout_ms, read_only=read_only)
    db.initialize(database)
    try:
        with storage_errors():
            _connect_waiting(database, busy_timeout_ms)
            if verify:
                check_integrity(raw_connection())
            _migrate(database, data_dir, read_only=read_only)
            if sweep_attachments:
                sweep_attachment_files(data_dir)
    except StorageError as error:
        if not database.is_closed():
            database.close()
        if error.kind is StorageErrorKind.CORRUPT and not isinstance(error, DatabaseTooNewError):
            moved_to = move_aside(data_dir, "corrupt")
            raise DatabaseCorruptError(moved_to, latest_backup(data_dir), error.detail) from error
        raise
    return database


def checkpoint(*, truncate: bool = False) -> bool:
    """Copy what the WAL holds into the database file, on this thread's connection:
    PASSIVE, which never waits for a reader or a writer and leaves the log file to be
    overwritten by the next commit; truncate=True, TRUNCATE: waits up to the busy
    timeout for readers, then empties the log file. True when every committed page
    is in the database file. Raises StorageError."""
    mode = "TRUNCATE" if truncate else "PASSIVE"
    with storage_errors():
        busy, in_log, copied = db.execute_sql(f"PRAGMA wal_checkpoint({mode})").fetchone()
    return bool(busy == 0 and in_log == copied)


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


def attachments_folder() -> Path:
    """The folder of the open database's attachment files."""
    return attachments_dir(database_file().parent)


@contextlib.contextmanager
def write_transaction() -> Iterator[None]:
    """One short write transaction (BEGIN IMMEDIATE); errors come out classified. Once
    the outermost one commits, the files of the contents whose rows it deleted are
    unlinked (`_unlink_released`); when it fails, they stay."""
    try:
        with storage_errors(), db.atomic():
            yield
    except BaseException:
        if not db.in_transaction():
            take_released()
        raise
    if not db.in_transaction():
        _unlink_released()


def _unlink_released() -> None:
    """After a commit: unlink the files of the released contents that no row names,
    under the write lock (a save of another process that names one again writes the
    file inside its transaction, so it cannot slip in between). A failure leaves
    files no row names, for the next start's sweep: it never undoes the commit."""
    released = take_released()
    if not released:
        return
    try:
        with storage_errors(), db.atomic():
            kept = db.execute_sql(
                "SELECT sha256 FROM attachment WHERE sha256 IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(released)),),
            )
            unlink_contents(attachments_folder(), released - {sha256 for (sha256,) in kept})
    except (StorageError, OSError) as error:
        log.warning("Attachment files left for the start-up sweep: %s", error)


@contextlib.contextmanager
def read_snapshot() -> Iterator[None]:
    """Several reads that see one state of the database (BEGIN DEFERRED: in WAL mode
    it takes no lock a writer waits for); errors come out classified."""
    with storage_errors(), db.atomic("DEFERRED"):
        yield


def database_file() -> Path:
    """The file of the open database (as SQLite resolved it, also when opened by URI)."""
    rows = db.execute_sql("PRAGMA database_list")
    return next(Path(file) for _seq, name, file in rows if name == "main")


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
