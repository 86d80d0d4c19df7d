"""GUI crash test: a child runs the real main window offscreen, starts the
`three-steps` wizard, types into its fields key by key, clicks Next and Finish and
starts new sessions; it is killed with SIGKILL at random moments, just after a Next or
Finish, and once at the end of a long burst of typing. After each kill, read with
sqlite3: every key, step and completion the player showed as "Saved" is stored; a
field holds only text that was typed; and the drafts are at most DRAFT_BOUND_S behind
the typing — every key pressed more than the draft delay (controller.DRAFT_DELAY_MS)
+ 1 s before the kill is stored. The next start (the next child's window, and at the
end the parent's open) succeeds on an intact database whose steps and progress are
whole."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.reliability.crash_checks import (
    THREE_STEPS_STEPS,
    atomicity_problems,
    integrity,
    stored_sessions,
)
from tests.reliability.crash_gui_child import BURST_KEYS
from tests.reliability.test_crash import ROOT, TRIALS
from tests.reliability.test_reliability_startup import start_app_store
from tests.wizard_files import THREE_STEPS, import_text
from wizard_desktop.controller import DRAFT_DELAY_MS
from wizard_desktop.store.database import close_database, open_database
from wizard_desktop.store.files import database_path

pytestmark = pytest.mark.reliability

CHILD = Path(__file__).resolve().parent / "crash_gui_child.py"
# Each kill costs a Qt start-up and a few seconds of typing: one kill per ten trials.
# Half of them at a random moment, half just after a Next or Finish.
KILLS = max(10, TRIALS // 10)
KILL_AFTER_S = (0.3, 8.0)  # after READY; a session takes about 2-10 s
KILL_AFTER_NEXT_S = 0.05
WATCHDOG_S = 60
DRAFT_BOUND_S = DRAFT_DELAY_MS / 1000 + 1.0
FIELD_OF_STEP = {step_id: field_ids[0] for step_id, field_ids in THREE_STEPS_STEPS}
LAST_STEP = THREE_STEPS_STEPS[-1][0]


@dataclass
class GuiRun:
    """What one child said: its keys, and what "Saved" acknowledged."""

    typed: list[tuple[str, str, float, str]] = field(default_factory=list)
    """(session, field, time, the field's text after the key), in order."""
    last_said: str = "READY"
    """What the child said last before the kill (where the kill landed)."""
    acknowledged_texts: dict[tuple[str, str], str] = field(default_factory=dict)
    acknowledged_steps: dict[tuple[str, str], str] = field(default_factory=dict)
    """(session, step) -> the step's field text when Next was clicked."""

    @classmethod
    def parse(cls, output: str) -> GuiRun:
        run = cls()
        texts: dict[tuple[str, str], str] = {}
        steps: dict[tuple[str, str], str] = {}
        for line in output.splitlines():
            kind, *words = line.split(" ", 4)
            run.last_said = kind
            if kind == "TYPED":
                session_id, field_id, at, text = words
                texts[(session_id, field_id)] = json.loads(text)
                run.typed.append((session_id, field_id, float(at), json.loads(text)))
            elif kind == "NEXT":
                session_id, step_id, _at = words
                steps[(session_id, step_id)] = texts[(session_id, FIELD_OF_STEP[step_id])]
            elif kind == "SAVED":
                run.acknowledged_texts = dict(texts)
                run.acknowledged_steps = dict(steps)
        return run


@dataclass
class KillFigures:
    lost: list[str]
    unsaved_typing_s: float
    """From the oldest key press whose text the database does not hold to the kill."""


def check_after_kill(path: Path, run: GuiRun, killed_at: float) -> KillFigures:
    stored = stored_sessions(path)
    lost: list[str] = []

    def held(session_id: str, field_id: str) -> object:
        session = stored.get(session_id)
        return session.answers.get(field_id) if session is not None else None

    for (session_id, field_id), text in run.acknowledged_texts.items():
        value = held(session_id, field_id)
        if not (isinstance(value, str) and value.startswith(text)):
            lost.append(f"{session_id} {field_id}: {text!r} saved, {value!r} stored")
    for (session_id, step_id), text in run.acknowledged_steps.items():
        session = stored.get(session_id)
        if session is None or step_id not in session.completed_step_ids:
            lost.append(f"{session_id}: step {step_id} saved, not stored as completed")
        elif held(session_id, FIELD_OF_STEP[step_id]) != text:
            lost.append(f"{session_id}: step {step_id} saved with {text!r}, not stored so")
        elif step_id == LAST_STEP and not session.is_completed:
            lost.append(f"{session_id}: completion saved, not stored")
    typed_texts: dict[tuple[str, str], set[str]] = {}
    for session_id, field_id, _at, text in run.typed:
        typed_texts.setdefault((session_id, field_id), set()).add(text)
    for (session_id, field_id), texts in typed_texts.items():
        value = held(session_id, field_id)
        assert value is None or value in texts, f"{session_id} {field_id}: {value!r} not typed"
    unsaved = [
        at
        for session_id, field_id, at, text in run.typed
        if not str(held(session_id, field_id) or "").startswith(text)
    ]
    return KillFigures(lost, killed_at - min(unsaved) if unsaved else 0.0)


def spawn_gui(data_dir: Path, seed: int, *extra: str) -> subprocess.Popen[str]:
    """The GUI child, once its window is shown (READY)."""
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(data_dir), str(seed), *extra],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "READY"  # the start after the last kill worked
    return child


def read_until(child: subprocess.Popen[str], kind: str, count: int) -> str:
    """The child's lines up to its `count`-th line of `kind` (a watchdog kills a child
    that stops saying anything for WATCHDOG_S)."""
    assert child.stdout is not None
    said: list[str] = []
    while sum(line.startswith(kind + " ") for line in said) < count:
        watchdog = threading.Timer(WATCHDOG_S, child.kill)
        watchdog.start()
        said.append(child.stdout.readline())
        watchdog.cancel()
        assert said[-1], "the child ended before it got there"
    return "".join(said)


def kill(child: subprocess.Popen[str], already_read: str = "") -> tuple[float, str]:
    """SIGKILL now; returns the time of the kill and all the child said after READY."""
    killed_at = time.monotonic()
    child.send_signal(signal.SIGKILL)
    output, _ = child.communicate(timeout=30)
    return killed_at, already_read + output


@pytest.fixture
def three_steps_store(data_dir: Path) -> Path:
    open_database(data_dir)
    import_text(data_dir, THREE_STEPS)
    close_database()
    return database_path(data_dir)


def test_gui_killed_at_random_moments_loses_nothing_saved(
    data_dir: Path, three_steps_store: Path, reliability_report: Callable[[str], None]
) -> None:
    rng = random.Random(20261201)
    lost: list[str] = []
    worst_unsaved_s = 0.0
    landed: Counter[str] = Counter()
    keys = acknowledged_keys = acknowledged_steps = completions = 0
    for trial in range(KILLS):
        child = spawn_gui(data_dir, trial)
        said = ""
        if trial % 2:  # at a random moment
            time.sleep(rng.uniform(*KILL_AFTER_S))
        else:  # just after a Next or Finish, while its write is (about to be) committed
            said = read_until(child, "NEXT", rng.randint(1, 4))
            time.sleep(rng.uniform(0, KILL_AFTER_NEXT_S))
        killed_at, output = kill(child, said)
        run = GuiRun.parse(output)
        landed[run.last_said] += 1
        assert integrity(three_steps_store) == "ok"
        figures = check_after_kill(three_steps_store, run, killed_at)
        lost += figures.lost
        worst_unsaved_s = max(worst_unsaved_s, figures.unsaved_typing_s)
        keys += len(run.typed)
        acknowledged_keys += sum(len(text) for text in run.acknowledged_texts.values())
        acknowledged_steps += len(run.acknowledged_steps)
        completions += sum(step == LAST_STEP for _, step in run.acknowledged_steps)

    start_app_store(data_dir)  # the next start after the last kill
    assert integrity(three_steps_store) == "ok"
    assert atomicity_problems(three_steps_store, {"three-steps": THREE_STEPS_STEPS}) == []
    where = " ".join(f"{kind}={landed[kind]}" for kind in ("START", "TYPED", "NEXT", "SAVED"))
    reliability_report(
        f"gui kills: kills={KILLS} (trials/10, each a Qt start-up; half at random times, "
        f"half within {KILL_AFTER_NEXT_S * 1000:.0f} ms of a Next) landed after {where} "
        f"sessions={len(stored_sessions(three_steps_store))} keys_typed={keys} "
        f"acknowledged: characters={acknowledged_keys} steps={acknowledged_steps} "
        f"completions={completions} lost={len(lost)} "
        f"unsaved_typing_at_kill_max={worst_unsaved_s:.2f}s "
        f"(bound {DRAFT_BOUND_S:.1f}s = draft delay {DRAFT_DELAY_MS} ms + 1 s: every key "
        "pressed longer ago is stored) integrity=ok atomic=ok"
    )
    assert lost == []
    assert worst_unsaved_s <= DRAFT_BOUND_S


def test_gui_killed_at_the_end_of_a_long_burst_of_typing_keeps_all_but_the_last_second(
    data_dir: Path, three_steps_store: Path, reliability_report: Callable[[str], None]
) -> None:
    child = spawn_gui(data_dir, 1, "--burst")
    killed_at, output = kill(child, read_until(child, "TYPED", BURST_KEYS))
    run = GuiRun.parse(output)
    began = run.typed[0][2]
    figures = check_after_kill(three_steps_store, run, killed_at)
    reliability_report(
        f"gui burst: {BURST_KEYS} keys in {killed_at - began:.1f}s without a pause of "
        f"{DRAFT_DELAY_MS} ms, killed at the last: unsaved_typing={figures.unsaved_typing_s:.2f}s "
        f"(bound {DRAFT_BOUND_S:.1f}s) lost={len(figures.lost)}"
    )
    assert figures.lost == []
    assert figures.unsaved_typing_s <= DRAFT_BOUND_S
