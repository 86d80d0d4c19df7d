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


@v_args(inline=False)
class _Builder(Transformer[Token, _Built]):
    """Called by the LALR parser as it reduces (no recursion, whatever the input)."""

    def _chain(self, children: list[object]) -> _Built:
        operands = [child for child in children if isinstance(child, _Built)]
        tokens = [child for child in children if isinstance(child, Token)]
        node = Operation(
            tuple(_OPERATOR_NAMES[token.value.lower()] for token in tokens),
            tuple(operand.node for operand in operands),
        )
        return _built(node, operands, _column(tokens[0]))

    or_expr = and_expr = cmp_expr = add_expr = mul_expr = pow_expr = bin_expr = _chain

    def call(self, children: list[object]) -> _Built:
        name = children[0]
        assert isinstance(name, Token)
        column = _column(name)
        arguments = [child for child in children[1:] if isinstance(child, _Built)]
        known = semantics.FUNCTIONS.get(name.value)
        if known is None:
            if name.value in semantics.MODEL_FUNCTIONS:
                raise ExpressionError(
                    f"function {name.value}() reads a SurveyJS form model; wizards have none",
                    column,
                )
            shown = name.value if len(name.value) <= _SHOWN else name.value[:_SHOWN] + "…"
            raise ExpressionError(f"unknown function {shown}()", column)
        _, fewest, most = known
        if len(arguments) < fewest or (most is not None and len(arguments) > most):
            expected = str(fewest) if fewest == most else f"{fewest} to {most}"
            if most is None:
                expected = f"at least {fewest}"
            raise ExpressionError(
                f"{name.value}() takes {expected} argument{'s' if expected != '1' else ''}, "
                f"not {len(arguments)}",
                column,
            )
        node = Call(name.value, tuple(argument.node for argument in arguments), column)
        built = _built(node, arguments, column)
        built.size += CALL_COST - 1
        return built

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
        name = token.value[1:-1]
        convert = not (len(name) > 1 and name.startswith("#"))
        if not convert:
            name = name[1:]
        length = len(name) > len(_LENGTH) and name.endswith(_LENGTH)
        if length:
            name = name[: -len(_LENGTH)]
        return _Built(Reference(name, _column(token), convert, length), 1, 1)

    def number(self, children: list[Token]) -> _Built:
        (token,) = children
        value = float(token.value)
        if abs(value) >= NUMBER_LIMIT:
            raise ExpressionError(f"number {token.value} is too large", _column(token))
        return _literal(semantics.number(value))

    def string(self, children: list[Token]) -> _Built:
        (token,) = children
        # survey-core keeps a quoted literal as text ('5' is the text "5", not the number)
        return _literal(token.value[1:-1].replace("\\'", "'").replace('\\"', '"'))

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
    try:
        built = _PARSER.parse(completed)
    except UnexpectedInput as error:
        raise _syntax_error(text, error) from None
    assert isinstance(built, _Built)
    return built.node, built.size, built.depth
