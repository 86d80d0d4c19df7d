"""Packaging pieces that run without building a bundle: the launcher installer and the
Qt trimming rules shared by build.spec and the bare benchmark bundle. (`.ci/run`
builds the real bundle and runs its --self-test.)"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from bundling.pyinstaller_qt import trim

ROOT = Path(__file__).resolve().parent.parent


def test_install_desktop_puts_a_launcher_and_icons_in_the_users_menu(tmp_path: Path) -> None:
    bundle = tmp_path / "WizardDesktop"
    (bundle / "_internal").mkdir(parents=True)
    shutil.copytree(ROOT / "resources", bundle / "_internal" / "resources")
    executable = bundle / "WizardDesktop"
    executable.write_text("#!/bin/sh\n")
    executable.chmod(0o755)
    data_home = tmp_path / "share"
    result = subprocess.run(
        ["sh", str(ROOT / "bundling" / "install-desktop.sh"), str(bundle)],
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_DATA_HOME": str(data_home)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    desktop = (data_home / "applications" / "wizard-desktop.desktop").read_text()
    assert f'Exec="{executable}"' in desktop
    assert "Icon=wizard-desktop" in desktop
    assert (data_home / "icons/hicolor/256x256/apps/wizard-desktop.png").is_file()


def test_install_desktop_refuses_a_missing_bundle(tmp_path: Path) -> None:
    result = subprocess.run(
        ["sh", str(ROOT / "bundling" / "install-desktop.sh"), str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "share")},
        check=False,
    )
    assert result.returncode == 1
    assert "make app" in result.stderr


class FakeAnalysis:
    def __init__(self, names: list[str]) -> None:
        self.binaries = [(name, "/src/" + name, "BINARY") for name in names]
        self.datas: list[tuple[str, str, str]] = []


def test_trimming_keeps_the_platforms_and_drops_what_the_app_never_loads() -> None:
    kept = [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so",
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/lib/libQt6WaylandClient.so.6",
    ]
    dropped = [
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/Qt/lib/libQt6Quick.so.6",
        "PySide6/Qt/lib/libQt6Qml.so.6",
    ]
    analysis = FakeAnalysis(kept + dropped)
    trim(analysis)
    assert [b[0] for b in analysis.binaries] == kept
