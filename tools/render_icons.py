"""Render resources/icons/wizard-desktop.svg to the PNG sizes desktops and PyInstaller
use. Run after editing the SVG: QT_QPA_PLATFORM=offscreen python tools/render_icons.py"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 32, 48, 64, 128, 256)


def main() -> None:
    app = QGuiApplication([])
    renderer = QSvgRenderer(str(ICONS / "wizard-desktop.svg"))
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        image.save(str(ICONS / f"wizard-desktop-{size}.png"))
        if size == 256:  # the Windows executable's icon (PyInstaller's EXE icon=)
            image.save(str(ICONS / "wizard-desktop.ico"))
    app.quit()


if __name__ == "__main__":
    main()
