"""The wizards in the store: the bundled files are imported once per distinct set of
files, and the list reads step counts and version counts from the stored rows."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.wizard_files import FOUR_STEPS, THREE_STEPS, import_text
from wizard_desktop.core import sessions, wizards
from wizard_desktop.core.wizards import (
    definition_of_version,
    import_bundled_wizards,
    latest_version_id,
    list_wizards,
)
from wizard_desktop.definition.loader import WizardFileError, load_wizard_file
from wizard_desktop.paths import bundled_wizards_dir
from wizard_desktop.store.database import close_database, open_database
from wizard_desktop.store.models import Wizard, WizardVersion


@pytest.fixture
def bundled_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled wizards folder that the test may change."""
    folder = tmp_path / "bundled"
    shutil.copytree(bundled_wizards_dir(), folder)
    monkeypatch.setattr(wizards, "bundled_wizards_dir", lambda: folder)
    return folder


def test_bundled_files_are_parsed_again_only_when_they_change(
    data_dir: Path, bundled_copy: Path
) -> None:
    open_database(data_dir)
    first = import_bundled_wizards()
    assert sorted(r.wizard_id for r in first) == sorted(w.id for w in list_wizards())
    assert all(r.created for r in first)

    assert import_bundled_wizards() == []  # the same files: nothing parsed, nothing written

    laptop = bundled_copy / "laptop-config.yaml"
    laptop.write_text(laptop.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    again = import_bundled_wizards()
    assert len(again) == len(first)
    assert not any(r.created for r in again)  # same definitions: no new versions

    laptop.write_text(
        laptop.read_text(encoding="utf-8").replace("title: Laptop Config", "title: Laptop Setup"),
        encoding="utf-8",
    )
    changed = {r.wizard_id: r.created for r in import_bundled_wizards()}
    assert changed["laptop-config"] is True
    summary = next(w for w in list_wizards() if w.id == "laptop-config")
    assert (summary.title, summary.version) == ("Laptop Setup", 2)
    assert import_bundled_wizards() == []


def test_a_new_bundled_file_is_imported(data_dir: Path, bundled_copy: Path) -> None:
    open_database(data_dir)
    import_bundled_wizards()
    (bundled_copy / "three-steps.yaml").write_text(THREE_STEPS, encoding="utf-8")
    assert [r.wizard_id for r in import_bundled_wizards() if r.created] == ["three-steps"]
    assert "three-steps" in {w.id for w in list_wizards()}


def test_a_file_with_problems_leaves_the_fingerprint_unrecorded(
    data_dir: Path, bundled_copy: Path
) -> None:
    """A broken bundled file fails the import, and the next start tries again."""
    open_database(data_dir)
    (bundled_copy / "broken.yaml").write_text("format_version: 1\nid: [\n", encoding="utf-8")
    with pytest.raises(WizardFileError, match=r"broken\.yaml"):
        import_bundled_wizards()
    (bundled_copy / "broken.yaml").unlink()
    assert import_bundled_wizards() != []


def test_the_list_has_each_wizards_latest_step_count_and_versions(store: Path) -> None:
    four = import_text(store, FOUR_STEPS)
    import_text(store, FOUR_STEPS.replace("title: Four Steps", "title: Four Steps, again"))
    import_text(store, THREE_STEPS)
    Wizard.update(completed_count=3).where(Wizard.id == four).execute()

    listed = {w.id: w for w in list_wizards()}
    for wizard in Wizard.select():
        definition = definition_of_version(latest_version_id(wizard.id))
        assert listed[wizard.id].step_count == len(definition.steps)
        assert listed[wizard.id].version == (
            WizardVersion.select().where(WizardVersion.wizard == wizard.id).count()
        )
    assert (listed[four].title, listed[four].version, listed[four].completed_count) == (
        "Four Steps, again",
        2,
        3,
    )
    titles = [w.title for w in list_wizards()]
    assert titles == sorted(titles)


def test_a_version_stored_by_an_earlier_app_still_opens(store: Path, tmp_path: Path) -> None:
    """The limits of files from someone else came after some wizards were stored: a
    stored version that exceeds them (a 300-character title, a step title with a tab)
    still reads back, so its sessions open and export; the same text as a file is
    refused."""
    session = sessions.start_session("laptop-config")
    sessions.save_draft(session.id, {"full_name": "Jane Doe"})
    version = WizardVersion.get(WizardVersion.wizard == "laptop-config")
    definition = dict(version.definition)
    definition["title"] = "T" * 300
    definition["steps"] = [{**definition["steps"][0], "title": "Basics\tfirst"}]
    definition["steps"] += version.definition["steps"][1:]
    WizardVersion.update(definition=definition).where(WizardVersion.id == version.id).execute()
    close_database()
    result = subprocess.run(
        [sys.executable, "-m", "wizard_desktop", "--data-dir", str(store), "export", session.id],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["answers"] == {"full_name": "Jane Doe"}
    as_file = tmp_path / "old.json"
    as_file.write_text(json.dumps(definition), encoding="utf-8")
    with pytest.raises(WizardFileError) as refused:
        load_wizard_file(as_file)
    assert "title: too long (300 characters); the limit is 200" in str(refused.value)
