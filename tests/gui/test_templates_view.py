"""The templates view on a real database: save a completed session as a template from
the sessions view, start a pre-filled session from it, rename, delete, export and
import (a template of an unknown wizard is refused, nothing stored)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import find, press_next, type_into, wait_saved
from tests.wizard_files import THREE_STEPS, import_text
from wizard_desktop.core.sessions import complete_session, load_session, save_step, start_session
from wizard_desktop.core.templates import delete_template, list_templates
from wizard_desktop.operations import OperationRunner
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.sessions_view import SessionsView
from wizard_desktop.ui.templates_view import EMPTY_TEXT, TemplatesView

ANSWERS = {"a1": "first", "b1": "second", "c1": "third"}


@pytest.fixture
def completed_id(store: Path) -> str:
    wizard_id = import_text(store, THREE_STEPS)
    session_id = start_session(wizard_id, "Finished run").id
    save_step(session_id, "a", {"a1": ANSWERS["a1"]})
    save_step(session_id, "b", {"b1": ANSWERS["b1"]})
    complete_session(session_id, "c", {"c1": ANSWERS["c1"]})
    return session_id


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    shown: dict[str, list[str]] = {"error": [], "info": []}
    monkeypatch.setattr(dialogs, "show_error", lambda parent, text: shown["error"].append(text))
    monkeypatch.setattr(dialogs, "show_info", lambda parent, text: shown["info"].append(text))
    return shown


def make_view(qtbot: QtBot, operations: OperationRunner) -> TemplatesView:
    view = TemplatesView(operations)
    qtbot.addWidget(view)
    view.show()
    return view


def button(view: QWidget, name: str) -> QPushButton:
    found = view.findChild(QPushButton, name)
    assert found is not None, name
    return found


def save_template(
    qtbot: QtBot, session_id: str, monkeypatch: pytest.MonkeyPatch, operations: OperationRunner
) -> int:
    """Through the sessions view's button, as a person does it."""
    sessions = SessionsView(operations)
    qtbot.addWidget(sessions)
    monkeypatch.setattr(dialogs, "ask_name", lambda parent, prompt, suggestion, **_: "Standard")
    assert sessions.select_session(session_id)
    with qtbot.waitSignal(sessions.templateSaved) as saved:
        button_ = sessions.findChild(QPushButton, "saveAsTemplateButton")
        assert button_ is not None and button_.isEnabled()
        button_.click()
    template_id: int = saved.args[0]
    return template_id


def test_save_as_template_then_start_from_it_prefills(
    qtbot: QtBot,
    completed_id: str,
    monkeypatch: pytest.MonkeyPatch,
    messages: dict[str, list[str]],
    operations: OperationRunner,
) -> None:
    view = make_view(qtbot, operations)
    assert view.stack.currentWidget() is view.empty_label
    assert view.empty_label.text() == EMPTY_TEXT
    assert not button(view, "startFromTemplateButton").isEnabled()

    template_id = save_template(qtbot, completed_id, monkeypatch, operations)
    view.reload(select_id=template_id)
    item = view.templates_list.topLevelItem(0)
    assert [item.text(0), item.text(1)] == ["Standard", "Three Steps"]
    assert item.text(2)  # the creation date, local time
    assert button(view, "startFromTemplateButton").isEnabled()

    with qtbot.waitSignal(view.sessionStarted) as started:
        button(view, "startFromTemplateButton").click()
    state = load_session(started.args[0])
    assert state.answers == ANSWERS
    assert state.info.status == "in_progress" and state.info.template_id == template_id
    assert messages == {"error": [], "info": []}  # nothing was dropped: nothing to say


def test_start_tells_which_answers_were_dropped(
    qtbot: QtBot,
    store: Path,
    completed_id: str,
    monkeypatch: pytest.MonkeyPatch,
    messages: dict[str, list[str]],
    operations: OperationRunner,
) -> None:
    template_id = save_template(qtbot, completed_id, monkeypatch, operations)
    # A new version of the wizard without field c1.
    import_text(store, THREE_STEPS.replace("c1", "c2"), name="v2.yaml")
    view = make_view(qtbot, operations)
    view.reload(select_id=template_id)
    with qtbot.waitSignal(view.sessionStarted) as started:
        button(view, "startFromTemplateButton").click()
    assert load_session(started.args[0]).answers == {"a1": "first", "b1": "second"}
    (info,) = messages["info"]
    assert "c1" in info and "a1" not in info


def test_rename_and_delete(
    qtbot: QtBot,
    completed_id: str,
    monkeypatch: pytest.MonkeyPatch,
    messages: dict[str, list[str]],
    operations: OperationRunner,
) -> None:
    template_id = save_template(qtbot, completed_id, monkeypatch, operations)
    view = make_view(qtbot, operations)
    view.reload(select_id=template_id)
    monkeypatch.setattr(dialogs, "ask_name", lambda parent, prompt, current: "Renamed")
    button(view, "renameTemplateButton").click()
    qtbot.waitUntil(lambda: view.templates_list.topLevelItem(0).text(0) == "Renamed")
    assert [t.name for t in list_templates()] == ["Renamed"]
    assert view.templates_list.topLevelItem(0).text(0) == "Renamed"
    assert view.selected_template() is not None  # still selected after the reload

    monkeypatch.setattr(dialogs, "confirm_delete", lambda parent, question: False)
    button(view, "deleteTemplateButton").click()
    assert len(list_templates()) == 1
    monkeypatch.setattr(dialogs, "confirm_delete", lambda parent, question: True)
    button(view, "deleteTemplateButton").click()
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.empty_label)
    assert list_templates() == []
    assert load_session(completed_id).info.is_completed  # the source session is kept
    assert messages["error"] == []


def test_export_then_import_round_trips(
    qtbot: QtBot,
    completed_id: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    messages: dict[str, list[str]],
    operations: OperationRunner,
) -> None:
    template_id = save_template(qtbot, completed_id, monkeypatch, operations)
    view = make_view(qtbot, operations)
    view.reload(select_id=template_id)
    target = tmp_path / "shared-template.json"
    monkeypatch.setattr(dialogs, "ask_save_path", lambda parent, title, name, filters: target)
    with qtbot.waitSignal(operations.allSaved):
        button(view, "exportTemplateButton").click()
    document = json.loads((tmp_path / "shared-template.json").read_text(encoding="utf-8"))
    assert document["wizard_id"] == "three-steps" and document["answers"] == ANSWERS

    monkeypatch.setattr(
        dialogs,
        "ask_open_paths",
        lambda parent, title, filters: [tmp_path / "shared-template.json"],
    )
    button(view, "importTemplateButton").click()
    qtbot.waitUntil(lambda: len(messages["info"]) == 1)
    assert messages["info"] == [
        "shared-template.json is already there as the template “Standard”; "
        "it was not imported again."
    ]
    assert view.templates_list.topLevelItemCount() == 1  # noticed, not duplicated
    assert [t.id for t in list_templates()] == [template_id]

    delete_template(template_id)  # on a colleague's machine: imported for real
    view.reload()
    assert view.templates_list.topLevelItemCount() == 0
    with qtbot.waitSignal(operations.allSaved):
        button(view, "importTemplateButton").click()
    qtbot.waitUntil(lambda: view.templates_list.topLevelItemCount() == 1)
    imported = view.selected_template()
    assert imported is not None and imported.source_session_id is None  # from the file
    assert imported.answers == ANSWERS
    assert messages["error"] == []
    assert len(messages["info"]) == 1  # everything fitted: nothing more to say


def test_import_of_an_unknown_wizard_is_refused_clearly(
    qtbot: QtBot,
    store: Path,
    monkeypatch: pytest.MonkeyPatch,
    messages: dict[str, list[str]],
    operations: OperationRunner,
) -> None:
    source = store / "other.json"
    source.write_text(
        json.dumps(
            {
                "format": "wizard-desktop-template",
                "format_version": 1,
                "name": "Somebody else's",
                "wizard_id": "not-installed-here",
                "answers": {"x": 1},
            }
        ),
        encoding="utf-8",
    )
    view = make_view(qtbot, operations)
    monkeypatch.setattr(dialogs, "ask_open_paths", lambda parent, title, filters: [source])
    button(view, "importTemplateButton").click()
    qtbot.waitUntil(lambda: len(messages["error"]) == 1)
    (error,) = messages["error"]
    assert "not imported" in error and "not-installed-here" in error and "not installed" in error
    assert list_templates() == []
    assert view.templates_list.topLevelItemCount() == 0


PERSONAL = """\
format_version: 1
id: personal
title: Personal
steps:
  - id: about
    title: About
    fields:
      - {id: name, type: text, label: Your name, required: true, template: false}
      - {id: team, type: text, label: Team}
  - id: confirm
    title: Confirm
    fields:
      - {id: agree, type: boolean, label: I confirm the above, required: true}
"""


def test_a_template_never_prefills_a_confirmation_nor_a_personal_answer(
    qtbot: QtBot, window: MainWindow, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saved from the sessions table and started from the templates tab, as a person
    does it: the new session's editors hold the team, not the previous person's name
    nor their ticked confirmation, and the player says where the answers came from."""
    wizard_id = import_text(data_dir, PERSONAL)
    finished = start_session(wizard_id, "Ada's run").id
    save_step(finished, "about", {"name": "Ada Lovelace", "team": "Platform"})
    complete_session(finished, "confirm", {"agree": True})
    prompts: list[str] = []
    monkeypatch.setattr(
        dialogs, "ask_name", lambda _p, prompt, _c, **_: prompts.append(prompt) or "Team default"
    )
    sessions = window.sessions_view
    window.tabs.setCurrentWidget(sessions)
    assert sessions.select_session(finished)
    with qtbot.waitSignal(sessions.templateSaved):
        button(sessions, "saveAsTemplateButton").click()
    assert "Team: Platform" in prompts[0]
    left_out = prompts[0].split("Left out:", 1)[1]
    assert "Your name" in left_out and "I confirm the above" in left_out

    templates = window.templates_view
    window.tabs.setCurrentWidget(templates)
    templates.reload()
    templates.templates_list.setCurrentItem(templates.templates_list.topLevelItem(0))
    with qtbot.waitSignal(templates.sessionStarted):
        button(templates, "startFromTemplateButton").click()
    player = window.player
    assert player is not None and window.stack.currentWidget() is player
    banner = find(player, "templateBanner", QLabel)
    assert banner.isVisible() and "Team default" in banner.text()  # type: ignore[attr-defined]
    assert find(player, "field_team", QLineEdit).text() == "Platform"  # type: ignore[attr-defined]
    assert find(player, "field_name", QLineEdit).text() == ""  # type: ignore[attr-defined]
    type_into(qtbot, player, "name", "Grace Hopper")
    press_next(qtbot, player)
    assert not find(player, "field_agree", QCheckBox).isChecked()  # type: ignore[attr-defined]
    wait_saved(qtbot, window)
    stored = load_session(player.info.id).answers
    assert stored == {"name": "Grace Hopper", "team": "Platform"}
