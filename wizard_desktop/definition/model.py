"""The typed model of a wizard definition (file formats 1 and 2) and its canonical JSON
form.

Instances are immutable and always valid: only the loader builds them from untrusted
data. `to_dict()` gives the canonical form that is stored and hashed, and
`loader.definition_from_dict()` reads it back. A format 1 definition has none of the
format 2 additions, so its canonical form (and content hash) is what it always was.
Expressions (`definition.expressions`) are written back as their source text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from wizard_desktop.definition.languages import TextTranslations, write_translations

if TYPE_CHECKING:  # only for annotations: expressions are parsed by the validator
    from wizard_desktop.definition.expressions import Expression

FORMAT_VERSIONS = (1, 2)
LATEST_FORMAT_VERSION = 2
ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
# Step and field ids of an imported wizard (`imported_from`) are the source's names
# verbatim: 1 to 200 characters, no control characters, no braces or brackets (they
# delimit names in expressions and instance paths), no space at either end.
IMPORTED_ID_PATTERN = r"^(?=\S)[^\x00-\x1f\x7f{}\[\]]{1,200}(?<=\S)$"
IMPORT_SOURCES = ("surveyjs", "xlsform")

# What the format accepts, so that every editor can hold it exactly: the magnitude of a
# number (bounds, defaults, answers) stays below NUMBER_LIMIT, and dates (bounds,
# defaults, answers) lie within DATE_MIN..DATE_MAX. The loader and the answer rules
# refuse anything beyond; the player's editors are built to hold all of it.
NUMBER_LIMIT = 10**15
DATE_MIN = date(1000, 1, 1)
DATE_MAX = date(9999, 12, 31)

# A stored answer, JSON-typed: text/multiline/choice/date/time -> str ("YYYY-MM-DD" for
# dates, "HH:MM" for times), number -> int | float, boolean -> bool, multi_choice -> list
# of option values, rating -> int (or an option value), calculated -> what it computes;
# file/image/signature -> an attachment reference {"sha256", "name", "size", "type"}
# (definition.attachments; the content is stored once by its hash); the grids
# (definition/grids.py): matrix -> {row: column}, matrix_dropdown ->
# {row: {column: cell value}}, multiple_text -> {item: text}.
CellValue: TypeAlias = str | int | float | bool
AnswerValue: TypeAlias = (
    str
    | int
    | float
    | bool
    | list[str]
    | dict[str, str | int]
    | dict[str, str]
    | dict[str, dict[str, CellValue]]
)
Answers: TypeAlias = Mapping[str, AnswerValue]


class FieldType(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    NUMBER = "number"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    BOOLEAN = "boolean"
    DATE = "date"
    # format 2
    NOTE = "note"  # Markdown shown in the step (its label); no answer
    CALCULATED = "calculated"  # read-only; its value is computed and stored like an answer
    RATING = "rating"  # a scale min..max (1..5 unless given) or labelled options
    TIME = "time"  # "HH:MM", 24 h
    FILE = "file"  # an attachment (definition.attachments)
    IMAGE = "image"  # an attachment that decodes as an image
    SIGNATURE = "signature"  # drawn in the player, stored as PNG
    MATRIX = "matrix"  # rows x columns, one column per row: {row: column}
    MATRIX_DROPDOWN = "matrix_dropdown"  # rows x typed columns: {row: {column: value}}
    MULTIPLE_TEXT = "multiple_text"  # labelled text items: {item: text}
    RANKING = "ranking"  # every option in the person's order: a list of option values


CompareOp: TypeAlias = Literal["gt", "gte", "lt", "lte"]


@dataclass(frozen=True)
class Equals:
    field: str
    value: AnswerValue


@dataclass(frozen=True)
class NotEquals:
    field: str
    value: AnswerValue


@dataclass(frozen=True)
class In:
    field: str
    values: tuple[AnswerValue, ...]


@dataclass(frozen=True)
class Contains:
    field: str
    value: str


@dataclass(frozen=True)
class Compare:
    field: str
    op: CompareOp
    value: int | float | str


@dataclass(frozen=True)
class Answered:
    field: str
    answered: bool


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    condition: Condition


Condition: TypeAlias = Equals | NotEquals | In | Contains | Compare | Answered | AllOf | AnyOf | Not


def condition_to_dict(condition: Condition) -> dict[str, Any]:
    """The file-format form of a condition."""
    match condition:
        case Equals(field=f, value=v):
            return {"field": f, "equals": v}
        case NotEquals(field=f, value=v):
            return {"field": f, "not_equals": v}
        case In(field=f, values=vs):
            return {"field": f, "in": list(vs)}
        case Contains(field=f, value=v):
            return {"field": f, "contains": v}
        case Compare(field=f, op=op, value=v):
            return {"field": f, op: v}
        case Answered(field=f, answered=a):
            return {"field": f, "answered": a}
        case AllOf(conditions=cs):
            return {"all": [condition_to_dict(c) for c in cs]}
        case AnyOf(conditions=cs):
            return {"any": [condition_to_dict(c) for c in cs]}
        case Not(condition=c):
            return {"not": condition_to_dict(c)}


# Where a format 2 file may use an expression, a format 1 file a structured condition.
Logic: TypeAlias = "Condition | Expression"


CONDITION_TYPES = (Equals, NotEquals, In, Contains, Compare, Answered, AllOf, AnyOf, Not)


def logic_to_data(logic: Logic) -> Any:
    """The file-format form of a condition (a mapping) or an expression (its source)."""
    if isinstance(logic, CONDITION_TYPES):
        return condition_to_dict(logic)
    return logic.source


def logic_reads(logic: Logic) -> frozenset[str]:
    """Every field id a condition or an expression reads."""
    if isinstance(logic, CONDITION_TYPES):
        return frozenset(condition_fields(logic))
    return logic.reads


def condition_fields(condition: Condition) -> Iterator[str]:
    """Every field id a condition reads."""
    match condition:
        case AllOf(conditions=cs) | AnyOf(conditions=cs):
            for c in cs:
                yield from condition_fields(c)
        case Not(condition=c):
            yield from condition_fields(c)
        case _:
            yield condition.field


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    visible_if: Logic | None = None  # format 2: cascading choices

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"value": self.value, "label": self.label}
        if self.visible_if is not None:
            data["visible_if"] = logic_to_data(self.visible_if)
        return data


@dataclass(frozen=True)
class Field:
    id: str
    type: FieldType
    label: str
    help: str | None = None
    required: bool = False
    default: AnswerValue | None = None
    visible_if: Logic | None = None
    # False: never kept in a template nor pre-filled from one (names, dates of birth…)
    template: bool = True
    # text, multiline
    min_length: int | None = None
    max_length: int | None = None
    # text
    pattern: str | None = None
    pattern_message: str | None = None  # shown instead of the generic format message
    placeholder: str | None = None
    # number: min/max/decimals/unit; date: min/max as "YYYY-MM-DD" strings
    min: int | float | str | None = None
    max: int | float | str | None = None
    decimals: int = 0
    unit: str | None = None
    # choice, multi_choice
    options: tuple[Option, ...] = ()
    # multi_choice
    min_selected: int | None = None
    max_selected: int | None = None
    # format 2, any field a person answers
    required_if: Expression | None = None
    enabled_if: Expression | None = None  # read-only while false
    constraint: Expression | None = None
    constraint_message: str | None = None  # shown instead of the generic message
    default_expression: Expression | None = None  # computed once, when it first appears
    # calculated
    calculate: Expression | None = None
    hidden: bool = False
    # file, image: extensions (".pdf") or media types ("image/*"); max_size in bytes
    accept: tuple[str, ...] = ()
    max_size: int | None = None
    # grids (definition/grids.py). matrix, matrix_dropdown: `rows`; matrix: `columns`
    # (the choice of each row); matrix_dropdown: `cell_columns` (a column is a text,
    # number, choice or boolean Field whose id is its key; file key `columns`);
    # multiple_text: `items` (text Fields); `required_rows`: the rows a required grid
    # needs (None: every row).
    rows: tuple[Option, ...] = ()
    columns: tuple[Option, ...] = ()
    cell_columns: tuple[Field, ...] = ()
    items: tuple[Field, ...] = ()
    required_rows: tuple[str, ...] | None = None

    def option_label(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return value

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type.value, "label": self.label}
        if self.help is not None:
            data["help"] = self.help
        if self.required:
            data["required"] = True
        if self.default is not None:
            data["default"] = self.default
        if self.visible_if is not None:
            data["visible_if"] = logic_to_data(self.visible_if)
        if not self.template:
            data["template"] = False
        text_keys = ("min_length", "max_length", "pattern", "pattern_message", "placeholder")
        for key in (*text_keys, "min", "max", "unit"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.type is FieldType.NUMBER and self.decimals:
            data["decimals"] = self.decimals
        if self.options:
            data["options"] = [o.to_dict() for o in self.options]
        for key in ("min_selected", "max_selected"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        for key in ("required_if", "enabled_if", "constraint"):
            expression = getattr(self, key)
            if expression is not None:
                data[key] = expression.source
        if self.constraint_message is not None:
            data["constraint_message"] = self.constraint_message
        if self.default_expression is not None:
            data["default_expression"] = self.default_expression.source
        if self.calculate is not None:
            data["calculate"] = self.calculate.source
        if self.hidden:
            data["hidden"] = True
        if self.accept:
            data["accept"] = list(self.accept)
        if self.max_size is not None:
            data["max_size"] = self.max_size
        if self.rows:
            data["rows"] = [o.to_dict() for o in self.rows]
        if self.columns:
            data["columns"] = [o.to_dict() for o in self.columns]
        if self.cell_columns:
            data["columns"] = [c.to_dict() for c in self.cell_columns]
        if self.items:
            data["items"] = [
                {k: v for k, v in i.to_dict().items() if k != "type"} for i in self.items
            ]
        if self.required_rows is not None:
            data["required_rows"] = list(self.required_rows)
        return data


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    description: str | None = None
    fields: tuple[Field, ...] = ()
    visible_if: Logic | None = None
    # format 2, the first step only: a start step (SurveyJS's start page), shown first
    # and saved like any step but not counted in the progress (`core.sessions`) nor
    # among `resolve`'s steps and fields (its own `start_fields`)
    start: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "title": self.title}
        if self.description is not None:
            data["description"] = self.description
        data["fields"] = [f.to_dict() for f in self.fields]
        if self.visible_if is not None:
            data["visible_if"] = logic_to_data(self.visible_if)
        if self.start:
            data["start"] = True
        return data


@dataclass(frozen=True)
class Repeat:
    """A run of consecutive steps asked once per instance (format 2, docs/repeats.md).
    Instances come from "Add another" (`min`..`max`) or from `count` (`repeat_count`)."""

    id: str
    steps: tuple[str, ...]
    min: int = 0
    max: int = 100
    add_label: str | None = None
    item_label: str | None = None  # a {name} template read in each instance
    count: Expression | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "steps": list(self.steps)}
        if self.count is not None:
            data["repeat_count"] = self.count.source
        else:
            data["min"], data["max"] = self.min, self.max
        if self.add_label is not None:
            data["add_label"] = self.add_label
        if self.item_label is not None:
            data["item_label"] = self.item_label
        return data


@dataclass(frozen=True)
class WizardDefinition:
    id: str
    title: str
    steps: tuple[Step, ...]
    description: str | None = None
    review: bool = True  # False: Finish on the last step, no review page
    format_version: int = 1
    _fields_by_id: dict[str, Field] = field(init=False, repr=False, compare=False)
    _steps_by_id: dict[str, Step] = field(init=False, repr=False, compare=False)
    # The definition's `logic.WizardLogic`, built on first use (`logic.wizard_logic`).
    logic_cache: object = field(default=None, init=False, repr=False, compare=False)
    repeats: tuple[Repeat, ...] = ()  # format 2 (definition/repeats.py)
    # The expansions for instance counts, built on use (`repeats.expand`).
    expansion_cache: dict[object, object] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # Format 2, a wizard in several languages (definition/languages.py): the codes, the
    # default one, every text given as a map; the texts above are in `text_language`
    # (None: the default; `languages.localized` gives the definition in another).
    languages: tuple[str, ...] = ()
    default_language: str | None = None
    translations: TextTranslations = ()
    text_language: str | None = field(default=None, compare=False)
    # The definition in each of its languages, shared by all of them (`localized`).
    localized_cache: dict[str, WizardDefinition] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # format 2, set by the importers: the source tool (ids are its names verbatim) and
    # its rule that a step none of whose fields shows is skipped (SurveyJS pages)
    imported_from: str | None = None
    # An imported page split around a SurveyJS dynamic panel or matrix into several steps:
    # (step id, source page name) of each such step; the keys the source's data holds a
    # repeat's list (or a repeat field's answer) under (SurveyJS `valueName`)
    source_pages: tuple[tuple[str, str], ...] = ()
    value_names: tuple[tuple[str, str], ...] = ()
    hide_empty_steps: bool = False
    # SurveyJS keeps a hidden question's answer until completion and its readers see it
    hidden_answers_count: bool = False
    # The canonical JSON, written on first use (an import checks, hashes and stores it).
    canonical_cache: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields = {f.id: f for s in self.steps for f in s.fields}
        object.__setattr__(self, "_fields_by_id", fields)
        object.__setattr__(self, "_steps_by_id", {s.id: s for s in self.steps})

    def field(self, field_id: str) -> Field | None:
        return self._fields_by_id.get(field_id)

    def step(self, step_id: str) -> Step | None:
        return self._steps_by_id.get(step_id)

    @property
    def start_step(self) -> Step | None:
        """The start step (format 2 `start`: the first step), if the wizard has one."""
        return self.steps[0] if self.steps and self.steps[0].start else None

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(self._fields_by_id.values())

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format_version": self.format_version,
            "id": self.id,
            "title": self.title,
        }
        if self.description is not None:
            data["description"] = self.description
        if not self.review:
            data["review"] = False
        if self.imported_from is not None:
            data["imported_from"] = self.imported_from
        if self.hide_empty_steps:
            data["hide_empty_steps"] = True
        if self.hidden_answers_count:
            data["hidden_answers_count"] = True
        if self.source_pages:
            data["source_pages"] = dict(self.source_pages)
        if self.value_names:
            data["value_names"] = dict(self.value_names)
        data["steps"] = [s.to_dict() for s in self.steps]
        if self.repeats:
            data["repeats"] = [r.to_dict() for r in self.repeats]
        if self.languages:
            write_translations(data, self)
        return data

    def canonical_json(self) -> str:
        text = self.canonical_cache
        if text is None:
            data = self.to_dict()
            text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            object.__setattr__(self, "canonical_cache", text)
        return text

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON: equal for files that differ only in layout."""
        # surrogatepass: a lone surrogate (JSON allows "\ud800") hashes instead of raising.
        return hashlib.sha256(self.canonical_json().encode("utf-8", "surrogatepass")).hexdigest()
