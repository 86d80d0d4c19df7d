"""Templates: the answers of a completed session kept under a name, used to pre-fill
new sessions of the same wizard. Export and import as JSON files for sharing.

A template is safe to share: it never keeps (nor pre-fills, nor exports, nor imports)
the answer of a required boolean (an attestation: "I confirm…" is the person's own)
or of a field marked `template: false` (names, dates of birth…); `template_preview()`
says which answers a template made from a session will keep. A template keeps answers
only: never a calculated value (the session started from it computes its own from the
answers, so a value kept would only go stale) and never mentions one in the preview.
Two templates are the same when they are for the same wizard with the same answers:
importing a file whose template is already there stores nothing and says under which
name it is.

A template file comes from someone else: it is read with a size limit, parsed as strict
JSON (no duplicate keys, no NaN or infinities, no number beyond the format's limit, a
bounded nesting), its name must be a plain line of bounded length, and each answer must
pass its field's rules; what does not is dropped and reported."""

from __future__ import annotations

import datetime as dt
import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard_desktop.core.answer_text import format_answer
from wizard_desktop.core.json_input import JsonInputError, read_limited, strict_json
from wizard_desktop.core.output_files import check_output_target, write_output_file
from wizard_desktop.core.sessions import SessionInfo, SessionState, load_session, start_session
from wizard_desktop.core.wizards import UnknownWizardError, definition_of_version, latest_version_id
from wizard_desktop.definition.answers import answer_problem
from wizard_desktop.definition.model import (
    AnswerValue,
    Field,
    FieldType,
    WizardDefinition,
)
from wizard_desktop.definition.problems import shorten
from wizard_desktop.definition.text import terminal_safe
from wizard_desktop.store.database import storage_errors, write_transaction
from wizard_desktop.store.models import Template, Wizard

TEMPLATE_FILE_FORMAT = "wizard-desktop-template"
TEMPLATE_FILE_VERSION = 1
TEMPLATE_FILE_MAX_BYTES = 5_000_000
TEMPLATE_NAME_MAX_CHARS = 200
TEMPLATE_MAX_ANSWERS = 10_000
REPORTED_PROBLEMS = 10
"""How many dropped answers a message names; the rest are counted."""
# Characters that reorder or hide text (bidi embeddings, overrides, isolates, marks).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


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
    """Template answers left out: their fields no longer exist or their rules changed."""


@dataclass(frozen=True)
class ImportedTemplate:
    template: TemplateInfo
    """The template stored, or the one already there (`already_there`)."""
    dropped: dict[str, str]
    """Answers of the file left out, by field id: why each does not fit the wizard or
    is never kept in a template."""
    already_there: bool = False
    """The same template (same wizard, same answers) was there: nothing was stored."""

    def notice(self, file_name: str) -> str | None:
        """What to tell the person about this import beyond "imported"; None if nothing."""
        if self.already_there:
            text = (
                f"{file_name} is already there as the template “{self.template.name}”; "
                "it was not imported again."
            )
        elif self.dropped:
            text = f"{file_name} was imported as the template “{self.template.name}”."
        else:
            return None
        if self.dropped:
            text += f" Left out: {_dropped_text(self.dropped)}."
        return text


@dataclass(frozen=True)
class TemplatePreview:
    """What a template made from a session would keep, in step order: `kept` as
    (field, answer) pairs, `left_out` as (field, why) pairs."""

    kept: tuple[tuple[Field, AnswerValue], ...]
    left_out: tuple[tuple[Field, str], ...]

    @property
    def answers(self) -> dict[str, AnswerValue]:
        return {field.id: value for field, value in self.kept}

    def text(self) -> str:
        """The preview for a person, one answer a line (as the summary reads it, each
        shortened, at most PREVIEW_LINES of each list), so that it fits a dialog."""
        count = len(self.kept)
        lines = [f"The template keeps {count} answer{'' if count == 1 else 's'}:"]
        lines += _at_most(
            [
                f"  {field.label}: {shorten(format_answer(field, value))}"
                for field, value in self.kept
            ]
        )
        if self.left_out:
            lines.append("Left out:")
            lines += _at_most([f"  {field.label} ({why})" for field, why in self.left_out])
        return "\n".join(lines)


PREVIEW_LINES = 20


def _at_most(lines: list[str]) -> list[str]:
    if len(lines) <= PREVIEW_LINES:
        return lines
    return [*lines[:PREVIEW_LINES], f"  … and {len(lines) - PREVIEW_LINES} more"]


def why_never_in_a_template(field: Field) -> str | None:
    """None when a template may keep and pre-fill `field`'s answer; else why not, for
    a person: a required boolean (an attestation) and a `template: false` field never."""
    if field.type is FieldType.CALCULATED:
        return "a calculated value is computed again from the answers"
    if field.type is FieldType.SIGNATURE:
        return "a signature is never copied into a template"
    if field.type in (FieldType.FILE, FieldType.IMAGE):
        return "files are never copied into a template"
    if not field.template:
        return "this field is never kept in a template"
    if field.type is FieldType.BOOLEAN and field.required:
        return "a required confirmation is never kept in a template"
    return None


def _clean_name(name: str) -> str:
    """The name stripped; ValueError when it is empty, too long, or holds a control,
    line-break or bidi-override character (names are shown in lists, one per line)."""
    clean = name.strip()
    if not clean:
        raise ValueError("A template name cannot be empty.")
    if len(clean) > TEMPLATE_NAME_MAX_CHARS:
        raise ValueError(f"A template name has at most {TEMPLATE_NAME_MAX_CHARS} characters.")
    for char in clean:
        if char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
            raise ValueError(
                f"A template name cannot hold the character U+{ord(char):04X} "
                "(control, line break or text-direction override)."
            )
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


def template_preview(session_id: str) -> TemplatePreview:
    """Which answers of a completed session a template would keep (those of the steps
    on its path, less those `why_never_in_a_template` names), and which it leaves out
    and why; `save_as_template` stores exactly `kept`. The GUI shows it before saving."""
    return _preview(load_session(session_id))


def _preview(state: SessionState) -> TemplatePreview:
    if not state.info.is_completed:
        raise ValueError("Only a completed session can be saved as a template.")
    path, values = state.path, state.path_values()
    kept: list[tuple[Field, AnswerValue]] = []
    left_out: list[tuple[Field, str]] = []
    for step in path.steps:
        for field in path.visible_fields[step.id]:
            if field.id not in values or field.type is FieldType.CALCULATED:
                continue
            reason = why_never_in_a_template(field)
            if reason is None:
                kept.append((field, values[field.id]))
            else:
                left_out.append((field, reason))
    return TemplatePreview(tuple(kept), tuple(left_out))


def save_as_template(session_id: str, name: str) -> TemplateInfo:
    """Keep a completed session's answers as a template: what `template_preview` keeps."""
    clean = _clean_name(name)
    state = load_session(session_id)
    answers = _preview(state).answers
    with write_transaction():
        row = Template.create(
            name=clean,
            wizard=state.info.wizard_id,
            answers=answers,
            source_session_id=session_id,
        )
    return get_template(row.id)


def applicable_answers(
    definition: WizardDefinition, answers: dict[str, AnswerValue]
) -> tuple[dict[str, AnswerValue], dict[str, str]]:
    """The answers a template may bring to `definition` (their field exists, may be
    kept in a template, and they pass its rules), and why each of the others was
    dropped, by field id."""
    kept: dict[str, AnswerValue] = {}
    dropped: dict[str, str] = {}
    for field_id, value in answers.items():
        field = definition.field(field_id)
        problem = (
            "no such field"
            if field is None
            else why_never_in_a_template(field) or answer_problem(field, value)
        )
        if problem is None:
            kept[field_id] = value
        else:
            dropped[field_id] = problem
    return kept, dropped


def _never_kept(definition: WizardDefinition, answers: dict[str, AnswerValue]) -> set[str]:
    """The answers' fields that a template never keeps (it may predate the rule)."""
    return {
        field_id
        for field_id in answers
        if (field := definition.field(field_id)) is not None and why_never_in_a_template(field)
    }


def start_from_template(template_id: int, name: str | None = None) -> StartedFromTemplate:
    """A new session of the template's wizard (latest version), pre-filled with the
    answers that fit; a field a template never keeps is never pre-filled (a template
    stored before that rule may hold one) and is not reported as dropped."""
    template = get_template(template_id)
    definition = definition_of_version(latest_version_id(template.wizard_id))
    kept, dropped = applicable_answers(definition, template.answers)
    never_kept = _never_kept(definition, template.answers)
    misfits = tuple(field_id for field_id in dropped if field_id not in never_kept)
    session = start_session(template.wizard_id, name, prefill=kept, template_id=template_id)
    return StartedFromTemplate(session, misfits)


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
    """Write the template as a template file, without the answers a template never
    keeps (an older template may hold some). Refuses the app's own files and, unless
    `overwrite`, an existing file (see `output_files`)."""
    target = Path(destination)
    check_output_target(target, overwrite=overwrite)
    template = get_template(template_id)
    definition = definition_of_version(latest_version_id(template.wizard_id))
    never_kept = _never_kept(definition, template.answers)
    document = {
        "format": TEMPLATE_FILE_FORMAT,
        "format_version": TEMPLATE_FILE_VERSION,
        "name": template.name,
        "wizard_id": template.wizard_id,
        "answers": {k: v for k, v in template.answers.items() if k not in never_kept},
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    write_output_file(target, text, overwrite=overwrite)


def _read_template_document(path: Path) -> object:
    """The parsed file; TemplateFileError when it is not a regular file, is larger than
    TEMPLATE_FILE_MAX_BYTES (never read whole) or is not strict JSON (`json_input`)."""
    try:
        return strict_json(read_limited(path, TEMPLATE_FILE_MAX_BYTES))
    except JsonInputError as exc:
        raise TemplateFileError(f"{path}: the template file {exc}.") from exc


def _dropped_text(dropped: dict[str, str]) -> str:
    # The field ids come from the file: their control and bidi characters are escaped.
    named = [f"{terminal_safe(field_id[:80])} ({problem})" for field_id, problem in dropped.items()]
    more = len(named) - REPORTED_PROBLEMS
    return "; ".join(named[:REPORTED_PROBLEMS]) + (f"; and {more} more" if more > 0 else "")


def import_template(source: str | os.PathLike[str]) -> ImportedTemplate:
    """Read a template file and store it with the answers that fit its wizard; the
    others (and those a template never keeps) are dropped and returned with the
    reason. When the same template is already there, nothing is stored and that one
    is returned (`already_there`). Refuses the file
    (TemplateFileError, nothing stored) when it is not one, names an unknown wizard,
    or none of its answers fit."""
    path = Path(source)
    document = _read_template_document(path)
    if not isinstance(document, dict) or document.get("format") != TEMPLATE_FILE_FORMAT:
        raise TemplateFileError(f"{path}: not a Wizard Desktop template file.")
    version = document.get("format_version")
    if type(version) is not int or version != TEMPLATE_FILE_VERSION:
        raise TemplateFileError(f"{path}: unsupported template format_version {version!r:.40}.")
    name, wizard_id, answers = (
        document.get("name"),
        document.get("wizard_id"),
        document.get("answers"),
    )
    if not isinstance(name, str):
        raise TemplateFileError(f"{path}: the template has no name.")
    try:
        clean_name = _clean_name(name)
    except ValueError as exc:
        raise TemplateFileError(f"{path}: {exc}") from exc
    if not isinstance(wizard_id, str) or not isinstance(answers, dict):
        raise TemplateFileError(f"{path}: the template needs a wizard_id and an answers object.")
    if len(answers) > TEMPLATE_MAX_ANSWERS:
        raise TemplateFileError(
            f"{path}: the template has {len(answers)} answers; at most {TEMPLATE_MAX_ANSWERS}."
        )
    try:
        definition = definition_of_version(latest_version_id(wizard_id))
    except UnknownWizardError as exc:
        raise TemplateFileError(
            f"{path}: the template is for wizard {wizard_id[:80]!r}, which is not installed."
        ) from exc
    kept, dropped = applicable_answers(definition, answers)
    if dropped and not kept:
        raise TemplateFileError(
            f"{path}: no answer fits wizard {wizard_id[:80]!r}: {_dropped_text(dropped)}."
        )
    with write_transaction():
        same = _same_template(wizard_id, kept)
        if same is not None:
            return ImportedTemplate(get_template(same), dropped, already_there=True)
        row = Template.create(name=clean_name, wizard=wizard_id, answers=kept)
    return ImportedTemplate(get_template(row.id), dropped)


def _canonical(answers: dict[str, Any]) -> str:
    return json.dumps(answers, sort_keys=True, ensure_ascii=False)


def _same_template(wizard_id: str, answers: dict[str, AnswerValue]) -> int | None:
    """Inside the write transaction: the id of a template of `wizard_id` with exactly
    these answers (compared as canonical JSON: True is not 1), if there is one."""
    wanted = _canonical(answers)
    rows = Template.select(Template.id, Template.answers).where(Template.wizard == wizard_id)
    return next((row.id for row in rows if _canonical(row.answers) == wanted), None)
