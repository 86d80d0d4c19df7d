"""Grids: `matrix`, `matrix_dropdown` and `multiple_text`, the fields whose answer is one
object (format 2).

This module owns what a grid's answer looks like and the rules it is held to:
- matrix: `{row: column}`, one column value per answered row;
- matrix_dropdown: `{row: {column: value}}`, each cell typed by its column (a text,
  number, choice or boolean `Field`, checked by the answer rules of `answers`);
- multiple_text: `{item: text}`, each item a text `Field` (lengths, pattern).
An unanswered row, cell or item is left out of the object; `{}` is unanswered.

Required (the grid's `required`, or its `required_if` holding) means: matrix, every
row of `required_rows` (every row when not given) answered; matrix_dropdown, in each
of those rows the columns marked `required` answered (at least one cell when no column
is marked); multiple_text, the items marked `required` (every item when none is).
A read-only or optional grid is held to the cell rules alone.

It also names a grid's cells (`grid_cells`: one export column each, keyed `row`,
`row.column` or `item`) and tells which field a dotted expression name reads
(`{grid.row}`, `{grid.row.column}`, as SurveyJS's `{matrix.row}`).
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass

from wizard_desktop.definition.answers import answer_problem, type_problem
from wizard_desktop.definition.fileformat import GRID_TYPES
from wizard_desktop.definition.model import AnswerValue, CellValue, Field, FieldType
from wizard_desktop.definition.problems import quoted

__all__ = [
    "GRID_TYPES",
    "Cell",
    "cell_problems",
    "cell_value",
    "grid_answer_problem",
    "grid_cells",
    "grid_size",
    "grid_type_problem",
    "reference_owner",
]


@dataclass(frozen=True)
class Cell:
    """One cell of a grid: a matrix row, a matrix_dropdown row x column, an item."""

    key: str  # "row", "row.column" or "item": the export column is "<field>.<key>"
    label: str  # "Row", "Row / Column" or "Item", as a person reads it
    row: str
    column: Field | None = None  # matrix_dropdown: the column; multiple_text: the item


def grid_cells(field: Field) -> tuple[Cell, ...]:
    """The cells of `field` in reading order (rows, then columns)."""
    if field.type is FieldType.MATRIX:
        return tuple(Cell(r.value, r.label, r.value) for r in field.rows)
    if field.type is FieldType.MATRIX_DROPDOWN:
        return tuple(
            Cell(f"{r.value}.{c.id}", f"{r.label} / {c.label}", r.value, c)
            for r in field.rows
            for c in field.cell_columns
        )
    return tuple(Cell(i.id, i.label, i.id, i) for i in field.items)


def grid_size(field: Field) -> int:
    """How many cells `field` shows: rows x columns (a matrix's too), or its items."""
    return len(field.rows) * len(field.columns or field.cell_columns) + len(field.items)


def cell_value(value: AnswerValue | None, cell: Cell) -> CellValue | None:
    """What `value` (a grid's answer) holds in `cell`; None when unanswered."""
    if not isinstance(value, dict):
        return None
    held = value.get(cell.row)
    if isinstance(held, dict):
        return held.get(cell.column.id) if cell.column is not None else None
    return held


def _expected(field: Field) -> str:
    if field.type is FieldType.MATRIX:
        return "expected an object of row: column values"
    if field.type is FieldType.MATRIX_DROPDOWN:
        return "expected an object of row: {column: value} objects"
    return "expected an object of item: text values"


def grid_type_problem(field: Field, value: AnswerValue) -> str | None:
    """None when `value` has the shape `field` stores (known rows, columns and items,
    each cell of its column's JSON type), else a message."""
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        return _expected(field)
    if field.type is FieldType.MULTIPLE_TEXT:
        items = {i.id for i in field.items}
        for key, text in value.items():
            if key not in items:
                return f"unknown item {quoted(key)}"
            if not isinstance(text, str):
                return f"item {quoted(key)}: expected text"
        return None
    rows = {r.value for r in field.rows}
    unknown = next((key for key in value if key not in rows), None)
    if unknown is not None:
        return f"unknown row {quoted(unknown)}"
    if field.type is FieldType.MATRIX:
        columns = {c.value for c in field.columns}
        for key, chosen in value.items():
            if not isinstance(chosen, str) or chosen not in columns:
                return f"row {quoted(key)}: expected one of the column values"
        return None
    by_id = {c.id: c for c in field.cell_columns}
    for key, cells in value.items():
        if not isinstance(cells, dict):
            return f"row {quoted(key)}: expected an object of column: value"
        for column_id, cell in cells.items():
            column = by_id.get(column_id)
            if column is None:
                return f"row {quoted(key)}: unknown column {quoted(column_id)}"
            problem = type_problem(column, cell)
            if problem is not None:
                return f"row {quoted(key)}, column {quoted(column_id)}: {problem}"
    return None


_ANSWER_ROW = "Choose an answer in this row."
_FILL_ROW = "Answer this row."


def cell_problems(field: Field, value: AnswerValue | None, *, required: bool) -> dict[str, str]:
    """Cell key (`Cell.key`; for a matrix_dropdown row as a whole, the row value) ->
    why that cell is not acceptable, as a sentence; `required`: the grid is required
    now. Expects a value of the right shape (`grid_type_problem`) or None."""
    answer = value if isinstance(value, dict) else {}
    problems: dict[str, str] = {}
    if field.type is FieldType.MULTIPLE_TEXT:
        marked = any(i.required for i in field.items)
        for item in field.items:
            needed = required and (item.required or not marked)
            text = answer.get(item.id)
            problem = answer_problem(item, text if isinstance(text, str) else None, required=needed)
            if problem is not None:
                problems[item.id] = problem
        return problems
    needed_rows: Container[str] = (
        (field.required_rows if field.required_rows is not None else {r.value for r in field.rows})
        if required
        else ()
    )
    if field.type is FieldType.MATRIX:
        for row in field.rows:
            if row.value in needed_rows and row.value not in answer:
                problems[row.value] = _ANSWER_ROW
        return problems
    marked = any(c.required for c in field.cell_columns)
    for row in field.rows:
        cells = answer.get(row.value)
        held: Mapping[str, object] = cells if isinstance(cells, dict) else {}
        in_needed = row.value in needed_rows
        if in_needed and not marked and not held:
            problems[row.value] = _FILL_ROW
        for column in field.cell_columns:
            cell = held.get(column.id)
            given = cell if isinstance(cell, str | int | float) else None  # bool is an int
            problem = answer_problem(column, given, required=in_needed and column.required)
            if problem is not None:
                problems[f"{row.value}.{column.id}"] = problem
    return problems


def grid_answer_problem(field: Field, value: AnswerValue | None, *, required: bool) -> str | None:
    """The first cell problem, named by its cell ("Row / Column: message"), or None."""
    problems = cell_problems(field, value, required=required)
    if not problems:
        return None
    labels = {c.key: c.label for c in grid_cells(field)}
    labels.update({r.value: r.label for r in field.rows})
    key, message = next(iter(problems.items()))
    more = f" ({len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{labels.get(key, key)}: {message}{more}"


def reference_owner(name: str, fields: Container[str]) -> str | None:
    """The field a dotted expression name reads: `name` itself when it is a field id
    (an id may hold dots), else its longest dotted prefix that is (`{grid.row}`,
    `{grid.row.column}` read the grid). None when no prefix is a field."""
    if name in fields:
        return name
    head = name
    while "." in head:
        head = head.rsplit(".", 1)[0]
        if head in fields:
            return head
    return None
