"""What a PyInstaller bundle keeps of Qt: shared by build.spec and the bare benchmark
bundle, so both are trimmed alike. The Qt plugins that ship are listed one by one in
SHIPPED_PLUGINS, with what a user gains from each; every other plugin (and QML, the
translations the app does not load) is dropped, and so is every library that only
dropped binaries needed (see bundling/libraries.py)."""

from __future__ import annotations

import re
from typing import Any

from bundling.libraries import (
    SYSTEM_LIBRARIES,
    NeededBy,
    is_extension_module,
    needed_libraries,
    prune_unreachable,
)

# Qt plugin ("directory/name", without "lib" and ".so") -> what a user gains from it.
SHIPPED_PLUGINS: dict[str, str] = {
    "platforms/qxcb": "the window on X11 desktops",
    "platforms/qwayland": "the window on Wayland desktops (GNOME, KDE, sway)",
    "platforms/qoffscreen": "`--self-test` and runs without a display (CI, ssh)",
    "wayland-shell-integration/xdg-shell": "windows on every desktop Wayland compositor"
    " (wl-shell is obsolete, ivi-shell for cars, fullscreen-shell for kiosks, qt-shell"
    " for Qt's own compositor: dropped)",
    "wayland-decoration-client/adwaita": "title bar and borders on GNOME's Wayland, which"
    " leaves them to the app",
    "wayland-decoration-client/bradient": "the title bar where adwaita is not chosen",
    "platformthemes/qxdgdesktopportal": "the desktop's own file dialogs (import, export)"
    " through xdg-desktop-portal over D-Bus: Qt picks it inside Flatpak and Snap, and"
    " wherever QT_QPA_PLATFORMTHEME=xdgdesktopportal (the GTK3 theme is not shipped:"
    " see build.spec)",
    "platforminputcontexts/composeplatforminputcontextplugin": "dead keys and the"
    " Compose key (accented letters in answers)",
    "platforminputcontexts/ibusplatforminputcontextplugin": "input methods (IBus) for"
    " Chinese, Japanese, Korean… in answers",
    "iconengines/qsvgicon": "the desktop's (SVG) icon theme in dialogs and message boxes",
    "printsupport/cupsprintersupport": "the system's printers in the print dialog (Print…"
    " of a report) through the system's own libcups; where there is none, Qt skips the"
    " plugin and the dialog prints to a PDF file",
}
# Not shipped, by family: other platforms (eglfs, linuxfb, vnc, minimal, vkkhrdisplay);
# OpenGL integrations (xcbglintegrations, wayland-graphics-integration-*: the app's
# widgets are painted in memory and never ask for an OpenGL surface); image formats
# (the app shows PNG only, built into QtGui); TLS backends, network information, SQL
# drivers, generic input (evdev), QML, Designer: nothing of the app uses them.
_PLUGIN = re.compile(
    r"PySide6/(Qt/)?plugins/(?P<dir>[^/]+)/(lib)?(?P<name>[^/]+?)\.(so|dylib|dll)$"
)
_DROPPED_DATA = re.compile(r"PySide6/Qt/(translations|qml)/")

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
    # TLS and OpenSSL's hashes (libssl, libcrypto: 5.4 MB): nothing of ours talks over a
    # network; only logging.handlers' HTTP/SMTP handlers, never used, import ssl, and
    # hashlib's SHA-256 falls back to Python's own _sha256 without _hashlib.
    "ssl",
    "_ssl",
    "_hashlib",
    # Imported only on paths never taken, found by listing sys.modules after the
    # self-test, every import, export and report (2 MB of .pyc and extensions):
    # asyncio and typing_extensions: lark and XlsxWriter import typing_extensions only
    # before Python 3.10 or for type checkers, and only it imports asyncio;
    "typing_extensions",
    "asyncio",
    # processes: concurrent.futures loads ProcessPoolExecutor's module only when it is
    # named (the app runs threads); xmlrpc only for it and for defusedxml's
    # defuse_stdlib(), which nothing calls (pyxform uses defusedxml.minidom);
    "concurrent.futures.process",
    "multiprocessing",
    "xmlrpc",
    "http.server",
    "socketserver",
    # the pure-Python fallback of decimal (the C _decimal ships), shutil's tar archives,
    # logging's SMTP handler, urllib's ftp:// opener (pyxform imports urllib.request for
    # its online validators, never run), random's self-check.
    "_pydecimal",
    "tarfile",
    "smtplib",
    "ftplib",
    "statistics",
    # ctypes (and libffi): only platformdirs' Windows module imports it; PyInstaller's
    # bootstrap imports it at every launch when it ships, to patch its library lookup.
    # termios: getpass's echo-less prompt, with a fallback (lark imports getpass).
    "ctypes",
    "termios",
    # gzip: only tarfile and xmlrpc (above) and defusedxml.xmlrpc (never imported).
    "gzip",
    "defusedxml.xmlrpc",
]


def plugin_key(destination: str) -> str | None:
    """ "platforms/qxcb" for PySide6/Qt/plugins/platforms/libqxcb.so; None for a file
    that is no Qt plugin."""
    match = _PLUGIN.search(destination.replace("\\", "/"))
    return f"{match['dir']}/{match['name']}" if match else None


def _kept(entry: tuple[str, ...]) -> bool:
    key = plugin_key(entry[0])
    return key in SHIPPED_PLUGINS if key is not None else not _DROPPED_DATA.search(entry[0])


def _is_system_library(destination: str) -> bool:
    return SYSTEM_LIBRARIES.fullmatch(destination.replace("\\", "/").rsplit("/", 1)[-1]) is not None


def _is_root(destination: str) -> bool:
    """What is loaded by something else than a DT_NEEDED entry: extension modules (by
    import), Qt plugins (by Qt) and the Python library (by the bootloader)."""
    name = destination.replace("\\", "/").rsplit("/", 1)[-1]
    return is_extension_module(name) or plugin_key(destination) is not None or "libpython" in name


def trim(analysis: Any, needed_by: NeededBy = needed_libraries) -> None:
    """Keep only SHIPPED_PLUGINS of Qt's plugins, drop QML and translations and the
    system's libraries (SYSTEM_LIBRARIES: PyInstaller copies libcups), then every
    library no kept binary needs; in place, on an Analysis' binaries and datas."""
    kept = [b for b in analysis.binaries if _kept(b) and not _is_system_library(b[0])]
    analysis.binaries = prune_unreachable(kept, _is_root, needed_by)
    analysis.datas = [d for d in analysis.datas if _kept(d)]


def plugin_origins() -> dict[str, str]:
    """SHIPPED_PLUGINS' key -> where the build takes it from."""
    return dict.fromkeys(SHIPPED_PLUGINS, "the PySide6-Essentials wheel")


def shipped_plugins(analysis: Any) -> set[str]:
    """The keys ("platforms/qxcb") of an Analysis' Qt plugins."""
    return {key for entry in analysis.binaries if (key := plugin_key(entry[0])) is not None}


def shipped_libraries(analysis: Any) -> set[str]:
    """The file names of an Analysis' libraries: its binaries that are neither Python
    extension modules nor Qt plugins (what build.spec's SHIPPED_LIBRARIES declares)."""
    names = set()
    for destination, _source, _kind in analysis.binaries:
        name = destination.replace("\\", "/").rsplit("/", 1)[-1]
        if not is_extension_module(name) and plugin_key(destination) is None:
            names.add(name)
    return names
