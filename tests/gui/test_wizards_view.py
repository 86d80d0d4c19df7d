"""The wizards view shows text from wizard files as plain text (a title that is HTML
cannot load images or files) and removes a wizard after a confirmation that names
what goes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTextBrowser
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import close_window, make_window
from tests.wizard_files import THREE_STEPS, import_text
from wizard_desktop.core.sessions import complete_session, save_step, start_session
from wizard_desktop.core.templates import list_templates, save_as_template
from wizard_desktop.core.wizards import import_bundled_wizards, list_wizards
from wizard_desktop.store.database import close_database, open_database
from wizard_desktop.store.models import Answer, Session
from wizard_desktop.ui import dialogs

HOSTILE_TITLE = '<img src="/dev/zero">'
# The description is Markdown that may hold images and raw HTML: none of it is loaded.
HOSTILE = THREE_STEPS.replace("id: three-steps", "id: hostile").replace(
    "title: Three Steps",
    f"title: '{HOSTILE_TITLE}'\ndescription: '{HOSTILE_TITLE} ![zero](/dev/zero) Plain words.'",
)


def test_a_title_that_is_html_is_shown_as_text_and_the_wizard_can_be_removed(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert HOSTILE_TITLE in HOSTILE
    open_database(data_dir)
    import_bundled_wizards()
    wizard_id = import_text(tmp_path, HOSTILE)
    session_id = start_session(wizard_id, "Run").id
    save_step(session_id, "a", {"a1": "x"})
    save_step(session_id, "b", {"b1": "y"})
    complete_session(session_id, "c", {"c1": "z"})
    save_as_template(session_id, "From the hostile one")
    close_database()

    window = make_window(qtbot, data_dir)  # it sorts first and is selected at start
    view = window.wizards_view
    assert view.selected_wizard_id() == wizard_id
    title = window.findChild(QLabel, "wizardTitle")
    assert title is not None and title.text() == HOSTILE_TITLE
    assert title.textFormat() is Qt.TextFormat.PlainText
    item = view.wizard_list.currentItem()
    assert item.text(0) == HOSTILE_TITLE
    assert "<img" not in item.toolTip(0) and "&lt;img" in item.toolTip(0)
    description = window.findChild(QTextBrowser, "wizardDescription")
    assert description is not None
    shown = description.toPlainText()
    assert HOSTILE_TITLE in shown and "Plain words." in shown  # raw HTML is shown as text

    questions: list[str] = []
    monkeypatch.setattr(dialogs, "confirm_delete", lambda _p, q, **_: questions.append(q) or True)
    remove = window.findChild(QPushButton, "removeWizardButton")
    assert remove is not None and remove.isEnabled()
    remove.click()
    assert questions == [
        f"Remove the wizard “{HOSTILE_TITLE}” with its 1 imported version, 1 template "
        "and 1 session with all their answers?"
    ]
    qtbot.waitUntil(lambda: view.selected_wizard_id() != wizard_id)
    assert wizard_id not in {w.id for w in list_wizards()}
    assert Session.select().where(Session.id == session_id).count() == 0
    assert Answer.select().where(Answer.session == session_id).count() == 0
    assert list_templates() == []
    close_window(qtbot, window)


def test_removing_is_cancelled_by_the_confirmation(
    qtbot: QtBot, window: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = window.wizards_view  # type: ignore[attr-defined]
    before = [w.id for w in list_wizards()]
    monkeypatch.setattr(dialogs, "confirm_delete", lambda _p, _q, **_: False)
    view.findChild(QPushButton, "removeWizardButton").click()
    qtbot.wait(200)
    assert [w.id for w in list_wizards()] == before
