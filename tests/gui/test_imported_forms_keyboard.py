"""Imported forms played as a person at the keyboard would: the real main window at its
default size, each field reached with Tab from where the page put the focus, answered
with keys only (Space, arrows, digits, typing), Enter for Next and Finish; the session
completes and stores what was typed. Also the regressions of what playing the real forms
of ../shared/realforms this way found (see each test)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import FINISH, NEXT, start
from tests.gui.test_surveyjs_play import REALFORMS as SURVEYJS_ROOT
from tests.gui.test_surveyjs_play import answer_for as surveyjs_answer
from tests.headless.test_ranking import CITIES
from tests.headless.test_xlsform_import import REALFORMS as XLSFORMS
from wizard_desktop.core.sessions import load_session
from wizard_desktop.core.wizards import import_wizard_file
from wizard_desktop.definition.model import AnswerValue, Field, FieldType
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.editors import SHOWN_ONLY, FieldRow
from wizard_desktop.ui.grid_editors import MatrixDropdownInput, MatrixInput, MultipleTextInput
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.player import StepPage, WizardPlayer

SURVEYJS = SURVEYJS_ROOT / "surveyjs"
MAX_TABS = 80  # more Tab presses than any page here has stops
MAX_STEPS = 200
ATTACHMENTS = (FieldType.IMAGE, FieldType.FILE, FieldType.SIGNATURE)
A_PHONE_NUMBER = "0712345678"


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def tab_to(qtbot: QtBot, target: QWidget) -> None:
    """Press Tab until `target` (or a widget inside it) has the focus."""
    for _ in range(MAX_TABS):
        now = focused()
        if now is target or target.isAncestorOf(now):
            return
        qtbot.keyClick(now, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reaches {target.objectName()}")


def type_text(qtbot: QtBot, text: str) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(focused(), text)


def keyboard_text(field: Field) -> str:
    """What a person types into a text field of `field`'s kind."""
    value = surveyjs_answer(field, None) if field.type is FieldType.TEXT else "x"
    if field.pattern is not None and "90" in field.pattern:  # a typed geopoint
        return "1.5 2.5"
    return str(value)


class Keyboard:
    """Answers a page's fields with keys only; `typed` keeps each answer it gave."""

    def __init__(self, qtbot: QtBot, window: MainWindow, picture: Path) -> None:
        self.qtbot = qtbot
        self.window = window
        self.picture = picture
        self.typed: dict[str, AnswerValue] = {}

    @property
    def player(self) -> WizardPlayer:
        assert self.window.player is not None
        return self.window.player

    def wanted(self, page: StepPage, everything: bool) -> list[FieldRow]:
        resolution = self.player.state.resolution
        rows = []
        for field in page.visible_fields():
            row = page.rows[field.id]
            answerable = field.type not in SHOWN_ONLY and field.id not in resolution.disabled
            empty = row.input.value() in (None, "", [], {}, False)
            asked = everything or field.id in resolution.required
            # an optional file is left: it is chosen through the system's dialog
            optional_file = field.type in ATTACHMENTS and field.id not in resolution.required
            offered = resolution.options.get(field.id) != ()
            if answerable and empty and asked and offered and not optional_file:
                rows.append(row)
        return rows

    def answer(self, row: FieldRow) -> None:
        qtbot, field, editor = self.qtbot, row.input.field, row.input
        tab_to(qtbot, editor.focus_widget())
        key = focused()
        match field.type:
            case FieldType.TEXT | FieldType.MULTILINE:
                type_text(qtbot, keyboard_text(field))
                if field.id in self.player.state.resolution.problems:
                    type_text(qtbot, A_PHONE_NUMBER)  # a constraint such as a phone number's
            case FieldType.NUMBER:
                low = field.min if isinstance(field.min, int | float) else 1
                qtbot.keyClicks(key, str(int(low) if float(low).is_integer() else low))
                qtbot.keyClick(key, Qt.Key.Key_Tab)  # the spin box takes the number
            case FieldType.DATE:
                qtbot.keyClicks(key, str(field.min) if field.min else "2000-01-01")
            case FieldType.TIME:
                qtbot.keyClicks(key, "1200")
            case FieldType.CHOICE if isinstance(key, QComboBox):
                qtbot.keyClick(key, Qt.Key.Key_Down)
            case FieldType.CHOICE | FieldType.MULTI_CHOICE | FieldType.BOOLEAN:
                qtbot.keyClick(key, Qt.Key.Key_Space)
            case FieldType.RATING:
                qtbot.keyClick(key, Qt.Key.Key_Right)
            case FieldType.RANKING:
                qtbot.keyClick(key, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
            case FieldType.MATRIX:
                assert isinstance(editor, MatrixInput)
                for _row in field.rows:  # the first choice of each row, Down to the next
                    qtbot.keyClick(focused(), Qt.Key.Key_Space)
                    qtbot.keyClick(focused(), Qt.Key.Key_Down)
            case FieldType.MATRIX_DROPDOWN | FieldType.MULTIPLE_TEXT:
                assert isinstance(editor, MatrixDropdownInput | MultipleTextInput)
                for place in sorted(editor.cells):
                    cell = editor.cells[place]
                    tab_to(qtbot, cell)
                    if isinstance(cell, QComboBox):
                        qtbot.keyClick(cell, Qt.Key.Key_Down)
                    else:
                        qtbot.keyClicks(cell, "1")
            case FieldType.IMAGE | FieldType.FILE | FieldType.SIGNATURE:
                qtbot.keyClick(key, Qt.Key.Key_Space)  # "Choose…": the dialog gives the file
                qtbot.waitUntil(lambda: editor.value() is not None)
            case _:
                raise AssertionError(f"no keys for {field.type}")
        value = editor.value()
        assert value not in (None, "", [], {}), f"the keys left {field.id} unanswered"
        self.typed[field.id] = value

    def play_step(self, everything: bool) -> None:
        page = self.player.currentPage()
        assert isinstance(page, StepPage)
        for _pass in range(5):  # an answer may show more fields
            rows = self.wanted(page, everything)
            if not rows:
                break
            for row in rows:
                self.answer(row)
        self.qtbot.waitUntil(lambda: self.player.button(NEXT).isEnabled(), timeout=3000)
        # Enter is a new line in a multi-line field, and presses a focused button (a file
        # field's "Choose…"): there a person uses Next's mnemonic, Alt+N
        if isinstance(focused(), QPlainTextEdit | QPushButton):
            self.qtbot.keyClick(focused(), Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
        else:
            self.qtbot.keyClick(focused(), Qt.Key.Key_Return)

    def play(self, everything: bool = True, on_step: object = None) -> int:
        steps = 0
        while self.player.currentPage() is not self.player.review_page:
            before = self.player.currentPage()
            if callable(on_step):
                on_step(self, steps)
            if self.player.currentPage() is before:
                self.play_step(everything)
                self.qtbot.waitUntil(lambda left=before: self.player.currentPage() is not left)
            steps += 1
            assert steps < MAX_STEPS
        finish = self.player.button(FINISH)
        assert focused() is finish  # the review page gives Finish the focus
        self.qtbot.keyClick(finish, Qt.Key.Key_Return)
        return steps


def played(qtbot: QtBot, window: MainWindow, form: Path, tmp_path: Path, **options: object) -> str:
    """Import `form`, start it and play it to Finish at the keyboard; the session's id,
    once stored as completed, with every answer typed stored."""
    assert window.size().width() == 1000  # the default size, as a person first sees it
    picture = tmp_path / "photo.png"
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(0x336699)
    assert image.save(str(picture))
    wizard_id = import_wizard_file(form).wizard_id
    window.wizards_view.reload(wizard_id)
    keys = Keyboard(qtbot, window, picture)
    start(qtbot, window, wizard_id)
    keys.play(**options)  # type: ignore[arg-type]
    session_id = keys.player.info.id
    qtbot.waitUntil(lambda: load_session(session_id).info.is_completed, timeout=10000)
    stored = load_session(session_id)
    answers = {**stored.answers, **stored.calculated}
    assert {k: answers.get(k) for k in keys.typed} == keys.typed
    return session_id


@pytest.fixture(autouse=True)
def a_chosen_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The system's file dialog, answered with a small picture."""
    monkeypatch.setattr(dialogs, "ask_attachment_path", lambda *_a, **_k: tmp_path / "photo.png")


# --- End to end, keyboard only ------------------------------------------------------


def test_course_evaluation_every_field_by_keyboard(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """Text, radio buttons, a combo box, matrices, ratings, a check box and comments."""
    played(qtbot, window, SURVEYJS / "course-evaluation.json", tmp_path)


def test_patient_history_panels_and_add_another_by_keyboard(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """Nested panels, a dynamic panel whose Add another (in the side panel) is reached
    with Tab and pressed with Space, and a matrixdynamic's multiple texts."""
    added: list[WizardPlayer] = []

    def add_another_once(keys: Keyboard, _n: int) -> None:
        player = keys.player
        add = player.repeat_controls.add_button
        if added or not add.isVisible():
            return
        page = player.currentPage()
        assert isinstance(page, StepPage)
        for row in keys.wanted(page, everything=True):
            keys.answer(row)
        tab_to(qtbot, add)
        qtbot.keyClick(add, Qt.Key.Key_Space)  # saves the instance, then adds one
        qtbot.waitUntil(lambda: window.player is not None and window.player is not player)
        added.append(window.player)
        qtbot.waitUntil(lambda: focused() is not None and window.player.isVisible())

    session_id = played(
        qtbot, window, SURVEYJS / "patient-history.json", tmp_path, on_step=add_another_once
    )
    assert added
    answers = load_session(session_id).answers
    assert answers["family-history[0].relation"] == "x"
    assert "family-history[1].relation" in answers  # the instance added, answered too


def test_all_question_types_by_keyboard(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    """The XLSForm of every question type (a cities.geojson beside a copy): numbers,
    ranges, dates, times, selects (radio and combo), a ranking, files."""
    form = tmp_path / "all-question-types.xlsx"
    shutil.copy(XLSFORMS / "all-question-types.xlsx", form)
    (tmp_path / "cities.geojson").write_text(json.dumps(CITIES), encoding="utf-8")
    played(qtbot, window, form, tmp_path, everything=False)


def test_hotosm_buildings_by_keyboard(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    played(qtbot, window, XLSFORMS / "hotosm-buildings.xlsx", tmp_path)
