"""The first schema: wizards, wizard versions, templates, sessions, answers."""

from typing import Any

STATEMENTS = [
    """CREATE TABLE wizard (
        id VARCHAR(255) NOT NULL PRIMARY KEY,
        title TEXT NOT NULL,
        description TEXT,
        latest_version_id INTEGER,
        completed_count INTEGER NOT NULL DEFAULT 0,
        imported_at TEXT NOT NULL)""",
    """CREATE TABLE wizard_version (
        id INTEGER NOT NULL PRIMARY KEY,
        wizard_id VARCHAR(255) NOT NULL REFERENCES wizard (id) ON DELETE CASCADE,
        content_hash VARCHAR(255) NOT NULL,
        definition JSON NOT NULL,
        imported_at TEXT NOT NULL)""",
    "CREATE UNIQUE INDEX wizard_version_wizard_id_content_hash "
    "ON wizard_version (wizard_id, content_hash)",
    """CREATE TABLE template (
        id INTEGER NOT NULL PRIMARY KEY,
        name TEXT NOT NULL,
        wizard_id VARCHAR(255) NOT NULL REFERENCES wizard (id) ON DELETE CASCADE,
        answers JSON NOT NULL,
        source_session_id VARCHAR(255),
        created_at TEXT NOT NULL)""",
    "CREATE INDEX template_wizard_id ON template (wizard_id)",
    """CREATE TABLE session (
        id VARCHAR(255) NOT NULL PRIMARY KEY,
        name TEXT NOT NULL,
        wizard_id VARCHAR(255) NOT NULL REFERENCES wizard (id) ON DELETE CASCADE,
        version_id INTEGER NOT NULL REFERENCES wizard_version (id) ON DELETE CASCADE,
        status VARCHAR(255) NOT NULL DEFAULT 'in_progress'
            CHECK (status IN ('in_progress', 'completed')),
        current_step_id VARCHAR(255),
        completed_step_ids JSON NOT NULL,
        progress_percentage REAL NOT NULL DEFAULT 0
            CHECK (progress_percentage BETWEEN 0 AND 100),
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        completed_at TEXT,
        total_time_seconds REAL,
        active_seconds REAL NOT NULL DEFAULT 0,
        template_id INTEGER REFERENCES template (id) ON DELETE SET NULL)""",
    "CREATE INDEX session_wizard_id ON session (wizard_id)",
    "CREATE INDEX session_version_id ON session (version_id)",
    "CREATE INDEX session_template_id ON session (template_id)",
    """CREATE TABLE answer (
        id INTEGER NOT NULL PRIMARY KEY,
        session_id VARCHAR(255) NOT NULL REFERENCES session (id) ON DELETE CASCADE,
        field_id VARCHAR(255) NOT NULL,
        value JSON NOT NULL,
        updated_at TEXT NOT NULL)""",
    "CREATE UNIQUE INDEX answer_session_id_field_id ON answer (session_id, field_id)",
]


def up(migrator: Any, db: Any) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
