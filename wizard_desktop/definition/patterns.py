"""Field patterns: the regular expressions a wizard file may hold, and the engine that
runs them.

A pattern must mean the same wherever the wizard is filled in, so the format allows the
subset that Python's `re`, RE2 and ECMAScript (`u` mode) share, and refuses the rest at
load with a reason. Answers are matched with RE2 (google-re2), which runs in time linear
in the answer: no pattern, however hostile, can hang the app. RE2's `\\d`, `\\w` and `\\b`
are ASCII-only, as in ECMAScript; `\\s` and `.` are given ECMAScript's meaning by
explicit classes; `\\uXXXX` is written the way RE2 spells it.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

import re2

_INLINE_FLAG_CHARS = frozenset("aiLmsux-")
_REPEAT = re.compile(r"\{([0-9]*)(,?)([0-9]*)\}")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_DIGITS = frozenset("0123456789")
# Escapes both engines read alike (\s, \S, \uXXXX and [\b] are spelled out for RE2 below):
# NUL, the letters of both, and the syntax characters JavaScript lets a backslash escape.
_SAME_ESCAPES = frozenset("0bBdDfnrtvwWx") | frozenset("^$\\.*+?()[]{}|/")
# ECMAScript's \s (WhiteSpace and LineTerminator), as the inside of an RE2 class.
_JS_SPACE = (
    r"\t\n\x0B\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}"
)
# ECMAScript's '.' without the s flag: anything but a line terminator.
_JS_DOT = r"[^\n\r\x{2028}\x{2029}]"
# RE2's own memory budget for one compiled pattern (the default is 8 MiB).
_RE2_MAX_MEM = 8 << 20


class _NotPortable(Exception):
    """A construct outside the portable subset; the message says why and what to write."""


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = _RE2_MAX_MEM
    return options


def _escape(pattern: str, i: int, in_class: bool) -> tuple[str, int]:
    """The RE2 spelling of the escape at `pattern[i]` (a backslash) and the index after it."""
    escaped = pattern[i + 1 : i + 2]
    if not in_class and escaped in ("A", "Z"):
        raise _NotPortable(
            f"'\\{escaped}' is Python-only: use '^' and '$' "
            "(or nothing: a pattern always matches the whole value)"
        )
    if escaped in ("N", "U"):
        raise _NotPortable(
            f"'\\{escaped}' escapes are Python-only: write the character or '\\uXXXX'"
        )
    if escaped == "0" and pattern[i + 2 : i + 3] in _DIGITS:
        raise _NotPortable(
            f"octal escapes such as '{pattern[i : i + 5]}' are not portable: "
            "write '\\xHH' or '\\uXXXX'"
        )
    if escaped in _DIGITS and escaped != "0":
        raise _NotPortable(
            f"'\\{escaped}' (a backreference, or an octal escape) is not supported: "
            "backreferences cannot be matched in linear time; write '\\xHH' for a character"
        )
    if escaped == "u":
        digits = pattern[i + 2 : i + 6]
        if _HEX4.fullmatch(digits):
            if 0xD800 <= int(digits, 16) <= 0xDFFF:
                raise _NotPortable(
                    f"'\\u{digits}' is half of a surrogate pair: write the character itself"
                )
            return f"\\x{{{digits}}}", i + 6
    if escaped == "s":
        return (_JS_SPACE if in_class else f"[{_JS_SPACE}]"), i + 2
    if escaped == "S":
        if in_class:
            raise _NotPortable(
                "'\\S' inside [...] is not portable: write the characters you want instead"
            )
        return f"[^{_JS_SPACE}]", i + 2
    if escaped == "b" and in_class:  # a backspace in both; RE2 spells it so
        return "\\x08", i + 2
    if escaped == "a":
        raise _NotPortable("'\\a' is Python-only: write '\\x07'")
    if escaped in _SAME_ESCAPES or (in_class and escaped == "-"):
        return pattern[i : i + 2], i + 2
    raise _NotPortable(
        f"'\\{escaped}' is an error in JavaScript: write '{escaped}' without the backslash"
    )


def _group_problem(rest: str) -> str | None:
    """Why the group starting `(?` + `rest` is not portable, or None for '(?:'."""
    if rest.startswith(("P<", "P=", "P>")):
        return "named groups '(?P<name>...)', '(?P=name)' are Python-only: use a plain group"
    if rest.startswith("#"):
        return "comments '(?#...)' are Python-only"
    if rest.startswith(">"):
        return "atomic groups '(?>...)' are Python-only"
    if rest.startswith("("):
        return "conditional groups '(?(...)...)' are Python-only"
    if rest.startswith(("=", "!", "<=", "<!")):
        return (
            "lookahead and lookbehind such as '(?=...)' are not supported "
            "(they cannot be matched in linear time)"
        )
    if rest[:1] in _INLINE_FLAG_CHARS:
        return "inline flags such as '(?i)' are Python-only: spell out both cases, e.g. '[Aa]'"
    return None


def _to_re2(pattern: str) -> str:
    """`pattern` (already compiled by Python's re) in RE2 syntax with ECMAScript's meaning;
    raises _NotPortable for the constructs that differ between the engines."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        char = pattern[i]
        if char == "\\":
            spelled, i = _escape(pattern, i, in_class)
            out.append(spelled)
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
            i += 1
            continue
        if char == "[":
            start = i
            i += 1
            if pattern[i : i + 1] == "^":
                i += 1
            if pattern[i : i + 1] == "]":
                raise _NotPortable(
                    "']' first in a character class means different things in Python "
                    "and JavaScript: write '\\]'"
                )
            out.append(pattern[start:i])
            in_class = True
            continue
        if char == "(" and pattern[i + 1 : i + 2] == "?":
            problem = _group_problem(pattern[i + 2 :])
            if problem is not None:
                raise _NotPortable(problem)
            out.append("(?")
            i += 2
            continue
        if char == "{":
            repeat = _REPEAT.match(pattern, i)
            if repeat is not None and (repeat.group(1) or repeat.group(2)):
                if not repeat.group(1):
                    raise _NotPortable(
                        "'{,n}' is Python-only (JavaScript reads it as text): write '{0,n}'"
                    )
                out.append(repeat.group())
                i = repeat.end()
                if pattern[i : i + 1] == "+":
                    raise _NotPortable("possessive quantifiers such as '{2}+' are Python-only")
                continue
        if char in "{}]":
            raise _NotPortable(f"a lone '{char}' is an error in JavaScript: write '\\{char}'")
        if char in "*+?" and pattern[i + 1 : i + 2] == "+":
            raise _NotPortable(f"possessive quantifiers such as '{char}+' are Python-only")
        out.append(_JS_DOT if char == "." else char)
        i += 1
    return "".join(out)


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be a field pattern (invalid, or outside the portable
    subset, or beyond what RE2 can run), or None."""
    try:
        with warnings.catch_warnings():
            # e.g. "Possible nested set" for '[[' or '--' in a class: not portable either.
            warnings.simplefilter("error", FutureWarning)
            re.compile(pattern)
    except FutureWarning as exc:
        return f"ambiguous regular expression ({exc}): escape the repeated character"
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        return f"not a valid regular expression: {exc.msg}{where}"
    except (OverflowError, RecursionError, ValueError) as exc:
        return f"not a valid regular expression: {exc}"
    try:
        translated = _to_re2(pattern)
    except _NotPortable as exc:
        return str(exc)
    try:
        re2.compile(translated, _options())
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        return f"not supported by the pattern engine (RE2): {reason}"
    return None


@lru_cache(maxsize=512)
def compiled_pattern(pattern: str) -> re2._Regexp:
    """The RE2 program of a pattern that `pattern_problem` accepted (the loader checked
    every pattern of a definition)."""
    return re2.compile(_to_re2(pattern), _options())
