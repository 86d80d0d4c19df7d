"""Small wizard definitions for tests, written to real files and imported for real, and
builders that parse a wizard around some fields for real."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from wizard_desktop.core.wizards import import_wizard_file
from wizard_desktop.definition.loader import WizardFileError, parse_wizard_text
from wizard_desktop.definition.model import WizardDefinition

FOUR_STEPS = """\
format_version: 1
id: four-steps
title: Four Steps
steps:
  - id: one
    title: One
    fields:
      - {id: name, type: text, label: Name, required: true, min_length: 2}
  - id: two
    title: Two
    fields:
      - {id: size, type: choice, label: Size, options: [small, large], required: true}
  - id: three
    title: Three
    fields:
      - {id: count, type: number, label: Count, min: 1, max: 10}
  - id: four
    title: Four
    fields:
      - {id: agree, type: boolean, label: I agree, required: true}
"""

THREE_STEPS = """\
format_version: 1
id: three-steps
title: Three Steps
steps:
  - {id: a, title: A, fields: [{id: a1, type: text, label: A1}]}
  - {id: b, title: B, fields: [{id: b1, type: text, label: B1}]}
  - {id: c, title: C, fields: [{id: c1, type: text, label: C1}]}
"""

# Step "extra" is on the path only when kind == "complex".
SKIPPING = """\
format_version: 1
id: skipping
title: Skipping
steps:
  - id: start
    title: Start
    fields:
      - {id: kind, type: choice, label: Kind, options: [simple, complex], required: true}
  - id: extra
    title: Extra
    visible_if: {field: kind, equals: complex}
    fields:
      - {id: detail, type: text, label: Detail, required: true}
  - id: end
    title: End
    fields:
      - {id: note, type: multiline, label: Note}
"""

# A format 2 file using every new key and type (loads as written).
FORMAT_2_SAMPLE = """\
format_version: 2
id: fuzz
title: Fuzz {a}
steps:
  - id: one
    title: One
    fields:
      - {id: a, type: number, label: A, constraint: "{a} > 0"}
      - {id: b, type: calculated, label: B, calculate: "{a} * 2"}
      - id: c
        type: choice
        label: "C {b}"
        required_if: "{b} > 3 and {a} notempty"
        options: [{value: x, label: X, visible_if: "{a} > 1"}, y]
      - {id: n, type: note, label: "Note {c}"}
      - {id: r, type: rating, label: R, enabled_if: "iif({a} > 1, true, false)"}
      - {id: t, type: time, label: T, min: "08:00"}
  - id: two
    title: Two
    visible_if: "{c} = 'x' or {b} >= 10"
    fields:
      - {id: d, type: text, label: D, default_expression: "{c} + '!'"}
"""


# Format 2, cheap with nothing answered (so it loads) but beyond the expressions' budget
# once every one of the 1,000 options is chosen: `allof` walks 1,000 x 1,000 items.
COSTLY = (
    "format_version: 2\nid: costly\ntitle: Costly\nsteps:\n"
    "  - id: one\n    title: One\n    fields:\n"
    "      - {id: many, type: multi_choice, label: Many, options: ["
    + ", ".join(f"o{n}" for n in range(1000))
    + ']}\n      - {id: same, type: calculated, label: Same, calculate: "{many} allof {many}"}\n'
)


def import_text(folder: Path, text: str, name: str = "wizard.yaml") -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return import_wizard_file(path).wizard_id


def wizard_data(*fields: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A valid format v1 wizard (as data) with one step holding `fields`."""
    step = {"id": "one", "title": "One", "fields": list(fields)}
    return {"format_version": 1, "id": "demo", "title": "Demo", "steps": [step], **top}


def load_json(data: object) -> WizardDefinition:
    return parse_wizard_text(json.dumps(data), "w.json", "json")


def json_problems(data: object) -> list[str]:
    """Every problem line of a JSON wizard file holding `data` (which must be refused)."""
    return text_problems(json.dumps(data), "json")


def only_wizard_file_errors(call: Callable[[], object]) -> None:
    """`call()` (a load) succeeds or raises a WizardFileError with no internal error."""
    try:
        call()
    except WizardFileError as exc:
        assert exc.problems
        assert not any("internal error" in p.message for p in exc.problems), exc


def text_problems(text: str, kind: str = "yaml") -> list[str]:
    with pytest.raises(WizardFileError) as info:
        parse_wizard_text(text, f"w.{kind}", kind)  # type: ignore[arg-type]
    return [str(p) for p in info.value.problems]
