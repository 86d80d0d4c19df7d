"""Reading wizard files (format v1) into the typed model, with every problem reported.

This module owns the boundary between untrusted text and `WizardDefinition`: reading
the file (size, encoding), parsing YAML or JSON (no anchors/aliases, no duplicate keys,
line numbers kept for every value), and validating every rule of the format. Problems
are collected, never raised one by one: the caller gets a `WizardFileError` listing all
of them as `FILE:LINE: steps[2].fields[0].type: message`, and never a traceback or a
half-built definition. The key sets below are also what `schema.py` describes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import math
import os
import re
import stat
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeAlias, get_args

import yaml
from yaml.events import AliasEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from wizard_desktop.definition.answers import answer_problem, type_problem
from wizard_desktop.definition.conditions import is_answered
from wizard_desktop.definition.model import (
    FORMAT_VERSION,
    ID_PATTERN,
    AllOf,
    Answered,
    AnswerValue,
    AnyOf,
    Compare,
    CompareOp,
    Condition,
    Contains,
    Equals,
    Field,
    FieldType,
    In,
    Not,
    NotEquals,
    Option,
    Step,
    WizardDefinition,
)

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DECIMALS = 10
MAX_CONDITION_DEPTH = 32
FILE_KINDS: dict[str, Literal["yaml", "json"]] = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}

TOP_LEVEL_KEYS = ("format_version", "id", "title", "description", "steps")
# Optional top-level "$schema" (a path or URL of the JSON Schema) lets JSON editors
# offer completion; it is checked to be text and otherwise ignored.
SCHEMA_KEY = "$schema"
TOP_LEVEL_REQUIRED = ("format_version", "id", "title", "steps")
STEP_KEYS = ("id", "title", "description", "fields", "visible_if")
STEP_REQUIRED = ("id", "title")
COMMON_FIELD_KEYS = ("id", "type", "label", "help", "required", "default", "visible_if")
FIELD_REQUIRED = ("id", "type", "label")
TYPE_FIELD_KEYS: dict[FieldType, tuple[str, ...]] = {
    FieldType.TEXT: ("min_length", "max_length", "pattern", "placeholder"),
    FieldType.MULTILINE: ("min_length", "max_length"),
    FieldType.NUMBER: ("min", "max", "decimals", "unit"),
    FieldType.CHOICE: ("options",),
    FieldType.MULTI_CHOICE: ("options", "min_selected", "max_selected"),
    FieldType.BOOLEAN: (),
    FieldType.DATE: ("min", "max"),
}
ALL_TYPE_FIELD_KEYS = tuple(dict.fromkeys(k for keys in TYPE_FIELD_KEYS.values() for k in keys))
OPTION_KEYS = ("value", "label")
COMPARE_OPERATORS: tuple[CompareOp, ...] = get_args(CompareOp)
FIELD_OPERATORS = ("equals", "not_equals", "in", "contains", *COMPARE_OPERATORS, "answered")
GROUP_OPERATORS = ("all", "any", "not")
CONDITION_OPERATORS = (*FIELD_OPERATORS, *GROUP_OPERATORS)
_FIELD_TYPE_NAMES = frozenset(t.value for t in FieldType)
ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

PathPart: TypeAlias = str | int
DataPath: TypeAlias = tuple[PathPart, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a wizard file; `path` is empty for whole-file problems."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class WizardFileError(Exception):
    """A wizard file (or stored definition) is not valid; `problems` lists every reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def format_path(path: DataPath) -> str:
    """`("steps", 2, "fields", 0, "type")` -> `steps[2].fields[0].type`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


class _Lines:
    """Where each path starts in the source text (1-based), for the paths the parser saw."""

    def __init__(self) -> None:
        self.by_path: dict[DataPath, int] = {}
        self.duplicates: dict[DataPath, list[int]] = {}

    def record(self, path: DataPath, line: int) -> None:
        self.by_path.setdefault(path, line)

    def line(self, path: DataPath) -> int | None:
        """The line of `path`, else of its nearest ancestor the parser saw."""
        for end in range(len(path), -1, -1):
            found = self.by_path.get(path[:end])
            if found is not None:
                return found
        return None


class _SourceError(Exception):
    """A problem that stops reading the text at all (syntax, anchors, encoding)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _describe(value: object) -> str:
    """A short description of a parsed value for messages."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return f"the date and time {value.isoformat()}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _expected_text(value: object) -> str:
    hint = ""
    if isinstance(value, bool | int | float | dt.date):
        hint = " (put it in quotes to use it as text)"
    return f"expected text, got {_describe(value)}{hint}"


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not isinstance(value, float) or math.isfinite(value)


def _iso_date(value: object) -> str | None:
    """A valid `YYYY-MM-DD` string for a date string or a YAML date, else None."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(ISO_DATE_PATTERN, value):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return None
        return value
    return None


def _unknown_key_message(key: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown key '{key}'; did you mean '{close[0]}'?"
    return f"unknown key '{key}'; expected one of {', '.join(allowed)}"


# --- Regular expressions: the subset Python's `re` and ECMAScript share --------------

_INLINE_FLAG_CHARS = frozenset("aiLmsux-")
_REPEAT = re.compile(r"\{([0-9]*)(,?)([0-9]*)\}")


def _python_only_syntax(pattern: str) -> str | None:
    """Why `pattern` (already compiled by Python) would mean something else, or nothing,
    in ECMAScript, for the constructs that differ; None when it looks portable."""
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        char = pattern[i]
        if char == "\\":
            escaped = pattern[i + 1 : i + 2]
            if not in_class and escaped in ("A", "Z"):
                return (
                    f"'\\{escaped}' is Python-only: use '^' and '$' "
                    "(or nothing: a pattern always matches the whole value)"
                )
            if escaped in ("N", "U"):
                return f"'\\{escaped}' escapes are Python-only: write the character or '\\uXXXX'"
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
            i += 1
            continue
        if char == "[":
            i += 1
            if pattern[i : i + 1] == "^":
                i += 1
            if pattern[i : i + 1] == "]":
                return (
                    "']' first in a character class means different things in Python "
                    "and JavaScript: write '\\]'"
                )
            in_class = True
            continue
        if char == "(" and pattern[i + 1 : i + 2] == "?":
            rest = pattern[i + 2 :]
            if rest.startswith(("P<", "P=", "P>")):
                return (
                    "named groups '(?P<name>...)', '(?P=name)' are Python-only: use a plain group"
                )
            if rest.startswith("#"):
                return "comments '(?#...)' are Python-only"
            if rest.startswith(">"):
                return "atomic groups '(?>...)' are Python-only"
            if rest.startswith("("):
                return "conditional groups '(?(...)...)' are Python-only"
            if rest[:1] in _INLINE_FLAG_CHARS:
                return (
                    "inline flags such as '(?i)' are Python-only: spell out both cases, e.g. '[Aa]'"
                )
            i += 2
            continue
        if char == "{":
            repeat = _REPEAT.match(pattern, i)
            if repeat is not None and (repeat.group(1) or repeat.group(2)):
                if not repeat.group(1):
                    return "'{,n}' is Python-only (JavaScript reads it as text): write '{0,n}'"
                i = repeat.end()
                if pattern[i : i + 1] == "+":
                    return "possessive quantifiers such as '{2}+' are Python-only"
                continue
        if char in "*+?" and pattern[i + 1 : i + 2] == "+":
            return f"possessive quantifiers such as '{char}+' are Python-only"
        i += 1
    return None


def _pattern_problem(pattern: str) -> str | None:
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
    return _python_only_syntax(pattern)


# --- Validation of the parsed data ----------------------------------------------------


@dataclass(frozen=True)
class _ConditionOwner:
    """Where a condition sits: a step's visible_if (`field_id` None) or a field's."""

    step_index: int
    field_id: str | None


class _Validator:
    """Walks parsed data in definition order, collecting problems and building the model."""

    def __init__(self, source: str, lines: _Lines, problems: list[Problem]) -> None:
        self.source = source
        self.lines = lines
        self.problems = problems
        # Paths already reported while parsing (unreadable values): no second message.
        self.reported_paths = {p.path for p in problems if p.path}
        self.all_field_paths: dict[str, DataPath] = {}
        self.step_paths: dict[str, DataPath] = {}
        self.field_paths: dict[str, DataPath] = {}
        # Fields defined so far (conditions may name only these); None when invalid.
        self.known_fields: dict[str, Field | None] = {}

    def report(self, path: DataPath, message: str) -> None:
        shown = format_path(path)
        if shown in self.reported_paths:
            return
        self.problems.append(Problem(self.source, self.lines.line(path), shown, message))

    # Small readers: each returns the value, or None after reporting a problem.

    def mapping(self, value: object, path: DataPath, what: str) -> dict[str, object] | None:
        if not isinstance(value, dict):
            self.report(path, f"expected {what} (a mapping), got {_describe(value)}")
            return None
        result: dict[str, object] = {}
        for key, item in value.items():
            if isinstance(key, str):
                result[key] = item
            else:
                self.report(path, f"keys must be text, got {_describe(key)}")
        return result

    def keys(
        self,
        data: dict[str, object],
        path: DataPath,
        allowed: Sequence[str],
        required: Sequence[str],
        field_type: FieldType | None = None,
    ) -> None:
        for key in data:
            if key in allowed:
                continue
            if field_type is not None and key in ALL_TYPE_FIELD_KEYS:
                users = [t.value for t, keys in TYPE_FIELD_KEYS.items() if key in keys]
                self.report(
                    (*path, key),
                    f"'{key}' is not used by a {field_type.value} field "
                    f"(only by {', '.join(users)})",
                )
            else:
                self.report((*path, key), _unknown_key_message(key, allowed))
        for key in required:
            if key not in data:
                self.report((*path, key), "missing (required)")

    def text(
        self, data: dict[str, object], key: str, path: DataPath, *, non_empty: bool = False
    ) -> str | None:
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, str):
            self.report((*path, key), _expected_text(value))
            return None
        if non_empty and not value.strip():
            self.report((*path, key), "must not be empty")
            return None
        return value

    def ident(self, data: dict[str, object], path: DataPath) -> str | None:
        if "id" not in data:
            return None
        value = data["id"]
        if not isinstance(value, str):
            self.report((*path, "id"), _expected_text(value))
            return None
        if not re.fullmatch(ID_PATTERN, value):
            self.report(
                (*path, "id"),
                f"{_describe(value)} is not a valid id: use 1 to 64 lowercase letters, digits, "
                "'.', '_' or '-', starting with a letter or digit",
            )
            return None
        return value

    def boolean(self, data: dict[str, object], key: str, path: DataPath) -> bool | None:
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, bool):
            self.report((*path, key), f"expected true or false, got {_describe(value)}")
            return None
        return value

    def count(self, data: dict[str, object], key: str, path: DataPath) -> int | None:
        if key not in data:
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.report((*path, key), f"expected a whole number, got {_describe(value)}")
            return None
        if value < 0:
            self.report((*path, key), f"must not be negative, got {value}")
            return None
        return value

    def number(self, data: dict[str, object], key: str, path: DataPath) -> int | float | None:
        if key not in data:
            return None
        value = data[key]
        if not _is_number(value):
            self.report((*path, key), f"expected a number, got {_describe(value)}")
            return None
        assert isinstance(value, int | float)
        return value

    def date(self, data: dict[str, object], key: str, path: DataPath) -> str | None:
        if key not in data:
            return None
        value = data[key]
        iso = _iso_date(value)
        if iso is None:
            self.report((*path, key), f"expected a date as YYYY-MM-DD, got {_describe(value)}")
        return iso

    def ordered(
        self,
        path: DataPath,
        low_key: str,
        low: int | float | str | None,
        high_key: str,
        high: int | float | str | None,
    ) -> None:
        if low is None or high is None:
            return
        if (isinstance(low, str) and isinstance(high, str) and high < low) or (
            not isinstance(low, str) and not isinstance(high, str) and high < low
        ):
            self.report((*path, high_key), f"{high_key} ({high}) is less than {low_key} ({low})")

    def answer_value(self, raw: object, path: DataPath) -> AnswerValue | None:
        """A JSON-typed answer value (YAML dates become ISO strings)."""
        if isinstance(raw, dt.datetime):
            self.report(path, f"expected a date without a time, got {_describe(raw)}")
            return None
        if isinstance(raw, dt.date):
            return raw.isoformat()
        if isinstance(raw, bool | str):
            return raw
        if isinstance(raw, int | float):
            if not _is_number(raw):
                self.report(path, f"expected a finite number, got {_describe(raw)}")
                return None
            return raw
        if isinstance(raw, list):
            items = [i.isoformat() if isinstance(i, dt.date) else i for i in raw]
            if all(isinstance(i, str) for i in items) and not any(
                isinstance(i, dt.datetime) for i in raw
            ):
                return [str(i) for i in items]
            self.report(path, "expected a list of text values")
            return None
        self.report(path, f"expected a single value, got {_describe(raw)}")
        return None

    # The wizard, its steps and fields, in definition order.

    def wizard(self, raw: object) -> WizardDefinition | None:
        root: DataPath = ()
        if not isinstance(raw, dict):
            self.report(
                root,
                "expected a mapping with format_version, id, title and steps at the top level, "
                f"got {_describe(raw)}",
            )
            return None
        data = self.mapping(raw, root, "a wizard")
        assert data is not None
        self.keys(data, root, (*TOP_LEVEL_KEYS, SCHEMA_KEY), TOP_LEVEL_REQUIRED)
        self.text(data, SCHEMA_KEY, root)  # for editors only: not part of the definition
        if "format_version" in data:
            version = data["format_version"]
            if not (_is_number(version) and version == FORMAT_VERSION):
                self.report(
                    ("format_version",),
                    f"unsupported format version {_describe(version)}; "
                    f"this app reads format version {FORMAT_VERSION}",
                )
        wizard_id = self.ident(data, root)
        title = self.text(data, "title", root, non_empty=True)
        description = self.text(data, "description", root)
        steps: list[Step] = []
        if "steps" in data:
            raw_steps = data["steps"]
            if not isinstance(raw_steps, list):
                self.report(("steps",), f"expected a list of steps, got {_describe(raw_steps)}")
            elif not raw_steps:
                self.report(("steps",), "a wizard needs at least one step")
            else:
                self.collect_field_ids(raw_steps)
                for index, raw_step in enumerate(raw_steps):
                    step = self.step(raw_step, index)
                    if step is not None:
                        steps.append(step)
        if self.problems or wizard_id is None or title is None:
            return None
        return WizardDefinition(
            id=wizard_id, title=title, steps=tuple(steps), description=description
        )

    def collect_field_ids(self, raw_steps: list[object]) -> None:
        """Every field id and where it is first defined, to tell 'later' from 'unknown'."""
        for s, raw_step in enumerate(raw_steps):
            if not isinstance(raw_step, dict) or not isinstance(raw_step.get("fields"), list):
                continue
            for f, raw_field in enumerate(raw_step["fields"]):
                if isinstance(raw_field, dict) and isinstance(raw_field.get("id"), str):
                    self.all_field_paths.setdefault(raw_field["id"], ("steps", s, "fields", f))

    def step(self, raw: object, index: int) -> Step | None:
        path: DataPath = ("steps", index)
        data = self.mapping(raw, path, "a step")
        if data is None:
            return None
        before = len(self.problems)
        self.keys(data, path, STEP_KEYS, STEP_REQUIRED)
        step_id = self.ident(data, path)
        if step_id is not None:
            first = self.step_paths.setdefault(step_id, path)
            if first != path:
                self.report(
                    (*path, "id"), f"duplicate step id '{step_id}' (also {format_path(first)})"
                )
        title = self.text(data, "title", path, non_empty=True)
        description = self.text(data, "description", path)
        visible_if = None
        if "visible_if" in data:
            visible_if = self.condition(
                data["visible_if"], (*path, "visible_if"), _ConditionOwner(index, None), 0
            )
        fields: list[Field] = []
        raw_fields = data.get("fields", [])
        if not isinstance(raw_fields, list):
            self.report(
                (*path, "fields"), f"expected a list of fields, got {_describe(raw_fields)}"
            )
        else:
            for f, raw_field in enumerate(raw_fields):
                built = self.field(raw_field, (*path, "fields", f), index)
                if built is not None:
                    fields.append(built)
        if len(self.problems) > before or step_id is None or title is None:
            return None
        return Step(
            id=step_id,
            title=title,
            description=description,
            fields=tuple(fields),
            visible_if=visible_if,
        )

    def field(self, raw: object, path: DataPath, step_index: int) -> Field | None:
        data = self.mapping(raw, path, "a field")
        if data is None:
            return None
        before = len(self.problems)
        field_type: FieldType | None = None
        if "type" in data:
            raw_type = data["type"]
            if isinstance(raw_type, str) and raw_type in _FIELD_TYPE_NAMES:
                field_type = FieldType(raw_type)
            else:
                names = ", ".join(t.value for t in FieldType)
                self.report((*path, "type"), f"expected one of {names} (got {_describe(raw_type)})")
        if field_type is None:
            allowed: tuple[str, ...] = COMMON_FIELD_KEYS + ALL_TYPE_FIELD_KEYS
        else:
            allowed = COMMON_FIELD_KEYS + TYPE_FIELD_KEYS[field_type]
        self.keys(data, path, allowed, FIELD_REQUIRED, field_type)
        field_id = self.ident(data, path)
        if field_id is not None:
            first = self.field_paths.setdefault(field_id, path)
            if first != path:
                self.report(
                    (*path, "id"),
                    f"duplicate field id '{field_id}' (also {format_path(first)}); "
                    "field ids must be unique in the whole wizard",
                )
        label = self.text(data, "label", path, non_empty=True)
        help_text = self.text(data, "help", path)
        required = self.boolean(data, "required", path)
        visible_if = None
        if "visible_if" in data:
            visible_if = self.condition(
                data["visible_if"],
                (*path, "visible_if"),
                _ConditionOwner(step_index, field_id),
                0,
            )
        extra = self.type_settings(data, path, field_type) if field_type is not None else None

        built: Field | None = None
        if len(self.problems) == before and field_id and field_type and label and extra is not None:
            built = Field(
                id=field_id,
                type=field_type,
                label=label,
                help=help_text,
                required=bool(required),
                visible_if=visible_if,
                **extra,
            )
            if "default" in data:
                built = self.with_default(built, data["default"], (*path, "default"))
        if field_id is not None:
            self.known_fields.setdefault(field_id, built)
        return built if len(self.problems) == before else None

    def with_default(self, field: Field, raw: object, path: DataPath) -> Field | None:
        value = self.answer_value(raw, path)
        if value is None:
            return None
        wrong_type = type_problem(field, value)
        if wrong_type is not None:
            self.report(path, f"{wrong_type}, got {_describe(raw)}")
            return None
        if field.type is not FieldType.BOOLEAN and is_answered(value):
            problem = answer_problem(field, value)
            if problem is not None:
                self.report(path, f"the default is not a valid answer: {problem}")
                return None
        return dataclasses.replace(field, default=value)

    def type_settings(
        self, data: dict[str, object], path: DataPath, field_type: FieldType
    ) -> dict[str, Any] | None:
        """The keyword arguments of `Field` specific to `field_type`, or None if invalid."""
        before = len(self.problems)
        extra: dict[str, Any] = {}
        low: int | float | str | None
        high: int | float | str | None
        if field_type in (FieldType.TEXT, FieldType.MULTILINE):
            low = extra["min_length"] = self.count(data, "min_length", path)
            high = extra["max_length"] = self.count(data, "max_length", path)
            self.ordered(path, "min_length", low, "max_length", high)
        if field_type is FieldType.TEXT:
            extra["placeholder"] = self.text(data, "placeholder", path)
            pattern = extra["pattern"] = self.text(data, "pattern", path, non_empty=True)
            if pattern is not None:
                problem = _pattern_problem(pattern)
                if problem is not None:
                    self.report((*path, "pattern"), problem)
        elif field_type is FieldType.NUMBER:
            low = extra["min"] = self.number(data, "min", path)
            high = extra["max"] = self.number(data, "max", path)
            self.ordered(path, "min", low, "max", high)
            extra["unit"] = self.text(data, "unit", path)
            decimals = self.count(data, "decimals", path)
            if decimals is not None and decimals > MAX_DECIMALS:
                self.report(
                    (*path, "decimals"),
                    f"must be between 0 and {MAX_DECIMALS}, got {decimals}",
                )
            extra["decimals"] = decimals or 0
        elif field_type is FieldType.DATE:
            low = extra["min"] = self.date(data, "min", path)
            high = extra["max"] = self.date(data, "max", path)
            self.ordered(path, "min", low, "max", high)
        elif field_type in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
            options = self.options(data, path, field_type)
            extra["options"] = options
            if field_type is FieldType.MULTI_CHOICE:
                least = extra["min_selected"] = self.count(data, "min_selected", path)
                most = extra["max_selected"] = self.count(data, "max_selected", path)
                self.ordered(path, "min_selected", least, "max_selected", most)
                if least is not None and options is not None and least > len(options):
                    self.report(
                        (*path, "min_selected"),
                        f"min_selected ({least}) is more than the number of options "
                        f"({len(options)})",
                    )
        return extra if len(self.problems) == before else None

    def options(
        self, data: dict[str, object], path: DataPath, field_type: FieldType
    ) -> tuple[Option, ...] | None:
        if "options" not in data:
            self.report((*path, "options"), f"missing (a {field_type.value} field needs options)")
            return None
        raw = data["options"]
        if not isinstance(raw, list) or not raw:
            self.report((*path, "options"), f"expected a non-empty list, got {_describe(raw)}")
            return None
        before = len(self.problems)
        options: list[Option] = []
        first_index: dict[str, int] = {}
        for index, item in enumerate(raw):
            item_path = (*path, "options", index)
            option: Option | None = None
            if isinstance(item, str):
                if item.strip():
                    option = Option(value=item, label=item)
                else:
                    self.report(item_path, "must not be empty")
            elif isinstance(item, dict):
                mapping = self.mapping(item, item_path, "an option")
                assert mapping is not None
                self.keys(mapping, item_path, OPTION_KEYS, OPTION_KEYS)
                value = self.text(mapping, "value", item_path, non_empty=True)
                label = self.text(mapping, "label", item_path, non_empty=True)
                if value is not None and label is not None:
                    option = Option(value=value, label=label)
            else:
                hint = (
                    " (put it in quotes to use it as text)"
                    if isinstance(item, bool | int | float | dt.date)
                    else ""
                )
                self.report(
                    item_path,
                    f"expected text or a mapping with value and label, got {_describe(item)}{hint}",
                )
            if option is None:
                continue
            first = first_index.setdefault(option.value, index)
            if first != index:
                self.report(
                    item_path,
                    f"duplicate option value {_describe(option.value)} (also options[{first}])",
                )
            options.append(option)
        return tuple(options) if len(self.problems) == before else None

    # Conditions.

    def condition(
        self, raw: object, path: DataPath, owner: _ConditionOwner, depth: int
    ) -> Condition | None:
        if depth > MAX_CONDITION_DEPTH:
            self.report(path, f"conditions are nested more than {MAX_CONDITION_DEPTH} levels deep")
            return None
        data = self.mapping(raw, path, "a condition")
        if data is None:
            return None
        before = len(self.problems)
        for key in data:
            if key != "field" and key not in CONDITION_OPERATORS:
                self.report(
                    (*path, key), _unknown_key_message(key, ("field", *CONDITION_OPERATORS))
                )
        operators = [key for key in data if key in CONDITION_OPERATORS]
        if not operators and len(self.problems) > before:
            return None  # the unknown key is most likely a misspelt operator
        if len(operators) != 1:
            found = f", found {', '.join(operators)}" if operators else ""
            self.report(
                path,
                "expected exactly one operator: " + ", ".join(CONDITION_OPERATORS) + found,
            )
            return None
        op = operators[0]
        value = data[op]
        value_path = (*path, op)
        if op in GROUP_OPERATORS:
            if "field" in data:
                self.report((*path, "field"), f"'field' cannot be combined with '{op}'")
            if op == "not":
                inner = self.condition(value, value_path, owner, depth + 1)
                return Not(inner) if inner is not None and len(self.problems) == before else None
            if not isinstance(value, list) or not value:
                self.report(
                    value_path, f"expected a non-empty list of conditions, got {_describe(value)}"
                )
                return None
            children = [
                self.condition(item, (*value_path, i), owner, depth + 1)
                for i, item in enumerate(value)
            ]
            if len(self.problems) > before:
                return None
            parts = tuple(c for c in children if c is not None)
            return AllOf(parts) if op == "all" else AnyOf(parts)

        field_id, ref = None, None
        if "field" not in data:
            self.report((*path, "field"), f"missing (the field that '{op}' reads)")
        else:
            field_id, ref = self.reference(data["field"], (*path, "field"), owner)
        result = self.field_condition(op, value, value_path, field_id, ref)
        if field_id is None or len(self.problems) > before:
            return None
        return result

    def reference(
        self, raw: object, path: DataPath, owner: _ConditionOwner
    ) -> tuple[str | None, Field | None]:
        """The field a condition names, if the condition may name it (and its model)."""
        if not isinstance(raw, str):
            self.report(path, _expected_text(raw))
            return None, None
        if raw in self.known_fields:
            return raw, self.known_fields[raw]
        where = self.all_field_paths.get(raw)
        if raw == owner.field_id:
            self.report(path, f"a field's visible_if cannot name the field itself ('{raw}')")
        elif where is not None and owner.field_id is None and where[1] == owner.step_index:
            self.report(
                path,
                f"field '{raw}' is on this step; a step's visible_if may only name "
                "fields of earlier steps",
            )
        elif where is not None:
            self.report(
                path,
                f"field '{raw}' comes later ({format_path(where)}); a condition may only name "
                "fields of earlier steps or earlier fields of the same step",
            )
        else:
            close = difflib.get_close_matches(raw, list(self.all_field_paths), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self.report(path, f"no field '{raw}' in this wizard{hint}")
        return None, None

    def field_condition(
        self, op: str, raw: object, path: DataPath, field_id: str | None, ref: Field | None
    ) -> Condition | None:
        name = field_id or ""
        if op in ("equals", "not_equals"):
            value = self.comparable(raw, path, ref)
            if value is None:
                return None
            return Equals(name, value) if op == "equals" else NotEquals(name, value)
        if op == "in":
            if not isinstance(raw, list) or not raw:
                self.report(path, f"expected a non-empty list of values, got {_describe(raw)}")
                return None
            values = [self.comparable(item, (*path, i), ref) for i, item in enumerate(raw)]
            if any(v is None for v in values):
                return None
            return In(name, tuple(v for v in values if v is not None))
        if op == "contains":
            if ref is not None and ref.type is not FieldType.MULTI_CHOICE:
                self.report(
                    path,
                    f"'contains' only works on a multi_choice field; '{name}' is a "
                    f"{ref.type.value} field (use equals or in)",
                )
                return None
            if not isinstance(raw, str):
                self.report(path, _expected_text(raw))
                return None
            if ref is not None and (problem := type_problem(ref, [raw])) is not None:
                self.report(path, problem)
                return None
            return Contains(name, raw)
        if op == "answered":
            if not isinstance(raw, bool):
                self.report(path, f"expected true or false, got {_describe(raw)}")
                return None
            return Answered(name, raw)
        assert op in COMPARE_OPERATORS
        return self.compare(op, raw, path, name, ref)

    def compare(
        self, op: CompareOp, raw: object, path: DataPath, name: str, ref: Field | None
    ) -> Condition | None:
        bound: int | float | str | None
        if _is_number(raw):
            assert isinstance(raw, int | float)
            bound = raw
        else:
            bound = _iso_date(raw)
        if bound is None:
            self.report(path, f"expected a number or a date as YYYY-MM-DD, got {_describe(raw)}")
            return None
        if ref is not None:
            if ref.type not in (FieldType.NUMBER, FieldType.DATE):
                self.report(
                    path,
                    f"'{op}' only works on number and date fields; "
                    f"'{name}' is a {ref.type.value} field",
                )
                return None
            if (ref.type is FieldType.NUMBER) != (not isinstance(bound, str)):
                wanted = "a number" if ref.type is FieldType.NUMBER else "a date as YYYY-MM-DD"
                self.report(
                    path,
                    f"'{name}' is a {ref.type.value} field: expected {wanted}, "
                    f"got {_describe(raw)}",
                )
                return None
        return Compare(name, op, bound)

    def comparable(self, raw: object, path: DataPath, ref: Field | None) -> AnswerValue | None:
        """A value an equals/not_equals/in condition compares the answer of `ref` with."""
        value = self.answer_value(raw, path)
        if value is None or ref is None:
            return value
        problem = type_problem(ref, value)
        if problem is not None:
            self.report(
                path,
                f"can never match field '{ref.id}' ({ref.type.value}): {problem}, "
                f"got {_describe(raw)}",
            )
            return None
        return value


# --- Parsing text -----------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe composer, refusing anchors and aliases (no alias bombs)."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        _refuse_anchor(self.peek_event())  # type: ignore[no-untyped-call]
        return super().compose_node(parent, index)


_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp"))


class _NodeReader:
    """Turns a composed YAML node tree into plain data, recording the line of every
    path; duplicate keys, non-text keys and unsupported tags become problems."""

    def __init__(self, loader: yaml.SafeLoader | yaml.CSafeLoader, source: str) -> None:
        self.loader = loader
        self.source = source
        self.lines = _Lines()
        self.problems: list[Problem] = []

    def problem(self, path: DataPath, line: int, message: str) -> None:
        self.problems.append(Problem(self.source, line, format_path(path), message))

    def read(self, node: Node, path: DataPath) -> object:
        line = node.start_mark.line + 1
        self.lines.record(path, line)
        if isinstance(node, ScalarNode):
            if node.tag not in _SCALAR_TAGS:
                self.problem(path, line, f"the YAML tag {node.tag} is not supported")
                return None
            try:
                return self.loader.construct_object(node)
            except (ValueError, KeyError, TypeError, yaml.YAMLError):
                kind = node.tag.removeprefix(_YAML)
                self.problem(path, line, f"{node.value!r} is not a valid {kind}")
                return None
        if isinstance(node, SequenceNode):
            if node.tag != _YAML + "seq":
                self.problem(path, line, f"the YAML tag {node.tag} is not supported")
            return [self.read(child, (*path, i)) for i, child in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        if node.tag != _YAML + "map":
            self.problem(path, line, f"the YAML tag {node.tag} is not supported")
        result: dict[str, object] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            key: object = None
            if isinstance(key_node, ScalarNode) and key_node.tag in _SCALAR_TAGS:
                try:
                    key = self.loader.construct_object(key_node)
                except (ValueError, KeyError, TypeError, yaml.YAMLError):
                    key = None
            if not isinstance(key, str):
                shown = _describe(key) if isinstance(key_node, ScalarNode) else "a collection"
                self.problem(path, key_line, f"keys must be text, got {shown}")
                continue
            key_path = (*path, key)
            if key in first_line:
                self.problem(
                    key_path, key_line, f"duplicate key '{key}' (first at line {first_line[key]})"
                )
                self.lines.duplicates.setdefault(key_path, []).append(key_line)
                continue
            first_line[key] = key_line
            self.lines.record(key_path, key_line)
            result[key] = self.read(value_node, key_path)
        return result


# libyaml (when PyYAML has it) composes ~20x faster than the pure-Python composer: a
# 2 MB file takes a fraction of a second instead of ~15 s. Its composer cannot be
# hooked, so anchors and aliases are refused by a first pass over the events.
_FAST_LOADER: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def _refuse_anchor(event: yaml.Event) -> None:
    line = event.start_mark.line + 1 if event.start_mark is not None else None
    if isinstance(event, AliasEvent):
        raise _SourceError(
            f"YAML aliases (*{event.anchor}) are not supported: write the value out", line
        )
    if isinstance(event, NodeEvent) and event.anchor is not None:
        raise _SourceError(
            f"YAML anchors (&{event.anchor}) are not supported: write the value out", line
        )


def _compose_yaml(text: str) -> tuple[yaml.SafeLoader | yaml.CSafeLoader, Node | None]:
    """The single document's node tree; anchors/aliases raise a _SourceError."""
    if _FAST_LOADER is None:
        loader: yaml.SafeLoader | yaml.CSafeLoader = _StrictLoader(text)
    else:
        for event in yaml.parse(text, Loader=_FAST_LOADER):
            _refuse_anchor(event)
        loader = _FAST_LOADER(text)
    try:
        return loader, loader.get_single_node()
    finally:
        loader.dispose()


def _syntax_error(exc: yaml.YAMLError, text: str) -> _SourceError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or "invalid YAML"
        if exc.context:
            detail = f"{detail} ({exc.context})"
        return _SourceError(f"YAML syntax error: {detail}", mark.line + 1 if mark else None)
    if isinstance(exc, yaml.reader.ReaderError):
        # libyaml counts the position in UTF-8 bytes, the Python reader in characters.
        if _FAST_LOADER is not None:
            line = text.encode()[: exc.position].count(b"\n") + 1
        else:
            line = text[: exc.position].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
        return _SourceError(f"the character U+{code:04X} is not allowed in YAML", line)
    return _SourceError(f"YAML error: {exc}")


def _read_yaml(text: str, source: str) -> tuple[object, _Lines, list[Problem]]:
    try:
        loader, node = _compose_yaml(text)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text) from exc
    if node is None:
        raise _SourceError("the file is empty")
    reader = _NodeReader(loader, source)
    data = reader.read(node, ())
    return data, reader.lines, reader.problems


class _JsonObject(dict[str, object]):
    """A JSON object that remembers the keys it saw more than once (first value kept)."""

    duplicates: list[str]

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, object]]) -> _JsonObject:
        obj = cls()
        obj.duplicates = []
        for key, value in pairs:
            if key in obj:
                obj.duplicates.append(key)
            else:
                obj[key] = value
        return obj


def _json_lines(text: str) -> _Lines:
    """Best-effort line numbers for JSON: JSON is (nearly) YAML, so compose it."""
    try:
        loader, node = _compose_yaml(text)
        if node is None:
            return _Lines()
        reader = _NodeReader(loader, "")
        reader.read(node, ())
    except (yaml.YAMLError, _SourceError, RecursionError, ValueError):
        return _Lines()
    return reader.lines


def _read_json(
    text: str, source: str, with_lines: bool = True
) -> tuple[object, _Lines, list[Problem]]:
    if not text.strip():
        raise _SourceError("the file is empty")
    try:
        raw = json.loads(text, object_pairs_hook=_JsonObject.from_pairs)
    except json.JSONDecodeError as exc:
        raise _SourceError(
            f"JSON syntax error: {exc.msg} (column {exc.colno})", exc.lineno
        ) from exc
    lines = _json_lines(text) if with_lines else _Lines()
    problems: list[Problem] = []

    def clean(value: object, path: DataPath) -> object:
        if isinstance(value, _JsonObject):
            for key in value.duplicates:
                key_path = (*path, key)
                seen = lines.duplicates.get(key_path)
                line = seen.pop(0) if seen else lines.line(key_path)
                problems.append(
                    Problem(source, line, format_path(key_path), f"duplicate key '{key}'")
                )
            return {k: clean(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v, (*path, i)) for i, v in enumerate(value)]
        return value

    return clean(raw, ()), lines, problems


def _validate(
    data: object, lines: _Lines, problems: list[Problem], *, source: str
) -> WizardDefinition:
    definition = _Validator(source, lines, problems).wizard(data)
    if problems or definition is None:
        raise WizardFileError(sorted(problems, key=lambda p: p.line or 0))
    return definition


def _guarded(source: str, build: Callable[[], WizardDefinition]) -> WizardDefinition:
    """Run `build()`; anything but a WizardFileError becomes one (never a traceback)."""
    try:
        return build()
    except WizardFileError:
        raise
    except _SourceError as exc:
        raise WizardFileError([Problem(source, exc.line, "", exc.message)]) from None
    except RecursionError:
        raise WizardFileError(
            [Problem(source, None, "", "the file is nested too deeply")]
        ) from None
    except Exception as exc:  # the safety net: a bug must still not escape as a traceback
        message = f"internal error while reading ({type(exc).__name__}: {exc})"
        raise WizardFileError([Problem(source, None, "", message)]) from exc


# --- Public API -------------------------------------------------------------------


def definition_from_dict(data: object, source: str = "<stored>") -> WizardDefinition:
    """Validate already-parsed data (e.g. a stored canonical JSON) into the model."""
    return _guarded(source, lambda: _validate(data, _Lines(), [], source=source))


def parse_wizard_text(text: str, source: str, kind: Literal["yaml", "json"]) -> WizardDefinition:
    """Parse and validate the text of a wizard file; `source` names it in problems."""

    def build() -> WizardDefinition:
        if kind == "yaml":
            return _validate(*_read_yaml(text, source), source=source)
        try:  # finding JSON line numbers costs a second parse: only done for problems
            data, _, problems = _read_json(text, source, with_lines=False)
            return _validate(data, _Lines(), problems, source=source)
        except WizardFileError:
            data, lines, problems = _read_json(text, source)
            return _validate(data, lines, problems, source=source)

    return _guarded(source, build)


def _read_limited(path: Path) -> bytes:
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise _SourceError("this is a folder, not a wizard file")
        if not stat.S_ISREG(info.st_mode):
            raise _SourceError("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise _SourceError(_too_large(info.st_size))
        with open(path, "rb") as handle:
            content = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise _SourceError("file not found") from None
    except PermissionError:
        raise _SourceError("permission denied: cannot read the file") from None
    except OSError as exc:
        raise _SourceError(f"cannot read the file: {exc.strerror or exc}") from None
    if len(content) > MAX_FILE_BYTES:
        raise _SourceError(_too_large(len(content)))
    return content


def _too_large(size: int) -> str:
    limit = MAX_FILE_BYTES // (1024 * 1024)
    return f"the file is too large ({size / (1024 * 1024):.1f} MB); the limit is {limit} MB"


def _decode(content: bytes) -> str:
    if b"\x00" in content:
        raise _SourceError("this is a binary file (it contains NUL bytes), not UTF-8 text")
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        bad = content[exc.start : exc.start + 1].hex()
        raise _SourceError(
            f"the file is not UTF-8 text (byte 0x{bad} cannot be decoded): save it as UTF-8",
            line,
        ) from None


def load_wizard_file(path: str | os.PathLike[str]) -> WizardDefinition:
    """Read, parse and validate a `.yaml`, `.yml` or `.json` wizard file."""
    source = os.fspath(path)
    file_path = Path(source)

    def build() -> WizardDefinition:
        kind = FILE_KINDS.get(file_path.suffix.lower())
        if kind is None:
            shown = f"'{file_path.suffix}'" if file_path.suffix else "no extension"
            raise _SourceError(
                f"unsupported file type ({shown}): a wizard file ends in .yaml, .yml or .json"
            )
        text = _decode(_read_limited(file_path))
        return parse_wizard_text(text, source, kind)

    return _guarded(source, build)
