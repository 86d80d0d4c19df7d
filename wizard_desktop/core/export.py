"""Exporting a session: the public session object plus its answers, as JSON or CSV.

Only the visible fields on the steps of the current path are exported, with every
calculated value of those steps (a hidden one too, when it has a value); a note has
no answer and no row. JSON holds the answers typed (choice -> option value,
multi_choice -> list of values, number and rating -> number, boolean -> true/false,
date -> "YYYY-MM-DD", time -> "HH:MM", calculated -> what it computes), unanswered
fields absent. CSV has one row per such field, answered or not: `value` is the stored
value as text (a list or boolean as JSON, "" when unanswered) and `answer` reads as
the summary on screen does (`answer_text`: option labels, Yes/No, units, "—" when
unanswered). A grid (JSON: its answer object) has one CSV row per cell, its field_id
`grid.row` (matrix), `grid.row.column` (matrix_dropdown) or `grid.item` (multiple_text).
CSV goes through the app's one CSV writer (`csv_export`), files through
`output_files`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from wizard_desktop.core.answer_text import cell_text, format_answer
from wizard_desktop.core.csv_export import csv_text
from wizard_desktop.core.output_files import check_output_target, write_output_file
from wizard_desktop.core.sessions import SessionState, load_session
from wizard_desktop.definition.grids import GRID_TYPES, cell_value, grid_cells
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
    if isinstance(value, bool | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def export_session(session_id: str, fmt: ExportFormat = "json") -> str:
    """The session as a JSON document or CSV text (one row per exported field, in step
    order)."""
    state = load_session(session_id)
    if fmt == "json":
        return json.dumps(session_document(state), indent=2, ensure_ascii=False) + "\n"
    values = state.path_values()
    rows: list[tuple[str, ...]] = []
    for step_id, field in exported_fields(state):
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
                _csv_value(value),
                format_answer(field, value),
            )
        )
    return csv_text(CSV_COLUMNS, rows)


def write_export(
    session_id: str, path: Path, *, fmt: ExportFormat | None = None, overwrite: bool = False
) -> None:
    """Export to `path` as `fmt` (by default CSV when its suffix is .csv, else JSON).
    Refuses the app's own files and, unless `overwrite`, an existing file, before
    anything is read (see `output_files`)."""
    check_output_target(path, overwrite=overwrite)
    chosen: ExportFormat = fmt or ("csv" if path.suffix.lower() == ".csv" else "json")
    write_output_file(path, export_session(session_id, chosen), overwrite=overwrite)


def suggested_file_name(name: str, suffix: str = ".json") -> str:
    """A file name for exporting something called `name` (a session or template)."""
    slug = re.sub(r"[^\w-]+", "-", name, flags=re.UNICODE).strip("-")
    return f"{slug or 'export'}{suffix}"
