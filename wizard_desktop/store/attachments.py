"""The attachment table (migration 0006): each content once, by its SHA-256, as a
BLOB beside the answers that name it. Every function runs inside the caller's
transaction (or on its own for reads), so contents are written and deleted in the
same transaction as the answers: a content is never kept without an answer naming
it, and never deleted while one does."""

from __future__ import annotations

import json
from collections.abc import Iterable

from wizard_desktop.store.database import db
from wizard_desktop.store.models import utc_now

# An answer names a content when its JSON is an object whose "sha256" is the hash
# (the expression of the partial index `answer_attachment`, written exactly so).
_NAMED = (
    "SELECT 1 FROM answer WHERE json_type(answer.value) = 'object' "
    "AND json_extract(answer.value, '$.sha256') = attachment.sha256"
)


def store_content(sha256: str, media_type: str, content: bytes) -> None:
    """Keep `content` under `sha256` (the caller computed it); nothing when it is
    stored already."""
    db.execute_sql(
        "INSERT INTO attachment (sha256, size, media_type, content, created_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
        (sha256, len(content), media_type, content, utc_now().isoformat()),
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
    """The stored content named `sha256`, or None."""
    row = db.execute_sql("SELECT content FROM attachment WHERE sha256 = ?", (sha256,)).fetchone()
    return None if row is None else bytes(row[0])


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
    """Delete the contents no answer names any more (of `sha256s` when given, else
    all of them: one index lookup per content). The number deleted."""
    if sha256s is None:
        cursor = db.execute_sql(f"DELETE FROM attachment WHERE NOT EXISTS ({_NAMED})")
    else:
        candidates = sorted(set(sha256s))
        if not candidates:
            return 0
        cursor = db.execute_sql(
            "DELETE FROM attachment WHERE sha256 IN (SELECT value FROM json_each(?)) "
            f"AND NOT EXISTS ({_NAMED})",
            (json.dumps(candidates),),
        )
    deleted: int = cursor.rowcount
    return deleted


def count() -> tuple[int, int]:
    """The number of stored contents and their total size in bytes."""
    row = db.execute_sql("SELECT count(*), coalesce(sum(size), 0) FROM attachment").fetchone()
    return int(row[0]), int(row[1])
