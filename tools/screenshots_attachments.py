"""Take the attachment screenshots offscreen into docs/screenshots/ (re-runnable).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots_attachments.py

An image field with its thumbnail (a photo of a receipt, read and decoded off the UI
thread as a person's would be) and a signature drawn with mouse events, at the
default window size, on a throw-away data folder.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from screenshots import SIZE, child, shot, wait, wait_until  # beside this script

from wizard_desktop.app import create_main_window
from wizard_desktop.core.sessions import start_session
from wizard_desktop.core.wizards import import_wizard_file
from wizard_desktop.store.database import close_database
from wizard_desktop.ui.file_editors import AttachmentInput, SignatureInput

EXPENSE = """\
format_version: 2
id: receipt-claim
title: Receipt claim
steps:
  - id: receipt
    title: Your receipt
    fields:
      - {id: amount, type: number, label: Amount, unit: EUR, decimals: 2}
      - id: photo
        type: image
        label: Photo of the receipt
        help: Choose it or drop it here; a thumbnail shows once it is read.
      - id: invoice
        type: file
        label: The invoice, if you have one
        accept: [.pdf]
        max_size: 5000000
  - id: sign
    title: Sign the claim
    fields:
      - {id: signature, type: signature, label: Your signature, required: true}
"""


def receipt_photo(path: Path) -> None:
    """A photo-like picture of a receipt: a tilted white slip on a wooden table."""
    image = QImage(1200, 900, QImage.Format.Format_RGB32)
    image.fill(QColor("#8d6e63"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(600, 450)
    painter.rotate(-6)
    painter.fillRect(QRect(-260, -380, 520, 760), QColor("#fafafa"))
    painter.setPen(QColor("#333333"))
    painter.setFont(QFont("DejaVu Sans Mono", 26))
    lines = [
        "CAFÉ DU PORT",
        "",
        "2 x Espresso   5.40",
        "1 x Croissant  2.80",
        "",
        "TOTAL  8.20 EUR",
    ]
    for number, text in enumerate(lines):
        painter.drawText(-220, -300 + number * 56, text)
    painter.end()
    image.save(str(path), "JPEG", 85)


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    data_dir = Path(tempfile.mkdtemp(prefix="wizard-desktop-shots-"))
    window = create_main_window(data_dir)
    window.resize(*SIZE)
    window.show()
    wizard_file = data_dir / "receipt-claim.yaml"
    wizard_file.write_text(EXPENSE, encoding="utf-8")
    wizard_id = import_wizard_file(wizard_file).wizard_id
    player = window.open_session(start_session(wizard_id, "Lunch in Marseille").id)
    child(player, "field_amount").setValue(8.2)  # type: ignore[attr-defined]
    photo_file = data_dir / "receipt.jpg"
    receipt_photo(photo_file)
    photo = player.currentPage().rows["photo"].input  # type: ignore[attr-defined]
    assert isinstance(photo, AttachmentInput)
    photo.read(photo_file)
    wait_until(lambda: not photo.thumbnail.pixmap().isNull())
    shot(window, "image-field")

    player.button(player.WizardButton.NextButton).click()
    wait_until(lambda: not window.controller.has_unsaved())
    signature = player.currentPage().rows["signature"].input  # type: ignore[attr-defined]
    assert isinstance(signature, SignatureInput)
    pad = signature.pad
    points = [
        QPoint(int(40 + t * 3.6), int(95 - 35 * math.sin(t / 9) * math.exp(-t / 160)))
        for t in range(0, 110)
    ]
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        QTest.mouseMove(pad, point)
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=points[-1])
    loop = [
        QPoint(int(300 + 40 * math.cos(a / 6)), int(80 + 25 * math.sin(a / 6))) for a in range(45)
    ]
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=loop[0])
    for point in loop[1:]:
        QTest.mouseMove(pad, point)
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=loop[-1])
    wait(100)
    shot(window, "signature-field")
    assert player.controller.wait_until_saved(10_000)
    window.leave_player()
    window.close()
    close_database()
    app.quit()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main())
