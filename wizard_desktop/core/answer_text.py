"""How an answer reads for a person: option labels (a labelled rating's too), Yes/No,
numbers with their decimals and unit, times as HH:MM, calculated values as they come
(a number without trailing zeros), and one mark for "unanswered". The summaries on
screen (through `ui/formatting`) and the CSV export's `answer` column both use it, so
a value reads the same wherever a person sees it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # light to import: the first screen's helpers import NOT_SET
    from wizard_desktop.definition.model import AnswerValue, Field

NOT_SET = "—"
"""An unanswered field (or an unset figure), whatever its type."""


CALCULATED_DECIMALS = 10
"""A calculated number shows at most this many decimals (0.1 + 0.2 reads 0.3)."""


def format_answer(field: Field, value: AnswerValue | None) -> str:
    """`value` of `field` as a person reads it; NOT_SET when unanswered. A
    multi-choice reads as its option labels separated by commas."""
    from wizard_desktop.definition.conditions import is_answered
    from wizard_desktop.definition.model import FieldType

    if value is None or not is_answered(value):
        return NOT_SET
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(field.option_label(v) for v in value)
    if field.options:  # a choice, a labelled rating
        return field.option_label(str(value))
    if isinstance(value, int | float) and field.type is FieldType.NUMBER:
        number = f"{value:.{field.decimals}f}"
        return f"{number} {field.unit}" if field.unit else number
    if isinstance(value, float):
        text = f"{value:.{CALCULATED_DECIMALS}f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return str(value)
