"""Several processes starting on the same new data folder at once: the migrations run
once, under the write lock; every other process waits and finds the schema ready."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.reliability

ROUNDS = 20


def test_concurrent_first_starts_all_succeed(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("WIZARD_DESKTOP_DATA_DIR", None)
    failures: list[str] = []
    for round_number in range(ROUNDS):
        folder = tmp_path / f"round-{round_number}"
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "wizard_desktop",
                    "--data-dir",
                    str(folder),
                    "wizards",
                    "--json",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for _ in range(2 + round_number % 3)
        ]
        for process in processes:
            out, err = process.communicate(timeout=120)
            if process.returncode != 0:
                failures.append(f"round {round_number}: {err.strip()}")
            else:
                assert {w["id"] for w in json.loads(out)} >= {"laptop-config"}
    assert failures == []
