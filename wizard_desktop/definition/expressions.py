"""The expression language of format v2: SurveyJS's syntax, parsed once, evaluated safely.

Owns the public interface, the typed immutable tree, its compilation into closures, the
bounds (length, nesting, cost), `{name}` interpolation templates, and `is_true` (how a
condition reads a result). The grammar and the parser are in `expression_grammar.py`;
what operators and functions compute is in `expression_functions.py`; the rules are in
docs/expressions.md.
Nothing here calls Python's eval, reads attributes or imports anything by name: an
expression can only reach the values it is handed and the functions listed there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from wizard_desktop.definition import expression_functions as semantics

# Bounds on an expression from a file (someone else's): its text, how deep its operations
# nest (operators, calls and arrays inside one another), and the cost units one answer
# change may spend on all evaluations together: one unit per node evaluated, CALL_COST per
# function call (a call takes about five operators' time), plus one per item an operator
# or function walks in a list. Spending DEFAULT_COST_LIMIT takes at most about 0.4 s
# (docs/expressions.md).
MAX_EXPRESSION_LENGTH = 2_000
MAX_NESTING_DEPTH = 32
DEFAULT_COST_LIMIT = 200_000
CALL_COST = 5
MAX_TEMPLATE_LENGTH = 20_000

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
            raise self.exceeded()

    def exceeded(self) -> ExpressionCostExceeded:
        return ExpressionCostExceeded(
            f"the expressions need more than {self.limit:,} steps to bring this change up to date"
        )


# --- the tree -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    value: object  # None, bool, int, float or str (a bare word read as survey-core does)


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


Node = Literal | Reference | Operation | Unary | Call | ArrayLiteral

Run = Callable[[Mapping[str, object], EvaluationBudget], object]


@dataclass(frozen=True)
class Expression:
    """A parsed, checked expression; `evaluate` runs it."""

    source: str
    reads: frozenset[str]  # every {name} referenced (as written; {#a} and {a.length} read a)
    references: tuple[tuple[str, int], ...]  # (name, 1-based column) in source order
    tree: Node = field(repr=False)
    cost: int = field(repr=False, compare=False)  # units each evaluation spends (its nodes)
    depth: int = field(repr=False, compare=False)  # how deep its operations nest (a leaf: 1)
    run: Run = field(repr=False, compare=False)


# --- parsing ---------------------------------------------------------------------------


def parse_expression(text: str) -> Expression:
    """Parse (and check) one expression; raises ExpressionError with a 1-based column."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(
            f"expression longer than {MAX_EXPRESSION_LENGTH:,} characters",
            MAX_EXPRESSION_LENGTH + 1,
        )
    return _parse(text)


def parse_laid_out(text: str) -> Expression:
    """An expression the app wrote from a checked one (a repeat's aggregate laid out as
    one reference per instance, definition/repeats.py): the length bound is the
    file's, not this text's; the nesting bound and the cost budget still hold."""
    return _parse(text)


# How many texts the parse cache keeps (least recently used first out): the importers join
# conditions into `(a) and (b)`, so one condition is read in many joined texts.
PARSE_CACHE_SIZE = 4096


def _parse(text: str) -> Expression:
    return _cached_parse(text, True)


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _cached_parse(text: str, split: bool) -> Expression:
    """The expression of `text`, remembered by its text. With `split`, a text joined of
    parts, `(a) and (b) and ...`, is built from the parts' own (cached) parses."""
    if not text.strip():
        raise ExpressionError("the expression is empty", 1)
    if not split:
        return _parse_whole(text)
    parts = _conjuncts(text)
    if parts is not None:
        try:
            joined = _conjunction(
                text, [(offset, _cached_parse(part, False)) for offset, part in parts]
            )
        except ExpressionError:
            joined = None  # the whole text's parse says what is wrong, and where
        if joined is not None:
            return joined
    return _cached_parse(text, False)


def _parse_whole(text: str) -> Expression:
    # Imported on first use: lark and the parser tables take about 80 ms, which a start-up
    # that reads no v2 file need not pay.
    from wizard_desktop.definition.expression_grammar import parse_tree

    tree, cost, depth = parse_tree(text)
    references = tuple(_references(tree))
    return Expression(
        source=text,
        reads=frozenset(name for name, _ in references),
        references=references,
        tree=tree,
        cost=cost,
        depth=depth,
        run=_compile(tree),
    )


# How the importers join conditions (`" and ".join(f"({c})" ...)`), and the pieces of a
# text without a backslash as the grammar's lexer reads them: texts, {names}, parentheses.
_JOIN = " and "
_PIECE = re.compile(r"""[^()'"{}]+|'[^']*'|"[^"]*"|\{[^{}]+\}|[()]""")


def _conjuncts(text: str) -> list[tuple[int, str]] | None:
    """The parts of `(p1) and (p2) and ...` (two or more) with the offset of each in the
    text, or None for any other text (a backslash, an unclosed text or brace, any other
    operator or spacing between the parentheses)."""
    if not text.startswith("(") or ") and (" not in text or "\\" in text:
        return None
    parts: list[tuple[int, str]] = []
    depth = 0  # 0: between parts
    start = 0
    opens = True  # between parts, what comes next: "(" (True) or the join (False)
    position = 0
    while position < len(text):
        piece = _PIECE.match(text, position)
        if piece is None:
            return None
        value = piece.group()
        if depth == 0:
            if opens and value == "(":
                depth, start, opens = 1, piece.end(), False
            elif not opens and value == _JOIN:
                opens = True
            else:
                return None
        elif value == "(":
            depth += 1
        elif value == ")":
            depth -= 1
            if depth == 0:
                parts.append((start, text[start : piece.start()]))
        position = piece.end()
    if depth != 0 or opens or len(parts) < 2:
        return None
    return parts


def _conjunction(text: str, parts: list[tuple[int, Expression]]) -> Expression | None:
    """The expression `text` = (p1) and (p2) ..., built from its parsed parts: the tree,
    cost, names and columns the grammar gives the whole text (tests check it is equal),
    without parsing any part again; None when it nests too deep."""
    depth = 1 + max(part.depth for _, part in parts)
    if depth > MAX_NESTING_DEPTH:
        return None  # the whole text's parse says where
    operators = ("and",) * (len(parts) - 1)
    tree = Operation(operators, tuple(_shifted(part.tree, offset) for offset, part in parts))
    references = tuple(
        (name, column + offset) for offset, part in parts for name, column in part.references
    )
    return Expression(
        source=text,
        reads=frozenset().union(*(part.reads for _, part in parts)),
        references=references,
        tree=tree,
        cost=1 + sum(part.cost for _, part in parts),
        depth=depth,
        run=_operation_run(operators, tuple(part.run for _, part in parts)),
    )


def _shifted(node: Node, offset: int) -> Node:
    """The same node with its columns `offset` characters further on."""
    if isinstance(node, Reference):
        return Reference(node.name, node.column + offset, node.convert, node.length)
    if isinstance(node, Operation):
        return Operation(node.operators, tuple(_shifted(child, offset) for child in node.operands))
    if isinstance(node, Unary):
        return Unary(node.operator, _shifted(node.operand, offset))
    if isinstance(node, Call):
        arguments = tuple(_shifted(child, offset) for child in node.arguments)
        return Call(node.function, arguments, node.column + offset)
    if isinstance(node, ArrayLiteral):
        return ArrayLiteral(tuple(_shifted(child, offset) for child in node.items))
    return node


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


def nodes(root: Node) -> Iterator[Node]:
    """Every node of a tree (without recursion: a tree may be deep)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(_children(node))


def _references(root: Node) -> list[tuple[str, int]]:
    found = [(node.name, node.column) for node in nodes(root) if isinstance(node, Reference)]
    return sorted(found, key=lambda reference: reference[1])


# --- evaluation ---------------------------------------------------------------------------


def evaluate(expr: Expression, values: Mapping[str, object], budget: EvaluationBudget) -> object:
    """The value of `expr` for these answers: None, bool, int/float, str or list."""
    budget.remaining -= expr.cost  # budget.spend, inlined: this runs thousands of times a key
    if budget.remaining < 0:
        raise budget.exceeded()
    try:
        value = expr.run(values, budget)
    except semantics.ScriptError:
        return None
    kind = value.__class__
    return semantics.result(value) if kind is float or kind is int or kind is list else value


# How visible_if, required_if, enabled_if and constraint read a result (survey-core's
# ConditionRunner: `result == true` in JavaScript, so 1 and "1" are true, 2 is not).
is_true = semantics.is_true


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
    if _plain_references(node):
        return _compile_references(node.items)  # type: ignore[arg-type]
    items = tuple(_compile(item) for item in node.items)
    return lambda values, budget: [item(values, budget) for item in items]


def _plain_references(node: Node) -> bool:
    """Whether `node` is a list of plain references (`{name}`, as a repeat's aggregate
    is laid out: one per instance)."""
    return (
        isinstance(node, ArrayLiteral)
        and bool(node.items)
        and all(
            isinstance(item, Reference) and item.convert and not item.length for item in node.items
        )
    )


def _compile_references(references: tuple[Reference, ...]) -> Run:
    """A list of plain references (a repeat's aggregate: one per instance) read in one
    loop: each item what `_compile_reference` reads, without a call per item."""
    correct_text = semantics.correct_text
    reads = tuple(
        (reference.name, _dotted(reference.name) if "." in reference.name else None)
        for reference in references
    )

    names = tuple(name for name, _nested in reads)
    plain = (int, float, bool)  # read as they are

    def read_all(values: Mapping[str, object], budget: EvaluationBudget) -> object:
        found = list(map(values.get, names))
        if all(kind in plain for kind in set(map(type, found))):
            return found  # (the usual case: numbers, every one answered)
        out: list[object] = []
        get = values.get
        for name, nested in reads:
            value = get(name)
            if value is None and nested is not None:
                value = nested(values)
            if value.__class__ is str:
                value = correct_text(value)  # type: ignore[arg-type,unused-ignore]
            elif isinstance(value, tuple):
                value = list(value)
            out.append(value)
        return out

    return read_all


def _dotted(name: str) -> Callable[[Mapping[str, object]], object]:
    """How a dotted name reads: the value of that name when there is one, else the
    nested value of its longest prefix that has one (`{grid.row.column}` reads the
    grid's answer object, as SurveyJS does)."""
    splits = [(name[:i], name[i + 1 :].split(".")) for i in range(len(name)) if name[i] == "."]
    splits.reverse()

    def get(values: Mapping[str, object]) -> object:
        value = values.get(name)
        if value is not None:
            return value
        for head, rest in splits:
            found = values.get(head)
            if found is None:
                continue
            for part in rest:
                found = found.get(part) if isinstance(found, dict) else None
            return found
        return None

    return get


def _compile_reference(node: Reference) -> Run:
    name = node.name
    correct_text = semantics.correct_text
    if "." in name:
        get = _dotted(name)
        convert, length_of = node.convert, node.length

        def nested(values: Mapping[str, object], budget: EvaluationBudget) -> object:
            value = get(values)
            if length_of:
                return len(value) if isinstance(value, str | list | tuple) else 0
            if convert and value.__class__ is str:
                return correct_text(value)  # type: ignore[arg-type,unused-ignore]
            return list(value) if isinstance(value, tuple) else value

        return nested
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
    return _operation_run(node.operators, tuple(_compile(operand) for operand in node.operands))


def _operation_run(operators: tuple[str, ...], operands: tuple[Run, ...]) -> Run:
    functions = tuple(semantics.BINARY[operator] for operator in operators)
    if len(functions) == 1 and operators[0] not in _LIST_OPERATORS:
        function = functions[0]
        left, right = operands

        def pair(values: Mapping[str, object], budget: EvaluationBudget) -> object:
            return function(left(values, budget), right(values, budget))

        return pair
    if len(functions) == 1:
        function = functions[0]
        left, right = operands
        joins = operators[0] == "plus"

        def pair_walking(values: Mapping[str, object], budget: EvaluationBudget) -> object:
            a = left(values, budget)
            b = right(values, budget)
            if joins and a.__class__ is int and b.__class__ is int:  # a sum of whole numbers
                return semantics.number(a + b)
            if a.__class__ is list or b.__class__ is list:
                # + joins two lists; the comparisons may pair every item with every item
                budget.spend(_size(a) + _size(b) if joins else _size(a) * _size(b))
            return function(a, b)

        return pair_walking
    first = operands[0]
    rest = tuple(
        (function, operand, operator in _LIST_OPERATORS, operator == "plus")
        for function, operand, operator in zip(functions, operands[1:], operators, strict=True)
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
    if node.function == "sum" and len(node.arguments) == 1:
        (argument,) = node.arguments
        if _plain_references(argument):
            return _compile_reference_sum(argument.items, function)  # type: ignore[union-attr,arg-type]
    arguments = tuple(_compile(argument) for argument in node.arguments)

    def call(values: Mapping[str, object], budget: EvaluationBudget) -> object:
        params = [argument(values, budget) for argument in arguments]
        budget.spend(sum(len(param) for param in params if isinstance(param, list)))
        return function(params)

    return call


def _compile_reference_sum(
    references: tuple[Reference, ...], function: Callable[[list[object]], object]
) -> Run:
    """`sum` of a list of plain references (a repeat's `sum({items.amount})`): what
    `call` gives, the whole numbers added as they are read."""
    read_all = _compile_references(references)

    def summed(values: Mapping[str, object], budget: EvaluationBudget) -> object:
        items = read_all(values, budget)
        assert isinstance(items, list)
        budget.spend(len(items))
        whole = semantics.exact_whole_sum(items)
        return function([items]) if whole is None else whole

    return summed


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
                value = values.get(name)
                if value is None and "." in name:
                    value = _dotted(name)(values)
                pieces.append(value_text(value))
        return "".join(pieces)

    def outline(self, known: Mapping[str, str]) -> str:
        """The text as a list of many sessions shows it, without their answers: each
        placeholder `known` names replaced by its text, any other by an ellipsis, and
        placeholders apart only by spaces by one ("{first} {last}" -> "…")."""
        pieces: list[str] = []
        hidden = False
        for text, name in self.parts:
            if name is None:
                pieces.append(text)
            elif (shown := known.get(name.strip())) is not None:
                pieces.append(text + shown)
                hidden = False
            elif not (hidden and not text.strip()):
                pieces.append(text + ELLIPSIS)
                hidden = True
        return "".join(pieces)


ELLIPSIS = "…"
"""What a placeholder reads as where no session's answers fill it (`outline`)."""


def outline_text(text: str, format_version: int, known: Mapping[str, str] | None = None) -> str:
    """A stored title as the lists of many sessions show it (`TextTemplate.outline`): only
    format 2 has placeholders, and a text that does not parse stays as written."""
    if format_version < 2 or "{" not in text:
        return text
    try:
        return parse_template(text).outline(known or {})
    except ExpressionError:
        return text


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
