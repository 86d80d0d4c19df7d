"""Exporting a session: the public session object plus its answers, as JSON or CSV.

Only the visible fields on the steps of the current path are exported, with every
calculated value of those steps (a hidden one too, when it has a value); a note has
no answer and no row. JSON holds the answers typed (choice -> option value,
multi_choice -> list of values, number and rating -> number, boolean -> true/false,
date -> "YYYY-MM-DD", time -> "HH:MM", calculated -> what it computes), unanswered
fields absent. CSV has one row per such field, answered or not: `value` is the stored
value as text (a list or boolean as JSON, "" when unanswered) and `answer` reads as
the summary on screen does (`answer_text`: option labels, Yes/No, units, "—" when
unanswered). CSV goes through the app's one CSV writer (`csv_export`), files through
`output_files`. Attachments: `attachment_export`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from wizard_desktop.core.answer_text import format_answer
from wizard_desktop.core.attachment_export import (
    ZIP_FILES_FOLDER,
    attached_files,
    files_folder,
    write_folder,
    write_zip,
)
from wizard_desktop.core.csv_export import csv_text
from wizard_desktop.core.output_files import check_output_target, write_output_file
from wizard_desktop.core.sessions import SessionState, load_session
from wizard_desktop.definition.model import Field, FieldType

ExportFormat = Literal["json", "csv"]
CSV_COLUMNS = (
    "session_id",
    "session_name",
    "wizard_id",
    "step_id",
    "field_id",
    "label",
    "value",
    "answer",
)


def session_document(state: SessionState) -> dict[str, Any]:
    document = state.info.to_json()
    document["answers"] = state.path_values()
    return document


def exported_fields(state: SessionState) -> list[tuple[str, Field]]:
    """(step id, field) of each exported field, in step order: the visible fields of
    the path's steps but notes, and the hidden calculated fields that have a value."""
    path, values = state.path, state.path_values()
    exported: list[tuple[str, Field]] = []
    for step in path.steps:
        visible = {f.id for f in path.visible_fields[step.id]}
        exported += [
            (step.id, f)
            for f in step.fields
            if (f.id in visible and f.type is not FieldType.NOTE)
            or (f.type is FieldType.CALCULATED and f.id in values)
        ]
    return exported


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):  # an attachment: its file name
        return str(value.get("name", ""))
    if isinstance(value, bool | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _session_text(
    state: SessionState, fmt: ExportFormat, files: Mapping[str, str] | None = None
) -> str:
    """The JSON document or CSV text of a loaded session; `files` (field id -> the
    exported file's relative path) names each attachment's file in the export."""
    files = files or {}
    values = state.path_values()
    if fmt == "json":
        document = session_document(state)
        for field_id, name in files.items():
            document["answers"][field_id] = {**document["answers"][field_id], "file": name}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    rows = [
        (
            state.info.id,
            state.info.name,
            state.info.wizard_id,
            step_id,
            field.id,
            field.label,
            files.get(field.id) or _csv_value(values.get(field.id)),
            format_answer(field, values.get(field.id)),
        )
        for step_id, field in exported_fields(state)
    ]
    return csv_text(CSV_COLUMNS, rows)


def export_session(session_id: str, fmt: ExportFormat = "json") -> str:
    """The session as a JSON document or CSV text (one row per exported field, in step
    order)."""
    return _session_text(load_session(session_id), fmt)


def write_export(
    session_id: str, path: Path, *, fmt: ExportFormat | None = None, overwrite: bool = False
) -> Path:
    """Export to `path` as `fmt` (by default CSV when its suffix is .csv, else JSON) and
    return the file written. Refuses the app's own files and, unless `overwrite`, an
    existing file, before anything is read (see `output_files`). With attachments:
    JSON becomes a .zip (`path` with the suffix .zip) holding session.json and the
    files; CSV names each file in `value` and writes them into a folder beside
    (`attachment_export`)."""
    check_output_target(path, overwrite=overwrite)
    chosen: ExportFormat = fmt or ("csv" if path.suffix.lower() == ".csv" else "json")
    state = load_session(session_id)
    attached = attached_files(state, [f for _step, f in exported_fields(state)])
    if not attached:
        write_output_file(path, _session_text(state, chosen), overwrite=overwrite)
        return path
    if chosen == "json":
        target = path.with_suffix(".zip")
        names = {a.field_id: f"{ZIP_FILES_FOLDER}/{a.archive_name}" for a in attached}
        write_zip(target, _session_text(state, "json", names), attached, overwrite=overwrite)
        return target
    folder = files_folder(path)
    names = {a.field_id: f"{folder.name}/{a.archive_name}" for a in attached}
    write_folder(folder, attached, overwrite=overwrite)
    write_output_file(path, _session_text(state, "csv", names), overwrite=overwrite)
    return path


def suggested_file_name(name: str, suffix: str = ".json") -> str:
    """A file name for exporting something called `name` (a session or template)."""
    slug = re.sub(r"[^\w-]+", "-", name, flags=re.UNICODE).strip("-")
    return f"{slug or 'export'}{suffix}"
