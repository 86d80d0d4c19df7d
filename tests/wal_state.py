"""The state of a database's WAL on a real file, for the checkpoint tests (headless and
GUI): a 5 MB attachment saved through the core, what the database file holds without
its log, and the log's size."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from wizard_desktop.core import sessions
from wizard_desktop.core.attachments import read_file
from wizard_desktop.core.wizards import definition_of_version
from wizard_desktop.store.files import database_path, with_sidecars

SIZE = 5 * 1024 * 1024


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
