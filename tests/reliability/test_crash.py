"""Crash tests: a child process saving steps through the core is killed with SIGKILL at
random moments; every acknowledged answer must survive, the database stay intact, and
every stored step and completion be whole (read back with sqlite3, not through the
code under test). Also: a completion whose acknowledgement was lost is retried and
counted exactly once."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability.crash_checks import (
    FOUR_STEPS_STEPS,
    atomicity_problems,
    completed_counts,
    connected,
    integrity,
    stored_sessions,
)
from tests.repeat_files import DEPENDENTS
from tests.wizard_files import FOUR_STEPS, import_text
from wizard_desktop.core import sessions
from wizard_desktop.store.database import close_database, open_database
from wizard_desktop.store.files import database_path

pytestmark = pytest.mark.reliability

CHILD = Path(__file__).resolve().parent / "crash_child.py"
TRIALS = int(os.environ.get("WIZARD_DESKTOP_CRASH_TRIALS", "100"))
ROOT = CHILD.parents[2]
RETRIES = 3


def spawn(data_dir: Path, seed: int, *extra: str) -> tuple[subprocess.Popen[str], list[str]]:
    """The child once it says READY (with --startup: BEGIN), and the words of that line."""
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(data_dir), str(seed), *extra],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    first = child.stdout.readline().split()
    assert first and first[0] == ("BEGIN" if "--startup" in extra else "READY"), first
    return child, first


def prepared_store(data_dir: Path) -> None:
    open_database(data_dir)
    import_text(data_dir, FOUR_STEPS)
    close_database()


def read_acknowledgements(
    output: str, acknowledged: dict[tuple[str, str], object], done: set[str]
) -> None:
    """Add the child's ACK lines (session, field -> value) and DONE lines (sessions)."""
    for line in output.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "ACK":
            session_id, _step_id, answers = rest.split(" ", 2)
            for field_id, value in json.loads(answers).items():
                acknowledged[(session_id, field_id)] = value
        elif kind == "DONE":
            done.add(rest)


def lost_acknowledgements(
    path: Path, acknowledged: dict[tuple[str, str], object], done: set[str]
) -> list[object]:
    """The acknowledged answers and completions that the database does not hold."""
    stored = stored_sessions(path)
    lost: list[object] = [
        key
        for key, value in acknowledged.items()
        if key[0] not in stored or stored[key[0]].answers.get(key[1]) != value
    ]
    lost += [s for s in done if s not in stored or not stored[s].is_completed]
    return lost


def test_killed_at_random_moments_no_acknowledged_answer_is_lost(
    data_dir: Path, reliability_report: Callable[[str], None]
) -> None:
    prepared_store(data_dir)
    rng = random.Random(20261125)
    acknowledged: dict[tuple[str, str], object] = {}
    done: set[str] = set()
    for trial in range(TRIALS):
        child, _ = spawn(data_dir, seed=trial)
        time.sleep(rng.uniform(0, 0.25))
        child.send_signal(signal.SIGKILL)
        output, _ = child.communicate(timeout=30)
        read_acknowledgements(output, acknowledged, done)

    open_database(data_dir)  # the next start after the last kill
    close_database()
    path = database_path(data_dir)
    assert integrity(path) == "ok"
    lost = lost_acknowledgements(path, acknowledged, done)
    assert atomicity_problems(path, {"four-steps": FOUR_STEPS_STEPS}) == []
    stored = stored_sessions(path)
    reliability_report(
        f"crash: trials={TRIALS} sessions={len(stored)} "
        f"acknowledged_answers={len(acknowledged)} completions={len(done)} lost={len(lost)} "
        "integrity=ok atomic=ok (each completed step has its answers; progress, status "
        "and completed count as the stored steps give)"
    )
    assert lost == []


def _repeat_states(path: Path) -> dict[str, dict[str, object]]:
    """Each session's `dependents` count and answers, read with sqlite3."""
    states: dict[str, dict[str, object]] = {}
    for session_id, stored in stored_sessions(path).items():
        answers = {
            k: v for k, v in stored.answers.items() if k.startswith("dependents[") and v is not None
        }
        states[session_id] = {"count": None, "answers": answers}
    with connected(path) as connection:
        for session_id, instances in connection.execute(
            "SELECT session_id, instances FROM session_repeat"
        ):
            states[session_id]["count"] = instances
    return states


def test_killed_while_adding_removing_and_restoring_instances_nothing_is_lost(
    data_dir: Path, reliability_report: Callable[[str], None]
) -> None:
    """Every session holds the state of its last acknowledged write, or of the write
    that was under way: an instance removed or restored is whole or not at all."""
    open_database(data_dir)
    import_text(data_dir, DEPENDENTS, "household.yaml")
    close_database()
    rng = random.Random(20261201)
    acknowledged: dict[str, str] = {}
    pending: dict[str, str] = {}
    trials = max(20, TRIALS // 4)
    for trial in range(trials):
        child, _ = spawn(data_dir, trial, "--repeats")
        time.sleep(rng.uniform(0.05, 0.4))
        child.send_signal(signal.SIGKILL)
        output, _ = child.communicate(timeout=30)
        for line in output.splitlines():
            kind, _, rest = line.partition(" ")
            session_id, _, state = rest.partition(" ")
            if kind == "STATE":
                acknowledged[session_id] = state
                pending.pop(session_id, None)
            elif kind == "NEXT":
                pending[session_id] = state
    open_database(data_dir)
    close_database()
    path = database_path(data_dir)
    assert integrity(path) == "ok"
    stored = _repeat_states(path)
    lost = [
        session_id
        for session_id, state in acknowledged.items()
        if stored.get(session_id)
        not in (
            json.loads(state),
            *([json.loads(pending[session_id])] if session_id in pending else []),
        )
    ]
    reliability_report(
        f"crash with repeats: trials={trials} sessions={len(acknowledged)} "
        f"writes_under_way_at_kill={len(pending)} lost={len(lost)} integrity=ok"
    )
    assert lost == []


def test_a_completion_retried_after_a_lost_acknowledgement_counts_once(
    data_dir: Path, reliability_report: Callable[[str], None]
) -> None:
    prepared_store(data_dir)
    child, _ = spawn(data_dir, 1, "--die-after-completing")
    output, _ = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert "DONE" not in output
    (session_id,) = {line.split()[1] for line in output.splitlines() if line.startswith("ACK")}
    path = database_path(data_dir)
    committed = sum(s.is_completed for s in stored_sessions(path).values())

    open_database(data_dir)
    refused = 0
    try:
        for _ in range(RETRIES):
            try:
                sessions.complete_session(session_id, "four", {"agree": True})
            except sessions.SessionCompletedError:
                refused += 1
    finally:
        close_database()
    stored = stored_sessions(path)[session_id]
    counted = completed_counts(path)["four-steps"]
    reliability_report(
        f"retried completion: committed_unacknowledged={committed} retries={RETRIES} "
        f"refused={refused} counted={counted} status={stored.status} "
        f"progress={stored.progress_percentage:g}"
    )
    assert (committed, refused) == (1, RETRIES)
    assert (stored.status, stored.progress_percentage, counted) == ("completed", 100, 1)
    assert atomicity_problems(path, {"four-steps": FOUR_STEPS_STEPS}) == []
