"""Attachments (file, image and signature answers): each content once, by its SHA-256,
as a BLOB in the database, so it is written in the answers' transaction and is part of
every backup. The answer holds a reference {"sha256", "name", "size", "type"}; the
partial index over the answers' `$.sha256` lets a write find in one lookup whether a
content is still named by any answer (the unnamed ones are deleted there and then)."""

from typing import Any

STATEMENTS = [
    """CREATE TABLE attachment (
        sha256 CHAR(64) NOT NULL PRIMARY KEY,
        size INTEGER NOT NULL CHECK (size = length(content)),
        media_type VARCHAR(255) NOT NULL,
        content BLOB NOT NULL,
        created_at TEXT NOT NULL)""",
    """CREATE INDEX answer_attachment ON answer (json_extract(value, '$.sha256'))
        WHERE json_type(value) = 'object'""",
]


def up(migrator: Any, db: Any) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
