"""The session controller: the one object between the player and the core services.

It turns what the player does (start, step, draft, the last step kept for the review,
completion, rename, active time, save as template) into operations on the window's `OperationRunner`
(wizard_desktop/operations.py), which runs them in order off the UI thread and
decides "retry or give up"; results come back as signals for the session on screen.
Typing is coalesced into one draft write after a short pause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal

from wizard_desktop.core.export import write_export
from wizard_desktop.core.sessions import (
    InvalidAnswersError,
    SessionCompletedError,
    SessionInfo,
    SessionNotFoundError,
    StepAnswers,
    StepSaved,
    add_active_seconds,
    complete_session,
    get_session,
    rename_session,
    save_draft,
    save_step,
    set_session_language,
    start_session,
)
from wizard_desktop.core.templates import TemplateInfo, save_as_template
from wizard_desktop.definition.problems import shorten
from wizard_desktop.operations import (
    FAILED,
    RETRYING,
    SAVED,
    SAVING,
    Call,
    Change,
    Operation,
    OperationRunner,
)

__all__ = ["FAILED", "RETRYING", "SAVED", "SAVING", "SessionController"]

DRAFT_DELAY_MS = 700
ACTIVE_TIME_FLUSH_MS = 60_000


# --- The session writes: each runs on the writer thread and describes itself.


@dataclass(eq=False)
class _Write(Operation):
    session_id: str

    def change(self, result: Any) -> Change:
        return Change(sessions=(self.session_id,))

    def is_refusal(self, error: Exception) -> bool:
        # Deleted meanwhile (from the sessions view, or with its wizard): nothing of it
        # can be stored any more, so the write goes instead of stopping the queue.
        return isinstance(error, SessionNotFoundError)


@dataclass(eq=False)
class _StartWrite(_Write):
    wizard_id: str

    def run(self) -> SessionInfo:
        return start_session(self.wizard_id)

    def describe(self) -> str:
        return "a new session"

    def change(self, result: SessionInfo) -> Change:
        return Change(sessions=(result.id,))


@dataclass(eq=False)
class _StepWrite(_Write):
    step_id: str
    answers: dict[str, Any]
    title: str  # the step's title as the person sees it, for what waits or failed

    def run(self) -> StepSaved:
        return save_step(self.session_id, self.step_id, self.answers)

    def describe(self) -> str:
        return f"the answers of “{shorten(self.title)}”"


@dataclass(eq=False)
class _DraftWrite(_Write):
    answers: dict[str, Any] = field(default_factory=dict)
    current_step_id: str | None = None

    def run(self) -> None:
        save_draft(self.session_id, self.answers, self.current_step_id)

    def describe(self) -> str:
        return "answers being typed"

    def merge(self, answers: StepAnswers, current_step_id: str | None) -> None:
        self.answers.update(answers)
        if current_step_id is not None:
            self.current_step_id = current_step_id

    def absorb(self, later: Operation) -> bool:
        if isinstance(later, _DraftWrite) and later.session_id == self.session_id:
            self.merge(later.answers, later.current_step_id)
            return True
        return False


@dataclass(eq=False)
class _CompleteWrite(_Write):
    step_id: str
    answers: dict[str, Any]

    def run(self) -> SessionInfo:
        try:
            return complete_session(self.session_id, self.step_id, self.answers)
        except SessionCompletedError:
            # A retry after a lost acknowledgement: the first attempt was stored.
            info = get_session(self.session_id)
            if not info.is_completed:
                raise
            return info

    def describe(self) -> str:
        return "the completion of the session"

    def change(self, result: SessionInfo) -> Change:
        return Change(sessions=(self.session_id,), wizards=True)  # the completed count


@dataclass(eq=False)
class _RenameWrite(_Write):
    name: str

    def run(self) -> SessionInfo:
        return rename_session(self.session_id, self.name)

    def describe(self) -> str:
        return "the new session name"


@dataclass(eq=False)
class _LanguageWrite(_Write):
    language: str

    def run(self) -> SessionInfo:
        return set_session_language(self.session_id, self.language)

    def describe(self) -> str:
        return "the session's language"


@dataclass(eq=False)
class _ActiveTimeWrite(_Write):
    seconds: float

    def run(self) -> None:
        add_active_seconds(self.session_id, self.seconds)

    def describe(self) -> str:
        return "the time spent in the session"


@dataclass(eq=False)
class _TemplateWrite(_Write):
    name: str

    def run(self) -> TemplateInfo:
        return save_as_template(self.session_id, self.name)

    def describe(self) -> str:
        return f"the template “{self.name}”"

    def change(self, result: TemplateInfo) -> Change:
        return Change(templates=True, select_template=result.id)


class SessionController(QObject):
    """The player's writes for the sessions a window plays, on the window's runner.

    `open(session_id)` makes a session the current one: progress, step and completion
    signals are only emitted for it, and its active time is tracked.
    """

    saveStateChanged = Signal(str, str)  # state (SAVED/SAVING/RETRYING/FAILED), text
    stepSaved = Signal(str, object)  # step id, StepSaved
    completed = Signal(object)  # SessionInfo
    sessionStarted = Signal(object)  # SessionInfo
    renamed = Signal(object)  # SessionInfo
    templateSaved = Signal(object)  # TemplateInfo
    allSaved = Signal()

    def __init__(self, operations: OperationRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.operations = operations
        self._draft: _DraftWrite | None = None
        self._session_id: str | None = None
        self._active = QElapsedTimer()

        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self._queue_draft)
        self._active_timer = QTimer(self, interval=ACTIVE_TIME_FLUSH_MS)
        self._active_timer.timeout.connect(self._queue_active_time)
        operations.stateChanged.connect(self._forward_state)
        operations.executed.connect(self._deliver)
        operations.allSaved.connect(self._forward_all_saved)

    # --- What the player and the main window call.

    @property
    def session_id(self) -> str | None:
        return self._session_id

    def start_session(self, wizard_id: str) -> None:
        """Start a session of `wizard_id`; `sessionStarted` says when it is stored."""
        self.operations.run(_StartWrite("", wizard_id))

    def open(self, session_id: str) -> None:
        """Make `session_id` the session on screen (leaving the previous one)."""
        self.leave()
        self._session_id = session_id
        self._active.start()
        self._active_timer.start()

    def leave(self) -> None:
        """The player closes: queue the draft and the active time now."""
        if self._session_id is None:
            return
        self.flush()
        self._active_timer.stop()
        self._active.invalidate()
        self._session_id = None

    def flush(self) -> None:
        """Queue the pending draft and the active time without waiting for timers."""
        self._queue_draft()
        self._queue_active_time()

    def update_draft(self, answers: StepAnswers, current_step_id: str | None = None) -> None:
        """Answers being typed (and/or the step on screen): saved DRAFT_DELAY_MS after
        the first change not yet saved, however long the typing goes on."""
        if self._session_id is None:
            return
        if self._draft is None:
            self._draft = _DraftWrite(self._session_id)
            self._draft_timer.start()
        self._draft.merge(answers, current_step_id)
        self.operations.report_state()

    def save_step(self, step_id: str, answers: StepAnswers, title: str) -> None:
        """Next on `step_id` (`title` as shown): stores its answers, completes it and
        moves progress."""
        self._queue_draft()
        self.operations.run(_StepWrite(self._current(), step_id, dict(answers), title))

    def keep_for_review(self, step_id: str, answers: StepAnswers) -> None:
        """Next on the last step, to the review: its answers and the step are stored
        now as a draft; the step is completed only by `complete` (Finish)."""
        self.update_draft(answers, step_id)
        self._queue_draft()

    def when_saved(self, tell: Callable[[], None]) -> None:
        """Call `tell` once every write queued so far is stored (at once if it is)."""
        if self.has_unsaved():
            self.allSaved.connect(tell, Qt.ConnectionType.SingleShotConnection)
        else:
            tell()

    def complete(self, step_id: str, answers: StepAnswers) -> None:
        """Finish on `step_id`; `completed` is emitted once the database says so.
        Asking twice queues one completion."""
        session_id = self._current()
        if any(
            isinstance(w, _CompleteWrite) and w.session_id == session_id
            for w in self.operations.pending()
        ):
            return
        self._queue_draft()
        self._queue_active_time()
        self.operations.run(_CompleteWrite(session_id, step_id, dict(answers)))

    def rename(self, name: str) -> None:
        self.operations.run(_RenameWrite(self._current(), name))

    def change_instances(
        self,
        what: str,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[Exception], None],
    ) -> None:
        """Add, remove or restore a repeat's instance (`core.repeats`), after the draft
        typed so far; `done(result)` once it is stored, `failed` when it is refused."""
        self._queue_draft()
        session_id = self._current()
        self.operations.run(
            Call(
                what,
                work,
                changes=lambda _result: Change(sessions=(session_id,)),
                done=done,
                failed=failed,
                refused_by=(InvalidAnswersError, SessionNotFoundError, SessionCompletedError),
            )
        )

    def set_language(self, language: str) -> None:
        """The person switched the wizard's language: the session is answered in it."""
        self.operations.run(_LanguageWrite(self._current(), language))

    def save_as_template(self, name: str) -> None:
        self.operations.run(_TemplateWrite(self._current(), name))

    def export(
        self,
        session_id: str,
        path: Path,
        *,
        done: Callable[[Path], None],
        failed: Callable[[Exception], None],
    ) -> None:
        """Write the session's export to `path` after the writes queued before it;
        `done` gets the file written (a .zip when the session has attachments)."""
        self.operations.run(
            Call(
                f"the export to {path}",
                lambda: write_export(session_id, path, overwrite=True),  # the dialog asked
                done=done,
                failed=failed,
                refused_by=(OSError, ValueError, LookupError),
            )
        )

    def retry_now(self) -> None:
        """Try the pending writes again at once (also after a bug-class error)."""
        self._queue_draft()
        self.operations.retry_now()

    def has_unsaved(self) -> bool:
        return self.operations.has_unsaved() or self._draft is not None

    def unsaved_description(self) -> str:
        """What would be lost if the app quit now, for a person."""
        return self.operations.unsaved_description(also=[self._draft] if self._draft else [])

    def wait_until_saved(self, timeout_ms: int) -> bool:
        """Process events (never block) until every write is stored or time is up."""
        self.flush()
        return self.operations.wait_until_saved(timeout_ms)

    def shutdown(self) -> None:
        """Stop the timers and the runner's writer thread (after its current write)."""
        self._draft_timer.stop()
        self._active_timer.stop()
        self.operations.shutdown()

    # --- Internals.

    def _current(self) -> str:
        if self._session_id is None:
            raise RuntimeError("no session is open")
        return self._session_id

    def _queue_draft(self) -> None:
        self._draft_timer.stop()
        draft, self._draft = self._draft, None
        if draft is not None:
            self.operations.run(draft)

    def _queue_active_time(self) -> None:
        if self._session_id is None or not self._active.isValid():
            return
        seconds = self._active.restart() / 1000
        if seconds > 0:
            self.operations.run(_ActiveTimeWrite(self._session_id, seconds))

    def _forward_state(self, state: str, text: str) -> None:
        if state == SAVED and self._draft is not None:
            state, text = SAVING, "Saving…"
        self.saveStateChanged.emit(state, text)

    def _forward_all_saved(self) -> None:
        if self._draft is None:
            self.allSaved.emit()

    def _deliver(self, write: Operation, result: Any) -> None:
        if isinstance(write, _StartWrite):
            self.sessionStarted.emit(result)
        elif isinstance(write, _TemplateWrite):
            self.templateSaved.emit(result)
        elif isinstance(write, _RenameWrite):
            self.renamed.emit(result)
        elif not isinstance(write, _Write) or write.session_id != self._session_id:
            return
        elif isinstance(write, _StepWrite):
            self.stepSaved.emit(write.step_id, result)
        elif isinstance(write, _CompleteWrite):
            self.completed.emit(result)
