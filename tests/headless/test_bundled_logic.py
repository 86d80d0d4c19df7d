"""The bundled format 2 wizards do what they say: the Expense Claim computes its tax and
total and asks for the manager's approval above 500 EUR; the Field Showcase shows every
field type."""

from __future__ import annotations

from wizard_desktop.definition.fileformat import field_types
from wizard_desktop.definition.loader import load_wizard_file
from wizard_desktop.definition.logic import wizard_logic
from wizard_desktop.definition.model import FieldType
from wizard_desktop.paths import bundled_wizards_dir

TRIP = {"purpose": "travel", "nights": 2, "transport": 300, "accommodation": 200, "meals": 50}


def test_the_expense_claim_computes_its_total_and_asks_for_approval_above_500() -> None:
    definition = load_wizard_file(bundled_wizards_dir() / "expense-claim.yaml")
    logic = wizard_logic(definition)
    trip = logic.resolve({**TRIP, "tax_rate": 21})
    assert dict(trip.values) == {
        "subtotal": 550,
        "tax": 115.5,
        "total": 665.5,
        "needs_approval": True,
    }
    assert "trip" in trip.steps and "accommodation" in trip.fields
    assert "manager_email" in trip.required
    assert "needs_approval" not in trip.fields, "hidden: only a value"
    assert "approval_reference" in trip.disabled, "read-only until a manager is named"

    supplies = logic.resolve({"purpose": "supplies", "other": 80, "tax_rate": 21})
    assert "trip" not in supplies.steps and "accommodation" not in supplies.fields
    assert supplies.values["total"] == 96.8 and "manager_email" not in supplies.required
    assert "other_description" in supplies.required  # other costs need saying what

    too_much = logic.resolve({**TRIP, "meals": 400, "departure_date": "2999-01-01"})
    assert too_much.problems == {
        "meals": "Meals are refunded up to 60 EUR a day.",
        "departure_date": "The trip must have started by the date of the claim.",
    }
    assert set(too_much.defaults) == {"claim_date"}, "today(), computed when it appears"


def test_the_field_showcase_shows_every_field_type() -> None:
    definition = load_wizard_file(bundled_wizards_dir() / "field-showcase.json")
    assert definition.format_version == 2
    assert {f.type for f in definition.fields} == set(field_types(2))
    ratings = [f for f in definition.fields if f.type is FieldType.RATING]
    assert {bool(f.options) for f in ratings} == {True, False}  # a scale and labels
    logic = wizard_logic(definition)
    assert "large-team" not in logic.resolve({"team_size": 8}).steps
    large = logic.resolve({"team_size": 30, "budget": 300, "nickname": "Sam"})
    assert "large-team" in large.steps and large.values["budget_per_person"] == 10
    assert large.texts[("greeting", "label")].startswith("Hello **Sam**!")
