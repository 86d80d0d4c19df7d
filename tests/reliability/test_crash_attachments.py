"""Crash trials with attachments (the kill -9 harness of test_crash.py): a child stores
drafts whose file answers name new contents, each replacing the last, and is killed at
random moments. Then the files are aged past the sweep's margin (the time a crash's
leftovers wait) and the app starts again: every acknowledged answer is stored as it
was, the content each stored answer names has its row and its file, which hashes to
its SHA-256, and no row or file is left that no answer names (0 lost, 0 missing, 0
orphaned after the sweep)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path

from tests.reliability.crash_checks import connected, integrity, stored_sessions
from tests.reliability.test_crash import spawn
from tests.wizard_files import ATTACH, import_text
from wizard_desktop.store.attachment_files import SWEEP_MARGIN_SECONDS, attachments_dir, files_in
from wizard_desktop.store.database import close_database, open_database
from wizard_desktop.store.files import database_path

TRIALS = min(int(os.environ.get("WIZARD_DESKTOP_CRASH_TRIALS", "100")), 40)


def test_killed_while_storing_attachments_nothing_is_lost_or_orphaned(
    data_dir: Path, reliability_report: Callable[[str], None]
) -> None:
    open_database(data_dir)
    import_text(data_dir, ATTACH)
    close_database()
    rng = random.Random(20261201)
    acknowledged: dict[tuple[str, str], object] = {}
    # A draft may commit and the child die before saying so: the value it tried after
    # its last acknowledged one may be what is stored instead (a newer answer, no loss).
    tried: dict[tuple[str, str], object] = {}
    for trial in range(TRIALS):
        child, _ = spawn(data_dir, trial, "--attachments")
        time.sleep(rng.uniform(0.05, 0.6))
        child.send_signal(signal.SIGKILL)
        output, _ = child.communicate(timeout=30)
        for line in output.splitlines():
            kind, _, rest = line.partition(" ")
            if kind not in ("TRY", "ACK"):
                continue
            session_id, _step, answers = rest.split(" ", 2)
            for field_id, value in json.loads(answers).items():
                if kind == "TRY":
                    tried[(session_id, field_id)] = value
                else:
                    acknowledged[(session_id, field_id)] = value
                    tried.pop((session_id, field_id), None)

    left = list(files_in(attachments_dir(data_dir)))
    then = time.time() - 2 * SWEEP_MARGIN_SECONDS
    for leftover in left:
        os.utime(leftover, (then, then))
    open_database(data_dir)
    close_database()
    path = database_path(data_dir)
    assert integrity(path) == "ok"
    stored = stored_sessions(path)
    lost = [
        key
        for key, value in acknowledged.items()
        if key[0] not in stored
        or stored[key[0]].answers.get(key[1]) not in (value, tried.get(key, value))
    ]
    named = {
        value["sha256"]
        for session in stored.values()
        for value in session.answers.values()
        if isinstance(value, dict)
    }
    with connected(path) as connection:
        rows = {sha for (sha,) in connection.execute("SELECT sha256 FROM attachment")}
    files = {file.name: file for file in files_in(attachments_dir(data_dir))}
    damaged = [
        sha for sha, file in files.items() if hashlib.sha256(file.read_bytes()).hexdigest() != sha
    ]
    missing = (named - rows) | (named - set(files))
    orphaned = (rows - named) | (set(files) - named)
    reliability_report(
        f"crash with attachments: trials={TRIALS} acknowledged_answers={len(acknowledged)} "
        f"contents={len(rows)} files_left_before_sweep={len(left)} lost={len(lost)} "
        f"missing={len(missing)} orphaned_after_sweep={len(orphaned)} damaged={len(damaged)}"
    )
    assert len(acknowledged) > TRIALS, "the children stored answers before they were killed"
    assert lost == [], lost[:5]
    assert missing == set() and orphaned == set() and damaged == []
