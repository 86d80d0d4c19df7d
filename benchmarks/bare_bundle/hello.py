"""The anchor for the startup benchmarks: a bare PySide6 main window. With
WIZARD_DESKTOP_STARTUP_PROBE set it prints "shown <CLOCK_MONOTONIC seconds>" when the
window is first painted and quits, exactly as the app does (wizard_desktop/app.py)."""

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


class FirstPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            print(f"shown {time.monotonic():.6f}", flush=True)
            watched.removeEventFilter(self)
            QTimer.singleShot(0, QApplication.quit)
        return False


def main() -> int:
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("Hello")
    window.resize(960, 640)
    if os.environ.get("WIZARD_DESKTOP_STARTUP_PROBE"):
        window.installEventFilter(FirstPaint(window))
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
