"""Copies of the database: verified backups made with SQLite's backup API (before a
migration and once a day) together with the attachment files their rows name
(hard-linked into `<backup>.attachments/`, copied where a link is impossible), keeping
the last seven, restoring one, moving a damaged database aside, and clearing the
leftovers of interrupted copies. Nothing here deletes
a database file the person may need: damaged and replaced files are renamed, never
removed or overwritten, and a copy replaces nothing until it holds the expected schema
and data.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import sqlite3
import time
from pathlib import Path

from wizard_desktop.store.attachment_files import (
    TEMPORARY_PREFIX,
    attachments_dir,
    content_path,
    file_problem,
    files_in,
    install,
    link_or_copy,
)
from wizard_desktop.store.errors import DatabaseCorruptError
from wizard_desktop.store.files import (
    connect_read_only,
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
PARTIAL_SUFFIX = ".partial"
ATTACHMENTS_SUFFIX = ".attachments"
RESTORE_STAGING_PREFIX = ".restore-"
STALE_PARTIAL_SECONDS = 15 * 60
"""A copy in progress writes its partial file all along; one untouched this long was
left by an interrupted copy."""
REQUIRED_TABLES = frozenset(
    {"schema_migration", "wizard", "wizard_version", "template", "session", "answer"}
)
"""The tables every Wizard Desktop database has had since its first schema."""

log = logging.getLogger(__name__)


class BackupError(OSError):
    """A backup that could not be written or failed its check; nothing was replaced."""


def backups_dir(data_dir: Path) -> Path:
    return data_dir / BACKUPS_DIRNAME


def backup_files_dir(backup: Path) -> Path:
    """The folder of the attachment files that go with the database copy `backup`."""
    return backup.with_name(backup.name + ATTACHMENTS_SUFFIX)


def _main_file(connection: sqlite3.Connection) -> Path:
    rows = connection.execute("PRAGMA database_list").fetchall()
    return next(Path(file) for _seq, name, file in rows if name == "main")


def _named_files(copy: sqlite3.Connection) -> list[tuple[str, int]]:
    """The attachment files the rows of `copy` name: none when it keeps its contents
    inside (a database from before migration 0008) or has no attachments."""
    columns = {row[1] for row in copy.execute("PRAGMA table_info(attachment)")}
    if not columns or "content" in columns:
        return []
    return [(sha, int(size)) for sha, size in copy.execute("SELECT sha256, size FROM attachment")]


def _link_files(
    named: list[tuple[str, int]], files_from: Path, into: Path, *, verify: bool
) -> str | None:
    """Link (or copy) each named file from `files_from` into `into`; why not, or None.
    Each is checked by its size, and by its hash too when `verify`."""
    for sha256, size in named:
        source = content_path(files_from, sha256)
        if verify:
            problem = file_problem(files_from, sha256, size)
        else:
            problem = None if source.is_file() and source.stat().st_size == size else "missing"
        if problem is not None:
            return f"the file of attachment {sha256} is {problem}"
        link_or_copy(source, content_path(into, sha256))
    return None


def _table_names(connection: sqlite3.Connection) -> set[str]:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {name for (name,) in rows}


def _row_counts(connection: sqlite3.Connection, tables: set[str]) -> dict[str, int]:
    return {
        table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        for table in tables
    }


def _copy_problem(copy: sqlite3.Connection, source: sqlite3.Connection | None) -> str | None:
    """Why `copy` is not a sound copy of a Wizard Desktop database, or None: it passes
    `quick_check`, has every required table and, when the `source` is not being
    written (a restore), the same tables with the same numbers of rows."""
    (check,) = copy.execute("PRAGMA quick_check").fetchone()
    if check != "ok":
        return str(check)
    tables = _table_names(copy)
    missing = REQUIRED_TABLES - tables
    if missing:
        return f"it is not a Wizard Desktop database (no table {', '.join(sorted(missing))})"
    if source is not None:
        expected = _row_counts(source, _table_names(source))
        if _row_counts(copy, tables) != expected:
            return "the copy does not hold the same rows as the original"
    return None


def backup_database(
    source: sqlite3.Connection,
    destination: Path,
    *,
    source_is_idle: bool = False,
    writes_held: bool = False,
    files_from: Path | None = None,
) -> Path:
    """Copy the open database to `destination` (mode 0600) with the backup API, which is
    safe while the database is in use and includes what is in the WAL, and link the
    attachment files the copy's rows name (from `files_from`, by default the source's
    data folder) into `backup_files_dir(destination)`. The copy is written beside it
    under a temporary name, checked (also row by row against the source when
    `source_is_idle`: nothing writes it meanwhile; then every file is hashed too), and
    only then renamed, so an interrupted or failed backup never looks like one.

    Unless the source is idle, the caller holds the write lock (`writes_held`) or
    nobody can write the database, the write lock is held from the copy to the last
    link: a file is unlinked only after the commit that deleted its row (under that
    lock), so no file the copy names can go meanwhile.
    Raises BackupError."""
    make_private_dir(destination.parent)
    partial = destination.with_name(destination.name + PARTIAL_SUFFIX)
    files_partial = backup_files_dir(partial)
    source_file = _main_file(source)
    files_from = files_from or attachments_dir(source_file.parent)
    create_private_file(partial)
    target = sqlite3.connect(partial)
    lock = None
    try:
        if not (source_is_idle or writes_held) and os.access(source_file, os.W_OK):
            lock = sqlite3.connect(source_file, isolation_level=None)
            lock.execute("BEGIN IMMEDIATE")
        source.backup(target)
        problem = _copy_problem(target, source if source_is_idle else None)
        if problem is None:
            problem = _link_files(
                _named_files(target), files_from, files_partial, verify=source_is_idle
            )
        target.execute("PRAGMA journal_mode = delete")  # one self-contained file
    except sqlite3.Error as exc:
        problem = str(exc)
    finally:
        target.close()
        if lock is not None:
            lock.close()
    if problem is not None:
        partial.unlink(missing_ok=True)
        shutil.rmtree(files_partial, ignore_errors=True)
        raise BackupError(f"the backup {destination} failed its check: {problem}")
    files = backup_files_dir(destination)
    shutil.rmtree(files, ignore_errors=True)
    if files_partial.is_dir():
        os.replace(files_partial, files)
    os.replace(partial, destination)
    return destination


def _remove(leftover: Path) -> None:
    if leftover.is_dir():
        shutil.rmtree(leftover)
    else:
        leftover.unlink()


def remove_stale_partials(data_dir: Path) -> list[Path]:
    """Delete what interrupted copies left: `*.partial` backups (with their rollback
    journals and folders of files) and restore staging files untouched for
    STALE_PARTIAL_SECONDS, and the folder of files of a backup whose database copy is
    gone. None of them is a backup: a copy is renamed to its real name only once
    checked."""
    folder = backups_dir(data_dir)
    leftovers = [
        *(folder.glob(f"*{PARTIAL_SUFFIX}") if folder.is_dir() else []),
        *(folder.glob(f"*{PARTIAL_SUFFIX}-journal") if folder.is_dir() else []),
        *(folder.glob(f"*{PARTIAL_SUFFIX}{ATTACHMENTS_SUFFIX}") if folder.is_dir() else []),
        *data_dir.glob(f"{RESTORE_STAGING_PREFIX}*"),
        *(
            files
            for files in (folder.glob(f"*.sqlite3{ATTACHMENTS_SUFFIX}") if folder.is_dir() else [])
            if not files.with_name(files.name.removesuffix(ATTACHMENTS_SUFFIX)).exists()
        ),
    ]
    stale_before = time.time() - STALE_PARTIAL_SECONDS
    removed: list[Path] = []
    for leftover in leftovers:
        try:
            if leftover.stat().st_mtime < stale_before:
                _remove(leftover)
                removed.append(leftover)
        except FileNotFoundError:
            continue  # removed meanwhile by another process
    if removed:
        log.info("Removed %d leftovers of interrupted backups", len(removed))
    return removed


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


def _stamped_time(backup: Path) -> dt.datetime:
    stamp = backup.stem.removeprefix(DAILY_PREFIX)
    return dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


def _daily_backups(data_dir: Path, now: dt.datetime) -> list[Path]:
    """Daily backups, oldest first by the time they stand for. One stamped after `now`
    was made while the clock was ahead: it counts as the oldest, so it neither stops
    the next backups nor outlives the seven kept."""
    folder = backups_dir(data_dir)
    daily = folder.glob(f"{DAILY_PREFIX}*.sqlite3") if folder.is_dir() else []
    return sorted(daily, key=lambda p: (_stamped_time(p) <= now, p.name))


def run_daily_backup(
    source: sqlite3.Connection, data_dir: Path, now: dt.datetime | None = None
) -> Path | None:
    """Back up when the newest daily backup is a day old (or stamped in the future) and
    the database was written after it was made; keep the last seven. Returns the new
    backup, or None."""
    now = now or dt.datetime.now(dt.UTC)
    daily = _daily_backups(data_dir, now)
    if daily and _stamped_time(daily[-1]) <= now:
        newest = daily[-1]
        if now - _stamped_time(newest) < DAILY_INTERVAL:
            return None
        if _last_write(data_dir) <= newest.stat().st_mtime:
            return None
    created = backup_database(
        source, backups_dir(data_dir) / f"{DAILY_PREFIX}{timestamp(now)}.sqlite3"
    )
    for old in _daily_backups(data_dir, now)[:-DAILY_KEEP]:
        old.unlink()
        shutil.rmtree(backup_files_dir(old), ignore_errors=True)
    return created


def move_aside(data_dir: Path, label: str, now: dt.datetime | None = None) -> Path | None:
    """Rename the database and its -wal/-shm files together to
    `wizard-desktop.sqlite3.<label>-<stamp>` (+ `-wal`, `-shm`), so SQLite can still open
    the set, and link every attachment file into `<that name>.attachments/`, so the
    set keeps its files when the sweep removes those the new database does not name.
    Returns the new name of the database file (None when there was none)."""
    path = database_path(data_dir)
    moved_db = path.with_name(f"{path.name}.{label}-{timestamp(now)}")
    if not path.exists():
        return None
    try:
        for content in files_in(attachments_dir(data_dir)):
            if not content.name.startswith(TEMPORARY_PREFIX):
                link_or_copy(content, content_path(backup_files_dir(moved_db), content.name))
    except OSError as exc:  # the database still goes aside; the files stay where they are
        log.warning("Attachment files not linked beside %s: %s", moved_db, exc)
    for original, moved in zip(with_sidecars(path), with_sidecars(moved_db), strict=True):
        if original.exists():
            os.replace(original, moved)
    return moved_db


def quarantine_damaged(data_dir: Path, detail: str) -> DatabaseCorruptError:
    """Move a damaged database aside (with its -wal/-shm); the error to show, naming
    where it went and the newest backup to offer. The database must be closed."""
    return DatabaseCorruptError(move_aside(data_dir, "corrupt"), latest_backup(data_dir), detail)


def restore_backup(data_dir: Path, backup: Path) -> Path | None:
    """Make `backup` the database (the database must be closed). The backup is opened
    read-only by its path, copied beside the database with its attachment files and
    checked against it (schema, rows, every file's hash); only then are its files put
    into the attachments folder and the current database, if any, moved aside as
    `...replaced-<stamp>`, which is returned. A backup from before migration 0008
    holds its contents inside: it has no files, and the migration runs at the next
    start. Raises BackupError (nothing replaced)."""
    staging = data_dir / f"{RESTORE_STAGING_PREFIX}{timestamp()}.sqlite3"
    try:
        source = connect_read_only(backup)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open the backup {backup}: {exc}") from exc
    try:
        backup_database(source, staging, source_is_idle=True, files_from=backup_files_dir(backup))
    finally:
        source.close()
    staged_files = backup_files_dir(staging)
    for content in files_in(staged_files):
        install(content, attachments_dir(data_dir))
    shutil.rmtree(staged_files, ignore_errors=True)
    replaced = move_aside(data_dir, "replaced")
    os.replace(staging, database_path(data_dir))
    return replaced
