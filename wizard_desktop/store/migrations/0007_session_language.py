"""The language a session is answered in (a wizard in several languages): a nullable
column, so every existing session keeps working (NULL reads as the wizard's default
language). Touches only this column, whichever other migrations exist."""

from typing import Any

STATEMENTS = ["ALTER TABLE session ADD COLUMN language VARCHAR(255)"]


def up(migrator: Any, db: Any) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
