"""survey-core (SurveyJS's engine, Node) as a test oracle.

`survey_core_dir()` installs the pinned package (package-lock.json beside this file) once per
machine into a temporary folder named after the lock file's hash, with `npm ci`; `run_oracle`
sends one batch of cases to a Node script there and returns its JSON answer. Without Node or
npm the calling test fails and says so: the oracle is part of what the tests check."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_INSTALL_TIMEOUT = 300
_RUN_TIMEOUT = 120


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed: the expression tests compare with survey-core, which "
            "runs in Node (install nodejs and npm)",
            pytrace=False,
        )
    return path


def survey_core_dir() -> Path:
    """A folder with node_modules/survey-core at the pinned version (installed if missing)."""
    lock = (HERE / "package-lock.json").read_bytes()
    digest = hashlib.sha256(lock + (HERE / "package.json").read_bytes()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"wizard-desktop-oracle-{digest}"
    if (target / "node_modules" / "survey-core" / "package.json").is_file():
        return target
    npm = _tool("npm")
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}-", dir=target.parent))
    try:
        shutil.copy(HERE / "package.json", staging / "package.json")
        shutil.copy(HERE / "package-lock.json", staging / "package-lock.json")
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=staging,
            capture_output=True,
            text=True,
            timeout=_INSTALL_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"npm ci of survey-core failed:\n{result.stderr[-2000:]}", pytrace=False)
        try:
            os.rename(staging, target)  # atomic: a parallel run either wins or finds it done
        except OSError:
            if not (target / "node_modules" / "survey-core").is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def run_oracle(script: str, payload: object) -> object:
    """Run tests/oracle/SCRIPT with node in the survey-core folder, PAYLOAD as JSON on stdin."""
    node = _tool("node")
    folder = survey_core_dir()
    shutil.copy(HERE / script, folder / script)
    result = subprocess.run(
        [node, str(folder / script)],
        cwd=folder,
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=_RUN_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"node {script} failed:\n{result.stderr[-2000:]}", pytrace=False)
    return json.loads(result.stdout)
