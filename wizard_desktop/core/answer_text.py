"""How an answer and a session's figures read for a person: option labels (a labelled
rating's too; a ranking's in order, "Price > Speed"), Yes/No, numbers with their
decimals and unit, times as HH:MM, calculated values as they come (a number without
trailing zeros), one mark for "unanswered", durations, percentages, the two figures of
a session and local times. The summaries on screen (through `ui/formatting`), the CSV
exports and the printed report all use it, so a value reads the same wherever a person
sees it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # light to import: the first screen's helpers import NOT_SET
    from wizard_desktop.core.sessions import SessionInfo
    from wizard_desktop.definition.grids import Cell
    from wizard_desktop.definition.model import AnswerValue, Field

NOT_SET = "—"
"""An unanswered field (or an unset figure), whatever its type."""
TIME_SPENT = "Time spent"
"""The time the player was open on a session before it was completed (`active_seconds`)."""
ELAPSED = "Elapsed"
"""From start to completion (`total_time_seconds`: completed_at - started_at)."""


RANKING_SEPARATOR = " > "
"""Between a ranking's option labels, first ranked first ("Price > Speed > Quality")."""

CALCULATED_DECIMALS = 10
"""A calculated number shows at most this many decimals (0.1 + 0.2 reads 0.3)."""


def answer_formatter(field: Field, *, separator: str = ", ") -> Callable[[AnswerValue | None], str]:
    """`format_answer` for many values of one field (a spreadsheet's column): the
    field's options are looked at once. A multi-choice's labels are joined by
    `separator`, a ranking's always by RANKING_SEPARATOR."""
    from wizard_desktop.definition.attachments import ATTACHMENT_TYPES
    from wizard_desktop.definition.conditions import is_answered
    from wizard_desktop.definition.model import FieldType

    if field.type in _GRID_TYPE_NAMES:
        return lambda value: grid_text(field, value)
    labels = {option.value: option.label for option in reversed(field.options)}
    if field.type is FieldType.RANKING:  # an order, wherever it is read
        separator = RANKING_SEPARATOR
    is_number = field.type is FieldType.NUMBER
    decimals, unit = field.decimals, field.unit
    attachment = field.type in ATTACHMENT_TYPES

    def text(value: AnswerValue | None) -> str:
        if value is None or not is_answered(value):
            return NOT_SET
        if attachment and isinstance(value, dict):
            return attachment_text(field, value)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, list):
            return separator.join(labels.get(v, v) for v in value)
        if labels:  # a choice, a labelled rating
            return labels.get(str(value), str(value))
        if isinstance(value, int | float) and is_number:
            number = f"{value:.{decimals}f}"
            return f"{number} {unit}" if unit else number
        if isinstance(value, float):
            shown = f"{value:.{CALCULATED_DECIMALS}f}".rstrip("0").rstrip(".")
            return "0" if shown == "-0" else shown
        return str(value)

    return text


def attachment_text(field: Field, value: Mapping[str, object]) -> str:
    """A file or image as its name and size ("receipt.pdf (1.2 MB)"); a signature
    as "Signed"."""
    from wizard_desktop.definition.attachments import size_text
    from wizard_desktop.definition.model import FieldType

    if field.type is FieldType.SIGNATURE:
        return "Signed"
    size = value.get("size")
    shown = size_text(size) if isinstance(size, int) else "?"
    return f"{value.get('name')} ({shown})"


# The grid types' names (definition.fileformat.GRID_TYPES), without importing the format.
_GRID_TYPE_NAMES = frozenset({"matrix", "matrix_dropdown", "multiple_text"})


def cell_text(field: Field, cell: Cell, value: AnswerValue | None) -> str:
    """One cell of a grid (`grids.grid_cells`) as a person reads it; NOT_SET when empty."""
    from wizard_desktop.definition.grids import cell_value

    held = cell_value(value, cell)
    if cell.column is not None:
        return format_answer(cell.column, held)
    if held is None or held == "":
        return NOT_SET
    return field_option_label(field, str(held))


def field_option_label(field: Field, value: str) -> str:
    """A matrix column's label (a grid's choice), else the value."""
    return next((c.label for c in field.columns if c.value == value), value)


def grid_text(field: Field, value: AnswerValue | None) -> str:
    """A grid's answer: its answered cells as "Row: Column; Row 2: …" (a matrix_dropdown's
    row reads "Row: Column = value, Column 2 = value"); NOT_SET when none is."""
    from wizard_desktop.definition.grids import cell_value, grid_cells
    from wizard_desktop.definition.model import FieldType

    if not isinstance(value, dict) or not value:
        return NOT_SET
    if field.type is not FieldType.MATRIX_DROPDOWN:
        cells = [c for c in grid_cells(field) if cell_value(value, c) not in (None, "")]
        return "; ".join(f"{c.label}: {cell_text(field, c, value)}" for c in cells) or NOT_SET
    rows: list[str] = []
    for row in field.rows:
        held = value.get(row.value)
        if not isinstance(held, dict):
            continue
        parts = [
            f"{c.label} = {format_answer(c, held[c.id])}"
            for c in field.cell_columns
            if held.get(c.id) not in (None, "")
        ]
        if parts:
            rows.append(f"{row.label}: {', '.join(parts)}")
    return "; ".join(rows) or NOT_SET


def format_answer(field: Field, value: AnswerValue | None) -> str:
    """`value` of `field` as a person reads it; NOT_SET when unanswered. A
    multi-choice reads as its option labels separated by commas."""
    return answer_formatter(field)(value)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return NOT_SET
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def session_times(info: SessionInfo) -> str:
    """A session's figures as every view shows them: "Time spent: 6 min 41 s", and
    for a completed session " · Elapsed: 1 h 2 min". Both are stored figures, so they
    read the same on the completion page, the review, the table, the report and the CLI."""
    text = f"{TIME_SPENT}: {format_duration(info.active_seconds)}"
    if info.total_time_seconds is None:
        return text
    return f"{text} · {ELAPSED}: {format_duration(info.total_time_seconds)}"


def local_time(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value is not None else NOT_SET


def whole_percent(value: float) -> str:
    return f"{value:.0f} %"


def share(count: int, total: int) -> str:
    """`count` as a whole percentage of `total` ("57 %"); NOT_SET when `total` is 0."""
    return whole_percent(100 * count / total) if total else NOT_SET
