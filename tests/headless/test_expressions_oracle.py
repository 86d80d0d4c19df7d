"""Differential tests: random expressions and answers, evaluated by ours and by survey-core
3.1.1 (SurveyJS's own engine, in Node, one batch per test) must agree on the value and on
what a condition reads (visible_if & co.). The generator is seeded, so a failure repeats.
It writes only what SurveyJS parses, over the operators, functions and value kinds wizards
use; where the two engines differ by design (docs/expressions.md: dates are ISO texts,
results an answer cannot hold are empty, substring() and .length count characters beyond
the BMP once) it keeps away from the difference, and only the empty results are tolerated
here. test_expressions.py checks how such texts compare."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable

import pytest

from tests.headless.test_expressions import FUNCTION_CASES, OPERATOR_CASES, VALUES
from tests.oracle.survey_core import run_oracle
from wizard_desktop.definition.expressions import (
    EvaluationBudget,
    evaluate,
    is_true,
    parse_expression,
)
from wizard_desktop.definition.model import NUMBER_LIMIT

NAMES = ("a", "b", "c", "d", "e", "f")

SCALARS: tuple[object, ...] = (
    None, 0, 1, 2, 5, -3, 10, 2.5, 0.1, -0.75, 1.25, True, False,
    "", "5", "2.5", "1,5", " 7 ", "007", "0", "abc", "ABC", "Abc ", "b", "true", "False",
    "2020-01-05", "1999-12-31", "2024-02-29", "yes", "a,b", "Éa", "ﬀ", "-2", "1e3",
)  # fmt: skip
LISTS: tuple[object, ...] = ([], ["a"], ["a", "b"], ["b", "a"], ["5"], ["1", "2", "3"], ["A", "c"])

NUMBER_LITERALS = ("0", "1", "2", "3", "5", "10", "-1", "-4", "0.5", "2.25", "1.1", "100")
STRING_LITERALS = (
    "''", "'abc'", "'ABC'", "'a'", "'b'", "'5'", "'2.5'", "'true'", "'x y'", '"abc"', '"B"',
    "'2020-01-05'", "'é'", "'0'", "' 5 '",
)  # fmt: skip
ARRAY_LITERALS = ("['a', 'b']", "['a']", "['c', 'd']", "[1, 2]", "['5', 'b']", "[]")
# No "": survey-core compares an empty text with a Date as the current moment (a documented
# difference: a date is its ISO text here).
DATE_VALUES = (None, "2020-01-05", "2019-02-28", "2024-02-29", "2023-12-31", "2000-06-15")
DATE_LITERALS = ("'2020-01-05'", "'1999-12-31'", "'2024-02-29'", "'2021-03-31'")
BINARY = (
    "and", "or", "&&", "||", "=", "==", "!=", "<>", ">", ">=", "<", "<=", "+", "-", "*", "/",
    "%", "^", "contains", "notcontains", "anyof", "allof", "noneof",
)  # fmt: skip
NUMERIC_FUNCTIONS = ("sum", "min", "max", "count", "avg")


class Generator:
    """Random SurveyJS expressions (as text) and answers, from one seed."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def values(self) -> dict[str, object]:
        values: dict[str, object] = {"g": self.random.choice(DATE_VALUES)}
        for name in NAMES:
            roll = self.random.random()
            if roll < 0.12:
                continue  # not answered at all
            pool = LISTS if roll > 0.8 else SCALARS
            values[name] = self.random.choice(pool)
        return values

    def expression(self, depth: int = 0) -> str:
        r = self.random.random()
        if depth >= 3 or r < 0.3:
            return self.atom()
        if r < 0.7:
            left = self.expression(depth + 1)
            # survey-core's null literal works only as an operand of a binary operator
            right = "null" if self.random.random() < 0.04 else self.expression(depth + 1)
            return f"{left} {self.random.choice(BINARY)} {right}"
        if r < 0.78:
            return f"({self.expression(depth + 1)})"
        if r < 0.83:
            return f"!{self.factor(depth + 1)}"
        if r < 0.88:
            return f"{{{self.random.choice(NAMES)}}} {self.random.choice(('empty', 'notempty'))}"
        return self.call(depth + 1)

    def factor(self, depth: int) -> str:
        return self.atom() if self.random.random() < 0.6 else f"({self.expression(depth)})"

    def atom(self) -> str:
        r = self.random.random()
        if r < 0.45:
            return f"{{{self.random.choice(NAMES)}}}"
        if r < 0.65:
            return self.random.choice(NUMBER_LITERALS)
        if r < 0.82:
            return self.random.choice(STRING_LITERALS)
        if r < 0.9:
            return self.random.choice(("true", "false", "True", "FALSE"))
        return self.random.choice(ARRAY_LITERALS)

    def call(self, depth: int) -> str:
        choice = self.random.choice(
            ("iif", "numeric", "round", "trunc", "date", "substring", "datepart")
        )
        arg: Callable[[], str] = lambda: self.expression(depth)  # noqa: E731
        if choice == "iif":
            return f"iif({arg()}, {arg()}, {arg()})"
        if choice == "numeric":
            name = self.random.choice(NUMERIC_FUNCTIONS)
            arguments = [arg() for _ in range(self.random.randint(0, 3))]
            if name in ("min", "max"):
                # min() and max() of nothing are JavaScript's undefined, which survey-core
                # tells from null in one place (an empty list equals it): documented, avoided
                arguments.insert(0, self.random.choice(NUMBER_LITERALS))
            return f"{name}({', '.join(arguments)})"
        if choice == "round":
            return f"round({arg()}, {self.random.choice(('0', '1', '2'))})"
        if choice == "trunc":
            return f"trunc({arg()}{self.random.choice(('', ', 1', ', 2'))})"
        if choice == "substring":
            return f"substring({arg()}, {self.random.choice(('0', '1', '2'))})"
        if choice == "datepart":
            part = self.random.choice(("year", "month", "day", "weekday", "getYear"))
            return f"{part}({self.date_operand()})"
        return self.date_condition()

    def date_operand(self) -> str:
        # Only dates (or nothing): survey-core hands other values to JavaScript's Date, whose
        # guesses ("5" is May 2001) are documented as a difference.
        return "{g}" if self.random.random() < 0.5 else self.random.choice(DATE_LITERALS)

    def date_condition(self) -> str:
        """Date functions whose Date results SurveyJS compares as dates: only with dates."""
        first, second = self.date_operand(), self.date_operand()
        choice = self.random.choice(("dateDiff", "diffDays", "age", "dateAdd", "getDate"))
        if choice == "dateDiff":
            unit = self.random.choice(("", ", 'days'", ", 'months'", ", 'years'"))
            return f"dateDiff({first}, {second}{unit})"
        if choice == "diffDays":
            return f"diffDays({first}, {second})"
        if choice == "age":
            unit = self.random.choice(("", ", 'months'"))
            return f"age({first}{unit})"
        # A date result is ISO text here and a Date in survey-core: the two agree when it is
        # compared with a date (documented: not with a number), so it appears only so.
        operator = self.random.choice(("=", "!=", ">", "<", ">=", "<="))
        if choice == "dateAdd":
            unit = self.random.choice(("'days'", "'months'", "'years'"))
            amount = self.random.choice(("1", "-1", "30", "12"))
            return f"(dateAdd({first}, {amount}, {unit}) {operator} {second})"
        return f"(getDate({first}) {operator} {second})"


def _same(ours: object, theirs: object, power: bool) -> bool:
    """Whether our value is what survey-core computed (up to the documented differences; with
    `power`, V8's Math.pow may differ from C's pow in the last digit)."""
    if isinstance(theirs, dict) and "number" in theirs:  # NaN, Infinity: empty here
        return ours is None
    if isinstance(theirs, bool) or isinstance(ours, bool):
        return ours is theirs
    if isinstance(theirs, int | float):
        if abs(theirs) >= NUMBER_LIMIT:  # no answer can hold it: empty here
            return ours is None
        if not isinstance(ours, int | float):
            return False
        return float(ours) == float(theirs) or (power and math.isclose(ours, theirs, rel_tol=1e-13))
    if isinstance(theirs, list):
        return (
            isinstance(ours, list)
            and len(ours) == len(theirs)
            and all(_same(a, b, power) for a, b in zip(ours, theirs, strict=True))
        )
    return ours == theirs


def _compare_batch(seed: int, count: int) -> None:
    generator = Generator(seed)
    cases = [
        {"expression": generator.expression(), "values": generator.values()} for _ in range(count)
    ]
    answers = run_oracle("eval_expressions.mjs", cases)
    assert isinstance(answers, list) and len(answers) == len(cases)
    mismatches = []
    for case, answer in zip(cases, answers, strict=True):
        text, values = case["expression"], case["values"]
        assert isinstance(text, str) and isinstance(values, dict)
        if "error" in answer:
            mismatches.append(f"{text}: survey-core refused it: {answer['error']}")
            continue
        expression = parse_expression(text)
        ours = evaluate(expression, values, EvaluationBudget())
        if "thrown" in answer:  # JavaScript threw: no value, and a condition reads false
            answer = {"value": None, "condition": False}
        if not (_same(ours, answer["value"], "^" in text) and is_true(ours) == answer["condition"]):
            mismatches.append(
                f"{text}  with {json.dumps(values)}: ours {ours!r} / {is_true(ours)}, "
                f"survey-core {answer['value']!r} / {answer['condition']}"
            )
    assert not mismatches, f"{len(mismatches)} of {count} differ:\n" + "\n".join(mismatches[:25])


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_expressions_agree_with_survey_core(seed: int) -> None:
    _compare_batch(seed, 500)


def test_the_tables_of_expected_values_are_survey_cores() -> None:
    """The values test_expressions.py expects are what survey-core computes, not guesses."""
    cases = [
        {"expression": text, "values": VALUES, "expected": expected}
        for text, expected in OPERATOR_CASES + FUNCTION_CASES
    ]
    answers = run_oracle("eval_expressions.mjs", cases)
    assert isinstance(answers, list)
    wrong = [
        f"{case['expression']}: expected {case['expected']!r}, survey-core {answer}"
        for case, answer in zip(cases, answers, strict=True)
        if "value" not in answer or not _same(case["expected"], answer["value"], False)
    ]
    assert not wrong, "\n".join(wrong)
