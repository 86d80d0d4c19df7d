"""Checking one answer against its field: type, required, lengths, pattern, ranges,
decimals, options, ratings, rankings (every option, each once), times and the format's
limits of numbers and dates. The one place these rules live: the core (steps, template
answers), the loader (defaults), the player's in-place messages and `logic` (with
required_if and constraints) all call `answer_problem`. Patterns run on RE2
(`patterns`): linear time in the answer, whatever the pattern. A note takes no answer;
a calculated field's value is computed, never typed, so any JSON value it computes is
its answer. A grid's answer is checked cell by cell (`grids`, which applies these rules
to each cell)."""

from __future__ import annotations

import datetime as dt
import math
import re

from wizard_desktop.definition.attachments import ATTACHMENT_TYPES, value_problem
from wizard_desktop.definition.conditions import is_answered
from wizard_desktop.definition.fileformat import GRID_TYPES, RATING_SCALE_DEFAULT, TIME_PATTERN
from wizard_desktop.definition.model import (
    DATE_MAX,
    DATE_MIN,
    NUMBER_LIMIT,
    AnswerValue,
    Field,
    FieldType,
)
from wizard_desktop.definition.patterns import compiled_pattern
from wizard_desktop.definition.problems import quoted


def _parse_date(value: str) -> dt.date | None:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


# A message names at most this many option values.
_VALUES_LISTED = 10


def _listing(values: list[str]) -> str:
    """The option values for a message: all of a few, the first ones of many."""
    if len(values) <= _VALUES_LISTED:
        return ", ".join(values)
    return f"{', '.join(values[:_VALUES_LISTED])}, … ({len(values)} in all)"


def rating_scale(field: Field) -> tuple[int, int]:
    """The lowest and highest point of a rating without options."""
    low = field.min if isinstance(field.min, int) else RATING_SCALE_DEFAULT[0]
    high = field.max if isinstance(field.max, int) else RATING_SCALE_DEFAULT[1]
    return low, high


def type_problem(field: Field, value: AnswerValue) -> str | None:
    """None when `value` has the JSON type `field` stores (and names known options),
    else a message. Used alone for defaults in a file and answers from a template."""
    t = field.type
    if t is FieldType.RATING and not field.options:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "expected a whole number"
    if t is FieldType.TIME:
        ok = isinstance(value, str) and re.fullmatch(TIME_PATTERN, value) is not None
        return None if ok else "expected a time as HH:MM"
    if t is FieldType.NOTE:
        return "a note takes no answer"
    if t is FieldType.CALCULATED:
        return None
    if t in ATTACHMENT_TYPES:
        return value_problem(field, value)
    if t in GRID_TYPES:
        from wizard_desktop.definition.grids import grid_type_problem  # it reads this module

        return grid_type_problem(field, value)
    if t in (FieldType.TEXT, FieldType.MULTILINE):
        return None if isinstance(value, str) else "expected text"
    if t is FieldType.NUMBER:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "expected a number"
    if t is FieldType.BOOLEAN:
        return None if isinstance(value, bool) else "expected true or false"
    if t is FieldType.DATE:
        ok = isinstance(value, str) and _parse_date(value) is not None
        return None if ok else "expected a date as YYYY-MM-DD"
    if t in (FieldType.CHOICE, FieldType.RATING):
        if not isinstance(value, str):
            return "expected one option value"
        values = [o.value for o in field.options]
        return None if value in values else f"expected one of {_listing(values)}"
    if t in (FieldType.MULTI_CHOICE, FieldType.RANKING):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "expected a list of option values"
        values = [o.value for o in field.options]
        unknown = [v for v in value if v not in values]
        if unknown:
            return f"unknown option {quoted(unknown[0])}; expected values among {_listing(values)}"
        if len(set(value)) != len(value):
            return (
                "an option is ranked twice"
                if t is FieldType.RANKING
                else "an option is selected twice"
            )
        return None
    raise AssertionError(f"unhandled field type {t}")


def _plural(n: int | float, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _number_text(value: int | float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


# The types whose answered value `answer_problem` judges alike whether or not the field
# is required (there `required` only speaks for an empty answer); a type not listed is
# taken to read it (a box must be checked, a grid's rows answered).
REQUIRED_ONLY_WHEN_EMPTY = frozenset(
    {
        FieldType.TEXT,
        FieldType.MULTILINE,
        FieldType.NUMBER,
        FieldType.DATE,
        FieldType.TIME,
        FieldType.CHOICE,
        FieldType.MULTI_CHOICE,
        FieldType.RATING,
        *ATTACHMENT_TYPES,
    }
)


def answer_problem(
    field: Field, value: AnswerValue | None, *, required: bool | None = None
) -> str | None:
    """Why `value` is not an acceptable answer to `field`, as a sentence for a person,
    or None when it is acceptable. `None` / "" / [] mean unanswered; a required
    boolean must be true. `required` (when given) replaces the field's own setting:
    what its `required_if` says now. Any JSON value may be passed (e.g. from a
    template)."""
    if required is None:
        required = field.required
    if not is_answered(value):
        return "This field is required." if required else None
    assert value is not None
    wrong_type = type_problem(field, value)
    if wrong_type is not None:
        return wrong_type[0].upper() + wrong_type[1:] + "."
    t = field.type
    if t in GRID_TYPES:
        from wizard_desktop.definition.grids import grid_answer_problem  # it reads this module

        return grid_answer_problem(field, value, required=required)
    if t in (FieldType.TEXT, FieldType.MULTILINE):
        assert isinstance(value, str)
        if field.min_length is not None and len(value) < field.min_length:
            return f"Enter at least {_plural(field.min_length, 'character')}."
        if field.max_length is not None and len(value) > field.max_length:
            return f"Enter at most {_plural(field.max_length, 'character')}."
        if field.pattern is not None and not compiled_pattern(field.pattern).fullmatch(value):
            return field.pattern_message or "This value does not have the expected format."
    elif t is FieldType.NUMBER:
        assert isinstance(value, int | float)
        if not math.isfinite(value) or abs(value) >= NUMBER_LIMIT:
            return f"Enter a number between -{NUMBER_LIMIT - 1:,} and {NUMBER_LIMIT - 1:,}."
        if isinstance(field.min, int | float) and value < field.min:
            return f"Enter a number of at least {_number_text(field.min, field.decimals)}."
        if isinstance(field.max, int | float) and value > field.max:
            return f"Enter a number of at most {_number_text(field.max, field.decimals)}."
        if round(value, field.decimals) != value:
            return f"Use at most {_plural(field.decimals, 'decimal')}."
    elif t is FieldType.BOOLEAN:
        if required and value is not True:
            return "This box must be checked."
    elif t is FieldType.RATING and not field.options:
        assert isinstance(value, int)
        low, high = rating_scale(field)
        if not low <= value <= high:
            return f"Choose a rating from {low} to {high}."
    elif t is FieldType.TIME:
        assert isinstance(value, str)
        if isinstance(field.min, str) and value < field.min:
            return f"Choose a time at or after {field.min}."
        if isinstance(field.max, str) and value > field.max:
            return f"Choose a time at or before {field.max}."
    elif t is FieldType.DATE:
        assert isinstance(value, str)
        if not DATE_MIN.isoformat() <= value <= DATE_MAX.isoformat():
            return f"Choose a date between {DATE_MIN} and {DATE_MAX}."
        if isinstance(field.min, str) and value < field.min:
            return f"Choose a date on or after {field.min}."
        if isinstance(field.max, str) and value > field.max:
            return f"Choose a date on or before {field.max}."
    elif t is FieldType.RANKING:
        assert isinstance(value, list)
        if len(value) < len(field.options):
            return f"Put every option in order ({len(value)} of {len(field.options)} ranked)."
    elif t is FieldType.MULTI_CHOICE:
        assert isinstance(value, list)
        if field.min_selected is not None and len(value) < field.min_selected:
            return f"Select at least {_plural(field.min_selected, 'option')}."
        if field.max_selected is not None and len(value) > field.max_selected:
            return f"Select at most {_plural(field.max_selected, 'option')}."
    return None
