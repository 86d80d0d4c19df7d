"""The shipped JSON Schemas of the wizard file formats (1 and 2) match the model and the
format's key sets."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.wizard_files import FORMAT_2_SAMPLE
from wizard_desktop.definition import fileformat
from wizard_desktop.definition.loader import parse_wizard_text
from wizard_desktop.definition.model import FORMAT_VERSIONS, ID_PATTERN
from wizard_desktop.definition.schema import json_schema, schema_filename, schema_text
from wizard_desktop.paths import bundled_wizards_dir, resources_dir

VERSIONS = pytest.mark.parametrize("version", FORMAT_VERSIONS)


@VERSIONS
def test_shipped_schema_is_generated_from_the_model(version: int) -> None:
    name = schema_filename(version)
    shipped = resources_dir() / name
    assert shipped.read_text(encoding="utf-8") == schema_text(version), (
        f"regenerate: python -m wizard_desktop.definition.schema {version} > resources/{name}"
    )
    assert json.loads(shipped.read_text(encoding="utf-8")) == json_schema(version)


@VERSIONS
def test_schema_uses_the_model_constants(version: int) -> None:
    schema = json_schema(version)
    defs = schema["$defs"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["format_version"] == {"const": version}
    assert defs["id"]["pattern"] == ID_PATTERN
    types = [t.value for t in fileformat.field_types(version)]
    assert defs["field"]["properties"]["type"]["enum"] == types
    assert set(schema["required"]) == set(fileformat.TOP_LEVEL_REQUIRED)
    repeats = {"repeats"} if version == 2 else set()  # docs/repeats.md
    assert set(schema["properties"]) == {
        fileformat.SCHEMA_KEY,
        *fileformat.top_level_keys(version),
        *repeats,
    }
    start = set(fileformat.FORMAT_2_STEP_KEYS) if version == 2 else set()  # a start step
    assert set(defs["step"]["properties"]) == set(fileformat.STEP_KEYS) | start


@VERSIONS
def test_each_field_type_allows_exactly_the_loader_keys(version: int) -> None:
    defs = json_schema(version)["$defs"]
    for field_type in fileformat.field_types(version):
        variant = defs[f"{field_type.value}_field"]
        assert variant["additionalProperties"] is False
        assert variant["properties"]["type"] == {"const": field_type.value}
        assert tuple(variant["properties"]) == fileformat.field_keys(version, field_type)


def test_format_1_keys_are_those_it_always_had() -> None:
    for field_type in fileformat.field_types(1):
        keys = fileformat.COMMON_FIELD_KEYS + fileformat.TYPE_FIELD_KEYS[field_type]
        assert fileformat.field_keys(1, field_type) == keys
    assert not set(fileformat.field_types(1)) & fileformat.FORMAT_2_TYPES


@VERSIONS
def test_condition_operators_match_the_loader(version: int) -> None:
    variants = json_schema(version)["$defs"]["condition"]["oneOf"]
    operators = [next(k for k in v["required"] if k != "field") for v in variants]
    assert operators == list(fileformat.CONDITION_OPERATORS)
    assert all(v["additionalProperties"] is False for v in variants)


def _objects_are_closed(node: object) -> bool:
    if isinstance(node, dict):
        described = node.get("type") == "object" and "properties" in node
        if described and "allOf" not in node and node.get("additionalProperties") is not False:
            return False
        return all(_objects_are_closed(v) for v in node.values())
    if isinstance(node, list):
        return all(_objects_are_closed(v) for v in node)
    return True


@VERSIONS
def test_every_described_object_is_closed(version: int) -> None:
    assert _objects_are_closed(json_schema(version))


@pytest.mark.parametrize("path", sorted(bundled_wizards_dir().glob("*.*")), ids=lambda p: p.name)
def test_bundled_wizards_validate_against_the_schema(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    data = json.loads(json.dumps(data, default=str))  # YAML dates as ISO strings
    jsonschema.Draft202012Validator(json_schema(data["format_version"])).validate(data)


def test_format_2_files_validate_against_the_format_2_schema() -> None:
    validator = jsonschema.Draft202012Validator(json_schema(2))
    written = yaml.safe_load(FORMAT_2_SAMPLE)
    validator.validate(written)
    canonical = json.loads(parse_wizard_text(FORMAT_2_SAMPLE, "w.yaml", "yaml").canonical_json())
    validator.validate(canonical)
    assert not jsonschema.Draft202012Validator(json_schema(1)).is_valid(written)
    rating = written["steps"][0]["fields"][4]
    rating["options"], rating["max"] = ["a", "b"], 4
    assert not validator.is_valid(written), "a rating has a scale or options"


def test_files_with_repeats_validate_against_the_format_2_schema() -> None:
    from tests.repeat_files import COUNTED, DEPENDENTS

    validator = jsonschema.Draft202012Validator(json_schema(2))
    for text in (DEPENDENTS, COUNTED):
        validator.validate(yaml.safe_load(text))
        validator.validate(json.loads(parse_wizard_text(text, "w.yaml", "yaml").canonical_json()))
    wrong = yaml.safe_load(DEPENDENTS)
    wrong["repeats"][0]["max"] = 0
    assert not validator.is_valid(wrong)
