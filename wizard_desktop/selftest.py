"""`wizard-desktop --self-test`: proves on this machine, without touching the person's
data, that the app works end to end: a fresh database in a temporary folder, the
bundled wizards imported, the Laptop Config wizard played through the real player and
controller to completion, and the stored result checked. One line of output."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication, QWizard

from wizard_desktop.app import create_main_window
from wizard_desktop.core.sessions import load_session
from wizard_desktop.core.wizards import list_wizards
from wizard_desktop.definition.model import AnswerValue
from wizard_desktop.store.database import close_database
from wizard_desktop.ui.player import StepPage

WIZARD_ID = "laptop-config"
ANSWERS: dict[str, AnswerValue] = {
    "full_name": "Self Test",
    "email": "self.test@example.com",
    "department": "Engineering",
    "model": "ultrabook-13",
    "memory_gb": "32",
    "storage_gb": 1024,
    "operating_system": "linux",
    "applications": ["ide", "vpn"],
    "delivery_address": "1 Test Street, Testville",
}
TIMEOUT_MS = 15_000


class SelfTestError(Exception):
    pass


def _wait_for(signal: SignalInstance, what: str) -> list[object]:
    received: list[object] = []
    loop = QEventLoop()

    def got(*args: object) -> None:
        received.extend(args)
        loop.quit()

    signal.connect(got)
    timer = QTimer(singleShot=True, interval=TIMEOUT_MS)
    timer.timeout.connect(loop.quit)
    timer.start()
    loop.exec()
    signal.disconnect(got)
    if not timer.isActive():
        raise SelfTestError(f"timed out waiting for {what}")
    return received


def _play(folder: Path) -> str:
    window = create_main_window(folder)
    window.show()
    controller = window.controller
    controller.start_session(WIZARD_ID)
    _wait_for(controller.sessionStarted, "the session to start")
    player = window.player
    if player is None:
        raise SelfTestError("the player did not open")
    session_id = player.info.id
    while True:
        page = player.currentPage()
        if not isinstance(page, StepPage):
            raise SelfTestError(f"unexpected page {type(page).__name__}")
        for field_id, row in page.rows.items():
            if field_id in ANSWERS:
                row.input.set_value(ANSWERS[field_id])
        if not page.isComplete():
            raise SelfTestError(f"step {page.step.id} is not complete with the test answers")
        if page.nextId() == -1:
            player.button(QWizard.WizardButton.FinishButton).click()
            break
        player.next()
    _wait_for(controller.completed, "the completion to be stored")
    window.close()
    return session_id


def _check(session_id: str) -> None:
    state = load_session(session_id)
    if not state.info.is_completed or state.info.progress_percentage != 100:
        raise SelfTestError(
            f"stored status {state.info.status} at {state.info.progress_percentage}%"
        )
    wrong = {k: v for k, v in ANSWERS.items() if state.answers.get(k) != v}
    if wrong:
        raise SelfTestError(f"stored answers differ for {', '.join(sorted(wrong))}")
    if {w.id: w.completed_count for w in list_wizards()}.get(WIZARD_ID) != 1:
        raise SelfTestError("the wizard's completed count is not 1")


def run_self_test() -> int:
    """Exit code 0 when everything worked; prints one line either way."""
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="wizard-desktop-self-test-") as folder:
        try:
            session_id = _play(Path(folder))
            _check(session_id)
        except Exception as exc:  # the one line must say what failed, whatever it was
            print(f"self-test FAILED on platform {app.platformName()}: {type(exc).__name__}: {exc}")
            return 1
        finally:
            close_database()
    elapsed = (time.monotonic() - started) * 1000
    print(
        f"self-test ok: {WIZARD_ID} played to completion and stored "
        f"(platform {app.platformName()}, {elapsed:.0f} ms)"
    )
    return 0
