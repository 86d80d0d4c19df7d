"""The attachment editors through the real widgets: Choose file… (the dialog function
replaced), a real QDropEvent with file URLs, an image's thumbnail, a decompression
bomb refused, hostile paths refused with one line under the field, a signature drawn
with mouse events, Undo and Clear; what is stored (once by SHA-256, nothing left
after Remove) and what a resumed session shows."""

from __future__ import annotations

import os
import struct
import sys
import zlib
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from tests.gui.player_helpers import find, playing
from tests.wizard_files import ATTACH, import_text
from wizard_desktop.core import sessions
from wizard_desktop.core.attachments import attachment_content
from wizard_desktop.store import attachments as attachment_store
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.file_editors import AttachmentInput, SignatureInput
from wizard_desktop.ui.player import WizardPlayer


def editor(player: WizardPlayer, field_id: str) -> AttachmentInput | SignatureInput:
    page = player.currentPage()
    found = page.rows[field_id].input  # type: ignore[attr-defined]
    assert isinstance(found, AttachmentInput | SignatureInput)
    return found


def png_file(folder: Path, name: str = "photo.png", size: tuple[int, int] = (400, 300)) -> Path:
    image = QImage(*size, QImage.Format.Format_RGB32)
    image.fill(QColor("#2e7d32"))
    path = folder / name
    assert image.save(str(path), "PNG")
    return path


def bomb_png(folder: Path) -> Path:
    """A 20,000 x 20,000 PNG of about 50 KB: its pixels would take 1.6 GB decoded."""
    width = height = 20_000

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\0" + b"\0" * (width // 8)  # 1-bit grey, filter byte 0
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    content = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
    path = folder / "bomb.png"
    path.write_bytes(content + chunk(b"IEND", b""))
    return path


def drop(widget: AttachmentInput, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    position = QPointF(widget.frame.rect().center())
    enter = QDragEnterEvent(
        position.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget.frame, enter)
    assert enter.isAccepted(), "a local file is accepted for dropping"
    event = QDropEvent(
        position,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget.frame, event)


def session(data_dir: Path) -> str:
    return sessions.start_session(import_text(data_dir, ATTACH)).id


def test_choose_and_drop_store_one_content_and_remove_leaves_nothing(
    qtbot: QtBot, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = session(store)
    receipt_file = tmp_path / "receipt.pdf"
    receipt_file.write_bytes(b"%PDF-1.7 " + os.urandom(200_000))
    monkeypatch.setattr(dialogs, "ask_attachment_path", lambda *_: receipt_file)
    with playing(qtbot, session_id) as player:
        receipt = editor(player, "receipt")
        assert isinstance(receipt, AttachmentInput)
        qtbot.mouseClick(find(player, "choose_receipt", QPushButton), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: receipt.value() is not None)
        shown = find(player, "file_receipt", QLabel)
        assert isinstance(shown, QLabel) and shown.text() == "receipt.pdf (195.3 KB)"
        copy = editor(player, "copy")
        assert isinstance(copy, AttachmentInput)
        drop(copy, receipt_file)
        qtbot.waitUntil(lambda: copy.value() is not None)
        assert player.controller.wait_until_saved(5000)
        stored = sessions.load_session(session_id).answers
        assert stored["receipt"]["sha256"] == stored["copy"]["sha256"]  # type: ignore[index]
        assert attachment_store.count() == (1, receipt_file.stat().st_size)

        qtbot.mouseClick(find(player, "remove_receipt", QPushButton), Qt.MouseButton.LeftButton)
        qtbot.mouseClick(find(player, "remove_copy", QPushButton), Qt.MouseButton.LeftButton)
        assert receipt.value() is None and not find(player, "remove_copy").isEnabled()
        qtbot.waitUntil(lambda: not player.controller.has_unsaved())
        assert player.controller.wait_until_saved(5000)
    assert attachment_store.count() == (0, 0)


def test_an_image_shows_its_thumbnail_and_again_when_the_session_resumes(
    qtbot: QtBot, store: Path, tmp_path: Path
) -> None:
    session_id = session(store)
    photo_file = png_file(tmp_path)
    with playing(qtbot, session_id) as player:
        photo = editor(player, "photo")
        assert isinstance(photo, AttachmentInput)
        drop(photo, photo_file)
        qtbot.waitUntil(lambda: photo.value() is not None)
        pixmap = photo.thumbnail.pixmap()
        assert not pixmap.isNull() and (pixmap.width(), pixmap.height()) == (160, 120)
        assert player.controller.wait_until_saved(5000)
    with playing(qtbot, session_id) as player:
        photo = editor(player, "photo")
        assert isinstance(photo, AttachmentInput)
        qtbot.waitUntil(lambda: not photo.thumbnail.pixmap().isNull())
        assert photo.value() == sessions.load_session(session_id).answers["photo"]


def test_hostile_files_are_refused_under_the_field_and_nothing_changes(
    qtbot: QtBot, store: Path, tmp_path: Path
) -> None:
    session_id = session(store)
    big = tmp_path / "big.bin"
    with big.open("wb") as f:
        f.truncate(2 * 1024**3)
    folder = tmp_path / "folder.png"
    folder.mkdir()
    cases = [
        (bomb_png(tmp_path), "photo", "“bomb.png” is too large to open (20000 by 20000 pixels)."),
        (big, "copy", "This file is 2.0 GB; this field takes files up to 10.0 MB."),
        (folder, "photo", "“folder.png” is a folder, not a file."),
    ]
    if sys.platform != "win32":
        fifo = tmp_path / "pipe.txt"
        os.mkfifo(fifo)
        cases.append(
            (fifo, "receipt", "“pipe.txt” is not a regular file (a pipe, a device or a socket).")
        )
    with playing(qtbot, session_id) as player:
        for path, field_id, message in cases:
            target = editor(player, field_id)
            assert isinstance(target, AttachmentInput)
            drop(target, path)
            status = find(player, f"status_{field_id}", QLabel)
            qtbot.waitUntil(lambda s=status, m=message: s.text() == m)  # type: ignore[misc]
            assert target.value() is None
    assert sessions.load_session(session_id).answers == {}
    assert attachment_store.count() == (0, 0)


def draw(qtbot: QtBot, pad: QLabel, points: list[tuple[int, int]]) -> None:
    first, *rest = (QPoint(x, y) for x, y in points)
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=first)
    for point in rest:
        qtbot.mouseMove(pad, point)
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=rest[-1])


def test_a_signature_is_drawn_undone_cleared_and_stored_as_png(qtbot: QtBot, store: Path) -> None:
    session_id = session(store)
    with playing(qtbot, session_id) as player:
        sign = editor(player, "sign")
        assert isinstance(sign, SignatureInput)
        undo, clear = find(player, "undo_sign"), find(player, "clear_sign")
        assert not undo.isEnabled() and not clear.isEnabled() and sign.value() is None
        pad = find(player, "pad_sign")
        draw(qtbot, pad, [(40, 100), (80, 60), (120, 110), (160, 70)])  # type: ignore[arg-type]
        first = sign.value()
        assert isinstance(first, dict) and first["type"] == "image/png"
        draw(qtbot, pad, [(200, 100), (260, 90), (300, 60)])  # type: ignore[arg-type]
        second = sign.value()
        assert isinstance(second, dict) and second["sha256"] != first["sha256"]
        qtbot.mouseClick(undo, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]
        assert sign.value() == first, "Undo takes the last stroke away"
        assert player.controller.wait_until_saved(5000)
        qtbot.waitUntil(lambda: not player.controller.has_unsaved())
        assert player.controller.wait_until_saved(5000)
        stored = sessions.load_session(session_id).answers["sign"]
        png = attachment_content(stored)
        assert png is not None and png.startswith(b"\x89PNG")
        image = QImage.fromData(png, "PNG")
        assert (image.width(), image.height()) == (960, 320)
        assert image.pixelColor(0, 0) == QColor("white")
        assert image.pixelColor(80 * 2, 60 * 2) != QColor("white"), "the stroke is drawn"
        qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]
        assert sign.value() is None and not clear.isEnabled()
        qtbot.waitUntil(lambda: not player.controller.has_unsaved())
        assert player.controller.wait_until_saved(5000)
    assert attachment_store.count() == (0, 0)
