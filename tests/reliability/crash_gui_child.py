"""A child process for the GUI crash test: the real main window offscreen, built by the
public `create_main_window`; the `three-steps` wizard started from the wizards list,
text typed into its fields key by key (QTest) at a person's uneven pace, Next and
Finish clicked, then the player closed and a new session started, until the parent
kills the process with SIGKILL. It says what it typed and what the player showed, on
the monotonic clock the parent shares.

Only public surfaces are used: objectNames (wizardList, startButton, field_<id>,
saveStatus, leavePlayerButton), the QWizard's Next and Finish buttons, and the
database file, read to learn which session the player opened (the newest one).

Usage: QT_QPA_PLATFORM=offscreen python crash_gui_child.py DATA_DIR SEED [--burst]
(--burst: first one long burst of BURST_KEYS keys into the first field, no pause)
Lines: READY
     | START <session>                      the player opened a new session
     | TYPED <session> <field> <t> <json>   after a key press at t the field holds <json>
     | NEXT <session> <step> <t>            Next (Finish, on the last step) clicked at t
     | SAVED <t>                            saveStatus said "Saved" at t: everything said
                                            before this line is stored
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QWidget,
    QWizard,
)

from tests.reliability.crash_checks import connected
from wizard_desktop.app import create_main_window
from wizard_desktop.store.files import database_path

WIZARD_TITLE = "Three Steps"
STEP_FIELDS = (("a", "a1"), ("b", "b1"), ("c", "c1"))
LETTERS = "abcdefghijklmnopqrstuvwxyz "
BURST_KEYS = 40
# Keys per field: a few, or a long run (bursts of typing longer than the draft delay).
FIELD_LENGTHS = ((1, 5), (8, 30))
NEXT = QWizard.WizardButton.NextButton
FINISH = QWizard.WizardButton.FinishButton
Found = TypeVar("Found", bound=QWidget)


class Typist:
    """Plays sessions through the window and reports each key, click and "Saved"."""

    def __init__(self, window: QWidget, data_dir: Path, rng: random.Random) -> None:
        self.window = window
        self.data_dir = data_dir
        self.rng = rng
        self.unacknowledged = False  # something was said since the last SAVED
        self.player: QWizard | None = None
        self.poll = QTimer(interval=10)
        self.poll.timeout.connect(self.report_saved)
        self.poll.start()

    def say(self, line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def tell(self, line: str) -> None:
        """Say something that a later SAVED acknowledges."""
        self.say(line)
        self.unacknowledged = True

    def report_saved(self) -> None:
        if self.player is None or not self.unacknowledged:
            return
        status = self.player.findChild(QLabel, "saveStatus")
        if status is not None and status.text() == "Saved":
            self.unacknowledged = False
            self.say(f"SAVED {time.monotonic()}")

    def wait_for(self, condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the window did not get there")
            QTest.qWait(5)

    def visible_player(self) -> QWizard | None:
        players = [w for w in self.window.findChildren(QWizard) if w.isVisible()]
        return players[0] if players else None

    def start_session(self) -> tuple[str, QWizard]:
        """Select the wizard, click Start; the session and its player, once shown."""
        wizard_list = find(self.window, QTreeWidget, "wizardList")
        (item,) = wizard_list.findItems(WIZARD_TITLE, Qt.MatchFlag.MatchExactly, 0)
        wizard_list.setCurrentItem(item)
        previous, self.player = self.player, None
        click(find(self.window, QAbstractButton, "startButton"))
        self.wait_for(lambda: self.visible_player() not in (None, previous))
        player = self.player = self.visible_player()
        assert player is not None
        with connected(database_path(self.data_dir)) as connection:
            (session_id,) = connection.execute(
                "SELECT id FROM session ORDER BY rowid DESC LIMIT 1"
            ).fetchone()
        self.say(f"START {session_id}")
        return str(session_id), player

    def pause(self) -> None:
        """A person's pace: mostly quick keys, sometimes a pause longer than the
        draft delay (so bursts of typing both longer and shorter than it happen)."""
        if self.rng.random() < 0.08:
            QTest.qWait(self.rng.randint(300, 1500))
        else:
            QTest.qWait(self.rng.randint(20, 200))

    def quick_pause(self) -> None:
        QTest.qWait(self.rng.randint(50, 150))

    def type_into(
        self, player: QWizard, session_id: str, field_id: str, keys: int, pause: Callable[[], None]
    ) -> None:
        edit = find(player, QLineEdit, f"field_{field_id}")
        self.wait_for(edit.isVisible)
        edit.setFocus()
        for _ in range(keys):
            QTest.keyClicks(edit, self.rng.choice(LETTERS))
            self.tell(f"TYPED {session_id} {field_id} {time.monotonic()} {json.dumps(edit.text())}")
            pause()

    def burst(self) -> None:
        """One long burst of typing, never pausing as long as the draft delay."""
        session_id, player = self.start_session()
        self.type_into(player, session_id, STEP_FIELDS[0][1], BURST_KEYS, self.quick_pause)

    def play(self) -> None:
        """One session: each field typed, Next (then Finish on the review page after
        the last step), then leave."""
        session_id, player = self.start_session()
        for index, (step_id, field_id) in enumerate(STEP_FIELDS):
            keys = self.rng.randint(*self.rng.choice(FIELD_LENGTHS))
            self.type_into(player, session_id, field_id, keys, self.pause)
            click(player.button(NEXT))
            if index == len(STEP_FIELDS) - 1:  # Next showed the review page: Finish there
                self.wait_for(player.button(FINISH).isVisible)
                click(player.button(FINISH))
            self.tell(f"NEXT {session_id} {step_id} {time.monotonic()}")
            self.pause()
        leave = find(player, QAbstractButton, "leavePlayerButton")
        self.wait_for(leave.isVisible)
        click(leave)


def find(parent: QWidget, kind: type[Found], name: str) -> Found:
    widget = parent.findChild(kind, name)
    assert widget is not None, f"no {kind.__name__} named {name}"
    return widget


def click(button: QAbstractButton) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def main() -> None:
    data_dir, seed = Path(sys.argv[1]), int(sys.argv[2])
    burst = "--burst" in sys.argv
    _app = QApplication(sys.argv[:1])  # kept alive while the typist plays
    window = create_main_window(data_dir)
    window.show()
    QTest.qWaitForWindowExposed(window)
    typist = Typist(window, data_dir, random.Random(seed))
    typist.say("READY")
    if burst:
        typist.burst()
    while True:
        typist.play()


if __name__ == "__main__":
    main()
