"""The Qt-free layers stay Qt-free: importing definition/, store/ and core/ (and the
command line) in a fresh interpreter loads no PySide6."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import pkgutil, sys
import wizard_desktop.core, wizard_desktop.definition, wizard_desktop.store
for package in (wizard_desktop.core, wizard_desktop.definition, wizard_desktop.store):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        __import__(module.name)
import wizard_desktop.commands
loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("PySide6", "shiboken6"))
print(",".join(loaded))
"""


def test_importing_the_headless_layers_loads_no_qt() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
