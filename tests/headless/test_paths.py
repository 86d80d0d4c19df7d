"""The one resources lookup works from a checkout and from an installed wheel; the data
folder honours --data-dir and the environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from wizard_desktop import paths

ROOT = Path(__file__).resolve().parents[2]


def test_checkout_finds_the_resources_folder() -> None:
    assert paths.resources_dir() == ROOT / "resources"
    assert sorted(p.name for p in paths.bundled_wizards_dir().iterdir())


def test_data_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "env"))
    assert paths.data_dir(str(tmp_path / "arg")) == tmp_path / "arg"
    assert paths.data_dir(None) == tmp_path / "env"
    monkeypatch.delenv(paths.DATA_DIR_ENV)
    assert paths.data_dir(None).name == paths.APP_NAME


def test_installed_wheel_carries_and_finds_the_resources(tmp_path: Path) -> None:
    source = tmp_path / "source"  # setuptools writes build/ into the tree it builds
    shutil.copytree(
        ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info")
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("wizard_desktop-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "wizard_desktop/resources/wizards/laptop-config.yaml" in names
    assert "wizard_desktop/resources/wizard-format-v1.schema.json" in names
    assert "wizard_desktop/store/migrations/0001_initial.py" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    found = subprocess.run(
        [sys.executable, "-c", "from wizard_desktop import paths; print(paths.resources_dir())"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
    ).stdout.strip()
    assert Path(found) == site / "wizard_desktop" / "resources"
