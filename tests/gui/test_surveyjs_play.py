"""Every real SurveyJS survey of ../shared/realforms, imported, plays to completion in
the real player (answering what each step asks), and the import dialog lists what a
form holds that cannot be played, with "Import without these"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import FINISH, press_next, start
from tests.gui.test_main_window import drag_and_drop
from wizard_desktop.core import sessions
from wizard_desktop.core.wizards import list_wizards
from wizard_desktop.definition.model import AnswerValue, Field, FieldType
from wizard_desktop.importers import import_form
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.dialogs import (  # the real ones: the tests patch every dialog
    _message_box,
    _set_informative_text,
    ask_import_without,
)
from wizard_desktop.ui.main_window import MainWindow

REALFORMS = Path("/work/shared/realforms")
SURVEYS = sorted((REALFORMS / "surveyjs").glob("*.json"))


def answer_for(field: Field, options: tuple[str, ...] | None) -> AnswerValue:
    """A valid answer to what `field` asks."""
    values = options if options is not None else tuple(o.value for o in field.options)
    match field.type:
        case FieldType.TEXT:
            if field.pattern is not None and "@" in field.pattern:
                return "ada@example.org"
            if field.constraint is not None and "isNumber" in field.constraint.source:
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


@pytest.mark.parametrize("survey", SURVEYS, ids=lambda p: p.stem)
def test_every_survey_plays_to_completion(qtbot: QtBot, window: MainWindow, survey: Path) -> None:
    wizard_id = import_form(survey, skip_unsupported=True).definition.id
    window._import_paths([survey], skip_unsupported=True)  # as "Import without these" does
    qtbot.waitUntil(lambda: window.wizards_view.selected_wizard_id() == wizard_id)
    player = start(qtbot, window, wizard_id)
    for _ in range(200):
        page = player.currentPage()
        if page is player.review_page:
            break
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
    assert asked == [["cities.json: elements[0] (city): choicesByUrl needs the network"]]


def test_the_import_dialog_lists_the_items_and_enter_imports_without_them(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(dialogs, "_message_box", _message_box)
    monkeypatch.setattr(dialogs, "_set_informative_text", _set_informative_text)
    items = [
        "melinda.json: pages[3].elements[1] (q7): choicesByUrl needs the network",
        "melinda.json: pages[9].elements[0] (kids): a dynamic panel cannot be played yet",
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
