"""A SurveyJS survey with file questions and a signature pad, imported through the
main window, plays to completion in the real player: a real PDF chosen with Choose
file…, a real PNG dropped on the image question that the first file shows, a
signature drawn with the mouse; the answers are stored as attachments (references
whose contents are in the database, once each), and the review lists them."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import FINISH, find, press_next, start, step_id
from tests.gui.test_file_editors import draw, drop, editor, png_file
from wizard_desktop.core import sessions
from wizard_desktop.core.attachments import attachment_content
from wizard_desktop.importers import import_form
from wizard_desktop.store import attachments as attachment_store
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.file_editors import AttachmentInput, SignatureInput
from wizard_desktop.ui.main_window import MainWindow

SURVEY = {
    "title": "Claim",
    "pages": [
        {
            "name": "papers",
            "elements": [
                {
                    "type": "file",
                    "name": "receipt",
                    "title": "Receipt",
                    "acceptedTypes": ".pdf",
                    "maxSize": 1_000_000,
                    "isRequired": True,
                    "storeDataAsText": True,
                },
                {
                    "type": "file",
                    "name": "photo",
                    "title": "Photo of the item",
                    "acceptedTypes": "image/*",
                    "visibleIf": "{receipt} notempty",
                    "isRequired": True,
                },
            ],
        },
        {
            "name": "signing",
            "elements": [
                {
                    "type": "signaturepad",
                    "name": "sig",
                    "title": "Your signature",
                    "isRequired": True,
                    "penColor": "#0000ff",
                    "width": 400,
                }
            ],
        },
    ],
}


def test_an_imported_survey_with_files_and_a_signature_plays_to_completion(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    survey = tmp_path / "claim.json"
    survey.write_text(json.dumps(SURVEY), encoding="utf-8")
    receipt_file = tmp_path / "receipt.pdf"
    receipt_file.write_bytes(b"%PDF-1.7 " + os.urandom(50_000))
    photo_file = png_file(tmp_path)
    monkeypatch.setattr(dialogs, "ask_attachment_path", lambda *_: receipt_file)
    wizard_id = import_form(survey).definition.id
    window._import_paths([survey], skip_unsupported=False)
    qtbot.waitUntil(lambda: window.wizards_view.selected_wizard_id() == wizard_id)
    player = start(qtbot, window, wizard_id)

    assert step_id(player) == "papers"
    assert not find(player, "choose_photo").isVisible(), "the photo shows once a receipt is given"
    assert not player.button(player.WizardButton.NextButton).isEnabled()
    qtbot.mouseClick(find(player, "choose_receipt", QPushButton), Qt.MouseButton.LeftButton)
    receipt = editor(player, "receipt")
    qtbot.waitUntil(lambda: receipt.value() is not None)
    assert find(player, "file_receipt", QLabel).text() == "receipt.pdf (48.8 KB)"  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: find(player, "choose_photo").isVisible())
    photo = editor(player, "photo")
    assert isinstance(photo, AttachmentInput)
    drop(photo, photo_file)
    qtbot.waitUntil(lambda: photo.value() is not None)
    press_next(qtbot, player)

    assert step_id(player) == "signing"
    sign = editor(player, "sig")
    assert isinstance(sign, SignatureInput)
    draw(qtbot, find(player, "pad_sig"), [(40, 100), (90, 50), (140, 110), (200, 60)])  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: sign.value() is not None)
    press_next(qtbot, player)
    assert player.currentPage() is player.review_page
    qtbot.mouseClick(player.button(FINISH), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.controller.has_unsaved())

    (summary,) = [s for s in sessions.list_sessions() if s.wizard_id == wizard_id]
    assert summary.status == "completed"
    answers = sessions.load_session(summary.id).answers
    assert answers["receipt"] == {
        "sha256": hashlib.sha256(receipt_file.read_bytes()).hexdigest(),
        "name": "receipt.pdf",
        "size": receipt_file.stat().st_size,
        "type": "application/pdf",
    }
    assert attachment_content(answers["receipt"]) == receipt_file.read_bytes()
    assert attachment_content(answers["photo"]) == photo_file.read_bytes()
    signature = attachment_content(answers["sig"])
    assert signature is not None and signature.startswith(b"\x89PNG")
    assert answers["sig"]["name"] == "signature.png"  # type: ignore[index]
    assert not QImage.fromData(signature, "PNG").isNull()
    stored_bytes = sum(len(attachment_content(answers[k]) or b"") for k in answers)
    assert attachment_store.count() == (3, stored_bytes)
