"""Indexes for the sessions list: newest first, by status, by wizard."""

from typing import Any

STATEMENTS = [
    "CREATE INDEX session_updated_at ON session (updated_at)",
    "CREATE INDEX session_status_updated_at ON session (status, updated_at)",
    "CREATE INDEX session_wizard_id_updated_at ON session (wizard_id, updated_at)",
]


def up(migrator: Any, db: Any) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
