"""What a PyInstaller bundle keeps of Qt: shared by build.spec and the bare benchmark
bundle, so both are trimmed alike. Keeps the xcb, Wayland and offscreen platforms,
the platform themes, compose/ibus input, the SVG icon engine; drops the rest
(QML/Quick, virtual keyboard, other platforms, image format plugins for formats the
app never shows, translations it does not load)."""

from __future__ import annotations

import re
from typing import Any

_QT = r"PySide6/Qt/"
_UNUSED_PLUGIN_DIRS = (
    "qmltooling|qmllint|designer|sqldrivers|printsupport|networkinformation|tls|generic"
    "|egldeviceintegrations|imageformats|wayland-graphics-integration-server"
)
_UNUSED_LIBRARIES = (
    "Qml|Quick|Labs|Lottie|VirtualKeyboard|Pdf|Sql|Designer|Help|Test|WaylandCompositor|Wl"
)
DROPPED = [
    re.compile(pattern)
    for pattern in (
        _QT + r"translations/",
        _QT + r"plugins/platforms/lib(?!(qxcb|qwayland.*|qoffscreen)\.so)",
        _QT + r"plugins/platforminputcontexts/libqtvirtualkeyboard",
        _QT + rf"plugins/({_UNUSED_PLUGIN_DIRS})/",
        _QT + r"qml/",
        _QT + rf"lib/libQt6({_UNUSED_LIBRARIES})",
    )
]

# Python modules no bundle of ours needs; PyInstaller would otherwise follow them in.
EXCLUDED_MODULES = [
    "tkinter",
    "unittest",
    "pydoc",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtSql",
    "PySide6.QtOpenGL",
    "PySide6.QtDBus",
]


def _kept(entry: tuple[str, ...]) -> bool:
    destination = entry[0].replace("\\", "/")
    return not any(p.search(destination) for p in DROPPED)


def trim(analysis: Any) -> None:
    """Drop what DROPPED names from an Analysis' binaries and datas, in place."""
    analysis.binaries = [b for b in analysis.binaries if _kept(b)]
    analysis.datas = [d for d in analysis.datas if _kept(d)]
