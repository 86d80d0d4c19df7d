"""Adding, removing and restoring instances of a session's "Add another" repeats.

Each is one transaction: the instance count (table `session_repeat`), the answers under
their instance paths (removing instance 2 of 4 deletes its answers and renumbers 3 and 4
to 2 and 3, completed steps alike), the progress on the new path. `remove_instance`
returns what it removed so that `restore_instance` puts it back where it was (the
player's Undo, offered until the person leaves the step). See docs/repeats.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from wizard_desktop.core.sessions import (
    InvalidAnswersError,
    _editable_row,
    _resolve,
    _stored_values,
    _upsert_answers,
    instance_counts,
    progress_percentage,
    session_expansion,
)
from wizard_desktop.core.wizards import definition_of_version
from wizard_desktop.definition.model import AnswerValue, Repeat
from wizard_desktop.definition.repeats import instance_cap, instance_path, split_path
from wizard_desktop.store.database import write_transaction
from wizard_desktop.store.models import Answer, Session, SessionRepeat, utc_now


@dataclasses.dataclass(frozen=True)
class RemovedInstance:
    """What `remove_instance` took away: the instance's answers (by the field's id in the
    file; None = cleared) and its completed steps (by the step's id in the file)."""

    repeat_id: str
    index: int
    answers: Mapping[str, AnswerValue | None]
    completed_steps: tuple[str, ...]
    progress_percentage: float


def _repeat(definition_repeats: tuple[Repeat, ...], repeat_id: str) -> Repeat:
    for repeat in definition_repeats:
        if repeat.id == repeat_id and repeat.count is None:
            return repeat
    raise InvalidAnswersError({repeat_id: "no such repeat with Add another in this wizard"})


def _renumbered(
    key: str, repeat_id: str, move: Callable[[int], int | None]
) -> tuple[bool, str | None]:
    """(whether `key` is in the repeat, its new key or None when it goes)."""
    split = split_path(key)
    if split is None or split[0] != repeat_id:
        return False, key
    index = move(split[1])
    return True, None if index is None else instance_path(repeat_id, index, split[2])


def _change(
    session_id: str,
    repeat_id: str,
    delta: int,
    move: Callable[[int], int | None],
    added: Mapping[str, AnswerValue | None],
    added_steps: tuple[str, ...],
    current: Callable[[list[str]], str | None],
) -> tuple[float, dict[str, AnswerValue | None], list[str]]:
    """Inside one transaction: change the count by `delta`, renumber (`move`: old index
    -> new, None = removed) the repeat's answers and completed steps, add `added`,
    store the progress on the new path and the current step (`current` of the new
    path's step ids). Returns the progress and the removed answers and steps."""
    now = utc_now()
    with write_transaction():
        row = _editable_row(session_id)
        base = definition_of_version(row.version_id)
        repeat = _repeat(base.repeats, repeat_id)
        counts = instance_counts(session_id)
        count = counts.get(repeat_id, max(repeat.min, 1)) + delta
        most = min(repeat.max, instance_cap(base, repeat))
        if count > most:
            raise InvalidAnswersError({repeat_id: f"at most {most} instances"})
        if count < repeat.min:
            raise InvalidAnswersError({repeat_id: f"at least {repeat.min} instances"})
        rows = _stored_values(session_id)
        kept: dict[str, AnswerValue | None] = {}
        removed: dict[str, AnswerValue | None] = {}
        moved: list[str] = []
        rewritten: dict[str, AnswerValue | None] = dict(added)
        for key, value in rows.items():
            inside, new_key = _renumbered(key, repeat_id, move)
            if not inside:
                kept[key] = value
                continue
            moved.append(key)
            if new_key is None:
                removed[key] = value
            else:
                rewritten[new_key] = value
        kept.update(rewritten)
        completed: list[str] = []
        removed_steps: list[str] = []
        for step_id in row.completed_step_ids:
            inside, new_id = _renumbered(step_id, repeat_id, move)
            if new_id is None:
                removed_steps.append(step_id)
            else:
                completed.append(new_id)
        completed.extend(added_steps)
        if moved:
            Answer.delete().where(
                (Answer.session == session_id) & Answer.field_id.in_(moved)
            ).execute()
        _upsert_answers(session_id, rewritten, now)
        SessionRepeat.insert(session=session_id, repeat_id=repeat_id, instances=count).on_conflict(
            conflict_target=[SessionRepeat.session, SessionRepeat.repeat_id],
            update={SessionRepeat.instances: count},
        ).execute()
        definition = session_expansion(base, session_id, kept).definition
        path = _resolve(definition, kept).path
        progress = progress_percentage(path, completed)
        step = current(list(path.step_ids)) or path.step_ids[0]
        Session.update(
            {
                Session.completed_step_ids: completed,
                Session.progress_percentage: progress,
                Session.current_step_id: step,
                Session.updated_at: now,
            }
        ).where(Session.id == session_id).execute()
    return progress, removed, removed_steps


def add_instance(session_id: str, repeat_id: str) -> str:
    """Add another: one more instance at the end; the session moves to its first step
    (returned). Its steps join the path, not completed, so the percentage goes down."""
    target: list[str] = []

    def first_of_new(step_ids: list[str]) -> str | None:
        """The first step of the repeat's last instance (the one just added)."""
        mine = [(p[1], s) for s in step_ids if (p := split_path(s)) and p[0] == repeat_id]
        last = max(index for index, _s in mine)
        first = next(s for index, s in mine if index == last)
        target.append(first)
        return first

    _change(session_id, repeat_id, +1, lambda i: i, {}, (), first_of_new)
    return target[0]


def remove_instance(
    session_id: str, repeat_id: str, index: int, current_step_id: str
) -> RemovedInstance:
    """Remove instance `index` (0-based): its answers and completed steps go, later
    instances move down one; the session stays on `current_step_id` (renumbered)."""

    def move(i: int) -> int | None:
        return None if i == index else i - 1 if i > index else i

    def stay(step_ids: list[str]) -> str | None:
        """Where the person was; from inside the removed instance: the instance that
        took its place, else the one before it."""
        _inside, new_id = _renumbered(current_step_id, repeat_id, move)
        if new_id in step_ids:
            return new_id
        for near in (index, index - 1):
            found = [s for s in step_ids if (p := split_path(s)) and p[:2] == (repeat_id, near)]
            if found:
                return found[0]
        return None

    progress, removed, steps = _change(session_id, repeat_id, -1, move, {}, (), stay)
    answers = {split_path(k)[2]: v for k, v in removed.items()}  # type: ignore[index]
    step_ids = tuple(split_path(s)[2] for s in steps)  # type: ignore[index]
    return RemovedInstance(repeat_id, index, answers, step_ids, progress)


def restore_instance(session_id: str, removed: RemovedInstance, current_step_id: str) -> float:
    """Undo `remove_instance`: the instance back at its place with its answers and
    completed steps, later instances moved up one. Returns the progress."""
    index = removed.index

    def move(i: int) -> int:
        return i + 1 if i >= index else i

    answers = {instance_path(removed.repeat_id, index, k): v for k, v in removed.answers.items()}
    steps = tuple(instance_path(removed.repeat_id, index, s) for s in removed.completed_steps)

    def stay(step_ids: list[str]) -> str | None:
        return current_step_id if current_step_id in step_ids else None

    progress, _removed, _steps = _change(
        session_id, removed.repeat_id, +1, move, answers, steps, stay
    )
    return progress
