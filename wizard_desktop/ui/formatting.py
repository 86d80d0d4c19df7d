"""How values look on screen: answers (as `core.answer_text` writes them, so the
exports and the report read the same; dates in the locale's short format), durations
and the session's two figures, local times and percentages. Functions with no widgets,
shared by the player, the views and the report."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QLocale, Qt

# Light to import (the first screen uses these helpers): the model loads when an
# answer is first formatted.
from wizard_desktop.core.answer_text import (
    ELAPSED,
    NOT_SET,
    TIME_SPENT,
    format_answer,
    format_duration,
    local_time,
    session_times,
    share,
    whole_percent,
)

if TYPE_CHECKING:
    from wizard_desktop.definition.model import AnswerValue, Field

__all__ = [
    "ELAPSED",
    "NOT_SET",
    "TIME_SPENT",
    "counted",
    "format_answer",
    "format_duration",
    "local_time",
    "local_time_tooltip",
    "session_times",
    "share",
    "shown_answer",
    "whole_percent",
]


def shown_answer(field: Field, value: AnswerValue | None) -> str:
    """An answer as the review, the summary and the report show it: `format_answer`,
    dates in the locale's short format."""
    from wizard_desktop.definition.model import FieldType

    if field.type is FieldType.DATE and isinstance(value, str):
        date = QDate.fromString(value, Qt.DateFormat.ISODate)
        if date.isValid():
            return QLocale().toString(date, QLocale.FormatType.ShortFormat)
    return format_answer(field, value)


def local_time_tooltip(value: dt.datetime | None) -> str | None:
    return value.astimezone().strftime("%A %d %B %Y, %H:%M:%S %Z") if value is not None else None


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """`count` and the word for it: "1 step", "2 steps", "0 times"."""
    word = singular if count == 1 else (plural or f"{singular}s")
    return f"{count:,} {word}"
