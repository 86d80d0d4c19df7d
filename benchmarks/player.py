"""The wizard player, driven through its real widgets offscreen.

- `next_click`: a mouse click on Next until the next page is painted AND the step's
  answers are committed (the controller's `stepSaved`, sent once COMMIT returned on
  its writer thread), on steps of 20 fields, through the real `WizardPlayer` +
  `SessionController`; against a bare `QWizard` turning pages with the same editors
  (`make_input` + `FieldRow`, same layout) and no storage. Each round is a new step.
- `deep_wizard`: the same click on a 500-step wizard (4 fields a step): the Next that
  reaches step 500 (the session having 499 completed steps and their answers stored),
  against the Next from step 1 in a fresh session of the same wizard. Each round goes
  Back first (then waits until everything is stored) and clicks Next again.

- `keystroke_repaint(definition_dict, quick)`: on the first step of a format 2 wizard
  given as a dict (e.g. `benchmarks.expressions.generated_wizard()`: 2,000 fields whose
  expressions chain from the first field), a key typed into its first number field
  (alternately 3 and 7, so that every dependent state flips) until the page is
  repainted, in the real `WizardPlayer` + `SessionController`: the logic's update, the
  widgets that changed, the draft queued, the paint. The goal is absolute: within one
  60 Hz frame (median), so the anchor is that frame's 16.7 ms; beside it, not judged,
  the same keystroke into a bare spin box shown in the same window (Qt's own cost).

Both players are shown side by side in one process and measured alternately.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFrame,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from benchmarks.common import Figure, import_synthetic_wizard, interleaved, qt_application
from wizard_desktop.controller import SessionController
from wizard_desktop.core.sessions import load_session, save_step, start_session
from wizard_desktop.core.wizards import import_definition
from wizard_desktop.definition.loader import definition_from_dict
from wizard_desktop.definition.logic import wizard_logic
from wizard_desktop.definition.model import FieldType, WizardDefinition
from wizard_desktop.operations import OperationRunner
from wizard_desktop.store.database import close_database, open_database
from wizard_desktop.ui.editors import FieldRow, make_input
from wizard_desktop.ui.player import WizardPlayer

WINDOW_SIZE = (960, 640)
TIMEOUT_MS = 20_000
NEXT = QWizard.WizardButton.NextButton


class Done(QObject):
    """Quits an event loop once the target page has painted and `committed()` holds.
    Paints are watched on the page and every widget in it: a page covered by an opaque
    scroll area gets no paint event of its own."""

    def __init__(self, page: QWidget, committed: Callable[[], bool]) -> None:
        super().__init__(page)
        self.page = page
        self.painted = False
        self.committed = committed
        self.loop = QEventLoop()
        self.watched: list[QWidget] = []
        self.watch_page()

    def watch_page(self) -> None:
        """Watch the page and every widget in it not watched yet (the player builds a
        page's editors when it first shows it, so call this again after the click)."""
        for widget in (self.page, *self.page.findChildren(QWidget)):
            if widget not in self.watched:
                widget.installEventFilter(self)
                self.watched.append(widget)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = True
            self.check()
        return False

    def check(self) -> None:
        if self.finished():
            self.loop.quit()

    def finished(self) -> bool:
        return self.painted and self.page.isVisible() and self.committed()

    def wait(self) -> None:
        if not self.finished():
            QTimer.singleShot(TIMEOUT_MS, self.loop.quit)
            self.loop.exec()  # blocks in Qt, so the writer thread gets the GIL
        for widget in self.watched:
            widget.removeEventFilter(self)
        if not self.finished():
            raise RuntimeError(f"no paint and commit of {self.page.objectName()} in time")


def click_next_ms(wizard: QWizard, saved_signal: object | None = None) -> float:
    """Click Next; milliseconds until the next page is painted and, when the wizard
    stores answers, `saved_signal` (the controller's stepSaved) has fired once."""
    target = wizard.page(wizard.currentPage().nextId())
    saves: list[object] = []
    done = Done(target, lambda: saved_signal is None or bool(saves))
    if saved_signal is not None:

        def on_saved(*_args: object) -> None:
            saves.append(True)
            done.check()

        saved_signal.connect(on_saved)  # type: ignore[attr-defined]
    start = time.perf_counter()
    QTest.mouseClick(wizard.button(NEXT), Qt.MouseButton.LeftButton)
    done.watch_page()  # paints come from the event loop, after the click
    done.wait()
    elapsed = (time.perf_counter() - start) * 1000
    if saved_signal is not None:
        saved_signal.disconnect(on_saved)  # type: ignore[attr-defined]
    return elapsed


def bare_wizard(definition: WizardDefinition) -> QWizard:
    """A plain QWizard with the player's editors on the same pages, storing nothing."""
    wizard = QWizard()
    wizard.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
    wizard.setOptions(
        QWizard.WizardOption.IndependentPages
        | QWizard.WizardOption.NoCancelButton
        | QWizard.WizardOption.NoBackButtonOnStartPage
    )
    for index, step in enumerate(definition.steps):
        page = QWizardPage()
        page.setTitle(step.title)
        page.setObjectName(f"bare_{step.id}")
        content = QWidget()
        column = QVBoxLayout(content)
        for field in step.fields:
            field_input = make_input(field)
            field_input.set_value(field.default)
            column.addWidget(FieldRow(field_input))
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        QVBoxLayout(page).addWidget(scroll)
        wizard.setPage(index, page)
    return wizard


def show(widget: QWidget) -> None:
    widget.resize(*WINDOW_SIZE)
    widget.show()
    QTest.qWaitForWindowExposed(widget)
    QTest.qWait(50)


@contextmanager
def bench_database() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="bench-player-") as folder:
        open_database(Path(folder))
        try:
            yield Path(folder)
        finally:
            close_database()


@contextmanager
def playing(session_id: str) -> Iterator[tuple[WizardPlayer, SessionController]]:
    """The real player on a session, shown, with its own controller (writer thread)."""
    controller = SessionController(OperationRunner())
    controller.open(session_id)
    player = WizardPlayer(load_session(session_id), controller)
    show(player)
    try:
        yield player, controller
    finally:
        controller.wait_until_saved(TIMEOUT_MS)
        controller.shutdown()
        player.close()
        player.deleteLater()
        QTest.qWait(10)


def next_click(quick: bool) -> Figure:
    rounds, warmup = (8, 2) if quick else (25, 3)
    qt_application()
    with bench_database():
        wizard_id = import_synthetic_wizard("bench-next-click", rounds + warmup + 1, 20)
        info = start_session(wizard_id)
        with playing(info.id) as (player, controller):
            bare = bare_wizard(player.definition)
            show(bare)
            value, anchor = interleaved(
                lambda: click_next_ms(bare),
                lambda: click_next_ms(player, controller.stepSaved),
                rounds,
                warmup,
            )
            bare.close()
    return Figure(
        "next_click",
        "ms",
        1.5,
        value,
        anchor,
        "click Next -> next page painted + answers committed, 20 fields, WizardPlayer;"
        " anchor: bare QWizard with the same editors, no storage",
    )


def back_then_next_ms(player: WizardPlayer, controller: SessionController) -> float:
    player.back()
    if not controller.wait_until_saved(TIMEOUT_MS):
        raise RuntimeError("the player's writes were not stored in time")
    QTest.qWait(5)
    return click_next_ms(player, controller.stepSaved)


def deep_wizard(quick: bool) -> Figure:
    steps, fields = 500, 4
    rounds = 5 if quick else 15
    qt_application()
    with bench_database():
        wizard_id = import_synthetic_wizard("bench-deep", steps, fields)
        fresh = start_session(wizard_id)
        deep = start_session(wizard_id)
        definition = load_session(deep.id).definition
        for step in definition.steps[:-1]:
            save_step(deep.id, step.id, {f.id: f.default for f in step.fields})
        with (
            playing(fresh.id) as (first, first_controller),
            playing(deep.id) as (last, last_controller),
        ):
            if last.currentId() != steps - 1:
                raise RuntimeError(f"resumed at page {last.currentId()}, not {steps - 1}")
            click_next_ms(first, first_controller.stepSaved)  # both now stand on a page
            value, anchor = interleaved(  # that Back leaves and Next comes back to
                lambda: back_then_next_ms(first, first_controller),
                lambda: back_then_next_ms(last, last_controller),
                rounds,
            )
    return Figure(
        "deep_wizard",
        "ms",
        1.2,
        value,
        anchor,
        f"Next 499 -> 500 in a {steps}-step wizard ({fields} fields a step, 499 steps stored);"
        " anchor: Next 1 -> 2 in the same wizard",
    )


FRAME_MS = 1000 / 60


class Repainted(QObject):
    """Quits an event loop once a paint of `window` (its current page, for a wizard)
    or a widget in it has run to its end: the first paint event posts a zero-timer,
    which runs after the whole update of the window (every dirty widget) is painted."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.loop = QEventLoop()
        self.done = False
        page = window.currentPage() if isinstance(window, QWizard) else None
        shown = page if page is not None else window
        self.watched = [shown, *shown.findChildren(QWidget)]
        for widget in self.watched:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            QTimer.singleShot(0, self.loop.quit)
        return False

    def wait(self) -> None:
        if not self.done:
            QTimer.singleShot(TIMEOUT_MS, self.loop.quit)
            self.loop.exec()
        for widget in self.watched:
            widget.removeEventFilter(self)
        if not self.done:
            raise RuntimeError("no repaint after the keystroke in time")


def keystroke_ms(window: QWidget, spin: QDoubleSpinBox, digit: str) -> float:
    """Replace the spin box's number by `digit` (selected first, untimed); milliseconds
    from the key press to the end of the repaint it causes."""
    spin.setFocus()
    spin.selectAll()
    QTest.qWait(1)  # nothing else pending when the clock starts
    repainted = Repainted(window)
    start = time.perf_counter()
    QTest.keyClick(spin, digit)
    repainted.wait()
    return (time.perf_counter() - start) * 1000


def keystroke_repaint(definition_dict: dict[str, Any], quick: bool) -> Figure:
    rounds, warmup = (15, 3) if quick else (60, 5)
    qt_application()
    definition = definition_from_dict(definition_dict, source="keystroke")
    first = next(f for f in definition.steps[0].fields if f.type is FieldType.NUMBER)
    with bench_database():
        wizard_id = import_definition(definition).wizard_id
        info = start_session(wizard_id)
        with playing(info.id) as (player, _controller):
            spin = player.findChild(QDoubleSpinBox, f"field_{first.id}")
            if spin is None:
                raise RuntimeError(f"no number editor field_{first.id} on the first step")
            bare = QDoubleSpinBox()
            bare.setRange(-1000, 1000)
            bare.setWindowTitle("bare")
            show(bare)
            digits = iter("37" * (rounds + warmup + 2))
            bare_digits = iter("37" * (rounds + warmup + 2))
            samples, bare_samples = interleaved(
                lambda: keystroke_ms(bare, bare, next(bare_digits)),
                lambda: keystroke_ms(player, spin, next(digits)),
                rounds,
                warmup,
            )
            bare.close()
    logic = logic_ms(definition, first.id, len(samples))
    fields = len(definition.fields)
    return Figure(
        "keystroke_repaint",
        "ms",
        1.0,
        samples,
        [FRAME_MS] * len(samples),
        f"a key typed into {first.id} on step 1 of a {fields}-field format 2 wizard (every"
        " dependent state flips) until the page is repainted, WizardPlayer + controller;"
        " anchor: one 60 Hz frame (the goal is absolute)",
        notes=[
            "logic_ms: the same changes through wizard_logic(...).live(...) alone"
            " (set_answer, then the full Resolution), no widgets: the logic's share"
        ],
        extra={"logic_ms": statistics.median(logic)},
        second_anchor=("bare QDoubleSpinBox keystroke", bare_samples),
    )


def logic_ms(definition: WizardDefinition, field_id: str, rounds: int) -> list[float]:
    """Milliseconds of the logic alone for the keystroke's change, alternately 3 and 7."""
    live = wizard_logic(definition).live({})
    samples = []
    for value in [3, 7] * (rounds // 2 + 1):
        start = time.perf_counter()
        live.set_answer(field_id, value)
        live.current  # noqa: B018 (the player reads it after each change)
        samples.append((time.perf_counter() - start) * 1000)
    return samples[1:]
