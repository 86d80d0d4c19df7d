"""Take the player's screenshots offscreen into docs/screenshots/ (re-runnable).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py

Plays the bundled wizards on a throw-away data folder: a text/choice step, each step
of the field showcase, validation messages, the retry state (another connection holds
the write lock) and the completion page; and a format 2 wizard (TRIP_REPORT): a note,
a rating, a time and a calculated total, then the rules it follows as answers change.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QDeadlineTimer, QEventLoop, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLineEdit,
    QScrollArea,
    QWidget,
    QWizard,
)

from wizard_desktop.app import create_main_window
from wizard_desktop.core.sessions import start_session
from wizard_desktop.core.templates import save_as_template, start_from_template
from wizard_desktop.core.wizards import import_wizard_file
from wizard_desktop.store.database import close_database, database_path
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.player import WizardPlayer

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SIZE = (1000, 680)
TRIP_REPORT = """\
format_version: 2
id: trip-report
title: Trip report
steps:
  - id: trip
    title: "Trip of {traveller}"
    fields:
      - {id: traveller, type: text, label: Your name, required: true}
      - id: intro
        type: note
        label: "Thank you, **{traveller}**. Amounts are in euros; the total is worked out for you."
      - {id: start, type: time, label: Departure time, required: true}
      - {id: mood, type: rating, label: How was the trip?, help: "1 is bad, 5 is great"}
      - {id: nights, type: number, label: Nights, max: 30}
      - {id: rate, type: number, label: Hotel rate per night, unit: EUR}
      - {id: total, type: calculated, label: Hotel total (EUR), calculate: "{nights} * {rate}"}
  - id: rules
    title: Approval
    fields:
      - id: region
        type: choice
        label: Region
        options: [{value: eu, label: Europe}, {value: us, label: Americas}]
      - id: city
        type: choice
        label: City
        options:
          - {value: paris, label: Paris, visible_if: "{region} = 'eu'"}
          - {value: rome, label: Rome, visible_if: "{region} = 'eu'"}
          - {value: nyc, label: New York, visible_if: "{region} = 'us'"}
      - id: amount
        type: number
        label: Amount claimed
        unit: EUR
        constraint: "{amount} <= 5000"
        constraint_message: Claims above 5,000 EUR go through the finance desk instead.
      - {id: why, type: text, label: "Why {amount} EUR?", required_if: "{amount} > 1000"}
      - {id: manager, type: boolean, label: A manager approved it}
      - {id: approver, type: text, label: Approver, enabled_if: "{manager} = true"}
"""


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], bool], timeout_ms: int = 10_000) -> None:
    deadline = QDeadlineTimer(timeout_ms)
    while not condition():
        if deadline.hasExpired():
            raise TimeoutError("the screen never reached the expected state")
        wait(20)


def shot(window: MainWindow, name: str) -> None:
    wait(50)
    path = OUT / f"{name}.png"
    window.grab().save(str(path))
    print(path)


def child(player: WizardPlayer, name: str) -> QWidget:
    widget = player.findChild(QWidget, name)
    assert widget is not None, name
    return widget


def set_text(player: WizardPlayer, field_id: str, text: str) -> None:
    edit = child(player, f"field_{field_id}")
    assert isinstance(edit, QLineEdit)
    edit.setText(text)


def check(player: WizardPlayer, name: str) -> None:
    button = child(player, name)
    assert isinstance(button, QAbstractButton)
    button.setChecked(True)


def next_page(window: MainWindow, player: WizardPlayer) -> None:
    """Next, and wait until the step is stored and the next one shown."""
    before = player.currentId()
    player.button(QWizard.WizardButton.NextButton).click()
    wait_until(lambda: not window.controller.has_unsaved() and player.currentId() != before)


@contextmanager
def write_lock_held(data_dir: Path) -> Iterator[None]:
    """Another connection holds the write lock, as another program would."""
    locker = sqlite3.connect(database_path(data_dir), isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        locker.execute("ROLLBACK")
        locker.close()


def wait_for_retry(player: WizardPlayer) -> None:
    status = child(player, "saveStatus")
    wait_until(lambda: status.text().startswith("Not saved — retrying"))  # type: ignore[attr-defined]


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="wizard-desktop-shots-"))
    window = create_main_window(data_dir)
    window.resize(*SIZE)
    window.show()
    shot(window, "00-wizards")

    laptop = window.open_session(start_session("laptop-config", "Laptop for Jane").id)
    set_text(laptop, "full_name", "Jane Doe")
    set_text(laptop, "email", "jane.doe@example.com")
    check(laptop, "field_department_Engineering")
    shot(window, "01-text-and-choice-step")
    with write_lock_held(data_dir):
        laptop.button(QWizard.WizardButton.NextButton).click()
        wait_for_retry(laptop)
        shot(window, "07-retry-state")
    assert laptop.controller.wait_until_saved(10_000)  # the lock is gone: the retry stores it

    showcase = window.open_session(start_session("field-showcase", "Showcase").id)
    set_text(showcase, "nickname", "S")
    set_text(showcase, "postcode", "12")
    shot(window, "02-validation-messages")
    set_text(showcase, "nickname", "Sam")
    set_text(showcase, "postcode", "1234 AB")
    shot(window, "03-showcase-text")
    next_page(window, showcase)
    shot(window, "04-showcase-numbers")
    next_page(window, showcase)
    shot(window, "05-showcase-choices")
    next_page(window, showcase)
    date = child(showcase, "field_event_date")
    assert isinstance(date, QLineEdit)
    date.setFocus()
    date.selectAll()  # the field's default is there; typed over, as a person does
    QTest.keyClicks(date, "2025-09-12")
    shot(window, "06-showcase-dates-and-consent")

    check(showcase, "field_terms")
    next_page(window, showcase)
    grid_steps(window, showcase)
    next_page(window, showcase)  # the review page, where Finish is
    shot(window, "10-review-page")
    with write_lock_held(data_dir):
        showcase.button(QWizard.WizardButton.FinishButton).click()
        wait_for_retry(showcase)
        shot(window, "08-completing-not-saved-yet")
    completion = child(showcase, "completionStatus")
    wait_until(lambda: "completed and saved" in completion.text())  # type: ignore[attr-defined]
    shot(window, "09-completion-page")

    template = save_as_template(showcase.info.id, "Showcase defaults")
    prefilled = window.open_session(start_from_template(template.id, "Showcase again").session.id)
    shot(window, "12-template-banner")
    assert prefilled.controller.wait_until_saved(10_000)
    window.leave_player()
    window.tabs.setCurrentIndex(0)
    shot(window, "11-continue-where-you-left-off")
    format_2_steps(window, data_dir)

    window.close()
    close_database()
    app.quit()
    return 0


def grid_steps(window: MainWindow, showcase: WizardPlayer) -> None:
    """The showcase's grids, answered from the keyboard, one cell showing its problem;
    each grid scrolled into view in turn."""
    matrix = child(showcase, "field_workplace_desk")
    matrix.setFocus()
    for key in ("Right", "Right", "Space", "Down", "Right", "Space", "Down", "Space"):
        QTest.keyClick(window.focusWidget(), getattr(Qt.Key, f"Key_{key}"))
    shot_widget(showcase, "field_workplace", "grid-matrix")
    set_text(showcase, "equipment_laptop.count", "1")
    set_text(showcase, "equipment_laptop.model", "ThinkPad X1")
    set_text(showcase, "equipment_monitor.count", "12")
    combo = child(showcase, "field_equipment_laptop.condition")
    combo.setCurrentIndex(1)  # type: ignore[attr-defined]
    own = child(showcase, "field_equipment_laptop.own")
    own.setCurrentIndex(1)  # type: ignore[attr-defined]
    shot_widget(showcase, "field_equipment", "grid-matrix-dropdown")
    set_text(showcase, "emergency_name", "Ada Lovelace")
    set_text(showcase, "emergency_phone", "call me")
    shot_widget(showcase, "field_emergency", "grid-multiple-text")
    set_text(showcase, "equipment_monitor.count", "2")
    set_text(showcase, "emergency_phone", "+44 20 7946 0000")
    shot(window, "grid-step")


def shot_widget(player: WizardPlayer, name: str, shot_name: str) -> None:
    """The window at its size, scrolled so that the widget `name` shows."""
    page = player.currentPage()
    scroll = page.findChild(QScrollArea)
    widget = child(player, name)
    if scroll is not None:
        scroll.ensureWidgetVisible(widget, 0, 40)
    shot(player.window(), shot_name)


def set_number(player: WizardPlayer, field_id: str, value: float) -> None:
    spin = child(player, f"field_{field_id}")
    spin.setValue(value)  # type: ignore[attr-defined]


def format_2_steps(window: MainWindow, data_dir: Path) -> None:
    """A note, a time, a rating and a calculated total; then a cleared option, a
    constraint, a required_if and a read-only field, as the person sees them."""
    path = data_dir / "trip-report.yaml"
    path.write_text(TRIP_REPORT, encoding="utf-8")
    wizard_id = import_wizard_file(path).wizard_id
    trip = window.open_session(start_session(wizard_id, "Trip to Lyon").id)
    set_text(trip, "traveller", "Ann")
    time = child(trip, "field_start")
    time.setFocus()
    QTest.keyClicks(time, "7:45")
    time.clearFocus()  # leaving the field writes it as HH:MM
    check(trip, "field_mood_4")
    set_number(trip, "nights", 3)
    set_number(trip, "rate", 95)
    shot(window, "13-note-rating-time-calculated")
    next_page(window, trip)
    check(trip, "field_region_eu")
    check(trip, "field_city_rome")
    check(trip, "field_region_us")  # Rome is no longer offered: cleared, and said so
    set_number(trip, "amount", 6200)
    shot(window, "14-live-rules")
    assert trip.controller.wait_until_saved(10_000)
    window.leave_player()


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main())
