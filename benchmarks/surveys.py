"""`big_survey_next`: Next in an imported real SurveyJS survey, the 48-page MELINDA
mobility survey, against the 3-page product feedback survey, in the same run (read
from ../shared/realforms at bench time, never copied). Each stands on its second page
with its first answered; a round is Back then Next (page painted, answers stored)."""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.common import Figure, interleaved, qt_application
from benchmarks.player import back_then_next_ms, bench_database, click_next_ms, playing
from wizard_desktop.core.sessions import save_step, start_session
from wizard_desktop.core.wizards import import_wizard_file
from wizard_desktop.definition.logic import wizard_logic
from wizard_desktop.definition.model import AnswerValue, Field, FieldType, WizardDefinition
from wizard_desktop.importers import import_form

REALFORMS = Path(os.environ.get("REALFORMS", "/work/shared/realforms"))


def _answer(field: Field) -> AnswerValue | None:
    if field.options and field.type is FieldType.CHOICE:
        return field.options[0].value
    if field.options and field.type is FieldType.MULTI_CHOICE:
        return [field.options[0].value]
    if field.type in (FieldType.TEXT, FieldType.MULTILINE):
        return "x"
    if field.type in (FieldType.NUMBER, FieldType.RATING):
        return field.min if isinstance(field.min, int | float) else 1
    return None


def _first_step_answers(definition: WizardDefinition) -> tuple[str, dict[str, AnswerValue]]:
    """What the first step asks, answered (answering one field may ask for another)."""
    logic = wizard_logic(definition)
    answers: dict[str, AnswerValue] = {}
    step_id = logic.resolve({}).steps[0]
    for _ in range(10):
        resolution = logic.resolve(answers)
        asked = [
            f
            for f in resolution.path.visible_fields[step_id]
            if f.id in resolution.required and f.id not in answers
        ]
        if not asked:
            break
        for f in asked:
            value = _answer(f)
            if value is not None:
                answers[f.id] = value
    return step_id, answers


def big_survey_next(quick: bool) -> Figure:
    rounds = 5 if quick else 15
    qt_application()
    with bench_database():
        sessions = []
        for name in ("melinda-mobility.json", "product-feedback.json"):
            path = REALFORMS / "surveyjs" / name
            definition = import_form(path, skip_unsupported=True).definition
            import_wizard_file(path, skip_unsupported=True)
            info = start_session(definition.id)
            step_id, answers = _first_step_answers(definition)
            save_step(info.id, step_id, answers)
            sessions.append(info.id)
        with (
            playing(sessions[0]) as (big, big_controller),
            playing(sessions[1]) as (
                small,
                small_controller,
            ),
        ):
            for player, controller in ((big, big_controller), (small, small_controller)):
                if player.currentId() != 1:
                    click_next_ms(player, controller.stepSaved)
            value, anchor = interleaved(
                lambda: back_then_next_ms(small, small_controller),
                lambda: back_then_next_ms(big, big_controller),
                rounds,
            )
    return Figure(
        "big_survey_next",
        "ms",
        1.2,
        value,
        anchor,
        "Back then Next (page painted + answers stored) in the imported 48-page MELINDA "
        "survey; anchor: the same in the imported 3-page product feedback survey",
    )
