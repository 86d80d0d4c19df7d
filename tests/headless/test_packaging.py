"""Packaging pieces that run without building a bundle: the launcher installer, the
Qt trimming shared by build.spec and the bare benchmark bundle, and the declaration of
the libraries a bundle ships. (`.ci/run` builds the real bundle, checks its libraries
with `python -m bundling.libraries` and runs its --self-test.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bundling.archive import archive_packages
from bundling.libraries import (
    SPEC,
    bundle_problems,
    declaration_problems,
    origins,
    read_declaration,
)
from bundling.pyinstaller_qt import (
    SHIPPED_PLUGINS,
    plugin_key,
    shipped_libraries,
    trim,
)

ROOT = Path(__file__).resolve().parents[2]


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


QT = "PySide6/Qt/"
GLIBC = ["libc.so.6", "libm.so.6"]
# What the binaries below need (DT_NEEDED), as in PySide6 6.11 and Debian 12.
NEEDS: dict[str, list[str]] = {
    "libQt6Core.so.6": ["libglib-2.0.so.0", *GLIBC],
    "libQt6Gui.so.6": ["libQt6Core.so.6", "libX11.so.6", "libGL.so.1", *GLIBC],
    "libQt6Widgets.so.6": ["libQt6Gui.so.6", "libQt6Core.so.6", *GLIBC],
    "libQt6OpenGL.so.6": ["libQt6Gui.so.6", *GLIBC],
    "libQt6EglFSDeviceIntegration.so.6": ["libQt6OpenGL.so.6", "libEGL.so.1", *GLIBC],
    "QtWidgets.abi3.so": ["libQt6Widgets.so.6", *GLIBC],
    "libqxcb.so": ["libQt6Gui.so.6", "libxcb-icccm.so.4", "libxcb.so.1", *GLIBC],
    "libqeglfs.so": ["libQt6EglFSDeviceIntegration.so.6", *GLIBC],
    "libqgtk3.so": ["libgtk-3.so.0", "libcairo.so.2", "libpango-1.0.so.0", "libQt6Gui.so.6"],
    "libgtk-3.so.0": ["libatk-1.0.so.0", "libXi.so.6", "libcairo.so.2", *GLIBC],
    "libcairo.so.2": ["libX11.so.6", "libpixman-1.so.0", *GLIBC],
    "libpango-1.0.so.0": ["libglib-2.0.so.0", *GLIBC],
    "libglib-2.0.so.0": [*GLIBC],
    "libX11.so.6": ["libxcb.so.1", *GLIBC],
}


def analysis_toc(destinations: list[str]) -> list[tuple[str, str, str]]:
    """A PyInstaller binaries TOC: (destination, source, typecode)."""
    kinds = {True: "EXTENSION", False: "BINARY"}
    return [(d, "/src/" + d, kinds[d.endswith(".abi3.so")]) for d in destinations]


class Analysis:
    def __init__(self, destinations: list[str]) -> None:
        self.binaries = analysis_toc(destinations)
        self.datas: list[tuple[str, str, str]] = []
        self.pure: list[tuple[str, str, str]] = []


def needed_by(source: str) -> list[str]:
    return NEEDS.get(source.rsplit("/", 1)[-1], [])


FRESH_MACHINE = [
    "PySide6/QtWidgets.abi3.so",
    QT + "lib/libQt6Core.so.6",
    QT + "lib/libQt6Gui.so.6",
    QT + "lib/libQt6Widgets.so.6",
    QT + "lib/libQt6OpenGL.so.6",
    QT + "lib/libQt6EglFSDeviceIntegration.so.6",
    QT + "plugins/platforms/libqxcb.so",
    QT + "plugins/platforms/libqeglfs.so",
    QT + "plugins/platformthemes/libqgtk3.so",
    "libglib-2.0.so.0",
    "libX11.so.6",
    "libxcb-icccm.so.4",
    # present without GTK (other packages pull them in), so copied for the GTK3 theme
    "libcairo.so.2",
    "libpango-1.0.so.0",
    "libpixman-1.so.0",
]
# The same Analysis after `apt-get install libgtk-3-0`: GTK and what only it needs.
GTK_MACHINE = [*FRESH_MACHINE, "libgtk-3.so.0", "libatk-1.0.so.0", "libXi.so.6"]


def trimmed(destinations: list[str]) -> list[str]:
    analysis = Analysis(destinations)
    trim(analysis, needed_by)
    return [entry[0] for entry in analysis.binaries]


def test_trimming_keeps_the_declared_plugins_and_what_they_need() -> None:
    assert trimmed(FRESH_MACHINE) == [
        "PySide6/QtWidgets.abi3.so",
        QT + "lib/libQt6Core.so.6",
        QT + "lib/libQt6Gui.so.6",
        QT + "lib/libQt6Widgets.so.6",
        QT + "plugins/platforms/libqxcb.so",
        "libglib-2.0.so.0",
        "libX11.so.6",
        "libxcb-icccm.so.4",
    ]


def test_the_printers_plugin_ships_without_the_systems_printing_libraries() -> None:
    """libcups (and what only it needs) is the system's: the plugin stays, they go."""
    plugin = QT + "plugins/printsupport/libcupsprintersupport.so"
    needs = {
        **NEEDS,
        "libcupsprintersupport.so": ["libcups.so.2", "libQt6Widgets.so.6", *GLIBC],
        "libcups.so.2": ["libgnutls.so.30", "libavahi-client.so.3", *GLIBC],
    }
    analysis = Analysis([*FRESH_MACHINE, plugin, "libcups.so.2", "libgnutls.so.30"])
    trim(analysis, lambda source: needs.get(source.rsplit("/", 1)[-1], []))
    kept = [entry[0] for entry in analysis.binaries]
    assert kept == [*trimmed(FRESH_MACHINE), plugin]


def test_a_build_machine_with_gtk_installed_gives_the_same_bundle() -> None:
    assert trimmed(GTK_MACHINE) == trimmed(FRESH_MACHINE)


def test_the_declared_plugins_and_no_others_are_kept() -> None:
    shipped = [
        QT + f"plugins/{key.split('/')[0]}/lib{key.split('/')[1]}.so" for key in SHIPPED_PLUGINS
    ]
    dropped = [
        QT + "plugins/platforms/libqvnc.so",
        QT + "plugins/platforms/libqeglfs.so",
        QT + "plugins/platformthemes/libqgtk3.so",
        QT + "plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
        QT + "plugins/imageformats/libqjpeg.so",
        QT + "plugins/tls/libqopensslbackend.so",
        QT + "plugins/xcbglintegrations/libqxcb-glx-integration.so",
        QT + "plugins/wayland-shell-integration/libwl-shell-plugin.so",
    ]
    assert trimmed(shipped + dropped) == shipped
    assert plugin_key(QT + "plugins/platforms/libqxcb.so") == "platforms/qxcb"
    assert plugin_key(QT + "lib/libQt6Gui.so.6") is None


def test_translations_and_qml_are_dropped_from_the_data() -> None:
    analysis = Analysis([])
    analysis.datas = [
        (QT + "translations/qtbase_de.qm", "/src/qtbase_de.qm", "DATA"),
        (QT + "qml/QtQuick/qmldir", "/src/qmldir", "DATA"),
        ("resources/icons/wizard-desktop-16.png", "/src/wizard-desktop-16.png", "DATA"),
    ]
    trim(analysis, needed_by)
    assert [d[0] for d in analysis.datas] == ["resources/icons/wizard-desktop-16.png"]


def test_build_spec_declares_every_library_with_its_origin_and_why() -> None:
    declared = read_declaration(SPEC)
    assert {"libQt6Network.so.6", "libgssapi_krb5.so.2", "libxcb-icccm.so.4"} <= set(declared)
    assert not {"libssl.so.3", "libcrypto.so.3", "libgtk-3.so.0", "libcairo.so.2"} & set(declared)
    assert all(origin and why for origin, why in declared.values())


def test_a_library_not_declared_or_declared_and_missing_is_named() -> None:
    declared = {
        "libX11.so.6": ("Debian libx11-6", "QtGui"),
        "libxcb-icccm.so.4": ("Debian libxcb-icccm4", "X11"),
    }
    problems = declaration_problems(
        ["libX11.so.6", "libgtk-3.so.0"], origins(declared), "build.spec"
    )
    assert problems == [
        "libgtk-3.so.0: in the bundle but not declared in build.spec (declare it, with why,"
        " or drop what needs it)",
        "libxcb-icccm.so.4: declared in build.spec but not in the bundle"
        " (is Debian libxcb-icccm4 installed?)",
    ]
    analysis = Analysis(
        ["PySide6/QtWidgets.abi3.so", QT + "plugins/platforms/libqxcb.so", "libX11.so.6"]
    )
    assert shipped_libraries(analysis) == {"libX11.so.6"}
    assert declaration_problems(shipped_libraries(analysis), {"libX11.so.6": "x"}, "spec") == []


def copy_from_the_wheel(relative: str, bundle: Path) -> None:
    import PySide6

    source = Path(PySide6.__file__).parent / relative
    (bundle / "_internal" / "PySide6" / relative).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, bundle / "_internal" / "PySide6" / relative)


def test_the_bundle_check_reads_real_binaries_and_names_what_is_wrong(tmp_path: Path) -> None:
    bundle = tmp_path / "Bundle"
    copy_from_the_wheel("Qt/plugins/platformthemes/libqgtk3.so", bundle)
    copy_from_the_wheel("Qt/lib/libQt6DBus.so.6", bundle)
    declared = {
        "libQt6DBus.so.6": ("the wheel", "D-Bus"),
        "libdbus-1.so.3": ("Debian libdbus-1-3", "D-Bus"),
    }
    problems = bundle_problems(bundle, declared, {"platforms/qxcb": "the wheel"}, plugin_key)
    qgtk3 = "_internal/PySide6/Qt/plugins/platformthemes/libqgtk3.so"
    assert f"{qgtk3} needs libgtk-3.so.0: neither shipped nor from the system" in problems
    dbus = "_internal/PySide6/Qt/lib/libQt6DBus.so.6"
    assert f"{dbus} needs libdbus-1.so.3: neither shipped nor from the system" in problems
    assert any(
        p.startswith("platformthemes/qgtk3: in the bundle but not declared") for p in problems
    )
    assert any(
        p.startswith("platforms/qxcb: declared in SHIPPED_PLUGINS but not") for p in problems
    )
    assert any(p.startswith("libdbus-1.so.3: declared in build.spec") for p in problems)
    assert not any("libc.so.6" in p or "libGL.so.1" in p for p in problems), "the system's"


def test_the_bundle_check_command_refuses_a_missing_bundle(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bundling.libraries", str(tmp_path / "missing")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "make app" in result.stderr


def test_archived_packages_move_from_the_files_beside_the_executable_into_the_pyz() -> None:
    analysis = Analysis([])
    analysis.datas = [
        ("pyxform/__init__.pyc", "/work/localpycs/pyxform/__init__.pyc", "DATA"),
        ("pyxform/validators/util.pyc", "/work/localpycs/pyxform/validators/util.pyc", "DATA"),
        ("wizard_desktop/importers/xlsform.pyc", "/work/localpycs/xlsform.pyc", "DATA"),
        ("wizard_desktop/gui.pyc", "/work/localpycs/gui.pyc", "DATA"),
        ("pyxformer/__init__.pyc", "/work/localpycs/pyxformer/__init__.pyc", "DATA"),
        ("lark/grammars/common.lark", "/site/lark/grammars/common.lark", "DATA"),
    ]
    archive_packages(analysis, {"pyxform": "", "lark": "", "wizard_desktop.importers": ""})
    assert analysis.pure == [
        ("pyxform", "/work/localpycs/pyxform/__init__.pyc", "PYMODULE"),
        ("pyxform.validators.util", "/work/localpycs/pyxform/validators/util.pyc", "PYMODULE"),
        ("wizard_desktop.importers.xlsform", "/work/localpycs/xlsform.pyc", "PYMODULE"),
    ]
    assert [d[0] for d in analysis.datas] == [
        "wizard_desktop/gui.pyc",
        "pyxformer/__init__.pyc",  # another package whose name starts alike
        "lark/grammars/common.lark",  # a package's data stays a file
    ]
