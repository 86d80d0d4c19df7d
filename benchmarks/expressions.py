"""`expression_recompute`: a generated wizard of 2,000 fields whose `visible_if`,
`required_if`, `calculate` and option `visible_if` expressions chain and fan out;
change one early answer (`seed`) and bring every dependent state up to date with
`LiveResolution.set_answer`. Anchor, in the same run: SurveyJS's own engine
(survey-core 3.1.1, in Node) doing the same change on the equivalent survey
(`survey.setValue`, then every question's `isVisible` read), timed inside Node per
change (`survey_recompute.mjs`). The two sides alternate in batches.

The wizard: field 0 is the number `seed`; then, in turn, a calculated field
`{previous calculated} + {seed}` (a chain of 500: every one changes with the seed),
a number shown when that sum is above a bound, a text required when it reaches the
bound, and a choice shown when `{seed}` is above a small number, whose last option is
shown only when `{seed} > 5` (fan-out from the seed). The seed alternates 3 and 7, so
every visibility, requirement and value flips on each change. `generated_wizard()` and
`generated_survey()` build the two forms, for other figures (the player's keystroke)
too.

survey-core is installed by npm once into build/bench-cache/ from the oracle's
package.json (tests/oracle/, the tests' differential oracle), then reused.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import CACHE_DIR, ROOT, Figure

FIELDS = 2000
FIELDS_PER_STEP = 20
SEED = "seed"
SEED_VALUES = (7, 3)
BOUND = 5
"""A calculated field's value is (its rank) x seed: above BOUND x rank when seed > BOUND."""
NODE_SCRIPT = ROOT / "benchmarks" / "survey_recompute.mjs"
ORACLE_PACKAGE = ROOT / "tests" / "oracle"
NODE_TIMEOUT_S = 600


def _fields(n_fields: int) -> list[dict[str, Any]]:
    """The fields in the wizard's own (v2 file) form; see the module docstring."""
    fields: list[dict[str, Any]] = [{"id": SEED, "type": "number", "label": "Seed", "max": 1000}]
    previous, rank = SEED, 1
    for i in range(1, n_fields):
        field_id = f"f{i}"
        role = i % 4
        if role == 1:
            fields.append(
                {
                    "id": field_id,
                    "type": "calculated",
                    "label": f"Sum {i}",
                    "calculate": f"{{{previous}}} + {{{SEED}}}",
                }
            )
            previous, rank = field_id, rank + 1
        elif role == 2:
            fields.append(
                {
                    "id": field_id,
                    "type": "number",
                    "label": f"Number {i}",
                    "visible_if": f"{{{previous}}} > {BOUND * rank}",
                }
            )
        elif role == 3:
            fields.append(
                {
                    "id": field_id,
                    "type": "text",
                    "label": f"Text {i}",
                    "required_if": f"{{{previous}}} >= {BOUND * rank}",
                }
            )
        else:
            fields.append(
                {
                    "id": field_id,
                    "type": "choice",
                    "label": f"Choice {i}",
                    "visible_if": f"{{{SEED}}} > {i % 10}",
                    "options": [
                        {"value": "a", "label": "A"},
                        {"value": "b", "label": "B"},
                        {"value": "c", "label": "C", "visible_if": f"{{{SEED}}} > {BOUND}"},
                    ],
                }
            )
    return fields


def _steps(n_fields: int) -> list[tuple[int, list[dict[str, Any]]]]:
    fields = _fields(n_fields)
    return [
        (number, fields[start : start + FIELDS_PER_STEP])
        for number, start in enumerate(range(0, len(fields), FIELDS_PER_STEP), start=1)
    ]


def _step_condition(number: int) -> str | None:
    """Every tenth step (not the first) is shown while the seed is answered."""
    return f"{{{SEED}}} notempty" if number > 1 and number % 10 == 0 else None


def generated_wizard(n_fields: int = FIELDS) -> dict[str, Any]:
    """The generated wizard as a format-2 file (a dict), `n_fields` fields in steps of
    FIELDS_PER_STEP."""
    steps = []
    for number, fields in _steps(n_fields):
        step: dict[str, Any] = {"id": f"s{number}", "title": f"Step {number}", "fields": fields}
        if (condition := _step_condition(number)) is not None:
            step["visible_if"] = condition
        steps.append(step)
    return {
        "format_version": 2,
        "id": "expression-bench",
        "title": f"Expressions {n_fields}",
        "steps": steps,
    }


def _survey_question(field: dict[str, Any]) -> dict[str, Any]:
    question: dict[str, Any] = {"name": field["id"], "title": field["label"]}
    kind = field["type"]
    if kind == "calculated":
        question.update(type="expression", expression=field["calculate"])
    elif kind == "number":
        question.update(type="text", inputType="number")
    elif kind == "text":
        question.update(type="text")
    else:
        question.update(
            type="radiogroup",
            choices=[
                {"value": o["value"], "text": o["label"]}
                | ({"visibleIf": o["visible_if"]} if "visible_if" in o else {})
                for o in field["options"]
            ],
        )
    for ours, theirs in (("visible_if", "visibleIf"), ("required_if", "requiredIf")):
        if ours in field:
            question[theirs] = field[ours]
    return question


def generated_survey(n_fields: int = FIELDS) -> dict[str, Any]:
    """The same wizard as a SurveyJS survey: one page a step, expression questions for
    the calculated fields, the same expressions (SurveyJS's syntax is the format's)."""
    pages = []
    for number, fields in _steps(n_fields):
        page: dict[str, Any] = {
            "name": f"s{number}",
            "elements": [_survey_question(f) for f in fields],
        }
        if (condition := _step_condition(number)) is not None:
            page["visibleIf"] = condition
        pages.append(page)
    return {"pages": pages}


# --- survey-core in Node.


def survey_core_dir() -> Path:
    """A folder whose node_modules holds survey-core, installed once by `npm ci` from the
    oracle's package.json and lock file (tests/oracle/), named after their hash."""
    files = [ORACLE_PACKAGE / "package.json", ORACLE_PACKAGE / "package-lock.json"]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:16]
    folder = CACHE_DIR / f"survey-core-{digest}"
    if (folder / "node_modules" / "survey-core" / "package.json").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for file in files:
        shutil.copy(file, folder / file.name)
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        check=True,
        timeout=NODE_TIMEOUT_S,
    )
    return folder


class SurveyEngine:
    """survey-core in a Node process that stays up: `changes()` asks it to set the seed
    to each value in turn and returns its per-change milliseconds and what it saw."""

    def __init__(self, survey: dict[str, Any], workdir: Path) -> None:
        survey_file = workdir / "survey.json"
        survey_file.write_text(json.dumps(survey), encoding="utf-8")
        self.process = subprocess.Popen(
            ["node", str(NODE_SCRIPT), str(survey_core_dir()), str(survey_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def changes(self, values: list[int]) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"field": SEED, "values": values}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"survey_recompute.mjs exited {self.process.wait()}")
        result: dict[str, Any] = json.loads(line)
        return result

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=NODE_TIMEOUT_S)


def expression_recompute(quick: bool) -> Figure:
    from wizard_desktop.definition.loader import definition_from_dict
    from wizard_desktop.definition.logic import wizard_logic

    rounds, batch = (5, 10) if quick else (15, 20)
    definition = definition_from_dict(generated_wizard(), source="expression-bench")
    logic = wizard_logic(definition)
    live = logic.live({SEED: SEED_VALUES[-1]})
    values = [SEED_VALUES[n % 2] for n in range(batch)]

    def ours(full: bool = False) -> list[float]:
        taken = []
        for value in values:
            start = time.perf_counter()
            live.set_answer(SEED, value)
            if full:
                live.current  # noqa: B018 (the whole Resolution, built)
            taken.append((time.perf_counter() - start) * 1000)
        return taken

    with tempfile.TemporaryDirectory(prefix="bench-expr-") as workdir:
        engine = SurveyEngine(generated_survey(), Path(workdir))
        try:
            engine.changes([SEED_VALUES[-1]])
            engine.changes(values)  # warm-up, unrecorded
            ours()
            value: list[float] = []
            anchor: list[float] = []
            seen: dict[str, Any] = {}
            for _ in range(rounds):
                seen = engine.changes(values)
                anchor += seen["ms"]
                value += ours()
        finally:
            engine.close()
    with_current = ours(full=True)
    resolution = live.current
    ((last, expected),) = seen["values"].items()
    if resolution.values.get(last) != expected or len(resolution.fields) != seen["visible"]:
        raise RuntimeError(
            f"the two engines disagree: {last} = {resolution.values.get(last)!r} and"
            f" {len(resolution.fields)} fields shown here, {expected!r} and"
            f" {seen['visible']} in survey-core"
        )
    return Figure(
        name="expression_recompute",
        unit="ms",
        goal=1.0,
        value=value,
        anchor=anchor,
        what=(
            f"{FIELDS}-field wizard, seed changed: LiveResolution.set_answer | survey-core"
            " 3.1.1 setValue + every question's isVisible, timed inside Node"
        ),
        notes=[
            f"after the last change both show {seen['visible']} fields and {last} = {expected}",
            f"per change, medians of {len(value)}; {batch} changes a batch, sides alternating",
        ],
        extra={"set_answer + current (the full Resolution)": statistics.median(with_current)},
    )
