"""XLSForm XPath to format 2 expressions: a lark (LALR) grammar for the subset of ODK's
XPath that a wizard can evaluate, translated as the parser reduces (no recursion, so no
input can overflow the stack) into SurveyJS expression text (docs/expressions.md).

What the subset holds and what each piece becomes is in docs/importers.md; anything else
(another function, a path such as `/data/a` or `../b`, a predicate) raises
`XPathUnsupported` with a reason naming it, e.g. "uses indexed-repeat(), which Wizard
Desktop cannot evaluate". The functions XPath has and SurveyJS lacks are the `xpath_*`
functions of `definition/expression_functions.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
import re
import threading

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput

from wizard_desktop.definition.expressions import MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*           -> or_
?and_expr: eq_expr (_AND eq_expr)*           -> and_
?eq_expr: rel_expr (EQ rel_expr)*            -> compare
?rel_expr: add_expr (REL add_expr)*          -> compare
?add_expr: mul_expr (ADD mul_expr)*          -> arithmetic
?mul_expr: unary_expr (MUL unary_expr)*      -> arithmetic
?unary_expr: ADD unary_expr                  -> negative
           | primary
?primary: "(" or_expr ")"                    -> group
        | FUNC "(" [or_expr ("," or_expr)*] ")" -> call
        | REF                                -> reference
        | NUMBER                             -> number
        | STRING                             -> string
        | "."                                -> current
        | PATH                               -> path

_OR.3: /or\b/
_AND.3: /and\b/
MUL.3: /\*|div\b|mod\b/
EQ: /!=|=/
REL: /<=|>=|<|>/
ADD: /[+-]/
FUNC.4: /[A-Za-z_][A-Za-z0-9_.:-]*(?=\s*\()/
REF: /\$\{[^{}]*\}/
NUMBER.2: /[0-9]+(\.[0-9]*)?|\.[0-9]+/
STRING: /'[^']*'|"[^"]*"/
PATH.1: /\.\.(\/[^\s()\[\],=!<>+*|]*)?|\/[^\s()\[\],=!<>+*|]*|[A-Za-z_][A-Za-z0-9_.:-]*(\/[^\s()\[\],=!<>+*|]*)?|\.\/[^\s()\[\],=!<>+*|]+|\[[^\]]*\]|@[A-Za-z_:-]+|\|/
%ignore /[ \t\r\n]+/
"""


class XPathUnsupported(Exception):
    """An XPath that Wizard Desktop cannot evaluate; the message says why (one line)."""


@dataclass(frozen=True)
class XPathContext:
    """What a translation needs to know about where the expression stands: the field `.`
    means (None where `.` has no meaning), how an XLSForm `${name}` is written (`aggregate`:
    inside count()/sum(), where a name in a repeat means all its instances), and what
    `position(..)` is (None outside a repeat)."""

    current: str | None
    reference: Callable[[str, bool], str]
    position: str | None = None
    # a choice_filter's choice: its columns, which bare names in the filter read
    columns: Mapping[str, str] | None = None


@dataclass(frozen=True)
class _Out:
    text: str
    depth: int
    precedence: int  # 0 or, 1 and, 2 comparison, 3 sum, 4 product, 9 atom
    reference: str | None = None  # the `${name}` it is, when it is exactly one


_FUNCTIONS_SIMPLE = {
    # XPath name -> (expression function, fewest arguments, most arguments or None)
    "selected": ("xpath_selected", 2, 2),
    "count-selected": ("xpath_count_selected", 1, 1),
    "string-length": ("xpath_string_length", 1, 1),
    "coalesce": ("xpath_coalesce", 2, 2),
    "concat": ("xpath_concat", 1, None),
    "int": ("xpath_int", 1, 1),
    "number": ("xpath_number", 1, 1),
    "regex": ("xpath_regex", 2, 2),
    "if": ("iif", 3, 3),
    "round": ("round", 1, 2),
    "today": ("today", 0, 0),
    "now": ("currentDate", 0, 0),
    "date": ("", 1, 1),
    "not": ("", 1, 1),
    "true": ("", 0, 0),
    "false": ("", 0, 0),
    "count": ("", 1, 1),
    "sum": ("", 1, 1),
    "position": ("", 1, 1),
}
_COMPARISONS = {"=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_ARITHMETIC = {"+": "+", "-": "-", "*": "*", "div": "/", "mod": "%"}


def _wrap(item: _Out, precedence: int) -> str:
    return item.text if item.precedence >= precedence else f"({item.text})"


@v_args(inline=True)
class _Translate(Transformer[Token, _Out]):
    context = XPathContext(None, lambda name, aggregate: name)

    def _binary(self, items: tuple[object, ...], precedence: int, spell: dict[str, str]) -> _Out:
        first = items[0]
        assert isinstance(first, _Out)
        if len(items) == 1:  # a rule with its alias reduces a single operand too
            return first
        parts = [_wrap(first, precedence)]
        depth = first.depth
        for index in range(1, len(items), 2):
            operator, operand = items[index], items[index + 1]
            assert isinstance(operand, _Out)
            # every binary operator of XPath groups left to right, as SurveyJS's do
            parts.append(f" {spell[str(operator)]} {_wrap(operand, precedence + 1)}")
            depth = max(depth, operand.depth)
        return _Out("".join(parts), depth + 1, precedence)

    def or_(self, *items: _Out) -> _Out:
        return self._binary(_with_words(items, "or"), 0, {"or": "or"})

    def and_(self, *items: _Out) -> _Out:
        return self._binary(_with_words(items, "and"), 1, {"and": "and"})

    def compare(self, *items: object) -> _Out:
        return self._binary(items, 2, _COMPARISONS)

    def arithmetic(self, *items: object) -> _Out:
        if len(items) == 1:
            return self._binary(items, 9, _ARITHMETIC)
        ops = {str(item) for item in items[1::2]}
        precedence = 3 if ops <= {"+", "-"} else 4
        return self._binary(items, precedence, _ARITHMETIC)

    def negative(self, sign: Token, operand: _Out) -> _Out:
        if str(sign) == "+":
            return operand
        return _Out(f"0 - {_wrap(operand, 4)}", operand.depth + 1, 3)

    def group(self, inner: _Out) -> _Out:
        if inner.precedence == 9:
            return inner
        return _Out(f"({inner.text})", inner.depth, 9)

    def number(self, token: Token) -> _Out:
        text = str(token)
        if text.startswith("."):
            text = "0" + text
        if text.endswith("."):
            text = text[:-1]
        whole, _, fraction = text.partition(".")
        whole = whole.lstrip("0") or "0"
        return _Out(whole + ("." + fraction if fraction else ""), 0, 9)

    def string(self, token: Token) -> _Out:
        value = str(token)[1:-1]
        return _Out(_quote(value), 0, 9)

    def reference(self, token: Token) -> _Out:
        name = str(token)[2:-1]
        return _Out("{" + self.context.reference(name, False) + "}", 0, 9, name)

    def current(self) -> _Out:
        if self.context.current is None:
            raise XPathUnsupported("uses '.' where there is no current field")
        return _Out("{" + self.context.current + "}", 0, 9)

    def path(self, token: Token) -> _Out:
        text = str(token)
        if text == "..":
            return _Out("..", 0, 9)
        columns = self.context.columns
        if columns is not None and text in columns:
            return _Out(_quote(columns[text]), 0, 9)
        if text.startswith("../") and re.fullmatch(r"\.\./[A-Za-z_][A-Za-z0-9_.-]*", text):
            name = text[3:]  # a sibling, as pyxform writes `or_other`'s relevant
            return _Out("{" + self.context.reference(name, False) + "}", 0, 9, name)
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", text):
            return _Out("''", 0, 9)  # a child element the form has not: an empty node-set
        if text.startswith("["):
            raise XPathUnsupported("uses a predicate [...], which Wizard Desktop cannot evaluate")
        raise XPathUnsupported(
            f"uses the path {_shown(text)}, which Wizard Desktop cannot evaluate (write ${{name}})"
        )

    def call(self, name_token: Token, *arguments: _Out | None) -> _Out:
        name = str(name_token)
        args = [a for a in arguments if a is not None]
        known = _FUNCTIONS_SIMPLE.get(name)
        if known is None:
            raise XPathUnsupported(f"uses {_shown(name)}(), which Wizard Desktop cannot evaluate")
        target, fewest, most = known
        if len(args) < fewest or (most is not None and len(args) > most):
            raise XPathUnsupported(f"{name}() with {len(args)} arguments")
        for argument in args:
            if argument.text == "..":
                if name != "position":
                    raise XPathUnsupported("uses the path .., which Wizard Desktop cannot evaluate")
        depth = max((a.depth for a in args), default=0) + 1
        if name == "true":
            return _Out("true", 0, 9)
        if name == "false":
            return _Out("false", 0, 9)
        if name == "date":  # an ISO date is a date already (dates are ISO texts here)
            return args[0]
        if name == "not":
            return _Out(f"!({args[0].text})", depth, 9)
        if name == "position":
            if args[0].text != ".." or self.context.position is None:
                raise XPathUnsupported("uses position() other than position(..) in a repeat")
            return _Out("{" + self.context.position + "}", 0, 9)
        if name in ("count", "sum"):
            ref = args[0].reference
            if ref is None:
                raise XPathUnsupported(f"uses {name}() over something other than ${{name}}")
            over = self.context.reference(ref, True)
            text = "{" + over + "}"
            return _Out(f"{name}({text})", depth, 9)
        if any(a.text == ".." for a in args):
            raise XPathUnsupported("uses the path .., which Wizard Desktop cannot evaluate")
        return _Out(f"{target}({', '.join(a.text for a in args)})", depth, 9)


def _with_words(items: tuple[_Out, ...], word: str) -> tuple[object, ...]:
    out: list[object] = [items[0]]
    for item in items[1:]:
        out.extend((word, item))
    return tuple(out)


def _quote(value: str) -> str:
    if "'" not in value and not value.endswith("\\"):
        return f"'{value}'"
    if '"' not in value and not value.endswith("\\"):
        return f'"{value}"'
    raise XPathUnsupported("holds a text with both quote characters or a final backslash")


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


_LOCK = threading.Lock()
_TRANSLATOR: _Translate | None = None
_PARSER: Lark | None = None


def translate(source: str, context: XPathContext) -> str:
    """The format 2 expression text for the XPath `source` (raises XPathUnsupported)."""
    global _TRANSLATOR, _PARSER
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise XPathUnsupported(
            f"is {len(source)} characters long; an expression is at most {MAX_EXPRESSION_LENGTH}"
        )
    with _LOCK:  # one parser, its transformer told the context of this translation
        if _PARSER is None or _TRANSLATOR is None:
            _TRANSLATOR = _Translate()
            _PARSER = Lark(_GRAMMAR, parser="lalr", transformer=_TRANSLATOR)
        _TRANSLATOR.context = context
        try:
            out = _PARSER.parse(source)
        except UnexpectedInput as exc:
            column = getattr(exc, "column", "?")
            raise XPathUnsupported(
                f"is not an XPath expression this importer reads (column {column})"
            ) from None
    assert isinstance(out, _Out)
    if out.text == "..":
        raise XPathUnsupported("uses the path .., which Wizard Desktop cannot evaluate")
    if out.depth > MAX_NESTING_DEPTH:
        raise XPathUnsupported(f"nests more than {MAX_NESTING_DEPTH} levels")
    return out.text
