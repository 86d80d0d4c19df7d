"""The two real SurveyJS surveys with dynamic panels and matrices (income-survey,
patient-history), imported whole, played through their repeats in the real player: one
"Add another", every instance answered, to completion."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import FINISH, press_next, start
from tests.gui.test_surveyjs_play import REALFORMS, answer_for
from wizard_desktop.core import sessions
from wizard_desktop.definition.model import AnswerValue, FieldType
from wizard_desktop.definition.repeats import split_path
from wizard_desktop.importers import import_form
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.player import WizardPlayer


def answer_the_page(player: WizardPlayer, chosen: dict[str, AnswerValue]) -> None:
    """Answer what the step on screen asks (required fields, booleans) and the fields
    `chosen` names (by their id in the file: `name` for every `panel[i].name`)."""
    page = player.currentPage()
    for _pass in range(5):  # answering one field may show the next one
        resolution = page.state.resolution
        for field_id in resolution.fields:
            on_page = field_id in page.rows
            field = player.definition.field(field_id)
            assert field is not None
            split = split_path(field_id)
            base = split[2] if split is not None else field_id
            # booleans answered too: the core reads an untouched box as false
            wanted = field_id in resolution.required or field.type is FieldType.BOOLEAN
            wanted = (wanted or base in chosen) and field_id not in resolution.disabled
            row = page.rows.get(field_id)
            if on_page and wanted and row.input.value() in (None, "", [], {}, False):
                value = chosen.get(base) or answer_for(field, resolution.options.get(field_id))
                row.input.set_value(value)
                page._changed(field_id)


@pytest.mark.parametrize(
    ("survey", "chosen", "add_to"),
    [
        (
            "income-survey.json",
            {
                "member_receives_income_from_employment": "1",
                "member_type_of_employment": ["Other types of employment"],
                "member_employer_name": "Acme",
                "member_employer_income": 1200,
            },
            "member_array_employer_names",
        ),
        ("patient-history.json", {"relation": "Mother", "provider": "Dr Who"}, "family-history"),
    ],
)
def test_dynamic_panels_and_matrices_play_with_add_another(
    qtbot: QtBot,
    window: MainWindow,
    survey: str,
    chosen: dict[str, AnswerValue],
    add_to: str,
) -> None:
    """Imported whole (nothing skipped), through its repeats: one "Add another" on
    `add_to`, every instance answered, to completion; the answers by instance path."""

    path = REALFORMS / "surveyjs" / survey
    result = import_form(path)
    assert result.unsupported == ()
    wizard_id = result.definition.id
    window._import_paths([path], skip_unsupported=False)
    qtbot.waitUntil(lambda: window.wizards_view.selected_wizard_id() == wizard_id)
    player = start(qtbot, window, wizard_id)
    added = False
    visited: list[str] = []
    for _ in range(200):
        page = player.currentPage()
        if page is player.review_page:
            break
        visited.append(page.step.id)  # type: ignore[attr-defined]
        answer_the_page(player, chosen)
        if not added and page.step.id.startswith(f"{add_to}[0]."):  # type: ignore[attr-defined]
            button = player.findChild(QPushButton, "addInstanceButton")
            assert button is not None and button.isEnabled()
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda old=player: window.player not in (None, old))
            assert window.player is not None
            player, added = window.player, True
            qtbot.waitUntil(window.player.isVisible)
            continue
        press_next(qtbot, player)
    assert added and player.currentPage() is player.review_page
    assert any(s.startswith(f"{add_to}[1].") for s in visited)
    qtbot.mouseClick(player.button(FINISH), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.controller.has_unsaved())
    (summary,) = [s for s in sessions.list_sessions() if s.wizard_id == wizard_id]
    assert summary.status == "completed"
    answers = sessions.load_session(summary.id).answers
    first = next(k for k in chosen if k in ("member_employer_name", "relation"))
    assert answers[f"{add_to}[0].{first}"] == answers[f"{add_to}[1].{first}"] == chosen[first]
    if survey == "income-survey.json":  # the details: as many instances as names
        assert "member_array_employer_info[1].member_employer_income" in answers
        assert visited.count("page4") == 1
