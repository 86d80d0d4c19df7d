"""The expression language: parsing (errors with columns), every operator and function,
empty rules, bounds and cost, templates. survey-core itself is the oracle in
test_expressions_oracle.py; the values asserted here are what it computes."""

from __future__ import annotations

import datetime

import pytest

from wizard_desktop.definition.expressions import (
    EvaluationBudget,
    ExpressionError,
    evaluate,
    is_true,
    parse_expression,
    parse_template,
)

VALUES: dict[str, object] = {
    "a": 5,
    "s": "abc",
    "n": 2,
    "t": True,
    "arr": ["a", "b"],
    "text5": "5",
    "empty_text": "",
    "nothing": None,
    "none_chosen": [],
}


def run(text: str, values: dict[str, object] | None = None) -> object:
    return evaluate(
        parse_expression(text), VALUES if values is None else values, EvaluationBudget()
    )


def test_reads_and_references_in_source_order() -> None:
    expression = parse_expression("{b} + {a} * 2 > 10 and {c} notempty or {a} = 1")
    assert expression.reads == frozenset({"a", "b", "c"})
    assert expression.references == (("b", 1), ("a", 7), ("c", 24), ("a", 40))
    assert expression.source == "{b} + {a} * 2 > 10 and {c} notempty or {a} = 1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{a} = 5", True),
        ("{a} == '5'", True),
        ("{text5} = 5", True),
        ("{s} = 'ABC'", True),
        ("{a} != 4 and {a} <> 4", True),
        ("{a} >= 5 and {a} <= 5 and {a} > 4 and {a} < 6", True),
        ("{a} => 5 and {a} =< 5", True),
        ("{nothing} = 5", False),
        ("{nothing} != 5", True),
        ("{nothing} = ''", True),
        ("{nothing} > -1", False),
        ("{nothing} < 1", False),
        ("{nothing} empty and {empty_text} empty and {none_chosen} empty", True),
        ("{a} notempty and {missing} empty", True),
        ("{arr} contains 'a' and {s} contains 'B' and {s} notcontains 'q'", True),
        ("{arr} anyof ['a', 'c']", True),
        ("{arr} allof ['a', 'c']", False),
        ("{arr} noneof ['x', 'y']", True),
        ("{arr} = ['b', 'a']", True),
        ("!{t} or negate {t}", False),
        ("{a} + {n} * 2 ^ 2", 13),
        ("2 ^ 3 ^ 2", 64),
        ("1 + 2 contains 2", 2),
        ("{s} + 1", "abc1"),
        ("{nothing} + {nothing}", 0),
        ("0.1 + 0.2", 0.3),
        ("10 / 4", 2.5),
        ("10 / 0", None),
        ("7 % 3", 1),
        ("{a} * -2", -10),
        ("iif({t}, 'yes', 'no')", "yes"),
        ("iif({nothing}, 'yes', 'no')", "no"),
        ("true and 5", 5),
        ("{nothing} and 5", 0),
        ("(1 + 2) * 3", 9),
        ("[1, 2] + 3", 6),
    ],
)
def test_operators(text: str, expected: object) -> None:
    assert run(text) == expected


def test_today_and_age() -> None:
    today = datetime.date.today()
    assert run("today()") == today.isoformat()
    born = today.replace(year=today.year - 30)
    assert run("age({born})", {"born": born.isoformat()}) == 30
    assert run("age({born})", {}) is None


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("", 1, "empty"),
        ("1 +", 4, "ends too early"),
        ("{a} = = 1", 7, "unexpected '='"),
        ("'abc", 1, "never closed"),
        ("{abc", 1, "never closed"),
        ("{a} > 1 and foo({a})", 13, "unknown function foo()"),
        ("iif(true)", 1, "iif() takes 2 to 3 arguments"),
        ("isContainerReady('page1')", 1, "form model"),
        ("1 @ 2", 3, "unexpected '@'"),
    ],
)
def test_errors_name_the_column(text: str, column: int, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert caught.value.column == column
    assert message in caught.value.message


def test_is_true_reads_like_survey_core() -> None:
    assert is_true(True) and is_true(1) and is_true("1")
    assert not is_true(2) and not is_true("yes") and not is_true(None) and not is_true([])


def test_template_renders_values_and_empties() -> None:
    template = parse_template("Hello {name}, you are {age}; {missing}! {unclosed")
    assert template.reads == frozenset({"name", "age", "missing"})
    assert template.references == (("name", 7), ("age", 23), ("missing", 30))
    assert template.render({"name": "Ada", "age": 36}) == "Hello Ada, you are 36; ! {unclosed"
