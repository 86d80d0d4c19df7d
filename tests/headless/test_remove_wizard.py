"""Removing a wizard (core and the `remove-wizard` command): refused while it has
sessions unless asked to take them too; its versions, templates, sessions and
answers go in one transaction, other wizards stay."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.wizard_files import FOUR_STEPS, THREE_STEPS, import_text
from wizard_desktop.core.sessions import complete_session, save_step, start_session
from wizard_desktop.core.templates import list_templates, save_as_template
from wizard_desktop.core.wizards import (
    UnknownWizardError,
    WizardHasSessionsError,
    list_wizards,
    remove_wizard,
)
from wizard_desktop.store.database import close_database
from wizard_desktop.store.models import Answer, Session, WizardVersion

HOSTILE = THREE_STEPS.replace("id: three-steps", "id: hostile").replace(
    "title: Three Steps", "title: '<img src=\"/dev/zero\">'"
)


def completed(wizard_id: str) -> str:
    session_id = start_session(wizard_id).id
    save_step(session_id, "a", {"a1": "x"})
    save_step(session_id, "b", {"b1": "y"})
    complete_session(session_id, "c", {"c1": "z"})
    return session_id


def test_removal_is_refused_while_sessions_exist_unless_asked(store: Path) -> None:
    wizard_id = import_text(store, THREE_STEPS)
    import_text(
        store, THREE_STEPS.replace("label: C1", "label: C one"), name="v2.yaml"
    )  # a second version
    other = import_text(store, FOUR_STEPS, name="four.yaml")
    session_id = completed(wizard_id)
    save_as_template(session_id, "T")
    kept_session = start_session(other).id

    with pytest.raises(WizardHasSessionsError, match="has 1 session"):
        remove_wizard(wizard_id)
    assert wizard_id in {w.id for w in list_wizards()}  # nothing removed

    removed = remove_wizard(wizard_id, with_sessions=True)
    assert (removed.session_ids, removed.templates, removed.versions) == ((session_id,), 1, 2)
    assert wizard_id not in {w.id for w in list_wizards()}
    assert WizardVersion.select().where(WizardVersion.wizard == wizard_id).count() == 0
    assert Answer.select().where(Answer.session == session_id).count() == 0
    assert list_templates() == []
    assert [s.id for s in Session.select()] == [kept_session]
    with pytest.raises(UnknownWizardError):
        remove_wizard(wizard_id)


def test_a_wizard_without_sessions_is_removed_at_once(store: Path) -> None:
    wizard_id = import_text(store, FOUR_STEPS)
    assert remove_wizard(wizard_id).versions == 1
    assert wizard_id not in {w.id for w in list_wizards()}


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wizard_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_remove_wizard_command(store: Path) -> None:
    wizard_id = import_text(store, HOSTILE)
    completed(wizard_id)
    close_database()

    refused = run(store, "remove-wizard", wizard_id)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("wizard-desktop: error: The wizard 'hostile' has 1 session")
    assert len(refused.stderr.splitlines()) == 1

    done = run(store, "remove-wizard", wizard_id, "--with-sessions")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "removed wizard hostile: 1 version(s), 1 session(s), 0 template(s)"
    )
    listed = json.loads(run(store, "wizards", "--json").stdout)
    assert wizard_id not in {w["id"] for w in listed}

    unknown = run(store, "remove-wizard", "no-such-wizard")
    assert unknown.returncode == 1
    assert unknown.stderr == "wizard-desktop: error: No wizard with id 'no-such-wizard'.\n"
