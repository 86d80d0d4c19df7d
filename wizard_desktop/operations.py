"""The one door for every write the GUI makes, and the background lanes it runs on.

An `Operation` is one write (start, step, draft, rename, delete, a template, an
import, an export, the daily backup…): `run()` does the work on the writer thread, and
what it changed comes back to the UI thread as a `Change` on `operationDidExecute`,
the one signal every view listens to. `OperationRunner` runs operations in order on
one thread with that thread's own connection, so the UI thread never waits for the
database, and decides "retry or give up" for all of them:

- an environmental storage error (busy, read-only, disk full, I/O) keeps the
  operation at the head of the queue and retries it with exponential backoff on a
  timer; `stateChanged` says what is waiting;
- an error the operation names as a refusal (a bad file, a name already gone) drops
  it — nothing was stored — and tells its `refused()` hook;
- anything else is a bug: reported once on `error`, kept until `retry_now()`.

An operation leaves the queue only once it is stored, so nothing is lost, and each
is stored once (a failed attempt rolled back).

Once the queue has been empty IDLE_CHECKPOINT_MS, the writer thread checkpoints the
WAL (and empties it as the thread ends), so a commit does not pay for copying the
log into the database file (a 5 MB attachment would be written twice in its save).

Reads that may take a while (the sessions COUNT, the integrity check) run on the
read lane, `read_in_background()`: a pool thread with its own connection. They stay
apart from the write queue on purpose: in WAL mode a read never waits for the write
lock, so it must not queue behind a write that is being retried for seconds; and a
read has nothing to retry or lose (the next one replaces it). A long read that writes
only a file of the person's (the sessions spreadsheet) runs there too, through
`read_with_progress()`: it tells its progress and can be cancelled, and it does not
hold the writer thread (and so the player's saves) for seconds.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import peewee
from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QObject,
    Qt,
    QThread,
    QThreadPool,
    QTimer,
    Signal,
    SignalInstance,
    Slot,
)
from shiboken6 import Shiboken

from wizard_desktop.store.database import (
    DEFAULT_BUSY_TIMEOUT_MS,
    checkpoint,
    connect_this_thread,
)
from wizard_desktop.store.errors import DRIVER_ERRORS, StorageError, StorageErrorKind, classify

log = logging.getLogger(__name__)

FIRST_RETRY_S = 0.5
MAX_RETRY_S = 30.0
# The writer gives up on a held write lock quickly, so the person sees "Not saved —
# retrying" within a second instead of a silent wait; the retry timer does the rest.
WORKER_BUSY_TIMEOUT_MS = 800
IDLE_CHECKPOINT_MS = 1500
"""How long the queue stays empty after a write before the writer thread checkpoints
the WAL (`store.database.checkpoint`): the copy into the database file that a commit
would otherwise make is made while the person reads the next step."""

SAVED = "saved"
SAVING = "saving"
RETRYING = "retrying"
FAILED = "failed"


@dataclass(frozen=True)
class Change:
    """What a stored operation changed, for the views to show it."""

    sessions: tuple[str, ...] = ()
    """Sessions whose row changed (or was deleted: its row goes)."""
    deleted_sessions: tuple[str, ...] = ()
    all_sessions: bool = False
    templates: bool = False
    select_template: int | None = None
    wizards: bool = False
    select_wizard: str | None = None


class Operation:
    """One write. `run()` runs on the writer thread; the other hooks on the UI thread."""

    kept = True
    """False for maintenance (the daily backup) and start-up work (a restore): a
    failure is told to `refused()`, never retried, and it is not work that closing
    the app would lose."""
    uses_database = True
    """False for work on the database's files (a restore): the writer thread does not
    connect first."""

    def run(self) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        """What is stored, for a person: "the new session name"."""
        raise NotImplementedError

    def change(self, result: Any) -> Change:
        return Change()

    def succeeded(self, result: Any) -> None:
        """Stored: called once, before `operationDidExecute`."""

    def is_refusal(self, error: Exception) -> bool:
        """True when `error` means the write was refused (nothing stored): it is dropped."""
        return False

    def refused(self, error: Exception) -> None:
        """Refused (or a maintenance operation failed): nothing was stored."""

    def absorb(self, later: Operation) -> bool:
        """Take `later` into this queued operation (True) instead of queueing it."""
        return False


@dataclass(eq=False)
class Call(Operation):
    """An operation made of functions, as the views build them: `work()` on the writer
    thread, then `done(result)` or, when it raised one of `refused_by`,
    `failed(error)` on the UI thread."""

    what: str
    work: Callable[[], Any]
    changes: Callable[[Any], Change] = field(default=lambda _result: Change())
    done: Callable[[Any], None] | None = None
    failed: Callable[[Exception], None] | None = None
    refused_by: tuple[type[Exception], ...] = ()
    kept: bool = True
    uses_database: bool = True

    def run(self) -> Any:
        return self.work()

    def describe(self) -> str:
        return self.what

    def change(self, result: Any) -> Change:
        return self.changes(result)

    def succeeded(self, result: Any) -> None:
        if self.done is not None:
            self.done(result)

    def is_refusal(self, error: Exception) -> bool:
        return isinstance(error, self.refused_by)

    def refused(self, error: Exception) -> None:
        if self.failed is not None:
            self.failed(error)


class _WriterThread(QThread):
    """The writer thread. Its event loop runs inside a Python call, so the slots it
    calls share one Python thread state: without it PySide gives each call a new one,
    and Peewee's per-thread connection (a thread-local) would be lost, and a new one
    opened, at every operation."""

    def run(self) -> None:
        self.exec()


class _Writer(QObject):
    """Runs one operation at a time on the writer thread, with that thread's connection."""

    succeeded = Signal(object, object)  # operation, result
    failed = Signal(object, object)  # operation, exception

    def __init__(self) -> None:
        super().__init__()
        self._connected: list[peewee.Database] = []

    @Slot(object, bool)
    def run(self, operation: Operation, reconnect_first: bool) -> None:
        try:
            if operation.uses_database:
                database = connect_this_thread(WORKER_BUSY_TIMEOUT_MS, reconnect=reconnect_first)
                if database not in self._connected:
                    self._connected.append(database)
            result = operation.run()
        except DRIVER_ERRORS as exc:  # a driver error the core did not classify
            self.failed.emit(operation, classify(exc))
        except Exception as exc:  # every failure goes back to the runner to decide
            self.failed.emit(operation, exc)
        else:
            self.succeeded.emit(operation, result)

    @Slot()
    def checkpoint_when_idle(self) -> None:
        """The queue has been idle a moment: the WAL into the database file (PASSIVE,
        it waits for no one). One not done is left to the next idle moment or to a
        commit's own checkpoint."""
        self._checkpoint(truncate=False)

    def _checkpoint(self, *, truncate: bool) -> None:
        if not self._connected:
            return  # no operation used the database
        try:
            connect_this_thread(WORKER_BUSY_TIMEOUT_MS)
            checkpoint(truncate=truncate)
        except (StorageError, *DRIVER_ERRORS) as error:
            log.info("Checkpoint left to later or to SQLite: %s", error)

    def close_connections(self) -> None:
        """Called on the writer thread as it ends (QThread.finished, direct
        connection): the WAL emptied into the database file first (TRUNCATE)."""
        self._checkpoint(truncate=True)
        for database in self._connected:
            if not database.is_closed():
                database.close()


class OperationRunner(QObject):
    """The queue of a window's writes, flushed in order, each exactly once."""

    stateChanged = Signal(str, str)  # state (SAVED/SAVING/RETRYING/FAILED), text
    operationDidExecute = Signal(object)  # Change
    executed = Signal(object, object)  # operation, result (after its own hooks)
    allSaved = Signal()
    """Every kept operation is stored."""
    idle = Signal()
    """The queue is empty."""
    error = Signal(str)

    _submit = Signal(object, bool)
    _checkpoint = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: deque[Operation] = deque()
        self._in_flight = False
        self._failed = False  # stopped on a bug-class error until retry_now()
        self._reconnect_next = False
        self._retry_delay_s = FIRST_RETRY_S
        self._shut_down = False
        self._waiting_reason = ""
        self._thread: QThread | None = None  # started with the first operation
        self._last_done: Operation | None = None

        self._retry_timer = QTimer(self, singleShot=True)
        self._retry_timer.timeout.connect(self._pump)
        self._countdown = QTimer(self, interval=1000)
        self._countdown.timeout.connect(self._report_state)
        self._idle_timer = QTimer(self, singleShot=True, interval=IDLE_CHECKPOINT_MS)
        self._idle_timer.timeout.connect(self._checkpoint_when_idle)
        app = QCoreApplication.instance()
        if app is not None:  # a window never closed must not leave the thread running
            app.aboutToQuit.connect(self.shutdown)

    # --- What the views and the controller call.

    def run(self, operation: Operation) -> None:
        """Queue `operation`; it runs after every operation queued before it."""
        tail = self._queue[-1] if self._queue else None
        tail_in_flight = self._in_flight and len(self._queue) == 1
        if tail is not None and not tail_in_flight and tail.absorb(operation):
            self._report_state()
            return
        self._queue.append(operation)
        self._pump()

    def pending(self) -> tuple[Operation, ...]:
        return tuple(self._queue)

    def has_unsaved(self) -> bool:
        return any(operation.kept for operation in self._queue)

    def unsaved_description(self, also: Iterable[Operation] = ()) -> str:
        """What would be lost if the app quit now (with `also`, not queued yet)."""
        kept = (operation.describe() for operation in [*self._queue, *also] if operation.kept)
        return ", ".join(dict.fromkeys(kept))

    def retry_now(self) -> None:
        """Try the pending operations again at once (also after a bug-class error)."""
        self._retry_timer.stop()
        self._failed = False
        self._pump()

    def wait_until_saved(self, timeout_ms: int) -> bool:
        """Process events (never block) until every kept operation is stored or time is up."""
        if self.has_unsaved():
            _process_events_until(self.allSaved, timeout_ms)
        return not self.has_unsaved()

    def wait_until_idle(self) -> None:
        """Process events (never block) until the queue is empty."""
        if self._queue:
            _process_events_until(self.idle)

    def shutdown(self) -> None:
        """Stop the writer thread (after its current operation)."""
        self._shut_down = True
        self._retry_timer.stop()
        self._countdown.stop()
        self._idle_timer.stop()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()

    def report_state(self) -> None:
        """Emit `stateChanged` now (the controller adds work the queue does not hold)."""
        self._report_state()

    # --- The queue.

    def _start_thread(self) -> None:
        self._thread = _WriterThread(self)
        self._thread.setObjectName("writer")
        self._writer = _Writer()
        self._writer.moveToThread(self._thread)
        self._submit.connect(self._writer.run)
        self._checkpoint.connect(self._writer.checkpoint_when_idle)
        self._writer.succeeded.connect(self._on_succeeded)
        self._writer.failed.connect(self._on_failed)
        self._thread.finished.connect(
            self._writer.close_connections, Qt.ConnectionType.DirectConnection
        )
        self._thread.start()

    def _pump(self) -> None:
        if self._shut_down:
            return
        if self._queue and not (self._in_flight or self._failed or self._retry_timer.isActive()):
            if self._thread is None:
                self._start_thread()
            self._in_flight = True
            self._countdown.stop()
            self._idle_timer.stop()
            self._submit.emit(self._queue[0], self._reconnect_next)
            self._reconnect_next = False
        self._report_state()

    @Slot(object, object)
    def _on_succeeded(self, operation: Operation, result: Any) -> None:
        if self._shut_down:
            return
        self._retry_delay_s = FIRST_RETRY_S
        self._waiting_reason = ""
        self._leave_queue(lambda: self._tell_succeeded(operation, result))

    def _tell_succeeded(self, operation: Operation, result: Any) -> None:
        operation.succeeded(result)
        self.executed.emit(operation, result)
        self.operationDidExecute.emit(operation.change(result))

    def _leave_queue(self, tell: Callable[[], None]) -> None:
        """The head operation is done (stored or refused): `tell()` whoever waits for
        it, then go on with the next one, even if telling raised."""
        # Held until the next one is done: by then the writer thread has let go of it,
        # so what it holds (views, in its callbacks) is released on this thread.
        self._last_done = self._queue.popleft()
        self._in_flight = False
        try:
            tell()
        finally:
            self._pump()
            if not self.has_unsaved():
                self.allSaved.emit()
            if not self._queue:
                self._idle_timer.start()
                self.idle.emit()

    def _checkpoint_when_idle(self) -> None:
        if not (self._queue or self._shut_down):
            self._checkpoint.emit()

    @Slot(object, object)
    def _on_failed(self, operation: Operation, exc: Exception) -> None:
        if self._shut_down:
            return
        self._in_flight = False
        environmental = isinstance(exc, StorageError) and exc.is_environmental
        if environmental and operation.kept:
            log.warning(
                "Not saved (%s), retrying in %.1f s: %s", exc.kind, self._retry_delay_s, exc
            )
            self._waiting_reason = _waiting_reason(exc)
            self._reconnect_next = exc.kind is StorageErrorKind.READ_ONLY
            self._retry_timer.start(int(self._retry_delay_s * 1000))
            self._countdown.start()
            self._retry_delay_s = min(self._retry_delay_s * 2, MAX_RETRY_S)
            self._report_state()
            return
        if operation.is_refusal(exc) or not operation.kept:
            log.info("%s was refused: %s", operation.describe(), exc)
            self._leave_queue(lambda: operation.refused(exc))
            return
        log.error("Saving %s failed", operation.describe(), exc_info=exc)
        self._failed = True
        self._report_state()
        advice = "Your work is kept."
        if isinstance(exc, StorageError) and exc.kind is StorageErrorKind.CORRUPT:
            advice = (
                "Your work is kept in this window. Restart Wizard Desktop: it moves the "
                "damaged file aside and offers to restore the newest backup."
            )
        self.error.emit(f"Could not save {operation.describe()}: {exc}\n\n{advice}")

    # --- What the person sees.

    def state(self) -> tuple[str, str]:
        """The state and its text, as `stateChanged` last said or would say now."""
        if self._failed:
            return FAILED, "Not saved — an error occurred"
        if self._retry_timer.isActive():
            seconds = max(1, math.ceil(self._retry_timer.remainingTime() / 1000))
            return RETRYING, f"Not saved — retrying in {seconds} s"
        if self.has_unsaved():
            return SAVING, "Saving…"
        return SAVED, "Saved"

    def waiting_text(self) -> str:
        """One line for the main window: what is waiting and why ("" when nothing is)."""
        state, text = self.state()
        if state == SAVED:
            return ""
        waiting = self.unsaved_description()
        reason = f" ({self._waiting_reason})" if state == RETRYING and self._waiting_reason else ""
        return f"{text}{reason}: {waiting}" if waiting else text

    def _report_state(self) -> None:
        self.stateChanged.emit(*self.state())


def _process_events_until(signal: SignalInstance, timeout_ms: int | None = None) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    if timeout_ms is not None:
        QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def _waiting_reason(error: StorageError) -> str:
    return {
        StorageErrorKind.BUSY: "another program is writing the database",
        StorageErrorKind.READ_ONLY: "the database cannot be written",
        StorageErrorKind.FULL: "the disk is full",
        StorageErrorKind.IO: "the disk could not be written",
    }.get(error.kind, str(error.kind))


# --- The read lane.


class _ReadRelay(QObject):
    """Brings results of pool threads back to the UI thread. One for the process,
    living as long as it. The pool thread only sees the work and a ticket: who waits
    for the result stays here, so no Qt object is ever released on a pool thread, and
    a result for a receiver deleted meanwhile is dropped."""

    finished = Signal(object, object)  # ticket, result
    progressed = Signal(object, int, int)  # ticket, done, total

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[object, tuple[QObject, Callable[[Any], None]]] = {}
        self.reporting: dict[object, Callable[[int, int], None]] = {}
        self.finished.connect(self._deliver)
        self.progressed.connect(self._report)

    def _deliver(self, ticket: object, result: Any) -> None:
        receiver, callback = self.waiting.pop(ticket)
        self.reporting.pop(ticket, None)
        if Shiboken.isValid(receiver):  # else its window was closed meanwhile
            callback(result)

    def _report(self, ticket: object, done: int, total: int) -> None:
        # Delivered in order, before the result: the same thread emitted both.
        waiting, callback = self.waiting.get(ticket), self.reporting.get(ticket)
        if waiting is not None and callback is not None and Shiboken.isValid(waiting[0]):
            callback(done, total)


@cache
def _read_relay() -> _ReadRelay:
    return _ReadRelay()  # first asked for on the UI thread, so it lives there


class ReadProgress:
    """What a long read on the read lane is handed: `report(done, total)` reaches the
    UI thread's `progressed` callback; `cancel()`, called there, makes `cancelled`
    true for the read to stop at its next look. Plain Python: the pool thread holds no
    Qt object through it."""

    def __init__(self, ticket: object) -> None:
        self._ticket = ticket
        self._stop = threading.Event()

    def report(self, done: int, total: int) -> None:
        _read_relay().progressed.emit(self._ticket, done, total)

    def cancel(self) -> None:
        self._stop.set()

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()


def read_with_progress(
    work: Callable[[ReadProgress], Any],
    done: Callable[[Any], None],
    receiver: QObject,
    progressed: Callable[[int, int], None],
) -> ReadProgress:
    """`read_in_background` for a read that takes long: `work(progress)` reports on
    `progress` and looks at `progress.cancelled`; `progressed(done, total)` runs on the
    UI thread (before `done`) while `receiver` exists. Returns the handle to cancel."""
    ticket = object()
    progress = ReadProgress(ticket)
    _read_relay().reporting[ticket] = progressed
    _start_read(lambda: work(progress), done, receiver, ticket)
    return progress


def read_in_background(
    work: Callable[[], Any], done: Callable[[Any], None], receiver: QObject
) -> None:
    """Run the read `work()` (which holds no Qt object) on a pool thread with that
    thread's own connection; `done(result)` runs on the UI thread while `receiver`
    exists, with the `StorageError` instead of a result when the read failed."""
    _start_read(work, done, receiver, object())


def _start_read(
    work: Callable[[], Any], done: Callable[[Any], None], receiver: QObject, ticket: object
) -> None:
    relay = _read_relay()
    relay.waiting[ticket] = (receiver, done)

    def task() -> None:
        result: Any
        database = None
        try:
            database = connect_this_thread(DEFAULT_BUSY_TIMEOUT_MS)
            result = work()
        except StorageError as error:
            result = error
        except DRIVER_ERRORS as exc:
            result = classify(exc)
        finally:
            if database is not None:
                database.close()
        relay.finished.emit(ticket, result)

    QThreadPool.globalInstance().start(task)


def wait_for_reads() -> None:
    """Let the reads still running end: called as the app exits, because a pool thread
    must not outlive the interpreter."""
    QThreadPool.globalInstance().waitForDone()
