"""What the expression operators and functions compute: survey-core's semantics, in Python.

SurveyJS runs expressions in JavaScript, and imported forms must behave as their authors saw
them, so this module reproduces the few JavaScript rules survey-core relies on (truthiness,
loose equality, `+` on text, number to text) over the values an expression sees: None (empty:
JavaScript's null and undefined), bool, int/float (one JavaScript number), str and list.
Every operator and function here takes any operands and keeps texts and lists within the
bounds below; the one exception it raises, ScriptError, stands for a JavaScript throw and
makes the evaluation empty. `expressions.py` compiles the calls; docs/expressions.md
states the rules.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from typing import cast

from wizard_desktop.definition.model import NUMBER_LIMIT
from wizard_desktop.definition.patterns import compiled_pattern, pattern_problem

# Bounds on what one evaluation can build: a text longer than MAX_TEXT_LENGTH or a list
# longer than MAX_LIST_LENGTH becomes empty (None) at once; numbers are floats while an
# expression runs (as in JavaScript: NaN and Infinity included, so no number grows), and a
# result not below NUMBER_LIMIT (what an answer may hold), NaN or infinite is empty (`result`).
MAX_TEXT_LENGTH = 10_000
MAX_LIST_LENGTH = 1_000

NaN = math.nan
_EXACT = 2**53  # integers up to this are exact in a JavaScript number


class ScriptError(Exception):
    """Where survey-core's JavaScript would throw (e.g. toFixed on a text in sum()): the
    evaluation has no value."""


# --- JavaScript values ------------------------------------------------------------------


def number(value: float) -> object:
    """A computed number as an expression value: integral and exact -> int, else float."""
    if type(value) is int:
        return value if -_EXACT <= value <= _EXACT else float(value)
    if value.is_integer() and -_EXACT <= value <= _EXACT:
        return int(value)
    return value


def result(value: object) -> object:
    """What an evaluation hands out: a number an answer could not hold (its size not below
    NUMBER_LIMIT, NaN, infinite) is empty."""
    if isinstance(value, float):
        return value if -NUMBER_LIMIT < value < NUMBER_LIMIT else None  # NaN compares False
    if type(value) is int:
        return value if -NUMBER_LIMIT < value < NUMBER_LIMIT else None
    if isinstance(value, list):
        return [result(item) for item in value]
    return value


def _text(value: str) -> object:
    return value if len(value) <= MAX_TEXT_LENGTH else None


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numbers(a: object, b: object) -> bool:
    """Both are numbers (not booleans): the fast paths of the operators."""
    kind_a = type(a)
    kind_b = type(b)
    return (kind_a is int or kind_a is float) and (kind_b is int or kind_b is float)


def truthy(value: object) -> bool:
    """JavaScript's ToBoolean."""
    if value is None:
        return False
    if isinstance(value, str):
        return value != ""
    if isinstance(value, list):
        return True
    if isinstance(value, float):
        return value == value and value != 0
    return bool(value)


def js_string(value: object) -> str:
    """JavaScript's ToString (arrays join with ",", empty items as "")."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_string(value)
    if isinstance(value, list):
        return ",".join("" if item is None else js_string(item) for item in value)
    return str(value)


def number_string(value: float) -> str:
    """Number::toString: the shortest round-trip digits, JavaScript's exponent rules."""
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    shortest = repr(value)
    if "e" not in shortest:  # Python writes these as JavaScript does (but "x.0": integers)
        return shortest[:-2] if shortest.endswith(".0") else shortest
    sign = "-" if value < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    assert isinstance(exponent, int)
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    digits = stripped
    k = len(digits)
    point = k + exponent  # ECMAScript's n: value = 0.digits x 10^n
    if k <= point <= 21:
        return sign + digits + "0" * (point - k)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * (-point) + digits
    shown = point - 1
    exponent_part = ("e+" if shown >= 0 else "e-") + str(abs(shown))
    if k == 1:
        return sign + digits + exponent_part
    return sign + digits[0] + "." + digits[1:] + exponent_part


_JS_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Infinity)")
_JS_RADIX = re.compile(r"0([xXoObB])([0-9a-fA-F]+)")
_RADIX = {"x": 16, "o": 8, "b": 2}
_JS_SPACE = " \t\n\r\v\f\u00a0\ufeff\u2028\u2029"


def to_number(value: object) -> float:
    """JavaScript's ToNumber."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        return 0.0
    if isinstance(value, list):
        return to_number(js_string(value))
    if isinstance(value, str):
        return _string_to_number(value)
    return NaN


@lru_cache(maxsize=4096)
def _string_to_number(value: str) -> float:
    stripped = value.strip(_JS_SPACE)
    if stripped == "":
        return 0.0
    radix = _JS_RADIX.fullmatch(stripped)
    if radix is not None:
        try:
            return float(int(radix.group(2), _RADIX[radix.group(1).lower()]))
        except ValueError:
            return NaN
    if _JS_NUMBER.fullmatch(stripped) is None:
        return NaN
    return float(stripped.replace("Infinity", "inf"))


def parse_float(value: object) -> float:
    """JavaScript's parseFloat (its argument as text, the longest number at its start)."""
    source = js_string(value).lstrip(_JS_SPACE)
    match = _JS_NUMBER.match(source)
    if match is None:
        return NaN
    return float(match.group(0).replace("Infinity", "inf"))


_JS_INT = re.compile(r"([+-]?)(0[xX][0-9a-fA-F]+|\d+)")


def parse_int(value: object) -> float:
    """JavaScript's parseInt with no radix."""
    match = _JS_INT.match(js_string(value).lstrip(_JS_SPACE))
    if match is None:
        return NaN
    sign, digits = match.groups()
    result = int(digits, 16) if digits[:2].lower() == "0x" else int(digits)
    return float(-result if sign == "-" else result)


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and value != value


def _astral(value: str) -> bool:
    return not value.isascii() and max(value) > "\uffff"


def _utf16(value: str) -> bytes:
    """A key that orders texts as JavaScript does (by UTF-16 code units)."""
    return value.encode("utf-16-be", "surrogatepass")


def loose_equal(x: object, y: object) -> bool:
    """JavaScript's == on the values an expression holds."""
    if x is None or y is None:
        return x is None and y is None
    if isinstance(x, list) and isinstance(y, list):
        return x is y
    if isinstance(x, list):
        x = js_string(x)
    if isinstance(y, list):
        y = js_string(y)
    if isinstance(x, str) and isinstance(y, str):
        return x == y
    return to_number(x) == to_number(y)


def less_than(x: object, y: object) -> bool:
    """JavaScript's x < y (the abstract relational comparison)."""
    if _numbers(x, y):
        return x < y  # type: ignore[operator,no-any-return]
    if isinstance(x, list):
        x = js_string(x)
    if isinstance(y, list):
        y = js_string(y)
    if isinstance(x, str) and isinstance(y, str):
        return _utf16(x) < _utf16(y) if _astral(x) or _astral(y) else x < y
    return to_number(x) < to_number(y)


def js_plus(x: object, y: object) -> object:
    """JavaScript's x + y (text if either side is text after ToPrimitive)."""
    if isinstance(x, list):
        x = js_string(x)
    if isinstance(y, list):
        y = js_string(y)
    if isinstance(x, str) or isinstance(y, str):
        return js_string(x) + js_string(y)
    return to_number(x) + to_number(y)


# --- survey-core's Helpers --------------------------------------------------------------


def is_empty(value: object) -> bool:
    """Helpers.isValueEmpty: None, "", [], {} (a grid's answer) and NaN are empty; 0 and
    false are not."""
    if value is None:
        return True
    if isinstance(value, str | list | dict):
        return len(value) == 0
    return _is_nan(value)


_OPERATOR_CHARACTERS = "*^/%"


def _has_operator(value: str) -> bool:
    if value.rfind("-") > 0 or value.rfind("+") > 0:
        return False
    return any(character in value for character in _OPERATOR_CHARACTERS)


def get_number(value: object) -> float:
    """Helpers.getNumber: NaN when the value is no number (text "1,5" is 1.5)."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return NaN
        if value.startswith("0x"):
            return NaN if len(value) > 32 else parse_int(value)
        if len(value) > 15 and value.isdigit() and value.isascii():
            return NaN
        if _has_operator(value):
            return NaN
        comma = value.find(",")
        if comma > -1 and value.find(",", comma + 1) < 0:
            value = value.replace(",", ".", 1)
    if is_number(value):
        result = float(value)  # type: ignore[arg-type]
        return result if math.isfinite(result) else NaN
    result = parse_float(value)
    if result != result or not math.isfinite(to_number(value)):
        return NaN
    return result


def helpers_is_number(value: object) -> bool:
    return get_number(value) == get_number(value)


@lru_cache(maxsize=4096)
def correct_text(value: str) -> object:
    """Const/Variable.getCorrectValue: text that reads as a boolean, a quoted text or a
    number is that value ("5" is 5, "TRUE" is true, "007" stays text)."""
    if not value:
        return value
    lowered = value.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    if len(value) > 1 and value[0] in "'\"" and value[-1] in "'\"":
        return value[1:-1]
    if helpers_is_number(value):
        if value[0] == "0" and not value.startswith("0x"):
            has_point = len(value) > 1 and value[1] in ".,"
            if (not has_point and len(value) > 1) or (has_point and len(value) < 2):
                return value
        return number(get_number(value))
    return value


def _count_decimals(value: object) -> int:
    """Helpers.countDecimals: the digits after "." in the number's text."""
    kind = value.__class__
    if kind is int:
        return 0
    if kind is float:
        if value.is_integer() or not math.isfinite(value):  # type: ignore[attr-defined,arg-type]
            return 0
        shortest = repr(value)
        if "e" not in shortest:  # written as JavaScript writes it (number_string)
            return len(shortest) - shortest.index(".") - 1
    elif not helpers_is_number(value) or is_number(value):  # an int (a bool is no number)
        return 0
    parts = js_string(value).split(".")
    return len(parts[1]) if len(parts) > 1 else 0


# toFixed: the exact binary value, halves away from zero, up to 21 + 100 digits.
_FIXED = Context(prec=160, rounding=ROUND_HALF_UP)


def _to_fixed(value: object, digits: int) -> object:
    """parseFloat(value.toFixed(digits)); toFixed of a text throws in JavaScript."""
    if not is_number(value):
        raise ScriptError("toFixed of a text")
    result = float(value)  # type: ignore[arg-type]
    if not math.isfinite(result) or abs(result) >= 1e21:
        return result
    shortest = repr(result)
    if "e" not in shortest and len(shortest) - shortest.index(".") - 1 <= digits:
        # toFixed only pads these with zeros (or lands nearer still): the same number back
        return result
    digits = min(digits, 100)
    scaled = abs(result) * 10.0**digits
    if abs(scaled - math.floor(scaled) - 0.5) > 1e-6:  # no tie: Python rounds the same value
        return round(result, digits)
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(result).quantize(quantum, context=_FIXED))


def _after_plus_minus(a: object, b: object, result: object) -> object:
    digits = max(_count_decimals(a), _count_decimals(b))
    return _to_fixed(result, digits) if digits > 0 else result


def _after_multiply(a: object, b: object, result: object) -> object:
    digits = _count_decimals(a) + _count_decimals(b)
    return _to_fixed(result, digits) if digits > 0 else result


def _bounded(value: object) -> object:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return number(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, list):
        return value if len(value) <= MAX_LIST_LENGTH else None
    return value


def sum_any(a: object, b: object) -> object:
    """Helpers.sumAnyValues (the + operator)."""
    if _numbers(a, b):
        return number(_after_plus_minus(a, b, a + b))  # type: ignore[operator,arg-type]
    if not helpers_is_number(a) or not helpers_is_number(b):
        if isinstance(a, list) and isinstance(b, list):
            return _bounded(a + b)
        if isinstance(a, list) or isinstance(b, list):
            array, other = (a, b) if isinstance(a, list) else (b, a)
            assert isinstance(array, list)
            if isinstance(other, str):
                joined = ", ".join(js_string(item) if item is not None else "" for item in array)
                return _text(joined + other if array is a else other + joined)
            if is_number(other):
                total: object = 0
                for item in array:
                    if is_number(item):
                        total = _after_plus_minus(total, item, js_plus(total, item))
                return _bounded(_after_plus_minus(total, other, js_plus(total, other)))
        return _bounded(js_plus(a, b))
    if isinstance(a, str) or isinstance(b, str):
        return _bounded(js_plus(a, b))
    return _bounded(_after_plus_minus(a, b, js_plus(a, b)))


# --- operators ----------------------------------------------------------------------------


def _arithmetic_operand(value: object, other: object) -> object:
    """survey-core's convertForArithmeticOp: how an empty operand enters arithmetic."""
    if not is_empty(value):
        return value
    if is_number(other):
        return 0
    if isinstance(value, str):
        return value
    if isinstance(other, str):
        return ""
    if isinstance(other, list):
        return []
    return 0


_AS_IS = frozenset({int, float, bool})


def _arithmetic(function: Callable[[object, object], object]) -> Callable[[object, object], object]:
    def operator(a: object, b: object) -> object:
        # numbers and booleans (NaN aside: it is empty) enter as they are
        if a.__class__ not in _AS_IS or b.__class__ not in _AS_IS or a != a or b != b:
            a = _arithmetic_operand(a, b)
            b = _arithmetic_operand(b, a)
        return function(a, b)

    return operator


def _minus(a: object, b: object) -> object:
    if _numbers(a, b):
        return number(_after_plus_minus(a, b, a - b))  # type: ignore[operator,arg-type]
    return _bounded(_after_plus_minus(a, b, to_number(a) - to_number(b)))


def _multiply(a: object, b: object) -> object:
    if _numbers(a, b):
        return number(_after_multiply(a, b, a * b))  # type: ignore[operator,arg-type]
    return _bounded(_after_multiply(a, b, to_number(a) * to_number(b)))


def js_divide(x: float, y: float) -> float:
    if y == 0:
        if x == 0 or x != x:
            return NaN
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def js_power(x: float, y: float) -> float:
    """Math.pow (Python's math.pow differs on NaN, 1 ** Infinity and overflow)."""
    if y != y:
        return NaN
    if y == 0:
        return 1.0
    if x != x or (abs(x) == 1 and math.isinf(y)):
        return NaN
    try:
        return math.pow(x, y)
    except OverflowError:
        odd = y.is_integer() and abs(y) < _EXACT and int(y) % 2 == 1
        return -math.inf if x < 0 and odd else math.inf
    except ValueError:
        return math.inf if x == 0 else NaN


def _divide(a: object, b: object) -> object:
    if not truthy(b):
        return None
    return number(js_divide(to_number(a), to_number(b)))


def _modulo(a: object, b: object) -> object:
    if not truthy(b):
        return None
    try:
        return number(math.fmod(to_number(a), to_number(b)))
    except ValueError:
        return NaN


def _power(a: object, b: object) -> object:
    return number(js_power(to_number(a), to_number(b)))


def _and(a: object, b: object) -> object:
    return b if truthy(a) else a


def _or(a: object, b: object) -> object:
    return a if truthy(a) else b


def equal(left: object, right: object) -> bool:
    """The = operator: OperandMaker.isTwoValueEquals (ignoring order, case, outer spaces)."""
    if _numbers(left, right):
        return left == right  # what checkIfValuesEqual comes to for two numbers
    if left == "undefined":
        left = None
    if right == "undefined":
        right = None
    return values_equal(left, right, True)


def values_equal(x: object, y: object, ignore_order: bool) -> bool:
    """Helpers.checkIfValuesEqual with survey-core's default comparator settings."""
    if (x is y and not _is_nan(x)) or (
        type(x) is type(y) and not isinstance(x, list | float) and x == y
    ):
        return True
    if x is None and y == "":
        return True
    if y is None and x == "":
        return True
    if isinstance(x, str) and isinstance(y, str):
        return x.strip().lower() == y.strip().lower()
    if (
        x is not None
        and y is not None
        and not isinstance(x, list)
        and not isinstance(y, list)
        and not _is_nan(to_number(x))
        and not _is_nan(to_number(y))
        and parse_int(x) == parse_int(y)
        and parse_float(x) == parse_float(y)
    ):
        return True
    if is_empty(x) != is_empty(y):
        return False
    if isinstance(x, bool) and isinstance(y, str):
        return js_string(x) == y.lower()
    if isinstance(y, bool) and isinstance(x, str):
        return js_string(y) == x.lower()
    x_list = isinstance(x, list)
    y_list = isinstance(y, list)
    if not x_list and not y_list:
        return loose_equal(x, y)
    if not x_list or not y_list:
        return False
    assert isinstance(x, list) and isinstance(y, list)
    if len(x) != len(y):
        return False
    if ignore_order:
        x = sorted(x, key=_sort_key)
        y = sorted(y, key=_sort_key)
    return all(values_equal(a, b, ignore_order) for a, b in zip(x, y, strict=True))


def _sort_key(value: object) -> tuple[int, bytes]:
    """Array.prototype.sort's default order: by text, empty (undefined) items last."""
    if value is None:
        return (1, b"")
    return (0, _utf16(js_string(value)))


def _greater(left: object, right: object) -> bool:
    if left is None or right is None:
        return False
    return less_than(right, left)


def _less(left: object, right: object) -> bool:
    if left is None or right is None:
        return False
    return less_than(left, right)


def _contains_core(left: object, right: object, is_contains: bool) -> bool:
    if isinstance(left, list) and not left:
        return not is_contains
    if not truthy(left) and not (left == 0 and not _is_nan(left) and left is not None):
        return False
    if not isinstance(left, list):
        if not truthy(right):
            return False
        found = js_string(right).lower() in js_string(left).lower()
        return found if is_contains else not found
    for item in right if isinstance(right, list) else [right]:
        if not any(equal(element, item) for element in left):
            return not is_contains
    return is_contains


def contains(left: object, right: object) -> bool:
    return _contains_core(left, right, True)


def not_contains(left: object, right: object) -> bool:
    if not truthy(left) and not is_empty(right):
        return True
    return _contains_core(left, right, False)


def any_of(left: object, right: object) -> bool:
    if is_empty(left) and is_empty(right):
        return True
    if is_empty(left):
        return False
    if is_empty(right):
        return True
    if not isinstance(left, list):
        return contains(right, left)
    if not isinstance(right, list):
        return contains(left, right)
    return any(contains(left, item) for item in right)


def all_of(left: object, right: object) -> bool:
    if not truthy(left) and not is_empty(right):
        return False
    if not isinstance(right, list):
        return contains(left, right)
    return all(contains(left, item) for item in right)


BINARY: dict[str, Callable[[object, object], object]] = {
    "or": _arithmetic(_or),
    "and": _arithmetic(_and),
    "plus": _arithmetic(sum_any),
    "minus": _arithmetic(_minus),
    "mul": _arithmetic(_multiply),
    "div": _arithmetic(_divide),
    "mod": _arithmetic(_modulo),
    "power": _arithmetic(_power),
    "equal": equal,
    "notequal": lambda left, right: not equal(left, right),
    "less": _less,
    "greater": _greater,
    "lessorequal": lambda left, right: (
        left <= right if _numbers(left, right) else equal(left, right) or _less(left, right)  # type: ignore[operator]
    ),
    "greaterorequal": lambda left, right: (
        left >= right if _numbers(left, right) else equal(left, right) or _greater(left, right)  # type: ignore[operator]
    ),
    "contains": contains,
    "notcontains": not_contains,
    "anyof": any_of,
    "allof": all_of,
    "noneof": lambda left, right: not any_of(left, right),
}

UNARY: dict[str, Callable[[object], object]] = {
    "empty": is_empty,
    "notempty": lambda value: not is_empty(value),
    "negate": lambda value: not truthy(value),
}


def is_true(value: object) -> bool:
    """ConditionRunner's `result == true` (JavaScript loose equality with true)."""
    if value is True:
        return True
    if value is None or value is False:
        return False
    return loose_equal(value, True)


# --- functions ----------------------------------------------------------------------------


def _flatten(params: Sequence[object], out: list[object]) -> list[object]:
    """getParamsAsArray: nested lists flattened, empties dropped, numeric text as numbers."""
    for value in params:
        if type(value) is int and -_EXACT <= value <= _EXACT:  # what the rule below gives
            out.append(value)
        elif value is None:
            continue
        elif isinstance(value, list):
            _flatten(value, out)
        elif type(value) is float and math.isfinite(value):  # (the same)
            out.append(number(value))
        elif helpers_is_number(value):
            out.append(number(get_number(value)))
        else:
            out.append(value)
    return out


def exact_whole_sum(items: Iterable[object]) -> int | None:
    """What `sum` gives when every item is empty (None) or a whole number and every
    partial sum is exact in JavaScript (the usual case); else None."""
    given = [item for item in items if item is not None]
    if set(map(type, given)) <= {int}:
        whole = cast(list[int], given)
        if not whole or max(map(abs, whole)) * len(whole) <= _EXACT:  # no partial sum beyond
            return sum(whole)
    total = 0
    for item in given:
        if type(item) is not int:
            return None
        total += item
        if not (-_EXACT <= item <= _EXACT and -_EXACT <= total <= _EXACT):
            return None
    return total


def _sum(params: Sequence[object]) -> object:
    items = _flatten(params, [])
    whole = exact_whole_sum(items)
    if whole is not None:
        return whole
    total: object = 0
    for item in items:
        total = _bounded(_after_plus_minus(total, item, js_plus(total, item)))
        if total is None:
            return None
    return total


def _min_max(params: Sequence[object], is_min: bool) -> object:
    best: object = None  # JavaScript's undefined until the first item
    for item in _flatten(params, []):
        if best is None or (less_than(item, best) if is_min else less_than(best, item)):
            best = item
    return best


def _count(params: Sequence[object]) -> object:
    return len(_flatten(params, []))


def _avg(params: Sequence[object]) -> object:
    items = _flatten(params, [])
    total = _sum(params)
    if not items:
        return 0
    return number(js_divide(to_number(total), len(items)))


def _round(params: Sequence[object]) -> object:
    items = _flatten(params, [])
    if not items:
        return NaN
    value = items[0]
    precision = items[1] if len(items) > 1 and truthy(items[1]) else 0
    if not (helpers_is_number(value) and helpers_is_number(precision)):
        return NaN
    scale = js_power(10.0, to_number(precision))
    scaled = to_number(value) * scale * (1 + 2.220446049250313e-16)
    return number(js_divide(_js_round(scaled), scale))


def _js_round(value: float) -> float:
    """Math.round: the nearest integer, halves up (towards +Infinity)."""
    if not math.isfinite(value):
        return value
    rounded = math.floor(value)
    return float(rounded + 1 if value - rounded >= 0.5 else rounded)


def _trunc(params: Sequence[object]) -> object:
    items = _flatten(params, [])
    if not items:
        return NaN
    value = items[0]
    precision = items[1] if len(items) > 1 and truthy(items[1]) else -1
    if not (helpers_is_number(value) and helpers_is_number(precision)):
        return NaN
    # survey-core matches ^-?\d+(?:.\d{0,PRECISION})? on the number's text; a precision that
    # is no count leaves "{0,...}" literal there, so only the integer part matches.
    places = to_number(precision)
    counted = places >= 0 and places.is_integer()
    fraction = rf"(?:.\d{{0,{int(min(places, 1000))}}})?" if counted else ""
    match = re.match(r"-?\d+" + fraction, js_string(value))
    if match is None:
        raise ScriptError("trunc of a number written without digits")
    return number(to_number(match.group(0)))


def _iif(params: Sequence[object]) -> object:
    if len(params) < 2:
        return None
    return params[1] if truthy(params[0]) else (params[2] if len(params) > 2 else None)


_ISO_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?"
)


def to_datetime(value: object) -> datetime.datetime | None:
    """A date value ("YYYY-MM-DD", with an optional "THH:MM[:SS]") as local time; None when
    it is no such date. Empty means now (survey-core's createDate without a value)."""
    if not truthy(value):
        return datetime.datetime.now().replace(microsecond=0)
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.fullmatch(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
    try:
        return datetime.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def date_value(moment: datetime.datetime | None) -> object:
    """A computed date as an expression value: "YYYY-MM-DD" at midnight, else with the time."""
    if moment is None or not 1 <= moment.year <= 9999:
        return None
    if moment.time() == datetime.time():
        return moment.date().isoformat()
    return moment.replace(microsecond=0).isoformat()


def _today(params: Sequence[object]) -> object:
    moment = datetime.datetime.combine(datetime.date.today(), datetime.time())
    if len(params) == 1:
        return _add(moment, params[0], "days")
    return date_value(moment)


def _current_date(params: Sequence[object]) -> object:
    return date_value(datetime.datetime.now().replace(microsecond=0))


def _get_date(params: Sequence[object]) -> object:
    if not params or not truthy(params[0]):
        return None
    return date_value(to_datetime(params[0]))


def _months_between(first: object, second: object, unit: object) -> object:
    if unit == "days":
        return _diff_days([first, second])
    start = to_datetime(first)
    end = to_datetime(second)
    if start is None or end is None:
        return None
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return months if unit == "months" else int(months / 12)


def _age(params: Sequence[object]) -> object:
    if not params or not truthy(params[0]):
        return None
    unit = params[1] if len(params) > 1 and truthy(params[1]) else "years"
    return _months_between(params[0], None, unit)


def _date_diff(params: Sequence[object]) -> object:
    if len(params) < 2 or not truthy(params[0]) or not truthy(params[1]):
        return None
    unit = params[2] if len(params) > 2 and truthy(params[2]) else "days"
    if unit in ("hours", "minutes", "seconds"):
        start = to_datetime(params[0])
        end = to_datetime(params[1])
        if start is None or end is None:
            return None
        seconds = abs((end - start).total_seconds())
        size = {"hours": 3600, "minutes": 60, "seconds": 1}[str(unit)]
        return math.ceil(seconds / size)
    return _months_between(params[0], params[1], unit)


def _add(moment: datetime.datetime, amount: object, unit: object) -> object:
    """Date.setDate/setMonth/... with JavaScript's roll-over (31 January + 1 month = 3 March)."""
    if not is_number(amount):
        return None
    step = float(amount)  # type: ignore[arg-type]
    whole = int(step)
    try:
        if unit == "days":
            return date_value(moment + datetime.timedelta(days=whole))
        if unit in ("months", "years"):
            months = (
                moment.year * 12 + moment.month - 1 + (whole if unit == "months" else whole * 12)
            )
            year, month = divmod(months, 12)
            first = moment.replace(year=year, month=month + 1, day=1)
            return date_value(first + datetime.timedelta(days=moment.day - 1))
        if unit in ("hours", "minutes", "seconds"):
            return date_value(moment + datetime.timedelta(**{str(unit): whole}))
    except (OverflowError, ValueError):
        return None
    return date_value(moment)


def _date_add(params: Sequence[object]) -> object:
    if len(params) < 2 or not truthy(params[0]) or not truthy(params[1]):
        return None
    moment = to_datetime(params[0])
    if moment is None:
        return None
    return _add(moment, params[1], params[2] if len(params) > 2 and truthy(params[2]) else "days")


def _get_year(params: Sequence[object]) -> object:
    if len(params) != 1 or not truthy(params[0]):
        return None
    moment = to_datetime(params[0])
    return moment.year if moment is not None else None


def _current_year(params: Sequence[object]) -> object:
    return datetime.date.today().year


def _diff_days(params: Sequence[object]) -> object:
    if len(params) != 2 or not truthy(params[0]) or not truthy(params[1]):
        return 0
    start = to_datetime(params[0])
    end = to_datetime(params[1])
    if start is None or end is None:
        return None
    return abs((end.date() - start.date()).days)


def _date_part(part: Callable[[datetime.datetime], int]) -> Callable[[Sequence[object]], object]:
    def function(params: Sequence[object]) -> object:
        if params and truthy(params[0]):
            moment = to_datetime(params[0])
        else:
            moment = datetime.datetime.combine(datetime.date.today(), datetime.time())
        return part(moment) if moment is not None else None

    return function


def _substring(params: Sequence[object]) -> object:
    if len(params) < 2:
        return ""
    value = params[0]
    if not isinstance(value, str) or not value:
        return ""
    if not helpers_is_number(params[1]):
        return ""

    def index(bound: object) -> int:
        position = to_number(bound)
        if position != position:
            return 0
        return int(min(max(position, 0), len(value)))

    start = index(params[1])
    if len(params) < 3 or not helpers_is_number(params[2]):
        return value[start:]
    end = index(params[2])
    return value[min(start, end) : max(start, end)]


# --- XPath functions (imported XLSForms) ----------------------------------------------
# What ODK's XPath has and SurveyJS lacks, for importers/xpath.py; named `xpath_*` so no
# SurveyJS built-in or custom function can mean something else by the name. Their values
# follow XPath's: a select_multiple answer is a list here (a space-separated text there).


def xpath_string(value: object) -> str:
    """XPath's string(): empty as "", a list space-separated, numbers as JavaScript writes them."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(xpath_string(item) for item in value)
    if isinstance(value, int | float):
        return number_string(float(value)) if isinstance(value, float) else str(value)
    return str(value)


def _choices(value: object) -> list[str]:
    if isinstance(value, list):
        return [xpath_string(item) for item in value]
    return xpath_string(value).split()


def _xpath_number(params: Sequence[object]) -> object:
    value = params[0]
    if value is True or value is False:
        return int(value)
    if is_number(value):
        return value
    text = xpath_string(value).strip()
    if not re.fullmatch(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", text):
        return None  # NaN: not a number
    return number(float(text))


def _xpath_int(params: Sequence[object]) -> object:
    value = _xpath_number(params)
    if value is None:
        return None
    return int(to_number(value))


def _xpath_round(params: Sequence[object]) -> object:
    """ODK's round(x, digits?): x and digits read as xpath_number (digits cut towards
    zero), halves away from zero; empty when either is no number (SurveyJS's round()
    skips an empty argument, so round(empty, 1) would be 1)."""
    value = _xpath_number(params[:1])
    digits = _xpath_number(params[1:]) if len(params) > 1 else 0
    if value is None or digits is None:
        return None
    x, places = to_number(value), int(to_number(digits))
    scale = js_power(10.0, float(abs(places)))

    def away(n: float) -> float:
        return -_js_round(-n) if n < 0 else _js_round(n)

    result = away(x * scale) / scale if places > 0 else scale * away(x / scale)
    return number(result) if math.isfinite(result) else None


def _xpath_minus(params: Sequence[object]) -> object:
    """XPath's a - b where both may be dates (a date question, today(), a calculate): as
    in ODK, two dates are the days from b to a (a date reads as its number of days) and
    an empty side gives nothing (XPath's NaN: no age from an unanswered date, where `-`
    would read it as 0); anything else is `-`."""
    a, b = params
    if is_empty(a) or is_empty(b):
        return None
    first, second = to_datetime(a), to_datetime(b)
    if first is not None and second is not None:
        return number((first - second).total_seconds() / 86400)
    return BINARY["minus"](a, b)


def _xpath_regex(params: Sequence[object]) -> object:
    pattern = params[1]
    if not isinstance(pattern, str) or pattern_problem(pattern) is not None:
        return None
    return compiled_pattern(pattern).search(xpath_string(params[0])) is not None


def _xpath_math(
    function: Callable[..., float], arity: int
) -> tuple[Callable[[Sequence[object]], object], int, int]:
    """An XPath math function (ODK's pow, sqrt, sin, ...): its arguments read as
    xpath_number, a result that is no finite number (NaN, a domain error) empty."""

    def call(params: Sequence[object]) -> object:
        arguments = [_xpath_number([p]) for p in params]
        if any(a is None for a in arguments):
            return None  # NaN: XPath's number() of an empty or non-numeric value
        try:
            value = function(*(to_number(a) for a in arguments))
        except (ValueError, OverflowError, ZeroDivisionError):
            return None
        return number(value) if math.isfinite(value) else None

    return call, arity, arity


def _xpath_log(x: float) -> float:
    return math.log(x) if x > 0 else NaN


def _xpath_log10(x: float) -> float:
    return math.log10(x) if x > 0 else NaN


def _xpath_choice_label(params: Sequence[object]) -> object:
    """jr:itext() of a choice: `params` are the answer, then (value, label) pairs of the
    choice list; the label of the value the answer holds, empty when none is."""
    wanted = xpath_string(params[0])
    for index in range(1, len(params) - 1, 2):
        if xpath_string(params[index]) == wanted:
            return params[index + 1]
    return None


XPATH_MATH_FUNCTIONS: dict[str, tuple[Callable[[Sequence[object]], object], int, int | None]] = {
    "xpath_pow": _xpath_math(js_power, 2),
    "xpath_sqrt": _xpath_math(lambda x: math.sqrt(x) if x >= 0 else NaN, 1),
    "xpath_exp": _xpath_math(math.exp, 1),
    "xpath_exp10": _xpath_math(lambda x: js_power(10.0, x), 1),
    "xpath_log": _xpath_math(_xpath_log, 1),
    "xpath_log10": _xpath_math(_xpath_log10, 1),
    "xpath_abs": _xpath_math(abs, 1),
    "xpath_sin": _xpath_math(math.sin, 1),
    "xpath_cos": _xpath_math(math.cos, 1),
    "xpath_tan": _xpath_math(math.tan, 1),
    "xpath_asin": _xpath_math(lambda x: math.asin(x) if -1 <= x <= 1 else NaN, 1),
    "xpath_acos": _xpath_math(lambda x: math.acos(x) if -1 <= x <= 1 else NaN, 1),
    "xpath_atan": _xpath_math(math.atan, 1),
    "xpath_atan2": _xpath_math(math.atan2, 2),
    "xpath_floor": _xpath_math(math.floor, 1),
    "xpath_ceiling": _xpath_math(math.ceil, 1),
    "xpath_pi": _xpath_math(lambda: math.pi, 0),
}


XPATH_FUNCTIONS: dict[str, tuple[Callable[[Sequence[object]], object], int, int | None]] = {
    "xpath_selected": (lambda p: xpath_string(p[1]) in _choices(p[0]), 2, 2),
    "xpath_count_selected": (lambda p: len(_choices(p[0])), 1, 1),
    "xpath_string_length": (lambda p: len(xpath_string(p[0])), 1, 1),
    "xpath_coalesce": (lambda p: p[1] if is_empty(p[0]) else p[0], 2, 2),
    "xpath_concat": (lambda p: _text("".join(xpath_string(item) for item in p)), 1, None),
    "xpath_int": (_xpath_int, 1, 1),
    "xpath_round": (_xpath_round, 1, 2),
    "xpath_minus": (_xpath_minus, 2, 2),
    "xpath_number": (_xpath_number, 1, 1),
    "xpath_regex": (_xpath_regex, 2, 2),
    "xpath_choice_label": (_xpath_choice_label, 1, None),
    **XPATH_MATH_FUNCTIONS,
}


# name -> (function, fewest arguments, most arguments or None for any number)
FUNCTIONS: dict[str, tuple[Callable[[Sequence[object]], object], int, int | None]] = {
    "iif": (_iif, 2, 3),
    "sum": (_sum, 0, None),
    "min": (lambda params: _min_max(params, True), 0, None),
    "max": (lambda params: _min_max(params, False), 0, None),
    "count": (_count, 0, None),
    "avg": (_avg, 0, None),
    "round": (_round, 1, 2),
    "trunc": (_trunc, 1, 2),
    "today": (_today, 0, 1),
    "currentDate": (_current_date, 0, 0),
    "getDate": (_get_date, 1, 1),
    "age": (_age, 1, 2),
    "dateDiff": (_date_diff, 2, 3),
    "dateAdd": (_date_add, 2, 3),
    "getYear": (_get_year, 1, 1),
    "currentYear": (_current_year, 0, 0),
    "diffDays": (_diff_days, 2, 2),
    "year": (_date_part(lambda moment: moment.year), 0, 1),
    "month": (_date_part(lambda moment: moment.month), 0, 1),
    "day": (_date_part(lambda moment: moment.day), 0, 1),
    "weekday": (_date_part(lambda moment: (moment.weekday() + 1) % 7), 0, 1),
    "substring": (_substring, 2, 3),
    **XPATH_FUNCTIONS,
}

# survey-core functions that read the form model itself (pages, panels, matrices, comments,
# display mode): a wizard has no such model, so a file using them is refused with this reason.
MODEL_FUNCTIONS = frozenset(
    {
        "isContainerReady",
        "isDisplayMode",
        "displayValue",
        "propertyValue",
        "getComment",
        "sumInArray",
        "minInArray",
        "maxInArray",
        "countInArray",
        "avgInArray",
    }
)
