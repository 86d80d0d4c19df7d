"""A wizard in several languages in the player, through its real widgets and the real
database: it starts in the person's locale (else the default), `languageSwitch`
changes every text at once with the mouse or the keyboard alone, the answers and
what is typed but not saved stay, `{field}` texts render in the new language, the
session stores its language, and a resumed session opens in it. Screenshots of one
step in two languages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import (
    click,
    find,
    playing,
    press_next,
    start,
    step_id,
    type_into,
    wait_saved,
)
from tests.wizard_files import import_text
from wizard_desktop.core.sessions import get_session, load_session, start_session
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.player import WizardPlayer

TRAVEL = """\
format_version: 2
id: travel
languages: [en, de, fr]
default_language: en
title: {en: Travel request, de: Reiseantrag, fr: Demande de voyage}
steps:
  - id: trip
    title: {en: "Trip of {name}", de: "Reise von {name}", fr: "Voyage de {name}"}
    description:
      en: Tell us about the trip.
      de: Erzählen Sie von der Reise.
      fr: Parlez-nous du voyage.
    fields:
      - id: name
        type: text
        label: {en: Your name, de: Ihr Name, fr: Votre nom}
        help: {en: As in your passport., de: Wie im Pass., fr: Comme sur le passeport.}
        placeholder: {en: e.g. Ada Lovelace, de: z. B. Ada Lovelace, fr: p. ex. Ada Lovelace}
        required: true
      - id: nights
        type: number
        label: {en: Nights, de: Nächte, fr: Nuits}
        unit: {en: nights, de: Nächte, fr: nuits}
      - id: mode
        type: choice
        label: {en: Travel by, de: Reise mit, fr: Voyage en}
        options:
          - {value: train, label: {en: Train, de: Zug, fr: Train}}
          - {value: plane, label: {en: Plane, de: Flugzeug, fr: Avion}}
  - id: notes
    title: {en: Notes, de: Notizen, fr: Notes}
    fields:
      - {id: remark, type: text, label: {en: Remark, de: Bemerkung, fr: Remarque}}
"""

TEXTS = {
    "en": ("Trip of Ada", "Your name *", "As in your passport.", "Train", " nights", "Notes"),
    "de": ("Reise von Ada", "Ihr Name *", "Wie im Pass.", "Zug", " Nächte", "Notizen"),
}


@pytest.fixture
def english_locale() -> Iterator[None]:
    before = QLocale()
    QLocale.setDefault(QLocale("en_US"))
    yield
    QLocale.setDefault(before)


def _start(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> WizardPlayer:
    window.wizards_view.reload(import_text(tmp_path, TRAVEL))
    return start(qtbot, window, "travel")


def _switch(player: WizardPlayer) -> QComboBox:
    combo = find(player, "languageSwitch", QComboBox)
    assert isinstance(combo, QComboBox)
    return combo


def _reach_with_shift_tab(qtbot: QtBot, window: MainWindow, combo: QComboBox) -> None:
    """Shift+Tab from the focused field until the language switch has the focus."""
    for _ in range(20):
        if combo.hasFocus():
            return
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert combo.hasFocus(), "the language switch is not reachable with the keyboard"


def _shown(player: WizardPlayer) -> tuple[str, ...]:
    page = player.currentPage()
    label = find(player, "label_name", QLabel)
    hint = find(player, "hint_name", QLabel)
    train = find(player, "field_mode_train", QRadioButton)
    nights = find(player, "field_nights", QDoubleSpinBox)
    assert isinstance(label, QLabel) and isinstance(hint, QLabel)
    assert isinstance(train, QRadioButton) and isinstance(nights, QDoubleSpinBox)
    notes_entry = player.step_list.item(1).text()
    return (page.title(), label.text(), hint.text(), train.text(), nights.suffix(), notes_entry[3:])


def test_switching_changes_every_text_and_keeps_answers_and_typing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, english_locale: None
) -> None:
    player = _start(qtbot, window, tmp_path)
    combo = _switch(player)
    assert [combo.itemText(i) for i in range(combo.count())] == ["English", "Deutsch", "Français"]
    assert combo.currentData() == "en"
    type_into(qtbot, player, "name", "Ada")
    click(qtbot, player, "field_mode_train")
    wait_saved(qtbot, window)
    nights = find(player, "field_nights", QDoubleSpinBox)
    assert isinstance(nights, QDoubleSpinBox)
    nights.setValue(3)
    remark_typed = find(player, "field_name", QLineEdit)
    assert isinstance(remark_typed, QLineEdit)
    qtbot.keyClicks(remark_typed, " L")  # typed, not saved yet (the draft waits)
    assert window.controller.has_unsaved()
    assert _shown(player) == ("Trip of Ada L", *TEXTS["en"][1:])

    combo.setCurrentIndex(combo.findData("de"))
    assert _shown(player) == ("Reise von Ada L", *TEXTS["de"][1:])
    assert remark_typed.text() == "Ada L"  # what was typed is still there
    edit = find(player, "field_name", QLineEdit)
    assert isinstance(edit, QLineEdit) and edit.placeholderText() == "z. B. Ada Lovelace"
    assert nights.value() == 3
    assert find(player, "field_mode_train", QRadioButton).isChecked()  # type: ignore[attr-defined]
    # {field} renders in the new language as the person types
    qtbot.keyClicks(remark_typed, "X")
    assert player.currentPage().title() == "Reise von Ada LX"
    wait_saved(qtbot, window)
    session = load_session(player.info.id)
    assert session.answers == {"name": "Ada LX", "nights": 3, "mode": "train"}
    assert session.info.language == "de"
    assert session.definition.title == "Reiseantrag"

    press_next(qtbot, player)
    assert player.currentPage().title() == "Notizen"
    label = find(player, "label_remark", QLabel)
    assert label.text() == "Bemerkung"  # type: ignore[attr-defined]
    combo.setCurrentIndex(combo.findData("fr"))
    assert player.currentPage().title() == "Notes"
    assert label.text() == "Remarque"  # type: ignore[attr-defined]
    player.back()
    assert player.currentPage().title() == "Voyage de Ada LX"
    wait_saved(qtbot, window)
    assert get_session(player.info.id).language == "fr"


def test_keyboard_only_switch(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, english_locale: None
) -> None:
    player = _start(qtbot, window, tmp_path)
    type_into(qtbot, player, "name", "Ada")
    combo = _switch(player)
    _reach_with_shift_tab(qtbot, window, combo)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == "de"
    assert _shown(player)[:2] == ("Reise von Ada", "Ihr Name *")
    wait_saved(qtbot, window)
    assert load_session(player.info.id).answers["name"] == "Ada"
    assert get_session(player.info.id).language == "de"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("de_CH", "de"), ("fr_FR", "fr"), ("it_IT", "en")],
)
def test_starts_in_the_locale_when_the_wizard_has_it(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, locale: str, expected: str
) -> None:
    from wizard_desktop.store.database import open_database

    open_database(data_dir)
    import_text(tmp_path, TRAVEL)
    session = start_session("travel")
    before = QLocale()
    QLocale.setDefault(QLocale(locale))
    try:
        with playing(qtbot, session.id) as player:
            assert _switch(player).currentData() == expected
            titles = {"de": "Reise von ", "fr": "Voyage de ", "en": "Trip of "}
            assert player.currentPage().title() == titles[expected]
    finally:
        QLocale.setDefault(before)
    assert get_session(session.id).language == expected


def test_a_resumed_session_opens_in_its_language(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, english_locale: None
) -> None:
    from wizard_desktop.core.sessions import save_draft, set_session_language
    from wizard_desktop.store.database import open_database

    open_database(data_dir)
    import_text(tmp_path, TRAVEL)
    session = start_session("travel")
    save_draft(session.id, {"name": "Ada"})
    set_session_language(session.id, "fr")
    with playing(qtbot, session.id) as player:
        assert _switch(player).currentData() == "fr"
        assert player.currentPage().title() == "Voyage de Ada"


def test_screenshots_of_a_step_in_two_languages(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, english_locale: None
) -> None:
    player = _start(qtbot, window, tmp_path)
    type_into(qtbot, player, "name", "Ada")
    click(qtbot, player, "field_mode_plane")
    shots = tmp_path  # docs/screenshots/languages-*.png are these; never written by tests
    assert step_id(player) == "trip"
    window.grab().save(str(shots / "languages-en.png"))
    combo = _switch(player)
    combo.setCurrentIndex(combo.findData("de"))
    qtbot.wait(50)
    window.grab().save(str(shots / "languages-de.png"))
    wait_saved(qtbot, window)


MESSAGES = """\
format_version: 2
id: codes
languages: [en, de]
title: {en: Codes, de: Codes}
steps:
  - id: one
    title: {en: One, de: Eins}
    fields:
      - id: code
        type: text
        label: {en: Code, de: Kennung}
        pattern: "E[0-9]{3}"
        pattern_message: {en: Use the form E123., de: Verwenden Sie die Form E123.}
      - id: agree
        type: boolean
        label: {en: I agree, de: Ich stimme zu}
"""


def test_messages_and_the_review_follow_the_language(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, english_locale: None
) -> None:
    window.wizards_view.reload(import_text(tmp_path, MESSAGES))
    player = start(qtbot, window, "codes")
    type_into(qtbot, player, "code", "X")
    error = find(player, "error_code", QLabel)
    assert error.text() == "Use the form E123."  # type: ignore[attr-defined]
    combo = _switch(player)
    combo.setCurrentIndex(combo.findData("de"))
    assert error.text() == "Verwenden Sie die Form E123."  # type: ignore[attr-defined]
    assert find(player, "field_agree", QCheckBox).text() == "Ich stimme zu"  # type: ignore[attr-defined]
    type_into(qtbot, player, "code", "E123")
    press_next(qtbot, player)
    assert player.currentPage() is player.review_page
    labels = [w.text() for w in player.review_page.findChildren(QLabel)]
    assert "Kennung" in labels and "Eins" in labels
    combo.setCurrentIndex(combo.findData("en"))
    labels = [w.text() for w in player.review_page.findChildren(QLabel)]
    assert "Code" in labels and "One" in labels and "Kennung" not in labels
    wait_saved(qtbot, window)
    assert load_session(player.info.id).answers["code"] == "E123"
    assert get_session(player.info.id).language == "en"


MEMBERS = """\
format_version: 2
id: members
languages: [en, fr]
default_language: en
title: {en: Household, fr: Ménage}
steps:
  - id: you
    title: {en: You, fr: Vous}
    fields:
      - {id: your_name, type: text, label: {en: Your name, fr: Votre nom}, required: true}
  - id: member
    title: {en: "Member {name}", fr: "Membre {name}"}
    fields:
      - {id: name, type: text, label: {en: Name, fr: Nom}, required: true}
      - {id: age, type: number, label: {en: "Age of {name}", fr: "Âge de {name}"}}
repeats:
  - id: people
    steps: [member]
    add_label: {en: Add another member, fr: Ajouter un membre}
    item_label: {en: "Member {people.number}: {name}", fr: "Membre {people.number} : {name}"}
"""


def test_a_wizard_with_repeats_switches_language_in_every_instance(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, english_locale: None
) -> None:
    """The switch is offered with repeats too: each instance's texts (naming its own
    answers) change language, the instances and the answers stay, and an instance
    added afterwards comes in the session's new language."""
    window.wizards_view.reload(import_text(tmp_path, MEMBERS))
    player = start(qtbot, window, "members")
    combo = _switch(player)
    type_into(qtbot, player, "your_name", "Me")
    press_next(qtbot, player)
    assert step_id(player) == "people[0].member"
    type_into(qtbot, player, "people[0].name", "Ada")
    label = find(player, "label_people[0].age", QLabel)
    assert isinstance(label, QLabel) and label.text() == "Age of Ada"
    assert player.currentPage().title() == "Member 1: Ada"  # an instance's step: its item label

    _reach_with_shift_tab(qtbot, window, combo)  # the keyboard alone, then Down: French
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == "fr"
    assert player.currentPage().title() == "Membre 1 : Ada"
    assert label.text() == "Âge de Ada"
    assert find(player, "field_people[0].name", QLineEdit).text() == "Ada"  # type: ignore[union-attr]
    entries = [player.step_list.item(i).text()[3:] for i in range(player.step_list.count())]
    assert entries[:2] == ["Vous", "Membre 1 : Ada"]
    add = find(player, "addInstanceButton", QWidget)
    assert isinstance(add, QPushButton) and add.text() == "Ajouter un membre"
    wait_saved(qtbot, window)
    assert get_session(player.info.id).language == "fr"

    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)  # the player opens again, on instance 2
    qtbot.waitUntil(lambda: window.player is not None and window.player is not player)
    again = window.player
    assert again is not None
    qtbot.waitUntil(lambda: step_id(again) == "people[1].member")
    assert _switch(again).currentData() == "fr"
    type_into(qtbot, again, "people[1].name", "Bo")
    assert again.currentPage().title() == "Membre 2 : Bo"
    wait_saved(qtbot, window)
    session = load_session(again.info.id)
    assert session.answers == {"your_name": "Me", "people[0].name": "Ada", "people[1].name": "Bo"}
    assert session.definition.title == "Ménage"  # the summary, report and exports read French
