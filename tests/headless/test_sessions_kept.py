"""The resolution a save keeps for its session (`core.sessions._KEPT`): a save that
changes it gives what a save that resolves everything afresh gives. Two sessions of one
wizard, on a real SQLite file, go through the same random saves, drafts (and, with
repeats, adds, removes and undos); one of them is resolved from nothing before each (its
kept entry dropped), and their outcomes and everything stored are compared after each
step. With repeats, without (format 1 and 2), and on the imported 48-page MELINDA
survey."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.wizard_files import import_text
from wizard_desktop.core import repeats as core_repeats
from wizard_desktop.core import sessions
from wizard_desktop.core.wizards import import_wizard_file
from wizard_desktop.definition.model import FieldType, WizardDefinition
from wizard_desktop.definition.repeats import split_path
from wizard_desktop.store.models import Session

REALFORMS = Path(
    os.environ.get("REALFORMS", Path(__file__).resolve().parents[4] / "shared" / "realforms")
)
if not REALFORMS.is_dir():  # the worktree layout (/work/wt/NAME): shared sits two levels up
    REALFORMS = Path("/work/shared/realforms")

WIZARD = """\
format_version: 2
id: kept
title: Kept
steps:
  - id: start
    title: Start
    fields:
      - {id: owner, type: text, label: Owner}
      - {id: limit, type: number, label: Limit, default: 50}
  - id: item
    title: Item
    fields:
      - {id: name, type: text, label: Name, required: true}
      - {id: amount, type: number, label: "Amount for {name}", max: 1000}
      - id: note
        type: text
        label: Note
        visible_if: "{amount} > {limit}"
        required_if: "{amount} > 500"
      - id: size
        type: choice
        label: Size
        options:
          - {value: s, label: Small}
          - {value: l, label: Large, visible_if: "{amount} > 10"}
  - id: big
    title: Big
    visible_if: "sum({items.amount}) > 600"
    fields:
      - {id: why, type: text, label: Why, constraint: "{why} != {owner}"}
  - id: end
    title: End
    fields:
      - {id: total, type: calculated, label: Total, calculate: "sum({items.amount})"}
      - {id: named, type: calculated, label: Named, calculate: "count({items.name})"}
      - {id: sized, type: calculated, label: Sized, calculate: "count({items.size})"}
repeats:
  - id: items
    steps: [item]
    max: 6
    item_label: "Item {items.number}: {name}"
"""

FIELD_VALUES: dict[str, list[Any]] = {
    "owner": [None, "", "Ann", "Bo"],
    "limit": [None, 0, 50, 400],
    "name": [None, "", "Ann", "x", "Bo"],
    "amount": [None, 0, 5, 11, 99, 300, 700, 1000, 1001, 2.5],
    "note": [None, "", "n"],
    "size": [None, "s", "l"],
    "why": [None, "", "Ann", "because"],
}


def stored(session_id: str) -> dict[str, Any]:
    """Everything stored of a session that a save decides."""
    row = Session.get_by_id(session_id)
    return {
        "answers": sessions._stored_values(session_id),
        "progress": row.progress_percentage,
        "completed": list(row.completed_step_ids),
        "current": row.current_step_id,
        "counts": sessions.instance_counts(session_id),
    }


def outcome(call: Any) -> Any:
    """What an operation returned, or the refusal it raised (with its problems)."""
    try:
        result = call()
    except sessions.InvalidAnswersError as exc:
        return ("refused", exc.problems)
    if isinstance(result, core_repeats.RemovedInstance | sessions.StepSaved):
        return result
    return ("done", result)


def random_answers(rng: random.Random, step_id: str) -> dict[str, Any]:
    split = split_path(step_id)
    prefix = f"{split[0]}[{split[1]}]." if split is not None else ""
    base_step = split[2] if split is not None else step_id
    fields = {
        "start": ["owner", "limit"],
        "item": ["name", "amount", "note", "size"],
        "big": ["why"],
        "end": [],
    }[base_step]
    chosen = [f for f in fields if rng.random() < 0.8]
    return {prefix + f: rng.choice(FIELD_VALUES[f]) for f in chosen}


def operation(rng: random.Random, path: tuple[str, ...], removed: Any) -> tuple[str, Any]:
    kind = rng.choices(["step", "draft", "add", "remove", "restore"], [6, 3, 1, 1, 1])[0]
    step_id = rng.choice(path)
    if kind == "step":
        return kind, (step_id, random_answers(rng, step_id))
    if kind == "draft":
        return kind, (random_answers(rng, step_id), rng.choice([None, step_id]))
    if kind == "remove":
        return kind, (rng.randrange(0, 6), step_id)
    if kind == "restore" and removed is not None:
        return kind, (removed, step_id)
    return "add", ()


def run(kind: str, session_id: str, args: Any) -> Any:
    if kind == "step":
        return outcome(lambda: sessions.save_step(session_id, *args))
    if kind == "draft":
        return outcome(lambda: sessions.save_draft(session_id, *args))
    if kind == "add":
        return outcome(lambda: core_repeats.add_instance(session_id, "items"))
    if kind == "remove":
        index, at = args
        return outcome(lambda: core_repeats.remove_instance(session_id, "items", index, at))
    removed, at = args
    return outcome(lambda: core_repeats.restore_instance(session_id, removed, at))


@pytest.mark.parametrize("seed", range(6))
def test_a_save_on_the_kept_resolution_is_a_save_resolved_afresh(store: Path, seed: int) -> None:
    rng = random.Random(seed)
    wizard_id = import_text(store, WIZARD)
    kept_id = sessions.start_session(wizard_id).id
    fresh_id = sessions.start_session(wizard_id).id
    removed: dict[str, Any] = {}
    hits = 0
    for _ in range(70):
        path = sessions.load_session(fresh_id).path.step_ids
        kind, args = operation(rng, path, removed.get(fresh_id))
        hits += kept_id in sessions._KEPT
        sessions._KEPT.pop(fresh_id, None)  # the other one resolves everything afresh
        got = run(kind, kept_id, args)
        want = run(kind, fresh_id, args)
        assert got == want, (kind, args)
        assert stored(kept_id) == stored(fresh_id), (kind, args)
        if kind == "remove" and isinstance(want, core_repeats.RemovedInstance):
            removed[fresh_id] = want
        elif kind == "restore":
            removed.pop(fresh_id, None)
    assert hits > 20  # the kept resolution was used, not rebuilt each time


def test_a_write_from_another_process_is_seen(store: Path) -> None:
    """The kept resolution is valid only while the session row is as its write left it:
    a draft stored by another process moves the row, so the next save reads again."""
    wizard_id = import_text(store, WIZARD)
    session_id = sessions.start_session(wizard_id).id
    sessions.save_step(session_id, "start", {"owner": "Ann", "limit": 50})
    sessions.save_step(session_id, "items[0].item", {"items[0].name": "A", "items[0].amount": 30})
    assert session_id in sessions._KEPT
    script = (
        "import sys; from pathlib import Path\n"
        "from wizard_desktop.store.database import open_database, close_database\n"
        "from wizard_desktop.core.sessions import save_draft\n"
        "open_database(Path(sys.argv[1]))\n"
        "save_draft(sys.argv[2], {'items[0].amount': 700, 'owner': 'Bo'})\n"
        "close_database()\n"
    )
    subprocess.run([sys.executable, "-c", script, str(store), session_id], check=True)
    saved = sessions.save_step(
        session_id, "items[0].item", {"items[0].name": "A", "items[0].note": "n"}
    )
    # the other process's 700 counts: the Big step joins the path, the note is required
    assert "big" in saved.path_step_ids
    with pytest.raises(sessions.InvalidAnswersError) as refused:
        sessions.save_step(session_id, "items[0].item", {"items[0].note": None})
    assert set(refused.value.problems) == {"items[0].note"}
    assert sessions.load_session(session_id).calculated["total"] == 700


def test_an_answer_the_option_filter_cleared_stays_cleared_in_the_kept_resolution(
    store: Path,
) -> None:
    wizard_id = import_text(store, WIZARD)
    session_id = sessions.start_session(wizard_id).id
    sessions.save_step(session_id, "start", {"owner": "Ann"})
    step = "items[0].item"
    saved = sessions.save_step(
        session_id, step, {"items[0].name": "A", "items[0].amount": 5, "items[0].size": "l"}
    )
    assert set(saved.cleared) == {"items[0].size"}
    assert session_id in sessions._KEPT
    sessions.save_step(session_id, step, {"items[0].amount": 99})  # Large is offered again
    state = sessions.load_session(session_id)
    assert "items[0].size" in state.cleared
    assert state.calculated["sized"] == 0


# --- Without repeats: format 2 (step, field and option conditions, required_if,
# enabled_if, constraint, calculated values) and format 1 (its conditions).

PLAIN_V2 = """\
format_version: 2
id: plain
title: Plain
steps:
  - id: start
    title: Start
    fields:
      - {id: owner, type: text, label: Owner}
      - {id: limit, type: number, label: Limit, default: 50}
      - id: kind
        type: choice
        label: Kind
        options: [{value: a, label: A}, {value: b, label: B}]
  - id: detail
    title: Detail
    visible_if: "{kind} = 'a' or {limit} > 100"
    fields:
      - {id: amount, type: number, label: "Amount for {owner}", max: 1000}
      - id: note
        type: text
        label: Note
        visible_if: "{amount} > {limit}"
        required_if: "{amount} > 500"
      - {id: locked, type: text, label: Locked, enabled_if: "{owner} != 'Bo'"}
      - id: size
        type: choice
        label: Size
        options:
          - {value: s, label: Small}
          - {value: l, label: Large, visible_if: "{amount} > 10"}
  - id: big
    title: Big
    visible_if: "{total} > 600"
    fields:
      - {id: why, type: text, label: Why, required: true, constraint: "{why} != {owner}"}
  - id: end
    title: End
    fields:
      - {id: total, type: calculated, label: Total, calculate: "{amount} + {limit}"}
      - {id: tag, type: calculated, label: Tag, calculate: "{owner} + '-' + {size}"}
"""

PLAIN_V1 = """\
format_version: 1
id: plainone
title: Plain one
steps:
  - id: start
    title: Start
    fields:
      - id: kind
        type: choice
        label: Kind
        options: [{value: a, label: A}, {value: b, label: B}, {value: c, label: C}]
      - {id: owner, type: text, label: Owner, required: true, max_length: 3}
      - {id: extra, type: text, label: Extra, required: true, visible_if: {field: kind, equals: b}}
  - id: detail
    title: Detail
    visible_if: {field: kind, in: [a, b]}
    fields:
      - {id: amount, type: number, label: Amount, max: 1000, default: 5}
      - {id: flag, type: boolean, label: Flag}
      - {id: note, type: text, label: Note, required: true, visible_if: {field: flag, equals: true}}
  - id: end
    title: End
    visible_if: {any: [{field: amount, gt: 100}, {field: owner, answered: false}]}
    fields:
      - id: tags
        type: multi_choice
        label: Tags
        options: [{value: x, label: X}, {value: y, label: Y}]
"""

PLAIN_VALUES: dict[str, list[Any]] = {
    **FIELD_VALUES,
    "kind": [None, "a", "b", "c"],
    "locked": [None, "", "k"],
    "extra": [None, "", "e"],
    "flag": [None, True, False],
    "tags": [None, [], ["x"], ["x", "y"], ["z"]],
    "owner": [None, "", "Ann", "Bo", "toolong"],
}


def plain_answers(rng: random.Random, definition: WizardDefinition, step_id: str) -> Any:
    """Random answers for a step's fields (some left out), valid or not: from
    PLAIN_VALUES, else by the field's type."""
    step = definition.step(step_id)
    assert step is not None
    answers: dict[str, Any] = {}
    for f in step.fields:
        if f.type in (FieldType.NOTE, FieldType.CALCULATED) or rng.random() < 0.2:
            continue
        options = [o.value for o in f.options]
        values: list[Any] = PLAIN_VALUES.get(f.id) or {
            FieldType.CHOICE: [None, *options, "not-an-option"],
            FieldType.MULTI_CHOICE: [None, [], options[:1], options[-2:]],
            FieldType.BOOLEAN: [None, True, False],
            FieldType.NUMBER: [None, 0, 1, 3, 7, 250],
            FieldType.RATING: [None, *options[:2]] if options else [None, 1, 3],
            FieldType.TEXT: [None, "", "x", "Other"],
            FieldType.MULTILINE: [None, "", "a\nb"],
        }.get(f.type, [None])
        answers[f.id] = rng.choice(values)
    return answers


def kept_and_fresh(wizard_id: str, seed: int, rounds: int) -> int:
    """The same random saves and drafts on two sessions of `wizard_id`, one resolved
    afresh before each; compared after each. How often the kept one was used."""
    rng = random.Random(seed)
    kept_id = sessions.start_session(wizard_id).id
    fresh_id = sessions.start_session(wizard_id).id
    definition = sessions.load_session(kept_id).definition
    hits = 0
    for _ in range(rounds):
        path = sessions.load_session(fresh_id).path.step_ids
        on = rng.choice(path) if rng.random() < 0.9 else rng.choice(definition.steps).id
        kind = rng.choices(["step", "draft"], [2, 1])[0]
        answers = plain_answers(rng, definition, on)
        args = (on, answers) if kind == "step" else (answers, rng.choice([None, on]))
        hits += kept_id in sessions._KEPT
        sessions._KEPT.pop(fresh_id, None)  # the other one resolves everything afresh
        got = run(kind, kept_id, args)
        want = run(kind, fresh_id, args)
        assert got == want, (kind, args)
        assert stored(kept_id) == stored(fresh_id), (kind, args)
    return hits


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("text", [PLAIN_V2, PLAIN_V1], ids=["format2", "format1"])
def test_a_wizard_without_repeats_keeps_a_resolution_as_exact_as_a_fresh_one(
    store: Path, text: str, seed: int
) -> None:
    hits = kept_and_fresh(import_text(store, text), seed, 80)
    assert hits > 30


@pytest.mark.parametrize("seed", range(2))
def test_the_imported_melinda_survey_keeps_a_resolution_as_exact_as_a_fresh_one(
    store: Path, seed: int
) -> None:
    """48 pages, each hidden when none of its questions shows: every answer steers."""
    survey = REALFORMS / "surveyjs" / "melinda-mobility.json"
    wizard_id = import_wizard_file(survey, skip_unsupported=True).wizard_id
    hits = kept_and_fresh(wizard_id, seed, 120)
    assert hits > 50


def test_a_write_of_another_process_is_seen_without_repeats(store: Path) -> None:
    wizard_id = import_text(store, PLAIN_V2)
    session_id = sessions.start_session(wizard_id).id
    sessions.save_step(session_id, "start", {"owner": "Ann", "kind": "a"})
    sessions.save_step(session_id, "detail", {"amount": 30})
    assert session_id in sessions._KEPT
    script = (
        "import sys; from pathlib import Path\n"
        "from wizard_desktop.store.database import open_database, close_database\n"
        "from wizard_desktop.core.sessions import save_draft\n"
        "open_database(Path(sys.argv[1]))\n"
        "save_draft(sys.argv[2], {'amount': 700})\n"
        "close_database()\n"
    )
    subprocess.run([sys.executable, "-c", script, str(store), session_id], check=True)
    with pytest.raises(sessions.InvalidAnswersError) as refused:
        sessions.save_step(session_id, "detail", {"note": None})  # 700 > 500: required
    assert set(refused.value.problems) == {"note"}
    saved = sessions.save_step(session_id, "detail", {"note": "n"})
    assert "big" in saved.path_step_ids  # 700 + 50 > 600
    assert sessions.load_session(session_id).calculated["total"] == 750
