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
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from pytestqt.exceptions import TimeoutError
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import FINISH, NEXT, a_photo, find, import_listed, start
from tests.gui.test_surveyjs_play import REALFORMS as SURVEYJS_ROOT
from tests.gui.test_surveyjs_play import answer_for as surveyjs_answer
from tests.gui.test_xlsform_play import answer_for as xlsform_answer
from tests.headless.test_ranking import CITIES
from tests.headless.test_xlsform_import import REALFORMS as XLSFORMS
from tests.headless.test_xlsform_import import form
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
    """What a person types into a text field of `field`'s kind (an email, a number as
    text, a geopoint, a date and time...)."""
    pattern = field.pattern or "@"
    if field.type is FieldType.TEXT and "@" not in pattern and "[eE]" not in pattern:
        return str(xlsform_answer(field, None))  # a geopoint, a date and time
    return str(surveyjs_answer(field, None)) if field.type is FieldType.TEXT else "x"


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
        try:
            self.qtbot.waitUntil(lambda: self.player.button(NEXT).isEnabled(), timeout=3000)
        except TimeoutError as exc:  # say what holds the page
            shown = {f.id: page.rows[f.id].input.value() for f in page.visible_fields()}
            problems = dict(self.player.state.resolution.problems)
            raise AssertionError(f"{page.step.id}: {shown} {problems}") from exc
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
    picture = a_photo(tmp_path)
    wizard_id = import_listed(window, form)
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
    played(qtbot, window, form, tmp_path)


def test_income_survey_dynamic_panels_by_keyboard(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """Its dynamic panels (a repeat per panel) and radio groups, what it asks answered."""
    played(qtbot, window, SURVEYJS / "income-survey.json", tmp_path, everything=False)


def test_socio_economic_survey_cascade_and_repeat_by_keyboard(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """A choice_filter cascade (region, then its districts in a combo box), a phone
    number's constraint, a repeat of household members."""
    session_id = played(qtbot, window, XLSFORMS / "socio-economic-survey.xlsx", tmp_path)
    answers = load_session(session_id).answers
    assert answers["region"] and answers["district"]
    assert answers["familyMembers[0].firstNameFM"] == "x"


def test_hotosm_buildings_by_keyboard(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    played(qtbot, window, XLSFORMS / "hotosm-buildings.xlsx", tmp_path)


# --- What playing the real forms found, each fixed ------------------------------------

SMALL = """|  | type | name | label | required | parameters | calculation | repeat_count |
|  | note | welcome | Welcome to the **survey** | | | | |
|  | begin_group | hh | Household | | | | |
|  | integer | count | How many people? | | | | |
|  | range | weight | Weight | | start=1.5;end=5.5;step=0.5 | | |
|  | text | head | Name of the head | yes | | | |
|  | end_group | | | | | | |
|  | calculate | twice | | | | ${count} * 2 | |
|  | image | photo | Photo | | | | |
|  | begin_repeat | member | Member | | | | 2 |
|  | text | mname | Name | | | | |
|  | integer | age | Age | | | | |
|  | end_repeat | | | | | | |
"""


def small_form(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> WizardPlayer:
    wizard_id = import_wizard_file(form(tmp_path, SMALL)).wizard_id
    window.wizards_view.reload(wizard_id)
    return start(qtbot, window, wizard_id)


def page_of(player: WizardPlayer) -> StepPage:
    page = player.currentPage()
    assert isinstance(page, StepPage)
    return page


def test_a_page_of_notes_only_puts_the_focus_on_next(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """A page with nothing to answer (a note, Markdown shown as such): Next has the
    focus, so Enter goes on."""
    player = small_form(qtbot, window, tmp_path)
    assert page_of(player).step.id == "welcome"
    assert focused() is player.button(NEXT)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert page_of(player).step.id == "count"


def test_a_number_tabbed_past_entered_or_deleted_stays_unanswered(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """Tab out of an unanswered number, Enter in it, or its number deleted: it was
    answered 0 (Qt corrected its dash, or the empty text, to 0, also as the wizard's
    buttons were updated mid-typing). Up from unanswered starts at its min, and a
    decimal typed is the decimal typed."""
    player = small_form(qtbot, window, tmp_path)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    count = page_of(player).rows["count"].input
    assert focused() is count.focus_widget()
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert count.value() is None
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # Next, the number still unanswered
    assert page_of(player).step.id == "weight"
    qtbot.keyClick(focused(), Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # Back
    assert page_of(player).step.id == "count" and count.value() is None
    type_text(qtbot, "7")
    assert count.value() == 7
    qtbot.keyClick(focused(), Qt.Key.Key_Backspace)
    assert count.value() is None and player.state.answers.get("count") is None
    qtbot.keyClicks(focused(), "3")  # the person types another
    assert count.value() == 3
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    weight = page_of(player).rows["weight"].input
    assert weight.field.min == 1.5
    qtbot.keyClick(focused(), Qt.Key.Key_Up)
    assert weight.value() == 1.5  # was 1.0, below the range
    # "1" (below the range) makes the page incomplete: QWizard hides and shows the page,
    # and the spin box wrote "1.0", so ".5" was refused and 1.0 answered
    type_text(qtbot, "2.5")
    assert weight.value() == 2.5
    type_text(qtbot, "1.5")
    assert weight.value() == 1.5
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: load_session(player.info.id).answers.get("weight") == 1.5)
    assert load_session(player.info.id).answers["count"] == 3


def test_enter_on_a_page_not_complete_says_what_is_missing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """Next is disabled until the page is complete, and Enter did nothing: a person
    was not told what was missing. Enter (or Alt+Right) now shows every field's problem
    and puts the focus on the first."""
    player = small_form(qtbot, window, tmp_path)
    for _ in range(3):  # the note, the count, the weight: none is asked
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
    page = page_of(player)
    assert page.step.id == "head" and not player.button(NEXT).isEnabled()
    error = find(player, "error_head", QLabel)
    assert isinstance(error, QLabel) and error.isHidden()
    qtbot.keyClick(player.button(NEXT), Qt.Key.Key_Tab)  # the focus elsewhere
    qtbot.keyClick(focused(), Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert error.isVisible() and error.text() == "This field is required."
    assert focused() is page.rows["head"].input.focus_widget()
    qtbot.keyClicks(focused(), "Ada")
    assert error.isHidden()
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert page_of(player).step.id == "photo"


def test_calculates_are_no_screens_and_steps_of_one_title_are_told_apart(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """An XLSForm's calculate was a blank screen of its own (27 in the WHO form), and a
    new session whose first row was one opened on it; every question of a group is
    its own screen titled by the group, so the step list read "Household" three
    times, and the review listed the heading once per question."""
    player = small_form(qtbot, window, tmp_path)
    path = player.state.path
    assert "twice" not in path.step_ids
    assert all(path.visible_fields[step_id] for step_id in path.step_ids)
    step_list = find(player, "stepList", QListWidget)
    assert isinstance(step_list, QListWidget)
    entries = [step_list.item(n).text()[3:] for n in range(step_list.count())]
    assert entries == [
        "Welcome to the survey", "How many people?", "Weight", "Name of the head",
        "Photo", "Name (1)", "Age (1)", "Name (2)", "Age (2)",
    ]  # fmt: skip
    assert step_list.item(1).toolTip() == "Household: How many people?"
    assert step_list.horizontalScrollBarPolicy() is Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    # whichever the form's first row, the session opens at its first screen
    hotosm = import_wizard_file(XLSFORMS / "hotosm-buildings.xlsx").wizard_id
    window.show_main_views()
    window.wizards_view.reload(hotosm)
    player = start(qtbot, window, hotosm)
    assert page_of(player).step.id == "buildings"  # its rows start with `end`, `today`


def test_the_review_lists_steps_of_one_title_under_one_heading(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    player = small_form(qtbot, window, tmp_path)
    keys = Keyboard(qtbot, window, tmp_path / "photo.png")
    while player.currentPage() is not player.review_page:
        before = player.currentPage()
        keys.play_step(everything=False)
        qtbot.waitUntil(lambda left=before: player.currentPage() is not left)
    review = player.review_page
    headings = [
        label.text()
        for label in review.findChildren(QLabel)
        if label.styleSheet() == "font-weight: 600;"
    ]
    assert headings.count("Household") == 1
    for step_id in ("count", "weight", "head"):  # each step still has its Edit
        assert find(player, f"editStep_{step_id}").isVisible()
    edit = find(player, "editStep_weight")
    assert edit.accessibleName() == "Edit Weight"


def test_an_image_field_leaves_the_window_active(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """Its thumbnail was shown before it was in a layout, a window of its own for a
    moment: the main window lost the activation, and with it the player's shortcuts
    (Alt+Right, Alt+N) and the keyboard focus."""
    player = small_form(qtbot, window, tmp_path)
    player.state.answers["head"] = "Ada"
    for _ in range(4):
        qtbot.keyClick(focused(), Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert page_of(player).step.id == "photo"
    assert QApplication.activeWindow() is window
    qtbot.keyClick(focused(), Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert page_of(player).step.id == "member[0].mname"


def test_a_long_step_list_keeps_the_current_step_in_view(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    rows = "".join(f"|  | integer | q{n} | Question {n} | | | | |\n" for n in range(60))
    header = SMALL.splitlines()[0] + "\n"
    wizard_id = import_wizard_file(form(tmp_path, header + rows)).wizard_id
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    step_list = find(player, "stepList", QListWidget)
    assert isinstance(step_list, QListWidget)
    for _ in range(50):
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert page_of(player).step.id == "q50"
    shown = step_list.viewport().rect()
    assert shown.contains(step_list.visualItemRect(step_list.item(50)))


def test_a_surveyjs_rating_keeps_what_its_ends_mean(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """minRateDescription / maxRateDescription were dropped: a bare 1-5 scale."""
    wizard_id = import_wizard_file(SURVEYJS / "course-evaluation.json").wizard_id
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    keys = Keyboard(qtbot, window, tmp_path / "photo.png")
    keys.play_step(everything=False)
    qtbot.waitUntil(lambda: page_of(player).step.id == "course_content")
    hint = find(player, "hint_difficulty_level", QLabel)
    assert isinstance(hint, QLabel) and hint.text() == "1: Too Easy … 5: Too Difficult"


def test_a_long_instance_title_is_cut_at_its_end_on_the_side_panels_buttons(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """ "Remove “Household members 1 · Person”…" (socio-economic-survey) lost both its
    ends in the narrow side panel; now it is cut with "…" and says it whole in its tip."""
    survey = """|  | type | name | label |
|  | begin_repeat | members | Household members living here most of the year |
|  | text | first | First name |
|  | end_repeat | | |
"""
    wizard_id = import_wizard_file(form(tmp_path, survey)).wizard_id
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    remove = player.repeat_controls.remove_button
    assert remove.isVisible()
    whole = "Remove “Household members living here most of the year 1”…"
    assert remove.toolTip() == whole and remove.accessibleName() == whole
    assert remove.text().startswith("Remove “Household") and remove.text().endswith("…")
    assert remove.fontMetrics().horizontalAdvance(remove.text()) < remove.width()


def test_melinda_language_switch_reached_with_tab(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """The side panel's language switch is reached from the page with Shift+Tab, Down
    picks the next language, and the page reads in it; Tab goes back to the page."""
    wizard_id = import_wizard_file(SURVEYJS / "melinda-mobility.json").wizard_id
    window.wizards_view.reload(wizard_id)
    player = start(qtbot, window, wizard_id)
    first = page_of(player).rows["QF1"].input.focus_widget()
    assert focused() is first
    switch = find(player, "languageSwitch", QComboBox)
    assert isinstance(switch, QComboBox)
    for _ in range(MAX_TABS):
        if focused() is switch:
            break
        qtbot.keyClick(focused(), Qt.Key.Key_Backtab)
    assert focused() is switch
    while switch.currentData() != "de":
        qtbot.keyClick(switch, Qt.Key.Key_Down)
    assert player.language == "de"
    label = find(player, "label_QF1", QLabel)
    assert isinstance(label, QLabel) and "Staat" in label.text()
    tab_to(qtbot, first)
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # the combo box's first country
    assert page_of(player).rows["QF1"].input.value() is not None
