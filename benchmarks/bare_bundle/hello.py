"""The anchor for the bundle benchmarks: a bare PySide6 window. With --measure-startup
it prints the milliseconds from process start to the window being shown, then quits."""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


def main() -> int:
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("Hello")
    window.resize(960, 640)
    window.show()
    if "--measure-startup" in sys.argv:
        QTimer.singleShot(0, app.quit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
