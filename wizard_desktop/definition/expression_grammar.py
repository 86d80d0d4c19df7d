"""The grammar of the expression language (lark, LALR) and the parser that builds the tree.

Imported by `expressions.parse_expression` on first use (building the parser takes a
while). The parser calls `_Builder` as it reduces, so the tree is built without recursion
whatever the input, and the nesting bound is checked there; a syntax error becomes one
`ExpressionError` with a 1-based column.
"""

from __future__ import annotations

import re

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from wizard_desktop.definition import expression_functions as semantics
from wizard_desktop.definition.expressions import (
    CALL_COST,
    MAX_NESTING_DEPTH,
    ArrayLiteral,
    Call,
    ExpressionError,
    Literal,
    Node,
    Operation,
    Reference,
    Unary,
)
from wizard_desktop.definition.model import NUMBER_LIMIT

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (OR and_expr)*
?and_expr: cmp_expr (AND cmp_expr)*
?cmp_expr: add_expr (CMP add_expr)*
?add_expr: mul_expr (ADD mul_expr)*
?mul_expr: pow_expr (MUL pow_expr)*
?pow_expr: bin_expr (POW bin_expr)*
?bin_expr: factor (BIN factor)*
?factor: "(" or_expr ")"
       | FUNC "(" [or_expr ("," or_expr)*] ")"   -> call
       | NEGATE factor                           -> negate
       | atom UNARY                              -> unary
       | atom
       | LSQB [or_expr ("," or_expr)*] "]"      -> array
?atom: VAR      -> variable
     | NUMBER   -> number
     | STRING   -> string
     | WORD     -> word
     | TRUE     -> true
     | FALSE    -> false
     | NULL     -> null

OR.3: /\|\||(?i:or)\b/
AND.3: /&&|(?i:and)\b/
CMP.3: /<=|=<|>=|=>|==|!=|<>|=|<|>/
     | /(?i:lessorequal|greaterorequal|notequals?|equals?|less|greater)\b/
ADD.3: /[+-]/
MUL.3: /\*(?!=)|\/|%/
POW.3: /\^|(?i:power)\b/
BIN.3: /\*=|(?i:notcontains?|contains?|anyof|allof|noneof)\b/
NEGATE.3: /!(?!=)|(?i:negate)\b/
UNARY.3: /(?i:notempty|empty)\b/
TRUE.3: /(?i:true)\b/
FALSE.3: /(?i:false)\b/
NULL.3: /(?:null|undefined)\b/
FUNC.4: /[A-Za-z_][A-Za-z0-9_]*(?=\()/
WORD.1: /[A-Za-z_][A-Za-z0-9_]*/
NUMBER.2: /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?![0-9])/
VAR: /\{[^{}]+\}/
STRING: /'(?:\\['"]|[^'\\]|\\(?!['"]))*'|"(?:\\['"]|[^"\\]|\\(?!['"]))*"/
LSQB: "["
%ignore /[ \t\r\n]+/
"""

_OPERATOR_NAMES = {
    "||": "or", "or": "or", "&&": "and", "and": "and",
    "<=": "lessorequal", "=<": "lessorequal", "lessorequal": "lessorequal",
    ">=": "greaterorequal", "=>": "greaterorequal", "greaterorequal": "greaterorequal",
    "==": "equal", "=": "equal", "equal": "equal", "equals": "equal",
    "!=": "notequal", "<>": "notequal", "notequal": "notequal", "notequals": "notequal",
    "<": "less", "less": "less", ">": "greater", "greater": "greater",
    "+": "plus", "-": "minus", "*": "mul", "/": "div", "%": "mod",
    "^": "power", "power": "power",
    "*=": "contains", "contains": "contains", "contain": "contains",
    "notcontains": "notcontains", "notcontain": "notcontains",
    "anyof": "anyof", "allof": "allof", "noneof": "noneof",
    "empty": "empty", "notempty": "notempty",
}  # fmt: skip

_SHOWN = 30  # characters of a token or a name an error message quotes

# --- parsing ------------------------------------------------------------------------------


class _Built:
    """A node with what the checks need while the parser reduces (depth, size)."""

    __slots__ = ("depth", "node", "size")

    def __init__(self, node: Node, depth: int, size: int) -> None:
        self.node = node
        self.depth = depth
        self.size = size


def _built(node: Node, children: list[_Built], column: int) -> _Built:
    depth = 1 + max((child.depth for child in children), default=0)
    if depth > MAX_NESTING_DEPTH:
        raise ExpressionError(f"nested deeper than {MAX_NESTING_DEPTH} levels", column)
    return _Built(node, depth, 1 + sum(child.size for child in children))


def _literal(value: object) -> _Built:
    return _Built(Literal(value), 1, 1)


def _column(token: Token) -> int:
    return (token.start_pos or 0) + 1


_LENGTH = ".length"


def _chain(operators: list[str], operands: list[_Built], column: int) -> _Built:
    """A left-to-right chain of one precedence level; `column`: its first operator's."""
    node = Operation(
        tuple(_OPERATOR_NAMES[operator.lower()] for operator in operators),
        tuple(operand.node for operand in operands),
    )
    return _built(node, operands, column)


def _call(name: str, arguments: list[_Built], column: int) -> _Built:
    known = semantics.FUNCTIONS.get(name)
    if known is None:
        if name in semantics.MODEL_FUNCTIONS:
            raise ExpressionError(
                f"function {name}() reads a SurveyJS form model; wizards have none", column
            )
        shown = name if len(name) <= _SHOWN else name[:_SHOWN] + "…"
        raise ExpressionError(f"unknown function {shown}()", column)
    _, fewest, most = known
    if len(arguments) < fewest or (most is not None and len(arguments) > most):
        expected = str(fewest) if fewest == most else f"{fewest} to {most}"
        if most is None:
            expected = f"at least {fewest}"
        raise ExpressionError(
            f"{name}() takes {expected} argument{'s' if expected != '1' else ''}, "
            f"not {len(arguments)}",
            column,
        )
    node = Call(name, tuple(argument.node for argument in arguments), column)
    built = _built(node, arguments, column)
    built.size += CALL_COST - 1
    return built


def _variable(text: str, column: int) -> _Built:
    name = text[1:-1]
    convert = not (len(name) > 1 and name.startswith("#"))
    if not convert:
        name = name[1:]
    length = len(name) > len(_LENGTH) and name.endswith(_LENGTH)
    if length:
        name = name[: -len(_LENGTH)]
    return _Built(Reference(name, column, convert, length), 1, 1)


def _number(text: str, column: int) -> _Built:
    value = float(text)
    if abs(value) >= NUMBER_LIMIT:
        raise ExpressionError(f"number {text} is too large", column)
    return _literal(semantics.number(value))


def _string(text: str) -> _Built:
    # survey-core keeps a quoted literal as text ('5' is the text "5", not the number)
    return _literal(text[1:-1].replace("\\'", "'").replace('\\"', '"'))


@v_args(inline=False)
class _Builder(Transformer[Token, _Built]):
    """Called by the LALR parser as it reduces (no recursion, whatever the input)."""

    def _chain(self, children: list[object]) -> _Built:
        operands = [child for child in children if isinstance(child, _Built)]
        tokens = [child for child in children if isinstance(child, Token)]
        return _chain([token.value for token in tokens], operands, _column(tokens[0]))

    or_expr = and_expr = cmp_expr = add_expr = mul_expr = pow_expr = bin_expr = _chain

    def call(self, children: list[object]) -> _Built:
        name = children[0]
        assert isinstance(name, Token)
        arguments = [child for child in children[1:] if isinstance(child, _Built)]
        return _call(name.value, arguments, _column(name))

    def negate(self, children: list[object]) -> _Built:
        token, operand = children
        assert isinstance(token, Token) and isinstance(operand, _Built)
        return _built(Unary("negate", operand.node), [operand], _column(token))

    def unary(self, children: list[object]) -> _Built:
        operand, token = children
        assert isinstance(token, Token) and isinstance(operand, _Built)
        node = Unary(_OPERATOR_NAMES[token.value.lower()], operand.node)
        return _built(node, [operand], _column(token))

    def array(self, children: list[object]) -> _Built:
        bracket = children[0]
        assert isinstance(bracket, Token)
        items = [child for child in children[1:] if isinstance(child, _Built)]
        return _built(ArrayLiteral(tuple(item.node for item in items)), items, _column(bracket))

    def variable(self, children: list[Token]) -> _Built:
        (token,) = children
        return _variable(token.value, _column(token))

    def number(self, children: list[Token]) -> _Built:
        (token,) = children
        return _number(token.value, _column(token))

    def string(self, children: list[Token]) -> _Built:
        (token,) = children
        return _string(token.value)

    def word(self, children: list[Token]) -> _Built:
        return _literal(semantics.correct_text(children[0].value))

    def true(self, children: list[Token]) -> _Built:
        return _literal(True)

    def false(self, children: list[Token]) -> _Built:
        return _literal(False)

    def null(self, children: list[Token]) -> _Built:
        return _literal(None)


_PARSER = Lark(
    _GRAMMAR,
    parser="lalr",
    lexer="contextual",
    transformer=_Builder(),
    maybe_placeholders=False,
)

_TOKEN_WORDS = {
    "RPAR": "')'",
    "LPAR": "'('",
    "RSQB": "']'",
    "LSQB": "'['",
    "COMMA": "','",
}


def _describe(token: Token) -> str:
    if token.type in _TOKEN_WORDS:
        return _TOKEN_WORDS[token.type]
    text = str(token.value)
    return repr(text) if len(text) <= _SHOWN else repr(text[:_SHOWN]) + "…"


_NOT = re.compile(r"(?:^|[^\w])not\s*$", re.IGNORECASE)


def _syntax_error(text: str, error: UnexpectedInput) -> ExpressionError:
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream or 0
        character = text[position]
        if character in "'\"":
            return ExpressionError("text opened here is never closed", position + 1)
        if character == "{":
            return ExpressionError("'{' opened here is never closed", position + 1)
        return ExpressionError(f"unexpected {character!r}", position + 1)
    if (
        isinstance(error, UnexpectedToken)
        and error.token.type != "$END"
        and (error.token.start_pos or 0) < len(text)
    ):
        token = error.token
        position = token.start_pos or 0
        hint = ' (SurveyJS writes "not" as "!")' if _NOT.search(text[:position]) else ""
        return ExpressionError(f"unexpected {_describe(token)}{hint}", position + 1)
    if isinstance(error, UnexpectedEOF | UnexpectedToken):
        return ExpressionError("the expression ends too early", len(text.rstrip()) + 1)
    return ExpressionError("not an expression", 1)


def _unclosed_parentheses(text: str) -> int:
    """How many "(" are still open at the end (outside texts and {names})."""
    open_count = 0
    closing = ""
    escaped = False
    for character in text:
        if closing:
            if escaped:
                escaped = False
            elif character == "\\" and closing != "}":
                escaped = True
            elif character == closing:
                closing = ""
        elif character in "'\"":
            closing = character
        elif character == "{":
            closing = "}"
        elif character == "(":
            open_count += 1
        elif character == ")":
            open_count -= 1
    return max(open_count, 0)


def parse_tree(text: str) -> tuple[Node, int, int]:
    """The tree of an expression, its cost (units per evaluation) and depth."""
    # SurveyJS lets a ")" be left out; real forms do it at the end ("((!{q}) or ..."), so
    # the parentheses still open there are closed (a missing one elsewhere is an error).
    completed = text + ")" * _unclosed_parentheses(text)
    built: object = _plain_tree(completed)
    if built is None:
        try:
            built = _PARSER.parse(completed)
        except UnexpectedInput as error:
            raise _syntax_error(text, error) from None
    assert isinstance(built, _Built)
    return built.node, built.size, built.depth


# --- the plain subset, read without lark -------------------------------------------------
# Most texts (every one the importers write) use a plain part of the grammar: {names},
# texts without a backslash, unsigned numbers, true and false, calls, parentheses, "!",
# lowercase `and` and `or`, and the comparison and arithmetic symbols. `_PlainReader`
# reads that part by recursive descent, several times faster than lark's LALR, and builds
# the nodes with the same functions; anything else, and any error, is left to lark, the
# reference (tests/headless/test_expressions_cache.py compares the two).

_PLAIN_TOKEN = re.compile(
    r"""[ \t\r\n]*(?:
    (?P<var>\{[^{}]+\})
    |(?P<text>'[^']*'|"[^"]*")
    |(?P<number>(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?![0-9A-Za-z_.]))
    |(?P<call>[A-Za-z_][A-Za-z0-9_]*)\(
    |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<other><>|=<|=>|\*=)
    |(?P<symbol><=|>=|!=|==|[=<>+\-*/%!(),])
    )""",
    re.VERBOSE,
)
_LEVELS: tuple[frozenset[str], ...] = (
    frozenset({"or"}),
    frozenset({"and"}),
    frozenset({"=", "==", "!=", "<", ">", "<=", ">="}),
    frozenset({"+", "-"}),
    frozenset({"*", "/", "%"}),
)
_PLAIN_NESTING = 40  # parentheses, calls and "!" inside one another (recursion)


class _NotPlain(Exception):
    """The text is not in the plain subset (or is wrong): lark reads it."""


class _PlainReader:
    def __init__(self, tokens: list[tuple[str, str, int]]) -> None:
        self.tokens = tokens
        self.position = 0
        self.nesting = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.position]

    def level(self, level: int) -> _Built:
        if level == len(_LEVELS):
            return self.factor()
        first = self.level(level + 1)
        kind, value, column = self.peek()
        operators = _LEVELS[level]
        if kind != "operator" or value not in operators:
            return first
        operands = [first]
        names: list[str] = []
        while kind == "operator" and value in operators:
            self.position += 1
            names.append(value)
            operands.append(self.level(level + 1))
            kind, value, _ = self.peek()
        return _chain(names, operands, column)

    def nested(self) -> None:
        self.nesting += 1
        if self.nesting > _PLAIN_NESTING:
            raise _NotPlain

    def factor(self) -> _Built:
        kind, value, column = self.peek()
        self.position += 1
        if kind == "var":
            return _variable(value, column)
        if kind == "text":
            return _string(value)
        if kind == "number":
            return _number(value, column)
        if kind == "word" and value in ("true", "false"):
            return _literal(value == "true")
        if kind == "operator" and value == "(":
            self.nested()
            inner = self.level(0)
            self.expect(")")
            self.nesting -= 1
            return inner
        if kind == "operator" and value == "!":
            self.nested()
            operand = self.factor()
            self.nesting -= 1
            return _built(Unary("negate", operand.node), [operand], column)
        if kind == "call":
            self.nested()
            arguments: list[_Built] = []
            if self.peek()[:2] != ("operator", ")"):
                arguments.append(self.level(0))
                while self.peek()[:2] == ("operator", ","):
                    self.position += 1
                    arguments.append(self.level(0))
            self.expect(")")
            self.nesting -= 1
            return _call(value, arguments, column)
        raise _NotPlain

    def expect(self, symbol: str) -> None:
        kind, value, _ = self.peek()
        if kind != "operator" or value != symbol:
            raise _NotPlain
        self.position += 1


def _plain_tokens(text: str) -> list[tuple[str, str, int]] | None:
    """(kind, text, 1-based column) of each token, or None outside the plain subset.
    Kinds: var, text, number, call (a name just before "("; the "(" is read with it),
    word, operator (a symbol, `and`, `or`), end."""
    if "\\" in text:
        return None
    tokens: list[tuple[str, str, int]] = []
    position = 0
    end = len(text.rstrip(" \t\r\n"))
    previous_operand = False  # what the last token ends: an operand, or not
    while position < end:
        match = _PLAIN_TOKEN.match(text, position)
        if match is None:
            return None
        kind = match.lastgroup
        assert kind is not None
        value = match.group(kind)
        start = match.start(kind)
        position = match.end()
        if kind == "other":
            return None
        if kind == "symbol":
            kind = "operator"
            if value == "-" and not previous_operand:
                return None  # "-5" is a number there: lark reads it
        elif kind == "word" and value in ("and", "or"):
            if not previous_operand:
                return None  # a bare word there: lark reads it
            kind = "operator"
        elif kind == "word" and value not in ("true", "false"):
            return None
        elif kind == "call" and previous_operand:
            return None  # `) and(`: an operator there, not a call
        tokens.append((kind, value, start + 1))
        previous_operand = kind in ("var", "text", "number", "word") or value == ")"
    tokens.append(("end", "", end + 1))
    return tokens


def _plain_tree(text: str) -> _Built | None:
    """The tree of a text in the plain subset, as lark builds it; None for any other
    text, or one with an error (lark then says what is wrong, and where)."""
    tokens = _plain_tokens(text)
    if tokens is None:
        return None
    reader = _PlainReader(tokens)
    try:
        built = reader.level(0)
    except (_NotPlain, ExpressionError, RecursionError):  # lark never recurses
        return None
    return built if reader.peek()[0] == "end" else None
