"""The session controller: the one object between the player and the core services.

It owns every write the GUI makes (start, step, draft, completion, rename, active
time, save as template) and the decision to retry or give up. Writes run in order on
one worker thread, so the UI thread never waits for the database; results come back
through signals. A write leaves the queue only once it is stored, so nothing is
dropped or stored twice: environmental storage errors (busy, read-only, disk full,
I/O) are retried with exponential backoff on a timer, anything else is reported once
and kept until the person retries.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QElapsedTimer,
    QEventLoop,
    QObject,
    Qt,
    QThread,
    QTimer,
    Signal,
    Slot,
)

from wizard_desktop.core.sessions import (
    SessionCompletedError,
    SessionInfo,
    StepAnswers,
    StepSaved,
    add_active_seconds,
    complete_session,
    get_session,
    rename_session,
    save_draft,
    save_step,
    start_session,
)
from wizard_desktop.core.templates import TemplateInfo, save_as_template
from wizard_desktop.store.database import close_database, db
from wizard_desktop.store.errors import StorageError, StorageErrorKind

log = logging.getLogger(__name__)

DRAFT_DELAY_MS = 700
FIRST_RETRY_S = 0.5
MAX_RETRY_S = 30.0
ACTIVE_TIME_FLUSH_MS = 60_000
# The worker gives up on a held write lock quickly, so the person sees "Not saved —
# retrying" within a second instead of a silent wait; the retry timer does the rest.
WORKER_BUSY_TIMEOUT_MS = 800

SAVED = "saved"
SAVING = "saving"
RETRYING = "retrying"
FAILED = "failed"


# --- Writes: each runs on the worker thread and describes itself for the quit warning.


@dataclass
class _Write:
    session_id: str

    def run(self) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


@dataclass
class _StartWrite(_Write):
    wizard_id: str

    def run(self) -> SessionInfo:
        return start_session(self.wizard_id)

    def describe(self) -> str:
        return "a new session"


@dataclass
class _StepWrite(_Write):
    step_id: str
    answers: dict[str, Any]

    def run(self) -> StepSaved:
        return save_step(self.session_id, self.step_id, self.answers)

    def describe(self) -> str:
        return f"the answers of step “{self.step_id}”"


@dataclass
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


@dataclass
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


@dataclass
class _RenameWrite(_Write):
    name: str

    def run(self) -> SessionInfo:
        return rename_session(self.session_id, self.name)

    def describe(self) -> str:
        return "the new session name"


@dataclass
class _ActiveTimeWrite(_Write):
    seconds: float

    def run(self) -> None:
        add_active_seconds(self.session_id, self.seconds)

    def describe(self) -> str:
        return "the time spent in the session"


@dataclass
class _TemplateWrite(_Write):
    name: str

    def run(self) -> TemplateInfo:
        return save_as_template(self.session_id, self.name)

    def describe(self) -> str:
        return f"the template “{self.name}”"


class _Worker(QObject):
    """Runs one write at a time on the worker thread, with that thread's own connection."""

    succeeded = Signal(object, object)  # write, result
    failed = Signal(object, object)  # write, exception

    def __init__(self) -> None:
        super().__init__()
        self._database = db.obj

    @Slot(object, bool)
    def run(self, write: _Write, reconnect_first: bool) -> None:
        try:
            if reconnect_first:  # a connection that saw READONLY stays read-only
                close_database()
            if db.is_closed():
                db.connect()
                db.execute_sql(f"PRAGMA busy_timeout = {WORKER_BUSY_TIMEOUT_MS}")
            result = write.run()
        except Exception as exc:  # every failure goes back to the controller to decide
            self.failed.emit(write, exc)
        else:
            self.succeeded.emit(write, result)

    def close_connection(self) -> None:
        """Called on the worker thread as it ends (QThread.finished, direct connection)."""
        if self._database is not None and not self._database.is_closed():
            self._database.close()


class SessionController(QObject):
    """Queue of writes for the sessions a window plays, flushed in order exactly once.

    `open(session_id)` makes a session the current one: progress, step and completion
    signals are only emitted for it, and its active time is tracked.
    """

    saveStateChanged = Signal(str, str)  # state (SAVED/SAVING/RETRYING/FAILED), text
    progressChanged = Signal(float, str)  # stored progress, why it moved ("" if plain)
    stepSaved = Signal(str, object)  # step id, StepSaved
    completed = Signal(object)  # SessionInfo
    sessionStarted = Signal(object)  # SessionInfo
    renamed = Signal(object)  # SessionInfo
    templateSaved = Signal(object)  # TemplateInfo
    allSaved = Signal()
    error = Signal(str)

    _submit = Signal(object, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: deque[_Write] = deque()
        self._draft: _DraftWrite | None = None
        self._in_flight = False
        self._failed = False  # stopped on a bug-class error until retry_now()
        self._reconnect_next = False
        self._retry_delay_s = FIRST_RETRY_S
        self._session_id: str | None = None
        self._shut_down = False
        self._active = QElapsedTimer()

        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self._queue_draft)
        self._retry_timer = QTimer(self, singleShot=True)
        self._retry_timer.timeout.connect(self._pump)
        self._countdown = QTimer(self, interval=1000)
        self._countdown.timeout.connect(self._show_countdown)
        self._active_timer = QTimer(self, interval=ACTIVE_TIME_FLUSH_MS)
        self._active_timer.timeout.connect(self._queue_active_time)

        self._thread = QThread(self)
        self._thread.setObjectName("sessionWriter")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._worker.succeeded.connect(self._on_succeeded)
        self._worker.failed.connect(self._on_failed)
        self._thread.finished.connect(
            self._worker.close_connection, Qt.ConnectionType.DirectConnection
        )
        self._thread.start()
        app = QCoreApplication.instance()
        if app is not None:  # a window never closed must not leave the thread running
            app.aboutToQuit.connect(self.shutdown)

    # --- What the player and the main window call.

    @property
    def session_id(self) -> str | None:
        return self._session_id

    def start_session(self, wizard_id: str) -> None:
        """Start a session of `wizard_id`; `sessionStarted` says when it is stored."""
        self._enqueue(_StartWrite("", wizard_id))

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
        self._report_state()

    def save_step(self, step_id: str, answers: StepAnswers) -> None:
        """Next on `step_id`: stores its answers, completes it and moves progress."""
        self._queue_draft()
        self._enqueue(_StepWrite(self._current(), step_id, dict(answers)))

    def complete(self, step_id: str, answers: StepAnswers) -> None:
        """Finish on `step_id`; `completed` is emitted once the database says so.
        Asking twice queues one completion."""
        session_id = self._current()
        if any(isinstance(w, _CompleteWrite) and w.session_id == session_id for w in self._queue):
            return
        self._queue_draft()
        self._queue_active_time()
        self._enqueue(_CompleteWrite(session_id, step_id, dict(answers)))

    def rename(self, name: str) -> None:
        self._enqueue(_RenameWrite(self._current(), name))

    def save_as_template(self, name: str) -> None:
        self._enqueue(_TemplateWrite(self._current(), name))

    def retry_now(self) -> None:
        """Try the pending writes again at once (also after a bug-class error)."""
        self._queue_draft()
        self._retry_timer.stop()
        self._failed = False
        self._pump()

    def has_unsaved(self) -> bool:
        return bool(self._queue) or self._draft is not None

    def unsaved_description(self) -> str:
        """What would be lost if the app quit now, for a person."""
        pending = [*self._queue, *([self._draft] if self._draft is not None else [])]
        return ", ".join(dict.fromkeys(w.describe() for w in pending))

    def wait_until_saved(self, timeout_ms: int) -> bool:
        """Process events (never block) until every write is stored or time is up."""
        self.flush()
        if not self.has_unsaved():
            return True
        loop = QEventLoop()
        self.allSaved.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        self.allSaved.disconnect(loop.quit)
        return not self.has_unsaved()

    def shutdown(self) -> None:
        """Stop the worker thread (after its current write); call when the window closes."""
        self._shut_down = True
        for timer in (self._draft_timer, self._retry_timer, self._countdown, self._active_timer):
            timer.stop()
        self._thread.quit()
        self._thread.wait()

    # --- The queue.

    def _current(self) -> str:
        if self._session_id is None:
            raise RuntimeError("no session is open")
        return self._session_id

    def _enqueue(self, write: _Write) -> None:
        self._queue.append(write)
        self._pump()

    def _queue_draft(self) -> None:
        self._draft_timer.stop()
        draft, self._draft = self._draft, None
        if draft is None:
            return
        tail = self._queue[-1] if self._queue else None
        in_flight = self._in_flight and len(self._queue) == 1
        if isinstance(tail, _DraftWrite) and tail.session_id == draft.session_id and not in_flight:
            tail.merge(draft.answers, draft.current_step_id)
            self._report_state()
        else:
            self._enqueue(draft)

    def _queue_active_time(self) -> None:
        if self._session_id is None or not self._active.isValid():
            return
        seconds = self._active.restart() / 1000
        if seconds > 0:
            self._enqueue(_ActiveTimeWrite(self._session_id, seconds))

    def _pump(self) -> None:
        if self._shut_down:
            return
        if self._queue and not (self._in_flight or self._failed or self._retry_timer.isActive()):
            self._in_flight = True
            self._countdown.stop()
            self._submit.emit(self._queue[0], self._reconnect_next)
            self._reconnect_next = False
        self._report_state()

    @Slot(object, object)
    def _on_succeeded(self, write: _Write, result: Any) -> None:
        if self._shut_down:
            return
        self._queue.popleft()
        self._in_flight = False
        self._retry_delay_s = FIRST_RETRY_S
        self._deliver(write, result)
        self._pump()
        if not self.has_unsaved():
            self.allSaved.emit()

    def _deliver(self, write: _Write, result: Any) -> None:
        if isinstance(write, _StartWrite):
            self.sessionStarted.emit(result)
        elif isinstance(write, _TemplateWrite):
            self.templateSaved.emit(result)
        elif isinstance(write, _RenameWrite):
            self.renamed.emit(result)
        elif write.session_id != self._session_id:
            return
        elif isinstance(write, _StepWrite):
            self.stepSaved.emit(write.step_id, result)
            self.progressChanged.emit(result.progress_percentage, _progress_reason(result))
        elif isinstance(write, _CompleteWrite):
            self.progressChanged.emit(result.progress_percentage, "")
            self.completed.emit(result)

    @Slot(object, object)
    def _on_failed(self, write: _Write, exc: Exception) -> None:
        if self._shut_down:
            return
        self._in_flight = False
        if isinstance(exc, StorageError) and exc.is_environmental:
            log.warning(
                "Not saved (%s), retrying in %.1f s: %s", exc.kind, self._retry_delay_s, exc
            )
            self._reconnect_next = exc.kind is StorageErrorKind.READ_ONLY
            self._retry_timer.start(int(self._retry_delay_s * 1000))
            self._countdown.start()
            self._retry_delay_s = min(self._retry_delay_s * 2, MAX_RETRY_S)
            self._report_state()
            return
        log.error("Saving %s failed", write.describe(), exc_info=exc)
        self._failed = True
        self._report_state()
        advice = "Your answers are kept."
        if isinstance(exc, StorageError) and exc.kind is StorageErrorKind.CORRUPT:
            advice = (
                "Your answers are kept in this window. Restart Wizard Desktop: it moves the "
                "damaged file aside and offers to restore the newest backup."
            )
        self.error.emit(f"Could not save {write.describe()}: {exc}\n\n{advice}")

    # --- What the person sees.

    def _report_state(self) -> None:
        if self._failed:
            self.saveStateChanged.emit(FAILED, "Not saved — an error occurred")
        elif self._retry_timer.isActive():
            self._show_countdown()
        elif self.has_unsaved():
            self.saveStateChanged.emit(SAVING, "Saving…")
        else:
            self.saveStateChanged.emit(SAVED, "Saved")

    def _show_countdown(self) -> None:
        seconds = max(1, math.ceil(self._retry_timer.remainingTime() / 1000))
        self.saveStateChanged.emit(RETRYING, f"Not saved — retrying in {seconds} s")


def _progress_reason(saved: StepSaved) -> str:
    if not saved.path_changed:
        return ""
    steps = len(saved.path_step_ids)
    return (
        f"Your answers changed the path to {steps} steps, so progress moved from "
        f"{saved.previous_progress_percentage:.0f}% to {saved.progress_percentage:.0f}%."
    )
