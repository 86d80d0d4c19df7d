"""definition/logic.py on wizards read for real: format 1 paths exactly as the step-by-step
walk gives them, format 2 calculations, requirements, read-only fields, choice filters,
defaults computed once and texts; the live resolution always equal to a fresh one and
telling every element whose state changed; one budget per change."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.wizard_files import load_json, wizard_data
from wizard_desktop.definition import conditions
from wizard_desktop.definition.expressions import ExpressionCostExceeded
from wizard_desktop.definition.loader import load_wizard_file
from wizard_desktop.definition.logic import (
    CONSTRAINT_MESSAGE,
    Resolution,
    wizard_logic,
)
from wizard_desktop.definition.model import AnswerValue, Field, FieldType, WizardDefinition
from wizard_desktop.paths import bundled_wizards_dir

BUNDLED = sorted(bundled_wizards_dir().glob("*.*"))
# The bundled wizards still in format 1 (the Expense Claim and the Field Showcase are 2).
BUNDLED_V1 = [p for p in BUNDLED if load_wizard_file(p).format_version == 1]


def v2(*steps: dict[str, Any]) -> WizardDefinition:
    data = wizard_data(format_version=2)
    data["steps"] = list(steps)
    return load_json(data)


def step(step_id: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": step_id, "title": step_id.title(), "fields": list(fields), **extra}


def number(field_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": field_id, "type": "number", "label": field_id.title(), **extra}


def text(field_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": field_id, "type": "text", "label": field_id.title(), **extra}


# --- Format 1: the walk it always was ----------------------------------------------


def walked_path(definition: WizardDefinition, answers: Mapping[str, AnswerValue]) -> Any:
    """The format 1 rule written out: steps in order, a condition reads the answers of
    the visible fields before it."""
    counted: dict[str, AnswerValue] = {}
    steps, visible = [], {}
    for s in definition.steps:
        if s.visible_if is not None and not conditions.evaluate(s.visible_if, counted):  # type: ignore[arg-type]
            continue
        steps.append(s.id)
        shown = []
        for f in s.fields:
            if f.visible_if is not None and not conditions.evaluate(f.visible_if, counted):  # type: ignore[arg-type]
                continue
            shown.append(f.id)
            value = answers.get(f.id)
            if value is not None and conditions.is_answered(value):
                counted[f.id] = value
        visible[s.id] = tuple(shown)
    return tuple(steps), visible, counted


def answer_for(f: Field, draw: st.DrawFn) -> AnswerValue | None:
    if f.type is FieldType.NUMBER:
        return draw(st.one_of(st.none(), st.integers(-5, 60)))
    if f.type is FieldType.BOOLEAN:
        return draw(st.one_of(st.none(), st.booleans()))
    if f.type in (FieldType.CHOICE, FieldType.RATING) and f.options:
        return draw(st.one_of(st.none(), st.sampled_from([o.value for o in f.options])))
    if f.type is FieldType.MULTI_CHOICE:
        return draw(st.lists(st.sampled_from([o.value for o in f.options]), unique=True))
    if f.type is FieldType.DATE:
        return draw(st.sampled_from([None, "2020-01-01", "2025-06-30"]))
    return draw(st.sampled_from([None, "", "x", "yes"]))


@pytest.mark.parametrize("path", BUNDLED_V1, ids=lambda p: p.name)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_format_1_path_is_the_walk_in_definition_order(path: Any, data: st.DataObject) -> None:
    definition = load_wizard_file(path)
    answers = {
        f.id: value for f in definition.fields if (value := answer_for(f, data.draw)) is not None
    }
    resolved = wizard_logic(definition).resolve(answers)
    steps, visible, counted = walked_path(definition, answers)
    assert resolved.steps == steps == resolved.path.step_ids
    assert {s: tuple(f.id for f in fs) for s, fs in resolved.path.visible_fields.items()} == visible
    assert dict(resolved.path.answers) == counted
    assert conditions.resolve_path(definition, answers) == resolved.path


def test_the_logic_is_built_once_per_definition() -> None:
    definition = load_wizard_file(BUNDLED[0])
    assert wizard_logic(definition) is wizard_logic(definition)


# --- Format 2 semantics ------------------------------------------------------------

EXPENSES = v2(
    step(
        "claim",
        text("name", required=True),
        number("amount", min=0, decimals=2),
        number("rate", default=21),
        {
            "id": "tax",
            "type": "calculated",
            "label": "Tax",
            "calculate": "{amount} * {rate} / 100",
            "hidden": True,
        },
        {
            "id": "total",
            "type": "calculated",
            "label": "Total {total}",
            "calculate": "{amount} + {tax}",
        },
        text(
            "approver",
            required_if="{total} > 1000",
            constraint="{approver} != {name}",
            constraint_message="Someone else approves.",
        ),
        text("code", enabled_if="{amount} > 0", required=True),
        {
            "id": "kind",
            "type": "choice",
            "label": "Kind",
            "options": [
                {"value": "meal", "label": "Meal"},
                {"value": "flight", "label": "Flight", "visible_if": "{total} > 100"},
            ],
        },
        {"id": "hi", "type": "note", "label": "Hello {name}"},
        text("when", default_expression="{name} + '!'"),
    ),
    step("why", text("reason", required=True), visible_if="{total} > 500", title="Why, {name}?"),
    step("end", number("check", constraint="{check} < {total}")),
)


def resolve(answers: dict[str, AnswerValue], **kwargs: Any) -> Resolution:
    return wizard_logic(EXPENSES).resolve(answers, **kwargs)


def test_calculations_run_in_dependency_order_and_hidden_ones_show_only_as_values() -> None:
    r = resolve({"name": "Ann", "amount": 1000, "rate": 10})
    assert r.values == {"tax": 100, "total": 1100}
    assert "tax" not in r.fields and "total" in r.fields and "hi" in r.fields
    assert r.steps == ("one", "why", "end") or r.steps == ("claim", "why", "end")
    assert r.scope["total"] == 1100 and r.path.answers["tax"] == 100
    assert r.texts[("total", "label")] == "Total 1100"
    assert r.texts[("why", "title")] == "Why, Ann?"
    assert r.texts[("hi", "label")] == "Hello Ann"


def test_required_if_and_enabled_if_are_read_now() -> None:
    r = resolve({"name": "Ann", "amount": 2000, "rate": 0})
    assert "approver" in r.required and "code" in r.required and "code" not in r.disabled
    r = resolve({"name": "Ann", "amount": 10, "rate": 0})
    assert "approver" not in r.required
    r = resolve({"name": "Ann", "rate": 0})
    assert "code" in r.disabled
    problems = wizard_logic(EXPENSES).step_problems(r, "claim", {"name": "Ann"})
    assert "code" not in problems, "a read-only field cannot be made to answer"


def test_step_problems_check_what_is_required_now_and_the_constraint() -> None:
    answers: dict[str, AnswerValue] = {"name": "Ann", "amount": 2000, "rate": 0, "approver": "Ann"}
    r = resolve(answers)
    assert r.problems == {"approver": "Someone else approves."}
    problems = wizard_logic(EXPENSES).step_problems(r, "claim", answers)
    assert problems == {"approver": "Someone else approves.", "code": "This field is required."}
    assert wizard_logic(EXPENSES).step_problems(r, "why", answers) == {
        "reason": "This field is required."
    }
    r = resolve({**answers, "check": 5000})
    assert r.problems["check"] == CONSTRAINT_MESSAGE


def test_an_answer_whose_option_is_filtered_out_does_not_count() -> None:
    r = resolve({"name": "Ann", "amount": 200, "rate": 0, "kind": "flight"})
    assert r.options["kind"] == ("meal", "flight") and r.scope["kind"] == "flight"
    r = resolve({"name": "Ann", "amount": 20, "rate": 0, "kind": "flight"})
    assert r.options["kind"] == ("meal",) and "kind" not in r.scope
    assert r.problems["kind"] == "'flight' is no longer among the options."


def test_a_hidden_fields_answer_steers_nothing() -> None:
    r = resolve({"name": "Ann", "amount": 600, "rate": 0, "reason": "x"})
    assert r.steps[1] == "why" and r.scope["reason"] == "x"
    r = resolve({"name": "Ann", "amount": 60, "rate": 0, "reason": "x"})
    assert "why" not in r.steps and "reason" not in r.scope and "reason" not in r.fields


def test_a_computed_default_is_read_until_answered_or_cleared() -> None:
    r = resolve({"name": "Ann"})
    assert r.defaults == {"when": "Ann!"} and r.scope["when"] == "Ann!"
    assert resolve({"name": "Ann", "when": "now"}).defaults == {}
    cleared = resolve({"name": "Ann"}, cleared={"when"})
    assert cleared.defaults == {} and "when" not in cleared.scope


def test_a_live_default_is_computed_once_when_the_field_first_shows() -> None:
    live = wizard_logic(EXPENSES).live({"name": "Ann"})
    assert live.current.defaults == {"when": "Ann!"}
    live.set_answer("name", "Bob")
    assert live.current.defaults == {"when": "Ann!"}, "computed once"
    live.set_answer("when", None)
    assert live.current.defaults == {} and "when" not in live.current.scope


def test_an_exhausted_budget_raises_and_the_answers_stay() -> None:
    # Cheap with nothing answered (so it loads), too costly once `a` opens the steps.
    costly = " * ".join(["({a} + 1)"] * 150)  # 451 cost units
    calculated = {"type": "calculated", "label": "C", "calculate": costly}
    d = v2(
        step("s", number("a")),
        *(
            step(
                f"t{i}",
                *({**calculated, "id": f"c{i}-{j}"} for j in range(200)),
                visible_if="{a} > 0",
            )
            for i in range(3)
        ),
    )
    live = wizard_logic(d).live({})
    with pytest.raises(ExpressionCostExceeded):
        wizard_logic(d).resolve({"a": 1})
    with pytest.raises(ExpressionCostExceeded):
        live.set_answer("a", 1)
    assert live.answers == {"a": 1}
    with pytest.raises(ExpressionCostExceeded):
        _ = live.current
    live.set_answer("a", None)
    assert live.current.steps == ("s",), "the next change starts again from scratch"


# --- Live resolution: equal to a fresh one, every change told ---------------------

FIELD_IDS = ["name", "amount", "rate", "approver", "code", "kind", "when", "reason", "check"]
VALUES: dict[str, list[AnswerValue | None]] = {
    "name": [None, "Ann", "Bob"],
    "amount": [None, 0, 50, 300, 800, 2000],
    "rate": [None, 0, 21],
    "approver": [None, "Ann", "Cy"],
    "code": [None, "x"],
    "kind": [None, "meal", "flight"],
    "when": [None, "", "later"],
    "reason": [None, "r"],
    "check": [None, 1, 5000],
}


def state_of(r: Resolution) -> dict[str, Any]:
    """Each element's state, comparable between two resolutions."""
    out: dict[str, Any] = {s: ("step", r.texts.get((s, "title"))) for s in r.steps}
    for f in [*r.fields, *r.values]:
        out[f] = (
            f in r.fields,
            f in r.required,
            f in r.disabled,
            r.values.get(f),
            r.options.get(f),
            r.texts.get((f, "label")),
            r.problems.get(f),
            r.scope.get(f),
        )
    return out


@settings(max_examples=150, deadline=None)
@given(
    start=st.fixed_dictionaries({k: st.sampled_from(v) for k, v in VALUES.items()}),
    changes=st.lists(
        st.sampled_from(FIELD_IDS).flatmap(
            lambda k: st.tuples(st.just(k), st.sampled_from(VALUES[k]))
        ),
        max_size=12,
    ),
)
def test_the_live_resolution_equals_a_fresh_one_and_tells_every_change(
    start: dict[str, AnswerValue | None], changes: list[tuple[str, AnswerValue | None]]
) -> None:
    logic = wizard_logic(EXPENSES)
    answers = {k: v for k, v in start.items() if v is not None and v != ""}
    live = logic.live(answers)
    cleared: set[str] = set()
    for field_id, value in changes:
        before = state_of(live.current)
        changed = live.set_answer(field_id, value)
        if value is None or value == "":
            answers.pop(field_id, None)
            cleared.add(field_id)
        else:
            answers[field_id] = value
            cleared.discard(field_id)
        # a live default was computed once: a fresh resolution is given it as an answer
        fresh = logic.resolve({**live.current.defaults, **answers}, cleared=cleared)
        after = state_of(live.current)
        assert after == state_of(fresh)
        differing = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        assert differing <= changed | {field_id}, (field_id, value, differing - changed)


def test_set_answer_reevaluates_only_what_reads_the_field() -> None:
    chain = v2(
        step(
            "s",
            number("a"),
            number("b", visible_if="{a} > 1"),
            {"id": "c", "type": "calculated", "label": "C", "calculate": "{b} * 2"},
            number("d"),
            number("e", required_if="{d} > 1"),
        )
    )
    live = wizard_logic(chain).live({"a": 5, "b": 3, "d": 0})
    assert live.current.values == {"c": 6}
    assert live.set_answer("d", 5) == {"d", "e"}
    assert live.set_answer("a", 0) == {"a", "b", "c"}
    assert live.current.values == {"c": 0} and "b" not in live.current.fields  # empty * 2
    assert live.set_answer("b", 9) == frozenset(), "a hidden field's answer changes nothing"


def test_the_resolution_is_what_resolve_prints() -> None:
    r = resolve({"name": "Ann", "amount": 10, "rate": 0})
    printable = {
        "steps": list(r.steps),
        "fields": list(r.fields),
        "required": sorted(r.required),
        "values": dict(r.values),
        "problems": dict(r.problems),
    }
    assert json.loads(json.dumps(printable)) == printable


def test_the_fields_read_are_known() -> None:
    read = {"name", "amount", "rate", "tax", "total", "approver", "check"}
    assert wizard_logic(EXPENSES).read_fields == read


@settings(max_examples=150, deadline=None)
@given(answers=st.fixed_dictionaries({k: st.sampled_from(v) for k, v in VALUES.items()}))
def test_step_problems_and_the_resolution_agree_on_the_answers_given(
    answers: dict[str, AnswerValue | None],
) -> None:
    """The core's check and what the player shows while typing: the same rules."""
    logic = wizard_logic(EXPENSES)
    given_answers = {k: v for k, v in answers.items() if v is not None and v != ""}
    r = logic.resolve(given_answers)
    for step_id in r.steps:
        problems = logic.step_problems(r, step_id, given_answers)
        shown = {f.id for f in r.path.visible_fields[step_id]}
        answered = {f for f in shown if f in given_answers}
        assert {f: m for f, m in problems.items() if f in answered} == {
            f: m for f, m in r.problems.items() if f in answered
        }
        unanswered_required = {f for f in shown - answered if f in r.required} - r.disabled
        assert set(problems) - answered == unanswered_required


@settings(max_examples=100, deadline=None)
@given(answers=st.fixed_dictionaries({k: st.sampled_from(v) for k, v in VALUES.items()}))
def test_resolving_for_some_steps_gives_their_states_as_a_full_resolution_does(
    answers: dict[str, AnswerValue | None],
) -> None:
    logic = wizard_logic(EXPENSES)
    given_answers = {k: v for k, v in answers.items() if v is not None and v != ""}
    full = logic.resolve(given_answers)
    for s in EXPENSES.steps:
        part = logic.resolve_steps(given_answers, (), [s.id])
        own = {f.id for f in s.fields}
        assert (part.steps, part.fields, part.path) == (full.steps, full.fields, full.path)
        assert (part.values, part.options, part.scope) == (full.values, full.options, full.scope)
        assert part.required == full.required & own
        assert part.disabled == full.disabled & own
        assert part.problems == {k: v for k, v in full.problems.items() if k in own}
        assert part.texts == {k: v for k, v in full.texts.items() if k[0] in own | {s.id}}
        assert logic.step_problems(part, s.id, given_answers) == logic.step_problems(
            full, s.id, given_answers
        )


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_step_check_that_reuses_the_resolutions_verdicts_says_what_a_fresh_one_does(
    path: Any, data: st.DataObject
) -> None:
    """`step_problems` reuses the answer rules' verdict the resolution holds for the very
    same answer (a save then judges each answer once): the check is the one it makes
    with no verdict to reuse, on the full resolution and on one step's."""
    definition = load_wizard_file(path)
    logic = wizard_logic(definition)
    answers = {
        f.id: value for f in definition.fields if (value := answer_for(f, data.draw)) is not None
    }
    full = logic.resolve(answers)
    assert set(full.rules) <= set(full.fields)
    assert all(full.rules[f][0] is answers[f] for f in full.rules)
    for step_id in full.steps:
        part = logic.resolve_steps(answers, (), [step_id])
        fresh = logic.step_problems(dataclasses.replace(full, rules={}), step_id, answers)
        assert logic.step_problems(full, step_id, answers) == fresh
        assert logic.step_problems(part, step_id, answers) == fresh
        copied = {k: v if not isinstance(v, list) else list(v) for k, v in answers.items()}
        assert logic.step_problems(part, step_id, copied) == fresh  # not the same objects


CHANGING = {k: v for k, v in VALUES.items() if k != "when"}


@settings(max_examples=150, deadline=None)
@given(
    start=st.fixed_dictionaries({k: st.sampled_from(v) for k, v in CHANGING.items()}),
    batches=st.lists(
        st.dictionaries(st.sampled_from(sorted(CHANGING)), st.sampled_from([None, 0, 5000, "Ann"]))
        | st.fixed_dictionaries({k: st.sampled_from(v) for k, v in CHANGING.items()}),
        max_size=5,
    ),
)
def test_several_answers_changed_at_once_give_a_fresh_resolution(
    start: dict[str, AnswerValue | None], batches: list[dict[str, AnswerValue | None]]
) -> None:
    """`set_answers` (what a save changes on the resolution kept for its session) and
    then the states of one step or all: what resolving the answers afresh gives."""
    logic = wizard_logic(EXPENSES)
    # (`when` stays answered: a live resolution computes a default once, a save afresh,
    # so the core keeps none for a wizard with a default_expression)
    answers = {"when": "later", **{k: v for k, v in start.items() if v is not None and v != ""}}
    live = logic.live(answers)
    for batch in batches:
        live.set_answers(batch)
        answers = {
            k: v for k, v in {**answers, **batch}.items() if v is not None and v != "" and v != []
        }
        for s in EXPENSES.steps:
            part = live.of_steps([s.id])
            fresh = logic.resolve_steps(answers, (), [s.id])
            assert part == dataclasses.replace(fresh, rules=part.rules)
            assert {k: v for k, v in part.rules.items() if v[0] is answers.get(k)} == part.rules
        assert state_of(live.current) == state_of(logic.resolve(answers))


def test_the_fields_that_steer_the_path_are_what_step_conditions_read() -> None:
    d = v2(
        step("a", number("n"), number("m")),
        step("b", number("x", visible_if="{n} > 1"), visible_if="{t} > 2"),
        step("c", number("t", type="calculated", calculate="{m} * 2"), number("y")),
    )
    assert wizard_logic(d).path_steering == {"t", "m"}
