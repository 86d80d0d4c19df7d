"""Where things live on disk: the bundled resources and the user's data folder.

`resources_dir()` is the one lookup for `resources/`, the same from a source checkout
(editable install), an installed wheel (shipped as `wizard_desktop/resources`) and a
PyInstaller bundle (unpacked under `sys._MEIPASS`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "wizard-desktop"
DATA_DIR_ENV = "WIZARD_DESKTOP_DATA_DIR"


def resources_dir() -> Path:
    """The folder holding bundled wizards, icons and the wizard file JSON Schema."""
    bundle_root = getattr(sys, "_MEIPASS", None)
    if bundle_root is not None:
        return Path(bundle_root) / "resources"
    package_dir = Path(__file__).resolve().parent
    installed = package_dir / "resources"
    if installed.is_dir():
        return installed
    return package_dir.parent / "resources"


def bundled_wizards_dir() -> Path:
    return resources_dir() / "wizards"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: `override` (from --data-dir), else $WIZARD_DESKTOP_DATA_DIR,
    else the platform's user data folder."""
    if override:
        return Path(override).expanduser()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
