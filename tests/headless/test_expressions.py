"""The expression language: parsing (errors with columns), every operator and function,
empty rules, bounds and cost, templates. survey-core itself is the oracle in
test_expressions_oracle.py; the values asserted here are what it computes."""

from __future__ import annotations

import datetime
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard_desktop.definition.expression_functions import (
    MAX_LIST_LENGTH,
    MAX_TEXT_LENGTH,
    exact_whole_sum,
)
from wizard_desktop.definition.expressions import (
    MAX_EXPRESSION_LENGTH,
    MAX_NESTING_DEPTH,
    MAX_TEMPLATE_LENGTH,
    EvaluationBudget,
    ExpressionCostExceeded,
    ExpressionError,
    evaluate,
    is_true,
    parse_expression,
    parse_template,
)
from wizard_desktop.definition.model import NUMBER_LIMIT

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
    "upper_true": "TRUE",
    "tenth": 0.1,
    "negative": -7,
    "spaced": " 12 ",
    "comma": "1,5",
    "day": "2020-06-01",
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


OPERATOR_CASES: list[tuple[str, object]] = [
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
    ("'5' = 5 and '5' + 1 = '51'", True),
    ("{a} equals 5 and {a} notequal 4 and {a} greater 4 and {a} less 6", True),
    ("{arr} *= 'b' and {a} power 2 = 25", True),
    ("((!{missing}) or (['1'] anyof {missing})", True),
    ("{arr.length} = 2 and {missing.length} = 0", True),
    ("'É' = 'é' and ' a ' = 'a' and 'Éa' contains 'é'", True),
    ("'😀' > 'ﬀ'", False),  # JavaScript orders texts by UTF-16 code units
    ("{upper_true} = true and {upper_true} + 1 = 2", True),
    ("'x' + 0.000001 + ' ' + 10 ^ 21 + ' ' + 1 / 3", "x0.000001 1e+21 0.3333333333333333"),
    ("{tenth} * 3", 0.3),
    ("1 / 3 * 3", 1),
    ("-7 % 3 = -1 and 7 % -3 = 1 and {negative} % 2 = -1 and 2.5 % 1 = 0.5", True),
    ("0.1 * 0.2 + 1.005 * 1000", 1005.02),
    ("(10 ^ 400 * 1.5 > 1) and (2.5 ^ 1000 + 0.5 > 1)", True),  # Infinity has no decimals
    ("{spaced} + 1 + {comma} * 2", 16),
    ("{arr} contains 'A' and {arr} = ['B', 'A'] and {arr} contains ['a', 'b']", True),
    ("{arr} anyof 'a,b' or {arr} = 'a,b'", False),
    ("{day} > '2020-01-01'", True),
    ("{arr} allof [] and {arr} anyof [] and {missing} anyof []", True),
    ("{missing} allof ['a'] or {missing} contains 'a' or 'abc' notcontains ''", False),
    ("{missing} noneof ['a'] and {missing} notcontains 'a'", True),
    ("10 contains 1 and true contains 'ru'", True),
    ("0 contains 0", False),  # a right side that is falsy (0, '', false) is never contained
    ("iif({missing}, 1, 2) + iif([], 1, 2)", 3),
    ("[true] = 'true' or ['1'] = 1 or [1] = 1", False),  # a list equals only a list
]

FUNCTION_CASES: list[tuple[str, object]] = [
    ("sum(1, 2.5, '3', [4, '5'])", 15.5),
    ("sum()", 0),
    ("sum({s}, 1)", "0abc1"),
    ("min(3, 1, 2)", 1),
    ("max(3, '10', 2)", 10),
    ("min('b', 'a')", "a"),
    ("count(1, [2, 3], {nothing})", 3),
    ("avg(1, 2, 4)", 2.3333333333333335),
    ("avg()", 0),
    ("round(2.345, 2)", 2.35),
    ("round(-2.5)", -3),
    ("round(1.255, 2)", 1.26),
    ("round('abc')", None),
    ("trunc(2.789)", 2),
    ("trunc(-2.789, 1)", -2.7),
    ("getDate('2020-01-05')", "2020-01-05"),
    ("dateDiff('2020-01-05', '2021-03-04', 'months')", 13),
    ("dateDiff('2020-01-05', '2021-03-04')", 424),
    ("dateDiff('2020-01-05', '2021-03-04', 'years')", 1),
    ("dateDiff('2020-01-05T10:00', '2020-01-05T12:30', 'minutes')", 150),
    ("dateAdd('2021-01-31', 1, 'months')", "2021-03-03"),
    ("dateAdd('2020-02-29', 1, 'years')", "2021-03-01"),
    ("dateAdd('2020-01-05', -10)", "2019-12-26"),
    ("dateAdd('2020-01-05', 90, 'minutes')", "2020-01-05T01:30:00"),
    ("getYear('2020-01-05')", 2020),
    ("diffDays('2020-03-01', '2020-02-01')", 29),
    ("year('2020-01-05') * 10000 + month('2020-01-05') * 100 + day('2020-01-05')", 20200105),
    ("weekday('2020-01-05')", 0),
    ("substring('wizard', 1, 3)", "iz"),
    ("substring('wizard', 2)", "zard"),
    ("substring('wizard', 4, 1)", "iza"),
    ("iif(false, 1)", None),
    ("age('2000-02-29', 'months') > 300", True),
    ("{s.length} + {missing.length}", 3),
    ("{#text5} + 1", "51"),
    ("{text5} + 1", 6),
]


@pytest.mark.parametrize(("text", "expected"), OPERATOR_CASES + FUNCTION_CASES)
def test_operators_and_functions(text: str, expected: object) -> None:
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
        ("not {a}", 5, 'writes "not" as "!"'),
        ("(1))", 4, "unexpected ')'"),
        ("1 '" + "x" * 500 + "'", 3, 'unexpected "\'xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"…'),
        ("f" * 300 + "(1)", 1, "unknown function " + "f" * 30 + "…()"),
        ("1 '\u202e'", 3, "unexpected \"'\\u202e'\""),  # shown escaped, never as a control
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


# --- bounds: a hostile expression is refused at parse time or stopped --------------------


def test_a_too_long_expression_is_refused() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression("1 + " * 500 + "1")
    assert caught.value.column == MAX_EXPRESSION_LENGTH + 1
    assert "longer than 2,000 characters" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "!" * (MAX_NESTING_DEPTH + 1) + "true",
        "1 + (" * (MAX_NESTING_DEPTH + 1) + "1" + ")" * (MAX_NESTING_DEPTH + 1),
        "[" * (MAX_NESTING_DEPTH + 1) + "]" * (MAX_NESTING_DEPTH + 1),
        "sum(" * (MAX_NESTING_DEPTH + 1) + ")" * (MAX_NESTING_DEPTH + 1),
    ],
)
def test_too_deep_nesting_is_refused(text: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert f"nested deeper than {MAX_NESTING_DEPTH} levels" in caught.value.message
    assert 1 <= caught.value.column <= len(text)


def test_long_flat_chains_and_deep_parentheses_are_fine() -> None:
    assert run(" + ".join(["1"] * 490)) == 490  # one level: no recursion, whatever its length
    assert run("(" * 900 + "{a}" + ")" * 900) == 5  # parentheses add no level


def test_numbers_stay_bounded() -> None:
    with pytest.raises(ExpressionError, match="too large"):
        parse_expression("10000000000000000 + 1")
    assert run("10 ^ 10 ^ 10") is None  # (10^10)^10 = 1e100: beyond NUMBER_LIMIT, empty
    assert run("2 ^ 1000000000") is None  # a float overflow, not a billion-digit integer
    assert run("999999999999999 * 999999999999999") is None
    assert run("999999999999999 + 1") is None  # an answer holds less than NUMBER_LIMIT
    assert run("999999999999999") == NUMBER_LIMIT - 1
    with pytest.raises(ExpressionError, match="too large"):
        parse_expression("1000000000000000")
    assert run("0 / 0") is None and run("{s} - 1") is None  # NaN is empty


def test_texts_and_lists_stay_bounded() -> None:
    long_text = {"s": "x" * 4_000, "l": ["v"] * 600}
    assert run("{s} + {s}", long_text) == "x" * 8_000
    assert run("{s} + {s} + {s}", long_text) is None  # beyond MAX_TEXT_LENGTH
    assert run("{l} + {l}", long_text) is None  # beyond MAX_LIST_LENGTH
    assert run("sum({s}, {s}, {s})", long_text) is None


def test_the_budget_stops_a_change_that_costs_too_much() -> None:
    expression = parse_expression("{a} + {b} * 2 > 10 and {c} notempty")
    assert expression.cost == 10  # one unit per node
    budget = EvaluationBudget(limit=25)
    evaluate(expression, VALUES, budget)
    evaluate(expression, VALUES, budget)
    assert budget.remaining == 5
    with pytest.raises(ExpressionCostExceeded):
        evaluate(expression, VALUES, budget)


def test_comparing_long_lists_spends_the_budget() -> None:
    values = {"l": [str(number) for number in range(600)]}
    expression = parse_expression("{l} anyof {l} and {l} = {l}")
    with pytest.raises(ExpressionCostExceeded):
        evaluate(expression, values, EvaluationBudget())
    assert evaluate(expression, values, EvaluationBudget(limit=10**7)) is True


def test_evaluation_never_reaches_python() -> None:
    for text in ("__import__('os')", "{a}.__class__", "eval('1')", "open('x')", "{a}[0]"):
        with pytest.raises(ExpressionError):
            parse_expression(text)


# --- templates ------------------------------------------------------------------------------


def test_template_values_read_as_survey_js_writes_them() -> None:
    template = parse_template("{n} / {f} / {t} / {l} / {z}")
    values = {"n": 3, "f": 0.1 + 0.2, "t": True, "l": ["a", "b"], "z": ""}
    assert template.render(values) == "3 / 0.30000000000000004 / true / a, b / "
    plain = parse_template("No placeholders, {} nor { }: a {brace")
    assert plain.reads == frozenset({" "})
    assert plain.render({}) == "No placeholders, {} nor : a {brace"


def test_a_too_long_template_is_refused() -> None:
    with pytest.raises(ExpressionError, match="longer than"):
        parse_template("x" * (MAX_TEMPLATE_LENGTH + 1))


# --- invariants over any input --------------------------------------------------------------

_TOKENS = st.sampled_from(
    [" ", "{a}", "{b}", "{l}", "1", "-2", "2.5", "'x'", '"5"', "true", "null", "(", ")", "[",
     "]", ",", "!", "and", "or", "=", "!=", "<", ">=", "+", "-", "*", "/", "%", "^", "empty",
     "notempty", "contains", "anyof", "allof", "iif(", "sum(", "round(", "age(", "'", "{", "}",
     "@", "word"]
)  # fmt: skip
_VALUES = st.dictionaries(
    st.sampled_from(["a", "b", "l"]),
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**15), 10**15),
        st.floats(-1e15, 1e15),
        st.text(max_size=20),
        st.lists(st.text(max_size=5), max_size=5),
    ),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TOKENS, max_size=25).map(" ".join), _VALUES)
def test_any_text_parses_or_fails_cleanly_and_results_stay_in_range(
    text: str, values: dict[str, object]
) -> None:
    try:
        expression = parse_expression(text)
    except ExpressionError as error:
        assert 1 <= error.column <= len(text) + 1
        assert error.message and "\n" not in error.message
        return
    budget = EvaluationBudget()
    first = evaluate(expression, values, budget)
    assert evaluate(expression, values, budget) == first or first != first  # deterministic
    assert budget.remaining <= budget.limit - 2 * expression.cost
    assert isinstance(is_true(first), bool)
    _assert_in_range(first)
    assert {name for name, _ in expression.references} == expression.reads
    assert [column for _, column in expression.references] == sorted(
        column for _, column in expression.references
    )


def _assert_in_range(value: object) -> None:
    if isinstance(value, list):
        assert len(value) <= MAX_LIST_LENGTH
        for item in value:
            _assert_in_range(item)
    elif isinstance(value, str):
        assert len(value) <= MAX_TEXT_LENGTH
    elif isinstance(value, int | float) and not isinstance(value, bool):
        assert math.isfinite(value) and abs(value) <= NUMBER_LIMIT
    else:
        assert value is None or isinstance(value, bool)


@settings(max_examples=200, deadline=None)
@given(
    names=st.lists(
        st.sampled_from([*VALUES, "missing", "grid.row", "grid.other", "r[0].x", "r[1].x"]),
        min_size=1,
        max_size=6,
    )
)
def test_a_list_of_references_reads_each_as_one_reference_does(names: list[str]) -> None:
    """A repeat's aggregate reads one reference per instance in one loop
    (`_compile_references`): each item what the reference alone reads."""
    values = {**VALUES, "grid": {"row": "7", "x": 1}, "r[0].x": "TRUE", "r[1].x": ("a",)}
    listed = "[" + ", ".join(f"{{{name}}}" for name in names) + "]"
    assert run(listed, values) == [run(f"{{{name}}}", values) for name in names]
    arguments = ", ".join(f"{{{name}}}" for name in names)  # each read alone
    for function in ("sum", "count", "max", "min", "avg"):
        assert run(f"{function}({listed})", values) == run(f"{function}({arguments})", values)


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(
        st.none()
        | st.integers(-(2**54), 2**54)
        | st.sampled_from([2**53, -(2**53), 2**53 - 1, 2**52 + 1]),
        max_size=8,
    )
)
def test_an_exact_whole_sum_is_what_javascript_adds(items: list[int | None]) -> None:
    """`exact_whole_sum` (sum's short way) answers only when adding the numbers as
    JavaScript does (doubles, left to right) gives exactly the whole sum."""
    whole = exact_whole_sum(items)
    total = 0.0
    for item in items:
        if item is not None:
            total += float(item)
    if whole is not None:
        assert whole == total == sum(i for i in items if i is not None)
    if all(i is None or abs(i) < 2**40 for i in items):
        assert whole is not None  # the usual case takes the short way
