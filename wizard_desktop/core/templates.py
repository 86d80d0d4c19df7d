"""Templates: the answers of a completed session kept under a name, used to pre-fill
new sessions of the same wizard. Export and import as JSON files for sharing.

A template file comes from someone else: it is read with a size limit, parsed as strict
JSON (no duplicate keys, no NaN or infinities, no number beyond the format's limit, a
bounded nesting), its name must be a plain line of bounded length, and each answer must
pass its field's rules; what does not is dropped and reported."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard_desktop.core.output_files import check_output_target, write_output_file
from wizard_desktop.core.sessions import SessionInfo, load_session, start_session
from wizard_desktop.core.wizards import UnknownWizardError, definition_of_version, latest_version_id
from wizard_desktop.definition.answers import answer_problem
from wizard_desktop.definition.model import NUMBER_LIMIT, AnswerValue, WizardDefinition
from wizard_desktop.store.database import storage_errors, write_transaction
from wizard_desktop.store.models import Template, Wizard

TEMPLATE_FILE_FORMAT = "wizard-desktop-template"
TEMPLATE_FILE_VERSION = 1
TEMPLATE_FILE_MAX_BYTES = 5_000_000
TEMPLATE_NAME_MAX_CHARS = 200
TEMPLATE_MAX_ANSWERS = 10_000
NUMBER_MAX_DIGITS = len(str(NUMBER_LIMIT))
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
    dropped: dict[str, str]
    """Answers of the file left out, by field id: why each does not fit the wizard."""


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
) -> tuple[dict[str, AnswerValue], dict[str, str]]:
    """The answers that fit `definition` (their field exists and they pass its rules),
    and why each of the others was dropped, by field id."""
    kept: dict[str, AnswerValue] = {}
    dropped: dict[str, str] = {}
    for field_id, value in answers.items():
        field = definition.field(field_id)
        problem = "no such field" if field is None else answer_problem(field, value)
        if problem is None:
            kept[field_id] = value
        else:
            dropped[field_id] = problem
    return kept, dropped


def start_from_template(template_id: int, name: str | None = None) -> StartedFromTemplate:
    """A new session of the template's wizard (latest version), pre-filled."""
    template = get_template(template_id)
    definition = definition_of_version(latest_version_id(template.wizard_id))
    kept, dropped = applicable_answers(definition, template.answers)
    session = start_session(template.wizard_id, name, prefill=kept, template_id=template_id)
    return StartedFromTemplate(session, tuple(dropped))


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


class _DuplicateKeyError(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _DuplicateKeyError(f"the key {key[:80]!r} appears twice in one object")
        document[key] = value
    return document


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number a template may hold")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > NUMBER_MAX_DIGITS or abs(value := int(text)) >= NUMBER_LIMIT:
        raise ValueError(f"the number {text[:20]}… is beyond the format's limit")
    return value


def _bounded_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or abs(value) >= NUMBER_LIMIT:
        raise ValueError(f"the number {text[:20]} is beyond the format's limit")
    return value


def _read_template_document(path: Path) -> object:
    """The parsed file; TemplateFileError when it is not a regular file, is larger than
    TEMPLATE_FILE_MAX_BYTES (never read whole) or is not strict JSON."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise TemplateFileError(f"{path}: not a regular file.")
        with path.open("rb") as file:
            data = file.read(TEMPLATE_FILE_MAX_BYTES + 1)
    except OSError as exc:
        raise TemplateFileError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    if len(data) > TEMPLATE_FILE_MAX_BYTES:
        raise TemplateFileError(
            f"{path}: the file is larger than {TEMPLATE_FILE_MAX_BYTES // 1_000_000} MB; "
            "a template file is much smaller."
        )
    try:
        return json.loads(
            data.decode("utf-8-sig"),
            object_pairs_hook=_unique_keys,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
            parse_float=_bounded_float,
        )
    except UnicodeDecodeError as exc:
        raise TemplateFileError(f"{path}: not a template file (not UTF-8 text).") from exc
    except RecursionError as exc:
        raise TemplateFileError(f"{path}: the template file is nested too deeply.") from exc
    except ValueError as exc:  # json.JSONDecodeError and the checks above
        raise TemplateFileError(f"{path}: the template file is invalid: {exc}.") from exc


def _dropped_text(dropped: dict[str, str]) -> str:
    named = [f"{field_id[:80]} ({problem})" for field_id, problem in dropped.items()]
    more = len(named) - REPORTED_PROBLEMS
    return "; ".join(named[:REPORTED_PROBLEMS]) + (f"; and {more} more" if more > 0 else "")


def import_template(source: str | os.PathLike[str]) -> ImportedTemplate:
    """Read a template file and store it with the answers that fit its wizard; the
    others are dropped and returned with the reason. Refuses the file
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
        row = Template.create(name=clean_name, wizard=wizard_id, answers=kept)
    return ImportedTemplate(get_template(row.id), dropped)
