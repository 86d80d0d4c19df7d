"""Format version 2, read for real: a format 1 file is what it always was and refuses
every format 2 key by name; a format 2 file's expressions and `{field}` texts are
parsed at load, each problem at its line and column; the new field types and their
limits; the canonical form (and hash) of both."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.wizard_files import (
    FORMAT_2_SAMPLE,
    json_problems,
    load_json,
    only_wizard_file_errors,
    text_problems,
    wizard_data,
)
from wizard_desktop.definition.answers import answer_problem
from wizard_desktop.definition.expressions import ExpressionCostExceeded
from wizard_desktop.definition.loader import (
    definition_from_dict,
    parse_wizard_text,
    stored_definition,
)
from wizard_desktop.definition.logic import wizard_logic
from wizard_desktop.definition.model import Equals, FieldType, Option

AGE: dict[str, Any] = {"id": "age", "type": "number", "label": "Age"}


def number(field_id: str) -> dict[str, Any]:
    return {"id": field_id, "type": "number", "label": field_id.upper()}


def v2(*fields: dict[str, Any], **top: Any) -> dict[str, Any]:
    return wizard_data(*fields, format_version=2, **top)


def yaml_problems(body: str) -> list[str]:
    """Problems of a format 2 YAML file whose first step's fields are `body` (line 7 on)."""
    head = "format_version: 2\nid: demo\ntitle: Demo\nsteps:\n  - id: one\n    title: One\n"
    return text_problems(head + "    fields:\n" + textwrap.indent(textwrap.dedent(body), "      "))


# --- Format 1 stays format 1 ----------------------------------------------------------


def test_a_format_1_canonical_form_is_unchanged() -> None:
    data = wizard_data(
        {"id": "a", "type": "choice", "label": "A", "options": ["x", {"value": "y", "label": "Y"}]},
        {"id": "b", "type": "text", "label": "B", "visible_if": {"field": "a", "equals": "x"}},
    )
    d = load_json(data)
    assert d.format_version == 1
    assert d.canonical_json() == (
        '{"format_version":1,"id":"demo","steps":[{"fields":[{"id":"a","label":"A",'
        '"options":[{"label":"x","value":"x"},{"label":"Y","value":"y"}],"type":"choice"},'
        '{"id":"b","label":"B","type":"text","visible_if":{"equals":"x","field":"a"}}],'
        '"id":"one","title":"One"}],"title":"Demo"}'
    )


@pytest.mark.parametrize(
    ("extra", "path", "message"),
    [
        ({"required_if": "{a} > 1"}, "required_if", "'required_if' needs format_version: 2"),
        ({"constraint": "{a} > 1"}, "constraint", "'constraint' needs format_version: 2"),
        ({"visible_if": "{a} > 1"}, "visible_if", "an expression needs format_version: 2"),
        ({"type": "rating"}, "type", "the type 'rating' needs format_version: 2"),
        ({"type": "note"}, "type", "the type 'note' needs format_version: 2"),
    ],
)
def test_format_1_refuses_format_2_keys_by_name(
    extra: dict[str, Any], path: str, message: str
) -> None:
    field = {"id": "b", "type": "number", "label": "B", **extra}
    (problem,) = json_problems(wizard_data({**AGE, "id": "a"}, field))
    assert problem.startswith(f"w.json:1: steps[0].fields[1].{path}: {message}")
    assert "(this file is format 1)" in problem


def test_format_1_refuses_an_option_visible_if() -> None:
    option = {"value": "x", "label": "X", "visible_if": {"field": "a", "answered": True}}
    choice = {"id": "c", "type": "choice", "label": "C", "options": [option]}
    assert json_problems(wizard_data(AGE | {"id": "a"}, choice)) == [
        "w.json:1: steps[0].fields[1].options[0].visible_if: an option's visible_if needs "
        "format_version: 2 (this file is format 1)"
    ]


def test_format_1_still_allows_only_earlier_fields() -> None:
    later = {
        "id": "b",
        "type": "text",
        "label": "B",
        "visible_if": {"field": "c", "answered": True},
    }
    problems = json_problems(wizard_data(later, {"id": "c", "type": "text", "label": "C"}))
    assert problems == [
        "w.json:1: steps[0].fields[0].visible_if.field: field 'c' comes later "
        "(steps[0].fields[1]); a condition may only name fields of earlier steps or earlier "
        "fields of the same step"
    ]


# --- Expressions and texts: line and column of every problem -------------------------


def test_an_unknown_name_is_reported_at_its_column_with_a_suggestion() -> None:
    assert yaml_problems(
        """\
        - {id: age, type: number, label: Age}
        - {id: x, type: text, label: X, visible_if: "{agee} >= 18"}
        - id: y
          type: text
          label: Y
          visible_if: '{age} > 3 and {zzz} = 1'
        """
    ) == [
        "w.yaml:9:52: steps[0].fields[1].visible_if: unknown field {agee}; did you mean {age}?",
        "w.yaml:13:36: steps[0].fields[2].visible_if: unknown field {zzz}",
    ]


def test_a_plain_yaml_scalar_and_json_have_their_columns_too() -> None:
    assert yaml_problems(
        """\
        - {id: age, type: number, label: Age}
        - id: x
          type: text
          label: X
          required_if: age({born}) > 3
        """
    ) == ["w.yaml:12:26: steps[0].fields[1].required_if: unknown field {born}"]
    text = json.dumps(v2(AGE, {"id": "x", "type": "text", "label": "X", "enabled_if": "{ag}"}))
    (problem,) = text_problems(text, "json")
    column = text.index("{ag}") + 1  # one line: the column is the offset
    assert problem == (
        f"w.json:1:{column}: steps[0].fields[1].enabled_if: unknown field {{ag}}; "
        "did you mean {age}?"
    )


def test_a_syntax_error_points_into_the_expression() -> None:
    (problem,) = yaml_problems(
        """\
        - {id: age, type: number, label: Age, constraint: "{age} >>= 3"}
        """
    )
    assert problem.startswith("w.yaml:8:65: steps[0].fields[0].constraint: unexpected '>='")


def test_an_unquoted_yaml_expression_gets_a_hint() -> None:
    assert yaml_problems(
        """\
        - {id: age, type: number, label: Age}
        - {id: x, type: text, label: X, visible_if: {age}}
        - {id: y, type: text, label: Y, required_if: {age}}
        """
    ) == [
        "w.yaml:9: steps[0].fields[1].visible_if: YAML read an expression starting with '{' "
        "as a mapping: put the expression in quotes",
        "w.yaml:10: steps[0].fields[2].required_if: expected an expression (text), YAML read "
        "an expression starting with '{' as a mapping: put the expression in quotes",
    ]


def test_a_multi_line_expression_names_its_column_in_the_message() -> None:
    (problem,) = yaml_problems(
        """\
        - {id: age, type: number, label: Age}
        - id: x
          type: text
          label: X
          visible_if: |
            {age} > 3 and {nope}
        """
    )
    assert problem == "w.yaml:12: steps[0].fields[1].visible_if: unknown field {nope} (column 15)"


def test_texts_are_templates_with_checked_names() -> None:
    text = json.dumps(
        v2(
            {"id": "name", "type": "text", "label": "Name"},
            {"id": "hello", "type": "note", "label": "Hello {nam}"},
            {"id": "x", "type": "text", "label": "X", "help": "For {name} and {who}"},
        )
    )
    assert text_problems(text, "json") == [
        f"w.json:1:{text.index('{nam}') + 1}: steps[0].fields[1].label: unknown field {{nam}}; "
        "did you mean {name}?",
        f"w.json:1:{text.index('{who}') + 1}: steps[0].fields[2].help: unknown field {{who}}",
    ]


def test_format_1_texts_with_braces_are_plain_text() -> None:
    d = load_json(wizard_data({"id": "a", "type": "text", "label": "Price {in euros}"}))
    assert d.fields[0].label == "Price {in euros}"


def test_a_note_has_no_value_to_read() -> None:
    note = {"id": "n", "type": "note", "label": "Read this"}
    reader = {"id": "x", "type": "text", "label": "X", "visible_if": "{n} notempty"}
    text = json.dumps(v2(note, reader))
    assert text_problems(text, "json") == [
        f"w.json:1:{text.index('{n}') + 1}: steps[0].fields[1].visible_if: {{n}} is a note: "
        "it has no value"
    ]


def test_format_2_may_read_later_fields_and_itself_in_a_constraint() -> None:
    d = load_json(
        v2(
            {"id": "x", "type": "number", "label": "X", "visible_if": "{y} > 1"},
            {"id": "y", "type": "number", "label": "Y", "constraint": "{y} < 100"},
            {"id": "z", "type": "text", "label": "Z", "visible_if": {"field": "w", "equals": 1}},
            {"id": "w", "type": "number", "label": "W"},
        )
    )
    assert d.format_version == 2 and d.fields[2].visible_if == Equals("w", 1)


def test_a_condition_on_a_later_field_is_checked_against_it() -> None:
    reader = {"id": "x", "type": "text", "label": "X", "visible_if": {"field": "w", "gt": "a"}}
    choice = {"id": "c", "type": "text", "label": "C", "visible_if": {"field": "k", "equals": "z"}}
    kind = {"id": "k", "type": "choice", "label": "K", "options": ["a", "b"]}
    assert json_problems(v2(reader, choice, number("w"), kind)) == [
        "w.json:1: steps[0].fields[0].visible_if.gt: expected a number or a date as "
        'YYYY-MM-DD, got "a"',
        "w.json:1: steps[0].fields[1].visible_if.equals: can never match field 'k' (choice): "
        'expected one of a, b, got "z"',
    ]


def test_a_cycle_is_named() -> None:
    total = {"id": "total", "type": "calculated", "label": "T", "calculate": "{tax} + 1"}
    tax = {"id": "tax", "type": "calculated", "label": "Tax", "calculate": "{total} * 0.2"}
    assert json_problems(v2(total, tax)) == [
        "w.json:1: steps[0].fields[0].calculate: a cycle: total (calculate) reads tax, "
        "tax (calculate) reads total"
    ]


def test_a_visible_if_reading_itself_is_a_cycle() -> None:
    field = {"id": "a", "type": "text", "label": "A", "visible_if": "{a} empty"}
    assert json_problems(v2(field)) == [
        "w.json:1: steps[0].fields[0].visible_if: a cycle: a (visible_if) reads a"
    ]


def test_a_step_reading_its_own_field_is_a_cycle() -> None:
    data = v2(AGE)
    data["steps"][0]["visible_if"] = "{age} > 1"
    assert json_problems(data) == [
        "w.json:1: steps[0].visible_if: a cycle: one (visible_if) reads age, age is on step one"
    ]


def test_an_expression_too_costly_for_its_budget_is_refused_at_load() -> None:
    costly = " + ".join(["{a}"] * 300)
    fields = [{"id": "a", "type": "number", "label": "A"}] + [
        {"id": f"c{i}", "type": "calculated", "label": "C", "calculate": costly} for i in range(199)
    ]
    more = [
        {"id": f"s{i}", "title": "S", "fields": [{**f, "id": f"{f['id']}-{i}"} for f in fields[1:]]}
        for i in range(3)
    ]
    data = v2(*fields)
    data["steps"].extend(more)
    assert json_problems(data) == [
        "w.json:1: the expressions cost too much to evaluate, even with nothing answered"
    ]
    # A version stored by an earlier app (costs may have been counted otherwise then)
    # still reads back, and says so only when it is used.
    stored = stored_definition(data, "stored")
    with pytest.raises(ExpressionCostExceeded):
        wizard_logic(stored).resolve({})


# --- New field types ---------------------------------------------------------------


def test_every_new_type_loads_and_reads_back_from_its_canonical_form() -> None:
    d = load_json(
        v2(
            {
                "id": "n",
                "type": "note",
                "label": "**Note**\n\nfor {amount}",
                "visible_if": "{amount} > 0",
            },
            {"id": "amount", "type": "number", "label": "Amount", "default_expression": "2 * 3"},
            {
                "id": "t",
                "type": "calculated",
                "label": "T",
                "calculate": "{amount} * 2",
                "hidden": True,
            },
            {"id": "r", "type": "rating", "label": "R"},
            {"id": "r10", "type": "rating", "label": "R", "min": 0, "max": 9, "default": 4},
            {"id": "ro", "type": "rating", "label": "R", "options": ["bad", "good"]},
            {
                "id": "at",
                "type": "time",
                "label": "At",
                "min": "08:00",
                "max": "18:30",
                "default": "09:15",
            },
            {
                "id": "c",
                "type": "choice",
                "label": "C",
                "options": [{"value": "x", "label": "X", "visible_if": "{amount} > 1"}, "y"],
                "required_if": "{amount} > 10",
                "enabled_if": "{r} notempty",
                "constraint": "{c} != 'y' or {amount} < 5",
                "constraint_message": "Not with so much.",
            },
        )
    )
    by_id = {f.id: f for f in d.fields}
    assert [f.type for f in d.fields][:4] == [
        FieldType.NOTE,
        FieldType.NUMBER,
        FieldType.CALCULATED,
        FieldType.RATING,
    ]
    assert (by_id["r"].min, by_id["r"].max) == (1, 5), "the scale is stored as it reads"
    assert by_id["t"].hidden and by_id["t"].calculate is not None
    assert by_id["c"].options[0] == Option("x", "X", by_id["c"].options[0].visible_if)
    stored = json.loads(d.canonical_json())
    assert stored["format_version"] == 2
    assert stored["steps"][0]["fields"][7]["constraint"] == "{c} != 'y' or {amount} < 5"
    again = definition_from_dict(stored)
    assert again == d and again.content_hash() == d.content_hash()


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"type": "rating", "max": 11}, "max: must be between 0 and 10, got 11"),
        ({"type": "rating", "min": 0, "max": 10}, "max: a scale has at most 10 points, got 11"),
        ({"type": "rating", "min": 3, "max": 3}, "max: a scale needs at least 2 points"),
        (
            {"type": "rating", "max": 4, "options": ["a", "b"]},
            "max: a rating has a scale (min, max) or options, not both",
        ),
        ({"type": "rating", "default": 6}, "default: the default is not a valid answer: Choose"),
        ({"type": "time", "min": "8:00"}, 'min: expected a time as HH:MM (24 h), got "8:00"'),
        ({"type": "time", "min": "24:00"}, "min: expected a time as HH:MM (24 h)"),
        ({"type": "time", "min": "10:00", "max": "09:00"}, "max: max (09:00) is less than min"),
        ({"type": "time", "default": "07:00", "min": "08:00"}, "default: the default is not"),
        ({"type": "calculated"}, "calculate: missing (a calculated field needs calculate)"),
        (
            {"type": "calculated", "calculate": "1", "required": True},
            "required: 'required' is not used by a calculated field",
        ),
        ({"type": "note", "help": "x"}, "help: 'help' is not used by a note field"),
        ({"type": "text", "hidden": True}, "hidden: 'hidden' is not used by a text field"),
        (
            {"type": "text", "constraint_message": "No"},
            "constraint_message: a constraint_message needs a constraint",
        ),
        (
            {"type": "text", "default": "a", "default_expression": "'b'"},
            "default_expression: a field has a default or a default_expression, not both",
        ),
        ({"type": "text", "required_if": 3}, "required_if: expected an expression (text), got 3"),
        ({"type": "text", "required_if": "  "}, "required_if: must not be empty"),
    ],
)
def test_new_type_and_key_problems(field: dict[str, Any], message: str) -> None:
    (problem,) = json_problems(v2({"id": "f", "label": "F", **field}))
    assert problem.startswith(f"w.json:1: steps[0].fields[0].{message}"), problem


def test_an_unquoted_yaml_time_gets_a_hint() -> None:
    (problem,) = yaml_problems("- {id: t, type: time, label: T, min: 12:30}\n")
    assert problem.endswith("(YAML reads an unquoted 12:30 as a number: put it in quotes)")


def test_the_answer_rules_of_the_new_types() -> None:
    d = load_json(
        v2(
            {"id": "r", "type": "rating", "label": "R", "min": 0, "max": 3},
            {"id": "ro", "type": "rating", "label": "R", "options": ["bad", "good"]},
            {"id": "t", "type": "time", "label": "T", "min": "08:00", "max": "17:00"},
            {"id": "n", "type": "note", "label": "N"},
            {"id": "c", "type": "calculated", "label": "C", "calculate": "1"},
        )
    )
    r, ro, t, n, c = d.fields
    assert answer_problem(r, 0) is None and answer_problem(r, 3) is None
    assert answer_problem(r, 4) == "Choose a rating from 0 to 3."
    assert answer_problem(r, True) == "Expected a whole number."
    assert answer_problem(r, 2.5) == "Expected a whole number."
    assert answer_problem(ro, "good") is None and answer_problem(ro, 1) is not None
    assert answer_problem(t, "08:00") is None and answer_problem(t, "17:00") is None
    assert answer_problem(t, "07:59") == "Choose a time at or after 08:00."
    assert answer_problem(t, "17:01") == "Choose a time at or before 17:00."
    assert answer_problem(t, "7:30") == "Expected a time as HH:MM."
    assert answer_problem(n, "x") == "A note takes no answer."
    assert answer_problem(n, None) is None
    assert answer_problem(c, 12.5) is None and answer_problem(c, ["a"]) is None
    assert answer_problem(t, None, required=True) == "This field is required."


def test_a_stored_format_2_definition_reads_back_without_file_limits() -> None:
    d = parse_wizard_text(
        json.dumps(
            v2(AGE, {"id": "x", "type": "text", "label": "X {age}", "visible_if": "{age} > 1"})
        ),
        "w.json",
        "json",
    )
    assert definition_from_dict(d.to_dict()) == d


# --- Fuzzing format 2: nothing but WizardFileError ---------------------------------


def test_the_fuzzed_file_loads_as_written() -> None:
    d = parse_wizard_text(FORMAT_2_SAMPLE, "w.yaml", "yaml")
    assert d.format_version == 2 and len(d.fields) == 7


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_mutated_format_2_file_is_refused_cleanly(data: st.DataObject) -> None:
    text = FORMAT_2_SAMPLE
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(text)))
        piece = data.draw(
            st.sampled_from(
                ["{", "}", "{a}", "{b}", "(", ")", "'", '"', " and ", " + ", "iif(", ",", "zz", ""]
            )
            | st.text(max_size=4)
        )
        cut = data.draw(st.integers(0, 3))
        text = text[:position] + piece + text[position + cut :]
    only_wizard_file_errors(lambda: parse_wizard_text(text, "w.yaml", "yaml"))
