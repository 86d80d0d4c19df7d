"""A session of a version an earlier app stored with a pattern this app cannot run
(tests/headless/test_stored_versions.py) opens in the player: the field says its
format is not checked, and an answer the lost pattern would have refused is taken."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import find, playing, type_into
from tests.headless.test_stored_versions import stored_by_an_earlier_app
from wizard_desktop.definition.validator import PATTERN_NOT_CHECKED
from wizard_desktop.store.database import close_database, open_database


def test_the_player_opens_it_and_the_field_says_its_format_is_not_checked(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    made = stored_by_an_earlier_app(data_dir)
    open_database(data_dir)
    try:
        with playing(qtbot, made["draft"]) as player:
            hint = find(player, "hint_code")
            assert hint.isVisible()
            assert hint.text() == f"Letters only.\n{PATTERN_NOT_CHECKED}"  # type: ignore[attr-defined]
            type_into(qtbot, player, "code", "ABC")  # "[a-z]+" would have refused it
            assert not find(player, "error_code").isVisible()
            assert player.grab().save(str(tmp_path / "stored-version-pattern.png"))
    finally:
        close_database()
