"""Write docs/screenshots/statistics-light.png and statistics-dark.png: the statistics
of a bundled wizard (two years of generated sessions) at the dialog's default size, on
Qt's default palette and on a dark one, rendered offscreen.

    .venv/bin/python tools/screenshots_stats.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QDeadlineTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QDialog

from benchmarks.table_first_screen import generate_sessions
from tests.palettes import dark_palette
from wizard_desktop.core.wizards import import_bundled_wizards, list_wizards
from wizard_desktop.store.database import close_database, open_database
from wizard_desktop.ui.dialogs import show_statistics
from wizard_desktop.ui.stats_view import StatisticsView

ROOT = Path(__file__).resolve().parents[1]
SESSION_COUNT = 3000
WIZARD_ID = "employee-onboarding"


def shot(palette: QPalette, path: Path) -> None:
    """The dialog on `palette`, set for the whole app before it opens (as a desktop
    theme is)."""
    QApplication.setPalette(palette)
    wizard = next(w for w in list_wizards() if w.id == WIZARD_ID)
    dialog: QDialog = show_statistics(None, wizard.id, wizard.title)
    view = dialog.findChild(StatisticsView)
    deadline = QDeadlineTimer(10_000)
    while view.stats is None and not deadline.hasExpired():
        QApplication.processEvents()
    QApplication.processEvents()
    if not dialog.grab().save(str(path)):
        raise OSError(f"cannot write {path}")
    dialog.close()
    QApplication.processEvents()
    print(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as folder:
        open_database(Path(folder))
        import_bundled_wizards()
        generate_sessions(SESSION_COUNT, seed=7)
        shot(QPalette(app.palette()), args.out / "statistics-light.png")
        shot(dark_palette(), args.out / "statistics-dark.png")
        close_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
