"""A wizard's statistics through the real widgets: opened from the Wizards tab with
the keyboard, the figures shown are the core's (and the ones worked out by hand), the
charts draw in the palette's colours on light and dark palettes, step titles from the
file are text, Tab goes through the charts to Close and Esc closes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import close_window, make_window
from tests.palettes import dark_palette
from tests.stats_sessions import (
    EXTRA_TITLE,
    STATS_FUNNEL,
    store_stats_sessions,
)
from tests.wizard_files import THREE_STEPS, import_text
from wizard_desktop.core.stats import wizard_stats
from wizard_desktop.core.wizards import import_bundled_wizards
from wizard_desktop.store.database import close_database, open_database
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.dialogs import show_statistics  # the real one, before it is replaced
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.stats_view import FIGURES, StatisticsView, figure_texts


@pytest.fixture
def stats_window(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    """The main window over the sessions of tests/stats_sessions.py, with the real
    statistics dialog (it never blocks: it opens window-modal and returns)."""
    open_database(data_dir)
    import_bundled_wizards()
    store_stats_sessions(data_dir)
    close_database()
    monkeypatch.setattr(dialogs, "show_statistics", show_statistics)
    window = make_window(qtbot, data_dir)
    yield window
    close_window(qtbot, window)
    window.shutdown()
    close_database()


@pytest.fixture
def app_palette() -> Iterator[QApplication]:
    """Whatever palette a test sets for the app is undone after it."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = QPalette(app.palette())
    yield app
    app.setPalette(before)


def open_statistics(qtbot: QtBot, window: MainWindow) -> tuple[QDialog, StatisticsView]:
    """Select "Skipping" (the last title) and press Alt+A, keyboard only."""
    wizards = window.wizards_view.wizard_list
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts act in the active window
    wizards.setFocus()
    QTest.keyClick(wizards, Qt.Key.Key_End)
    assert window.wizards_view.selected_wizard_id() == "skipping"
    QTest.keyClick(wizards, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    # A button's mnemonic clicks it after its pressed look (animateClick).
    qtbot.waitUntil(lambda: window.findChild(QDialog, "statisticsDialog") is not None)
    dialog = window.findChild(QDialog, "statisticsDialog")
    qtbot.waitExposed(dialog)
    view = dialog.findChild(StatisticsView)
    assert view is not None
    qtbot.waitUntil(lambda: view.stats is not None)
    return dialog, view


def test_the_figures_shown_are_the_cores_and_the_keyboard_works(
    qtbot: QtBot, stats_window: MainWindow
) -> None:
    dialog, view = open_statistics(qtbot, stats_window)
    assert dialog.windowTitle() == "Statistics — Skipping"
    core = wizard_stats("skipping")
    assert view.stats == core
    shown = {name: dialog.findChild(QLabel, name).text() for name, _ in FIGURES}
    assert shown == figure_texts(core)
    assert shown == {
        "statStarted": "7",
        "statCompleted": "4",
        "statRate": "57 %",
        "statInProgress": "3",
        "statMedian": "1 min 40 s",
        "statP90": "5 min 0 s",
    }
    funnel = view.funnel
    drawn = [(s.step_id, s.title, s.reached, s.waiting, s.in_latest) for s in funnel.steps]
    assert drawn == STATS_FUNNEL
    assert funnel.title_text(funnel.steps[1]) == EXTRA_TITLE  # markup from the file, as text
    assert funnel.title_text(funnel.steps[3]) == "End (older versions)"
    assert funnel.figures_text(funnel.steps[1]) == "4 · 57 % · 1 stopped"
    description = funnel.accessibleDescription()
    assert f"{EXTRA_TITLE}: 4 of 7 sessions (57 %), 1 stopped here" in description
    assert view.weekly.weeks == core.weeks
    plot = view.weekly.plot_area()  # a bar's tooltip names its week
    assert view.weekly.week_at(plot.left()) == core.weeks[0]
    assert view.weekly.week_at(plot.right()) == core.weeks[-1]
    assert view.weekly.week_at(plot.left() - 1) is None
    assert view.weekly.accessibleDescription().endswith(
        f"4 completed; the most in {max(core.weeks, key=lambda w: w.completed).label} (2)"
    )
    for name, what in FIGURES:
        assert dialog.findChild(QLabel, name).accessibleName() == what

    # Tab goes funnel -> weekly chart -> Close; Esc closes.
    funnel.setFocus()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view.weekly
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    close = QApplication.focusWidget()
    assert isinstance(close, QPushButton) and close.text() == "Close"
    QTest.keyClick(close, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: stats_window.findChild(QDialog, "statisticsDialog") is None)


def _lightness(colour: QColor) -> int:
    return colour.lightness()


def _most_contrast(image: QImage, background: QColor) -> int:
    """The largest lightness difference of any pixel from `background`."""
    base = _lightness(background)
    return max(
        abs(_lightness(image.pixelColor(x, y)) - base)
        for x in range(image.width())
        for y in range(image.height())
    )


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_charts_and_figures_read_on_light_and_dark_palettes(
    qtbot: QtBot, stats_window: MainWindow, app_palette: QApplication, dark: bool
) -> None:
    if dark:
        app_palette.setPalette(dark_palette())
    _dialog, view = open_statistics(qtbot, stats_window)
    palette = view.palette()
    assert (palette.color(QPalette.ColorRole.Window).lightness() < 128) is dark
    base = palette.color(QPalette.ColorRole.Base)
    highlight = palette.color(QPalette.ColorRole.Highlight)

    chart = view.funnel.grab().toImage()
    row = view.funnel.row_height()
    middle = 8 + row // 2  # the first row (MARGIN above it) reached by every session
    assert chart.pixelColor(2, 2) == base
    assert chart.pixelColor(chart.width() // 2, middle) == highlight
    assert _most_contrast(chart, base) > 100  # its text stands out from the background

    weekly = view.weekly.grab().toImage()
    plot = view.weekly.plot_area()
    assert weekly.pixelColor(2, 2) == base
    assert any(
        weekly.pixelColor(x, plot.bottom() - 2) == highlight
        for x in range(plot.left(), plot.right())
    )
    for name, _ in FIGURES:
        label = view.findChild(QLabel, name)
        background = label.palette().color(label.backgroundRole())
        assert _most_contrast(label.grab().toImage(), background) > 100, name


def test_a_wizard_without_sessions_and_one_removed_meanwhile(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    open_database(data_dir)
    import_bundled_wizards()
    wizard_id = import_text(tmp_path, THREE_STEPS)
    host = QWidget()
    qtbot.addWidget(host)
    empty = StatisticsView(wizard_id, "Three Steps", host)
    qtbot.waitUntil(lambda: empty.stats is not None)
    assert empty.findChild(QLabel, "statStarted").text() == "0"
    assert empty.findChild(QLabel, "statMedian").text() == "—"
    assert [s.reached for s in empty.funnel.steps] == [0, 0, 0]
    assert empty.weekly.accessibleDescription() == "No completed sessions yet"

    gone = StatisticsView("no-such-wizard", "Gone", host)
    status = gone.findChild(QLabel, "statisticsStatus")
    qtbot.waitUntil(lambda: status.text().startswith("The statistics could not be read"))
    assert status.text() == (
        "The statistics could not be read: No wizard with id 'no-such-wizard'."
    )
    assert gone.stats is None
    close_database()
