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

import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput
from lark.lexer import Lexer

from wizard_desktop.definition.expressions import MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH
from wizard_desktop.definition.patterns import pattern_problem

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr | or_expr _OR and_expr        -> or_
?and_expr: eq_expr | and_expr _AND eq_expr       -> and_
?eq_expr: rel_expr | eq_expr EQ rel_expr         -> compare
?rel_expr: add_expr | rel_expr REL add_expr      -> relation
?add_expr: mul_expr | add_expr ADD mul_expr      -> sum_
?mul_expr: unary_expr | mul_expr MUL unary_expr  -> product
?unary_expr: primary | ADD unary_expr            -> negative
?primary: "(" or_expr ")"                        -> group
        | FUNC "(" [or_expr ("," or_expr)*] ")"  -> call
        | REF                                    -> reference
        | NUMBER                                 -> number
        | STRING                                 -> string
        | "."                                    -> current
        | PATH                                   -> path

// the tokens come from _Lexer below
%declare _OR _AND MUL EQ REL ADD FUNC REF NUMBER STRING PATH
"""


_PATH_CHARS = r"[^\s()\[\],=!<>+*|]"
# The lexer (one pass of one regex; lark's own is slower by far on long relevants):
# tokens named as the grammar's terminals. A word is an operator (or, and, div, mod)
# only where an operator can stand, i.e. after an operand, as XPath's rule says.
_TOKEN = re.compile(
    rf"""(?P<ws>\s+)
    |(?P<REF>\$\{{[^{{}}]*\}})
    |(?P<STRING>'[^']*'|"[^"]*")
    |(?P<NUMBER>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
    |(?P<FUNC>[A-Za-z_][A-Za-z0-9_.:-]*(?=\s*\())
    |(?P<word>[A-Za-z_][A-Za-z0-9_.:-]*(?:/{_PATH_CHARS}*)?)
    |(?P<PATH>\.\.(?:/{_PATH_CHARS}*)?|\./{_PATH_CHARS}+|/{_PATH_CHARS}*|\[[^\]]*\]|@[A-Za-z_:-]+|\|)
    |(?P<EQ>!=|=)
    |(?P<REL><=|>=|<|>)
    |(?P<ADD>[+-])
    |(?P<star>\*)
    |(?P<LPAR>\()|(?P<RPAR>\))|(?P<COMMA>,)|(?P<DOT>\.)""",
    re.VERBOSE,
)
_OPERATOR_WORDS = {"or": "_OR", "and": "_AND", "div": "MUL", "mod": "MUL"}
_ENDS_OPERAND = frozenset({"REF", "STRING", "NUMBER", "PATH", "RPAR", "DOT"})


class _Lexer(Lexer):
    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, data: str) -> Iterator[Token]:  # type: ignore[override]
        position = 0
        previous = ""
        while position < len(data):
            match = _TOKEN.match(data, position)
            if match is None:
                raise XPathUnsupported(
                    f"is not an XPath expression this importer reads (column {position + 1})"
                )
            kind = match.lastgroup
            text = match.group()
            assert kind is not None
            position = match.end()
            if kind == "ws":
                continue
            if kind in ("word", "FUNC") and previous in _ENDS_OPERAND and text in _OPERATOR_WORDS:
                kind = _OPERATOR_WORDS[text]  # `) and (`: an operator, not a call
            elif kind == "word":
                kind = "PATH"
            elif kind == "FUNC" and text not in _FUNCTIONS_SIMPLE:  # said before what follows
                raise XPathUnsupported(
                    f"uses {_shown(text)}(), which Wizard Desktop cannot evaluate"
                )
            elif kind == "star":
                kind = "MUL" if previous in _ENDS_OPERAND else "PATH"
            previous = kind
            yield Token(kind, text, match.start(), 1, match.start() + 1)


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
    # indexed-repeat(${q}, ${r}, n): the instance path `r[n-1].q` (raises XPathUnsupported)
    indexed: Callable[[str, str, int], str] | None = None
    # jr:itext() of a choice list's item: the list's (value, label) pairs, or None
    choice_labels: Callable[[str], list[tuple[str, str]] | None] | None = None
    # the names whose XPath value is one space-separated text (select_multiple, rank):
    # read as `xpath_concat({name})`, so `${m} = 'a'` compares that text, as ODK does
    multiple: frozenset[str] = frozenset()
    # the names whose value may be a date (date questions, `today`, calculates): a - b of
    # two such is `xpath_minus`, the days between them when both are dates, as in ODK
    dates: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Out:
    text: str
    depth: int
    precedence: int  # 0 or, 1 and, 2 comparison, 3 sum, 4 product, 9 atom
    reference: str | None = None  # the `${name}` it is, when it is exactly one
    literal: str | None = None  # the text it is, when it is a text literal
    date: bool = False  # may be a date: a name of `dates`, today(), date(...)


_ITEXT_CALL = "jr:itext-choice"
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
    "round": ("xpath_round", 1, 2),
    "today": ("today", 0, 0),
    "now": ("currentDate", 0, 0),
    "date": ("", 1, 1),
    "not": ("", 1, 1),
    "true": ("", 0, 0),
    "false": ("", 0, 0),
    "count": ("", 1, 1),
    "sum": ("", 1, 1),
    "position": ("", 1, 1),
    "indexed-repeat": ("", 3, 3),
    _ITEXT_CALL: ("", 2, 2),
    # ODK's math functions (expression_functions.XPATH_MATH_FUNCTIONS)
    "pow": ("xpath_pow", 2, 2),
    "sqrt": ("xpath_sqrt", 1, 1),
    "exp": ("xpath_exp", 1, 1),
    "exp10": ("xpath_exp10", 1, 1),
    "log": ("xpath_log", 1, 1),
    "log10": ("xpath_log10", 1, 1),
    "abs": ("xpath_abs", 1, 1),
    "sin": ("xpath_sin", 1, 1),
    "cos": ("xpath_cos", 1, 1),
    "tan": ("xpath_tan", 1, 1),
    "asin": ("xpath_asin", 1, 1),
    "acos": ("xpath_acos", 1, 1),
    "atan": ("xpath_atan", 1, 1),
    "atan2": ("xpath_atan2", 2, 2),
    "floor": ("xpath_floor", 1, 1),
    "ceiling": ("xpath_ceiling", 1, 1),
    "pi": ("xpath_pi", 0, 0),
}
# `jr:itext(instance('LIST')/root/item[name = ${q}]/itextId)`, the label of the choice
# ${q} holds (in ODK: in the language in use), is rewritten before lexing into this call
# of the list's name and the answer; any other jr:itext() is refused.
_ITEXT = re.compile(
    r"""jr:itext\(\s*instance\(\s*(?:'([^']*)'|"([^"]*)")\s*\)\s*/\s*root\s*/\s*item\s*"""
    r"""\[\s*name\s*=\s*(\$\{[^{}]*\})\s*\]\s*/\s*itextId\s*\)"""
)
_PROBLEM = "\x01"  # marks a refused reference's place in a translation (never in an input)
_COMPARISONS = {"=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_ARITHMETIC = {"+": "+", "-": "-", "*": "*", "div": "/", "mod": "%"}


def _wrap(item: _Out, precedence: int) -> str:
    return item.text if item.precedence >= precedence else f"({item.text})"


@v_args(inline=True)
class _Translate(Transformer[Token, _Out]):
    context = XPathContext(None, lambda name, aggregate: name)

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []  # the references refused, this translation

    def _binary(self, left: _Out, operator: str, right: _Out, precedence: int) -> _Out:
        # left to right, as in SurveyJS: a chain of one level is one level of nesting
        chained = left.precedence == precedence
        depth = max(left.depth, right.depth + 1) if chained else max(left.depth, right.depth) + 1
        text = f"{_wrap(left, precedence)} {operator} {_wrap(right, precedence + 1)}"
        return _Out(text, depth, precedence)

    def or_(self, left: _Out, right: _Out) -> _Out:
        return self._binary(left, "or", right, 0)

    def and_(self, left: _Out, right: _Out) -> _Out:
        return self._binary(left, "and", right, 1)

    def compare(self, left: _Out, operator: Token, right: _Out) -> _Out:
        return self._binary(left, _COMPARISONS[str(operator)], right, 2)

    def relation(self, left: _Out, operator: Token, right: _Out) -> _Out:
        return self._binary(left, _COMPARISONS[str(operator)], right, 2)

    def sum_(self, left: _Out, operator: Token, right: _Out) -> _Out:
        if str(operator) == "-" and left.date and right.date:  # days, as ODK counts them
            depth = max(left.depth, right.depth) + 1
            return _Out(f"xpath_minus({left.text}, {right.text})", depth, 9)
        return self._binary(left, _ARITHMETIC[str(operator)], right, 3)

    def product(self, left: _Out, operator: Token, right: _Out) -> _Out:
        return self._binary(left, _ARITHMETIC[str(operator)], right, 4)

    def negative(self, sign: Token, operand: _Out) -> _Out:
        if str(sign) == "+":
            return operand
        return _Out(f"0 - {_wrap(operand, 4)}", operand.depth + 1, 3)

    def group(self, inner: _Out) -> _Out:
        if inner.precedence == 9:
            return inner
        return _Out(f"({inner.text})", inner.depth, 9, date=inner.date)

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
        return _Out(_quote(value), 0, 9, literal=value)

    def reference(self, token: Token) -> _Out:
        name = str(token)[2:-1]
        if not name.strip():
            raise XPathUnsupported("reads ${}, which names no question")
        try:
            return self._value(name)
        except XPathUnsupported as exc:
            # refused only if it is read as a value: count(), sum() and indexed-repeat()
            # read the name itself (a repeat, a field in one)
            self.problems.append(str(exc))
            return _Out(f"{_PROBLEM}{len(self.problems) - 1}{_PROBLEM}", 0, 9, name)

    def _value(self, name: str) -> _Out:
        text = "{" + self.context.reference(name, False) + "}"
        if name.strip() in self.context.multiple:
            return _Out(f"xpath_concat({text})", 1, 9, name)
        return _Out(text, 0, 9, name, date=name.strip() in self.context.dates)

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
            return self._value(name)
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
        target, fewest, most = _FUNCTIONS_SIMPLE[name]  # the lexer lets only these through
        if len(args) < fewest or (most is not None and len(args) > most):
            raise XPathUnsupported(f"{name}() with {len(args)} arguments")
        if name != "position" and any(argument.text == ".." for argument in args):
            raise XPathUnsupported("uses the path .., which Wizard Desktop cannot evaluate")
        depth = max((a.depth for a in args), default=0) + 1
        if name == "true":
            return _Out("true", 0, 9)
        if name == "false":
            return _Out("false", 0, 9)
        if name == "date":  # an ISO date is a date already (dates are ISO texts here)
            return _Out(args[0].text, args[0].depth, args[0].precedence, date=True)
        if name == "not":
            return _Out(f"!({args[0].text})", depth, 9)
        if name == "position":
            if args[0].text != ".." or self.context.position is None:
                raise XPathUnsupported("uses position() other than position(..) in a repeat")
            return _Out("{" + self.context.position + "}", 0, 9)
        if name == "indexed-repeat":
            return self._indexed_repeat(args)
        if name == _ITEXT_CALL:
            return self._itext(args, depth)
        if name in ("count", "sum"):
            ref = args[0].reference
            if ref is None:
                raise XPathUnsupported(f"uses {name}() over something other than ${{name}}")
            over = self.context.reference(ref, True)
            text = "{" + over + "}"
            return _Out(f"{name}({text})", depth, 9)
        if name == "regex":
            pattern = args[1].literal
            if pattern is None:
                raise XPathUnsupported("uses regex() with a pattern that is not a quoted text")
            problem = pattern_problem(pattern)
            if problem is not None:
                raise XPathUnsupported(f"uses regex() with a pattern that is {problem}")
        if any(a.text == ".." for a in args):
            raise XPathUnsupported("uses the path .., which Wizard Desktop cannot evaluate")
        text = f"{target}({', '.join(a.text for a in args)})"
        return _Out(text, depth, 9, date=name == "today")

    def _indexed_repeat(self, args: list[_Out]) -> _Out:
        field, repeat, index = args[0].reference, args[1].reference, args[2].text
        if field is None or repeat is None or self.context.indexed is None:
            raise XPathUnsupported("uses indexed-repeat() other than indexed-repeat(${q}, ${r}, n)")
        if not re.fullmatch(r"[1-9][0-9]{0,3}", index):
            raise XPathUnsupported(
                "uses indexed-repeat() with an index that is not a whole number from 1"
            )
        return _Out("{" + self.context.indexed(field, repeat, int(index)) + "}", 0, 9)

    def _itext(self, args: list[_Out], depth: int) -> _Out:
        list_name = args[1].literal
        labels = (
            self.context.choice_labels(list_name)
            if list_name is not None and self.context.choice_labels is not None
            else None
        )
        if labels is None:
            raise XPathUnsupported(
                f"uses jr:itext() of the list {list_name!r}, which the form has not"
            )
        pairs = ", ".join(f"{_quote(value)}, {_quote(label)}" for value, label in labels)
        text = f"xpath_choice_label({args[0].text}, {pairs})"
        if len(text) > MAX_EXPRESSION_LENGTH:
            raise XPathUnsupported(
                f"uses jr:itext() of the list {list_name!r}, too long to write as an expression"
            )
        return _Out(text, depth, 9)


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
    if _PROBLEM in source:
        raise XPathUnsupported("holds a control character")
    source = _ITEXT.sub(
        lambda m: f"{_ITEXT_CALL}({m.group(3)}, {_quote(m.group(1) or m.group(2) or '')})", source
    )
    with _LOCK:  # one parser, its transformer told the context of this translation
        if _PARSER is None or _TRANSLATOR is None:
            _TRANSLATOR = _Translate()
            _PARSER = Lark(_GRAMMAR, parser="lalr", lexer=_Lexer, transformer=_TRANSLATOR)
        _TRANSLATOR.context = context
        _TRANSLATOR.problems = []
        try:
            out = _PARSER.parse(source)
        except UnexpectedInput as exc:
            token = getattr(exc, "token", None)
            if isinstance(token, Token) and token.type == "PATH":
                raise XPathUnsupported(
                    f"uses the path {_shown(str(token))}, which Wizard Desktop cannot evaluate"
                ) from None
            column = getattr(exc, "column", "?")
            raise XPathUnsupported(
                f"is not an XPath expression this importer reads (column {column})"
            ) from None
        problems = _TRANSLATOR.problems
    assert isinstance(out, _Out)
    refused = re.search(f"{_PROBLEM}([0-9]+){_PROBLEM}", out.text)
    if refused is not None:
        raise XPathUnsupported(problems[int(refused.group(1))])
    if out.text == "..":
        raise XPathUnsupported("uses the path .., which Wizard Desktop cannot evaluate")
    if out.depth > MAX_NESTING_DEPTH:
        raise XPathUnsupported(f"nests more than {MAX_NESTING_DEPTH} levels")
    return out.text
