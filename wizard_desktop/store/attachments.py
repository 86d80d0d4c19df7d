"""The attachment table: each content once, by its SHA-256 (size, media type), its
bytes in a file of the data folder (`store.attachment_files`, migration 0008). Every
function runs inside the caller's transaction (or on its own for reads): a content's
file is written durably before the row naming it is inserted, and its row is deleted
in the transaction that drops the last answer naming it, the file only after that
commit. So no answer is ever stored without its content, and no content is kept that
no answer names but a file a crash left, which the start-up sweep removes."""

from __future__ import annotations

import json
from collections.abc import Iterable

from wizard_desktop.store.attachment_files import (
    file_problem,
    read_content,
    release,
    write_content,
)
from wizard_desktop.store.database import attachments_folder, db
from wizard_desktop.store.models import utc_now

# An answer names a content when its JSON is an object whose "sha256" is the hash
# (the expression of the partial index `answer_attachment`, written exactly so).
_NAMED = (
    "SELECT 1 FROM answer WHERE json_type(answer.value) = 'object' "
    "AND json_extract(answer.value, '$.sha256') = attachment.sha256"
)


def store_content(sha256: str, media_type: str, content: bytes) -> None:
    """Keep `content` under `sha256` (the caller hashed it): its file written and
    made durable now, its row inserted in the caller's transaction; nothing new when
    both are there. Raises OSError (the file could not be written)."""
    write_content(attachments_folder(), sha256, [content], hashed=True)
    db.execute_sql(
        "INSERT INTO attachment (sha256, size, media_type, created_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
        (sha256, len(content), media_type, utc_now().isoformat()),
    )


def stored(sha256s: Iterable[str]) -> set[str]:
    """Those of `sha256s` whose content is stored."""
    wanted = json.dumps(sorted(set(sha256s)))
    cursor = db.execute_sql(
        "SELECT sha256 FROM attachment WHERE sha256 IN (SELECT value FROM json_each(?))",
        (wanted,),
    )
    return {row[0] for row in cursor.fetchall()}


def content(sha256: str) -> bytes | None:
    """The stored content named `sha256` (read from its file and checked), or None
    when none is stored. Raises AttachmentFileError when its file is missing or
    damaged."""
    row = db.execute_sql("SELECT size FROM attachment WHERE sha256 = ?", (sha256,)).fetchone()
    return None if row is None else read_content(attachments_folder(), sha256, int(row[0]))


def named_by_session(session_id: str, field_ids: Iterable[str] | None = None) -> set[str]:
    """The contents the answers of a session name (only those of `field_ids` if given)."""
    sql = (
        "SELECT json_extract(value, '$.sha256') FROM answer WHERE session_id = ? "
        "AND json_type(value) = 'object'"
    )
    parameters: tuple[object, ...] = (session_id,)
    if field_ids is not None:
        sql += " AND field_id IN (SELECT value FROM json_each(?))"
        parameters += (json.dumps(list(field_ids)),)
    return {row[0] for row in db.execute_sql(sql, parameters).fetchall() if isinstance(row[0], str)}


def delete_unnamed(sha256s: Iterable[str] | None = None) -> int:
    """Delete the rows of the contents no answer names any more (of `sha256s` when
    given, else all of them: one index lookup per content); their files go once the
    caller's transaction commits (`attachment_files.release`). The number deleted."""
    if sha256s is None:
        cursor = db.execute_sql(
            f"DELETE FROM attachment WHERE NOT EXISTS ({_NAMED}) RETURNING sha256"
        )
    else:
        candidates = sorted(set(sha256s))
        if not candidates:
            return 0
        cursor = db.execute_sql(
            "DELETE FROM attachment WHERE sha256 IN (SELECT value FROM json_each(?)) "
            f"AND NOT EXISTS ({_NAMED}) RETURNING sha256",
            (json.dumps(candidates),),
        )
    deleted = [sha for (sha,) in cursor.fetchall()]
    release(deleted)
    return len(deleted)


def count() -> tuple[int, int]:
    """The number of stored contents and their total size in bytes."""
    row = db.execute_sql("SELECT count(*), coalesce(sum(size), 0) FROM attachment").fetchone()
    return int(row[0]), int(row[1])


def file_problems() -> list[tuple[str, str]]:
    """Every stored content whose file is not sound, with why ('missing', 'damaged'):
    the integrity check's part for attachments (reads and hashes every file)."""
    folder = attachments_folder()
    rows = db.execute_sql("SELECT sha256, size FROM attachment ORDER BY sha256").fetchall()
    return [
        (sha256, problem)
        for sha256, size in rows
        if (problem := file_problem(folder, sha256, int(size))) is not None
    ]
