"""Repeats (format 2): how many instances of each "Add another" repeat a session has.

An answer inside a repeat is stored under its instance path as its field id
(`dependents[2].name`, 0-based), so the answer table and every existing answer stay as
they are; this table holds only the instance counts (a counted repeat's count comes
from the answers). Touches nothing else."""

from typing import Any

STATEMENTS = [
    """CREATE TABLE session_repeat (
        session_id VARCHAR(255) NOT NULL REFERENCES session (id) ON DELETE CASCADE,
        repeat_id VARCHAR(255) NOT NULL,
        instances INTEGER NOT NULL CHECK (instances >= 0),
        PRIMARY KEY (session_id, repeat_id))""",
]


def up(migrator: Any, db: Any) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
