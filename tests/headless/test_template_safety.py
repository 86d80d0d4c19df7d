"""Templates that are safe to share, on a real SQLite file: a required boolean (an
attestation) and a `template: false` field are never kept in a template, never
pre-filled from one, never written to a template file and dropped (and named) when a
file carries them; the preview says what a template keeps before it is saved; the
same template file imported twice is noticed, not duplicated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.wizard_files import import_text
from wizard_desktop.core import sessions, templates
from wizard_desktop.definition.model import Field, FieldType
from wizard_desktop.store.models import Template

PERSONAL = """\
format_version: 1
id: personal
title: Personal
steps:
  - id: who
    title: Who
    fields:
      - {id: full_name, type: text, label: Full name, required: true, template: false}
      - {id: team, type: choice, label: Team, options: [ops, dev], required: true}
      - {id: newsletter, type: boolean, label: Newsletter}
  - id: confirm
    title: Confirm
    fields:
      - {id: attest, type: boolean, label: I confirm the above, required: true}
"""
EVERY_ANSWER = {"full_name": "Ada Lovelace", "team": "dev", "newsletter": False, "attest": True}
SHAREABLE = {"team": "dev", "newsletter": False}


@pytest.fixture
def completed(store: Path) -> str:
    import_text(store, PERSONAL)
    info = sessions.start_session("personal", "Ada's start")
    sessions.save_step(
        info.id, "who", {k: EVERY_ANSWER[k] for k in ("full_name", "team", "newsletter")}
    )
    sessions.complete_session(info.id, "confirm", {"attest": True})
    return info.id


def template_file(path: Path, answers: dict[str, object], name: str = "Shared") -> Path:
    document = {
        "format": "wizard-desktop-template",
        "format_version": 1,
        "name": name,
        "wizard_id": "personal",
        "answers": answers,
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_the_preview_says_what_a_template_keeps_and_saving_keeps_just_that(
    completed: str,
) -> None:
    preview = templates.template_preview(completed)
    assert [(field.id, value) for field, value in preview.kept] == list(SHAREABLE.items())
    assert [(field.id, why) for field, why in preview.left_out] == [
        ("full_name", "this field is never kept in a template"),
        ("attest", "a required confirmation is never kept in a template"),
    ]
    assert preview.text() == (
        "The template keeps 2 answers:\n"
        "  Team: dev\n"
        "  Newsletter: No\n"
        "Left out:\n"
        "  Full name (this field is never kept in a template)\n"
        "  I confirm the above (a required confirmation is never kept in a template)"
    )
    saved = templates.save_as_template(completed, "Dev team")
    assert saved.answers == preview.answers == SHAREABLE
    stored = Template.get_by_id(saved.id).answers  # the row itself, read back
    assert stored == SHAREABLE


def test_the_preview_fits_a_dialog_whatever_the_answers() -> None:
    """Long answers are shortened and long lists cut, so the save dialog stays readable."""
    note = Field(id="note", type=FieldType.MULTILINE, label="Note")
    kept = tuple((note, "line\n" * 5_000) for _ in range(50))
    text = templates.TemplatePreview(kept=kept, left_out=()).text()
    lines = text.splitlines()
    assert len(lines) == 1 + templates.PREVIEW_LINES + 1
    assert lines[-1] == f"  … and {50 - templates.PREVIEW_LINES} more"
    assert all(len(line) < 80 for line in lines)


def test_the_preview_of_a_session_in_progress_is_refused(store: Path) -> None:
    import_text(store, PERSONAL)
    info = sessions.start_session("personal")
    with pytest.raises(ValueError, match="completed"):
        templates.template_preview(info.id)


def test_a_template_never_prefills_an_attestation_nor_a_personal_field(
    completed: str,
) -> None:
    # A template stored before the rule, holding every answer of the session.
    old = Template.create(name="Old", wizard="personal", answers=EVERY_ANSWER)
    started = templates.start_from_template(old.id)
    assert started.dropped_field_ids == ()  # not a misfit: a rule, not a changed wizard
    state = sessions.load_session(started.session.id)
    assert state.answers == SHAREABLE
    assert state.info.template_id == old.id


def test_a_template_file_never_carries_them(completed: str, tmp_path: Path) -> None:
    old = Template.create(name="Old", wizard="personal", answers=EVERY_ANSWER)
    target = tmp_path / "old.json"
    templates.export_template(old.id, target)
    assert json.loads(target.read_text(encoding="utf-8"))["answers"] == SHAREABLE


def test_importing_a_file_that_carries_them_drops_them_and_says_so(
    store: Path, tmp_path: Path
) -> None:
    import_text(store, PERSONAL)
    imported = templates.import_template(template_file(tmp_path / "t.json", EVERY_ANSWER))
    assert imported.template.answers == SHAREABLE
    assert set(imported.dropped) == {"full_name", "attest"}
    notice = imported.notice("t.json")
    assert notice is not None
    assert notice.startswith("t.json was imported as the template “Shared”.")
    assert "full_name (this field is never kept in a template)" in notice
    assert "attest (a required confirmation is never kept in a template)" in notice


def test_the_same_template_file_imported_twice_is_noticed_not_duplicated(
    store: Path, tmp_path: Path
) -> None:
    import_text(store, PERSONAL)
    path = template_file(tmp_path / "t.json", SHAREABLE)
    first = templates.import_template(path)
    assert (first.already_there, first.notice("t.json")) == (False, None)
    again = templates.import_template(path)
    assert again.already_there and again.template.id == first.template.id
    assert again.notice("t.json") == (
        "t.json is already there as the template “Shared”; it was not imported again."
    )
    # "Same" is the same wizard with the same answers, whatever the name or order.
    renamed = dict(reversed(list(SHAREABLE.items())))
    other_name = templates.import_template(template_file(tmp_path / "u.json", renamed, "Copy"))
    assert other_name.template.id == first.template.id
    # The attestation is dropped first: what remains is the same template.
    with_attestation = template_file(tmp_path / "v.json", {**SHAREABLE, "attest": True})
    assert templates.import_template(with_attestation).template.id == first.template.id
    different = templates.import_template(template_file(tmp_path / "w.json", {"team": "ops"}))
    assert not different.already_there
    assert [t.name for t in templates.list_templates()] == ["Shared", "Shared"]
    assert len({t.id for t in templates.list_templates()}) == 2


def test_a_saved_template_exported_and_imported_again_is_already_there(
    completed: str, tmp_path: Path
) -> None:
    saved = templates.save_as_template(completed, "Dev team")
    target = tmp_path / "dev.json"
    templates.export_template(saved.id, target)
    again = templates.import_template(target)
    assert (again.already_there, again.template.id) == (True, saved.id)
    assert [t.id for t in templates.list_templates()] == [saved.id]


def test_a_file_whose_answers_no_longer_all_fit_imports_what_fits_and_names_the_rest(
    store: Path, tmp_path: Path
) -> None:
    import_text(store, PERSONAL)
    answers = {"team": "qa", "newsletter": True, "retired_field": "x"}
    imported = templates.import_template(template_file(tmp_path / "t.json", answers))
    assert imported.template.answers == {"newsletter": True}
    assert set(imported.dropped) == {"team", "retired_field"}
    notice = imported.notice("t.json")
    assert notice is not None and "retired_field (no such field)" in notice and "team (" in notice


def test_a_left_out_field_id_from_the_file_cannot_disguise_the_notice(
    store: Path, tmp_path: Path
) -> None:
    import_text(store, PERSONAL)
    answers = {"team": "dev", "evil\u202e\nid": "x"}
    notice = templates.import_template(template_file(tmp_path / "t.json", answers)).notice("t")
    assert notice is not None and "\u202e" not in notice and "\n" not in notice
    assert "evil\\u202e\\nid (no such field)" in notice
