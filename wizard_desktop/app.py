"""Entry points: `main(argv)` (what `wizard-desktop` and `python -m wizard_desktop` run)
and `create_main_window(data_dir)`, which builds the main window on an existing
QApplication. Qt is imported only when the GUI starts, so headless commands stay fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wizard_desktop import __version__
from wizard_desktop.cli import build_parser, run_command
from wizard_desktop.core.wizards import import_bundled_wizards
from wizard_desktop.paths import data_dir
from wizard_desktop.store.database import open_database
from wizard_desktop.store.errors import StorageError

if TYPE_CHECKING:
    from wizard_desktop.ui.main_window import MainWindow

APP_DISPLAY_NAME = "Wizard Desktop"


def create_main_window(folder: Path) -> MainWindow:
    """Open (and migrate) the database in `folder`, import the bundled wizards and
    build the main window. Needs a QApplication; raises StorageError or OSError."""
    from wizard_desktop.ui.main_window import MainWindow

    open_database(folder)
    import_bundled_wizards()
    return MainWindow(folder)


def run_gui(folder: Path) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("wizard-desktop")
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    try:
        window = create_main_window(folder)
    except (StorageError, OSError) as exc:
        QMessageBox.critical(
            None, APP_DISPLAY_NAME, f"Wizard Desktop cannot open its data in {folder}.\n\n{exc}"
        )
        return 1
    window.show()
    return app.exec()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "handler", None) is not None:
        return run_command(args)
    return run_gui(data_dir(args.data_dir))
