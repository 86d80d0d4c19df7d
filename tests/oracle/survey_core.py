"""survey-core (SurveyJS's engine, Node) as a test oracle.

`survey_core_dir()` installs the pinned package (package-lock.json beside this file) once per
machine into a temporary folder named after the lock file's hash, with `npm ci`; `run_oracle`
sends one batch of cases to a Node script there and returns its JSON answer. Without Node or
npm the calling test fails and says so: the oracle is part of what the tests check.
`npm_folder` and `run_node` do the same for any pinned folder (tests/oracle/openrosa.py)."""

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
_NEEDS = "the expression tests compare with survey-core"


def _tool(name: str, needs: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed: {needs}, which runs in Node (install nodejs and npm)",
            pytrace=False,
        )
    return path


def survey_core_dir() -> Path:
    """A folder with node_modules/survey-core at the pinned version (installed if missing)."""
    return npm_folder(HERE, "survey-core", "wizard-desktop-oracle", _NEEDS)


def run_oracle(script: str, payload: object) -> object:
    """Run tests/oracle/SCRIPT with node in the survey-core folder, PAYLOAD as JSON on stdin."""
    return run_node(survey_core_dir(), HERE / script, payload, _NEEDS)


def npm_folder(source: Path, package: str, prefix: str, needs: str) -> Path:
    """A temporary folder PREFIX-<hash> holding the packages pinned by SOURCE's package.json
    and package-lock.json (`npm ci` once per machine; PACKAGE's package.json marks it done).
    NEEDS says, in a failure, what the tests compare with."""
    lock = (source / "package-lock.json").read_bytes()
    digest = hashlib.sha256(lock + (source / "package.json").read_bytes()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"{prefix}-{digest}"
    if (target / "node_modules" / package / "package.json").is_file():
        return target
    npm = _tool("npm", needs)
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}-", dir=target.parent))
    try:
        shutil.copy(source / "package.json", staging / "package.json")
        shutil.copy(source / "package-lock.json", staging / "package-lock.json")
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=staging,
            capture_output=True,
            text=True,
            timeout=_INSTALL_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"npm ci of {package} failed:\n{result.stderr[-2000:]}", pytrace=False)
        try:
            os.rename(staging, target)  # atomic: a parallel run either wins or finds it done
        except OSError:
            if not (target / "node_modules" / package).is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def run_node(folder: Path, script: Path, payload: object, needs: str) -> object:
    """Run SCRIPT (copied into FOLDER, beside its node_modules) with node, PAYLOAD as JSON
    on stdin; its stdout read as JSON."""
    node = _tool("node", needs)
    shutil.copy(script, folder / script.name)
    result = subprocess.run(
        [node, str(folder / script.name)],
        cwd=folder,
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=_RUN_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"node {script.name} failed:\n{result.stderr[-2000:]}", pytrace=False)
    return json.loads(result.stdout)
