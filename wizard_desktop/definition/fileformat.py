"""What wizard file formats 1 and 2 allow: the keys of each part (top level, step, field
of each type, option, condition), the condition operators, and every limit (file size,
nesting, text lengths, counts). The validator checks these; `schema.py` describes them.
Format 2 is a superset of 1: the keys of `FORMAT_2_KEYS` and the field types of
`FORMAT_2_TYPES` are what a format 1 file may not use.
"""

from __future__ import annotations

from typing import Literal, get_args

from wizard_desktop.definition.model import CompareOp, FieldType

FILE_KINDS: dict[str, Literal["yaml", "json"]] = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
# What the XLSForm importer reads (importers/xlsform.py): workbooks and pyxform's Markdown.
XLSFORM_SUFFIXES = (".xlsx", ".xls", ".md")
# What File → Import and drag-and-drop take: wizard files and XLSForms (importers/).
IMPORTABLE_SUFFIXES = (*FILE_KINDS, *XLSFORM_SUFFIXES)

TOP_LEVEL_KEYS = ("format_version", "id", "title", "description", "review", "steps")
# Optional top-level "$schema" (a path or URL of the JSON Schema) lets JSON editors
# offer completion; it is checked to be text and otherwise ignored.
SCHEMA_KEY = "$schema"
TOP_LEVEL_REQUIRED = ("format_version", "id", "title", "steps")
# Format 2: a wizard in several languages (definition/languages.py). These keys' texts
# may be a map of language codes ({en: Name, de: Name}); the default language is in
# every map.
LANGUAGE_KEYS = ("languages", "default_language")
TRANSLATABLE_KEYS = frozenset(
    {"title", "description", "label", "help", "placeholder", "unit", "pattern_message"}
    | {"constraint_message", "add_label", "item_label"}
)
# Format 2 top-level keys the importers write (model.WizardDefinition.imported_from).
IMPORT_TOP_LEVEL_KEYS = (
    "imported_from",
    "hide_empty_steps",
    "hidden_answers_count",
    "source_pages",  # {step id: source page}: a page split into several steps
    "value_names",  # {repeat id: the source's key of its answers}
)
STEP_KEYS = ("id", "title", "description", "fields", "visible_if")
# Format 2: `start: true` on the first step makes it a start step (SurveyJS's start
# page): shown first and saved like any step, but no step of the progress.
FORMAT_2_STEP_KEYS = ("start",)
STEP_REQUIRED = ("id", "title")
COMMON_FIELD_KEYS = (
    "id",
    "type",
    "label",
    "help",
    "required",
    "default",
    "visible_if",
    "template",
)
FIELD_REQUIRED = ("id", "type", "label")
TYPE_FIELD_KEYS: dict[FieldType, tuple[str, ...]] = {
    FieldType.TEXT: ("min_length", "max_length", "pattern", "pattern_message", "placeholder"),
    FieldType.MULTILINE: ("min_length", "max_length"),
    FieldType.NUMBER: ("min", "max", "decimals", "unit"),
    FieldType.CHOICE: ("options",),
    FieldType.MULTI_CHOICE: ("options", "min_selected", "max_selected"),
    FieldType.BOOLEAN: (),
    FieldType.DATE: ("min", "max"),
    # format 2
    FieldType.RATING: ("min", "max", "options"),
    FieldType.TIME: ("min", "max"),
    FieldType.CALCULATED: ("calculate", "hidden"),
    FieldType.NOTE: (),
    FieldType.FILE: ("accept", "max_size"),
    FieldType.IMAGE: ("accept", "max_size"),
    FieldType.SIGNATURE: (),
    # format 2: grids (definition/grids.py)
    FieldType.MATRIX: ("rows", "columns", "required_rows"),
    FieldType.MATRIX_DROPDOWN: ("rows", "columns", "required_rows"),
    FieldType.MULTIPLE_TEXT: ("items",),
    FieldType.RANKING: ("options",),
}
ALL_TYPE_FIELD_KEYS = tuple(dict.fromkeys(k for keys in TYPE_FIELD_KEYS.values() for k in keys))
# Format 2: what decides when a field shows, must be answered, may be changed, is right.
LOGIC_FIELD_KEYS = (
    "required_if",
    "enabled_if",
    "constraint",
    "constraint_message",
    "default_expression",
)
FORMAT_2_TYPES = frozenset({FieldType.RATING, FieldType.TIME, FieldType.CALCULATED, FieldType.NOTE})
FORMAT_2_TYPES |= {FieldType.FILE, FieldType.IMAGE, FieldType.SIGNATURE}
GRID_TYPES = frozenset({FieldType.MATRIX, FieldType.MATRIX_DROPDOWN, FieldType.MULTIPLE_TEXT})
FORMAT_2_TYPES |= GRID_TYPES
FORMAT_2_TYPES |= {FieldType.RANKING}
# A grid's answer is an object; a default is not taken (the default key is refused).
GRID_COMMON_KEYS = tuple(k for k in COMMON_FIELD_KEYS if k != "default")
# A matrix_dropdown column: a small field of one of these types, and its keys.
CELL_TYPES = (FieldType.TEXT, FieldType.NUMBER, FieldType.CHOICE, FieldType.BOOLEAN)
CELL_COMMON_KEYS = ("id", "type", "label", "required")
# A multiple_text item: a text field's keys.
ITEM_KEYS = ("id", "label", "required", *TYPE_FIELD_KEYS[FieldType.TEXT])
GRID_PART_REQUIRED = ("id", "label")
# A row, column or item key (what an answer object and `{grid.row.column}` use): no
# dot (the reference separator) and no braces.
GRID_KEY_PATTERN = r"^[^.{}\[\]\s][^.{}\[\]]{0,63}$"
# The common keys a type without a typed answer takes (a note shows text, a calculated
# field computes its value).
TYPES_WITHOUT_INPUT: dict[FieldType, tuple[str, ...]] = {
    FieldType.NOTE: ("id", "type", "label", "visible_if"),
    FieldType.CALCULATED: ("id", "type", "label", "help", "visible_if"),
}
ATTACHMENT_FIELD_TYPES = frozenset({FieldType.FILE, FieldType.IMAGE, FieldType.SIGNATURE})
FORMAT_2_KEYS = frozenset({*LOGIC_FIELD_KEYS, "calculate", "hidden", "accept", "max_size"})
OPTION_KEYS = ("value", "label")
OPTION_REQUIRED = ("value", "label")
FORMAT_2_OPTION_KEYS = ("value", "label", "visible_if")


def field_keys(version: int, field_type: FieldType) -> tuple[str, ...]:
    """Every key a field of `field_type` may hold in a file of format `version`."""
    if field_type in TYPES_WITHOUT_INPUT:
        return TYPES_WITHOUT_INPUT[field_type] + TYPE_FIELD_KEYS[field_type]
    common: tuple[str, ...] = COMMON_FIELD_KEYS
    if version >= 2:
        common += LOGIC_FIELD_KEYS
    if field_type in GRID_TYPES:
        common = GRID_COMMON_KEYS + LOGIC_FIELD_KEYS
    if field_type in ATTACHMENT_FIELD_TYPES:  # a file is chosen, never written in a wizard
        common = tuple(k for k in common if k not in ("default", "default_expression"))
    return common + TYPE_FIELD_KEYS[field_type]


def top_level_keys(version: int) -> tuple[str, ...]:
    """The top-level keys of a file of format `version` ($schema aside)."""
    return TOP_LEVEL_KEYS + LANGUAGE_KEYS if version >= 2 else TOP_LEVEL_KEYS


def field_types(version: int) -> tuple[FieldType, ...]:
    """The field types of format `version`, in the order of `FieldType`."""
    return tuple(t for t in FieldType if version >= 2 or t not in FORMAT_2_TYPES)


COMPARE_OPERATORS: tuple[CompareOp, ...] = get_args(CompareOp)
FIELD_OPERATORS = ("equals", "not_equals", "in", "contains", *COMPARE_OPERATORS, "answered")
GROUP_OPERATORS = ("all", "any", "not")
CONDITION_OPERATORS = (*FIELD_OPERATORS, *GROUP_OPERATORS)
ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"

# --- Limits ---------------------------------------------------------------------------

MAX_FILE_BYTES = 2 * 1024 * 1024
# Lists and mappings inside one another; a valid wizard needs about 75 at most.
MAX_NESTING = 100
# A number in the file is written with at most this many digits (a bound or default
# must stay below model.NUMBER_LIMIT anyway; this refuses 5,000-digit integers early).
MAX_NUMBER_DIGITS = 40
MAX_DECIMALS = 10
MAX_CONDITION_DEPTH = 32
# A rating scale (min..max) has at most this many points; without min/max it is 1..5.
MAX_RATING_POINTS = 10
RATING_SCALE_DEFAULT = (1, 5)

# The longest text (in characters) each key may hold. A plain-string option is both
# the value and the label, so it gets the value's limit.
TEXT_LIMITS: dict[str, int] = {
    "title": 200,
    "label": 500,
    "value": 200,  # an option's value
    "placeholder": 200,
    "unit": 40,
    "pattern": 1_000,
    "pattern_message": 500,
    "help": 10_000,
    "description": 20_000,
    SCHEMA_KEY: 2_000,
    "constraint_message": 500,
    "note": 20_000,  # a note's label is Markdown, as long as a description
}
# Texts that may hold several lines (newline and tab allowed); the others are one line.
MULTI_LINE_KEYS = frozenset({"help", "description", "note"})
# A text answer value in the file (a default, a condition's value).
MAX_VALUE_CHARS = 10_000
# min_length / max_length
MAX_TEXT_LENGTH_SETTING = 1_000_000
MAX_STEPS = 1_000
MAX_FIELDS_PER_STEP = 200
MAX_OPTIONS = 1_000
# A wizard in several languages: at most this many (each code at most
# languages.MAX_LANGUAGE_CODE_CHARS characters).
MAX_LANGUAGES = 50
# Conditions in an all/any list, and values in an `in` list.
MAX_CONDITION_ITEMS = 1_000
# A grid: rows (matrix, matrix_dropdown), columns, rows x columns cells, items.
MAX_GRID_ROWS = 100
MAX_GRID_COLUMNS = 20
MAX_GRID_ITEMS = 100
# The cells of all the grids of one step (a 100 x 20 grid takes the player about 1 s to
# build: a step stays within a few seconds).
MAX_GRID_CELLS_PER_STEP = 4_000
