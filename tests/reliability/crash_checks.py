"""What the crash tests read back from a database with sqlite3 directly, never through
the code under test: the integrity check, the schema, the stored sessions with their
answers, and the atomicity of what is stored — every completed step has its answers,
and progress, status and each wizard's completed count are what the stored rows give."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# A wizard without skip logic (its path is every step): its steps in order, each with
# the ids of its fields.
WizardSteps = Sequence[tuple[str, Sequence[str]]]

FOUR_STEPS_STEPS: WizardSteps = (
    ("one", ("name",)),
    ("two", ("size",)),
    ("three", ("count",)),
    ("four", ("agree",)),
)
THREE_STEPS_STEPS: WizardSteps = (("a", ("a1",)), ("b", ("b1",)), ("c", ("c1",)))


@dataclass(frozen=True)
class StoredSession:
    id: str
    wizard_id: str
    status: str
    progress_percentage: float
    completed_step_ids: tuple[str, ...]
    answers: dict[str, object]
    """Field id -> stored value (None: a row that says the field was cleared)."""

    @property
    def is_completed(self) -> bool:
        return self.status == "completed"


def from_json_column(stored: object) -> object:
    """A JSON column's value: the column's NUMERIC affinity gives numbers back as numbers."""
    return json.loads(stored) if isinstance(stored, str) else stored


@contextlib.contextmanager
def connected(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path)
    try:
        yield connection
    finally:
        connection.close()


def integrity(path: Path) -> str:
    """`PRAGMA integrity_check`'s verdict: "ok", or its first problems."""
    with connected(path) as connection:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(row[0]) for row in rows[:3])


def schema(path: Path) -> set[tuple[str, str, str | None]]:
    """Every table, index and trigger (type, name, SQL), and the applied migrations."""
    with connected(path) as connection:
        objects = connection.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
        migrations = connection.execute("SELECT name FROM schema_migration").fetchall()
    return {*objects, *(("migration", name, None) for (name,) in migrations)}


def stored_sessions(path: Path) -> dict[str, StoredSession]:
    with connected(path) as connection:
        rows = connection.execute(
            "SELECT id, wizard_id, status, progress_percentage, completed_step_ids FROM session"
        ).fetchall()
        answers: dict[str, dict[str, object]] = {row[0]: {} for row in rows}
        for session_id, field_id, value in connection.execute(
            "SELECT session_id, field_id, value FROM answer"
        ):
            answers.setdefault(session_id, {})[field_id] = from_json_column(value)
    return {
        session_id: StoredSession(
            session_id, wizard_id, status, progress, tuple(json.loads(steps)), answers[session_id]
        )
        for session_id, wizard_id, status, progress, steps in rows
    }


def completed_counts(path: Path) -> dict[str, int]:
    with connected(path) as connection:
        return dict(connection.execute("SELECT id, completed_count FROM wizard").fetchall())


def atomicity_problems(path: Path, wizards: Mapping[str, WizardSteps]) -> list[str]:
    """What breaks the all-or-nothing of a step save or a completion, for the sessions
    of `wizards`: a completed step without an answer row for each of its fields, a
    progress other than 100 x completed steps / steps (100 when completed), a completed
    session without every step, a completed count other than the completed sessions."""
    problems: list[str] = []
    completed_sessions = dict.fromkeys(wizards, 0)
    for session in stored_sessions(path).values():
        steps = wizards.get(session.wizard_id)
        if steps is None:
            continue
        step_ids = [step_id for step_id, _ in steps]
        done = set(session.completed_step_ids)
        if not done <= set(step_ids):
            problems.append(f"{session.id}: unknown completed steps {sorted(done - set(step_ids))}")
        for step_id, field_ids in steps:
            missing = [f for f in field_ids if step_id in done and f not in session.answers]
            if missing:
                problems.append(f"{session.id}: step {step_id} completed without {missing}")
        if session.is_completed:
            completed_sessions[session.wizard_id] += 1
            expected = 100.0
            if done != set(step_ids):
                problems.append(f"{session.id}: completed with steps {sorted(done)}")
        else:
            expected = round(100 * len(done & set(step_ids)) / len(step_ids), 2)
        if session.progress_percentage != expected:
            problems.append(f"{session.id}: progress {session.progress_percentage} != {expected}")
    counts = completed_counts(path)
    for wizard_id, completed in completed_sessions.items():
        if counts.get(wizard_id, 0) != completed:
            problems.append(f"{wizard_id}: completed_count {counts.get(wizard_id)} != {completed}")
    return problems
