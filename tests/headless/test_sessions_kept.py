"""The resolution a save keeps for a session with repeats (`core.sessions._KEPT`): a save
that changes it gives what a save that resolves everything afresh gives. Two sessions of
one wizard, on a real SQLite file, go through the same random saves, drafts, adds,
removes and undos; one of them is resolved from nothing before each (its kept entry
dropped), and their outcomes and everything stored are compared after each step."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.wizard_files import import_text
from wizard_desktop.core import repeats as core_repeats
from wizard_desktop.core import sessions
from wizard_desktop.definition.repeats import split_path
from wizard_desktop.store.models import Session

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
