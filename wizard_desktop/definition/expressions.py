"""The expression language of format v2: SurveyJS's syntax, parsed once, evaluated safely.

Owns the grammar (lark, LALR, below as text), the typed immutable tree it builds, the
compilation of that tree into closures, the bounds (length, nesting, cost), `{name}`
interpolation templates, and `is_true` (how a condition reads a result). What operators and
functions compute lives in `expression_functions.py`; the rules are in docs/expressions.md.
Nothing here calls Python's eval, reads attributes or imports anything by name: an
expression can only reach the values it is handed and the functions listed there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Union

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from wizard_desktop.definition import expression_functions as semantics
from wizard_desktop.definition.model import NUMBER_LIMIT

# Bounds on an expression from a file (someone else's): its text, how deep its operations
# nest (operators, calls and arrays inside one another), and the cost units one answer
# change may spend on all evaluations together: one unit per node evaluated, CALL_COST per
# function call (a call takes about five operators' time), plus one per item an operator
# or function walks in a list. Spending DEFAULT_COST_LIMIT takes about a quarter of a
# second with the slowest functions (docs/expressions.md).
MAX_EXPRESSION_LENGTH = 2_000
MAX_NESTING_DEPTH = 32
DEFAULT_COST_LIMIT = 200_000
CALL_COST = 5
MAX_TEMPLATE_LENGTH = 20_000

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

# Operators whose cost grows with the lists they compare.
_LIST_OPERATORS = frozenset(
    {"equal", "notequal", "lessorequal", "greaterorequal", "contains", "notcontains"}
    | {"anyof", "allof", "noneof", "plus"}
)


class ExpressionError(ValueError):
    """An expression (or template) that cannot be used: what is wrong, and where."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column  # 1-based, counting characters of the text (a newline is one)

    def __str__(self) -> str:
        return self.message


class ExpressionCostExceeded(Exception):
    """The evaluations of one answer change spent their whole budget."""


class EvaluationBudget:
    """Cost units shared by all evaluations of one change."""

    __slots__ = ("limit", "remaining")

    def __init__(self, limit: int = DEFAULT_COST_LIMIT) -> None:
        self.limit = limit
        self.remaining = limit

    def spend(self, units: int) -> None:
        self.remaining -= units
        if self.remaining < 0:
            raise ExpressionCostExceeded(
                f"the expressions need more than {self.limit:,} steps to bring this change "
                "up to date"
            )


# --- the tree -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    value: object  # None, bool, int, float or str (after survey-core's text conversion)


@dataclass(frozen=True, slots=True)
class Reference:
    name: str  # as written between the braces (without "#" before and ".length" after)
    column: int
    convert: bool = True  # False for {#name}: the answer as it is, text never read as number
    length: bool = False  # {name.length}: how many items (characters of a text), 0 if none


@dataclass(frozen=True, slots=True)
class Operation:
    """A left-to-right chain of one precedence level: operands[0] op[0] operands[1] ..."""

    operators: tuple[str, ...]  # survey-core's names: "and", "plus", "equal", "anyof", ...
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary:
    operator: str  # "negate", "empty" or "notempty"
    operand: Node


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    arguments: tuple[Node, ...]
    column: int


@dataclass(frozen=True, slots=True)
class ArrayLiteral:
    items: tuple[Node, ...]


Node = Union[Literal, Reference, Operation, Unary, Call, ArrayLiteral]  # noqa: UP007

Run = Callable[[Mapping[str, object], EvaluationBudget], object]


@dataclass(frozen=True)
class Expression:
    source: str
    reads: frozenset[str]  # every {name} referenced (names as written)
    references: tuple[tuple[str, int], ...]  # (name, 1-based column) in source order
    tree: Node = field(repr=False)
    cost: int = field(repr=False, compare=False)  # units each evaluation spends (its nodes)
    run: Run = field(repr=False, compare=False)


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
            raise ExpressionError(f"unknown function {name.value}()", column)
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
    if token.type == "$END":
        return "end of expression"
    return repr(str(token.value)) if token.type not in _TOKEN_WORDS else _TOKEN_WORDS[token.type]


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


def parse_expression(text: str) -> Expression:
    """Parse (and check) one expression; raises ExpressionError with a 1-based column."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(
            f"expression longer than {MAX_EXPRESSION_LENGTH:,} characters",
            MAX_EXPRESSION_LENGTH + 1,
        )
    return _parse(text)


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


@lru_cache(maxsize=4096)
def _parse(text: str) -> Expression:
    if not text.strip():
        raise ExpressionError("the expression is empty", 1)
    # SurveyJS lets a ")" be left out; real forms do it at the end ("((!{q}) or ..."), so
    # the parentheses still open there are closed (a missing one elsewhere is an error).
    completed = text + ")" * _unclosed_parentheses(text)
    try:
        built = _PARSER.parse(completed)
    except UnexpectedInput as error:
        raise _syntax_error(text, error) from None
    assert isinstance(built, _Built)
    references = tuple(_references(built.node))
    return Expression(
        source=text,
        reads=frozenset(name for name, _ in references),
        references=references,
        tree=built.node,
        cost=built.size,
        run=_compile(built.node),
    )


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Operation):
        return node.operands
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Call):
        return node.arguments
    if isinstance(node, ArrayLiteral):
        return node.items
    return ()


def _references(root: Node) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Reference):
            found.append((node.name, node.column))
        stack.extend(_children(node))
    return sorted(found, key=lambda reference: reference[1])


# --- evaluation ---------------------------------------------------------------------------


def evaluate(expr: Expression, values: Mapping[str, object], budget: EvaluationBudget) -> object:
    """The value of `expr` for these answers: None, bool, int/float, str or list."""
    budget.spend(expr.cost)
    try:
        return semantics.result(expr.run(values, budget))
    except semantics.ScriptError:
        return None


def is_true(value: object) -> bool:
    """How visible_if, required_if, enabled_if and constraint read a result (as survey-core's
    ConditionRunner: `result == true` in JavaScript, so 1 and "1" are true, 2 is not)."""
    return semantics.is_true(value)


def _size(value: object) -> int:
    return len(value) if isinstance(value, list) else 1


def _compile(node: Node) -> Run:
    """A closure per node, built once at parse time (depth is bounded, so is recursion)."""
    if isinstance(node, Literal):
        value = node.value
        return lambda values, budget: value
    if isinstance(node, Reference):
        return _compile_reference(node)
    if isinstance(node, Operation):
        return _compile_operation(node)
    if isinstance(node, Unary):
        unary = semantics.UNARY[node.operator]
        operand = _compile(node.operand)
        return lambda values, budget: unary(operand(values, budget))
    if isinstance(node, Call):
        return _compile_call(node)
    items = tuple(_compile(item) for item in node.items)
    return lambda values, budget: [item(values, budget) for item in items]


def _compile_reference(node: Reference) -> Run:
    name = node.name
    correct_text = semantics.correct_text
    if node.length:

        def length(values: Mapping[str, object], budget: EvaluationBudget) -> object:
            value = values.get(name)
            return len(value) if isinstance(value, str | list | tuple) else 0

        return length
    if not node.convert:

        def raw(values: Mapping[str, object], budget: EvaluationBudget) -> object:
            value = values.get(name)
            return list(value) if isinstance(value, tuple) else value

        return raw

    def read(values: Mapping[str, object], budget: EvaluationBudget) -> object:
        value = values.get(name)
        if value.__class__ is str:
            return correct_text(value)  # type: ignore[arg-type,unused-ignore]
        return list(value) if isinstance(value, tuple) else value

    return read


def _compile_operation(node: Operation) -> Run:
    operands = tuple(_compile(operand) for operand in node.operands)
    functions = tuple(semantics.BINARY[operator] for operator in node.operators)
    walks_lists = any(operator in _LIST_OPERATORS for operator in node.operators)
    if len(functions) == 1 and not walks_lists:
        function = functions[0]
        left, right = operands

        def pair(values: Mapping[str, object], budget: EvaluationBudget) -> object:
            return function(left(values, budget), right(values, budget))

        return pair
    first = operands[0]
    rest = tuple(
        (function, operand, operator in _LIST_OPERATORS, operator == "plus")
        for function, operand, operator in zip(functions, operands[1:], node.operators, strict=True)
    )

    def chain(values: Mapping[str, object], budget: EvaluationBudget) -> object:
        result = first(values, budget)
        for function, operand, walks, joins in rest:
            other = operand(values, budget)
            if walks and (result.__class__ is list or other.__class__ is list):
                # + joins two lists; the comparisons may pair every item with every item
                size, other_size = _size(result), _size(other)
                budget.spend(size + other_size if joins else size * other_size)
            result = function(result, other)
        return result

    return chain


def _compile_call(node: Call) -> Run:
    function = semantics.FUNCTIONS[node.function][0]
    arguments = tuple(_compile(argument) for argument in node.arguments)

    def call(values: Mapping[str, object], budget: EvaluationBudget) -> object:
        params = [argument(values, budget) for argument in arguments]
        budget.spend(sum(len(param) for param in params if isinstance(param, list)))
        return function(params)

    return call


# --- templates ----------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class TextTemplate:
    """A text with `{name}` placeholders (titles, labels, help, descriptions, notes)."""

    source: str
    reads: frozenset[str]
    references: tuple[tuple[str, int], ...]
    parts: tuple[tuple[str, str | None], ...] = field(repr=False)  # (text, name after it)

    def render(self, values: Mapping[str, object]) -> str:
        """The text with each placeholder replaced by its value; empty -> "". Plain text."""
        pieces: list[str] = []
        for text, name in self.parts:
            pieces.append(text)
            if name is not None:
                pieces.append(value_text(values.get(name)))
        return "".join(pieces)


def value_text(value: object) -> str:
    """A value as a template shows it: numbers as SurveyJS writes them, lists with ", "."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return ", ".join(value_text(item) for item in value)
    return semantics.js_string(value)


def parse_template(text: str) -> TextTemplate:
    """Find the `{name}` placeholders of a text. SurveyJS has no escape for a brace: a `{`
    without its `}` stays as written, and every `{...}` is a placeholder."""
    if len(text) > MAX_TEMPLATE_LENGTH:
        raise ExpressionError(
            f"text longer than {MAX_TEMPLATE_LENGTH:,} characters", MAX_TEMPLATE_LENGTH + 1
        )
    parts: list[tuple[str, str | None]] = []
    references: list[tuple[str, int]] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        name = match.group(1)
        parts.append((text[position : match.start()], name))
        references.append((name, match.start() + 1))
        position = match.end()
    parts.append((text[position:], None))
    return TextTemplate(
        source=text,
        reads=frozenset(name for name, _ in references),
        references=tuple(references),
        parts=tuple(parts),
    )
