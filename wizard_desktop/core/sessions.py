"""The session lifecycle: start, save a step, save a draft, complete, resume, rename,
delete and list. Every write is one short transaction; every answer is checked
against its field here, whatever the UI already checked, and before the transaction
opens: a slow check never holds the write lock. A step save or a completion then
writes only if the session row is as it was read (its `updated_at`, which every write
of a session's answers or progress moves), else it reads and checks again.

Times: "time spent" (`active_seconds`) is the time the player was open on the session
before it was completed; "elapsed" (`total_time_seconds`) is completed_at - started_at,
set once at completion. A completed session's figures never change: active time is
only counted while it is in progress.

What a step shows, requires and computes comes from the wizard's logic
(`definition.logic`), the function the player and `resolve` use: saving a step checks
it with `WizardLogic.step_problems` (required and `required_if`, the answer rules, the
option filter, `constraint`) on the answers as they will be stored. A field read-only
now (`enabled_if` false) keeps its answer: a different one from the player is refused.
An answer whose option the logic filters out is cleared, and `StepSaved.cleared` says
which and why. Every calculated field's value is computed here, never taken from the
player, and stored with the answers in the same transaction (start, step, draft,
completion), so exports, templates and the command line read it like an answer; it is
not an answer the person gave (`discard_if_unanswered` ignores it). A note stores
nothing.

Progress = 100 x (steps on the current path that are completed) / (steps on the
current path), two decimals. A step is completed when it is saved with Next; drafts
never complete a step. Completing is guarded by the session's status, so the wizard's
completed count always equals its number of completed sessions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import logging
import threading
import uuid
from collections import ChainMap
from collections.abc import Mapping, Sequence
from typing import Any

from peewee import EXCLUDED, SQL, JSONField, Select, fn

from wizard_desktop.core import attachments
from wizard_desktop.core.wizards import definition_of_version, latest_version_id
from wizard_desktop.definition.answers import type_problem
from wizard_desktop.definition.conditions import ResolvedPath, is_answered
from wizard_desktop.definition.expressions import ExpressionCostExceeded
from wizard_desktop.definition.languages import localized
from wizard_desktop.definition.logic import LiveResolution, Resolution, wizard_logic
from wizard_desktop.definition.model import (
    AnswerValue,
    Field,
    FieldType,
    Repeat,
    WizardDefinition,
)
from wizard_desktop.definition.repeats import (
    Expansion,
    counts_of,
    expand_for,
    initial_count,
    split_path,
)
from wizard_desktop.store.compiled import CompiledQuery, placeholder
from wizard_desktop.store.database import db, storage_errors, write_transaction
from wizard_desktop.store.errors import StorageError, StorageErrorKind
from wizard_desktop.store.models import (
    COMPLETED,
    IN_PROGRESS,
    STATUSES,
    Answer,
    Session,
    SessionRepeat,
    Wizard,
    utc_now,
)

# What the player sends for a step: field id -> answer, None (or "" / []) clears it.
StepAnswers = Mapping[str, AnswerValue | None]

COST_EXCEEDED = (
    "the wizard's expressions take too long to evaluate for these answers; nothing was saved"
)
COST_EXCEEDED_STORED = (
    "the wizard's expressions take too long to evaluate for this session's answers"
)
READ_ONLY_CHANGED = "This field is read-only now: its answer cannot change."
CALCULATED_GIVEN = "a calculated field's value is computed, never given"

SAVE_ATTEMPTS = 3
"""How often a step save or completion reads and checks again when the session
changed between its check and its write (another process wrote to it meanwhile)."""

log = logging.getLogger(__name__)


class SessionNotFoundError(LookupError):
    def __init__(self, session_id: str) -> None:
        super().__init__(f"No session with id {session_id!r}.")


class SessionCompletedError(Exception):
    """The session is completed; completed sessions are read-only."""

    def __init__(self, session_id: str) -> None:
        super().__init__(
            f"Session {session_id} is already completed; completed sessions are read-only."
        )


class InvalidAnswersError(ValueError):
    """Answers that do not fit the wizard; `problems` maps field (or step) ids to reasons."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{key}: {message}" for key, message in self.problems.items()))


def progress_percentage(
    path: ResolvedPath, completed_step_ids: tuple[str, ...] | list[str]
) -> float:
    counted = path.step_ids
    if len(counted) > 1 and path.steps[0].start:
        counted = counted[1:]  # a start step (format 2 `start`) is no step of the progress
    completed_on_path = len(set(completed_step_ids).intersection(counted))
    return round(100 * completed_on_path / len(counted), 2)


def default_session_name(title: str, now: dt.datetime | None = None) -> str:
    local = (now or utc_now()).astimezone()
    return f"{title} — {local:%Y-%m-%d %H:%M}"


@dataclasses.dataclass(frozen=True)
class SessionInfo:
    id: str
    name: str
    wizard_id: str
    wizard_title: str
    version_id: int
    status: str
    progress_percentage: float
    current_step_id: str | None
    completed_step_ids: tuple[str, ...]
    started_at: dt.datetime
    updated_at: dt.datetime
    completed_at: dt.datetime | None
    total_time_seconds: float | None
    """Elapsed: completed_at - started_at, fixed at completion (None before)."""
    active_seconds: float
    """Time spent: the time the player was open on it before it was completed."""
    template_id: int | None
    language: str | None = None
    """A wizard in several languages: the one it is answered in (None: the default)."""

    @property
    def is_completed(self) -> bool:
        return self.status == COMPLETED

    def to_json(self) -> dict[str, Any]:
        """The public session object of the CLI and exports."""

        def stamp(value: dt.datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "id": self.id,
            "name": self.name,
            "wizard_id": self.wizard_id,
            "wizard_title": self.wizard_title,
            "status": self.status,
            "progress_percentage": self.progress_percentage,
            "current_step_id": self.current_step_id,
            "started_at": stamp(self.started_at),
            "updated_at": stamp(self.updated_at),
            "completed_at": stamp(self.completed_at),
            "total_time_seconds": self.total_time_seconds,
            "active_seconds": round(self.active_seconds, 3),
            **({"language": self.language} if self.language is not None else {}),
        }


@dataclasses.dataclass(frozen=True)
class SessionState:
    """Everything needed to resume or review a session: its row, the definition of the
    version it was started on, every stored answer the person gave (drafts included),
    the fields the person emptied (`cleared`: unanswered, but their default must not
    come back) and the calculated values stored with them (`calculated`)."""

    info: SessionInfo
    definition: WizardDefinition
    answers: dict[str, AnswerValue]
    cleared: frozenset[str]
    calculated: Mapping[str, AnswerValue] = dataclasses.field(default_factory=dict)
    repeats: tuple[Repeat, ...] = ()
    """The version's repeats (`definition` has their instances laid out)."""
    unexpanded: WizardDefinition | None = None
    """With repeats, the version's definition in the session's language before they
    were laid out (`repeats.in_language` shows the session in another language)."""

    @functools.cached_property
    def resolution(self) -> Resolution:
        """The logic's state for the stored answers; `InvalidAnswersError` when they
        cost its expressions more than their budget (a draft may store such answers)."""
        try:
            return wizard_logic(self.definition).resolve(self.answers, self.cleared)
        except ExpressionCostExceeded as exc:
            raise InvalidAnswersError({self.info.id: COST_EXCEEDED_STORED}) from exc

    @property
    def path(self) -> ResolvedPath:
        return self.resolution.path

    def path_values(self) -> dict[str, AnswerValue]:
        """What the session holds on its path (`values_on_path`)."""
        return values_on_path(self.definition, self.path, self.answers, self.calculated)


def values_on_path(
    definition: WizardDefinition,
    path: ResolvedPath,
    answers: Mapping[str, AnswerValue],
    calculated: Mapping[str, AnswerValue],
) -> dict[str, AnswerValue]:
    """What a session holds on its path, in step order: the stored answers of visible
    fields (as the logic counts them: an option filtered out is not there) and the
    stored value of every calculated field there, shown or hidden; never a default
    nobody stored. Every reader of a session's results (the exports, the report, the
    sessions spreadsheet, templates) reads it so."""
    values: dict[str, AnswerValue] = {}
    for field_id, value in path.answers.items():
        if _is_calculated(definition, field_id):
            if field_id in calculated:
                values[field_id] = calculated[field_id]
        elif field_id in answers:
            values[field_id] = value
    return values


def split_stored(
    definition: WizardDefinition, stored: Mapping[str, AnswerValue | None]
) -> tuple[dict[str, AnswerValue], frozenset[str], dict[str, AnswerValue]]:
    """A session's answer rows (None = cleared) as `SessionState` holds them: the
    answers the person gave, the fields they cleared, the stored calculated values."""
    answers: dict[str, AnswerValue] = {}
    calculated: dict[str, AnswerValue] = {}
    for field_id, value in stored.items():
        if value is not None:
            kind = calculated if _is_calculated(definition, field_id) else answers
            kind[field_id] = value
    cleared = frozenset(
        field_id
        for field_id, value in stored.items()
        if value is None and not _is_calculated(definition, field_id)
    )
    return answers, cleared, calculated


def stored_path_values(
    session_id: str, definition: WizardDefinition, stored: Mapping[str, AnswerValue | None]
) -> dict[str, AnswerValue]:
    """`values_on_path` of a session's answer rows, as `load_session(...).path_values()`
    reads them, for a reader of many sessions (the sessions spreadsheet). A wizard
    that shows or filters nothing conditionally has every field on the path, so its
    rows are read as they are; `InvalidAnswersError` when the logic's expressions cost
    more than their budget."""
    answers, cleared, calculated = split_stored(definition, stored)
    if not _steers(definition):
        return {**answers, **calculated}
    try:
        path = wizard_logic(definition).resolve(answers, cleared).path
    except ExpressionCostExceeded as exc:
        raise InvalidAnswersError({session_id: COST_EXCEEDED_STORED}) from exc
    return values_on_path(definition, path, answers, calculated)


def _steers(definition: WizardDefinition) -> bool:
    """Whether anything of the wizard shows or filters conditionally."""
    return any(
        step.visible_if is not None
        or any(
            f.visible_if is not None or any(o.visible_if is not None for o in f.options)
            for f in step.fields
        )
        for step in definition.steps
    )


@dataclasses.dataclass(frozen=True)
class StepSaved:
    progress_percentage: float
    previous_progress_percentage: float
    current_step_id: str
    path_step_ids: tuple[str, ...]
    path_changed: bool
    """True when this step's answers added or removed steps on the path."""
    cleared: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Answers cleared because their option is no longer offered: field id -> a
    sentence for the person."""
    instance_counts: Mapping[str, int] = dataclasses.field(default_factory=dict)
    """The repeats' instance counts after this step (a `repeat_count` may change)."""


# The columns of a session as SessionInfo holds them, in its order.
_INFO_COLUMNS: tuple[Any, ...] = (
    Session.id,
    Session.name,
    Session.wizard,
    Wizard.title,
    Session.version,
    Session.status,
    Session.progress_percentage,
    Session.current_step_id,
    Session.completed_step_ids,
    Session.started_at,
    Session.updated_at,
    Session.completed_at,
    Session.total_time_seconds,
    Session.active_seconds,
    Session.template,
    Session.language,
)


def _session_query() -> Any:
    return Session.select(*_INFO_COLUMNS).join(Wizard)


def _info(row: Sequence[Any]) -> SessionInfo:
    """A stored row of `_session_query()`, as read by the driver, as a SessionInfo."""
    names = (f.name for f in dataclasses.fields(SessionInfo))
    values = {
        name: column.python_value(value)
        for name, column, value in zip(names, _INFO_COLUMNS, row, strict=True)
    }
    values["completed_step_ids"] = tuple(values["completed_step_ids"])
    return SessionInfo(**values)


_SESSION_BY_ID = CompiledQuery(
    lambda: _session_query().where(Session.id == placeholder("session_id"))
)
_ANSWERS_OF_SESSION = CompiledQuery(
    lambda: Answer.select(Answer.field_id, Answer.value).where(
        Answer.session == placeholder("session_id")
    )
)


def _row(session_id: str) -> SessionInfo:
    """The one way a session is read by its id."""
    row = _SESSION_BY_ID.execute(session_id=session_id).fetchone()
    if row is None:
        raise SessionNotFoundError(session_id)
    return _info(row)


def _editable_row(session_id: str) -> SessionInfo:
    row = _row(session_id)
    if row.is_completed:
        raise SessionCompletedError(session_id)
    return row


def _stored_values(session_id: str) -> dict[str, AnswerValue | None]:
    """The session's answer rows; None = cleared."""
    rows = _ANSWERS_OF_SESSION.execute(session_id=session_id)
    value_column: Any = Answer.value  # decodes the JSON as Peewee does
    return {field_id: value_column.python_value(value) for field_id, value in rows}


def _answered(rows: Mapping[str, AnswerValue | None]) -> dict[str, AnswerValue]:
    """The answers among stored rows: cleared fields (None) are unanswered, so they are
    left out."""
    return {field_id: value for field_id, value in rows.items() if value is not None}


def path_answers(
    definition: WizardDefinition, rows: Mapping[str, AnswerValue | None]
) -> dict[str, AnswerValue]:
    """What the path is resolved on, as the player shows it: the answers in `rows`
    (None = cleared), and the default of each field with no row (never answered, never
    cleared). A condition on a field of a step not reached yet reads its default
    until the person answers or clears it; only the path reads defaults, the answer
    rules check what is stored."""
    answers: dict[str, AnswerValue | None] = {
        f.id: f.default for f in definition.fields if f.default is not None
    }
    answers.update(rows)
    return _answered(answers)


def instance_counts(session_id: str) -> dict[str, int]:
    """The stored instance counts of a session's "Add another" repeats."""
    rows: Any = SessionRepeat.select(SessionRepeat.repeat_id, SessionRepeat.instances).where(
        SessionRepeat.session == session_id
    )
    return {str(repeat_id): int(instances) for repeat_id, instances in rows.tuples()}


def session_expansion(
    base: WizardDefinition, session_id: str, rows: Mapping[str, AnswerValue | None]
) -> Expansion:
    """A session's repeats laid out (definition.repeats): the stored counts, and each
    `repeat_count` on the answers in `rows` (None = cleared; read only by a count)."""
    counted = any(r.count is not None for r in base.repeats)
    return expand_for(
        base,
        instance_counts(session_id) if base.repeats else {},
        path_answers(base, rows) if counted else {},
        lambda definition, answers: wizard_logic(definition).resolve(answers).scope,
    )


def _session_definition(
    base: WizardDefinition, session_id: str, rows: Mapping[str, AnswerValue | None]
) -> WizardDefinition:
    """What a session is checked and resolved on: its version's definition, with its
    repeats' instances laid out (the definition itself when it has no repeats)."""
    if not base.repeats:
        return base
    with storage_errors():
        return session_expansion(base, session_id, rows).definition


# --- The resolution a save keeps for its session (deep in a long wizard or a repeat,
# every save would otherwise decode all its answers and evaluate all its logic).


@dataclasses.dataclass
class _Kept:
    """A session's answer rows and their logic's live resolution as its last write from
    this process left them, valid while the session row is as that write left it."""

    marker: tuple[str, str]  # the database, the session's updated_at as stored
    definition: WizardDefinition  # the expansion the rows were resolved on
    rows: dict[str, AnswerValue | None]
    live: LiveResolution
    counts: dict[str, int]  # counts_of(definition)


_KEPT: dict[str, _Kept] = {}
_KEPT_SESSIONS = 8
_KEPT_LOCK = threading.Lock()  # (the writer thread and a command may both save)


def _marker(updated_at: dt.datetime) -> tuple[str, str]:
    return str(db.database), str(Session.updated_at.db_value(updated_at))


def _take_kept(row: SessionInfo) -> _Kept | None:
    """The kept resolution of `row`'s session, taken out (a writer that fails puts
    nothing back), when the session row is still as the write that kept it left it:
    every write of a session's answers or instances moves its `updated_at`, the
    marker the guarded update trusts too. None when unsure."""
    with _KEPT_LOCK:
        kept = _KEPT.pop(row.id, None)
    if kept is None or kept.marker != _marker(row.updated_at):
        return None
    return kept


def _as_read(value: AnswerValue | None) -> AnswerValue | None:
    """`value` as a read of its stored row gives it back (a text or a number is
    itself; a list or an object goes through JSON, as the row does)."""
    cls = value.__class__
    if (cls is str and value) or cls is int or cls is float or cls is bool:
        return value
    return json.loads(json.dumps(_stored_form(value)))  # type: ignore[no-any-return]


def _keep(
    session_id: str,
    now: dt.datetime,
    definition: WizardDefinition,
    rows: dict[str, AnswerValue | None],
    live: LiveResolution,
    written: Mapping[str, AnswerValue | None],
    counts: dict[str, int],
) -> None:
    """After a committed write at `now` of `written` over `rows` (resolved in `live`):
    keep both as a fresh read would give them (values as stored, and decoded)."""
    stored = {k: _as_read(v) for k, v in written.items()}
    try:
        live.set_answers(stored)
    except ExpressionCostExceeded:
        return
    rows.update(stored)
    with _KEPT_LOCK:
        _KEPT[session_id] = _Kept(_marker(now), definition, rows, live, counts)
        while len(_KEPT) > _KEPT_SESSIONS:
            _KEPT.pop(next(iter(_KEPT)))


def _live_of(
    kept: _Kept | None, definition: WizardDefinition, rows: Mapping[str, AnswerValue | None]
) -> LiveResolution | None:
    """The live resolution of `rows` to change on a save: the kept one when it was
    resolved on `definition` (the same expansion), else a fresh one; None when the
    logic computes defaults (a live resolution keeps the first, a save computes them
    afresh) or the budget runs out (the caller then resolves as it always did)."""
    logic = wizard_logic(definition)
    if logic.computes_defaults:
        return None
    if kept is not None and kept.definition is definition:
        return kept.live
    cleared = {field_id for field_id, value in rows.items() if value is None}
    try:
        return logic.live(path_answers(definition, rows), cleared)
    except ExpressionCostExceeded:
        return None


def _is_calculated(definition: WizardDefinition, field_id: str) -> bool:
    field = definition.field(field_id)
    return field is not None and field.type is FieldType.CALCULATED


def _has_calculated(definition: WizardDefinition) -> bool:
    return any(f.type is FieldType.CALCULATED for f in definition.fields)


def _guarded_update(*columns: Any) -> CompiledQuery:
    """The statement that sets `columns` (placeholders named as the columns) and
    `updated_at` (`now`) on a session, only while it is still as it was read (same
    `updated_at`: `seen`) and not completed; `_update_if_unchanged()` runs it."""
    changes = {
        column: fn.json(placeholder(column.name))
        if isinstance(column, JSONField)
        else placeholder(column.name)
        for column in columns
    }
    return CompiledQuery(
        lambda: Session.update({**changes, Session.updated_at: placeholder("now")}).where(
            (Session.id == placeholder("session_id"))
            & (Session.updated_at == placeholder("seen"))
            & (Session.status != COMPLETED)
        )
    )


def _update_if_unchanged(
    statement: CompiledQuery, row: SessionInfo, now: dt.datetime, **values: Any
) -> bool:
    """Inside the write transaction: True when the session was still as `row` was
    read, and is now updated; else nothing was written and the caller checks again."""
    stamp = Session.updated_at.db_value
    cursor = statement.execute(
        session_id=row.id, seen=stamp(row.updated_at), now=stamp(now), **values
    )
    return cursor.rowcount == 1


_SAVE_STEP_UPDATE = _guarded_update(
    Session.completed_step_ids, Session.progress_percentage, Session.current_step_id
)
_COMPLETE_UPDATE = _guarded_update(
    Session.status,
    Session.progress_percentage,
    Session.completed_step_ids,
    Session.current_step_id,
    Session.completed_at,
    Session.total_time_seconds,
)


def _kept_changing(session_id: str) -> StorageError:
    return StorageError(
        StorageErrorKind.BUSY, f"session {session_id} kept changing while it was being saved"
    )


def get_session(session_id: str) -> SessionInfo:
    with storage_errors():
        return _row(session_id)


def load_session(session_id: str) -> SessionState:
    """Resume or review: the session, its version's definition (in the language the
    session is answered in, so its summary, report and exports read in it), all its
    answers, the fields the person cleared and the calculated values stored with them."""
    with storage_errors():
        info = _row(session_id)
        stored = _stored_values(session_id)
    base = localized(definition_of_version(info.version_id), info.language)
    definition = _session_definition(base, session_id, stored)
    return SessionState(
        info,
        definition,
        *split_stored(definition, stored),
        base.repeats,
        base if base.repeats else None,
    )


def start_session(
    wizard_id: str,
    name: str | None = None,
    *,
    prefill: Mapping[str, AnswerValue] | None = None,
    template_id: int | None = None,
) -> SessionInfo:
    """A new in-progress session on the wizard's latest version, at its first step,
    optionally pre-filled (answers are type-checked; see templates.start_from_template)."""
    version_id = latest_version_id(wizard_id)
    definition = definition_of_version(version_id)
    answers: dict[str, AnswerValue | None] = dict(prefill or {})
    counts = prefilled_counts(definition, answers)
    if definition.repeats:
        definition = expand_for(
            definition,
            counts,
            path_answers(definition, answers),
            lambda d, a: wizard_logic(d).resolve(a).scope,
        ).definition
    check_answer_types(definition, answers)
    if _has_calculated(definition):
        answers = _calculated_writes(definition, {}, answers)
    now = utc_now()
    session_id = str(uuid.uuid4())
    with write_transaction():
        Session.create(
            id=session_id,
            name=(name or "").strip() or default_session_name(definition.title, now),
            wizard=wizard_id,
            version=version_id,
            status=IN_PROGRESS,
            current_step_id=definition.steps[0].id,
            completed_step_ids=[],
            progress_percentage=0.0,
            started_at=now,
            updated_at=now,
            template=template_id,
        )
        _upsert_answers(session_id, answers, now)
        for repeat_id, instances in counts.items():
            SessionRepeat.create(session=session_id, repeat_id=repeat_id, instances=instances)
    return get_session(session_id)


def prefilled_counts(
    definition: WizardDefinition, answers: Mapping[str, AnswerValue | None]
) -> dict[str, int]:
    """The instance counts of a new session's "Add another" repeats: the initial count,
    or as many as pre-filled answers (a template's) name, within `max`."""
    counts: dict[str, int] = {}
    for repeat in definition.repeats:
        if repeat.count is not None:
            continue
        named = [
            split[1] + 1
            for key in answers
            if (split := split_path(key)) is not None and split[0] == repeat.id
        ]
        counts[repeat.id] = min(max([initial_count(repeat), *named]), repeat.max)
    return counts


def check_answer_types(
    definition: WizardDefinition, answers: Mapping[str, AnswerValue | None]
) -> None:
    """Each answer names a field of `definition` and has the JSON type it stores (None,
    "" or [] clear it); a note takes no answer and a calculated field's value is never
    given. Else `InvalidAnswersError` naming each that does not."""
    problems: dict[str, str] = {}
    for field_id, value in answers.items():
        field = definition.field(field_id)
        if field is None:
            problems[field_id] = "no such field in this wizard"
        elif value is None or not is_answered(value):
            continue
        elif field.type is FieldType.CALCULATED:
            problems[field_id] = CALCULATED_GIVEN
        elif problem := type_problem(field, value):
            problems[field_id] = problem
    if problems:
        raise InvalidAnswersError(problems)


_UPSERT_ANSWERS = CompiledQuery(
    lambda: Answer.insert_from(
        # One row per [field id, JSON value] pair of the JSON array `pairs`.
        Select(
            [fn.json_each(placeholder("pairs")).alias("item")],
            [
                placeholder("session_id"),
                fn.json_extract(SQL("item.value"), "$[0]"),
                fn.json(fn.json_extract(SQL("item.value"), "$[1]")),
                placeholder("now"),
            ],
        ).where(SQL("true")),  # SQLite's grammar: an upsert from a SELECT needs a WHERE
        [Answer.session, Answer.field_id, Answer.value, Answer.updated_at],
    ).on_conflict(
        conflict_target=[Answer.session, Answer.field_id],
        update={Answer.value: EXCLUDED.value, Answer.updated_at: EXCLUDED.updated_at},
    )
)


def _stored_form(value: AnswerValue | None) -> AnswerValue | None:
    """What an answer row holds for `value`: None for a cleared one."""
    return value if is_answered(value) else None


def _upsert_answers(
    session_id: str, answers: Mapping[str, AnswerValue | None], now: dt.datetime
) -> None:
    """Inside the caller's transaction: store each value; a cleared one (None, "" or
    []) as JSON null, so that a resumed session knows the person emptied the field and
    does not bring its default back. A null row is never an answer: `_answered`
    leaves it out of validation, progress, exports and templates. One statement for
    all of them: they travel as one JSON array that SQLite unpacks (`json_each`)."""
    if not answers:
        return
    missing = attachments.store_named_contents(answers)
    if missing:
        raise InvalidAnswersError(missing)
    replaced = attachments.named_contents(session_id, answers)
    pairs = [[field_id, json.dumps(_stored_form(value))] for field_id, value in answers.items()]
    _UPSERT_ANSWERS.execute(
        session_id=session_id, now=Answer.updated_at.db_value(now), pairs=json.dumps(pairs)
    )
    if replaced:  # an attachment no answer names any more goes in the same transaction
        attachments.delete_unnamed(replaced)


def _resolve(
    definition: WizardDefinition,
    rows: Mapping[str, AnswerValue | None],
    step_ids: Sequence[str] | None = None,
) -> Resolution:
    """The logic's state for stored rows (None = cleared), as the player shows it: a
    field with no row reads its `default`; a cleared one gets no computed default.
    With `step_ids`, the states (required, read-only, problems, texts) of those steps
    alone (`WizardLogic.resolve_steps`). A budget that runs out refuses the write
    (`InvalidAnswersError`, nothing stored)."""
    cleared = {field_id for field_id, value in rows.items() if value is None}
    logic, answers = wizard_logic(definition), path_answers(definition, rows)
    try:
        if step_ids is not None:
            return logic.resolve_steps(answers, cleared, step_ids)
        return logic.resolve(answers, cleared)
    except ExpressionCostExceeded as exc:
        raise InvalidAnswersError({definition.id: COST_EXCEEDED}) from exc


def _path_before(
    definition: WizardDefinition, rows: Mapping[str, AnswerValue | None]
) -> tuple[str, ...]:
    """The step ids of the path for stored `rows`, as `_resolve` has them, from the
    logic's value pass alone (what decides the path); () when the budget runs out."""
    cleared = {field_id for field_id, value in rows.items() if value is None}
    try:
        live = wizard_logic(definition).live(path_answers(definition, rows), cleared)
        return live.path.step_ids
    except ExpressionCostExceeded:
        return ()


def _steered(definition: WizardDefinition, given: StepAnswers) -> bool:
    """Whether saving `given` may change which steps are on the path: only the given
    answers differ, so when none of them is read by what decides a step
    (`WizardLogic.path_steering`) the path is the same without a second pass."""
    steering = wizard_logic(definition).path_steering
    return any(field_id in steering for field_id in given)


def _same_answer(a: AnswerValue | None, b: AnswerValue | None) -> bool:
    """Whether two stored values are the same answer (True is not 1; 2 is 2.0)."""
    if not is_answered(a) or not is_answered(b):
        return not is_answered(a) and not is_answered(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def _option_text(field: Field, values: list[str]) -> str:
    labels = [f"“{field.option_label(v)}”" for v in values]
    return ", ".join(labels)


def _filtered_out(
    definition: WizardDefinition, resolution: Resolution, rows: Mapping[str, AnswerValue | None]
) -> tuple[dict[str, AnswerValue | None], dict[str, str]]:
    """The answers of shown fields that hold an option the logic no longer offers: what
    each becomes (the offered options kept, else cleared), and why, for the person."""
    values: dict[str, AnswerValue | None] = {}
    why: dict[str, str] = {}
    for field_id, offered in resolution.options.items():
        value, field = rows.get(field_id), definition.field(field_id)
        if value is None or not is_answered(value) or field is None:
            continue
        chosen = value if isinstance(value, list) else [str(value)]
        gone = [v for v in chosen if v not in offered]
        if not gone:
            continue
        kept = [v for v in chosen if v in offered]
        values[field_id] = kept if isinstance(value, list) and kept else None
        why[field_id] = (
            f"{_option_text(field, gone)} {'is' if len(gone) == 1 else 'are'} no longer"
            f" offered for “{field.label}”, so {'it was' if kept else 'the answer was'}"
            f" {'taken out' if kept else 'cleared'}."
        )
    return values, why


@dataclasses.dataclass(frozen=True)
class _Checked:
    """A step's answers checked against the logic (the resolution holds the states of
    the checked steps alone), and what saving them writes."""

    resolution: Resolution
    writes: dict[str, AnswerValue | None]
    cleared: dict[str, str]


def _check_step(
    definition: WizardDefinition,
    rows: dict[str, AnswerValue | None],
    given: StepAnswers,
    step_ids: Sequence[str],
    live: LiveResolution | None = None,
) -> _Checked:
    """The answers `given` over the stored `rows`, checked on each of `step_ids` with
    the logic's own check (`step_problems`) and the read-only rule; what to write: the
    given answers (a note's none), the answers cleared by the option filter, and every
    calculated value. With `live` (the resolution of `rows`), the resolution is that
    one changed by the given answers alone (the same states, `set_answers`)."""
    merged: Mapping[str, AnswerValue | None]
    if live is None:
        merged = {**rows, **given}
        resolution = _resolve(definition, merged, step_ids)
    else:
        merged = ChainMap(dict(given), rows)  # (not a copy of every row)
        try:
            live.set_answers(given)
            resolution = live.of_steps(step_ids)
        except ExpressionCostExceeded as exc:
            raise InvalidAnswersError({definition.id: COST_EXCEEDED}) from exc
    filtered, cleared = _filtered_out(definition, resolution, merged)
    checked = ChainMap(filtered, merged) if filtered else merged
    logic = wizard_logic(definition)
    problems: dict[str, str] = {}
    for step_id in step_ids:
        if step_id not in resolution.steps:
            raise InvalidAnswersError({step_id: "this step is not on the current path"})
        problems.update(logic.step_problems(resolution, step_id, checked))
    for field_id, value in given.items():
        if field_id in resolution.disabled and not _same_answer(value, rows.get(field_id)):
            problems[field_id] = READ_ONLY_CHANGED
    if problems:
        raise InvalidAnswersError(problems)
    return _Checked(resolution, _writes(definition, given, filtered, resolution.values), cleared)


def _writes(
    definition: WizardDefinition,
    given: StepAnswers,
    filtered: Mapping[str, AnswerValue | None],
    calculated: Mapping[str, AnswerValue | None],
) -> dict[str, AnswerValue | None]:
    """What a write stores: the given answers (none for a note or a calculated field),
    then the answers the option filter changed, then every calculated value."""
    kept = {
        field_id: value
        for field_id, value in given.items()
        if (f := definition.field(field_id)) is not None
        and f.type not in (FieldType.NOTE, FieldType.CALCULATED)
    }
    return {**kept, **filtered, **calculated}


def _calculated_writes(
    definition: WizardDefinition, rows: Mapping[str, AnswerValue | None], given: StepAnswers
) -> dict[str, AnswerValue | None]:
    """A write without a check (start, draft): the given answers and the calculated
    values they give. When the expressions cost too much, the answers alone: the
    person's typing is never lost for a value that can be computed again."""
    try:
        resolution = _resolve(definition, {**rows, **given})
    except InvalidAnswersError:
        log.warning("Calculated values of wizard %s not updated: %s", definition.id, COST_EXCEEDED)
        return _writes(definition, given, {}, {})
    return _writes(definition, given, {}, resolution.values)


def _draft_writes(
    definition: WizardDefinition,
    rows: Mapping[str, AnswerValue | None],
    given: StepAnswers,
    live: LiveResolution | None,
) -> Mapping[str, AnswerValue | None]:
    """`_calculated_writes`, on `live` (the resolution of `rows`) when there is one."""
    if not _has_calculated(definition):
        return given
    if live is None:
        return _calculated_writes(definition, rows, given)
    try:
        live.set_answers(given)
        values = live.of_steps(()).values
    except ExpressionCostExceeded:
        log.warning("Calculated values of wizard %s not updated: %s", definition.id, COST_EXCEEDED)
        return _writes(definition, given, {}, {})
    return _writes(definition, given, {}, values)


def _check_fields_belong(definition: WizardDefinition, step_id: str, given: StepAnswers) -> None:
    step = definition.step(step_id)
    if step is None:
        raise InvalidAnswersError({step_id: "no such step in this wizard"})
    own = {f.id for f in step.fields}
    foreign = {fid: "this field is not on this step" for fid in given if fid not in own}
    if foreign:
        raise InvalidAnswersError(foreign)
    check_answer_types(definition, given)


def save_step(session_id: str, step_id: str, answers: StepAnswers) -> StepSaved:
    """Next on `step_id`: store its answers, mark it completed, move to the next step
    on the path and update progress, all in one transaction (checked before it opens)."""
    for _attempt in range(SAVE_ATTEMPTS):
        with storage_errors():
            row = _editable_row(session_id)
        definition = definition_of_version(row.version_id)
        kept = _take_kept(row)
        if kept is not None:
            rows = kept.rows
        else:
            with storage_errors():
                rows = _stored_values(session_id)
        definition = _session_definition(definition, session_id, ChainMap(dict(answers), rows))
        _check_fields_belong(definition, step_id, answers)
        live = _live_of(kept, definition, rows)
        steered = _steered(definition, answers)
        before = live.path.step_ids if live is not None and steered else None
        checked = _check_step(definition, rows, answers, [step_id], live)
        path = checked.resolution.path
        completed = (
            [*row.completed_step_ids, step_id]
            if step_id not in row.completed_step_ids
            else list(row.completed_step_ids)
        )
        progress = progress_percentage(path, completed)
        current = path.next_step_id(step_id) or step_id
        now = utc_now()
        with write_transaction():
            written = _update_if_unchanged(
                _SAVE_STEP_UPDATE,
                row,
                now,
                completed_step_ids=json.dumps(completed),
                progress_percentage=progress,
                current_step_id=current,
            )
            if written:
                _upsert_answers(session_id, checked.writes, now)
        if written:
            if before is None and steered:
                before = _path_before(definition, rows)
            counts = (
                kept.counts if kept is not None and live is kept.live else counts_of(definition)
            )
            if live is not None:
                _keep(session_id, now, definition, rows, live, checked.writes, counts)
            return StepSaved(
                progress_percentage=progress,
                previous_progress_percentage=row.progress_percentage,
                current_step_id=current,
                path_step_ids=path.step_ids,
                path_changed=steered and before != path.step_ids,
                cleared=checked.cleared,
                instance_counts=dict(counts),
            )
    raise _kept_changing(session_id)


def save_draft(session_id: str, answers: StepAnswers, current_step_id: str | None = None) -> None:
    """Store answers being typed (type-checked only, not validated) and, when given,
    the step the person is on. Completes nothing and never changes progress. The
    calculated values are worked out from the stored answers in the same transaction
    (within the logic's budget, so briefly), so they always match what is stored."""
    now = utc_now()
    kept: (
        tuple[WizardDefinition, dict[str, AnswerValue | None], LiveResolution, dict[str, int]]
        | None
    ) = None
    with write_transaction():
        row = _editable_row(session_id)
        definition = definition_of_version(row.version_id)
        taken = _take_kept(row)
        stored = taken.rows if taken is not None else _stored_values(session_id)
        definition = _session_definition(definition, session_id, ChainMap(dict(answers), stored))
        check_answer_types(definition, answers)
        live = _live_of(taken, definition, stored)
        writes = _draft_writes(definition, stored, answers, live)
        if live is not None:
            counts = (
                taken.counts if taken is not None and live is taken.live else counts_of(definition)
            )
            kept = (definition, stored, live, counts)
        _upsert_answers(session_id, writes, now)
        changes: dict[Any, Any] = {Session.updated_at: now}
        if current_step_id is not None:
            if definition.step(current_step_id) is None:
                raise InvalidAnswersError({current_step_id: "no such step in this wizard"})
            changes[Session.current_step_id] = current_step_id
        Session.update(changes).where(Session.id == session_id).execute()
    if kept is not None:
        _keep(session_id, now, kept[0], kept[1], kept[2], writes, kept[3])


def _completion_times(row: SessionInfo, now: dt.datetime) -> tuple[dt.datetime, float]:
    """`completed_at` and `total_time_seconds` for a session completed at `now`. When
    the clock was moved back since it started, both are clamped (never before the
    start, never negative), and the log says so."""
    started_at: dt.datetime = row.started_at
    if now < started_at:
        log.warning(
            "Session %s completes at %s, before it started (%s): the clock was moved back; "
            "its completion time is clamped to its start",
            row.id,
            now.isoformat(),
            started_at.isoformat(),
        )
        return started_at, 0.0
    return now, round((now - started_at).total_seconds(), 3)


def complete_session(session_id: str, step_id: str, answers: StepAnswers) -> SessionInfo:
    """Finish on the last step of the path: store its answers and complete the session
    (status, 100 %, completed_at, total time, the wizard's count) in one transaction,
    checked before it opens. Raises `SessionCompletedError` when it already is,
    changing nothing."""
    for _attempt in range(SAVE_ATTEMPTS):
        with storage_errors():
            row = _editable_row(session_id)
            rows = _stored_values(session_id)
        definition = _session_definition(
            definition_of_version(row.version_id), session_id, {**rows, **answers}
        )
        _check_fields_belong(definition, step_id, answers)
        path = _resolve(definition, {**rows, **answers}).path
        if path.step_ids[-1] != step_id:
            raise InvalidAnswersError(
                {step_id: "only the last step of the path can finish the wizard"}
            )
        completed = set(row.completed_step_ids) | {step_id}
        missing = [s for s in path.step_ids if s not in completed]
        if missing:
            raise InvalidAnswersError({s: "this step has not been completed" for s in missing})
        checked = _check_step(definition, rows, answers, path.step_ids)
        now = utc_now()
        completed_at, total_seconds = _completion_times(row, now)
        with write_transaction():
            written = _update_if_unchanged(
                _COMPLETE_UPDATE,
                row,
                now,
                status=COMPLETED,
                progress_percentage=100.0,
                completed_step_ids=json.dumps(list(path.step_ids)),
                current_step_id=step_id,
                completed_at=Session.completed_at.db_value(completed_at),
                total_time_seconds=total_seconds,
            )
            if written:
                _upsert_answers(session_id, checked.writes, now)
                Wizard.update(completed_count=Wizard.completed_count + 1).where(
                    Wizard.id == row.wizard_id
                ).execute()
        if written:
            return get_session(session_id)
    raise _kept_changing(session_id)


def add_active_seconds(session_id: str, seconds: float) -> None:
    """Add time the player was open on this session while it is in progress. Time
    spent viewing or reviewing a completed session is not counted: its figures were
    fixed when it was completed (a flush that arrives after Finish changes nothing)."""
    if seconds <= 0:
        return
    with write_transaction():
        Session.update(active_seconds=Session.active_seconds + seconds).where(
            (Session.id == session_id) & (Session.status != COMPLETED)
        ).execute()


def rename_session(session_id: str, name: str) -> SessionInfo:
    clean = name.strip()
    if not clean:
        raise ValueError("A session name cannot be empty.")
    with write_transaction():
        if Session.update(name=clean).where(Session.id == session_id).execute() != 1:
            raise SessionNotFoundError(session_id)
    return get_session(session_id)


def set_session_language(session_id: str, language: str) -> SessionInfo:
    """The language the person answers the session in, one of its wizard's (the summary,
    the report and the exports use it). A completed session keeps the language it was
    answered in."""
    row = _editable_row(session_id)
    if language not in definition_of_version(row.version_id).languages:
        raise ValueError(f"The wizard has no language {language!r}.")
    with write_transaction():
        updated = Session.update(language=language).where(
            (Session.id == session_id) & (Session.status != COMPLETED)
        )
        if updated.execute() != 1:
            raise SessionCompletedError(session_id)
    return get_session(session_id)


def delete_session(session_id: str) -> None:
    """Delete the session and its answers. A completed session leaves the wizard's
    completed count with it, so the count keeps matching the completed sessions."""
    with write_transaction():
        row = _row(session_id)
        named = attachments.named_contents(session_id)
        Answer.delete().where(Answer.session == session_id).execute()
        Session.delete().where(Session.id == session_id).execute()
        attachments.delete_unnamed(named)
        if row.is_completed:
            Wizard.update(completed_count=Wizard.completed_count - 1).where(
                Wizard.id == row.wizard_id
            ).execute()


def list_sessions(status: str | None = None, wizard_id: str | None = None) -> list[SessionInfo]:
    """Sessions, most recently updated first (for the CLI; the table view pages in SQL)."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"Unknown status {status!r}; expected one of {', '.join(STATUSES)}.")
    query = _session_query()
    if status is not None:
        query = query.where(Session.status == status)
    if wizard_id is not None:
        query = query.where(Session.wizard == wizard_id)
    with storage_errors():
        rows = db.execute(query.order_by(Session.updated_at.desc(), Session.id)).fetchall()
    return [_info(row) for row in rows]


# --- Sessions opened and never answered (issue 13: no 0 % leftovers).


def discard_if_unanswered(session_id: str) -> bool:
    """Delete the session when it is in progress, has no completed step and no stored
    answer (a cleared field is no answer, nor a calculated value): it was opened and
    left untouched, so it is not kept as a 0 % row. The player calls it when the person
    leaves the session. True when it was deleted; a session that is gone already changes
    nothing."""
    with write_transaction():
        try:
            row = _row(session_id)
        except SessionNotFoundError:
            return False
        if row.is_completed or row.completed_step_ids:
            return False
        rows = _stored_values(session_id)
        definition = _session_definition(definition_of_version(row.version_id), session_id, rows)
        stored = _answered(rows)
        if any(not _is_calculated(definition, field_id) for field_id in stored):
            return False
        Answer.delete().where(Answer.session == session_id).execute()
        Session.delete().where(Session.id == session_id).execute()
    return True
