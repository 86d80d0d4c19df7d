"""`answer_problem`: the one function that checks one answer value against one field's
rules (type, lengths, pattern, range, decimals, options, a required box, the format's
limits), for the player, the core and template answers alike."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.wizard_files import load_json, wizard_data
from wizard_desktop.definition.answers import REQUIRED_ONLY_WHEN_EMPTY, answer_problem
from wizard_desktop.definition.conditions import is_answered
from wizard_desktop.definition.model import DATE_MAX, DATE_MIN, NUMBER_LIMIT, Field

BIGGEST = f"{NUMBER_LIMIT - 1:,}"


def field(**settings: Any) -> Field:
    built = load_json(wizard_data({"id": "f", "label": "F", **settings})).field("f")
    assert built is not None
    return built


@pytest.mark.parametrize(
    ("settings", "value", "problem"),
    [
        ({"type": "text", "min_length": 2}, "x", "Enter at least 2 characters."),
        ({"type": "text", "max_length": 3}, "long", "Enter at most 3 characters."),
        ({"type": "text"}, 5, "Expected text."),
        (
            {"type": "text", "pattern": "[0-9]+"},
            "12a",
            "This value does not have the expected format.",
        ),
        ({"type": "text", "required": True}, "", "This field is required."),
        ({"type": "number", "max": 10, "decimals": 0}, 999.5, "Enter a number of at most 10."),
        ({"type": "number", "decimals": 0}, 2.5, "Use at most 0 decimals."),
        ({"type": "number", "min": 1}, 0, "Enter a number of at least 1."),
        ({"type": "number"}, True, "Expected a number."),
        ({"type": "number"}, NUMBER_LIMIT, f"Enter a number between -{BIGGEST} and {BIGGEST}."),
        ({"type": "number"}, -1e300, f"Enter a number between -{BIGGEST} and {BIGGEST}."),
        ({"type": "number"}, math.inf, f"Enter a number between -{BIGGEST} and {BIGGEST}."),
        ({"type": "number"}, math.nan, f"Enter a number between -{BIGGEST} and {BIGGEST}."),
        ({"type": "boolean", "required": True}, False, "This box must be checked."),
        ({"type": "boolean"}, "yes", "Expected true or false."),
        ({"type": "date"}, "0999-12-31", f"Choose a date between {DATE_MIN} and {DATE_MAX}."),
        ({"type": "date"}, "2024-02-30", "Expected a date as YYYY-MM-DD."),
        (
            {"type": "date"},
            "\u0662\u0660\u0662\u0664-\u0660\u0661-\u0660\u0661",
            "Expected a date as YYYY-MM-DD.",
        ),
        (
            {"type": "date", "min": "2024-01-01"},
            "2023-12-31",
            "Choose a date on or after 2024-01-01.",
        ),
        ({"type": "choice", "options": ["a", "b"]}, "c", "Expected one of a, b."),
        (
            {"type": "multi_choice", "options": ["a", "b"], "min_selected": 2},
            ["a"],
            "Select at least 2 options.",
        ),
        (
            {"type": "multi_choice", "options": ["a", "b"]},
            ["a", "a"],
            "An option is selected twice.",
        ),
    ],
)
def test_an_answer_that_breaks_a_rule_gets_its_message(
    settings: dict[str, Any], value: Any, problem: str
) -> None:
    assert answer_problem(field(**settings), value) == problem


@pytest.mark.parametrize(
    ("settings", "value"),
    [
        ({"type": "text", "min_length": 2, "pattern": "[a-z]+"}, "ab"),
        ({"type": "number", "decimals": 2}, NUMBER_LIMIT - 1),
        ({"type": "number", "decimals": 2}, 5_000_000_000.25),
        ({"type": "boolean", "required": True}, True),
        ({"type": "boolean"}, False),
        ({"type": "date"}, str(DATE_MIN)),
        ({"type": "date"}, "1850-05-01"),
        ({"type": "date"}, str(DATE_MAX)),
        ({"type": "multi_choice", "options": ["a", "b"]}, ["b", "a"]),
        ({"type": "text"}, None),
    ],
)
def test_an_answer_within_every_rule_has_no_problem(settings: dict[str, Any], value: Any) -> None:
    assert answer_problem(field(**settings), value) is None


def test_messages_name_a_few_option_values_and_shorten_what_was_given() -> None:
    options = [f"option{i}" for i in range(1_000)]
    choice = field(type="choice", options=options)
    first_ten = ", ".join(options[:10])
    assert answer_problem(choice, "nope") == f"Expected one of {first_ten}, … (1000 in all)."
    several = field(type="multi_choice", options=options)
    assert answer_problem(several, ["x" * 100_000]) == (
        f"Unknown option '{'x' * 40}…'; expected values among {first_ten}, … (1000 in all)."
    )


# A field of each type with rules; format 2 for the types format 1 lacks.
RULED_FIELDS = [
    {"type": "text", "min_length": 2, "max_length": 5, "pattern": "[a-z]+"},
    {"type": "multiline", "max_length": 4},
    {"type": "number", "min": 1, "max": 10, "decimals": 1},
    {"type": "date", "min": "2024-01-01"},
    {"type": "time", "max": "12:00"},
    {"type": "choice", "options": ["a", "b"]},
    {"type": "multi_choice", "options": ["a", "b", "c"], "min_selected": 2},
    {"type": "rating"},
    {"type": "rating", "options": ["low", "high"]},
    {"type": "boolean"},
    {"type": "file"},
    {"type": "image"},
    {"type": "signature"},
]
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-20, 20)
    | st.floats(allow_nan=False, width=32)
    | st.sampled_from(["", "a", "b", "abc", "2024-05-06", "2023-01-01", "09:30", "13:00"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)


def v2_field(settings_: dict[str, Any]) -> Field:
    data = {**wizard_data({"id": "f", "label": "F", **settings_}), "format_version": 2}
    built = load_json(data).field("f")
    assert built is not None
    return built


@settings(max_examples=300, deadline=None)
@given(index=st.integers(0, len(RULED_FIELDS) - 1), value=JSON_VALUES)
def test_required_speaks_only_for_an_empty_answer_of_the_types_listed(
    index: int, value: Any
) -> None:
    """What lets a step's check reuse the logic's verdict on an answer of a required
    field (`WizardLogic.step_problems`): for these types `required` changes nothing
    once the field is answered."""
    f = v2_field(RULED_FIELDS[index])
    if f.type in REQUIRED_ONLY_WHEN_EMPTY and is_answered(value):
        assert answer_problem(f, value, required=True) == answer_problem(f, value, required=False)


def test_the_types_listed_leave_out_the_ones_required_speaks_for() -> None:
    box = v2_field({"type": "boolean"})
    assert box.type not in REQUIRED_ONLY_WHEN_EMPTY
    assert answer_problem(box, False, required=True) != answer_problem(box, False, required=False)
