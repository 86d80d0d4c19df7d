"""Exporting a session: the public session object plus its answers, as JSON or CSV.

Only the visible fields on the steps of the current path are exported, with every
calculated value of those steps (a hidden one too, when it has a value); a note has
no answer and no row. JSON holds the answers typed (choice -> option value,
multi_choice -> list of values, number and rating -> number, boolean -> true/false,
date -> "YYYY-MM-DD", time -> "HH:MM", calculated -> what it computes), unanswered
fields absent; a repeat is an array of one object per instance. CSV has one row per
such field outside repeats, answered or not: `value` is the stored
value as text (a list or boolean as JSON, "" when unanswered) and `answer` reads as
the summary on screen does (`answer_text`: option labels, Yes/No, units, "—" when
unanswered). A grid (JSON: its answer object) has one CSV row per cell, its field_id
`grid.row` (matrix), `grid.row.column` (matrix_dropdown) or `grid.item` (multiple_text).
CSV goes through the app's one CSV writer (`csv_export`), files through
`output_files`. Each repeat's rows go in a CSV of its own beside the export
(`export-dependents.csv`), keyed by session id and instance number. Attachments:
`attachment_export`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from wizard_desktop.core.answer_text import cell_text, format_answer
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
from wizard_desktop.definition.grids import GRID_TYPES, cell_value, grid_cells
from wizard_desktop.definition.model import Field, FieldType
from wizard_desktop.definition.repeats import counts_of, nested, split_path

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
    """The session object and its answers; a repeat's answers nested as an array of
    one object per instance (`repeats.nested`)."""
    document = state.info.to_json()
    values = state.path_values()
    counts = counts_of(state.definition)
    document["answers"] = nested(values, counts) if counts else values
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


REPEAT_CSV_COLUMNS = (
    "session_id",
    "instance",
    "step_id",
    "field_id",
    "label",
    "value",
    "answer",
)


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
            if field_id in document["answers"]:  # (inside a repeat: nested, named by path)
                document["answers"][field_id] = {**document["answers"][field_id], "file": name}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    rows: list[tuple[str, ...]] = []
    for step_id, field in exported_fields(state):
        if split_path(field.id) is not None:  # a repeat's: in `repeat_tables`
            continue
        value = values.get(field.id)
        if field.type in GRID_TYPES:  # one row per cell: field_id "grid.row[.column]"
            rows += [
                (
                    state.info.id,
                    state.info.name,
                    state.info.wizard_id,
                    step_id,
                    f"{field.id}.{cell.key}",
                    f"{field.label} / {cell.label}",
                    _csv_value(cell_value(value, cell)),
                    cell_text(field, cell, value),
                )
                for cell in grid_cells(field)
            ]
            continue
        rows.append(
            (
                state.info.id,
                state.info.name,
                state.info.wizard_id,
                step_id,
                field.id,
                field.label,
                files.get(field.id) or _csv_value(value),
                format_answer(field, value),
            )
        )
    return csv_text(CSV_COLUMNS, rows)


def repeat_tables(state: SessionState) -> dict[str, str]:
    """CSV text of each repeat of the session, by repeat id: one row per exported field
    of each instance, keyed by session id and instance number (1-based), the field by
    its id in the file."""
    values = state.path_values()
    tables: dict[str, list[tuple[str, ...]]] = {r: [] for r in counts_of(state.definition)}
    for step_id, field in exported_fields(state):
        split, step = split_path(field.id), split_path(step_id)
        if split is None or step is None:
            continue
        tables[split[0]].append(
            (
                state.info.id,
                str(split[1] + 1),
                step[2],
                split[2],
                field.label,
                _csv_value(values.get(field.id)),
                format_answer(field, values.get(field.id)),
            )
        )
    return {r: csv_text(REPEAT_CSV_COLUMNS, rows) for r, rows in tables.items()}


def repeat_file(path: Path, repeat_id: str) -> Path:
    """Where a repeat's table goes beside an export at `path`: `name-repeat.csv`."""
    return path.with_name(f"{path.stem}-{repeat_id}{path.suffix}")


def export_session(session_id: str, fmt: ExportFormat = "json") -> str:
    """The session as a JSON document or CSV text (one row per exported field, in step
    order; a repeat's fields are in `repeat_tables`)."""
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
    if chosen == "csv":
        for repeat_id, text in repeat_tables(state).items():
            write_output_file(repeat_file(path, repeat_id), text, overwrite=overwrite)
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
