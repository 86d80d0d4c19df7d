"""`step_save`: one Next on a step of 50 fields through the app's own storage code
(`core.sessions.save_step`: validate, load the stored answers, upsert the step's 50
answers, update the session row, one BEGIN IMMEDIATE transaction), against raw
`sqlite3` running the same statements with the same pragmas on the same file (a second
session of the same wizard), no validation. Anchor and subject alternate, each saving
its own session, with answers that change every round so every upsert updates.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import Figure, import_synthetic_wizard, interleaved, percentile

FIELDS = 50
STEP = "s1"

ANCHOR_STATEMENTS = {
    "row": (
        "SELECT s.*, w.id, w.title FROM session AS s INNER JOIN wizard AS w"
        " ON s.wizard_id = w.id WHERE s.id = ? LIMIT 1"
    ),
    "version": "SELECT content_hash FROM wizard_version WHERE id = ?",
    "answers": "SELECT field_id, value FROM answer WHERE session_id = ?",
    "upsert": (
        "INSERT INTO answer (session_id, field_id, value, updated_at) VALUES (?, ?, json(?), ?)"
        " ON CONFLICT (session_id, field_id)"
        " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
    ),
    "session": (
        "UPDATE session SET completed_step_ids = json(?), progress_percentage = ?,"
        " current_step_id = ?, updated_at = ? WHERE id = ?"
    ),
}


def step_answers(round_number: int) -> dict[str, Any]:
    """The 50 answers of step s1 for one round (text and numbers change each round)."""
    from benchmarks.common import FIELD_CYCLE, synthetic_field

    answers: dict[str, Any] = {}
    for n in range(FIELDS):
        field = synthetic_field(f"s1f{n}", FIELD_CYCLE[n % len(FIELD_CYCLE)])
        if field["type"] == "text":
            answers[field["id"]] = f"answer {round_number} to {field['id']}"
        elif field["type"] == "number":
            answers[field["id"]] = round_number % 1000
        else:
            answers[field["id"]] = field["default"]
    return answers


def raw_connection(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the app's pragmas (store/database.py)."""
    from wizard_desktop.store.database import DEFAULT_BUSY_TIMEOUT_MS

    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "journal_mode = wal",
        "synchronous = full",
        "foreign_keys = 1",
        f"busy_timeout = {DEFAULT_BUSY_TIMEOUT_MS}",
    ):
        connection.execute(f"PRAGMA {pragma}")
    return connection


def raw_save_step(connection: sqlite3.Connection, session_id: str, answers: dict[str, Any]) -> None:
    """The statements save_step runs, hand-written, values bound as the app stores them."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    connection.execute("BEGIN IMMEDIATE")
    cursor = connection.execute(ANCHOR_STATEMENTS["row"], (session_id,))
    row = cursor.fetchone()
    version_id = row[[d[0] for d in cursor.description].index("version_id")]
    connection.execute(ANCHOR_STATEMENTS["version"], (version_id,)).fetchone()
    connection.execute(ANCHOR_STATEMENTS["answers"], (session_id,)).fetchall()
    connection.executemany(
        ANCHOR_STATEMENTS["upsert"],
        [(session_id, fid, json.dumps(value), now) for fid, value in answers.items()],
    )
    connection.execute(
        ANCHOR_STATEMENTS["session"], (json.dumps([STEP]), 50.0, "s2", now, session_id)
    )
    connection.execute("COMMIT")


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def step_save(quick: bool) -> Figure:
    from wizard_desktop.core.sessions import save_step, start_session
    from wizard_desktop.store.database import close_database, open_database
    from wizard_desktop.store.files import database_path

    rounds = 150 if quick else 500
    with tempfile.TemporaryDirectory(prefix="bench-step-save-") as folder:
        data_dir = Path(folder)
        open_database(data_dir)
        wizard_id = import_synthetic_wizard("bench-step-save", 2, FIELDS)
        ours_id = start_session(wizard_id).id
        anchor_id = start_session(wizard_id).id
        connection = raw_connection(database_path(data_dir))
        counter = iter(range(10**9))

        def ours() -> float:
            answers = step_answers(next(counter))
            return timed(lambda: save_step(ours_id, STEP, answers))

        def anchor() -> float:
            answers = step_answers(next(counter))
            return timed(lambda: raw_save_step(connection, anchor_id, answers))

        try:
            value, anchor_samples = interleaved(anchor, ours, rounds, warmup=10)
        finally:
            connection.close()
            close_database()
    return Figure(
        "step_save",
        "ms",
        3.0,
        value,
        anchor_samples,
        f"core.sessions.save_step, {FIELDS} fields, WAL + synchronous=FULL on"
        f" {data_dir.parent}; anchor: raw sqlite3, same statements and pragmas",
        extra={
            "value_p99": percentile(value, 0.99),
            "anchor_p99": percentile(anchor_samples, 0.99),
        },
    )
