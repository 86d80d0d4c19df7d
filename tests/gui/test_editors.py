"""The field editors' registry: every field type has an editor, named after its field,
that gives back what it was given, up to the format's limits, and "not answered"."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QWidget
from pytestqt.qtbot import QtBot

from wizard_desktop.definition.fileformat import field_types
from wizard_desktop.definition.model import (
    DATE_MAX,
    DATE_MIN,
    NUMBER_LIMIT,
    AnswerValue,
    Field,
    FieldType,
    Option,
)
from wizard_desktop.ui.editors import MAX_RADIO_OPTIONS, FieldInput, make_input

OPTIONS = (Option("a", "A"), Option("b", "B & C"))
# Per type: answers the format accepts, and what the editor gives when nothing is set.
SAMPLES: dict[FieldType, tuple[list[AnswerValue], AnswerValue | None]] = {
    FieldType.TEXT: (["x", "<b>kept</b>"], None),
    FieldType.MULTILINE: (["two\nlines"], None),
    FieldType.NUMBER: ([0, 2**31, NUMBER_LIMIT - 1, -(NUMBER_LIMIT - 1)], None),
    FieldType.CHOICE: (["a", "b"], None),
    FieldType.MULTI_CHOICE: ([["a"], ["a", "b"]], []),
    FieldType.BOOLEAN: ([True, False], False),
    FieldType.DATE: ([DATE_MIN.isoformat(), "1899-12-31", DATE_MAX.isoformat()], None),
    FieldType.TIME: (["00:00", "09:05", "23:59"], None),
    FieldType.RATING: (["a", "b"], None),  # labelled points: the options' values
    FieldType.CALCULATED: ([3, 2.5, "x", True], None),
    FieldType.NOTE: ([], None),  # holds no answer
    # attachments: the reference is given back as it was (the content is not read here)
    FieldType.FILE: (
        [{"sha256": "a" * 64, "name": "r.pdf", "size": 3, "type": "application/pdf"}],
        None,
    ),
    FieldType.IMAGE: (
        [{"sha256": "b" * 64, "name": "p.png", "size": 9, "type": "image/png"}],
        None,
    ),
    FieldType.SIGNATURE: (
        [{"sha256": "c" * 64, "name": "signature.png", "size": 9, "type": "image/png"}],
        None,
    ),
    FieldType.MATRIX: ([{"a": "b"}, {"a": "a", "b": "b"}], None),
    FieldType.MATRIX_DROPDOWN: (
        [{"a": {"n": 2**31, "c": "b", "t": "<b>x</b>", "y": False}}, {"b": {"n": 0.5, "y": True}}],
        None,
    ),
    FieldType.MULTIPLE_TEXT: ([{"a": "x"}, {"a": "1", "b": "two & three"}], None),
    FieldType.RANKING: ([["b", "a"], ["a", "b"]], None),
}
# A grid's rows, columns and items (the other types ignore them).
GRID_PARTS = {
    "rows": OPTIONS,
    "columns": OPTIONS,
    "cell_columns": (
        Field(id="n", type=FieldType.NUMBER, label="N", decimals=1),
        Field(id="c", type=FieldType.CHOICE, label="C", options=OPTIONS),
        Field(id="t", type=FieldType.TEXT, label="T"),
        Field(id="y", type=FieldType.BOOLEAN, label="Y"),
    ),
    "items": (
        Field(id="a", type=FieldType.TEXT, label="A"),
        Field(id="b", type=FieldType.TEXT, label="B"),
    ),
}


def editor(qtbot: QtBot, field: Field) -> FieldInput:
    made = make_input(field)
    qtbot.addWidget(made.widget)
    return made


def test_every_field_type_has_sample_values() -> None:
    assert set(SAMPLES) == set(field_types(2))


@pytest.mark.parametrize("field_type", field_types(2))
def test_each_type_has_an_editor_that_gives_back_what_it_was_given(
    qtbot: QtBot, field_type: FieldType
) -> None:
    field = Field(id="f", type=field_type, label="F", options=OPTIONS, **GRID_PARTS)
    made = editor(qtbot, field)
    assert isinstance(made.widget, QWidget)
    assert made.widget.objectName() == "field_f" and made.widget.accessibleName() == "F"
    values, unanswered = SAMPLES[field_type]
    for value in values:
        made.set_value(value)
        assert made.value() == value and type(made.value()) is type(value), value
    made.set_value(None)
    assert made.value() == unanswered


def test_a_number_with_decimals_keeps_an_integer_given_and_holds_only_its_decimals(
    qtbot: QtBot,
) -> None:
    made = editor(qtbot, Field(id="f", type=FieldType.NUMBER, label="F", decimals=2))
    made.set_value(5_000_000_000)
    assert made.value() == 5_000_000_000 and isinstance(made.value(), int)
    made.set_value(0.125)
    assert made.value() == 0.13, "the editor holds two decimals"


def test_a_number_too_large_for_a_double_is_held_at_the_limit_without_raising(
    qtbot: QtBot,
) -> None:
    made = editor(qtbot, Field(id="f", type=FieldType.NUMBER, label="F"))
    made.set_value(10**400)  # refused by the format; must not stop the player opening
    assert made.value() == NUMBER_LIMIT


def test_a_choice_with_many_options_is_a_combo_box(qtbot: QtBot) -> None:
    many = tuple(Option(str(n), f"Option {n}") for n in range(MAX_RADIO_OPTIONS + 1))
    made = editor(qtbot, Field(id="f", type=FieldType.CHOICE, label="F", options=many))
    assert isinstance(made.widget, QComboBox)
    made.set_value("3")
    assert made.value() == "3"
