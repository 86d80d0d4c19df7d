"""The JSON Schema (draft 2020-12) of wizard file format v1, built from the model.

It is generated from the same constants the loader checks (`fileformat`: field types,
id pattern, the keys of each field type, condition operators, text and count limits),
shipped as
`resources/wizard-format-v1.schema.json` so editors offer completion, and a test keeps
the shipped file equal to `json_schema()`. The schema cannot say everything the loader
checks (unique ids, min <= max, conditions naming earlier fields, defaults matching
options): the loader stays the authority.

Regenerate with:
    python -m wizard_desktop.definition.schema > resources/wizard-format-v1.schema.json
"""

from __future__ import annotations

import json
from typing import Any

from wizard_desktop.definition.fileformat import (
    COMMON_FIELD_KEYS,
    COMPARE_OPERATORS,
    FIELD_REQUIRED,
    ISO_DATE_PATTERN,
    MAX_CONDITION_ITEMS,
    MAX_DECIMALS,
    MAX_FIELDS_PER_STEP,
    MAX_OPTIONS,
    MAX_STEPS,
    MAX_TEXT_LENGTH_SETTING,
    OPTION_KEYS,
    SCHEMA_KEY,
    STEP_KEYS,
    STEP_REQUIRED,
    TEXT_LIMITS,
    TOP_LEVEL_KEYS,
    TOP_LEVEL_REQUIRED,
    TYPE_FIELD_KEYS,
)
from wizard_desktop.definition.model import FORMAT_VERSION, ID_PATTERN, NUMBER_LIMIT, FieldType

SCHEMA_FILENAME = "wizard-format-v1.schema.json"
SCHEMA_ID = "urn:wizard-desktop:wizard-format-v1"


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
    if field_type is FieldType.MULTI_CHOICE:
        return {"type": "array", "items": {"type": "string"}, "uniqueItems": True}
    return {"type": "string"}


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
}


def _field_variant(field_type: FieldType) -> dict[str, Any]:
    """The complete schema of one field type (all its allowed keys, nothing else)."""
    specific = _TYPE_KEY_SCHEMAS[field_type]
    assert tuple(specific) == TYPE_FIELD_KEYS[field_type], field_type
    common: dict[str, Any] = {
        "id": _ref("id"),
        "type": {"const": field_type.value},
        "label": _text("label", non_empty=True),
        "help": {**_text("help"), "description": "Markdown."},
        "required": {
            "type": "boolean",
            "default": False,
            "description": "For a boolean field: the box must be checked."
            if field_type is FieldType.BOOLEAN
            else "An answer is needed to go on.",
        },
        "default": _default_schema(field_type),
        "visible_if": _ref("condition"),
        "template": {
            "type": "boolean",
            "default": True,
            "description": "false: the answer is never kept in a template nor pre-filled "
            "from one (names, dates of birth).",
        },
    }
    assert tuple(common) == COMMON_FIELD_KEYS
    variant: dict[str, Any] = {
        "type": "object",
        "required": list(FIELD_REQUIRED),
        "properties": {**common, **specific},
        "additionalProperties": False,
    }
    if field_type in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        variant["required"] = [*FIELD_REQUIRED, "options"]
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


def json_schema() -> dict[str, Any]:
    """The JSON Schema of wizard file format v1."""
    top_level: dict[str, Any] = {
        SCHEMA_KEY: {**_text(SCHEMA_KEY), "description": "This schema, for editors; ignored."},
        "format_version": {"const": FORMAT_VERSION},
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
        "visible_if": _ref("condition"),
    }
    assert tuple(top_level) == (SCHEMA_KEY, *TOP_LEVEL_KEYS) and tuple(step) == STEP_KEYS
    option_mapping: dict[str, Any] = {
        "type": "object",
        "required": list(OPTION_KEYS),
        "properties": {
            "value": _text("value", non_empty=True),
            "label": _text("value", non_empty=True),
        },
        "additionalProperties": False,
    }
    field_types = [t.value for t in FieldType]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"Wizard Desktop wizard file, format version {FORMAT_VERSION}",
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
                "properties": {"type": {"enum": field_types}},
                "allOf": [
                    {
                        "if": {
                            "properties": {"type": {"const": t.value}},
                            "required": ["type"],
                        },
                        "then": _ref(f"{t.value}_field"),
                    }
                    for t in FieldType
                ],
            },
            **{f"{t.value}_field": _field_variant(t) for t in FieldType},
            "options": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_OPTIONS,
                "items": {"oneOf": [_text("value", non_empty=True), option_mapping]},
            },
            "condition": {
                "description": "Skip logic: data, never code. A condition may only name "
                "fields of earlier steps or earlier fields of the same step.",
                "oneOf": _condition_variants(),
            },
        },
    }


def schema_text() -> str:
    """The shipped file's exact text."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(schema_text(), end="")
