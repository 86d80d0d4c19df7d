"""Every write the GUI makes goes through the window's one runner: with another process
holding the SQLite write lock, renames, deletions, templates and imports made from
the real widgets wait off the UI thread, the status bar says what is waiting and
why, and each is stored exactly once when the lock is released."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import ticking
from tests.sqlite_lock import release, write_lock_held_by_another_process
from tests.wizard_files import FOUR_STEPS, THREE_STEPS, import_text
from wizard_desktop.core.sessions import complete_session, save_step, start_session
from wizard_desktop.core.templates import export_template, list_templates, save_as_template
from wizard_desktop.operations import Call, Change, OperationRunner
from wizard_desktop.store.models import Answer, Session, WizardVersion
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.main_window import MainWindow

LOCK_HELD_S = 3.0


def completed_session(wizard_id: str, name: str) -> str:
    session_id = start_session(wizard_id, name).id
    save_step(session_id, "a", {"a1": "first"})
    save_step(session_id, "b", {"b1": "second"})
    complete_session(session_id, "c", {"c1": "third"})
    return session_id


def click(view: object, name: str) -> None:
    button = view.findChild(QPushButton, name)  # type: ignore[attr-defined]
    assert button is not None and button.isEnabled(), name
    button.click()


@pytest.mark.reliability
def test_gui_writes_wait_for_a_held_lock_off_the_ui_thread_and_are_stored_once(
    qtbot: QtBot,
    window: MainWindow,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reliability_report: Callable[[str], None],
) -> None:
    wizard_id = import_text(tmp_path, THREE_STEPS)
    to_rename = start_session(wizard_id, "Rename me").id
    to_delete = completed_session(wizard_id, "Delete me")
    to_template = completed_session(wizard_id, "Template me")
    shared = tmp_path / "shared.json"
    export_template(save_as_template(to_template, "Shared").id, shared)
    document = json.loads(shared.read_text(encoding="utf-8"))
    document["answers"]["a1"] = "a colleague's"  # not a duplicate of a template here
    shared.write_text(json.dumps(document), encoding="utf-8")
    wizard_file = tmp_path / "four.yaml"
    wizard_file.write_text(FOUR_STEPS, encoding="utf-8")
    templates_before = len(list_templates())

    names = {"Rename the session to:": "Renamed", "Save these answers": "Standard"}
    monkeypatch.setattr(
        dialogs,
        "ask_name",
        lambda _p, prompt, _c, **_: next(v for k, v in names.items() if k in prompt),
    )
    monkeypatch.setattr(dialogs, "confirm_delete", lambda _p, _q, **_: True)
    monkeypatch.setattr(dialogs, "ask_open_paths", lambda _p, _t, _f: [shared])
    sessions = window.sessions_view
    window.tabs.setCurrentWidget(sessions)

    with write_lock_held_by_another_process(data_dir) as locker, ticking() as gaps:
        locked_at = time.monotonic()
        assert sessions.select_session(to_rename)
        click(sessions, "renameButton")
        assert sessions.select_session(to_template)
        click(sessions, "saveAsTemplateButton")
        assert sessions.select_session(to_delete)
        click(sessions, "deleteButton")
        window.import_wizard_files([wizard_file])
        window.tabs.setCurrentWidget(window.templates_view)
        click(window.templates_view, "importTemplateButton")

        status = window.findChild(QLabel, "operationStatus")
        assert isinstance(status, QLabel)
        qtbot.waitUntil(lambda: "retrying" in status.text(), timeout=5000)
        waiting = status.text()
        assert "another program is writing the database" in waiting
        for what in (
            "the new name of the session “Rename me”",
            "the template “Standard”",
            "the deletion of the session “Delete me”",
            "the wizard file four.yaml",
            "the template file shared.json",
        ):
            assert what in waiting, waiting
        retry = window.findChild(QPushButton, "retryOperationsButton")
        assert retry is not None and retry.isVisible()
        qtbot.waitUntil(lambda: time.monotonic() - locked_at >= LOCK_HELD_S, timeout=10_000)
        assert Session.get_by_id(to_rename).name == "Rename me"  # nothing stored yet
        release(locker)
        qtbot.waitUntil(lambda: not window.operations.has_unsaved(), timeout=30_000)
        qtbot.waitUntil(lambda: status.text() == "")

    longest = max(gaps)
    assert longest < 100, f"the UI thread stalled for {longest} ms"
    assert Session.get_by_id(to_rename).name == "Renamed"
    assert Session.get_or_none(Session.id == to_delete) is None
    assert Answer.select().where(Answer.session == to_delete).count() == 0
    names_stored = [t.name for t in list_templates()]
    assert len(names_stored) == templates_before + 2
    assert names_stored.count("Standard") == 1 and names_stored.count("Shared") == 2
    assert WizardVersion.select().where(WizardVersion.wizard == "four-steps").count() == 1
    # The views show what was stored.
    assert window.wizards_view.selected_wizard_id() == "four-steps"
    assert sessions.model.row_of(to_delete) is None
    row = sessions.model.row_of(to_rename)
    assert row is not None and sessions.model.index(row, 0).data() == "Renamed"
    assert window.templates_view.templates_list.topLevelItemCount() == templates_before + 2
    assert not retry.isVisible()
    reliability_report(
        f"GUI writes during a {LOCK_HELD_S:.0f} s lock: 5 queued (rename, template, delete, "
        f"wizard import, template import), UI ticks={len(gaps)} longest gap={longest} ms, "
        "each stored once after release"
    )


def test_a_refused_operation_is_dropped_and_the_queue_goes_on(
    qtbot: QtBot, operations: OperationRunner, store: Path
) -> None:
    refused: list[str] = []
    stored: list[str] = []
    changes: list[Change] = []
    operations.operationDidExecute.connect(changes.append)

    def refuse() -> None:
        raise LookupError("gone")

    operations.run(
        Call(
            "a refused write",
            refuse,
            failed=lambda e: refused.append(str(e)),
            refused_by=(LookupError,),
        )
    )
    operations.run(
        Call(
            "a stored write",
            lambda: "done",
            changes=lambda _r: Change(wizards=True),
            done=stored.append,
        )
    )
    with qtbot.waitSignal(operations.allSaved, timeout=5000):
        pass
    assert refused == ["gone"] and stored == ["done"]
    assert changes == [Change(wizards=True)]
    assert operations.state()[0] == "saved"


def test_a_bug_is_reported_once_and_kept_until_retried(
    qtbot: QtBot, operations: OperationRunner, store: Path
) -> None:
    attempts: list[int] = []

    def fails_once() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("a bug")
        return "stored"

    with qtbot.waitSignal(operations.error) as reported:
        operations.run(Call("the thing", fails_once))
    assert "Could not save the thing: a bug" in reported.args[0]
    with qtbot.assertNotEmitted(operations.error, wait=300):
        pass
    assert operations.has_unsaved() and operations.state()[0] == "failed"
    with qtbot.waitSignal(operations.allSaved, timeout=5000):
        operations.retry_now()
    assert len(attempts) == 2 and not operations.has_unsaved()
