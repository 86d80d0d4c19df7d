"""The packaged app against anchors packaged by the same PyInstaller with the same Qt
trimming (benchmarks/bare_bundle/anchors.spec):

- `bundle_size`: bytes of every file in dist/WizardDesktop/ against build/bare-dist/Hello/
  (a bare PySide6 window).
- `bundle_startup`: launch of the bundle's executable until its first screen is painted
  (logged by the app, see benchmarks/startup.py), against the same first screen from
  plain widgets packaged alike (build/bare-dist/FirstScreen/); the bare window's bundle,
  measured in the same rounds, is printed beside. Offscreen platform (QT_QPA_PLATFORM
  as `make bench` sets it), on a data folder initialised by one unrecorded launch.

The app and the anchors are built when missing or older than their sources (`make app`;
the pyinstaller command below), unless `--no-build`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import (
    ROOT,
    Figure,
    app_launch_to_first_screen_ms,
    interleaved_runs,
    launch_to_shown_ms,
)

APP_DIR = ROOT / "dist" / "WizardDesktop"
APP_EXE = APP_DIR / "WizardDesktop"
BARE_DIR = ROOT / "build" / "bare-dist" / "Hello"
BARE_EXE = BARE_DIR / "Hello"
FIRST_SCREEN_EXE = ROOT / "build" / "bare-dist" / "FirstScreen" / "FirstScreen"
VENV_BIN = ROOT / ".venv" / "bin"
BUILD_APP = ["make", "app"]
BUILD_BARE = [
    str(VENV_BIN / "pyinstaller"),
    "--noconfirm",
    "--log-level",
    "WARN",
    "--distpath",
    "build/bare-dist",
    "--workpath",
    "build/bare-work",
    "benchmarks/bare_bundle/anchors.spec",
]


# What each bundle is built from: a bundle older than any of these is rebuilt.
APP_INPUTS = ("build.spec", "bundling", "wizard_desktop", "resources")
BARE_INPUTS = ("benchmarks/bare_bundle", "bundling/pyinstaller_qt.py")


def newest_input(inputs: tuple[str, ...]) -> float:
    paths = [ROOT / name for name in inputs]
    files = [p for path in paths for p in ([path] if path.is_file() else path.rglob("*"))]
    return max(p.stat().st_mtime for p in files if p.is_file() and "__pycache__" not in p.parts)


def ensure_bundles(build: bool) -> None:
    """Build whichever bundle is missing or older than its inputs (with build=False,
    refuse a missing one and measure a stale one as it is)."""
    for executable, inputs, command in (
        (APP_EXE, APP_INPUTS, BUILD_APP),
        (BARE_EXE, BARE_INPUTS, BUILD_BARE),
        (FIRST_SCREEN_EXE, BARE_INPUTS, BUILD_BARE),
    ):
        stale = executable.exists() and executable.stat().st_mtime < newest_input(inputs)
        if executable.exists() and not (stale and build):
            continue
        if not build:
            raise FileNotFoundError(f"{executable} is missing; build it: {' '.join(command)}")
        print(f"# building {executable.name} ({'stale' if stale else 'missing'})", file=sys.stderr)
        built = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if built.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{built.stdout}{built.stderr}")


def tree_size_mb(folder: Path) -> float:
    """Apparent size of every regular file under `folder` (symlinks not followed)."""
    total = 0
    for directory, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(directory) / name
            if not path.is_symlink():
                total += path.stat().st_size
    return total / 1_000_000


def bundle_size(quick: bool, build: bool = True) -> Figure:
    ensure_bundles(build)
    return Figure(
        "bundle_size",
        "MB",
        1.10,
        [tree_size_mb(APP_DIR)],
        [tree_size_mb(BARE_DIR)],
        "dist/WizardDesktop vs build/bare-dist/Hello (apparent bytes, 10^6 per MB)",
    )


def bundle_startup(quick: bool, build: bool = True) -> Figure:
    ensure_bundles(build)
    platform = os.environ.get("QT_QPA_PLATFORM", "(default)")
    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as folder:
        argv = [str(APP_EXE), "--data-dir", folder]
        bare, first_screen, app = interleaved_runs(
            [
                lambda: launch_to_shown_ms([str(BARE_EXE)]),
                lambda: launch_to_shown_ms([str(FIRST_SCREEN_EXE)]),
                lambda: app_launch_to_first_screen_ms(argv),
            ],
            rounds=5 if quick else 21,
        )
    return Figure(
        "bundle_startup",
        "ms",
        1.15,
        app,
        first_screen,
        "bundle launch -> first screen painted (empty data folder, warmed once);"
        " anchor: the same screen from plain widgets, bundled alike",
        notes=[f"measured on the {platform} platform plugin"],
        second_anchor=("bare window bundle", bare),
    )
