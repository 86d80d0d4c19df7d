"""Attachment contents move out of the database into files of the data folder
(`store.attachment_files`: `attachments/<sha256[:2]>/<sha256>`): each BLOB is streamed
into its file (1 MiB at a time through SQLite's incremental BLOB I/O, so memory stays
bounded whatever the database holds), made durable (fsync, rename, fsync of the
folder), and only then is the table rebuilt without its `content` column, in the same
transaction as the migration's history row. A crash before that commit leaves the
BLOBs where they were and some files, which the rerun finds sound and keeps (or the
sweep removes). Old backups (BLOBs inside) restore and then run this."""

from collections.abc import Iterator
from pathlib import Path
from sqlite3 import Blob
from typing import Any

from wizard_desktop.store.attachment_files import CHUNK, attachments_dir, write_content

STATEMENTS = [
    """CREATE TABLE attachment_metadata (
        sha256 CHAR(64) NOT NULL PRIMARY KEY,
        size INTEGER NOT NULL,
        media_type VARCHAR(255) NOT NULL,
        created_at TEXT NOT NULL)""",
    """INSERT INTO attachment_metadata (sha256, size, media_type, created_at)
        SELECT sha256, size, media_type, created_at FROM attachment""",
    "DROP TABLE attachment",
    "ALTER TABLE attachment_metadata RENAME TO attachment",
]


def _chunks(blob: Blob) -> Iterator[bytes]:
    while chunk := blob.read(CHUNK):
        yield chunk


def up(migrator: Any, db: Any) -> None:
    folder = attachments_dir(Path(db.database).parent)
    connection = db.connection()
    rows = db.execute_sql("SELECT rowid, sha256 FROM attachment ORDER BY rowid").fetchall()
    for rowid, sha256 in rows:
        with connection.blobopen("attachment", "content", rowid, readonly=True) as blob:
            write_content(folder, sha256, _chunks(blob))
    for statement in STATEMENTS:
        db.execute_sql(statement)
