"""How an answer reads for a person: option labels, Yes/No, numbers with their
decimals and unit, and one mark for "unanswered". The summaries on screen (through
`ui/formatting`) and the CSV export's `answer` column both use it, so a value reads
the same wherever a person sees it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # light to import: the first screen's helpers import NOT_SET
    from wizard_desktop.definition.model import AnswerValue, Field

NOT_SET = "—"
"""An unanswered field (or an unset figure), whatever its type."""


def answer_formatter(field: Field, *, separator: str = ", ") -> Callable[[AnswerValue | None], str]:
    """`format_answer` for many values of one field (a spreadsheet's column): the
    field's options are looked at once. A multi-choice's labels are joined by
    `separator`."""
    from wizard_desktop.definition.conditions import is_answered
    from wizard_desktop.definition.model import FieldType

    labels = {option.value: option.label for option in reversed(field.options)}
    is_choice = field.type is FieldType.CHOICE
    decimals, unit = field.decimals, field.unit

    def text(value: AnswerValue | None) -> str:
        if value is None or not is_answered(value):
            return NOT_SET
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, list):
            return separator.join(labels.get(v, v) for v in value)
        if is_choice:
            return labels.get(str(value), str(value))
        if isinstance(value, int | float):
            number = f"{value:.{decimals}f}"
            return f"{number} {unit}" if unit else number
        return str(value)

    return text


def format_answer(field: Field, value: AnswerValue | None) -> str:
    """`value` of `field` as a person reads it; NOT_SET when unanswered. A
    multi-choice reads as its option labels separated by commas."""
    return answer_formatter(field)(value)
