"""Which characters a text in a wizard file may hold, and how to print any stored text.

Control characters (C0, DEL, C1) and the bidirectional embedding, override and isolate
characters (U+202A to U+202E, U+2066 to U+2069) make a title or label lie about what it says
(or about the text after it in a terminal). The loader refuses them in one-line texts
and control characters other than newline and tab in multi-line texts (descriptions,
help); `terminal_safe` shows any text with them escaped, for listings.
"""

from __future__ import annotations

import re

_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_CONTROLS = "\x00-\x1f\x7f-\x9f"
_ONE_LINE_REFUSED = re.compile(f"[{_CONTROLS}{_BIDI_CONTROLS}]")
_MULTI_LINE_REFUSED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSAFE_IN_TERMINAL = re.compile(f"[{_CONTROLS}{_BIDI_CONTROLS}\ud800-\udfff]")


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


def character_problem(text: str, *, multi_line: bool) -> str | None:
    """Why `text` may not be stored as a one-line (or multi-line) text, or None."""
    refused = _MULTI_LINE_REFUSED if multi_line else _ONE_LINE_REFUSED
    found = refused.search(text)
    if found is None:
        return None
    char = found.group()
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return (
            f"holds the bidirectional control character {_code(char)}, which can make "
            "text display as something else: remove it"
        )
    return f"holds the control character {_code(char)}: remove it"


def surrogate_problem(text: str) -> str | None:
    """A message when `text` holds a lone surrogate (e.g. from a "\\ud800" escape):
    not a character, it cannot be stored as UTF-8."""
    if text.isascii():
        return None
    found = _SURROGATE.search(text)
    if found is None:
        return None
    return (
        f"holds a lone surrogate ('\\u{ord(found.group()):04x}' is half of a character "
        "pair, not a character): write the character itself"
    )


def terminal_safe(text: str) -> str:
    """`text` for a terminal line: control, bidi and surrogate characters shown as
    escapes (newline as "\\n", U+202E as "\\u202e"), everything else unchanged."""
    return _UNSAFE_IN_TERMINAL.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    named = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
