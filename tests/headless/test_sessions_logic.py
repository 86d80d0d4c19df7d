"""Format 2 in the core, on real SQLite files: a step is checked with the rules the
player shows (required_if, constraints, read-only fields, filtered options), every
calculated value is stored with the answers and exported, a note stores nothing, and a
template keeps answers only."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.wizard_files import COSTLY, import_text
from wizard_desktop.core import sessions, templates
from wizard_desktop.core.answer_text import format_answer
from wizard_desktop.core.export import export_session
from wizard_desktop.core.sessions import InvalidAnswersError
from wizard_desktop.definition.logic import CONSTRAINT_MESSAGE
from wizard_desktop.store.models import Answer

CLAIM = """\
format_version: 2
id: claim
title: Claim
steps:
  - id: costs
    title: Costs
    fields:
      - {id: region, type: choice, label: Region, options: [north, south], required: true}
      - id: city
        type: choice
        label: City
        options:
          - {value: oslo, label: Oslo, visible_if: "{region} = 'north'"}
          - {value: rome, label: Rome, visible_if: "{region} = 'south'"}
          - {value: other, label: Elsewhere}
      - id: sights
        type: multi_choice
        label: Sights
        options:
          - {value: fjord, label: A fjord, visible_if: "{region} = 'north'"}
          - {value: forum, label: The Forum, visible_if: "{region} = 'south'"}
          - {value: museum, label: A museum}
      - id: amount
        type: number
        label: Amount
        decimals: 2
        constraint: "{amount} <= 1000"
        constraint_message: At most 1000 per claim.
      - {id: nights, type: number, label: Nights, constraint: "{nights} < 30"}
      - {id: tax, type: calculated, label: Tax, calculate: "{amount} / 4"}
      - {id: total, type: calculated, label: Total, calculate: "{amount} + {tax}"}
      - {id: big, type: calculated, label: Big, hidden: true, calculate: "{total} > 500"}
      - {id: summary, type: note, label: "The total is {total}."}
  - id: approval
    title: Approval
    fields:
      - {id: manager, type: text, label: Manager, required_if: "{big}"}
      - {id: reference, type: text, label: Reference, enabled_if: "{manager} notempty"}
      - {id: leave_at, type: time, label: Leaving at, min: "08:00", max: "18:00"}
      - {id: mood, type: rating, label: Mood, min: 1, max: 5}
      - id: effort
        type: rating
        label: Effort
        options: [{value: low, label: Easy}, {value: high, label: Hard}]
"""


@pytest.fixture
def claim(store: Path) -> str:
    return import_text(store, CLAIM)


def stored(session_id: str) -> dict[str, object]:
    """Every answer row of the session, as stored (None = a null row)."""
    rows = Answer.select().where(Answer.session == session_id)
    return {row.field_id: row.value for row in rows}


def refused(session_id: str, step_id: str, answers: dict[str, object]) -> dict[str, str]:
    before = stored(session_id)
    with pytest.raises(InvalidAnswersError) as error:
        sessions.save_step(session_id, step_id, answers)  # type: ignore[arg-type]
    assert stored(session_id) == before, "a refused step stores nothing"
    return error.value.problems


COSTS = {"region": "north", "city": "oslo", "amount": 600}


def test_calculated_values_are_stored_with_the_step_and_exported(claim: str) -> None:
    session = sessions.start_session(claim)
    sessions.save_step(session.id, "costs", COSTS)
    rows = stored(session.id)
    assert (rows["tax"], rows["total"], rows["big"]) == (150, 750, True)
    assert "summary" not in rows, "a note stores nothing"

    exported = json.loads(export_session(session.id))["answers"]
    assert exported == {**COSTS, "tax": 150, "total": 750, "big": True}  # hidden too
    table = list(csv.DictReader(io.StringIO(export_session(session.id, "csv"))))
    assert [r["field_id"] for r in table if r["step_id"] == "costs"] == [
        *("region", "city", "sights", "amount", "nights", "tax", "total", "big")
    ]  # no row for the note
    by_field = {r["field_id"]: r for r in table}
    assert (by_field["total"]["value"], by_field["total"]["answer"]) == ("750", "750")
    assert by_field["big"]["answer"] == "Yes"
    assert by_field["city"]["answer"] == "Oslo"


def test_a_draft_and_a_start_store_calculated_values_too(claim: str) -> None:
    session = sessions.start_session(claim)
    assert stored(session.id)["tax"] == 0  # an empty amount counts as 0, as in SurveyJS
    sessions.save_draft(session.id, {"amount": 100})
    assert (stored(session.id)["tax"], stored(session.id)["total"]) == (25, 125)
    assert sessions.discard_if_unanswered(session.id) is False  # 100 is an answer
    untouched = sessions.start_session(claim)
    assert sessions.discard_if_unanswered(untouched.id), "a calculated value is no answer"


def test_a_calculated_value_or_a_note_answer_is_never_taken_from_the_player(
    claim: str,
) -> None:
    session = sessions.start_session(claim)
    problems = refused(session.id, "costs", {**COSTS, "tax": 1})
    assert problems == {"tax": sessions.CALCULATED_GIVEN}
    assert "summary" in refused(session.id, "costs", {**COSTS, "summary": "x"})
    sessions.save_step(session.id, "costs", {**COSTS, "tax": None, "summary": None})
    assert stored(session.id)["tax"] == 150 and "summary" not in stored(session.id)


def test_a_constraint_is_checked_with_its_message(claim: str) -> None:
    session = sessions.start_session(claim)
    assert refused(session.id, "costs", {**COSTS, "amount": 1200}) == {
        "amount": "At most 1000 per claim."
    }
    assert refused(session.id, "costs", {**COSTS, "nights": 40}) == {"nights": CONSTRAINT_MESSAGE}
    sessions.save_step(session.id, "costs", {**COSTS, "nights": None})  # empty: not checked


def test_required_if_follows_the_calculated_total(claim: str) -> None:
    session = sessions.start_session(claim)
    sessions.save_step(session.id, "costs", COSTS)  # total 750 > 500
    assert refused(session.id, "approval", {"manager": ""}) == {
        "manager": "This field is required."
    }
    smaller = sessions.start_session(claim)
    sessions.save_step(smaller.id, "costs", {**COSTS, "amount": 100})
    saved = sessions.save_step(smaller.id, "approval", {"manager": ""})
    assert saved.progress_percentage == 100  # the progress rule is unchanged


def test_a_read_only_field_keeps_its_answer(claim: str) -> None:
    session = sessions.start_session(claim)
    sessions.save_step(session.id, "costs", {**COSTS, "amount": 100})
    assert refused(session.id, "approval", {"reference": "R1"}) == {
        "reference": sessions.READ_ONLY_CHANGED
    }  # no manager yet: the reference is read-only
    sessions.save_step(session.id, "approval", {"manager": "Ann", "reference": "R1"})
    # The manager cleared: the reference may stay as it was, not change.
    sessions.save_step(session.id, "approval", {"manager": None, "reference": "R1"})
    assert stored(session.id)["reference"] == "R1"
    problems = refused(session.id, "approval", {"manager": None, "reference": "R2"})
    assert problems == {"reference": sessions.READ_ONLY_CHANGED}


def test_an_answer_whose_option_disappears_is_cleared_and_the_caller_told(claim: str) -> None:
    session = sessions.start_session(claim)
    sessions.save_step(session.id, "costs", {**COSTS, "sights": ["fjord", "museum"]})
    saved = sessions.save_step(session.id, "costs", {"region": "south"})
    assert set(saved.cleared) == {"city", "sights"}
    assert "“Oslo”" in saved.cleared["city"] and "“City”" in saved.cleared["city"]
    assert "“A fjord”" in saved.cleared["sights"]
    rows = stored(session.id)
    assert rows["city"] is None, "cleared, so a resumed session shows it empty"
    assert rows["sights"] == ["museum"], "the offered option stays"
    assert sessions.save_step(session.id, "costs", {"city": "rome"}).cleared == {}


def test_a_template_keeps_answers_and_never_a_calculated_value(claim: str) -> None:
    session = sessions.start_session(claim)
    sessions.save_step(session.id, "costs", {**COSTS, "amount": 100})
    sessions.complete_session(session.id, "approval", {"mood": 4, "effort": "high"})
    preview = templates.template_preview(session.id)
    assert {f.id for f, _ in preview.kept} == {"region", "city", "amount", "mood", "effort"}
    assert preview.left_out == ()
    template = templates.save_as_template(session.id, "Usual claim")
    assert "tax" not in template.answers and "total" not in template.answers
    started = templates.start_from_template(template.id).session
    assert stored(started.id)["total"] == 125, "computed again from the answers"


def test_new_types_read_as_a_person_reads_them(claim: str) -> None:
    session = sessions.start_session(claim)
    state = sessions.load_session(session.id)
    field = state.definition.field
    assert format_answer(field("leave_at"), "09:30") == "09:30"  # type: ignore[arg-type]
    assert format_answer(field("mood"), 4) == "4"  # type: ignore[arg-type]
    assert format_answer(field("effort"), "high") == "Hard"  # type: ignore[arg-type]
    assert format_answer(field("total"), 0.1 + 0.2) == "0.3"  # type: ignore[arg-type]
    assert format_answer(field("total"), 612.5) == "612.5"  # type: ignore[arg-type]
    assert format_answer(field("big"), False) == "No"  # type: ignore[arg-type]
    assert format_answer(field("total"), None) == "—"  # type: ignore[arg-type]


def test_expressions_that_cost_too_much_refuse_the_step_but_keep_the_draft(
    store: Path,
) -> None:
    wizard = import_text(store, COSTLY)
    session = sessions.start_session(wizard)
    everything = [f"o{n}" for n in range(1000)]
    sessions.save_draft(session.id, {"many": everything})
    assert stored(session.id)["many"] == everything, "the typing is kept"
    problems = refused(session.id, "one", {"many": everything})
    assert problems == {"costly": sessions.COST_EXCEEDED}


def test_stored_calculated_values_are_kept_apart_from_the_answers(claim: str) -> None:
    session = sessions.start_session(claim)
    sessions.save_step(session.id, "costs", COSTS)
    state = sessions.load_session(session.id)
    assert state.answers == COSTS, "only what the person gave"
    assert dict(state.calculated) == {"tax": 150, "total": 750, "big": True}
    assert not state.cleared & {"tax", "total", "big"}


def test_a_session_beyond_the_budget_exports_as_one_clear_refusal(store: Path) -> None:
    wizard = import_text(store, COSTLY)
    session = sessions.start_session(wizard)
    sessions.save_draft(session.id, {"many": [f"o{n}" for n in range(1000)]})
    with pytest.raises(InvalidAnswersError, match="take too long to evaluate"):
        export_session(session.id)
