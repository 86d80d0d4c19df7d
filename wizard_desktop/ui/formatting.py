"""How values look on screen: answers, durations, local times and percentages. Pure
functions with no widgets, shared by the player and the views."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the first screen uses the rest without loading the model
    from wizard_desktop.definition.model import AnswerValue, Field

NOT_SET = "—"


def format_answer(field: Field, value: AnswerValue) -> str:
    """An answer as a person reads it (option labels, Yes/No, units)."""
    from wizard_desktop.definition.model import FieldType

    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(field.option_label(v) for v in value)
    if field.type is FieldType.CHOICE:
        return field.option_label(str(value))
    if isinstance(value, int | float):
        number = f"{value:.{field.decimals}f}"
        return f"{number} {field.unit}" if field.unit else number
    return str(value)


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


def local_time(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value is not None else NOT_SET


def local_time_tooltip(value: dt.datetime | None) -> str | None:
    return value.astimezone().strftime("%A %d %B %Y, %H:%M:%S %Z") if value is not None else None


def whole_percent(value: float) -> str:
    return f"{value:.0f} %"


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """`count` and the word for it: "1 step", "2 steps", "0 times"."""
    word = singular if count == 1 else (plural or f"{singular}s")
    return f"{count:,} {word}"
