"""Write docs/screenshots/sessions.png and templates.png: the sessions and templates
views on a throwaway database with ~40 sessions of the bundled wizards (mixed
statuses and progress) and a few templates, rendered offscreen; then, with two years
of sessions more, statistics-light.png and statistics-dark.png: a wizard's statistics
at the dialog's default size on Qt's default palette and on a dark one.

    .venv/bin/python tools/screenshots_views.py [--out docs/screenshots]
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
from PySide6.QtWidgets import QApplication, QWidget

from benchmarks.table_first_screen import generate_sessions
from tests.palettes import dark_palette
from wizard_desktop.core.sessions import list_sessions
from wizard_desktop.core.templates import save_as_template
from wizard_desktop.core.wizards import import_bundled_wizards
from wizard_desktop.store.database import close_database, open_database
from wizard_desktop.ui.dialogs import show_statistics
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.stats_view import StatisticsView

ROOT = Path(__file__).resolve().parents[1]
SESSION_COUNT = 40
TEMPLATE_NAMES = {
    "laptop-config": "Standard engineering laptop",
    "employee-onboarding": "Sales onboarding, Berlin office",
    "field-showcase": "Every field, sensible defaults",
}
STATISTICS_SESSIONS = 3000
STATISTICS_WIZARD = ("employee-onboarding", "Employee Onboarding")


def save(widget: QWidget, path: Path, size: tuple[int, int]) -> None:
    widget.resize(*size)
    widget.show()
    QApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise OSError(f"cannot write {path}")
    print(path)


def save_statistics(window: QWidget, palette: QPalette, path: Path) -> None:
    """The statistics dialog on `palette`, set for the whole app before it opens (as a
    desktop theme is), once its figures are read."""
    QApplication.setPalette(palette)
    dialog = show_statistics(window, *STATISTICS_WIZARD)
    view = dialog.findChild(StatisticsView)
    deadline = QDeadlineTimer(10_000)
    while view is not None and view.stats is None and not deadline.hasExpired():
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
        generate_sessions(SESSION_COUNT, seed=4)
        for wizard_id, name in TEMPLATE_NAMES.items():
            completed = list_sessions(status="completed", wizard_id=wizard_id)
            if completed:
                save_as_template(completed[0].id, name)

        window = MainWindow(Path(folder))
        sessions = window.sessions_view
        window.tabs.setCurrentWidget(sessions)
        sessions.model.ensure_loaded()  # the table loads when first shown; not yet here
        sessions.select_session(sessions.model.session_at(2).id)  # type: ignore[union-attr]
        save(window, args.out / "sessions.png", (1000, 680))  # the window's default size
        templates = window.templates_view
        templates.templates_list.setCurrentItem(templates.templates_list.topLevelItem(0))
        window.tabs.setCurrentWidget(templates)
        save(window, args.out / "templates.png", (1000, 420))
        generate_sessions(STATISTICS_SESSIONS, seed=7)
        light = QPalette(app.palette())
        save_statistics(window, light, args.out / "statistics-light.png")
        save_statistics(window, dark_palette(), args.out / "statistics-dark.png")
        app.setPalette(light)
        window.controller.shutdown()
        close_database()
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
