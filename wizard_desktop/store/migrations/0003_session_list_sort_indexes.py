"""Indexes for the sessions table's keyset pages: each sortable column that a person
sorts by often, with the session id as tiebreak, so a page reads only its own rows
instead of sorting the whole table."""

from typing import Any

STATEMENTS = [
    "CREATE INDEX session_updated_at_id ON session (updated_at, id)",
    "CREATE INDEX session_status_updated_at_id ON session (status, updated_at, id)",
    "CREATE INDEX session_name_nocase_id ON session (name COLLATE NOCASE, id)",
    "CREATE INDEX session_started_at_id ON session (started_at, id)",
    "CREATE INDEX session_completed_at_id ON session (completed_at, id)",
]


def up(migrator: Any, db: Any) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
