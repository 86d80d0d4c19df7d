"""The writer thread's checkpoints, through a real OperationRunner on a real file:
once its queue has been idle a moment it moves the WAL into the database file (the
write itself left its 5 MB in the log), and as it ends it empties the log."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.wal_state import SIZE, rows_in_file_alone, wal_size, write_big_row
from wizard_desktop.operations import Call, OperationRunner
from wizard_desktop.store.database import checkpoint


def in_file_alone(data_dir: Path, folder: Path, sha: str) -> bool:
    """The content is in the database file itself (a copy taken while the writer's
    checkpoint writes the file may be torn: not yet, then)."""
    try:
        content = rows_in_file_alone(data_dir, folder).get(sha)
    except sqlite3.DatabaseError:
        return False
    return content is not None and hashlib.sha256(content).hexdigest() == sha


def save_through(runner: OperationRunner) -> list[str]:
    saved: list[str] = []
    runner.run(Call("a big write", write_big_row, done=saved.append))
    runner.wait_until_idle()
    assert len(saved) == 1
    return saved


def test_the_writer_checkpoints_once_its_queue_is_idle(
    qtbot: QtBot, store: Path, operations: OperationRunner, tmp_path: Path
) -> None:
    checkpoint()  # the schema and the wizard in the file itself
    (sha,) = save_through(operations)
    qtbot.waitUntil(lambda: in_file_alone(store, tmp_path, sha), timeout=20_000)
    assert wal_size(store) > SIZE  # PASSIVE: the log is kept, to be overwritten
    # A second save after the idle checkpoint, checkpointed in turn.
    (second,) = save_through(operations)
    qtbot.waitUntil(lambda: in_file_alone(store, tmp_path, second), timeout=20_000)


def test_the_writer_empties_the_log_as_it_ends(
    qtbot: QtBot, store: Path, operations: OperationRunner, tmp_path: Path
) -> None:
    (sha,) = save_through(operations)
    operations.shutdown()  # closing the window: the writer's TRUNCATE checkpoint
    assert wal_size(store) == 0
    assert in_file_alone(store, tmp_path, sha)
