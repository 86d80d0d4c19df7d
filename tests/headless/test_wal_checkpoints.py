"""The WAL on a real SQLite file, with 5 MB attachments: a save leaves its bytes in the
log (its commit no longer checkpoints), `store.database.checkpoint` moves them into the
database file, a burst of saves with no idle moment keeps the log bounded, and a
backup or the integrity check made before any checkpoint sees everything."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.wizard_files import ATTACH, import_text
from wizard_desktop.core import sessions
from wizard_desktop.core.attachments import read_file
from wizard_desktop.core.wizards import definition_of_version
from wizard_desktop.store.backups import backup_database
from wizard_desktop.store.database import (
    WAL_SIZE_LIMIT_BYTES,
    check_integrity,
    checkpoint,
    close_database,
    open_database,
    raw_connection,
)
from wizard_desktop.store.files import database_path, with_sidecars

SIZE = 5 * 1024 * 1024


@pytest.fixture
def wizard(data_dir: Path) -> Iterator[str]:
    open_database(data_dir)
    wizard_id = import_text(data_dir, ATTACH)
    assert checkpoint() is True  # the schema and the wizard in the file itself
    yield wizard_id
    close_database()


def save_new_receipt(wizard_id: str, folder: Path) -> str:
    """A new session whose receipt is 5 MB never stored before; its SHA-256."""
    session_id = sessions.start_session(wizard_id).id
    receipt = definition_of_version(sessions.get_session(session_id).version_id).field("receipt")
    assert receipt is not None
    source = folder / "receipt.pdf"
    source.write_bytes(b"%PDF-" + os.urandom(SIZE))
    staged = read_file(source, receipt)
    sessions.save_draft(session_id, {"receipt": staged.value()})
    return staged.sha256


def contents_in_file_alone(data_dir: Path, folder: Path) -> dict[str, bytes]:
    """The attachments the database file holds without its WAL (a copy of the file
    alone, opened where no -wal lies beside it)."""
    alone = folder / "alone" / "copy.sqlite3"
    alone.parent.mkdir(exist_ok=True)
    for stale in with_sidecars(alone):
        stale.unlink(missing_ok=True)
    shutil.copyfile(database_path(data_dir), alone)
    connection = sqlite3.connect(alone)
    try:
        return dict(connection.execute("SELECT sha256, content FROM attachment").fetchall())
    finally:
        connection.close()


def wal_size(data_dir: Path) -> int:
    wal = with_sidecars(database_path(data_dir))[1]
    return wal.stat().st_size if wal.exists() else 0


def test_a_save_writes_into_the_log_and_the_checkpoint_moves_it_into_the_file(
    data_dir: Path, wizard: str, tmp_path: Path
) -> None:
    sha = save_new_receipt(wizard, tmp_path)
    assert wal_size(data_dir) > SIZE  # the commit left the 5 MB in the log
    assert sha not in contents_in_file_alone(data_dir, tmp_path)

    assert checkpoint() is True
    alone = contents_in_file_alone(data_dir, tmp_path)
    assert hashlib.sha256(alone[sha]).hexdigest() == sha

    # The next save overwrites the log from its start: the file does not grow.
    size_after_first = wal_size(data_dir)
    save_new_receipt(wizard, tmp_path)
    assert wal_size(data_dir) == size_after_first


def test_truncate_empties_the_log(data_dir: Path, wizard: str, tmp_path: Path) -> None:
    sha = save_new_receipt(wizard, tmp_path)
    assert checkpoint(truncate=True) is True
    assert wal_size(data_dir) == 0
    assert sha in contents_in_file_alone(data_dir, tmp_path)


def test_the_log_stays_bounded_under_many_big_saves_with_no_idle_moment(
    data_dir: Path, wizard: str, tmp_path: Path
) -> None:
    saved = []
    largest = 0
    for _ in range(14):  # 70 MB: more than twice what the log may hold
        saved.append(save_new_receipt(wizard, tmp_path))
        largest = max(largest, wal_size(data_dir))
    assert largest <= WAL_SIZE_LIMIT_BYTES + 2 * SIZE
    # The commits' own checkpoints moved most of it into the file already.
    assert len(contents_in_file_alone(data_dir, tmp_path).keys() & set(saved)) >= 7
    with contextlib.closing(sqlite3.connect(database_path(data_dir))) as connection:
        stored = dict(connection.execute("SELECT sha256, content FROM attachment").fetchall())
    assert {hashlib.sha256(content).hexdigest() for content in stored.values()} == set(saved)


def test_a_backup_and_the_integrity_check_before_any_checkpoint_see_the_log(
    data_dir: Path, wizard: str, tmp_path: Path
) -> None:
    sha = save_new_receipt(wizard, tmp_path)
    assert sha not in contents_in_file_alone(data_dir, tmp_path)  # only in the log
    check_integrity(raw_connection())
    backup = backup_database(raw_connection(), tmp_path / "backup.sqlite3")
    assert not with_sidecars(backup)[1].exists()  # one self-contained file
    with contextlib.closing(sqlite3.connect(backup)) as connection:
        (content,) = connection.execute(
            "SELECT content FROM attachment WHERE sha256 = ?", (sha,)
        ).fetchone()
    assert hashlib.sha256(content).hexdigest() == sha
