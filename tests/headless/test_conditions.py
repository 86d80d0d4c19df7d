"""Skip logic: condition semantics and the current path, with property tests."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard_desktop.definition.conditions import evaluate, is_answered, resolve_path
from wizard_desktop.definition.loader import definition_from_dict
from wizard_desktop.definition.model import (
    AllOf,
    Answered,
    AnswerValue,
    AnyOf,
    Compare,
    CompareOp,
    Condition,
    Contains,
    Equals,
    Field,
    FieldType,
    In,
    Not,
    NotEquals,
    Option,
    Step,
    WizardDefinition,
)


def holds(condition: Condition, **answers: AnswerValue) -> bool:
    return evaluate(condition, answers)


def test_is_answered() -> None:
    assert not is_answered(None)
    assert not is_answered("")
    assert not is_answered([])
    assert is_answered(False)
    assert is_answered(0)
    assert is_answered(["a"])


def test_equals_and_not_equals() -> None:
    assert holds(Equals("a", "x"), a="x")
    assert not holds(Equals("a", "x"), a="y")
    assert not holds(Equals("a", "x"))
    assert holds(NotEquals("a", "x"), a="y")
    assert not holds(NotEquals("a", "x"), a="x")
    assert holds(NotEquals("a", "x"))  # unanswered is "not x"
    assert holds(NotEquals("a", "x"), a="")


def test_bool_and_number_are_never_equal() -> None:
    assert not holds(Equals("a", 1), a=True)
    assert not holds(Equals("a", True), a=1)
    assert not holds(Equals("a", 0), a=False)
    assert holds(NotEquals("a", 1), a=True)
    assert not holds(In("a", (1, 0)), a=True)
    assert not holds(Compare("a", "gte", 1), a=True)
    assert holds(Equals("a", False), a=False)
    assert holds(Equals("a", 2), a=2.0)


def test_in() -> None:
    assert holds(In("a", ("x", "y")), a="y")
    assert not holds(In("a", ("x", "y")), a="z")
    assert not holds(In("a", ("x",)))


def test_contains() -> None:
    assert holds(Contains("a", "x"), a=["y", "x"])
    assert not holds(Contains("a", "x"), a=["y"])
    assert not holds(Contains("a", "x"), a="x")  # only lists contain
    assert not holds(Contains("a", "x"))


@pytest.mark.parametrize(
    ("op", "answer", "bound", "expected"),
    [
        ("gt", 5, 4, True),
        ("gt", 4, 4, False),
        ("gte", 4, 4, True),
        ("gte", 3.5, 4, False),
        ("lt", 3, 4, True),
        ("lt", 4, 4, False),
        ("lte", 4, 4.0, True),
        ("lte", 4.5, 4, False),
        ("gt", "2024-05-02", "2024-05-01", True),
        ("gt", "2024-05-01", "2024-05-01", False),
        ("gte", "2024-05-01", "2024-05-01", True),
        ("lt", "2023-12-31", "2024-01-01", True),
        ("lte", "2024-01-02", "2024-01-01", False),
        ("gt", "2024-05-02", 3, False),  # a date is never compared with a number
        ("gt", 5, "2024-01-01", False),
    ],
)
def test_compare(op: str, answer: AnswerValue, bound: int | float | str, expected: bool) -> None:
    assert holds(Compare("a", op, bound), a=answer) is expected  # type: ignore[arg-type]
    assert not holds(Compare("a", op, bound))  # type: ignore[arg-type]


def test_answered() -> None:
    assert holds(Answered("a", True), a=False)
    assert not holds(Answered("a", True), a="")
    assert holds(Answered("a", False))
    assert holds(Answered("a", False), a=[])
    assert not holds(Answered("a", False), a="x")


def test_all_any_not() -> None:
    x, y = Equals("a", "x"), Equals("b", "y")
    assert holds(AllOf((x, y)), a="x", b="y")
    assert not holds(AllOf((x, y)), a="x")
    assert holds(AnyOf((x, y)), b="y")
    assert not holds(AnyOf((x, y)))
    assert holds(Not(x))
    assert not holds(Not(x), a="x")
    assert holds(Not(AnyOf((x, y))), a="z")


def _field(field_id: str, visible_if: Condition | None = None) -> Field:
    return Field(
        id=field_id,
        type=FieldType.CHOICE,
        label=field_id,
        options=(Option("yes", "Yes"), Option("no", "No")),
        visible_if=visible_if,
    )


def test_hidden_answer_never_steers_a_later_condition() -> None:
    d = WizardDefinition(
        id="w",
        title="W",
        steps=(
            Step("one", "One", fields=(_field("gate"), _field("detail", Equals("gate", "yes")))),
            Step("two", "Two", visible_if=Equals("detail", "yes"), fields=(_field("x"),)),
            Step("three", "Three", fields=(_field("y", NotEquals("detail", "yes")),)),
        ),
    )
    shown = resolve_path(d, {"gate": "yes", "detail": "yes"})
    assert shown.step_ids == ("one", "two", "three")
    assert [f.id for f in shown.visible_fields["three"]] == []
    # "detail" keeps its old answer but is hidden now: step two goes, field y comes back.
    hidden = resolve_path(d, {"gate": "no", "detail": "yes"})
    assert hidden.step_ids == ("one", "three")
    assert dict(hidden.answers) == {"gate": "no"}
    assert [f.id for f in hidden.visible_fields["one"]] == ["gate"]
    assert [f.id for f in hidden.visible_fields["three"]] == ["y"]
    assert hidden.next_step_id("one") == "three"
    assert hidden.next_step_id("three") is None
    assert hidden.next_step_id("two") is None


# --- Property tests on random definitions with random skip logic ----------------------

OPTIONS = ("red", "green", "blue")
COMPARE_OPS: tuple[CompareOp, ...] = ("gt", "gte", "lt", "lte")


@st.composite
def conditions(draw: st.DrawFn, earlier: list[Field], depth: int = 0) -> Condition:
    if depth < 2 and draw(st.integers(0, 4)) == 0:
        kind = draw(st.sampled_from(["all", "any", "not"]))
        if kind == "not":
            return Not(draw(conditions(earlier, depth + 1)))
        parts = tuple(draw(st.lists(conditions(earlier, depth + 1), min_size=1, max_size=3)))
        return AllOf(parts) if kind == "all" else AnyOf(parts)
    field = draw(st.sampled_from(earlier))
    if draw(st.booleans()):
        return Answered(field.id, draw(st.booleans()))
    if field.type is FieldType.NUMBER:
        bound = draw(st.integers(0, 5))
        if draw(st.booleans()):
            return Equals(field.id, bound)
        return Compare(field.id, draw(st.sampled_from(COMPARE_OPS)), bound)
    if field.type is FieldType.BOOLEAN:
        return Equals(field.id, draw(st.booleans()))
    if field.type is FieldType.MULTI_CHOICE:
        return Contains(field.id, draw(st.sampled_from(OPTIONS)))
    value = draw(st.sampled_from(OPTIONS))
    kind = draw(st.sampled_from(["equals", "not_equals", "in"]))
    if kind == "in":
        return In(field.id, tuple(draw(st.lists(st.sampled_from(OPTIONS), min_size=1, max_size=3))))
    return Equals(field.id, value) if kind == "equals" else NotEquals(field.id, value)


FIELD_TYPES = [FieldType.CHOICE, FieldType.MULTI_CHOICE, FieldType.NUMBER, FieldType.BOOLEAN]


@st.composite
def definitions(draw: st.DrawFn) -> WizardDefinition:
    steps: list[Step] = []
    earlier: list[Field] = []
    for s in range(draw(st.integers(1, 5))):
        step_if = draw(conditions(earlier)) if bool(earlier) and draw(st.booleans()) else None
        fields: list[Field] = []
        for f in range(draw(st.integers(0, 3))):
            available = earlier + fields
            field_if = (
                draw(conditions(available)) if bool(available) and draw(st.booleans()) else None
            )
            field_type = draw(st.sampled_from(FIELD_TYPES))
            options = tuple(Option(o, o.title()) for o in OPTIONS)
            fields.append(
                Field(
                    id=f"s{s}f{f}",
                    type=field_type,
                    label=f"Field {s}.{f}",
                    visible_if=field_if,
                    options=options
                    if field_type in (FieldType.CHOICE, FieldType.MULTI_CHOICE)
                    else (),
                )
            )
        steps.append(Step(id=f"s{s}", title=f"Step {s}", fields=tuple(fields), visible_if=step_if))
        earlier += fields
    return WizardDefinition(id="random", title="Random", steps=tuple(steps))


def answer_for(field: Field) -> st.SearchStrategy[AnswerValue]:
    if field.type is FieldType.NUMBER:
        return st.integers(0, 5)
    if field.type is FieldType.BOOLEAN:
        return st.booleans()
    if field.type is FieldType.MULTI_CHOICE:
        return st.lists(st.sampled_from(OPTIONS), unique=True, max_size=3)
    return st.sampled_from(("", *OPTIONS))


@st.composite
def wizard_and_answers(draw: st.DrawFn) -> tuple[WizardDefinition, dict[str, AnswerValue]]:
    d = draw(definitions())
    answers = {f.id: draw(answer_for(f)) for f in d.fields if draw(st.booleans())}
    return d, answers


def _is_subsequence(part: tuple[Step, ...], whole: tuple[Step, ...]) -> bool:
    remaining = iter(whole)
    return all(any(step is candidate for candidate in remaining) for step in part)


@settings(max_examples=200, deadline=None)
@given(case=wizard_and_answers())
def test_path_is_an_ordered_subsequence_counting_only_visible_answers(
    case: tuple[WizardDefinition, Mapping[str, AnswerValue]],
) -> None:
    d, answers = case
    path = resolve_path(d, answers)
    assert _is_subsequence(path.steps, d.steps)
    visible_ids = {f.id for fields in path.visible_fields.values() for f in fields}
    assert set(path.visible_fields) == set(path.step_ids)
    assert set(path.answers) <= visible_ids
    for field_id, value in path.answers.items():
        assert answers[field_id] == value and is_answered(value)
    for field_id in visible_ids:
        if is_answered(answers.get(field_id)):
            assert field_id in path.answers
    # Steps without a condition are always on the path.
    assert {s.id for s in d.steps if s.visible_if is None} <= set(path.step_ids)


@settings(max_examples=200, deadline=None)
@given(case=wizard_and_answers())
def test_path_is_deterministic_and_ignores_hidden_answers(
    case: tuple[WizardDefinition, Mapping[str, AnswerValue]],
) -> None:
    d, answers = case
    path = resolve_path(d, answers)
    assert resolve_path(d, dict(reversed(list(answers.items())))) == path
    # Only the counted answers steer the path: dropping every other answer changes nothing.
    assert resolve_path(d, dict(path.answers)) == path


@settings(max_examples=100, deadline=None)
@given(d=definitions())
def test_random_definitions_round_trip_through_the_loader(d: WizardDefinition) -> None:
    again = definition_from_dict(d.to_dict())
    assert again == d
    assert again.content_hash() == d.content_hash()
