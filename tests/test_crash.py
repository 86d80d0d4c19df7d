"""Crash tests: a child process saving steps through the core is killed with SIGKILL at
random moments; every acknowledged answer must survive, the database stay intact, and
progress and completed counts stay consistent. Also: a completion whose
acknowledgement was lost is retried and counted exactly once."""

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

from tests.wizard_files import FOUR_STEPS, import_text
from wizard_desktop.core import sessions
from wizard_desktop.core.sessions import progress_percentage
from wizard_desktop.store.database import close_database, open_database
from wizard_desktop.store.models import Session, Wizard

pytestmark = pytest.mark.reliability

CHILD = Path(__file__).resolve().parent / "crash_child.py"
TRIALS = int(os.environ.get("WIZARD_DESKTOP_CRASH_TRIALS", "100"))
ROOT = CHILD.parent.parent


def spawn(data_dir: Path, seed: int, *extra: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(data_dir), str(seed), *extra],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "READY"
    return child


def prepared_store(data_dir: Path) -> None:
    open_database(data_dir)
    import_text(data_dir, FOUR_STEPS)
    close_database()


def test_killed_at_random_moments_no_acknowledged_answer_is_lost(
    data_dir: Path, reliability_report: Callable[[str], None]
) -> None:
    prepared_store(data_dir)
    rng = random.Random(20261125)
    acknowledged: dict[tuple[str, str], object] = {}
    done: set[str] = set()
    for trial in range(TRIALS):
        child = spawn(data_dir, seed=trial)
        time.sleep(rng.uniform(0, 0.25))
        child.send_signal(signal.SIGKILL)
        output, _ = child.communicate(timeout=30)
        for line in output.splitlines():
            kind, _, rest = line.partition(" ")
            if kind == "ACK":
                session_id, _step_id, answers = rest.split(" ", 2)
                for field_id, value in json.loads(answers).items():
                    acknowledged[(session_id, field_id)] = value
            elif kind == "DONE":
                done.add(rest)

    open_database(data_dir)
    try:
        db = Session._meta.database
        assert db.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
        lost = [
            key
            for key, value in acknowledged.items()
            if sessions.load_session(key[0]).answers.get(key[1]) != value
        ]
        all_sessions = sessions.list_sessions()
        for info in all_sessions:
            state = sessions.load_session(info.id)
            expected = (
                100.0
                if info.is_completed
                else progress_percentage(state.path, info.completed_step_ids)
            )
            assert info.progress_percentage == expected, info
        completed = [s for s in all_sessions if s.is_completed]
        assert done <= {s.id for s in completed}
        assert Wizard.get_by_id("four-steps").completed_count == len(completed)
    finally:
        close_database()
    reliability_report(
        f"crash: trials={TRIALS} sessions={len(all_sessions)} "
        f"acknowledged_answers={len(acknowledged)} lost={len(lost)} integrity=ok"
    )
    assert lost == []


def test_a_completion_retried_after_a_lost_acknowledgement_counts_once(
    data_dir: Path, reliability_report: Callable[[str], None]
) -> None:
    prepared_store(data_dir)
    child = spawn(data_dir, 1, "--die-after-completing")
    output, _ = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert "DONE" not in output
    (session_id,) = {line.split()[1] for line in output.splitlines() if line.startswith("ACK")}

    open_database(data_dir)
    try:
        with pytest.raises(sessions.SessionCompletedError):  # the retry changes nothing
            sessions.complete_session(session_id, "four", {"agree": True})
        info = sessions.get_session(session_id)
        count = Wizard.get_by_id("four-steps").completed_count
    finally:
        close_database()
    reliability_report(f"retried completion: completions=2 counted={count} status={info.status}")
    assert (info.status, info.progress_percentage, count) == ("completed", 100, 1)
