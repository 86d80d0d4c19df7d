"""Storage on real SQLite files: file modes, pragmas, migrations, refusal of newer
databases, backups and the classification of SQLite errors."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

import peewee
import pytest

from tests.sqlite_lock import write_lock_held_by_another_process
from wizard_desktop.store import database as store_db
from wizard_desktop.store.backups import BACKUPS_DIRNAME, backup_database
from wizard_desktop.store.database import (
    MIGRATIONS_DIR,
    close_database,
    make_database,
    migration_runner,
    open_database,
    raw_connection,
    schema_version,
    storage_errors,
    write_transaction,
)
from wizard_desktop.store.errors import (
    DatabaseTooNewError,
    StorageError,
    StorageErrorKind,
    classify,
)
from wizard_desktop.store.files import database_path

# The newest script's number (several helpers add migrations: 0005 repeats, 0006
# attachments, 0007 languages; each works whichever of the others exist).
LATEST_SCHEMA = max(int(p.name[:4]) for p in MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.py"))


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_database_is_private_migrated_and_has_the_pragmas(data_dir: Path) -> None:
    database = open_database(data_dir)
    try:
        assert mode_of(database_path(data_dir)) == 0o600
        pragma = lambda name: database.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == store_db.DEFAULT_BUSY_TIMEOUT_MS
        assert pragma("wal_autocheckpoint") == store_db.WAL_AUTOCHECKPOINT_PAGES
        assert pragma("journal_size_limit") == store_db.WAL_SIZE_LIMIT_BYTES
        assert pragma("page_size") * store_db.WAL_AUTOCHECKPOINT_PAGES == (
            store_db.WAL_SIZE_LIMIT_BYTES
        )
        assert schema_version(database) == LATEST_SCHEMA
        tables = set(database.get_tables())
        assert {"wizard", "wizard_version", "session", "answer", "template"} <= tables
    finally:
        close_database()


def test_migrating_from_the_first_schema_keeps_data_and_backs_up_first(data_dir: Path) -> None:
    path = database_path(data_dir)
    first = make_database(path)
    first.connect()
    migration_runner(first).up(target="0001_initial")
    first.execute_sql(
        "INSERT INTO wizard (id, title, completed_count, imported_at) "
        "VALUES ('w', 'W', 3, '2026-01-01T00:00:00+00:00')"
    )
    assert schema_version(first) == 1
    first.close()

    database = open_database(data_dir)
    try:
        assert schema_version(database) == LATEST_SCHEMA
        assert database.execute_sql(
            "SELECT completed_count FROM wizard WHERE id = 'w'"
        ).fetchone() == (3,)
        indexes = {i.name for i in database.get_indexes("session")}
        assert "session_status_updated_at" in indexes
        (backup,) = (data_dir / BACKUPS_DIRNAME).iterdir()
        assert backup.name.startswith("before-migration-v1-")
        assert mode_of(backup) == 0o600
        with sqlite3.connect(backup) as copy:
            assert copy.execute("SELECT title FROM wizard").fetchone() == ("W",)
            assert copy.execute("SELECT count(*) FROM schema_migration").fetchone() == (1,)
    finally:
        close_database()


def test_a_database_from_a_newer_app_is_refused_and_left_untouched(data_dir: Path) -> None:
    database = open_database(data_dir)
    database.execute_sql(
        "INSERT INTO schema_migration (name, applied) VALUES ('0099_from_the_future', '2030-01-01')"
    )
    close_database()
    path = database_path(data_dir)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(DatabaseTooNewError, match="newer version"):
        open_database(data_dir)
    close_database()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_backup_is_private_and_complete(store: Path, tmp_path: Path) -> None:
    target = backup_database(raw_connection(), tmp_path / "copy" / "b.sqlite3")
    assert mode_of(target) == 0o600
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM wizard").fetchone()[0] >= 3


def test_a_write_lock_held_by_another_process_is_classified_busy(data_dir: Path) -> None:
    open_database(data_dir, busy_timeout_ms=50)
    try:
        with (
            write_lock_held_by_another_process(data_dir),
            pytest.raises(StorageError) as error,
            write_transaction(),
        ):
            store_db.db.execute_sql("UPDATE wizard SET completed_count = 0")
        assert error.value.kind is StorageErrorKind.BUSY
        assert error.value.is_environmental
    finally:
        close_database()


def test_read_only_and_full_databases_are_environmental(data_dir: Path) -> None:
    database = open_database(data_dir)
    try:
        database.execute_sql("PRAGMA query_only = 1")
        with pytest.raises(StorageError) as read_only, write_transaction():
            database.execute_sql("CREATE TABLE t (x)")
        assert read_only.value.kind is StorageErrorKind.READ_ONLY
        database.execute_sql("PRAGMA query_only = 0")

        pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
        database.execute_sql(f"PRAGMA max_page_count = {pages + 1}")
        database.execute_sql("CREATE TABLE big (x)")
        with pytest.raises(StorageError) as full, write_transaction():
            database.execute_sql("INSERT INTO big VALUES (zeroblob(1000000))")
        assert full.value.kind is StorageErrorKind.FULL
        assert full.value.is_environmental
    finally:
        close_database()


def test_the_real_error_is_found_behind_a_failed_rollback() -> None:
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = 13  # type: ignore[attr-defined]
    try:
        try:
            raise peewee.OperationalError(full)
        except peewee.OperationalError:
            raise peewee.OperationalError("cannot rollback - no transaction is active") from None
    except peewee.OperationalError as hidden:
        assert hidden.__context__ is not None
        assert classify(hidden).kind is StorageErrorKind.FULL


def test_programming_errors_are_bugs(store: Path) -> None:
    with pytest.raises(StorageError) as error, storage_errors():
        store_db.db.execute_sql("SELECT * FROM no_such_table")
    assert error.value.kind is StorageErrorKind.BUG
    assert not error.value.is_environmental
