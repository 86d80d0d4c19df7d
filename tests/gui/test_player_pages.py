"""A step page needs only its `PlayState` (answers so far, read-only, the path), not
the QWizard around it: built alone, it fills its editors from the state, reports each
change, follows skip logic and shows read-only."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from wizard_desktop.definition.model import Equals, Field, FieldType, Step, WizardDefinition
from wizard_desktop.ui.player import PlayState, StepPage

NAME = Field(id="name", type=FieldType.TEXT, label="Name", required=True)
NICKNAME = Field(
    id="nickname", type=FieldType.TEXT, label="Nickname", visible_if=Equals("name", "Ann")
)
DEFINITION = WizardDefinition(
    id="w",
    title="W",
    steps=(
        Step(id="one", title="One", fields=(NAME, NICKNAME)),
        Step(id="two", title="Two", visible_if=Equals("name", "Ann")),
        Step(id="three", title="Three"),
    ),
)


def editor(page: StepPage, field_id: str) -> QWidget:
    widget = page.findChild(QWidget, f"field_{field_id}")
    assert widget is not None, field_id
    return widget


def test_a_step_page_plays_from_its_state_alone(qtbot: QtBot) -> None:
    state = PlayState(DEFINITION, {"nickname": "Annie"}, read_only=False)
    page = StepPage(state, DEFINITION.steps[0])
    qtbot.addWidget(page)
    assert page.findChild(QWidget, "field_name") is None, "no editors before it is shown"
    assert page.answers() == {"name": None, "nickname": "Annie"}
    page.show()
    page.refresh()
    assert editor(page, "nickname").text() == "Annie"  # type: ignore[attr-defined]
    assert not editor(page, "nickname").isVisibleTo(page)
    assert not page.isComplete() and page.nextId() == state.page_id("three")

    name = editor(page, "name")
    assert isinstance(name, QLineEdit)
    with qtbot.waitSignal(page.answerChanged) as changed:
        name.setText("Ann")
    assert changed.args == ["name", "Ann"]
    assert state.answers == {"name": "Ann", "nickname": "Annie"}
    assert editor(page, "nickname").isVisibleTo(page)
    assert page.isComplete() and page.nextId() == state.page_id("two")

    state.read_only = True
    page.show_read_only()
    assert not name.isEnabled() and not editor(page, "nickname").isEnabled()
