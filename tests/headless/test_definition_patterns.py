"""Field patterns: matched by RE2 in linear time, with the meaning JavaScript gives them,
and refused at load (FILE:LINE: path: message) when RE2 or JavaScript cannot run them."""

from __future__ import annotations

import json

import pytest

from tests.wizard_files import load_json, text_problems, wizard_data
from wizard_desktop.definition.answers import answer_problem
from wizard_desktop.definition.model import Field
from wizard_desktop.definition.patterns import compiled_pattern

HEAD = """\
format_version: 1
id: demo
title: Demo
steps:
  - id: one
    title: One
    fields:
"""
NO_MATCH = "This value does not have the expected format."


def text_field(pattern: str) -> Field:
    definition = load_json(
        wizard_data({"id": "a", "type": "text", "label": "A", "pattern": pattern})
    )
    field = definition.field("a")
    assert field is not None
    return field


def test_a_backtracking_pattern_runs_in_linear_time() -> None:
    field = text_field("(a+)+b")
    assert field.pattern is not None
    assert type(compiled_pattern(field.pattern)).__module__.startswith("re2")  # linear time
    # A backtracking engine would take about 2**26 steps on the second and never end
    # on the first.
    assert answer_problem(field, "a" * 10_000 + "c") == NO_MATCH
    assert answer_problem(field, "a" * 26 + "c") == NO_MATCH
    assert answer_problem(field, "a" * 9_999 + "b") is None


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("(a)\\1", "'\\1' (a backreference, or an octal escape) is not supported"),
        ("(?=a)a", "lookahead and lookbehind"),
        ("(?!b)a", "lookahead and lookbehind"),
        ("(?<=a)b", "lookahead and lookbehind"),
        ("(?<!a)b", "lookahead and lookbehind"),
        ("\\0101", "octal escapes such as '\\0101' are not portable"),
        ("[\\101]", "'\\1' (a backreference, or an octal escape)"),
        ("\\ud800", "half of a surrogate pair"),
        ("[^\\S]", "'\\S' inside [...] is not portable"),
        ("a{1001}", "not supported by the pattern engine (RE2): invalid repetition size"),
        # What JavaScript's u mode refuses outright.
        ("a\\-b", "'\\-' is an error in JavaScript: write '-' without the backslash"),
        ("\\@", "'\\@' is an error in JavaScript"),
        ("\\a", "'\\a' is Python-only: write '\\x07'"),
        ("a{", "a lone '{' is an error in JavaScript: write '\\{'"),
        ("a{x}", "a lone '{' is an error in JavaScript"),
        ("a}", "a lone '}' is an error in JavaScript"),
        ("a]", "a lone ']' is an error in JavaScript"),
    ],
)
def test_what_re2_or_javascript_cannot_run_is_refused_at_load(pattern: str, says: str) -> None:
    line = f"      - {{id: a, type: text, label: A, pattern: {json.dumps(pattern)}}}\n"
    (message,) = text_problems(HEAD + line)
    assert message.startswith("w.yaml:8: steps[0].fields[0].pattern: "), message
    assert says in message


@pytest.mark.parametrize(
    ("pattern", "accepted", "refused"),
    [
        # \d, \w and \b are ASCII-only, as in JavaScript (Python's re took "١٢٣" as digits).
        ("\\d+", "0123456789", "١٢٣"),
        ("\\w+", "Az_09", "é"),
        ("a\\b.*", "aé", "ab"),
        # \s is JavaScript's: Unicode spaces and the vertical tab too.
        ("a\\sb", "a\u00a0b", "a_b"),
        ("a\\sb", "a\x0bb", "a\u200bb"),
        ("[^\\s]+", "ab", "a\u3000b"),
        ("\\S+", "ab", "a\u2028b"),
        # '.' is anything but a line terminator, as in JavaScript.
        ("a.b", "a\u00e9b", "a\rb"),
        ("a.b", "a b", "a\u2029b"),
        # \uXXXX is portable (RE2 spells it \x{XXXX}).
        ("\\u0041\\u00e9", "Aé", "Ae"),
        # Escapes both read alike.
        ("[a\\-z]+", "a-z", "b"),
        ("a[\\b]\\0", "a\x08\x00", "ab0"),
        ("\\.\\/\\{\\}\\]", "./{}]", "x/{}]"),
        # '$' ends the value: Python's re would also accept a trailing newline.
        ("[a-z]+$", "abc", "abc\n"),
    ],
)
def test_portable_patterns_mean_what_javascript_means(
    pattern: str, accepted: str, refused: str
) -> None:
    field = text_field(pattern)
    assert answer_problem(field, accepted) is None
    assert answer_problem(field, refused) == NO_MATCH


def test_the_bundled_email_pattern_still_works() -> None:
    field = text_field("[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}")
    assert answer_problem(field, "jane@example.org") is None
    assert answer_problem(field, "jane doe@example.org") == NO_MATCH
