"""The plain subset of the expression grammar read without lark
(expression_grammar._plain_tree): on every text it takes, the tree and cost lark builds;
every other text, and every text with an error, left to lark."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark.exceptions import UnexpectedInput

from wizard_desktop.definition import expression_grammar as grammar
from wizard_desktop.definition.expressions import ExpressionError
from wizard_desktop.definition.problems import WizardFileError
from wizard_desktop.importers import import_form

REALFORMS = Path(__file__).resolve().parents[3] / "shared" / "realforms"
if not REALFORMS.is_dir():  # the worktree layout (/work/wt/NAME): shared sits two levels up
    REALFORMS = Path("/work/shared/realforms")


def _lark(text: str) -> tuple[object, int, int] | None:
    """lark's tree, cost and depth of `text`, None for an error."""
    try:
        built = grammar._PARSER.parse(text)
    except (UnexpectedInput, ExpressionError):
        return None
    return built.node, built.size, built.depth


def _agrees(text: str) -> bool:
    """The plain reader builds what lark builds, or leaves the text to it; True when it
    read the text itself."""
    plain = grammar._plain_tree(text)
    if plain is None:
        return False
    assert (plain.node, plain.size, plain.depth) == _lark(text), text
    return True


PLAIN = [
    "{a} = 5",
    "{a} = 5 and {b} = 'x' or !({c} != \"y\")",
    "xpath_selected({Id10004}, 'wet') and {Id10019} = 'female'",
    "{a} + 1 * 2 - 3 / 4 % 5 >= 6",
    "iif({a} > 1, 'big', 'small') = 'big'",
    "({a}) and (({b} = 1) or ({c} <= 2.5))",
    "!{e} and true or false",
    "{a} == 1 and {b} < 2 and {c} > 3",
    "round({a} / 3, 1) = 1.7",
    "{#b} = 'x' and {c.length} = 2",
    "today()",
    "{a} -1",
    "0 - {a} < 0",
    "(((({a}))))",
]
LEFT_TO_LARK = [
    "-1 < {a}",  # a negative number
    "{a} - -1",
    "{a} AND {b}",
    "{a} and({b})",
    "{a} contains 'x'",
    "{a} notempty",
    "[1, 2] anyof {c}",
    "{a} ^ 2",
    "{a} <> 1",
    "{a} => 1",
    "{a} *= 'x'",
    "{a} && {b}",
    "word = {a}",
    "null = {a}",
    "'it\\'s' = {a}",
    "007 = {a}",
    "1e5 = {a}",
    "f ({a})",
    "{a} = = 1",
    "nope(1)",
    "iif({a})",
    "{a} = 1e999",
    "(" * 41 + "{a}" + ")" * 41,
    "True",
    "{a} =",
    "",
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_texts_are_read_without_lark_as_lark_reads_them(text: str) -> None:
    assert _agrees(text)


@pytest.mark.parametrize("text", LEFT_TO_LARK)
def test_other_texts_and_errors_are_left_to_lark(text: str) -> None:
    assert grammar._plain_tree(text) is None


def test_too_deep_is_left_to_lark_and_refused_there() -> None:
    deep = "{a}"
    for _ in range(40):
        deep = f"1 + ({deep})"
    assert grammar._plain_tree(deep) is None
    with pytest.raises(ExpressionError, match="nested deeper"):
        grammar.parse_tree(deep)


_TOKENS = st.sampled_from(
    [
        "{a}", "{#b}", "{c.length}", "'x'", '"y"', "'a) and (b'", "5", "0.5", "007", "-",
        "-1", "+", "*", "/", "%", "^", "=", "==", "!=", "<", "<=", ">", ">=", "=<", "<>",
        "*=", "!", "(", ")", ",", "and", "or", "AND", "Or", "&&", "||", "true", "false",
        "True", "null", "word", "contains", "empty", "notempty", "anyof", "[", "]",
        "iif(", "round(", "today(", "xpath_selected(", "nope(", "and(", " ", "\n", "\\",
    ]
)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(_TOKENS, min_size=1, max_size=14), st.sampled_from(["", " "]))
def test_any_token_soup_reads_as_lark_reads_it(tokens: list[str], glue: str) -> None:
    _agrees(glue.join(tokens))


_OPERAND = st.sampled_from(["{a}", "{b}", "'x'", "5", "2.5", "true", "today()"])
_OPERATOR = st.sampled_from(["and", "or", "=", "!=", "<", ">=", "+", "-", "*", "/", "%"])


@st.composite
def _expressions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 3 or draw(st.booleans()):
        return draw(_OPERAND)
    shape = draw(st.sampled_from(["binary", "group", "not", "call", "chain"]))
    if shape == "binary":
        left, right = draw(_expressions(depth + 1)), draw(_expressions(depth + 1))
        return f"{left} {draw(_OPERATOR)} {right}"
    if shape == "chain":
        parts = draw(st.lists(_expressions(depth + 1), min_size=2, max_size=4))
        operator = draw(_OPERATOR)
        return f" {operator} ".join(parts)
    inner = draw(_expressions(depth + 1))
    if shape == "group":
        return f"({inner})"
    if shape == "not":
        return f"!({inner})"
    return f"iif({inner}, {draw(_expressions(depth + 1))}, 1)"


@settings(max_examples=1500, deadline=None)
@given(_expressions())
def test_generated_plain_expressions_read_as_lark_reads_them(text: str) -> None:
    assert _agrees(text) or _lark(text) is None


def test_every_expression_of_the_real_forms_reads_as_lark_reads_it() -> None:
    """All the imported forms' expressions (SurveyJS as written by people, XLSForm as
    translated): most are plain, and each agrees with lark."""
    texts: set[str] = set()
    for path in sorted(REALFORMS.glob("xlsform/*.xls*")) + sorted(
        REALFORMS.glob("surveyjs/*.json")
    ):
        try:
            result = import_form(path, skip_unsupported=True)
        except WizardFileError:  # a form the importer refuses: not this test's subject
            continue
        texts |= _expression_texts(result.data)
    plain = [text for text in texts if _agrees(text)]
    assert len(texts) > 500 and len(plain) > len(texts) * 0.7


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
