"""Text from a wizard file or a person is shown literally by the player: a title,
step title, label, help, option label or session name holding `<img src="/dev/zero">`
and `<b>bold</b>` is neither rendered nor loaded (rendered, the image allocates until
the process dies). Step descriptions stay Markdown and load no resource."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtGui
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QKeySequence, QTextDocument
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QListWidget, QWidget
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import click, find, finish, playing, type_into
from tests.wizard_files import import_text
from wizard_desktop.core.sessions import get_session, start_session
from wizard_desktop.ui.markdown import MarkdownView
from wizard_desktop.ui.player import WizardPlayer

HOSTILE = '<img src="/dev/zero"> <b>bold</b>'
HOSTILE_WIZARD = f"""\
format_version: 1
id: hostile-text
title: '{HOSTILE} title'
steps:
  - id: only
    title: '{HOSTILE} step'
    description: 'In the description: {HOSTILE} ![zero](/dev/zero)'
    fields:
      - id: name
        type: text
        label: '{HOSTILE} label'
        help: '{HOSTILE} help'
        required: true
      - id: pick
        type: choice
        label: 'Salt & pepper'
        options:
          - {{value: a, label: '{HOSTILE} option'}}
          - {{value: b, label: 'Salt & pepper'}}
      - id: many
        type: choice
        label: Many
        options: ['{HOSTILE} first', b, c, d, e, f, g]
      - id: tags
        type: multi_choice
        label: Tags
        options: [{{value: x, label: '{HOSTILE} tag'}}]
      - {{id: agree, type: boolean, label: '{HOSTILE} agree'}}
"""


def shown_promptly(widget: QWidget) -> None:
    """grab() paints everything: a rendered `<img src=/dev/zero>` would not return."""
    assert not widget.grab().isNull()


def labels_showing(player: WizardPlayer, text: str) -> dict[str, Qt.TextFormat]:
    return {
        label.text(): label.textFormat()
        for label in player.findChildren(QLabel)
        if text in label.text() and label.isVisibleTo(player)
    }


def no_shortcut(button_or_label_text: str) -> bool:
    return QKeySequence.mnemonic(button_or_label_text).isEmpty()


def test_file_and_person_text_is_shown_as_plain_text(qtbot: QtBot, store: Path) -> None:
    wizard_id = import_text(store, HOSTILE_WIZARD)
    session_id = start_session(wizard_id).id
    with playing(qtbot, session_id) as player:
        assert player.titleFormat() == Qt.TextFormat.PlainText
        assert player.subTitleFormat() == Qt.TextFormat.PlainText
        plain = Qt.TextFormat.PlainText
        assert labels_showing(player, HOSTILE) == {
            f"{HOSTILE} step": plain,  # the page title, in QWizard's header
            f"{HOSTILE} label *": plain,
            f"{HOSTILE} help": plain,
        }
        assert find(player, "hint_name").text() == f"{HOSTILE} help"  # type: ignore[attr-defined]
        pick_label = find(player, "label_pick", QLabel)
        assert isinstance(pick_label, QLabel) and no_shortcut(pick_label.text())
        assert pick_label.textFormat() == plain

        editor = find(player, "field_name")
        tooltip = editor.toolTip()
        assert "<img" not in tooltip and QtGui.Qt.mightBeRichText(tooltip)
        shown = QTextDocument()
        shown.setHtml(tooltip)  # as QToolTip renders rich text
        assert shown.toPlainText() == f"{HOSTILE} help"
        buttons = {
            name: find(player, name, QAbstractButton).text()  # type: ignore[attr-defined]
            for name in ("field_pick_a", "field_pick_b", "field_tags_x", "field_agree")
        }
        assert buttons["field_pick_a"] == f"{HOSTILE} option"  # buttons show plain text
        assert buttons["field_tags_x"] == f"{HOSTILE} tag"
        assert buttons["field_agree"] == f"{HOSTILE} agree"
        assert all(no_shortcut(text) for text in buttons.values()), "& is shown, not a key"
        combo = find(player, "field_many", QComboBox)
        assert combo.itemText(0) == f"{HOSTILE} first"  # type: ignore[attr-defined]
        step_list = find(player, "stepList", QListWidget)
        assert step_list.item(0).text() == f"▶  {HOSTILE} step"  # type: ignore[attr-defined]

        description = find(player, "description_only", MarkdownView)
        assert isinstance(description, MarkdownView)
        assert description.toPlainText().startswith("In the description: ")
        shown_promptly(player)

        type_into(qtbot, player, "name", "<b>Ann</b>")
        click(qtbot, player, "field_agree")
        finish(qtbot, player)
        qtbot.waitUntil(lambda: get_session(session_id).status == "completed")
        status = find(player, "completionStatus", QLabel)
        assert isinstance(status, QLabel)
        qtbot.waitUntil(lambda: "completed and saved" in status.text())
        name = get_session(session_id).name
        assert name.startswith(f"{HOSTILE} title")  # the session is named after the wizard
        assert find(player, "sessionNameEdit").text() == name  # type: ignore[attr-defined]
        assert status.text() == f"“{name}” is completed and saved."
        assert status.textFormat() == plain
        assert labels_showing(player, HOSTILE) == {
            f"{HOSTILE} title": plain,  # the completion page's title
            status.text(): plain,
        }
        shown_promptly(player)


def test_markdown_views_load_no_resource(qtbot: QtBot, tmp_path: Path) -> None:
    picture = tmp_path / "picture.png"
    big = QImage(300, 300, QImage.Format.Format_RGB32)
    big.fill(Qt.GlobalColor.red)
    assert big.save(str(picture))
    view = MarkdownView()
    qtbot.addWidget(view)
    view.resize(600, 600)
    view.setMarkdown(
        f"![a]({picture}) ![b]({picture.as_uri()}) ![c](/dev/zero) <img src='/dev/zero'> **bold**"
    )
    view.show()
    shown_promptly(view)
    assert view.document().size().height() < 100, "the 300-pixel picture is not shown"
    image = QTextDocument.ResourceType.ImageResource
    for name in (str(picture), picture.as_uri(), "/dev/zero"):
        loaded = view.document().resource(image, QUrl(name))
        assert isinstance(loaded, QImage) and loaded.size().width() == 1, name
    style = QTextDocument.ResourceType.StyleSheetResource
    assert view.loadResource(style, QUrl.fromLocalFile(str(picture))).isEmpty()
