"""A small key/value table for what the app records about the database itself, such
as the fingerprint of the bundled wizard files last imported (so start-up can skip
parsing files that did not change)."""

from typing import Any

STATEMENTS = [
    """CREATE TABLE app_state (
        key VARCHAR(255) NOT NULL PRIMARY KEY,
        value TEXT NOT NULL)""",
]


def up(migrator: Any, db: Any) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
