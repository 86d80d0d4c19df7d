"""Templates: the answers of a completed session kept under a name, used to pre-fill
new sessions of the same wizard. Export and import as JSON files for sharing."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard_desktop.core.output_files import check_output_target, write_output_file
from wizard_desktop.core.sessions import SessionInfo, load_session, start_session
from wizard_desktop.core.wizards import UnknownWizardError, definition_of_version, latest_version_id
from wizard_desktop.definition.answers import type_problem
from wizard_desktop.definition.model import AnswerValue, WizardDefinition
from wizard_desktop.store.database import storage_errors, write_transaction
from wizard_desktop.store.models import Template, Wizard

TEMPLATE_FILE_FORMAT = "wizard-desktop-template"
TEMPLATE_FILE_VERSION = 1


class TemplateNotFoundError(LookupError):
    def __init__(self, template_id: int) -> None:
        super().__init__(f"No template with id {template_id}.")


class TemplateFileError(ValueError):
    """A template file that cannot be imported; the message says why, for a person."""


@dataclass(frozen=True)
class TemplateInfo:
    id: int
    name: str
    wizard_id: str
    wizard_title: str
    answers: dict[str, AnswerValue]
    source_session_id: str | None
    created_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "wizard_id": self.wizard_id,
            "wizard_title": self.wizard_title,
            "source_session_id": self.source_session_id,
            "created_at": self.created_at.isoformat(),
            "answer_count": len(self.answers),
        }


@dataclass(frozen=True)
class StartedFromTemplate:
    session: SessionInfo
    dropped_field_ids: tuple[str, ...]
    """Template answers left out: their fields no longer exist or changed type."""


def _clean_name(name: str) -> str:
    clean = name.strip()
    if not clean:
        raise ValueError("A template name cannot be empty.")
    return clean


def _info(row: Template) -> TemplateInfo:
    return TemplateInfo(
        id=row.id,
        name=row.name,
        wizard_id=row.wizard_id,
        wizard_title=row.wizard.title,
        answers=dict(row.answers),
        source_session_id=row.source_session_id,
        created_at=row.created_at,
    )


def get_template(template_id: int) -> TemplateInfo:
    with storage_errors():
        row = (
            Template.select(Template, Wizard).join(Wizard).where(Template.id == template_id).first()
        )
    if row is None:
        raise TemplateNotFoundError(template_id)
    return _info(row)


def list_templates() -> list[TemplateInfo]:
    with storage_errors():
        rows = list(
            Template.select(Template, Wizard).join(Wizard).order_by(Template.name, Template.id)
        )
    return [_info(row) for row in rows]


def save_as_template(session_id: str, name: str) -> TemplateInfo:
    """Keep a completed session's answers (those of the steps on its path) as a template."""
    clean = _clean_name(name)
    state = load_session(session_id)
    if not state.info.is_completed:
        raise ValueError("Only a completed session can be saved as a template.")
    with write_transaction():
        row = Template.create(
            name=clean,
            wizard=state.info.wizard_id,
            answers=dict(state.path.answers),
            source_session_id=session_id,
        )
    return get_template(row.id)


def applicable_answers(
    definition: WizardDefinition, answers: dict[str, AnswerValue]
) -> tuple[dict[str, AnswerValue], tuple[str, ...]]:
    """The answers that still fit `definition`, and the ids of those dropped."""
    kept: dict[str, AnswerValue] = {}
    dropped: list[str] = []
    for field_id, value in answers.items():
        field = definition.field(field_id)
        if field is None or type_problem(field, value) is not None:
            dropped.append(field_id)
        else:
            kept[field_id] = value
    return kept, tuple(dropped)


def start_from_template(template_id: int, name: str | None = None) -> StartedFromTemplate:
    """A new session of the template's wizard (latest version), pre-filled."""
    template = get_template(template_id)
    definition = definition_of_version(latest_version_id(template.wizard_id))
    kept, dropped = applicable_answers(definition, template.answers)
    session = start_session(template.wizard_id, name, prefill=kept, template_id=template_id)
    return StartedFromTemplate(session, dropped)


def rename_template(template_id: int, name: str) -> TemplateInfo:
    clean = _clean_name(name)
    with write_transaction():
        if Template.update(name=clean).where(Template.id == template_id).execute() != 1:
            raise TemplateNotFoundError(template_id)
    return get_template(template_id)


def delete_template(template_id: int) -> None:
    with write_transaction():
        if Template.delete().where(Template.id == template_id).execute() != 1:
            raise TemplateNotFoundError(template_id)


def export_template(
    template_id: int, destination: str | os.PathLike[str], *, overwrite: bool = False
) -> None:
    """Write the template as a template file. Refuses the app's own files and, unless
    `overwrite`, an existing file (see `output_files`)."""
    target = Path(destination)
    check_output_target(target, overwrite=overwrite)
    template = get_template(template_id)
    document = {
        "format": TEMPLATE_FILE_FORMAT,
        "format_version": TEMPLATE_FILE_VERSION,
        "name": template.name,
        "wizard_id": template.wizard_id,
        "answers": template.answers,
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    write_output_file(target, text, overwrite=overwrite)


def import_template(source: str | os.PathLike[str]) -> TemplateInfo:
    """Read a template file; refuse it (TemplateFileError, nothing stored) when it is not
    one, names an unknown wizard, or holds answers that do not fit that wizard."""
    path = Path(source)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TemplateFileError(f"{path}: cannot read a template file: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != TEMPLATE_FILE_FORMAT:
        raise TemplateFileError(f"{path}: not a Wizard Desktop template file.")
    if document.get("format_version") != TEMPLATE_FILE_VERSION:
        raise TemplateFileError(
            f"{path}: unsupported template format_version {document.get('format_version')!r}."
        )
    name, wizard_id, answers = (
        document.get("name"),
        document.get("wizard_id"),
        document.get("answers"),
    )
    if not isinstance(name, str) or not name.strip():
        raise TemplateFileError(f"{path}: the template has no name.")
    if not isinstance(wizard_id, str) or not isinstance(answers, dict):
        raise TemplateFileError(f"{path}: the template needs a wizard_id and an answers object.")
    try:
        definition = definition_of_version(latest_version_id(wizard_id))
    except UnknownWizardError as exc:
        raise TemplateFileError(
            f"{path}: the template is for wizard {wizard_id!r}, which is not installed."
        ) from exc
    kept, dropped = applicable_answers(definition, answers)
    if dropped:
        raise TemplateFileError(
            f"{path}: answers that do not fit wizard {wizard_id!r}: {', '.join(sorted(dropped))}."
        )
    with write_transaction():
        row = Template.create(name=name.strip(), wizard=wizard_id, answers=kept)
    return get_template(row.id)
