"""The expression parse cache (definition/expressions.py): bounded, every result the one
an uncached parse of the whole text gives, errors still raised with their column, and a
text joined of parts, `(a) and (b)` as the importers write them, built from the parts'
own parses equal to the grammar's parse of the whole text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard_desktop.definition import expressions
from wizard_desktop.definition.expressions import (
    MAX_NESTING_DEPTH,
    PARSE_CACHE_SIZE,
    EvaluationBudget,
    Expression,
    ExpressionError,
    evaluate,
    parse_expression,
)
from wizard_desktop.importers.xlsform import import_xlsform

WHO_FORM = Path(__file__).resolve().parents[3] / "shared" / "realforms" / "xlsform"
if not WHO_FORM.is_dir():  # the worktree layout (/work/wt/NAME): shared sits two levels up
    WHO_FORM = Path("/work/shared/realforms/xlsform")
WHO_FORM = WHO_FORM / "who-verbal-autopsy.xlsx"

VALUES: dict[str, object] = {"a": 5, "b": "x", "c": ["p", "q"], "d": None, "e": True}


def _uncached(text: str) -> Expression:
    return expressions._parse_whole(text)


def _error(parse: object, text: str) -> tuple[str, int]:
    assert callable(parse)
    with pytest.raises(ExpressionError) as raised:
        parse(text)
    return raised.value.message, raised.value.column


def _same(text: str) -> None:
    """The cached (possibly joined) parse and a parse of the whole text agree: the same
    tree, names, columns, cost and value, or the same error at the same column."""
    expressions._cached_parse.cache_clear()
    try:
        whole = _uncached(text)
    except ExpressionError as error:
        assert _error(parse_expression, text) == (error.message, error.column)
        return
    cached = parse_expression(text)
    assert cached == whole  # source, reads, references (columns) and the tree
    assert (cached.cost, cached.depth) == (whole.cost, whole.depth)
    assert evaluate(cached, VALUES, EvaluationBudget()) == evaluate(
        whole, VALUES, EvaluationBudget()
    )


JOINED = [
    "({a} = 5) and ({b} = 'x')",
    "({a} > 1) and ({b} = 'x' or {d} empty) and (!({e}))",
    "((({a} + 1) * 2 > 3)) and ({c} contains 'p')",
    "({a} = 5) and ((({b} = 'x')) and ({e} = true))",  # a part that is joined itself
    "({b} = ') and (') and ({a} = 5)",  # the join inside a text
    '({b} = "(") and ({a} = 5) and ([1, 2] anyof {c})',
    "(iif({a} > 1, 'big', 'small') = 'big') and ({c.length} = 2) and ({#b} = 'x')",
    "({a}) and ({b}) and ({c}) and ({d}) and ({e})",
    "(-1 < {a}) and (round({a} / 3, 1) = 1.7)",
]
NOT_SPLIT = [
    "({a} = 5) or ({b} = 'x')",
    "({a} = 5) && ({b} = 'x')",
    "({a} = 5)  and ({b} = 'x')",
    "({a} = 5) and {b} = 'x'",
    "({a} = 5) and ({b} = 'x') + 1",
    "({b} = 'it\\'s') and ({a} = 5)",  # a backslash: read by the grammar alone
    "({a} = 5) and ({b}",  # SurveyJS lets the last ")" be left out
    "({a} = 5) and ({b} = 'x'",
]
BROKEN = [
    "({a} = 5) and ({b} +) and ({e})",
    "({a} = 5) and () and ({e})",
    "({a} = 5) and ({b} = 'x) and ({e})",
    "({a} = 5) and ({b} = 'x')) and ({e}",
    "({a} = 5) and ({b} = = 1) and ({e})",
    "({a} = 5) and (nope(1)) and ({e})",
    "({a} = 5) and ({b} = 99999999999999999999999) and ({e})",
]


@pytest.mark.parametrize("text", JOINED)
def test_a_joined_text_is_built_from_its_parts_as_the_grammar_reads_it(text: str) -> None:
    assert expressions._conjuncts(text) is not None
    _same(text)


@pytest.mark.parametrize("text", NOT_SPLIT)
def test_any_other_text_is_parsed_whole(text: str) -> None:
    assert expressions._conjuncts(text) is None
    _same(text)


@pytest.mark.parametrize("text", BROKEN)
def test_errors_keep_their_message_and_column(text: str) -> None:
    _same(text)
    message, column = _error(parse_expression, text)
    assert 1 <= column <= len(text) + 1 and message


def test_the_column_of_an_error_in_a_later_part_counts_from_the_text_start() -> None:
    text = "({a} = 5) and ({b} +)"
    assert _error(parse_expression, text) == ("unexpected ')'", text.index("+)") + 2)


def test_parts_within_the_bound_can_still_nest_too_deep_together() -> None:
    deep = "{a}"
    for _ in range(MAX_NESTING_DEPTH - 1):
        deep = f"1 + ({deep})"
    expressions._cached_parse.cache_clear()
    parse_expression(deep)  # alone it is within the bound
    text = f"({deep}) and ({{e}})"
    assert expressions._conjuncts(text) is not None
    _same(text)
    message, _ = _error(parse_expression, text)
    assert message == f"nested deeper than {MAX_NESTING_DEPTH} levels"


_PARTS = st.sampled_from(
    [
        "{a} = 5", "{b} = 'x'", "{a} + 1 > 2 or {e}", "!({e})", "{c} contains 'p'",
        "({a} = 5) and ({e})", "{d} empty", "iif({e}, 1, 2) = 1", "{b} = ') and ('",
        "{a} +", "", "nope()", "{b} = 'x", "[1, 2] allof {c}", "(({a}))", "1 = 1",
    ]
)  # fmt: skip
_JOINS = st.sampled_from([" and ", " and ", " or ", "  and ", " and\n"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_PARTS, _JOINS), min_size=1, max_size=6))
def test_any_join_of_parts_reads_as_the_whole_text(pieces: list[tuple[str, str]]) -> None:
    text = "".join(f"({part}){join}" for part, join in pieces[:-1]) + f"({pieces[-1][0]})"
    _same(text)


def test_the_cache_is_bounded_and_answers_the_same_expression() -> None:
    expressions._cached_parse.cache_clear()
    first = parse_expression("({a} = 1) and ({b} = 'x')")
    assert parse_expression("({a} = 1) and ({b} = 'x')") is first
    for number in range(PARSE_CACHE_SIZE + 10):
        parse_expression(f"{{a}} = {number}")
    info = expressions._cached_parse.cache_info()
    assert info.maxsize == PARSE_CACHE_SIZE and info.currsize <= PARSE_CACHE_SIZE
    again = parse_expression("({a} = 1) and ({b} = 'x')")  # pushed out, parsed again
    assert again is not first and again == first == _uncached(first.source)


def test_every_expression_of_the_who_form_reads_as_its_whole_text() -> None:
    result = import_xlsform(WHO_FORM)
    texts = _expression_texts(result.data)
    joined = [text for text in texts if expressions._conjuncts(text) is not None]
    assert len(joined) > 100  # the form's groups hand their relevant to what they hold
    for text in texts:
        _same(text)


def _expression_texts(data: object) -> set[str]:
    keys = {"visible_if", "required_if", "enabled_if", "constraint", "calculation"}
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in keys and isinstance(value, str):
                    found.add(value)
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def test_the_canonical_json_is_written_once_and_is_what_is_hashed() -> None:
    definition = import_xlsform(WHO_FORM).definition
    text = definition.canonical_json()
    assert definition.canonical_json() is text
    fresh = json.dumps(
        definition.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert text == fresh
    import hashlib

    assert definition.content_hash() == hashlib.sha256(fresh.encode("utf-8")).hexdigest()
