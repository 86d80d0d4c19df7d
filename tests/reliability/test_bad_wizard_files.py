"""Bad wizard files, imported for real into a store: near-valid definitions generated
from the shipped JSON Schema and then damaged, plus random bytes. Every one either
imports cleanly or ends in the loader's typed error naming the file; never another
exception, never a partial import."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wizard_desktop.core.wizards import import_wizard_file
from wizard_desktop.definition.loader import WizardFileError
from wizard_desktop.paths import resources_dir
from wizard_desktop.store.models import Wizard, WizardVersion

pytestmark = pytest.mark.reliability

SCHEMA: dict[str, Any] = json.loads((resources_dir() / "wizard-format-v1.schema.json").read_text())
MAX_DEPTH = 6


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = {k: v for k, v in base.items() if k != "allOf"}
    merged["properties"] = {**base.get("properties", {}), **extra.get("properties", {})}
    merged["required"] = sorted(set(base.get("required", [])) | set(extra.get("required", [])))
    return {**extra, **merged}


def from_schema(node: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Instances of a JSON Schema node: enough of draft 2020-12 for our schema."""
    if "$ref" in node:
        return st.deferred(lambda: from_schema(SCHEMA["$defs"][node["$ref"].split("/")[-1]], depth))
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    if "oneOf" in node or "anyOf" in node:
        branches = node.get("oneOf") or node["anyOf"]
        return st.one_of(*(from_schema(b, depth + 1) for b in branches))
    if "allOf" in node:  # if/then by field type: pick one branch, merged with the base
        variants = [
            _merge(node, SCHEMA["$defs"][p["then"]["$ref"].split("/")[-1]]) for p in node["allOf"]
        ]
        return st.one_of(*(from_schema(v, depth) for v in variants))
    kind = node.get("type")
    if isinstance(kind, list):
        return st.one_of(*(from_schema({**node, "type": k}, depth) for k in kind))
    if kind == "object":
        return _object(node, depth)
    if kind == "array":
        items = from_schema(node.get("items", {}), depth + 1)
        return st.lists(
            items, min_size=node.get("minItems", 0), max_size=min(node.get("maxItems", 3), 3)
        )
    if kind == "string":
        if "pattern" in node:
            return st.from_regex(node["pattern"], fullmatch=True)
        return st.text(min_size=node.get("minLength", 0), max_size=12)
    if kind == "integer":
        return st.integers(node.get("minimum", -5), node.get("maximum", 50))
    if kind == "number":
        return st.integers(-5, 50) | st.floats(-100, 100)
    if kind == "boolean":
        return st.booleans()
    return st.none() | st.booleans() | st.integers() | st.text(max_size=5)


def _object(node: dict[str, Any], depth: int) -> st.SearchStrategy[dict[str, Any]]:
    properties: dict[str, Any] = node.get("properties", {})
    required = set(node.get("required", []))
    optional = [k for k in properties if k not in required and depth < MAX_DEPTH]

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        chosen = sorted(required) + [k for k in optional if draw(st.booleans())]
        return {k: draw(from_schema(properties.get(k, {}), depth + 1)) for k in chosen}

    return build()


def damage(document: Any, rng: random.Random) -> Any:
    """One near-miss an author makes: a key dropped, a typo, a wrong type, an id copied."""
    objects: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            objects.append(value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(document)
    target = rng.choice(objects)
    key = rng.choice(sorted(target)) if target else "id"
    action = rng.choice(["drop", "typo", "retype", "copy_id", "keep"])
    if action == "drop":
        target.pop(key, None)
    elif action == "typo":
        target[key + "x"] = target.pop(key, None)
    elif action == "retype":
        target[key] = rng.choice([None, 3, "x", [], {}, True, 1.5])
    elif action == "copy_id" and len(objects) > 1:
        target["id"] = rng.choice(objects).get("id", "same")
    return document


def stored_counts() -> tuple[int, int]:
    return Wizard.select().count(), WizardVersion.select().count()


def import_and_count(path: Path, tally: dict[str, int]) -> None:
    """Import for real: either it is stored, or the typed error names the file, says no
    internal error, and the store is unchanged."""
    before = stored_counts()
    try:
        import_wizard_file(path)
    except WizardFileError as error:
        assert error.problems
        assert all(p.file == str(path) for p in error.problems), error
        assert not any("internal error" in p.message for p in error.problems), error
        assert stored_counts() == before
        tally["refused"] += 1
        tally["store_unchanged"] += 1
    else:
        tally["imported"] += 1


@pytest.fixture
def tally(reliability_report: Callable[[str], None]) -> Any:
    counts = {"imported": 0, "refused": 0, "store_unchanged": 0}
    yield counts
    reliability_report(
        f"bad wizard files: examples={counts['imported'] + counts['refused']} "
        f"refused_with_typed_error={counts['refused']} imported_valid={counts['imported']} "
        f"store_unchanged_after_refusal={counts['store_unchanged']}"
    )


@settings(
    max_examples=400,
    deadline=2000,  # a hang fails the example
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(document=from_schema(SCHEMA), seed=st.integers(0, 2**32), as_yaml=st.booleans())
def test_near_valid_definitions_import_or_fail_cleanly(
    store: Path, tally: dict[str, int], document: dict[str, Any], seed: int, as_yaml: bool
) -> None:
    document = damage(document, random.Random(seed))
    path = store / ("wizard.yaml" if as_yaml else "wizard.json")
    path.write_text(yaml.safe_dump(document) if as_yaml else json.dumps(document), encoding="utf-8")
    import_and_count(path, tally)


@settings(
    max_examples=100, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.binary(max_size=600), suffix=st.sampled_from([".yaml", ".yml", ".json"]))
def test_random_bytes_are_refused_cleanly(
    store: Path, tally: dict[str, int], content: bytes, suffix: str
) -> None:
    path = store / f"random{suffix}"
    path.write_bytes(content)
    import_and_count(path, tally)


VALID = {
    "format_version": 1,
    "id": "hostile",
    "title": "Hostile",
    "steps": [{"id": "one", "title": "One", "fields": [{"id": "a", "type": "text", "label": "A"}]}],
}


def _with(**changes: Any) -> bytes:
    return json.dumps({**VALID, **changes}).encode()


def _field(**settings: Any) -> bytes:
    step = {
        "id": "one",
        "title": "One",
        "fields": [{"id": "a", "type": "text", "label": "A", **settings}],
    }
    return _with(steps=[step])


# What an adversarial run sent (issue 11 §7, §10, §11, §15; issue 12 §3): each is refused
# with the typed error, nothing stored, never a traceback.
HOSTILE_FILES: dict[str, tuple[str, bytes]] = {
    "lone surrogate": (".json", _with(title="Bad \ud800")),
    "JSON nested 10^5 deep": (".json", b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    "YAML nested 10^5 deep": (".yaml", b"title: " + b"[" * 100_000 + b"]" * 100_000 + b"\n"),
    "1 MB title": (".json", _with(title="t" * 1_000_000)),
    "NUL in a title": (".json", _with(title="A\u0000B")),
    "RTL override in a title": (".json", _with(title="invoice\u202efdp.exe")),
    "UTF-16 with a BOM": (".yaml", yaml.safe_dump(VALID).encode("utf-16")),
    "5,000-digit integer": (".json", _field(max_length=0).replace(b": 0", b": " + b"9" * 5_000)),
    "backreference": (".json", _field(pattern="(a+)\\1b")),
    "lookahead": (".json", _field(pattern="(?=a)(a+)+b")),
    "octal escape": (".json", _field(pattern="\\0101")),
    "20,000 unknown keys": (".json", _with(**{f"k{i}": 1 for i in range(20_000)})),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_hostile_files_are_refused_with_nothing_stored(store: Path, name: str) -> None:
    suffix, content = HOSTILE_FILES[name]
    path = store / f"hostile{suffix}"
    path.write_bytes(content)
    counts = {"imported": 0, "refused": 0, "store_unchanged": 0}
    import_and_count(path, counts)
    assert counts["refused"] == 1, f"{name} was imported"
