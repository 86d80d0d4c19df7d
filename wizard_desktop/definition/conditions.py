"""Skip logic: evaluating `visible_if` conditions (data, never code) and the current path.

A condition on a field that is unanswered, hidden or of another type is simply false
(`not_equals` and `answered: false` are its negations, so they are true there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from wizard_desktop.definition.model import (
    AllOf,
    Answered,
    Answers,
    AnswerValue,
    AnyOf,
    Compare,
    Condition,
    Contains,
    Equals,
    Field,
    In,
    Not,
    NotEquals,
    Step,
    WizardDefinition,
)


def is_answered(value: AnswerValue | None) -> bool:
    """An answer counts when it is not empty; `False` is an answer (an unchecked box)."""
    if value is None:
        return False
    if isinstance(value, str | list):
        return len(value) > 0
    return True


def _same(answer: AnswerValue, expected: AnswerValue) -> bool:
    # bool is an int in Python: True must not equal 1 here.
    if isinstance(answer, bool) or isinstance(expected, bool):
        return isinstance(answer, bool) and isinstance(expected, bool) and answer == expected
    return answer == expected


def _compare(answer: AnswerValue, op: str, bound: int | float | str) -> bool:
    if isinstance(answer, bool) or isinstance(bound, bool):
        return False
    if isinstance(answer, int | float) and isinstance(bound, int | float):
        a: int | float | str = answer
    elif isinstance(answer, str) and isinstance(bound, str):
        a = answer  # ISO dates compare as text
    else:
        return False
    if op == "gt":
        return a > bound  # type: ignore[operator]
    if op == "gte":
        return a >= bound  # type: ignore[operator]
    if op == "lt":
        return a < bound  # type: ignore[operator]
    return a <= bound  # type: ignore[operator]


def evaluate(condition: Condition, answers: Mapping[str, AnswerValue]) -> bool:
    """Whether `condition` holds for `answers` (field id -> answer; missing = unanswered)."""
    match condition:
        case AllOf(conditions=cs):
            return all(evaluate(c, answers) for c in cs)
        case AnyOf(conditions=cs):
            return any(evaluate(c, answers) for c in cs)
        case Not(condition=c):
            return not evaluate(c, answers)
        case Answered(field=f, answered=wanted):
            return is_answered(answers.get(f)) == wanted
        case NotEquals():
            return not evaluate(Equals(condition.field, condition.value), answers)
    answer = answers.get(condition.field)
    if not is_answered(answer):
        return False
    assert answer is not None
    match condition:
        case Equals(value=v):
            return _same(answer, v)
        case In(values=vs):
            return any(_same(answer, v) for v in vs)
        case Contains(value=v):
            return isinstance(answer, list) and v in answer
        case Compare(op=op, value=bound):
            return _compare(answer, op, bound)
    raise AssertionError(f"unhandled condition {condition!r}")


def _visible(condition: Condition | None, answers: Mapping[str, AnswerValue]) -> bool:
    return condition is None or evaluate(condition, answers)


@dataclass(frozen=True)
class ResolvedPath:
    """The steps on the current path, the visible fields of each, and the answers that
    count: those of visible fields on the path, in definition order."""

    steps: tuple[Step, ...]
    visible_fields: Mapping[str, tuple[Field, ...]]
    answers: Mapping[str, AnswerValue]

    @property
    def step_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.steps)

    def next_step_id(self, step_id: str) -> str | None:
        ids = self.step_ids
        if step_id not in ids:
            return None
        index = ids.index(step_id)
        return ids[index + 1] if index + 1 < len(ids) else None


def resolve_path(definition: WizardDefinition, answers: Answers) -> ResolvedPath:
    """Walk the steps in order: a step or field is visible when its condition holds for
    the answers counted so far, so an answer on a hidden field never steers the path."""
    counted: dict[str, AnswerValue] = {}
    steps: list[Step] = []
    visible_fields: dict[str, tuple[Field, ...]] = {}
    for step in definition.steps:
        if not _visible(step.visible_if, counted):
            continue
        steps.append(step)
        shown: list[Field] = []
        for f in step.fields:
            if not _visible(f.visible_if, counted):
                continue
            shown.append(f)
            value = answers.get(f.id)
            if value is not None and is_answered(value):
                counted[f.id] = value
        visible_fields[step.id] = tuple(shown)
    return ResolvedPath(tuple(steps), visible_fields, counted)
