"""The main window's wizards view, built the way `make run` builds it."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from wizard_desktop.app import create_main_window
from wizard_desktop.store.database import close_database


def test_wizard_list_shows_the_bundled_wizards_with_steps_and_counts(
    qtbot: QtBot, data_dir: Path
) -> None:
    window = create_main_window(data_dir)
    qtbot.addWidget(window)
    try:
        window.show()
        wizard_list = window.findChild(type(window.wizards_view.wizard_list), "wizardList")
        assert wizard_list is not None
        rows = {
            wizard_list.topLevelItem(i).text(0): (
                wizard_list.topLevelItem(i).text(1),
                wizard_list.topLevelItem(i).text(2),
            )
            for i in range(wizard_list.topLevelItemCount())
        }
        assert rows["Laptop Config"] == ("4", "0")
        assert len(rows) == 3
        assert wizard_list.currentItem() is not None
        assert window.wizards_view.title_label.text() == wizard_list.currentItem().text(0)
    finally:
        close_database()
