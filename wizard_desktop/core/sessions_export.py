"""Every session the sessions table shows, in one spreadsheet: CSV or XLSX, streamed.

The sessions are those of a `SessionListQuery` (status, search, wizard), in its order,
read by the SQL `session_list` builds for the table, in one pass of the cursor a chunk
at a time, so memory stays flat whatever their number. One row per session: the
session's columns (`SESSION_COLUMNS`, whose ids start with "_", which no field id
does), then one column per field of its wizard, headed by its id (a multi-choice's
option columns by "field/option"), the
union of the fields of every stored version in definition order (a field only an
older version has comes after the field it followed there). A session's answers are
those on its current path (as the session export has them: an answer a skip hides is
not the session's), read as a person reads them (option labels, Yes/No; a
multi-choice as its labels joined by "; ", and, with `option_columns`, one 0/1 column
per option; a grid as one column per cell, headed "grid.row", "grid.row.column" or
"grid.item"), except numbers (numbers), dates (dates) and times: timestamps in local
time, durations in whole seconds. An unanswered field is an empty cell.

CSV: UTF-8 with a byte order mark (Excel then reads it as UTF-8), CRLF, the field ids
as header and, with `labels`, a second header row of labels; it holds one wizard's
sessions, so sessions of several wizards are refused (`SeveralWizardsError`): choose
the wizard, or XLSX. XLSX (XlsxWriter in constant-memory mode): one sheet per wizard,
ids then labels as two header rows, numbers and dates typed (a date before 1900,
which Excel cannot hold, as its ISO text). Every text cell of both is neutralised as
`csv_export` says (no formula). The file is written through `output_files`: a
failure or a cancellation (`ExportCancelled`, raised when `cancelled()` turns true)
leaves no file under the chosen name.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypeAlias

from wizard_desktop.core.answer_text import answer_formatter, cell_text
from wizard_desktop.core.csv_export import neutralised_cell, write_csv
from wizard_desktop.core.output_files import atomic_output, check_output_target
from wizard_desktop.core.session_list import SessionListQuery, count, ordered_select, wizards_of
from wizard_desktop.core.wizards import UnknownWizardError, definition_of_version
from wizard_desktop.definition.conditions import is_answered, resolve_path
from wizard_desktop.definition.grids import GRID_TYPES, cell_value, grid_cells
from wizard_desktop.definition.model import AnswerValue, Field, FieldType, WizardDefinition
from wizard_desktop.store.database import db, storage_errors

SpreadsheetFormat = Literal["csv", "xlsx"]
Cell: TypeAlias = str | int | float | dt.date | None
"""A typed cell: text, a number, a date or a datetime (local, naive), or empty."""

SESSION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_id", "Session ID"),
    ("_name", "Session name"),
    ("_status", "Status"),
    ("_progress", "Progress (%)"),
    ("_started", "Started"),
    ("_updated", "Last updated"),
    ("_completed", "Completed"),
    ("_time_spent_seconds", "Time spent (s)"),
    ("_elapsed_seconds", "Elapsed (s)"),
    ("_wizard_version", "Wizard version"),
)
MULTI_CHOICE_SEPARATOR = "; "
CHUNK_ROWS = 500
"""Rows read from the cursor at a time; progress is told and cancellation seen after each."""
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_COLUMNS = 16_384
SHEET_NAME_LENGTH = 31
_SELECT_COLUMNS = (
    "s.id, s.name, s.status, s.progress_percentage, s.started_at, s.updated_at,"
    " s.completed_at, s.active_seconds, s.total_time_seconds, s.version_id,"
    " (SELECT json_group_object(a.field_id, json(a.value)) FROM answer AS a"
    " WHERE a.session_id = s.id)"
)


class ExportCancelled(Exception):
    """The person cancelled the export: no file was written."""


class SeveralWizardsError(ValueError):
    """A CSV file holds one wizard's sessions; these sessions belong to several."""

    def __init__(self, wizards: Sequence[tuple[str, str]]) -> None:
        self.wizard_ids = tuple(wizard_id for wizard_id, _title in wizards)
        super().__init__(
            f"The sessions to export belong to {len(wizards)} wizards"
            f" ({', '.join(self.wizard_ids)}); a CSV file holds one wizard's sessions."
        )


class SpreadsheetTooLargeError(ValueError):
    """More rows or columns than an XLSX sheet holds."""


@dataclass(frozen=True)
class SessionsExport:
    """What to export, and how."""

    query: SessionListQuery
    format: SpreadsheetFormat
    labels: bool = False
    """CSV: a second header row of labels (XLSX always has it)."""
    option_columns: bool = False
    """One 0/1 column per option of each multi-choice field, after its labels."""


@dataclass(frozen=True)
class _Column:
    """One answer column: a field, or (with `option`) one of a multi-choice's options."""

    field_id: str
    label: str
    option: str | None = None
    cell: str | None = None  # a grid's cell (`grids.Cell.key`): one column each

    @property
    def header(self) -> str:
        if self.cell is not None:
            return f"{self.field_id}.{self.cell}"
        return self.field_id if self.option is None else f"{self.field_id}/{self.option}"


_Reader: TypeAlias = Callable[[dict[str, AnswerValue]], Cell]
"""How one column's cell is read from a session's path answers."""


@dataclass(frozen=True)
class _WizardColumns:
    """The columns of one wizard's sessions and how each version's answers fill them."""

    wizard_id: str
    columns: tuple[_Column, ...]
    versions: dict[int, tuple[int, WizardDefinition]]
    """Version id -> (its number, 1 for the first imported, and its definition)."""
    readers: dict[int, tuple[_Reader, ...]]
    """Version id -> one reader per column."""

    @property
    def headers(self) -> list[str]:
        return [column_id for column_id, _ in SESSION_COLUMNS] + [c.header for c in self.columns]

    @property
    def labels(self) -> list[str]:
        return [label for _, label in SESSION_COLUMNS] + [c.label for c in self.columns]


def _merged(newest_first: Sequence[Sequence[str]]) -> list[str]:
    """The union of ordered lists, the first one's order kept; an item only a later
    list has goes right after the item it follows there (first when none)."""
    merged: list[str] = []
    for items in newest_first:
        previous: str | None = None
        for item in items:
            if item not in merged:
                merged.insert(merged.index(previous) + 1 if previous is not None else 0, item)
            previous = item
    return merged


def _field_label(field: Field) -> str:
    return f"{field.label} ({field.unit})" if field.unit else field.label


def _cell_reader(field: Field, key: str) -> _Reader:
    """The reader of one cell's column of a grid (None when this version has no such cell)."""
    cell = next((c for c in grid_cells(field) if c.key == key), None)
    if cell is None:
        return lambda _answers: None
    field_id = field.id

    def read(answers: dict[str, AnswerValue]) -> Cell:
        value = answers.get(field_id)
        held = cell_value(value, cell)
        if held is None or held == "":
            return None
        if isinstance(held, int | float) and not isinstance(held, bool):
            return held
        return cell_text(field, cell, value)

    return read


def _reader(field: Field | None, option: str | None, cell: str | None = None) -> _Reader:
    """The reader of a column for a version whose field is `field` (None: it has none)."""
    if field is None:
        return lambda _answers: None
    if cell is not None:
        return _cell_reader(field, cell)
    field_id = field.id
    if option is not None:

        def chosen(answers: dict[str, AnswerValue]) -> Cell:
            value = answers.get(field_id)
            if value is None:
                return None
            return int(option in value if isinstance(value, list) else option == value)

        return chosen

    text = answer_formatter(field, separator=MULTI_CHOICE_SEPARATOR)
    is_date = field.type is FieldType.DATE

    def read(answers: dict[str, AnswerValue]) -> Cell:
        value = answers.get(field_id)
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if is_date and isinstance(value, str):
            return dt.date.fromisoformat(value)
        return text(value)

    return read


def _wizard_columns(wizard_id: str, option_columns: bool) -> _WizardColumns:
    with storage_errors():
        version_ids = [
            version_id
            for (version_id,) in db.execute_sql(
                "SELECT id FROM wizard_version WHERE wizard_id = ? ORDER BY id", [wizard_id]
            )
        ]
    if not version_ids:
        raise UnknownWizardError(wizard_id)
    versions = {
        version_id: (number, definition_of_version(version_id))
        for number, version_id in enumerate(version_ids, start=1)
    }
    newest_first = [versions[v][1] for v in reversed(version_ids)]
    field_ids = _merged([[f.id for f in d.fields] for d in newest_first])
    columns: list[_Column] = []
    for field_id in field_ids:
        # Labels and options read as the newest version that has the field says them.
        holders = [f for d in newest_first if (f := d.field(field_id)) is not None]
        if holders[0].type in GRID_TYPES:  # one column per cell, of every version
            labels = {c.key: c.label for f in reversed(holders) for c in grid_cells(f)}
            keys = _merged([[c.key for c in grid_cells(f)] for f in holders])
            columns += [
                _Column(field_id, f"{holders[0].label} / {labels[key]}", cell=key) for key in keys
            ]
            continue
        columns.append(_Column(field_id, _field_label(holders[0])))
        if option_columns and holders[0].type is FieldType.MULTI_CHOICE:
            labels = {o.value: o.label for f in reversed(holders) for o in f.options}
            values = _merged([[o.value for o in f.options] for f in holders])
            columns += [
                _Column(field_id, f"{holders[0].label}: {labels[value]}", value) for value in values
            ]
    readers = {
        version_id: tuple(_reader(definition.field(c.field_id), c.option, c.cell) for c in columns)
        for version_id, (_number, definition) in versions.items()
    }
    return _WizardColumns(wizard_id, tuple(columns), versions, readers)


def _local(stamp: str | None) -> dt.datetime | None:
    """A stored UTC timestamp as local wall-clock time, without zone (as spreadsheets hold)."""
    if stamp is None:
        return None
    return dt.datetime.fromisoformat(stamp).astimezone().replace(tzinfo=None, microsecond=0)


def _seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


def _has_conditions(definition: WizardDefinition) -> bool:
    return any(
        step.visible_if is not None or any(f.visible_if is not None for f in step.fields)
        for step in definition.steps
    )


def _session_rows(
    wizard: _WizardColumns,
    query: SessionListQuery,
    tick: Callable[[int], None],
) -> Iterator[list[Cell]]:
    """The wizard's sessions of `query`, one typed row each, streamed from the cursor;
    `tick(rows)` after each chunk (it may raise ExportCancelled)."""
    sql, params = ordered_select(replace(query, wizard_id=wizard.wizard_id), _SELECT_COLUMNS)
    steered = {v: _has_conditions(d) for v, (_n, d) in wizard.versions.items()}
    with storage_errors():
        cursor = db.execute_sql(sql, params)
        try:
            while chunk := cursor.fetchmany(CHUNK_ROWS):
                for record in chunk:
                    yield _row(wizard, steered, record)
                tick(len(chunk))
        finally:
            cursor.close()


def _row(wizard: _WizardColumns, steered: dict[int, bool], record: Sequence[Any]) -> list[Cell]:
    (session_id, name, status, progress, started, updated, completed) = record[:7]
    active, total, version_id, answers_json = record[7:]
    number, definition = wizard.versions[version_id]
    stored: dict[str, AnswerValue] = {
        field_id: value
        for field_id, value in (json.loads(answers_json) if answers_json else {}).items()
        if is_answered(value)
    }
    # With no skip logic every field is on the path: resolving it would keep them all.
    answers = dict(resolve_path(definition, stored).answers) if steered[version_id] else stored
    cells: list[Cell] = [
        session_id,
        name,
        status,
        progress,
        _local(started),
        _local(updated),
        _local(completed),
        _seconds(active),
        _seconds(total),
        number,
    ]
    cells += [read(answers) for read in wizard.readers[version_id]]
    return cells


# --- The two writers.


def _csv_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def _write_csv(
    path: Path, export: SessionsExport, wizard: _WizardColumns, tick: Callable[[int], None]
) -> None:
    def rows() -> Iterator[Sequence[str]]:
        yield wizard.headers
        if export.labels:
            yield wizard.labels
        for row in _session_rows(wizard, export.query, tick):
            yield [_csv_text(cell) for cell in row]

    with path.open("w", encoding="utf-8-sig", newline="") as out:
        write_csv(out, rows())


_EXCEL_FIRST_DATE = dt.date(1900, 1, 1)


def _sheet_name(wizard_id: str, taken: set[str]) -> str:
    """The wizard's id as a sheet name: at most 31 characters, unique regardless of
    case, never Excel's reserved "History". Ids hold no character a name forbids."""
    name = wizard_id[:SHEET_NAME_LENGTH]
    number = 1
    while name.casefold() in taken or name.casefold() == "history":
        number += 1
        suffix = f"~{number}"
        name = wizard_id[: SHEET_NAME_LENGTH - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


def _fill_sheet(
    sheet: Any,
    wizard: _WizardColumns,
    rows: Iterator[list[Cell]],
    formats: dict[type[dt.date], Any],
    bold: Any,
) -> None:
    headers = wizard.headers
    if len(headers) > XLSX_MAX_COLUMNS:
        raise SpreadsheetTooLargeError(
            f"The wizard {wizard.wizard_id} needs {len(headers)} columns;"
            f" an XLSX sheet holds {XLSX_MAX_COLUMNS}."
        )
    sheet.freeze_panes(2, 2)
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 1, 28)
    sheet.set_column(4, 6, 19)
    for row_number, texts in enumerate((headers, wizard.labels)):
        for column, text in enumerate(texts):
            sheet.write_string(row_number, column, neutralised_cell(text), bold)
    for row_number, row in enumerate(rows, start=2):
        if row_number >= XLSX_MAX_ROWS:
            raise SpreadsheetTooLargeError(
                f"More sessions than an XLSX sheet holds ({XLSX_MAX_ROWS - 2:,})."
            )
        for column, cell in enumerate(row):
            _write_cell(sheet, row_number, column, cell, formats)


def _write_xlsx(
    path: Path,
    export: SessionsExport,
    wizards: Sequence[_WizardColumns],
    tick: Callable[[int], None],
) -> None:
    import xlsxwriter  # only an XLSX export loads it

    # The workbook's own scratch files (one per sheet) go in a folder of ours, removed
    # whatever happens.
    with tempfile.TemporaryDirectory(
        prefix="wizard-desktop-xlsx-", ignore_cleanup_errors=True
    ) as scratch:
        workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": scratch})
        formats = {
            dt.datetime: workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            dt.date: workbook.add_format({"num_format": "yyyy-mm-dd"}),
        }
        bold = workbook.add_format({"bold": True})
        taken: set[str] = set()
        try:
            for wizard in wizards:
                sheet = workbook.add_worksheet(_sheet_name(wizard.wizard_id, taken))
                rows = _session_rows(wizard, export.query, tick)
                _fill_sheet(sheet, wizard, rows, formats, bold)
        except BaseException:
            # Not closed (that would write the whole workbook): let go of its scratch
            # files, one per sheet (XlsxWriter keeps no public handle on them).
            for sheet in workbook.worksheets():
                if getattr(sheet, "row_data_fh", None) is not None:
                    sheet.row_data_fh.close()
            raise
        workbook.close()


def _write_cell(
    sheet: Any, row: int, column: int, cell: Cell, formats: dict[type[dt.date], Any]
) -> None:
    if cell is None:
        return
    if isinstance(cell, str):
        sheet.write_string(row, column, neutralised_cell(cell))
    elif isinstance(cell, int | float):
        sheet.write_number(row, column, cell)
    elif cell < (dt.datetime(1900, 1, 1) if isinstance(cell, dt.datetime) else _EXCEL_FIRST_DATE):
        sheet.write_string(row, column, cell.isoformat())
    else:
        sheet.write_datetime(row, column, cell, formats[type(cell)])


# --- The use case.


def export_sessions(
    export: SessionsExport,
    target: Path,
    *,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> int:
    """Write the sessions of `export.query` to `target`; how many were written.
    `progress(done, total)` is told after each chunk; `cancelled()` is asked as often,
    and when true the export stops with ExportCancelled and leaves no file. Refuses the
    app's own files and (unless `overwrite`) an existing file before reading anything;
    raises SeveralWizardsError (CSV), UnknownWizardError, SpreadsheetTooLargeError."""
    check_output_target(target, overwrite=overwrite)
    query = export.query
    if query.wizard_id is not None:
        wizard_ids = [query.wizard_id]
    else:
        found = wizards_of(query)
        if export.format == "csv" and len(found) > 1:
            raise SeveralWizardsError(found)
        wizard_ids = [wizard_id for wizard_id, _title in found]
    wizards = [_wizard_columns(wizard_id, export.option_columns) for wizard_id in wizard_ids]
    total = count(query)
    done = 0
    if progress is not None:
        progress(0, total)

    def tick(rows: int) -> None:
        nonlocal done
        done += rows
        if cancelled():
            raise ExportCancelled
        if progress is not None:
            progress(done, max(done, total))  # sessions may have come since the count

    empty = _WizardColumns("sessions", (), {}, {})  # no session: the header alone
    with atomic_output(target, overwrite=overwrite) as temporary:
        if export.format == "csv":
            _write_csv(temporary, export, wizards[0] if wizards else empty, tick)
        else:
            _write_xlsx(temporary, export, wizards or [empty], tick)
        if cancelled():
            raise ExportCancelled
    return done
