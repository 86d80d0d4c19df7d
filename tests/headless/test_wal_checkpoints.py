"""The WAL on a real SQLite file, with 5 MB writes (`tests/wal_state.py`): a write
leaves its bytes in the log (its commit no longer checkpoints),
`store.database.checkpoint` moves them into the database file, a burst of writes with
no idle moment keeps the log bounded, and a backup or the integrity check made before
any checkpoint sees everything."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.wal_state import SIZE, rows, rows_in_file_alone, wal_size, write_big_row
from tests.wizard_files import ATTACH, import_text
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


@pytest.fixture
def wizard(data_dir: Path) -> Iterator[str]:
    open_database(data_dir)
    wizard_id = import_text(data_dir, ATTACH)
    assert checkpoint() is True  # the schema and the wizard in the file itself
    yield wizard_id
    close_database()


def test_a_save_writes_into_the_log_and_the_checkpoint_moves_it_into_the_file(
    data_dir: Path, wizard: str, tmp_path: Path
) -> None:
    sha = write_big_row()
    assert wal_size(data_dir) > SIZE  # the commit left the 5 MB in the log
    assert sha not in rows_in_file_alone(data_dir, tmp_path)

    assert checkpoint() is True
    alone = rows_in_file_alone(data_dir, tmp_path)
    assert hashlib.sha256(alone[sha]).hexdigest() == sha

    # The next save overwrites the log from its start: the file does not grow.
    size_after_first = wal_size(data_dir)
    write_big_row()
    assert wal_size(data_dir) == size_after_first


def test_truncate_empties_the_log(data_dir: Path, wizard: str, tmp_path: Path) -> None:
    sha = write_big_row()
    assert checkpoint(truncate=True) is True
    assert wal_size(data_dir) == 0
    assert sha in rows_in_file_alone(data_dir, tmp_path)


def test_the_log_stays_bounded_under_many_big_saves_with_no_idle_moment(
    data_dir: Path, wizard: str, tmp_path: Path
) -> None:
    saved = []
    largest = 0
    for _ in range(14):  # 70 MB: more than twice what the log may hold
        saved.append(write_big_row())
        largest = max(largest, wal_size(data_dir))
    assert largest <= WAL_SIZE_LIMIT_BYTES + 2 * SIZE
    # The commits' own checkpoints moved most of it into the file already.
    assert len(rows_in_file_alone(data_dir, tmp_path).keys() & set(saved)) >= 7
    with contextlib.closing(sqlite3.connect(database_path(data_dir))) as connection:
        stored = rows(connection)
    assert {hashlib.sha256(content).hexdigest() for content in stored.values()} == set(saved)


def test_a_backup_and_the_integrity_check_before_any_checkpoint_see_the_log(
    data_dir: Path, wizard: str, tmp_path: Path
) -> None:
    sha = write_big_row()
    assert sha not in rows_in_file_alone(data_dir, tmp_path)  # only in the log
    check_integrity(raw_connection())
    backup = backup_database(raw_connection(), tmp_path / "backup.sqlite3")
    assert not with_sidecars(backup)[1].exists()  # one self-contained file
    with contextlib.closing(sqlite3.connect(backup)) as connection:
        content = rows(connection)[sha]
    assert hashlib.sha256(content).hexdigest() == sha
