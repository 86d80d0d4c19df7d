"""Structured conditions (data, never code): evaluating a `visible_if` mapping, what
counts as answered, and the shape of a path (`ResolvedPath`); `logic` computes the path.

A condition on a field that is unanswered, hidden or of another type is simply false
(`not_equals` and `answered: false` are its negations, so they are true there).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

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
    if isinstance(value, str | list | dict):  # a dict: a grid's answer or an attachment
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


@dataclass(frozen=True)
class ResolvedPath:
    """The steps on the current path, the visible fields of each, and the answers that
    count: those of visible fields on the path, in definition order."""

    steps: tuple[Step, ...]
    visible_fields: Mapping[str, tuple[Field, ...]]
    answers: Mapping[str, AnswerValue]
    # the steps' ids, when the maker has them at hand (derived: not compared)
    known_step_ids: tuple[str, ...] | None = field(default=None, compare=False, repr=False)

    @functools.cached_property
    def step_ids(self) -> tuple[str, ...]:
        if self.known_step_ids is not None:
            return self.known_step_ids
        return tuple(s.id for s in self.steps)

    def next_step_id(self, step_id: str) -> str | None:
        ids = self.step_ids
        if step_id not in ids:
            return None
        index = ids.index(step_id)
        return ids[index + 1] if index + 1 < len(ids) else None


def resolve_path(definition: WizardDefinition, answers: Answers) -> ResolvedPath:
    """The path for `answers`: `logic.wizard_logic(definition).path(answers)`.
    A step or field is visible when its condition holds for the answers that count, so
    an answer on a hidden field never steers the path."""
    # logic builds on this module (is_answered, evaluate, ResolvedPath): imported here.
    from wizard_desktop.definition.logic import wizard_logic

    return wizard_logic(definition).path(answers)
