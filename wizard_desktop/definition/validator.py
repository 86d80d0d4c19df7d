"""Validating parsed wizard data (formats 1 and 2) into the typed model, every problem
kept.

The validator walks the data in definition order and checks every rule of the format:
the keys of each part (`fileformat`), ids, text lengths and characters, numbers and
dates within the model's limits, patterns (`patterns`), options, defaults (through the
answer rules) and conditions naming only earlier fields (format 1). Format 2 adds
expressions and `{field}` texts (parsed by `expressions`, every name checked, with its
column), the new field types, and the checks of `logic` (no cycle, every expression
evaluated once within its budget). Problems are collected, never raised one by one;
`validate` raises one `WizardFileError` with all of them.

A version this app stored (`stored=True`) is read back without the limits of files
from someone else (`_Validator.over`), and what an earlier app's rules allowed but this
one cannot run does not lock its sessions away: a pattern RE2 cannot run is dropped and
the field's help says so (`PATTERN_NOT_CHECKED`), a number bound beyond `NUMBER_LIMIT`
reads as the limit (no answer lies beyond it anyway).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wizard_desktop.definition.answers import answer_problem, type_problem
from wizard_desktop.definition.attachments import attachment_settings
from wizard_desktop.definition.conditions import is_answered
from wizard_desktop.definition.expressions import (
    Expression,
    ExpressionCostExceeded,
    ExpressionError,
    Reference,
    Unary,
    nodes,
    parse_expression,
    parse_template,
)
from wizard_desktop.definition.fileformat import (
    ALL_TYPE_FIELD_KEYS,
    CELL_COMMON_KEYS,
    CELL_TYPES,
    COMMON_FIELD_KEYS,
    COMPARE_OPERATORS,
    CONDITION_OPERATORS,
    FIELD_REQUIRED,
    FORMAT_2_KEYS,
    FORMAT_2_OPTION_KEYS,
    FORMAT_2_STEP_KEYS,
    FORMAT_2_TYPES,
    GRID_KEY_PATTERN,
    GRID_PART_REQUIRED,
    GRID_TYPES,
    GROUP_OPERATORS,
    IMPORT_TOP_LEVEL_KEYS,
    ISO_DATE_PATTERN,
    ITEM_KEYS,
    LANGUAGE_KEYS,
    LOGIC_FIELD_KEYS,
    MAX_CONDITION_DEPTH,
    MAX_CONDITION_ITEMS,
    MAX_DECIMALS,
    MAX_FIELDS_PER_STEP,
    MAX_GRID_CELLS_PER_STEP,
    MAX_GRID_COLUMNS,
    MAX_GRID_ITEMS,
    MAX_GRID_ROWS,
    MAX_LANGUAGES,
    MAX_OPTIONS,
    MAX_RATING_POINTS,
    MAX_STEPS,
    MAX_TEXT_LENGTH_SETTING,
    MAX_VALUE_CHARS,
    MULTI_LINE_KEYS,
    OPTION_KEYS,
    OPTION_REQUIRED,
    RATING_SCALE_DEFAULT,
    SCHEMA_KEY,
    STEP_KEYS,
    STEP_REQUIRED,
    TEXT_LIMITS,
    TIME_PATTERN,
    TOP_LEVEL_KEYS,
    TOP_LEVEL_REQUIRED,
    TRANSLATABLE_KEYS,
    TYPE_FIELD_KEYS,
    field_keys,
    field_types,
)
from wizard_desktop.definition.grids import grid_size, reference_owner
from wizard_desktop.definition.languages import LanguageTexts, TextPath, is_language_code
from wizard_desktop.definition.logic import LogicCycleError, wizard_logic
from wizard_desktop.definition.model import (
    DATE_MAX,
    DATE_MIN,
    FORMAT_VERSIONS,
    ID_PATTERN,
    IMPORT_SOURCES,
    IMPORTED_ID_PATTERN,
    NUMBER_LIMIT,
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
    Logic,
    Not,
    NotEquals,
    Option,
    Repeat,
    Step,
    WizardDefinition,
)
from wizard_desktop.definition.patterns import pattern_problem
from wizard_desktop.definition.problems import (
    DataPath,
    Problem,
    WizardFileError,
    format_path,
    quoted,
    shorten,
)
from wizard_desktop.definition.problems import (
    describe_value as _describe,
)
from wizard_desktop.definition.reading import SourceLines
from wizard_desktop.definition.repeats import (
    MAX_INSTANCE_ELEMENTS,
    RepeatNames,
    expand,
    instance_cap,
    read_repeats,
)
from wizard_desktop.definition.text import character_problem

_FIELD_TYPE_NAMES = frozenset(t.value for t in FieldType)
_NEEDS_FORMAT_2 = "needs format_version: 2 (this file is format 1)"
PATTERN_NOT_CHECKED = (
    "This field's format is not checked: its pattern was written for an earlier"
    " version of Wizard Desktop, and this version cannot run it."
)
"""Added to the help of a field of a stored version whose pattern cannot run here."""
_PATTERN_DROPPED = "_pattern_dropped"  # type_settings -> field: add PATTERN_NOT_CHECKED

_QUOTE_IT = "YAML read an expression starting with '{' as a mapping: put the expression in quotes"


def _yaml_braces(raw: object) -> bool:
    """True for what YAML makes of an unquoted `{name}`: a mapping of names to nothing."""
    return isinstance(raw, dict) and bool(raw) and all(v is None for v in raw.values())


# "Did you mean" hints compare a misspelt name with the names it could be; each
# comparison costs a few microseconds, so one file gets at most this many (a file
# with thousands of bad references is checked in well under a second; the hints
# beyond the budget are left out).
SUGGESTION_BUDGET = 20_000
# Longer than any id or key: not worth a hint.
_MAX_SUGGESTED_LENGTH = 64


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


def _too_long(length: int, limit: int) -> str:
    return f"too long ({length} characters); the limit is {limit}"


def _too_many(count: int, what: str, limit: int) -> str:
    return f"too many {what} ({count}); the limit is {limit}"


class _Suggestions:
    """Close-match hints for misspelt keys and field references, within SUGGESTION_BUDGET
    comparisons for the whole file."""

    def __init__(self) -> None:
        self.remaining = SUGGESTION_BUDGET

    def closest(self, word: str, candidates: Sequence[str]) -> str | None:
        if len(word) > _MAX_SUGGESTED_LENGTH or len(candidates) > self.remaining:
            return None
        self.remaining -= len(candidates)
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
        return close[0] if close else None


@dataclass(frozen=True)
class _ConditionOwner:
    """Where a condition sits: a step's visible_if (`field_id` None) or a field's."""

    step_index: int
    field_id: str | None


class _Validator:
    """Walks parsed data in definition order, collecting problems and building the model."""

    def __init__(
        self, source: str, lines: SourceLines, problems: list[Problem], *, stored: bool
    ) -> None:
        self.source = source
        self.stored = stored
        self.lines = lines
        self.problems = problems
        # Paths already reported while parsing (unreadable values): no second message.
        self.reported_paths = {p.path for p in problems if p.path}
        self.all_field_paths: dict[str, DataPath] = {}
        self.field_ids: tuple[str, ...] = ()
        self.step_paths: dict[str, DataPath] = {}
        self.step_ids_at: dict[int, str] = {}  # index in the file -> the id first given there
        self.field_paths: dict[str, DataPath] = {}
        # Fields defined so far (conditions may name only these); None when invalid.
        self.known_fields: dict[str, Field | None] = {}
        self.suggestions = _Suggestions()
        self.version = 1
        self.imported = False  # `imported_from`: step and field ids are the source's names
        # Conditions naming a later field (format 2): checked against it once it is built.
        self.later_references: list[tuple[str, object, DataPath, str]] = []
        self.field_types: dict[str, object] = {}  # id -> its raw type, for expression names
        self.repeat_names = RepeatNames()  # format 2 repeats (definition/repeats.py)
        # A wizard in several languages: its codes, the default, every text given as a map.
        self.languages: tuple[str, ...] = ()
        self.default_language: str | None = None
        self.languages_broken = False  # `languages` refused: maps are not checked again
        self.translations: dict[TextPath, LanguageTexts] = {}
        self.raw_fields: dict[str, dict[str, object]] = {}  # id -> its data ({grid.row} names)

    def over(self, size: int, limit: int) -> bool:
        """True when `size` breaks a limit of files from someone else. A definition this
        app stored itself is not held to them: it passed the rules of the version that
        stored it, and refusing it now would lock its sessions away. What no editor
        or engine can hold (numbers, dates, patterns) is still checked."""
        return not self.stored and size > limit

    def report(self, path: DataPath, message: str, offset: int | None = None) -> None:
        """A problem at `path`; `offset` (1-based) points inside the text there (an
        expression's column) and becomes the problem's line and column."""
        shown = format_path(path)
        if shown in self.reported_paths:
            return
        line, column = self.lines.line(path), None
        if offset is not None:
            place = self.lines.column(path, offset)
            if place is None:
                message = f"{message} (column {offset})"
            else:
                line, column = place
        self.problems.append(Problem(self.source, line, shown, message, column))

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
            if self.version == 1 and key in FORMAT_2_KEYS:
                self.report((*path, key), f"'{key}' {_NEEDS_FORMAT_2}")
            elif field_type is not None and (key in COMMON_FIELD_KEYS or key in FORMAT_2_KEYS):
                self.report((*path, key), f"'{key}' is not used by a {field_type.value} field")
            elif field_type is not None and key in ALL_TYPE_FIELD_KEYS:
                users = [t.value for t in field_types(self.version) if key in TYPE_FIELD_KEYS[t]]
                self.report(
                    (*path, key),
                    f"'{key}' is not used by a {field_type.value} field "
                    f"(only by {', '.join(users)})",
                )
            else:
                self.report((*path, key), self.unknown_key_message(key, allowed))
        for key in required:
            if key not in data:
                self.report((*path, key), "missing (required)")

    def unknown_key_message(self, key: str, allowed: Sequence[str]) -> str:
        close = self.suggestions.closest(key, allowed)
        if close is not None:
            return f"unknown key {quoted(key)}; did you mean '{close}'?"
        return f"unknown key {quoted(key)}; expected one of {', '.join(allowed)}"

    def text(
        self,
        data: dict[str, object],
        key: str,
        path: DataPath,
        *,
        non_empty: bool = False,
        limit_key: str | None = None,
    ) -> str | None:
        """The text under `key`, within the length limit and characters of `limit_key`
        (default: `key` itself) in TEXT_LIMITS."""
        if key not in data:
            return None
        value = data[key]
        if isinstance(value, dict) and self.version >= 2 and key in TRANSLATABLE_KEYS:
            return self.text_map(value, (*path, key), limit_key or key, non_empty=non_empty)
        if not isinstance(value, str):
            self.report((*path, key), _expected_text(value))
            return None
        return self.checked_text(value, (*path, key), limit_key or key, non_empty=non_empty)

    def text_map(
        self, value: dict[object, object], path: DataPath, limit_key: str, *, non_empty: bool
    ) -> str | None:
        """A text in several languages (`{en: Name, de: Name}`): every key one of the
        wizard's languages, the default among them, each text checked as the key's.
        Returns the default language's text; the map is kept for the definition."""
        if self.languages_broken:
            return None
        if not self.languages:
            self.report(
                path,
                "a text in several languages needs 'languages' at the top level "
                "(e.g. languages: [en, de])",
            )
            return None
        before = len(self.problems)
        texts: dict[str, str] = {}
        for language, text in value.items():
            where: DataPath = (*path, str(language))
            if not isinstance(language, str) or language not in self.languages:
                self.report(
                    where,
                    f"{_describe(language)} is not one of the wizard's languages "
                    f"({', '.join(self.languages)})",
                )
            elif not isinstance(text, str):
                self.report(where, _expected_text(text))
            else:
                checked = self.checked_text(text, where, limit_key, non_empty=non_empty)
                if checked is not None:
                    texts[language] = checked
        default = self.default_language
        assert default is not None
        if default not in value:
            self.report(
                path,
                f"no text in the default language '{default}' (default_language): "
                "every text in several languages has one",
            )
        if len(self.problems) > before:
            return None
        self.translations[path] = tuple(
            (code, texts[code]) for code in self.languages if code in texts
        )
        return texts[default]

    def language_settings(self, data: dict[str, object]) -> None:
        """`languages` (codes such as en, de-CH) and `default_language` (one of them, the
        first unless given), read before any text."""
        present = [key for key in LANGUAGE_KEYS if key in data]
        if self.version == 1:
            for key in present:
                self.report((key,), f"'{key}' {_NEEDS_FORMAT_2}")
            return
        if not present:
            return
        self.languages_broken = True  # until both are read
        raw = data.get("languages")
        if raw is None:
            self.report(("languages",), "missing (a default_language needs languages)")
            return
        if not isinstance(raw, list) or not raw:
            self.report(
                ("languages",),
                f"expected a non-empty list of language codes such as [en, de], "
                f"got {_describe(raw)}",
            )
            return
        if self.over(len(raw), MAX_LANGUAGES):
            self.report(("languages",), _too_many(len(raw), "languages", MAX_LANGUAGES))
            return
        before = len(self.problems)
        seen: dict[str, int] = {}
        for index, code in enumerate(raw):
            if not isinstance(code, str) or not is_language_code(code):
                self.report(
                    ("languages", index),
                    f"{_describe(code)} is not a language code (such as en, de-CH or pt-BR)",
                )
                continue
            first = seen.setdefault(code.lower(), index)
            if first != index:
                self.report(
                    ("languages", index), f"duplicate language '{code}' (also languages[{first}])"
                )
        if len(self.problems) > before:
            return
        codes = tuple(str(code) for code in raw)
        default = data.get("default_language", codes[0])
        if not isinstance(default, str) or default not in codes:
            self.report(
                ("default_language",),
                f"{_describe(default)} is not one of languages ({', '.join(codes)})",
            )
            return
        self.languages, self.default_language = codes, default
        self.languages_broken = False

    def checked_text(
        self, value: str, path: DataPath, limit_key: str, *, non_empty: bool
    ) -> str | None:
        limit = TEXT_LIMITS[limit_key]
        if self.over(len(value), limit):
            self.report(path, _too_long(len(value), limit))
            return None
        problem = character_problem(value, multi_line=limit_key in MULTI_LINE_KEYS)
        if problem is not None and not self.stored:
            self.report(path, problem)
            return None
        if non_empty and not value.strip():
            self.report(path, "must not be empty")
            return None
        return value

    def ident(self, data: dict[str, object], path: DataPath) -> str | None:
        if "id" not in data:
            return None
        value = data["id"]
        if not isinstance(value, str):
            self.report((*path, "id"), _expected_text(value))
            return None
        if path and self.imported:
            if not re.fullmatch(IMPORTED_ID_PATTERN, value):
                self.report(
                    (*path, "id"),
                    f"{_describe(value)} is not a valid id of an imported wizard: use 1 to 200 "
                    "characters, no control characters, braces or brackets, no space at the ends",
                )
                return None
        elif not re.fullmatch(ID_PATTERN, value):
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
        if self.over(value, MAX_TEXT_LENGTH_SETTING):
            self.report((*path, key), f"must be at most {MAX_TEXT_LENGTH_SETTING}, got {value}")
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
        if abs(value) >= NUMBER_LIMIT and self.stored:
            # An earlier app stored it: no answer lies beyond the limit, so the bound
            # reads as the limit (the version, and its sessions, stay open).
            return NUMBER_LIMIT - 1 if value > 0 else 1 - NUMBER_LIMIT
        if abs(value) >= NUMBER_LIMIT:
            self.report(
                (*path, key),
                f"{_describe(value)} is too large: numbers stay between "
                f"-{NUMBER_LIMIT - 1:,} and {NUMBER_LIMIT - 1:,}",
            )
            return None
        return value

    def date(self, data: dict[str, object], key: str, path: DataPath) -> str | None:
        if key not in data:
            return None
        value = data[key]
        iso = _iso_date(value)
        if iso is None:
            self.report((*path, key), f"expected a date as YYYY-MM-DD, got {_describe(value)}")
        elif not DATE_MIN.isoformat() <= iso <= DATE_MAX.isoformat():
            self.report(
                (*path, key),
                f"{iso} is out of range: dates lie between {DATE_MIN} and {DATE_MAX}",
            )
            return None
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
        if isinstance(raw, str) and self.over(len(raw), MAX_VALUE_CHARS):
            self.report(path, _too_long(len(raw), MAX_VALUE_CHARS))
            return None
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
        repeats_key = ("repeats",) if data.get("format_version") == 2 else ()
        # The language keys are format 2's (`language_settings` tells a format 1 file so).
        languages = data.get("format_version") == 2 or any(k in data for k in LANGUAGE_KEYS)
        top_keys = (
            *TOP_LEVEL_KEYS,
            *(LANGUAGE_KEYS if languages else ()),
            SCHEMA_KEY,
            *repeats_key,
            *IMPORT_TOP_LEVEL_KEYS,
        )
        self.keys(data, root, top_keys, TOP_LEVEL_REQUIRED)
        self.text(data, SCHEMA_KEY, root)  # for editors only: not part of the definition
        if "format_version" in data:
            version = data["format_version"]
            if _is_number(version) and version in FORMAT_VERSIONS:
                assert isinstance(version, int | float)
                self.version = int(version)
            else:
                self.report(
                    ("format_version",),
                    f"unsupported format version {_describe(version)}; "
                    "this app reads format versions "
                    + " and ".join(str(v) for v in FORMAT_VERSIONS),
                )
        self.language_settings(data)
        wizard_id = self.ident(data, root)
        imported_from, hide_empty_steps, hidden_answers_count = self.import_keys(data)
        title = self.text(data, "title", root, non_empty=True)
        description = self.text(data, "description", root)
        review = self.boolean(data, "review", root)
        steps: list[Step] = []
        steps_read = False  # repeats are read only beside steps that were (RepeatNames)
        if "steps" in data:
            raw_steps = data["steps"]
            if not isinstance(raw_steps, list):
                self.report(("steps",), f"expected a list of steps, got {_describe(raw_steps)}")
            elif not raw_steps:
                self.report(("steps",), "a wizard needs at least one step")
            elif self.over(len(raw_steps), MAX_STEPS):
                self.report(("steps",), _too_many(len(raw_steps), "steps", MAX_STEPS))
            else:
                steps_read = True
                self.collect_field_ids(raw_steps)
                if "repeats" in data:
                    self.repeat_names = RepeatNames.collect(data["repeats"], raw_steps)
                for index, raw_step in enumerate(raw_steps):
                    step = self.step(raw_step, index)
                    if step is not None:
                        steps.append(step)
                for op, value, value_path, field_id in self.later_references:
                    self.field_condition(
                        op, value, value_path, field_id, self.known_fields[field_id]
                    )
        if steps and steps[0].start and len(steps) == 1:
            self.report(("steps", 0, "start"), "a start step needs a step after it")
        repeats: tuple[Repeat, ...] = ()
        if "repeats" in data and self.version >= 2 and steps_read:
            step_ids = [s.id for s in steps]
            repeats = read_repeats(self, data["repeats"], step_ids, self.repeat_names)
            self.check_repeat_sizes(steps, repeats)
        if self.problems or wizard_id is None or title is None:
            return None
        definition = WizardDefinition(
            id=wizard_id,
            title=title,
            steps=tuple(steps),
            description=description,
            review=review is not False,
            format_version=self.version,
            repeats=repeats,
            languages=self.languages,
            default_language=self.default_language,
            translations=tuple(self.translations.items()),
            imported_from=imported_from,
            hide_empty_steps=hide_empty_steps is True,
            hidden_answers_count=hidden_answers_count is True,
            source_pages=self.import_map(data, "source_pages", {s.id for s in steps}),
            value_names=self.import_map(
                data,
                "value_names",
                {r.id for r in repeats}
                | {f.id for r in repeats for s in steps if s.id in r.steps for f in s.fields},
            ),
        )
        if self.version >= 2:
            self.check_logic(definition)
        return definition if not self.problems else None

    def check_repeat_sizes(self, steps: list[Step], repeats: tuple[Repeat, ...]) -> None:
        """A repeat's `max` instances must fit MAX_INSTANCE_ELEMENTS (repeats.py)."""
        probe = WizardDefinition(id="probe", title="probe", steps=tuple(steps))
        for index, repeat in enumerate(repeats):
            cap = instance_cap(probe, repeat)
            if repeat.count is None and repeat.max > cap and not self.stored:
                self.report(
                    ("repeats", index, "max"),
                    f"at most {cap} instances of these steps (their fields and steps"
                    f" together stop at {MAX_INSTANCE_ELEMENTS:,})",
                )

    def import_keys(self, data: dict[str, object]) -> tuple[str | None, bool | None, bool | None]:
        """`imported_from` (widens step and field ids to the source's names),
        `hide_empty_steps` and `hidden_answers_count`: format 2 only."""
        present = [k for k in IMPORT_TOP_LEVEL_KEYS if k in data]
        if present and self.version < 2:
            for key in present:
                self.report((key,), f"the key '{key}' {_NEEDS_FORMAT_2}")
            return None, None, None
        source = data.get("imported_from")
        if source is not None and source not in IMPORT_SOURCES:
            self.report(
                ("imported_from",),
                f"expected one of {', '.join(IMPORT_SOURCES)} (got {_describe(source)})",
            )
            source = None
        self.imported = isinstance(source, str)
        return (
            source if isinstance(source, str) else None,
            self.boolean(data, "hide_empty_steps", ()),
            self.boolean(data, "hidden_answers_count", ()),
        )

    def import_map(
        self, data: dict[str, object], key: str, ids: set[str]
    ) -> tuple[tuple[str, str], ...]:
        """`source_pages` (step id -> source page) or `value_names` (repeat id -> the
        source's key of its answers): names of the source, each of a known id."""
        if key not in data or self.version < 2:
            return ()
        raw = self.mapping(data[key], (key,), "a map of ids to names")
        pairs: list[tuple[str, str]] = []
        for element_id, name in (raw or {}).items():
            if element_id not in ids:
                what = "step" if key == "source_pages" else "repeat, nor field in one"
                self.report((key, element_id), f"no such {what}")
            elif not isinstance(name, str) or re.fullmatch(IMPORTED_ID_PATTERN, name) is None:
                self.report((key, element_id), "expected a name of 1 to 200 characters")
            else:
                pairs.append((element_id, name))
        return tuple(pairs)

    def check_logic(self, definition: WizardDefinition) -> None:
        """No cycle between what a field shows and what it reads, and every expression
        evaluated once on empty answers within one budget (a hostile file is refused
        here rather than when a person answers)."""
        try:
            logic = wizard_logic(definition)
            if not self.stored:  # costs may change between versions: never lock one away
                logic.resolve({})
            if definition.repeats:  # the graph with two instances of each repeat
                twice = expand(definition, {r.id: 2 for r in definition.repeats}).definition
                if not self.stored:
                    wizard_logic(twice).resolve({})
        except LogicCycleError as cycle:
            where = self.field_paths.get(cycle.element_id) or self.step_paths.get(
                cycle.element_id, ()
            )
            self.report((*where, cycle.key), str(cycle))
        except ExpressionCostExceeded:
            self.report((), "the expressions cost too much to evaluate, even with nothing answered")

    def step_id_at(self, index: int) -> str | None:
        """The id of the step at `index` in the file (for the repeat it is in)."""
        return self.step_ids_at.get(index)

    def collect_field_ids(self, raw_steps: list[object]) -> None:
        """Every field id and where it is first defined, to tell 'later' from 'unknown'."""
        for s, raw_step in enumerate(raw_steps):
            if not isinstance(raw_step, dict) or not isinstance(raw_step.get("fields"), list):
                continue
            for f, raw_field in enumerate(raw_step["fields"]):
                if isinstance(raw_field, dict) and isinstance(raw_field.get("id"), str):
                    self.all_field_paths.setdefault(raw_field["id"], ("steps", s, "fields", f))
                    self.field_types.setdefault(raw_field["id"], raw_field.get("type"))
                    self.raw_fields.setdefault(raw_field["id"], raw_field)
        self.field_ids = tuple(self.all_field_paths)

    def step(self, raw: object, index: int) -> Step | None:
        path: DataPath = ("steps", index)
        data = self.mapping(raw, path, "a step")
        if data is None:
            return None
        before = len(self.problems)
        self.keys(
            data, path, STEP_KEYS + (FORMAT_2_STEP_KEYS if self.version >= 2 else ()), STEP_REQUIRED
        )
        step_id = self.ident(data, path)
        if step_id is not None:
            first = self.step_paths.setdefault(step_id, path)
            if first == path:
                self.step_ids_at[index] = step_id
            else:
                self.report(
                    (*path, "id"), f"duplicate step id '{step_id}' (also {format_path(first)})"
                )
        title = self.template(self.text(data, "title", path, non_empty=True), (*path, "title"))
        description = self.template(self.text(data, "description", path), (*path, "description"))
        visible_if = None
        if "visible_if" in data:
            visible_if = self.logic(
                data["visible_if"], (*path, "visible_if"), _ConditionOwner(index, None)
            )
        fields: list[Field] = []
        raw_fields = data.get("fields", [])
        if not isinstance(raw_fields, list):
            self.report(
                (*path, "fields"), f"expected a list of fields, got {_describe(raw_fields)}"
            )
        elif self.over(len(raw_fields), MAX_FIELDS_PER_STEP):
            self.report(
                (*path, "fields"),
                _too_many(len(raw_fields), "fields in one step", MAX_FIELDS_PER_STEP),
            )
        else:
            for f, raw_field in enumerate(raw_fields):
                built = self.field(raw_field, (*path, "fields", f), index)
                if built is not None:
                    fields.append(built)
            cells = sum(grid_size(f) for f in fields if f.type in GRID_TYPES)
            if self.over(cells, MAX_GRID_CELLS_PER_STEP):
                self.report(
                    (*path, "fields"),
                    _too_many(cells, "grid cells in one step", MAX_GRID_CELLS_PER_STEP),
                )
        start = self.start_step(data, path, index)
        if len(self.problems) > before or step_id is None or title is None:
            return None
        return Step(
            id=step_id,
            title=title,
            description=description,
            fields=tuple(fields),
            visible_if=visible_if,
            start=start,
        )

    def start_step(self, data: dict[str, object], path: DataPath, index: int) -> bool:
        """A step's `start` (format 2): true or false, true only on the first step of a
        wizard that has another, never with `visible_if` (a start page always shows)."""
        if "start" not in data:
            return False
        start = data["start"]
        if not isinstance(start, bool):
            self.report((*path, "start"), f"expected true or false, got {_describe(start)}")
            return False
        if start and index != 0:
            self.report((*path, "start"), "only the first step can be the start step")
        elif start and "visible_if" in data:
            self.report((*path, "start"), "a start step always shows: it has no visible_if")
        return start

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
                if self.version == 1 and field_type in FORMAT_2_TYPES:
                    self.report((*path, "type"), f"the type '{raw_type}' {_NEEDS_FORMAT_2}")
                    field_type = None
            else:
                names = ", ".join(t.value for t in field_types(self.version))
                self.report((*path, "type"), f"expected one of {names} (got {_describe(raw_type)})")
        if field_type is None:
            logic_keys = LOGIC_FIELD_KEYS if self.version >= 2 else ()
            allowed: tuple[str, ...] = COMMON_FIELD_KEYS + logic_keys + ALL_TYPE_FIELD_KEYS
        else:
            allowed = field_keys(self.version, field_type)
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
        label_limit = "note" if field_type is FieldType.NOTE else "label"
        label = self.template(
            self.text(data, "label", path, non_empty=True, limit_key=label_limit),
            (*path, "label"),
        )
        help_text = self.template(self.text(data, "help", path), (*path, "help"))
        required = self.boolean(data, "required", path)
        in_templates = self.boolean(data, "template", path)
        visible_if = None
        if "visible_if" in data:
            visible_if = self.logic(
                data["visible_if"], (*path, "visible_if"), _ConditionOwner(step_index, field_id)
            )
        extra = self.type_settings(data, path, field_type) if field_type is not None else None
        if extra is not None:
            extra.update(self.logic_settings(data, path))
            if extra.pop(_PATTERN_DROPPED, False):
                help_text = (
                    f"{help_text}\n{PATTERN_NOT_CHECKED}" if help_text else PATTERN_NOT_CHECKED
                )

        built: Field | None = None
        if len(self.problems) == before and field_id and field_type and label and extra is not None:
            built = Field(
                id=field_id,
                type=field_type,
                label=label,
                help=help_text,
                required=bool(required),
                visible_if=visible_if,
                template=in_templates is not False,
                **extra,
            )
            if "default" in data:
                built = self.with_default(built, data["default"], (*path, "default"))
                if "default_expression" in data:
                    self.report(
                        (*path, "default_expression"),
                        "a field has a default or a default_expression, not both",
                    )
        if field_id is not None:
            self.known_fields.setdefault(field_id, built)
        return built if len(self.problems) == before else None

    def with_default(self, field: Field, raw: object, path: DataPath) -> Field | None:
        value = self.answer_value(raw, path)
        if value is None:
            return None
        wrong_type = type_problem(field, value)
        if wrong_type is not None:
            # "expected …" names the type wanted: the value's own is said beside it
            shown = f", got {_describe(raw)}" if wrong_type.startswith("expected") else ""
            self.report(path, f"{wrong_type}{shown}")
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
                problem = pattern_problem(pattern)
                if problem is not None and self.stored:
                    # An earlier app stored a pattern this one cannot run (e.g. a lookahead
                    # its portable subset allowed): the version stays open, the field says
                    # its format is not checked (`field` adds PATTERN_NOT_CHECKED).
                    pattern = extra["pattern"] = None
                    extra[_PATTERN_DROPPED] = True
                elif problem is not None:
                    self.report((*path, "pattern"), problem)
            message = extra["pattern_message"] = self.text(
                data, "pattern_message", path, non_empty=True
            )
            if extra.get(_PATTERN_DROPPED):
                message = extra["pattern_message"] = None
            if message is not None and pattern is None:
                self.report((*path, "pattern_message"), "a pattern_message needs a pattern")
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
        elif field_type is FieldType.TIME:
            low = extra["min"] = self.time(data, "min", path)
            high = extra["max"] = self.time(data, "max", path)
            self.ordered(path, "min", low, "max", high)
        elif field_type is FieldType.RATING:
            extra.update(self.rating(data, path))
        elif field_type is FieldType.RANKING:
            extra["options"] = self.ranking_options(data, path)
        elif field_type in GRID_TYPES:
            extra.update(self.grid(data, path, field_type))
        elif field_type is FieldType.CALCULATED:
            extra["hidden"] = bool(self.boolean(data, "hidden", path))
            if "calculate" not in data:
                self.report((*path, "calculate"), "missing (a calculated field needs calculate)")
            else:
                extra["calculate"] = self.expression(data["calculate"], (*path, "calculate"))
        elif field_type in (FieldType.FILE, FieldType.IMAGE):
            extra.update(attachment_settings(data, path, self.report))
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

    def time(self, data: dict[str, object], key: str, path: DataPath) -> str | None:
        if key not in data:
            return None
        value = data[key]
        if isinstance(value, str) and re.fullmatch(TIME_PATTERN, value):
            return value
        hint = ""
        if isinstance(value, int) and not isinstance(value, bool):
            hint = " (YAML reads an unquoted 12:30 as a number: put it in quotes)"
        self.report((*path, key), f"expected a time as HH:MM (24 h), got {_describe(value)}{hint}")
        return None

    def rating(self, data: dict[str, object], path: DataPath) -> dict[str, Any]:
        """A rating's scale (min..max, stored as given or 1..5) or its options."""
        if "options" in data:
            for key in ("min", "max"):
                if key in data:
                    self.report(
                        (*path, key), "a rating has a scale (min, max) or options, not both"
                    )
            return {"options": self.options(data, path, FieldType.RATING)}
        settings: dict[str, Any] = {}
        for key, fallback in zip(("min", "max"), RATING_SCALE_DEFAULT, strict=True):
            value = data.get(key, fallback)
            if isinstance(value, bool) or not isinstance(value, int):
                self.report((*path, key), f"expected a whole number, got {_describe(value)}")
            elif not 0 <= value <= MAX_RATING_POINTS:
                self.report((*path, key), f"must be between 0 and {MAX_RATING_POINTS}, got {value}")
            else:
                settings[key] = value
        low, high = settings.get("min"), settings.get("max")
        if low is not None and high is not None:
            points = high - low + 1
            if points < 2:
                self.report((*path, "max"), f"a scale needs at least 2 points, got {low}..{high}")
            elif points > MAX_RATING_POINTS:
                self.report(
                    (*path, "max"),
                    f"a scale has at most {MAX_RATING_POINTS} points, got {points} ({low}..{high})",
                )
        return settings

    def ranking_options(self, data: dict[str, object], path: DataPath) -> tuple[Option, ...] | None:
        """A ranking's options: every one is ranked, so none may come and go (an answer
        is checked against all of them)."""
        options = self.options(data, path, FieldType.RANKING)
        for index, option in enumerate(options or ()):
            if option.visible_if is not None:
                self.report(
                    (*path, "options", index, "visible_if"),
                    "a ranking's options take no visible_if: every option is ranked",
                )
        return options

    def logic_settings(self, data: dict[str, object], path: DataPath) -> dict[str, Any]:
        """The format 2 keys of a field a person answers (the keys check has refused
        them elsewhere)."""
        settings: dict[str, Any] = {}
        for key in ("required_if", "enabled_if", "constraint", "default_expression"):
            if key in data:
                settings[key] = self.expression(data[key], (*path, key))
        message = self.text(data, "constraint_message", path, non_empty=True)
        if message is not None:
            settings["constraint_message"] = message
            if "constraint" not in data:
                self.report(
                    (*path, "constraint_message"), "a constraint_message needs a constraint"
                )
        return settings

    def logic(self, raw: object, path: DataPath, owner: _ConditionOwner) -> Logic | None:
        """A visible_if: a structured condition (a mapping), or in format 2 an expression."""
        if isinstance(raw, str):
            if self.version == 1:
                self.report(
                    path,
                    f"an expression {_NEEDS_FORMAT_2}; format 1 takes a condition "
                    "(a mapping such as {field: x, equals: y})",
                )
                return None
            return self.expression(raw, path)
        if self.version >= 2 and _yaml_braces(raw):
            self.report(path, _QUOTE_IT)
            return None
        return self.condition(raw, path, owner, 0)

    def expression(self, raw: object, path: DataPath) -> Expression | None:
        if not isinstance(raw, str):
            wrong = f"got {_describe(raw)}" if not _yaml_braces(raw) else _QUOTE_IT
            self.report(path, f"expected an expression (text), {wrong}")
            return None
        problem = character_problem(raw, multi_line=True)
        if problem is not None and not self.stored:
            self.report(path, problem)
            return None
        if not raw.strip():
            self.report(path, "must not be empty")
            return None
        try:
            expression = parse_expression(raw)
        except ExpressionError as exc:
            self.report(path, exc.message, exc.column)
            return None
        if not self.names(expression.references, path):
            return None
        return expression if self.repeats_tested_empty(expression, path) else None

    def repeats_tested_empty(self, expression: Expression, path: DataPath) -> bool:
        """False (reported) when `{r} empty` / `{r} notempty` tests a repeat: a repeat
        is laid out as the list of its instances, which those operators do not take."""
        for node in nodes(expression.tree):
            if (
                isinstance(node, Unary)
                and node.operator in ("empty", "notempty")
                and isinstance(node.operand, Reference)
                and not node.operand.length
                and node.operand.name in self.repeat_names.fields
            ):
                name = node.operand.name
                test = "= 0" if node.operator == "empty" else "> 0"
                self.report(
                    path,
                    f"{{{name}}} {node.operator}: {name} is a repeat; write "
                    f"{{{name}.length}} {test}",
                    node.operand.column,
                )
                return False
        return True

    def template(self, text: str | None, path: DataPath) -> str | None:
        """A text that may hold `{field}` names (format 2), every name checked (in each
        language of a text given in several)."""
        if text is None or self.version == 1:
            return text
        translated = self.translations.get(path)
        if translated is None:
            return text if self.template_names(text, path) else None
        checks = [self.template_names(each, (*path, code)) for code, each in translated]
        return text if all(checks) else None

    def template_names(self, text: str, path: DataPath) -> bool:
        if "{" not in text:
            return True
        try:
            template = parse_template(text)
        except ExpressionError as exc:
            self.report(path, exc.message, exc.column)
            return False
        return self.names(template.references, path)

    def names(self, references: Sequence[tuple[str, int]], path: DataPath) -> bool:
        """True when every `{name}` in an expression or text is a field with a value."""
        before = len(self.problems)
        here = None
        if len(path) > 1 and path[0] == "steps" and isinstance(path[1], int):
            here = self.repeat_names.of_step.get(self.step_id_at(path[1]) or "")
        elif len(path) > 1 and path[0] == "repeats" and isinstance(path[1], int):
            here = self.repeat_names.order[path[1]]
        in_text = path[-1] in ("title", "description", "label", "help", "item_label")
        for name, column in references:
            field_type = self.field_types.get(name)
            repeat_problem = self.repeat_names.check(name, here, in_text=in_text)
            if repeat_problem:
                self.report(path, repeat_problem, column)
                continue
            if repeat_problem is None:
                continue
            if name not in self.all_field_paths and "." in name:
                grid = reference_owner(name, self.all_field_paths)
                if grid is not None and grid != name:
                    problem = self.grid_reference(grid, name[len(grid) + 1 :])
                    if problem is not None:
                        self.report(path, problem, column)
                    continue
            if name not in self.all_field_paths:
                close = self.suggestions.closest(name, self.field_ids)
                hint = f"; did you mean {{{close}}}?" if close else ""
                self.report(path, f"unknown field {{{shorten(name)}}}{hint}", column)
            elif field_type == FieldType.NOTE.value:
                self.report(path, f"{{{name}}} is a note: it has no value", column)
        return len(self.problems) == before

    def options(
        self, data: dict[str, object], path: DataPath, field_type: FieldType, key: str = "options"
    ) -> tuple[Option, ...] | None:
        if key not in data:
            self.report((*path, key), f"missing (a {field_type.value} field needs {key})")
            return None
        raw = data[key]
        if not isinstance(raw, list) or not raw:
            self.report((*path, key), f"expected a non-empty list, got {_describe(raw)}")
            return None
        if self.over(len(raw), MAX_OPTIONS):
            self.report((*path, key), _too_many(len(raw), "options", MAX_OPTIONS))
            return None
        before = len(self.problems)
        options: list[Option] = []
        first_index: dict[str, int] = {}
        for index, item in enumerate(raw):
            item_path = (*path, key, index)
            option: Option | None = None
            if isinstance(item, str):
                text = self.checked_text(item, item_path, "value", non_empty=True)
                if text is not None:
                    option = Option(value=text, label=text)
            elif isinstance(item, dict):
                mapping = self.mapping(item, item_path, "an option")
                assert mapping is not None
                allowed = OPTION_KEYS if self.version == 1 else FORMAT_2_OPTION_KEYS
                if self.version == 1 and "visible_if" in mapping:
                    self.report(
                        (*item_path, "visible_if"), f"an option's visible_if {_NEEDS_FORMAT_2}"
                    )
                    allowed = FORMAT_2_OPTION_KEYS
                self.keys(mapping, item_path, allowed, OPTION_REQUIRED)
                value = self.text(mapping, "value", item_path, non_empty=True)
                label = self.text(mapping, "label", item_path, non_empty=True, limit_key="value")
                visible_if = None
                if "visible_if" in mapping and self.version >= 2:
                    visible_if = self.logic(
                        mapping["visible_if"], (*item_path, "visible_if"), _ConditionOwner(-1, None)
                    )
                if value is not None and label is not None:
                    option = Option(value=value, label=label, visible_if=visible_if)
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
                    f"duplicate option value {_describe(option.value)} (also {key}[{first}])",
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
                    (*path, key), self.unknown_key_message(key, ("field", *CONDITION_OPERATORS))
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
                    value_path,
                    f"expected a non-empty list of conditions, got {_describe(value)}",
                )
                return None
            if self.over(len(value), MAX_CONDITION_ITEMS):
                self.report(value_path, _too_many(len(value), "conditions", MAX_CONDITION_ITEMS))
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
        if field_id is not None and ref is None and len(self.problems) == before:
            self.later_references.append((op, value, value_path, field_id))  # format 2
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
        if self.version >= 2 and where is not None:  # any field; `logic` refuses cycles
            return raw, None
        if raw == owner.field_id:
            self.report(path, f"a field's visible_if cannot name the field itself ({quoted(raw)})")
        elif where is not None and owner.field_id is None and where[1] == owner.step_index:
            self.report(
                path,
                f"field {quoted(raw)} is on this step; a step's visible_if may only name "
                "fields of earlier steps",
            )
        elif where is not None:
            self.report(
                path,
                f"field {quoted(raw)} comes later ({format_path(where)}); a condition may only "
                "name fields of earlier steps or earlier fields of the same step",
            )
        else:
            close = self.suggestions.closest(raw, self.field_ids)
            hint = f"; did you mean '{close}'?" if close else ""
            self.report(path, f"no field {quoted(raw)} in this wizard{hint}")
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
            if self.over(len(raw), MAX_CONDITION_ITEMS):
                self.report(path, _too_many(len(raw), "values", MAX_CONDITION_ITEMS))
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

    # Grids (definition/grids.py).

    def grid(
        self, data: dict[str, object], path: DataPath, field_type: FieldType
    ) -> dict[str, Any]:
        """A grid's rows, columns (options of a matrix, typed cell fields of a
        matrix_dropdown), items and required_rows."""
        settings: dict[str, Any] = {}
        if field_type is FieldType.MULTIPLE_TEXT:
            settings["items"] = self.grid_parts(data, path, "items", MAX_GRID_ITEMS)
            return settings
        rows = settings["rows"] = self.grid_options(data, path, field_type, "rows", MAX_GRID_ROWS)
        if field_type is FieldType.MATRIX:
            settings["columns"] = self.grid_options(
                data, path, field_type, "columns", MAX_GRID_COLUMNS
            )
        else:
            settings["cell_columns"] = self.grid_parts(data, path, "columns", MAX_GRID_COLUMNS)
        if "required_rows" in data:
            settings["required_rows"] = self.required_rows(data, path, rows)
        return settings

    def grid_key(self, value: object, path: DataPath) -> str | None:
        if self.imported and isinstance(value, str) and re.fullmatch(IMPORTED_ID_PATTERN, value):
            return value  # an imported grid keeps the source's row and column names
        if not isinstance(value, str) or not re.fullmatch(GRID_KEY_PATTERN, value):
            self.report(
                path,
                f"{_describe(value)} is not a valid key: use 1 to 64 characters, "
                "no dot, brace or bracket, not starting with a space",
            )
            return None
        return value

    def grid_options(
        self, data: dict[str, object], path: DataPath, field_type: FieldType, key: str, limit: int
    ) -> tuple[Option, ...] | None:
        raw = data.get(key)
        if isinstance(raw, list) and self.over(len(raw), limit):
            self.report((*path, key), _too_many(len(raw), key, limit))
            return None
        options = self.options(data, path, field_type, key)
        if options is None:
            return None
        before = len(self.problems)
        for index, option in enumerate(options):
            self.grid_key(option.value, (*path, key, index))
            if option.visible_if is not None:
                self.report((*path, key, index, "visible_if"), f"a grid's {key} take no visible_if")
        return options if len(self.problems) == before else None

    def grid_parts(
        self, data: dict[str, object], path: DataPath, key: str, limit: int
    ) -> tuple[Field, ...] | None:
        """A matrix_dropdown's columns or a multiple_text's items: small fields."""
        raw = data.get(key)
        if not isinstance(raw, list) or not raw:
            self.report((*path, key), f"expected a non-empty list, got {_describe(raw)}")
            return None
        if self.over(len(raw), limit):
            self.report((*path, key), _too_many(len(raw), key, limit))
            return None
        before = len(self.problems)
        parts: list[Field] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(raw):
            part_path = (*path, key, index)
            part = self.mapping(item, part_path, "a column" if key == "columns" else "an item")
            if part is None:
                continue
            part_type = FieldType.TEXT
            if key == "columns":
                raw_type = part.get("type", "text")
                names = ", ".join(t.value for t in CELL_TYPES)
                if raw_type not in [t.value for t in CELL_TYPES]:
                    self.report(
                        (*part_path, "type"), f"expected one of {names} (got {_describe(raw_type)})"
                    )
                    continue
                part_type = FieldType(raw_type)
                allowed = CELL_COMMON_KEYS + TYPE_FIELD_KEYS[part_type]
            else:
                allowed = ITEM_KEYS
            self.keys(part, part_path, allowed, GRID_PART_REQUIRED)
            part_id = self.grid_key(part.get("id"), (*part_path, "id")) if "id" in part else None
            label = self.text(part, "label", part_path, non_empty=True)
            required = self.boolean(part, "required", part_path)
            extra = self.type_settings(part, part_path, part_type)
            if part_id is None or label is None or extra is None:
                continue
            first = seen.setdefault(part_id, index)
            if first != index:
                self.report(
                    (*part_path, "id"), f"duplicate id {quoted(part_id)} (also {key}[{first}])"
                )
            parts.append(
                Field(id=part_id, type=part_type, label=label, required=bool(required), **extra)
            )
        return tuple(parts) if len(self.problems) == before else None

    def required_rows(
        self, data: dict[str, object], path: DataPath, rows: tuple[Option, ...] | None
    ) -> tuple[str, ...] | None:
        raw = data["required_rows"]
        where = (*path, "required_rows")
        if not isinstance(raw, list) or not all(isinstance(r, str) for r in raw):
            self.report(where, f"expected a list of row values, got {_describe(raw)}")
            return None
        if rows is not None:
            known = [r.value for r in rows]
            unknown = [r for r in raw if r not in known]
            if unknown:
                self.report(where, f"no row {quoted(unknown[0])}; rows are {', '.join(known)}")
                return None
        if "required" not in data and "required_if" not in data:
            self.report(where, "required_rows needs required or required_if")
            return None
        return tuple(dict.fromkeys(raw))

    def grid_reference(self, grid: str, rest: str) -> str | None:
        """Why `{grid.rest}` names nothing of the grid `grid`, or None."""
        raw = self.raw_fields.get(grid, {})
        kind = raw.get("type")
        if kind not in [t.value for t in GRID_TYPES]:
            shown = shorten(grid)
            return f"{{{shown}}} is a {_describe(kind)} field: {{{shown}.…}} reads a grid's cells"
        parts = rest.split(".")

        def keys(name: str) -> list[str]:
            found = raw.get(name)
            if not isinstance(found, list):
                return []
            out = []
            for item in found:
                if isinstance(item, dict):
                    value = item.get("id", item.get("value"))
                    out.append(value if isinstance(value, str) else "")
                elif isinstance(item, str):
                    out.append(item)
            return out

        first = "items" if kind == FieldType.MULTIPLE_TEXT.value else "rows"
        depth = 2 if kind == FieldType.MATRIX_DROPDOWN.value else 1
        if len(parts) > depth:
            below = ".".join(parts[:depth])
            return f"{{{shorten(grid + '.' + rest)}}}: {grid} has no cells below {{{grid}.{below}}}"
        if parts[0] not in keys(first):
            return f"{grid} has no {first[:-1]} {quoted(parts[0])}"
        if len(parts) == 2 and parts[1] not in keys("columns"):
            return f"{grid} has no column {quoted(parts[1])}"
        return None


def validate(
    data: object,
    lines: SourceLines,
    problems: list[Problem],
    *,
    source: str,
    stored: bool = False,
) -> WizardDefinition:
    """The definition `data` describes; raises WizardFileError with `problems` (from
    reading) and every problem found here. stored=True reads back a definition this
    app stored itself (see `_Validator.over`)."""
    definition = _Validator(source, lines, problems, stored=stored).wizard(data)
    if problems or definition is None:
        raise WizardFileError(sorted(problems, key=lambda p: p.line or 0))
    return definition
