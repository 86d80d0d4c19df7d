"""The JSON Schemas (draft 2020-12) of wizard file formats 1 and 2, built from the model.

They are generated from the same constants the loader checks (`fileformat`: field
types, id pattern, the keys of each field type, condition operators, text and count
limits), shipped as `resources/wizard-format-v1.schema.json` and
`resources/wizard-format-v2.schema.json` so editors offer completion, and a test keeps
the shipped files equal to `json_schema(version)`. A schema cannot say everything the
loader checks (unique ids, min <= max, which fields a condition or expression may name,
the expression syntax, defaults matching options): the loader stays the authority.

Regenerate with:
    python -m wizard_desktop.definition.schema 1 > resources/wizard-format-v1.schema.json
    python -m wizard_desktop.definition.schema 2 > resources/wizard-format-v2.schema.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

from wizard_desktop.definition.attachments import (
    ACCEPT_PATTERN,
    DEFAULT_MAX_SIZE,
    MAX_ACCEPT_ITEMS,
    MAX_SIZE_LIMIT,
)
from wizard_desktop.definition.fileformat import (
    CELL_COMMON_KEYS,
    CELL_TYPES,
    COMPARE_OPERATORS,
    FIELD_REQUIRED,
    FORMAT_2_OPTION_KEYS,
    FORMAT_2_STEP_KEYS,
    GRID_KEY_PATTERN,
    GRID_PART_REQUIRED,
    ISO_DATE_PATTERN,
    ITEM_KEYS,
    MAX_CONDITION_ITEMS,
    MAX_DECIMALS,
    MAX_FIELDS_PER_STEP,
    MAX_GRID_COLUMNS,
    MAX_GRID_ITEMS,
    MAX_GRID_ROWS,
    MAX_LANGUAGES,
    MAX_OPTIONS,
    MAX_RATING_POINTS,
    MAX_STEPS,
    MAX_TEXT_LENGTH_SETTING,
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
from wizard_desktop.definition.languages import LANGUAGE_CODE_PATTERN, MAX_LANGUAGE_CODE_CHARS
from wizard_desktop.definition.model import FORMAT_VERSIONS, ID_PATTERN, NUMBER_LIMIT, FieldType
from wizard_desktop.definition.repeats import repeats_schema


def schema_filename(version: int) -> str:
    return f"wizard-format-v{version}.schema.json"


SCHEMA_FILENAME = schema_filename(1)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def _text(key: str, *, non_empty: bool = False) -> dict[str, Any]:
    """A text under `key`, with its length limit."""
    schema: dict[str, Any] = {"type": "string"}
    if non_empty:
        schema["minLength"] = 1
    schema["maxLength"] = TEXT_LIMITS[key]
    return schema


_MARKDOWN: dict[str, Any] = {**_text("description"), "description": "Markdown."}
_COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
_LENGTH: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": MAX_TEXT_LENGTH_SETTING}
_NUMBER: dict[str, Any] = {
    "type": "number",
    "exclusiveMinimum": -NUMBER_LIMIT,
    "exclusiveMaximum": NUMBER_LIMIT,
}


def _default_schema(field_type: FieldType) -> dict[str, Any]:
    if field_type is FieldType.NUMBER:
        return _NUMBER
    if field_type is FieldType.BOOLEAN:
        return {"type": "boolean"}
    if field_type is FieldType.DATE:
        return _ref("date")
    if field_type in (FieldType.MULTI_CHOICE, FieldType.RANKING):
        return {"type": "array", "items": {"type": "string"}, "uniqueItems": True}
    if field_type is FieldType.TIME:
        return _ref("time")
    if field_type is FieldType.RATING:
        return {"oneOf": [{"type": "integer"}, {"type": "string"}]}
    return {"type": "string"}


_RATING_BOUND: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": MAX_RATING_POINTS}


_ATTACHMENT_KEYS: dict[str, dict[str, Any]] = {
    "accept": {
        "type": "array",
        "minItems": 1,
        "maxItems": MAX_ACCEPT_ITEMS,
        "items": {"type": "string", "pattern": ACCEPT_PATTERN},
        "description": "Extensions (.pdf) or media types (image/*, application/pdf).",
    },
    "max_size": {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_SIZE_LIMIT,
        "default": DEFAULT_MAX_SIZE,
        "description": "The largest file, in bytes (at most 50 MB).",
    },
}


_TYPE_KEY_SCHEMAS: dict[FieldType, dict[str, dict[str, Any]]] = {
    FieldType.TEXT: {
        "min_length": _LENGTH,
        "max_length": _LENGTH,
        "pattern": {
            **_text("pattern", non_empty=True),
            "description": "A regular expression the whole value must match, in the syntax "
            "Python's re, RE2 and ECMAScript share (no backreferences or lookarounds).",
        },
        "pattern_message": {
            **_text("pattern_message", non_empty=True),
            "description": "Shown when the value does not match the pattern, e.g. "
            "'Use the form name@example.org'.",
        },
        "placeholder": _text("placeholder"),
    },
    FieldType.MULTILINE: {"min_length": _LENGTH, "max_length": _LENGTH},
    FieldType.NUMBER: {
        "min": _NUMBER,
        "max": _NUMBER,
        "decimals": {"type": "integer", "minimum": 0, "maximum": MAX_DECIMALS, "default": 0},
        "unit": _text("unit"),
    },
    FieldType.CHOICE: {"options": _ref("options")},
    FieldType.MULTI_CHOICE: {
        "options": _ref("options"),
        "min_selected": _COUNT,
        "max_selected": _COUNT,
    },
    FieldType.BOOLEAN: {},
    FieldType.DATE: {"min": _ref("date"), "max": _ref("date")},
    FieldType.RATING: {
        "min": {**_RATING_BOUND, "default": RATING_SCALE_DEFAULT[0]},
        "max": {
            **_RATING_BOUND,
            "default": RATING_SCALE_DEFAULT[1],
            "description": f"A scale has at most {MAX_RATING_POINTS} points; or give options.",
        },
        "options": _ref("options"),
    },
    FieldType.TIME: {"min": _ref("time"), "max": _ref("time")},
    FieldType.RANKING: {
        "options": {
            **_ref("options"),
            "description": "What the person puts in order; a ranking's options take no visible_if.",
        }
    },
    FieldType.CALCULATED: {
        "calculate": {**_ref("expression"), "description": "The value, an expression."},
        "hidden": {
            "type": "boolean",
            "default": False,
            "description": "true: not shown; its value is still stored with the session.",
        },
    },
    FieldType.NOTE: {},
    FieldType.FILE: _ATTACHMENT_KEYS,
    FieldType.IMAGE: _ATTACHMENT_KEYS,
    FieldType.SIGNATURE: {},
    FieldType.MATRIX: {
        "rows": _ref("grid_rows"),
        "columns": {**_ref("grid_choices"), "description": "The choices of every row."},
        "required_rows": _ref("required_rows"),
    },
    FieldType.MATRIX_DROPDOWN: {
        "rows": _ref("grid_rows"),
        "columns": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_GRID_COLUMNS,
            "items": _ref("cell_column"),
        },
        "required_rows": _ref("required_rows"),
    },
    FieldType.MULTIPLE_TEXT: {
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_GRID_ITEMS,
            "items": _ref("text_item"),
        },
    },
}
_GRID_REQUIRED = {
    FieldType.MATRIX: ["rows", "columns"],
    FieldType.MATRIX_DROPDOWN: ["rows", "columns"],
    FieldType.MULTIPLE_TEXT: ["items"],
}
_LOGIC_KEY_SCHEMAS: dict[str, dict[str, Any]] = {
    "required_if": {**_ref("expression"), "description": "Required while this holds."},
    "enabled_if": {**_ref("expression"), "description": "Read-only while this is false."},
    "constraint": {**_ref("expression"), "description": "An answer must make this hold."},
    "constraint_message": {
        **_text("constraint_message", non_empty=True),
        "description": "Shown when the answer breaks the constraint.",
    },
    "default_expression": {
        **_ref("expression"),
        "description": "The default, computed once when the field first appears.",
    },
}


def _field_variant(version: int, field_type: FieldType) -> dict[str, Any]:
    """The complete schema of one field type (all its allowed keys, nothing else)."""
    label = (
        {**_text("note", non_empty=True), "description": "The note's text, Markdown."}
        if field_type is FieldType.NOTE
        else _text("label", non_empty=True)
    )
    every: dict[str, Any] = {
        "id": _ref("id"),
        "type": {"const": field_type.value},
        "label": label,
        "help": {**_text("help"), "description": "Markdown."},
        "required": {
            "type": "boolean",
            "default": False,
            "description": "For a boolean field: the box must be checked."
            if field_type is FieldType.BOOLEAN
            else "An answer is needed to go on.",
        },
        "default": _default_schema(field_type),
        "visible_if": _ref("condition" if version == 1 else "logic"),
        "template": {
            "type": "boolean",
            "default": True,
            "description": "false: the answer is never kept in a template nor pre-filled "
            "from one (names, dates of birth).",
        },
        **_LOGIC_KEY_SCHEMAS,
        **_TYPE_KEY_SCHEMAS[field_type],
    }
    keys = field_keys(version, field_type)
    variant: dict[str, Any] = {
        "type": "object",
        "required": list(FIELD_REQUIRED),
        "properties": {key: every[key] for key in keys},
        "additionalProperties": False,
    }
    if field_type in (FieldType.CHOICE, FieldType.MULTI_CHOICE, FieldType.RANKING):
        variant["required"] = [*FIELD_REQUIRED, "options"]
    elif field_type is FieldType.CALCULATED:
        variant["required"] = [*FIELD_REQUIRED, "calculate"]
    elif field_type in _GRID_REQUIRED:
        variant["required"] = [*FIELD_REQUIRED, *_GRID_REQUIRED[field_type]]
    elif field_type is FieldType.RATING:
        variant["not"] = {"anyOf": [{"required": ["options", key]} for key in ("min", "max")]}
    return variant


def _condition_variants() -> list[dict[str, Any]]:
    def on_field(operator: str, value: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["field", operator],
            "properties": {"field": _ref("id"), operator: value},
            "additionalProperties": False,
        }

    def group(operator: str, value: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": [operator],
            "properties": {operator: value},
            "additionalProperties": False,
        }

    conditions = {
        "type": "array",
        "minItems": 1,
        "maxItems": MAX_CONDITION_ITEMS,
        "items": _ref("condition"),
    }
    variants = [
        on_field("equals", _ref("value")),
        on_field("not_equals", _ref("value")),
        on_field(
            "in",
            {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_CONDITION_ITEMS,
                "items": _ref("value"),
            },
        ),
        on_field("contains", {"type": "string"}),
        *(on_field(op, {"oneOf": [{"type": "number"}, _ref("date")]}) for op in COMPARE_OPERATORS),
        on_field("answered", {"type": "boolean"}),
        group("all", conditions),
        group("any", conditions),
        group("not", _ref("condition")),
    ]
    return variants


def _localizable(node: Any) -> Any:
    """Format 2: every text of TRANSLATABLE_KEYS may be a map of language codes."""
    if isinstance(node, list):
        return [_localizable(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _localizable(value) for key, value in node.items()}
    properties = result.get("properties")
    if isinstance(properties, dict):
        for key in TRANSLATABLE_KEYS & properties.keys():
            text = properties[key]
            if text.get("type") == "string":
                properties[key] = {
                    "oneOf": [
                        text,
                        {
                            "type": "object",
                            "description": "The text in each language ({en: …, de: …}).",
                            "propertyNames": {"pattern": LANGUAGE_CODE_PATTERN},
                            "additionalProperties": text,
                            "minProperties": 1,
                            "maxProperties": MAX_LANGUAGES,
                        },
                    ]
                }
    return result


def _grid_defs() -> dict[str, Any]:
    """The parts of the grids (definition/grids.py): rows, choices, typed columns, items."""
    key = {"type": "string", "pattern": GRID_KEY_PATTERN}
    keyed = {
        "oneOf": [
            key,
            {
                "type": "object",
                "required": ["value", "label"],
                "properties": {"value": key, "label": _text("value", non_empty=True)},
                "additionalProperties": False,
            },
        ]
    }

    def listed(limit: int) -> dict[str, Any]:
        return {"type": "array", "minItems": 1, "maxItems": limit, "items": keyed}

    def part(keys: tuple[str, ...], field_type: FieldType) -> dict[str, Any]:
        every = {
            "id": key,
            "type": {"const": field_type.value},
            "label": _text("label", non_empty=True),
            "required": {"type": "boolean", "default": False},
            **_TYPE_KEY_SCHEMAS[field_type],
        }
        return {
            "type": "object",
            # a column's type may be left out for text only
            "required": [
                *GRID_PART_REQUIRED,
                *(["type"] if field_type is not FieldType.TEXT else []),
            ],
            "properties": {k: every[k] for k in keys},
            "additionalProperties": False,
        }

    return {
        "grid_rows": listed(MAX_GRID_ROWS),
        "grid_choices": listed(MAX_GRID_COLUMNS),
        "required_rows": {
            "type": "array",
            "items": key,
            "description": "The rows a required grid needs (default: every row).",
        },
        "cell_column": {
            "description": "A column of typed cells (type text when not given).",
            "oneOf": [part(CELL_COMMON_KEYS + TYPE_FIELD_KEYS[t], t) for t in CELL_TYPES],
        },
        "text_item": part(ITEM_KEYS, FieldType.TEXT),
    }


def json_schema(version: int = 1) -> dict[str, Any]:
    """The JSON Schema of wizard file format `version` (1 or 2)."""
    assert version in FORMAT_VERSIONS
    visible_if = _ref("condition" if version == 1 else "logic")
    top_level: dict[str, Any] = {
        SCHEMA_KEY: {**_text(SCHEMA_KEY), "description": "This schema, for editors; ignored."},
        "format_version": {"const": version},
        "id": _ref("id"),
        "title": _text("title", non_empty=True),
        "description": _MARKDOWN,
        "review": {
            "type": "boolean",
            "default": True,
            "description": "false: no review page; Finish is on the last step.",
        },
        "steps": {"type": "array", "minItems": 1, "maxItems": MAX_STEPS, "items": _ref("step")},
    }
    step: dict[str, Any] = {
        "id": _ref("id"),
        "title": _text("title", non_empty=True),
        "description": _MARKDOWN,
        "fields": {"type": "array", "maxItems": MAX_FIELDS_PER_STEP, "items": _ref("field")},
        "visible_if": visible_if,
    }
    assert tuple(top_level) == (SCHEMA_KEY, *TOP_LEVEL_KEYS) and tuple(step) == STEP_KEYS
    if version >= 2:
        assert FORMAT_2_STEP_KEYS == ("start",)
        step["start"] = {
            "type": "boolean",
            "description": "The first step only: a start step (SurveyJS's start page), shown "
            "first and saved like any step, not counted in the progress.",
        }
        top_level["languages"] = {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_LANGUAGES,
            "uniqueItems": True,
            "items": {
                "type": "string",
                "pattern": LANGUAGE_CODE_PATTERN,
                "maxLength": MAX_LANGUAGE_CODE_CHARS,
            },
            "description": "The wizard's languages, e.g. [en, de, fr]: then its texts may "
            "be maps of these codes.",
        }
        top_level["default_language"] = {
            "type": "string",
            "pattern": LANGUAGE_CODE_PATTERN,
            "description": "One of languages (the first unless given): every map has it.",
        }
    option_properties: dict[str, Any] = {
        "value": _text("value", non_empty=True),
        "label": _text("value", non_empty=True),
        "visible_if": visible_if,
    }
    option_keys = OPTION_KEYS if version == 1 else FORMAT_2_OPTION_KEYS
    option_mapping: dict[str, Any] = {
        "type": "object",
        "required": list(OPTION_REQUIRED),
        "properties": {key: option_properties[key] for key in option_keys},
        "additionalProperties": False,
    }
    types = field_types(version)
    format_2_defs: dict[str, Any] = {
        "time": {"type": "string", "pattern": TIME_PATTERN, "description": "HH:MM, 24 h."},
        "expression": {
            "type": "string",
            "minLength": 1,
            "description": "An expression in SurveyJS syntax, e.g. "
            "\"{age} >= 18 and {pets} contains 'dog'\" (see docs/expressions.md).",
        },
        "logic": {
            "description": "A condition (a mapping) or an expression (text).",
            "oneOf": [_ref("condition"), _ref("expression")],
        },
        **_grid_defs(),
    }
    if version >= 2:
        top_level["repeats"] = repeats_schema()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:wizard-desktop:wizard-format-v{version}",
        "title": f"Wizard Desktop wizard file, format version {version}",
        "type": "object",
        "required": list(TOP_LEVEL_REQUIRED),
        "properties": top_level,
        "additionalProperties": False,
        "$defs": {
            "id": {"type": "string", "pattern": ID_PATTERN},
            "date": {"type": "string", "pattern": ISO_DATE_PATTERN, "format": "date"},
            "value": {
                "description": "An answer value: text, number, true/false, a date as "
                "YYYY-MM-DD, or a list of option values.",
                "oneOf": [
                    {"type": "string"},
                    {"type": "number"},
                    {"type": "boolean"},
                    {"type": "array", "items": {"type": "string"}},
                ],
            },
            "step": {
                "type": "object",
                "required": list(STEP_REQUIRED),
                "properties": step,
                "additionalProperties": False,
            },
            "field": {
                "type": "object",
                "required": list(FIELD_REQUIRED),
                "properties": {"type": {"enum": [t.value for t in types]}},
                "allOf": [
                    {
                        "if": {
                            "properties": {"type": {"const": t.value}},
                            "required": ["type"],
                        },
                        "then": _ref(f"{t.value}_field"),
                    }
                    for t in types
                ],
            },
            **{f"{t.value}_field": _field_variant(version, t) for t in types},
            "options": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_OPTIONS,
                "items": {"oneOf": [_text("value", non_empty=True), option_mapping]},
            },
            "condition": {
                "description": "Skip logic: data, never code. A condition may only name "
                "fields of earlier steps or earlier fields of the same step."
                if version == 1
                else "Skip logic: data, never code.",
                "oneOf": _condition_variants(),
            },
            **(format_2_defs if version >= 2 else {}),
        },
    }
    return _localizable(schema) if version >= 2 else schema


def schema_text(version: int = 1) -> str:
    """The shipped file's exact text."""
    return json.dumps(json_schema(version), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(schema_text(int(sys.argv[1]) if len(sys.argv) > 1 else 1), end="")
