"""Each real XLSForm that imports plays to completion in the real player: import it as
a person would (core.wizards.import_wizard_file), start it, and on every step answer
what it asks (every empty required field, through its editor), Next, then Finish on
the review page; the session is stored as completed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.exceptions import TimeoutError
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import FINISH, NEXT, a_photo, import_listed, press_next, start
from tests.headless.test_xlsform_import import IMPORTED, REALFORMS
from wizard_desktop.core.sessions import load_session
from wizard_desktop.definition.model import AnswerValue, Field, FieldType
from wizard_desktop.ui.file_editors import AttachmentInput
from wizard_desktop.ui.main_window import MainWindow
from wizard_desktop.ui.player import StepPage, WizardPlayer

MAX_STEPS = 2000
MAX_PASSES = 10
A_PHONE_NUMBER = "071 234 5678"


def answer_for(field: Field, options: tuple[str, ...] | None) -> AnswerValue:
    """A valid answer of the field's kind (the first choice, the lower bound...)."""
    values = options if options is not None else tuple(o.value for o in field.options)
    if field.type is FieldType.CHOICE or (field.type is FieldType.RATING and field.options):
        return values[0]
    if field.type is FieldType.MULTI_CHOICE:
        return [values[0]]
    if field.type is FieldType.RANKING:  # every option, in the file's order
        return list(values)
    if field.type is FieldType.RATING:
        return int(field.min) if field.min is not None else 1  # type: ignore[arg-type]
    if field.type is FieldType.NUMBER:
        return field.min if isinstance(field.min, int | float) and field.min > 0 else 1
    if field.type is FieldType.DATE:
        return "2000-01-01"
    if field.type is FieldType.TIME:
        return "12:00"
    if field.pattern is not None and "90" in field.pattern:  # geopoint, geotrace
        return "1.5 2.5" if ";" not in field.pattern else "1.5 2.5; 1.6 2.6"
    if field.pattern is not None:  # dateTime
        return "2000-01-01 12:00"
    return "a"


def answer_step(qtbot: QtBot, page: StepPage, player: WizardPlayer, picture: Path) -> None:
    """Answer every empty required field, again while answers show more of them."""
    for _ in range(MAX_PASSES):
        resolution = player.state.resolution
        asked = [
            field
            for field in page.visible_fields()
            if field.id in resolution.required
            and field.id not in resolution.disabled
            and page.rows[field.id].input.value() in (None, "", [])
        ]
        if not asked:
            return
        for field in asked:
            editor = page.rows[field.id].input
            if field.type in (FieldType.IMAGE, FieldType.FILE):
                assert isinstance(editor, AttachmentInput)
                editor.read(picture)  # as a dropped file: read off the UI thread
                qtbot.waitUntil(lambda editor=editor: editor.value() is not None)
            else:  # options as the answers given so far filter them (a cascade on one page)
                options = player.state.resolution.options.get(field.id)
                if options == ():
                    continue  # filtered by a field answered in this pass: the next pass
                editor.set_value(answer_for(field, options))
                if field.id not in player.state.resolution.problems:
                    continue
                if field.type is FieldType.TEXT:
                    editor.set_value(A_PHONE_NUMBER)  # a constraint such as a phone number's
                elif field.type is FieldType.NUMBER:
                    editor.set_value(0)  # a bound such as the WHO form's age in days, 0 here


def play(qtbot: QtBot, player: WizardPlayer, picture: Path) -> int:
    steps = 0
    while player.currentPage() is not player.review_page:
        page = player.currentPage()
        assert isinstance(page, StepPage)
        answer_step(qtbot, page, player, picture)
        try:
            qtbot.waitUntil(lambda: player.button(NEXT).isEnabled(), timeout=5000)
        except TimeoutError as exc:
            now = player.state.resolution
            shown = {f.id: page.rows[f.id].input.value() for f in page.visible_fields()}
            raise AssertionError(
                f"step {page.step.id}: {shown} {dict(now.problems)} {page.blocking}"
            ) from exc
        press_next(qtbot, player)
        steps += 1
        assert steps < MAX_STEPS
    qtbot.waitUntil(lambda: player.button(FINISH).isEnabled())
    qtbot.mouseClick(player.button(FINISH), Qt.MouseButton.LeftButton)
    return steps


@pytest.mark.parametrize("name", IMPORTED)
def test_real_xlsform_plays_to_completion(
    qtbot: QtBot, window: MainWindow, name: str, tmp_path: Path
) -> None:
    picture = a_photo(tmp_path)
    wizard_id = import_listed(window, REALFORMS / name)
    player = start(qtbot, window, wizard_id)
    session_id = player.info.id
    steps = play(qtbot, player, picture)
    assert steps >= 1
    qtbot.waitUntil(lambda: not window.controller.has_unsaved(), timeout=20000)
    qtbot.waitUntil(lambda: load_session(session_id).info.is_completed, timeout=20000)


def test_file_import_takes_an_xlsform(qtbot: QtBot, window: MainWindow) -> None:
    """File → Import (the same call as a drop) stores an XLSForm through the one door."""
    from wizard_desktop.ui.dialogs import WIZARD_FILTERS

    assert "*.xlsx" in WIZARD_FILTERS and "*.md" in WIZARD_FILTERS
    window.import_wizard_files([REALFORMS / "cascading-select.xlsx"])
    wizard_list = window.wizards_view.wizard_list

    def listed() -> bool:
        ids = [
            wizard_list.topLevelItem(row).data(0, Qt.ItemDataRole.UserRole).id
            for row in range(wizard_list.topLevelItemCount())
        ]
        return "cascading_select" in ids

    qtbot.waitUntil(listed, timeout=10000)


def _play_stored(
    qtbot: QtBot, window: MainWindow, path: Path, tmp_path: Path, *, skip: bool = False
) -> str:
    """Import `path` (skipping what is refused when `skip`), play it to completion; the
    session's id."""
    picture = a_photo(tmp_path)
    wizard_id = import_listed(window, path, skip_unsupported=skip)
    player = start(qtbot, window, wizard_id)
    session_id = player.info.id
    assert play(qtbot, player, picture) >= 1
    qtbot.waitUntil(lambda: not window.controller.has_unsaved(), timeout=20000)
    qtbot.waitUntil(lambda: load_session(session_id).info.is_completed, timeout=20000)
    return session_id


def test_spec_test_stores_its_repeat_and_recorded_metadata(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """xlsform-spec-test: the two instances of its counted repeat are answered and
    stored; today and end are stored as calculated values, the ignored metadata not."""
    import datetime

    session_id = _play_stored(qtbot, window, REALFORMS / "xlsform-spec-test.xlsx", tmp_path)
    state = load_session(session_id)
    assert state.answers["repeat_test[0].required_text"] == "a"
    assert state.answers["repeat_test[1].required_text"] == "a"
    today = datetime.date.today().isoformat()
    assert state.calculated["today"] == today
    assert str(state.calculated["end"]).startswith(today)
    assert not {"start", "deviceid", "phonenumber"} & set(state.calculated)


def test_ucl_biomass_plot_with_csvs_beside_it_plays(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """ucl-biomass-plot copied with small CSVs beside it (its own are not in the
    corpus) imports without its nested stems repeat and plays to completion: the CSV
    cascade (region, district, village, plot), sqrt() in the plot radius, its repeats."""
    from tests.headless.test_xlsform_repeats import ucl_with_csvs

    folder = tmp_path / "form"
    folder.mkdir()
    session_id = _play_stored(qtbot, window, ucl_with_csvs(folder), tmp_path, skip=True)
    state = load_session(session_id)
    assert state.answers["region_id"] == "r1" and state.answers["district_id"] == "d1"
    assert state.answers["trees[0].tag"] == 1  # the first choice/number answer_for gives
    assert isinstance(state.calculated["slope_radius"], int | float)
