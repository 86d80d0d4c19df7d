"""Repeats: the format, the expansion, the logic across instances, the store and the core
(adding, removing and restoring instances, progress, resume)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.repeat_files import COUNTED, DEPENDENTS
from tests.wizard_files import THREE_STEPS, import_text
from wizard_desktop.core import repeats as core_repeats
from wizard_desktop.core import sessions
from wizard_desktop.definition.loader import parse_wizard_text
from wizard_desktop.definition.logic import wizard_logic
from wizard_desktop.definition.problems import WizardFileError
from wizard_desktop.definition.repeats import expand, expand_for, split_path


def test_expansion_gives_instance_paths_and_reads_the_same_instance() -> None:
    definition = parse_wizard_text(DEPENDENTS, "w.yaml", "yaml")
    expanded = expand(definition, {"dependents": 3}).definition
    assert [s.id for s in expanded.steps] == [
        "you",
        "dependents[0].dependent",
        "dependents[1].dependent",
        "dependents[2].dependent",
        "totals",
    ]
    answers = {
        "dependents[0].name": "Ada",
        "dependents[0].age": 10,
        "dependents[1].name": "Bo",
        "dependents[1].age": 30,
        "dependents[2].age": 20,
    }
    resolution = wizard_logic(expanded).resolve(answers)
    # {age} < 18 reads the same instance: only Ada's school shows
    assert "dependents[0].school" in resolution.fields
    assert "dependents[1].school" not in resolution.fields
    assert resolution.values == {"total_age": 60, "how_many": 3, "oldest": 30, "first": "Ada"}
    assert resolution.texts[("dependents[1].dependent", "title")] == "Dependent 2: Bo"
    assert resolution.texts[("dependents[0].age", "label")] == "Age of Ada"
    assert split_path("dependents[2].name") == ("dependents", 2, "name")


def test_canonical_form_keeps_the_repeats() -> None:
    definition = parse_wizard_text(DEPENDENTS, "w.yaml", "yaml")
    again = parse_wizard_text(definition.canonical_json(), "w.json", "json")
    assert again.repeats == definition.repeats
    assert again.content_hash() == definition.content_hash()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('calculate: "sum({dependents.age})"', None),
        ('calculate: "{age}"', "{age} is asked once per instance of repeat 'dependents'"),
        ('calculate: "{dependents.number}"', "only inside repeat 'dependents'"),
        ('calculate: "{dependents.nope}"', "repeat 'dependents' has no field 'nope'"),
    ],
)
def test_references_outside_a_repeat_are_checked(change: str, message: str | None) -> None:
    text = DEPENDENTS.replace('calculate: "sum({dependents.age})"', change)
    if message is None:
        parse_wizard_text(text, "w.yaml", "yaml")
        return
    with pytest.raises(WizardFileError) as caught:
        parse_wizard_text(text, "w.yaml", "yaml")
    problem = caught.value.problems[0]
    assert message in problem.message
    assert problem.line == 18 and problem.column is not None


def test_repeat_steps_must_be_consecutive() -> None:
    text = DEPENDENTS.replace("steps: [dependent]", "steps: [dependent, you]")
    with pytest.raises(WizardFileError) as caught:
        parse_wizard_text(text, "w.yaml", "yaml")
    assert "consecutive" in str(caught.value)


def test_add_another_progress_resume_remove_and_undo(store: Path) -> None:
    wizard_id = import_text(store, DEPENDENTS)
    info = sessions.start_session(wizard_id)
    sid = info.id
    state = sessions.load_session(sid)
    assert [s.id for s in state.path.steps] == ["you", "dependents[0].dependent", "totals"]
    sessions.save_step(sid, "you", {"your_name": "Me"})
    saved = sessions.save_step(
        sid, "dependents[0].dependent", {"dependents[0].name": "Ada", "dependents[0].age": 9}
    )
    assert saved.progress_percentage == pytest.approx(66.67)
    # Add another: its step joins the path, not completed: 2 of 4 = 50 %
    first = core_repeats.add_instance(sid, "dependents")
    assert first == "dependents[1].dependent"
    assert sessions.get_session(sid).progress_percentage == 50.0
    sessions.save_step(sid, first, {"dependents[1].name": "Bo", "dependents[1].age": 40})
    core_repeats.add_instance(sid, "dependents")
    sessions.save_step(
        sid, "dependents[2].dependent", {"dependents[2].name": "Cy", "dependents[2].age": 12}
    )
    state = sessions.load_session(sid)
    assert state.info.current_step_id == "totals"  # resume lands after instance 3
    assert state.resolution.values["total_age"] == 61
    # remove Bo: its answers go, Cy becomes instance 2 (index 1)
    removed = core_repeats.remove_instance(sid, "dependents", 1, "totals")
    assert removed.answers == {"name": "Bo", "age": 40}
    state = sessions.load_session(sid)
    assert state.answers["dependents[1].name"] == "Cy"
    assert "dependents[2].name" not in state.answers
    assert state.resolution.values["total_age"] == 21
    assert state.info.progress_percentage == 75.0  # 3 of 4, Cy's step still completed
    # undo: Bo back at instance 2, Cy at 3, every answer as it was
    core_repeats.restore_instance(sid, removed, "totals")
    state = sessions.load_session(sid)
    assert [state.answers[f"dependents[{i}].name"] for i in range(3)] == ["Ada", "Bo", "Cy"]
    assert state.info.progress_percentage == 80.0
    assert state.resolution.values["total_age"] == 61


def test_remove_below_min_is_refused(store: Path) -> None:
    wizard_id = import_text(store, DEPENDENTS.replace("min: 0", "min: 1"))
    sid = sessions.start_session(wizard_id).id
    with pytest.raises(sessions.InvalidAnswersError):
        core_repeats.remove_instance(sid, "dependents", 0, "you")
    assert sessions.load_session(sid).path.step_ids[1] == "dependents[0].dependent"


def test_count_expression_lays_out_instances(store: Path) -> None:
    wizard_id = import_text(store, COUNTED)
    sid = sessions.start_session(wizard_id).id
    assert sessions.load_session(sid).path.step_ids == ("size", "end")
    saved = sessions.save_step(sid, "size", {"household_size": 2})
    assert saved.path_step_ids == (
        "size",
        "members[0].adult",
        "members[0].job",
        "members[1].adult",
        "members[1].job",
        "end",
    )
    assert saved.current_step_id == "members[0].adult"
    sessions.save_step(sid, "members[0].adult", {"members[0].name": "Ada"})
    state = sessions.load_session(sid)
    assert state.resolution.texts[("members[0].job", "title")] == "Person 1: Ada · Job of Ada"
    assert state.resolution.values["people"] == 1


def test_migration_0005_keeps_every_answer(data_dir: Path) -> None:
    """A database at schema 4 with real answers migrates; every answer is the same."""
    from wizard_desktop.store import database

    database.open_database(data_dir)
    wizard_id = import_text(data_dir, THREE_STEPS)
    sid = sessions.start_session(wizard_id).id
    first = sessions.load_session(sid).path.steps[0]
    sessions.save_draft(sid, {f.id: "x" for f in first.fields if f.type.value == "text"})
    database.close_database()
    (path,) = data_dir.glob("*.sqlite3")
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TABLE session_repeat")
        raw.execute("DELETE FROM schema_migration WHERE name LIKE '0005%'")
        before = raw.execute("SELECT session_id, field_id, value FROM answer ORDER BY 2").fetchall()
    assert before
    database.open_database(data_dir)
    try:
        with sqlite3.connect(path) as raw:
            after = raw.execute(
                "SELECT session_id, field_id, value FROM answer ORDER BY 2"
            ).fetchall()
            tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
        assert after == before and "session_repeat" in tables
        assert sessions.load_session(sid).answers == {k: json.loads(v) for _s, k, v in before}
    finally:
        database.close_database()


NESTED = """\
format_version: 2
id: nested
title: Nested
steps:
  - id: start
    title: Start
    fields:
      - {id: has_cars, type: boolean, label: Any cars?}
  - id: car
    title: Car
    visible_if: "{has_cars} = true"
    fields:
      - id: kind
        type: choice
        label: Kind
        options: [{value: ev, label: Electric}, {value: gas, label: Gas}]
  - id: fuel
    title: "Fuel of car {cars.number}"
    visible_if: "{kind} = 'gas'"
    fields:
      - {id: litres, type: number, label: Litres}
  - id: end
    title: End
    fields:
      - {id: gas_cars, type: calculated, label: Gas cars, calculate: "count({cars.litres})"}
      - {id: litres_total, type: calculated, label: Litres, calculate: "sum({cars.litres})"}
repeats:
  - id: cars
    steps: [car, fuel]
    max: 5
"""


def test_a_repeat_nested_in_conditions_with_aggregates() -> None:
    definition = parse_wizard_text(NESTED, "w.yaml", "yaml")
    expanded = expand(definition, {"cars": 3}).definition
    logic = wizard_logic(expanded)
    none = logic.resolve({"has_cars": False})
    assert none.steps == ("start", "end")  # the outside condition hides every instance
    answers = {
        "has_cars": True,
        "cars[0].kind": "gas",
        "cars[0].litres": 40,
        "cars[1].kind": "ev",
        "cars[1].litres": 99,  # on a step its own instance hides: does not count
        "cars[2].kind": "gas",
        "cars[2].litres": 5,
    }
    resolution = logic.resolve(answers)
    assert resolution.steps == (
        "start",
        "cars[0].car",
        "cars[0].fuel",
        "cars[1].car",
        "cars[2].car",
        "cars[2].fuel",
        "end",
    )
    assert resolution.values == {"gas_cars": 2, "litres_total": 45}
    fuel = expanded.step("cars[2].fuel")
    assert fuel is not None and fuel.title == "Fuel of car 3"


def test_a_huge_repeat_is_refused_at_load_and_a_huge_count_stops() -> None:
    fields = "".join(f"      - {{id: f{n}, type: text, label: F{n}}}\n" for n in range(99))
    text = DEPENDENTS.replace(
        "      - {id: name, type: text, label: Name, required: true}\n",
        "      - {id: name, type: text, label: Name, required: true}\n" + fields,
    ).replace("max: 600", "max: 1000")
    with pytest.raises(WizardFileError) as caught:
        parse_wizard_text(text, "w.yaml", "yaml")
    assert "at most 194 instances" in str(caught.value)
    counted = COUNTED.replace('repeat_count: "{household_size}"', 'repeat_count: "10 ^ 9"')
    definition = parse_wizard_text(counted, "w.yaml", "yaml")
    expansion = expand(definition, {"members": 10**9})
    assert expansion.counts["members"] == 1000  # the most a repeat of 2 steps, 2 fields holds


def test_a_repeat_label_beside_too_many_steps_is_one_problem() -> None:
    """More steps than a wizard may have: the steps are not read, nor the repeats that
    name them (an `item_label` reading a name was an internal error)."""
    steps = "".join(
        f"  - {{id: s{n}, fields: [{{id: f{n}, type: text, label: F}}]}}\n" for n in range(1001)
    )
    text = (
        "format_version: 2\nid: w\ntitle: W\nsteps:\n"
        + steps
        + "repeats:\n  - {id: r, steps: [s0], item_label: 'Item {f0}'}\n"
    )
    with pytest.raises(WizardFileError) as caught:
        parse_wizard_text(text, "w.yaml", "yaml")
    messages = [p.message for p in caught.value.problems]
    assert messages == ["too many steps (1001); the limit is 1000"]


@pytest.mark.parametrize(
    ("household_size", "instances"), [(3, 3), (1000, 1000), (1001, 1000), (10**12, 1000)]
)
def test_a_counted_repeat_stops_at_the_most_it_holds(household_size: int, instances: int) -> None:
    """A `repeat_count` answered above MAX_INSTANCES lays out as many as the repeat holds
    (it laid out none: every instance went off the path)."""
    definition = parse_wizard_text(COUNTED, "w.yaml", "yaml")
    answers = {"household_size": household_size}
    expansion = expand_for(definition, {}, answers, lambda d, a: wizard_logic(d).resolve(a).scope)
    assert expansion.counts["members"] == instances


def test_a_repeat_step_with_problems_is_told_once() -> None:
    """A repeat's step that has problems of its own is not read: its problems are said
    where they are, and the repeat does not add "no step 'dependent' in this wizard"."""
    text = DEPENDENTS.replace(
        "{id: name, type: text, label: Name, required: true}",
        "{id: name, type: txet, label: Name, required: true}",
    )
    with pytest.raises(WizardFileError) as caught:
        parse_wizard_text(text, "w.yaml", "yaml")
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 1 and "txet" in messages[0], messages
    text = DEPENDENTS.replace("steps: [dependent]", "steps: [dependant]")
    with pytest.raises(WizardFileError) as caught:
        parse_wizard_text(text, "w.yaml", "yaml")
    assert "no step 'dependant' in this wizard" in [p.message for p in caught.value.problems]


@pytest.mark.parametrize(("written", "hint"), [("empty", "= 0"), ("notempty", "> 0")])
def test_a_repeat_tested_empty_is_a_load_error_naming_its_length(written: str, hint: str) -> None:
    """`{r} notempty` on a repeat: the repeat is laid out as its instances' list, which
    `empty`/`notempty` do not take (it was an internal error); `{r.length}` is said."""
    text = DEPENDENTS.replace(
        "  - id: totals\n    title: Totals\n",
        f'  - id: totals\n    title: Totals\n    visible_if: "{{dependents}} {written}"\n',
    )
    with pytest.raises(WizardFileError) as caught:
        parse_wizard_text(text, "w.yaml", "yaml")
    assert [p.message for p in caught.value.problems] == [
        f"{{dependents}} {written}: dependents is a repeat; write {{dependents.length}} {hint}"
    ]
    fixed = text.replace(f"{{dependents}} {written}", f"{{dependents.length}} {hint}")
    definition = parse_wizard_text(fixed, "w.yaml", "yaml")
    shown = wizard_logic(expand(definition, {"dependents": 2}).definition).resolve({}).path
    assert ("totals" in [s.id for s in shown.steps]) is (written == "notempty")
