"""Every real SurveyJS survey of ../shared/realforms, imported, plays to completion in
the real player (answering what each step asks), and the import dialog lists what a
form holds that cannot be played, with "Import without these"."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QMessageBox, QProgressBar
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import FINISH, NEXT, find, press_next, start
from tests.gui.test_main_window import drag_and_drop
from wizard_desktop.core import sessions
from wizard_desktop.core.wizards import list_wizards
from wizard_desktop.definition.languages import localized
from wizard_desktop.definition.model import AnswerValue, Field, FieldType
from wizard_desktop.importers import import_form
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.dialogs import (  # the real ones: the tests patch every dialog
    _message_box,
    _set_informative_text,
    ask_import_without,
)
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.player import WizardPlayer

REALFORMS = Path("/work/shared/realforms")
SURVEYS = sorted((REALFORMS / "surveyjs").glob("*.json"))


def answer_for(field: Field, options: tuple[str, ...] | None) -> AnswerValue:
    """A valid answer to what `field` asks."""
    values = options if options is not None else tuple(o.value for o in field.options)
    match field.type:
        case FieldType.TEXT:
            if field.pattern is not None and "@" in field.pattern:
                return "ada@example.org"
            if field.pattern is not None and "[eE]" in field.pattern:  # a number as text
                return "5"
            return "x" * max(field.min_length or 1, 1)
        case FieldType.MULTILINE:
            return "x" * max(field.min_length or 1, 1)
        case FieldType.NUMBER | FieldType.RATING:
            return field.min if isinstance(field.min, int | float) else 1  # type: ignore[return-value]
        case FieldType.CHOICE:
            return values[0]
        case FieldType.MULTI_CHOICE:
            return list(values[: max(field.min_selected or 1, 1)])
        case FieldType.BOOLEAN:
            return True
        case FieldType.DATE:
            return str(field.min) if field.min else "2024-01-01"
        case FieldType.TIME:
            return "12:00"
        case FieldType.MATRIX:
            return {r.value: field.columns[0].value for r in field.rows}  # type: ignore[dict-item]
        case FieldType.MATRIX_DROPDOWN:
            return {
                r.value: {c.id: answer_for(c, None) for c in field.cell_columns}  # type: ignore[misc]
                for r in field.rows
            }
        case FieldType.MULTIPLE_TEXT:
            return {i.id: "x" for i in field.items}  # type: ignore[dict-item]
    raise AssertionError(f"no answer for {field.type}")


def play_to_completion(
    qtbot: QtBot,
    window: MainWindow,
    survey: Path,
    on_step: Callable[[WizardPlayer, int], None] | None = None,
) -> WizardPlayer:
    """Import `survey` and play it to completion, answering what each step asks;
    `on_step(player, n)` runs on the n-th step shown, before it is answered."""
    result = import_form(survey)
    assert result.unsupported == ()  # imported whole, nothing skipped
    wizard_id = result.definition.id
    window._import_paths([survey], skip_unsupported=False)  # as File → Import does
    qtbot.waitUntil(lambda: window.wizards_view.selected_wizard_id() == wizard_id)
    player = start(qtbot, window, wizard_id)
    for n in range(200):
        page = player.currentPage()
        if page is player.review_page:
            break
        if on_step is not None:
            on_step(player, n)
            page = player.currentPage()
        for _pass in range(5):  # answering one field may show the next one
            resolution = page.state.resolution  # type: ignore[attr-defined]
            for field_id in resolution.fields:
                on_page = field_id in page.rows  # type: ignore[attr-defined]
                field = player.definition.field(field_id)
                assert field is not None
                # booleans answered too: the core reads an untouched box as false
                wanted = field_id in resolution.required or field.type is FieldType.BOOLEAN
                wanted = wanted and field_id not in resolution.disabled
                row = page.rows.get(field_id)  # type: ignore[attr-defined]
                if on_page and wanted and row.input.value() in (None, "", [], {}, False):
                    row.input.set_value(answer_for(field, resolution.options.get(field_id)))
                    page._changed(field_id)  # type: ignore[attr-defined]
        problems = page.state.step_problems(page.step.id, page.answers())  # type: ignore[attr-defined]
        assert problems == {}, (page.step.id, problems)  # type: ignore[attr-defined]
        press_next(qtbot, player)
    assert player.currentPage() is player.review_page
    qtbot.mouseClick(player.button(FINISH), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.controller.has_unsaved())
    summaries = [s for s in sessions.list_sessions() if s.wizard_id == wizard_id]
    assert [s.status for s in summaries] == ["completed"]
    return player


@pytest.mark.parametrize("survey", SURVEYS, ids=lambda p: p.stem)
def test_every_survey_plays_to_completion(qtbot: QtBot, window: MainWindow, survey: Path) -> None:
    play_to_completion(qtbot, window, survey)


def test_melinda_plays_on_after_switching_to_german_with_the_keyboard(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """The 48-page survey in 7 languages: on its third step the person switches to
    German (keyboard only) and the rest of the survey is played in German."""
    seen: dict[str, str] = {}

    def switch_on_third(player: WizardPlayer, n: int) -> None:
        if n != 2:
            return
        page = player.currentPage()
        first = next(iter(page.rows))  # type: ignore[attr-defined]
        label = find(player, f"label_{first}", QLabel)
        assert isinstance(label, QLabel)
        seen["en"] = label.text()
        assert player.grab().save(str(tmp_path / "melinda-en.png"))
        combo = find(player, "languageSwitch", QComboBox)
        assert isinstance(combo, QComboBox)
        combo.setFocus()
        qtbot.waitUntil(combo.hasFocus)
        while combo.currentData() != "de":
            qtbot.keyClick(combo, Qt.Key.Key_Down)
        assert player.language == "de"
        seen["de"] = label.text()
        seen["field"] = first
        assert player.grab().save(str(tmp_path / "melinda-de.png"))

    survey = REALFORMS / "surveyjs" / "melinda-mobility.json"
    player = play_to_completion(qtbot, window, survey, switch_on_third)
    german = localized(player.definition, "de")
    field = german.field(seen["field"])
    assert field is not None and seen["de"] == field.label != seen["en"]
    stored = [s for s in sessions.list_sessions() if s.wizard_id == player.definition.id]
    assert sessions.get_session(stored[0].id).language == "de"


def test_a_dropped_survey_with_unplayable_parts_asks_and_imports_the_rest(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    survey = tmp_path / "cities.json"
    survey.write_text(
        json.dumps(
            {
                "title": "Cities",
                "elements": [
                    {"type": "dropdown", "name": "city", "choicesByUrl": {"url": "https://x"}},
                    {"type": "comment", "name": "more"},
                ],
            }
        )
    )
    asked: list[list[str]] = []
    monkeypatch.setattr(
        dialogs, "ask_import_without", lambda _w, _n, items: asked.append(items) or True
    )
    assert drag_and_drop(window, [survey])
    qtbot.waitUntil(lambda: "cities" in {w.id for w in list_wizards()})
    # the question names the file once; each item is its place and its reason
    assert asked == [["elements[0] (city): choicesByUrl needs the network"]]


def test_the_import_dialog_lists_the_items_and_enter_imports_without_them(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(dialogs, "_message_box", _message_box)
    monkeypatch.setattr(dialogs, "_set_informative_text", _set_informative_text)
    items = [
        "pages[3].elements[1] (q7): choicesByUrl needs the network",
        "pages[9].elements[0] (kids): the question type 'chart' cannot be played yet",
    ]
    seen: list[QMessageBox] = []

    def press_enter() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box)
        # (docs/screenshots/import-without-these.png is this picture)
        assert box.grab().save(str(tmp_path / "import-without-these.png"))
        qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(200, press_enter)
    assert ask_import_without(None, "melinda.json", items) is True
    assert items[0] in seen[0].informativeText() and items[1] in seen[0].informativeText()


def test_a_long_list_of_items_keeps_the_question_on_the_screen(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hundreds of unplayable parts: the question lists the first ones and says how many
    more Show Details… holds (every one); Escape imports nothing."""
    monkeypatch.setattr(dialogs, "_message_box", _message_box)
    monkeypatch.setattr(dialogs, "_set_informative_text", _set_informative_text)
    items = [
        f"survey row {n} (q{n}): uses digest(), which Wizard Desktop cannot evaluate"
        for n in range(2, 302)
    ]
    seen: list[tuple[str, str, int]] = []

    def press_escape() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append((box.informativeText(), box.detailedText(), box.sizeHint().height()))
        qtbot.keyClick(box, Qt.Key.Key_Escape)

    QTimer.singleShot(200, press_escape)
    assert ask_import_without(None, "big.xlsx", items) is False
    shown, details, height = seen[0]
    lines = shown.splitlines()
    assert lines[: dialogs.IMPORT_ITEMS_SHOWN - 1] == items[: dialogs.IMPORT_ITEMS_SHOWN - 1]
    assert (
        lines[-1]
        == f"… and {300 - dialogs.IMPORT_ITEMS_SHOWN + 1} more: Show Details… lists every one."
    )
    assert details.splitlines() == items
    screen = QApplication.primaryScreen().availableGeometry().height()
    assert height < screen


def test_a_start_page_is_shown_first_checked_by_next_and_not_counted(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """mental-health-intake.json (`firstPageIsStarted`): its questions are on the start
    page; the player shows it first, Next waits for its required answers, and the
    progress counts only the page after it."""
    seen: list[str] = []

    def look(player: WizardPlayer, n: int) -> None:
        page = player.currentPage()
        bar = find(player, "progressBar", QProgressBar)
        assert isinstance(bar, QProgressBar)
        if n == 0:
            assert page.step.start and page.step.id == "page1"  # type: ignore[attr-defined]
            assert not player.button(NEXT).isEnabled()  # its required questions first
            assert player.grab().save(str(tmp_path / "start-step.png"))
        else:
            qtbot.waitUntil(lambda: not window.controller.has_unsaved())
            assert bar.value() == 0  # the start step is no step of the progress
        seen.append(page.step.id)  # type: ignore[attr-defined]

    survey = REALFORMS / "surveyjs" / "mental-health-intake.json"
    player = play_to_completion(qtbot, window, survey, look)
    assert seen == ["page1", "page2"]
    stored = [s for s in sessions.list_sessions() if s.wizard_id == player.definition.id]
    answers = sessions.load_session(stored[0].id).answers
    assert answers["Are you currently"]  # the start page's answers are the session's
