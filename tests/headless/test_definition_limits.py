"""The limits of formats 1 and 2: every text has a length cap, steps, fields and options have
count caps, numbers stay below model.NUMBER_LIMIT and dates within DATE_MIN..DATE_MAX;
each refusal names the limit."""

from __future__ import annotations

from typing import Any

import pytest

from tests.wizard_files import json_problems, load_json, wizard_data
from wizard_desktop.definition.fileformat import (
    MAX_CONDITION_ITEMS,
    MAX_FIELDS_PER_STEP,
    MAX_OPTIONS,
    MAX_STEPS,
    MAX_TEXT_LENGTH_SETTING,
    MAX_VALUE_CHARS,
    TEXT_LIMITS,
)
from wizard_desktop.definition.model import DATE_MAX, DATE_MIN, NUMBER_LIMIT

TEXT_FIELD: dict[str, Any] = {"id": "a", "type": "text", "label": "A"}


def placed(key: str, text: str) -> tuple[dict[str, Any], str]:
    """A wizard with `text` under `key`, and the path a problem there names."""
    if key in ("title", "description", "$schema"):
        return wizard_data(TEXT_FIELD, **{key: text}), f'["{key}"]' if key[0] == "$" else key
    if key == "value":
        choice = {"id": "c", "type": "choice", "label": "C", "options": [text]}
        return wizard_data(choice), "steps[0].fields[0].options[0]"
    if key == "unit":
        return wizard_data({"id": "n", "type": "number", "label": "N", key: text}), (
            "steps[0].fields[0].unit"
        )
    if key == "note":  # a note's label (format 2)
        note = {"id": "n", "type": "note", "label": text}
        return wizard_data(note, format_version=2), "steps[0].fields[0].label"
    if key == "constraint_message":  # format 2, goes with a constraint
        checked = {**TEXT_FIELD, "constraint": "{a} notempty", key: text}
        return wizard_data(checked, format_version=2), f"steps[0].fields[0].{key}"
    if key == "pattern_message":  # a pattern_message goes with a pattern
        return wizard_data({**TEXT_FIELD, "pattern": "x+", key: text}), (
            "steps[0].fields[0].pattern_message"
        )
    return wizard_data({**TEXT_FIELD, key: text}), f"steps[0].fields[0].{key}"


@pytest.mark.parametrize("key", sorted(TEXT_LIMITS))
def test_every_text_has_a_length_limit(key: str) -> None:
    limit = TEXT_LIMITS[key]
    load_json(placed(key, "x" * limit)[0])
    data, path = placed(key, "x" * (limit + 1))
    assert json_problems(data) == [
        f"w.json:1: {path}: too long ({limit + 1} characters); the limit is {limit}"
    ]


def test_a_one_megabyte_title_is_refused_at_once() -> None:
    data, _ = placed("title", "t" * 1_000_000)
    assert json_problems(data) == [
        "w.json:1: title: too long (1000000 characters); the limit is 200"
    ]


def test_option_labels_have_a_limit() -> None:
    limit = TEXT_LIMITS["value"]
    option = {"value": "x", "label": "L" * (limit + 1)}
    data = wizard_data({"id": "c", "type": "choice", "label": "C", "options": [option]})
    assert json_problems(data) == [
        f"w.json:1: steps[0].fields[0].options[0].label: too long ({limit + 1} characters); "
        f"the limit is {limit}"
    ]


def test_text_values_in_defaults_and_conditions_have_a_limit() -> None:
    long = "v" * (MAX_VALUE_CHARS + 1)
    data = wizard_data(
        {"id": "a", "type": "multiline", "label": "A", "default": long},
        {"id": "b", "type": "text", "label": "B", "visible_if": {"field": "a", "equals": long}},
    )
    too_long = f"too long ({MAX_VALUE_CHARS + 1} characters); the limit is {MAX_VALUE_CHARS}"
    assert json_problems(data) == [
        f"w.json:1: steps[0].fields[0].default: {too_long}",
        f"w.json:1: steps[0].fields[1].visible_if.equals: {too_long}",
    ]


def test_lengths_settings_have_a_limit() -> None:
    data = wizard_data({**TEXT_FIELD, "max_length": MAX_TEXT_LENGTH_SETTING + 1})
    assert json_problems(data) == [
        f"w.json:1: steps[0].fields[0].max_length: must be at most {MAX_TEXT_LENGTH_SETTING}, "
        f"got {MAX_TEXT_LENGTH_SETTING + 1}"
    ]


def test_steps_fields_options_and_condition_lists_have_count_limits() -> None:
    steps = [{"id": f"s{i}", "title": "S"} for i in range(MAX_STEPS + 1)]
    data = {"format_version": 1, "id": "demo", "title": "Demo", "steps": steps}
    assert json_problems(data) == [
        f"w.json:1: steps: too many steps ({MAX_STEPS + 1}); the limit is {MAX_STEPS}"
    ]
    data["steps"] = steps[:MAX_STEPS]
    load_json(data)

    fields = [{"id": f"f{i}", "type": "boolean", "label": "F"} for i in range(MAX_FIELDS_PER_STEP)]
    load_json(wizard_data(*fields))
    fields.append({"id": "last", "type": "boolean", "label": "F"})
    assert json_problems(wizard_data(*fields)) == [
        f"w.json:1: steps[0].fields: too many fields in one step ({MAX_FIELDS_PER_STEP + 1}); "
        f"the limit is {MAX_FIELDS_PER_STEP}"
    ]

    options = [f"o{i}" for i in range(MAX_OPTIONS + 1)]
    choice = {"id": "c", "type": "choice", "label": "C", "options": options}
    assert json_problems(wizard_data(choice)) == [
        f"w.json:1: steps[0].fields[0].options: too many options ({MAX_OPTIONS + 1}); "
        f"the limit is {MAX_OPTIONS}"
    ]
    load_json(wizard_data({**choice, "options": options[:MAX_OPTIONS]}))

    values = [f"v{i}" for i in range(MAX_CONDITION_ITEMS + 1)]
    shown = {**TEXT_FIELD, "id": "b", "visible_if": {"field": "a", "in": values}}
    assert json_problems(wizard_data(TEXT_FIELD, shown)) == [
        f"w.json:1: steps[0].fields[1].visible_if.in: too many values "
        f"({MAX_CONDITION_ITEMS + 1}); the limit is {MAX_CONDITION_ITEMS}"
    ]


BIGGEST = NUMBER_LIMIT - 1
NUMBER_RANGE = f"numbers stay between -{BIGGEST:,} and {BIGGEST:,}"


@pytest.mark.parametrize("key", ["min", "max"])
@pytest.mark.parametrize("value", [NUMBER_LIMIT, -NUMBER_LIMIT, 2**63, 1e300])
def test_number_bounds_stay_below_the_number_limit(key: str, value: float) -> None:
    data = wizard_data({"id": "n", "type": "number", "label": "N", key: value})
    assert json_problems(data) == [
        f"w.json:1: steps[0].fields[0].{key}: {value!r} is too large: {NUMBER_RANGE}"
    ]


def test_number_defaults_stay_below_the_number_limit() -> None:
    field = {"id": "n", "type": "number", "label": "N", "decimals": 2}
    edge = load_json(wizard_data({**field, "min": -BIGGEST, "max": BIGGEST, "default": BIGGEST}))
    assert edge.field("n").default == BIGGEST  # type: ignore[union-attr]
    assert load_json(wizard_data({**field, "default": 5_000_000_000})).field("n").default == (  # type: ignore[union-attr]
        5_000_000_000
    )
    assert json_problems(wizard_data({**field, "default": NUMBER_LIMIT})) == [
        "w.json:1: steps[0].fields[0].default: the default is not a valid answer: "
        f"Enter a number between -{BIGGEST:,} and {BIGGEST:,}."
    ]


@pytest.mark.parametrize("key", ["min", "max"])
@pytest.mark.parametrize("value", ["0999-12-31", "0001-01-01"])
def test_date_bounds_lie_within_the_date_range(key: str, value: str) -> None:
    data = wizard_data({"id": "d", "type": "date", "label": "D", key: value})
    assert json_problems(data) == [
        f"w.json:1: steps[0].fields[0].{key}: {value} is out of range: dates lie between "
        f"{DATE_MIN} and {DATE_MAX}"
    ]


def test_date_defaults_lie_within_the_date_range() -> None:
    field = {"id": "d", "type": "date", "label": "D"}
    lowest = load_json(wizard_data({**field, "min": str(DATE_MIN), "default": str(DATE_MIN)}))
    assert lowest.field("d").default == "1000-01-01"  # type: ignore[union-attr]
    load_json(wizard_data({**field, "max": str(DATE_MAX), "default": "1850-05-01"}))
    assert json_problems(wizard_data({**field, "default": "0850-05-01"})) == [
        "w.json:1: steps[0].fields[0].default: the default is not a valid answer: "
        f"Choose a date between {DATE_MIN} and {DATE_MAX}."
    ]
