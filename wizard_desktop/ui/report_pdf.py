"""Laying out a session's report (core/report.py) on pages with Qt's own classes: the
HTML in a QTextDocument paginated at the device's resolution, each page drawn with
`drawContents` between a header (the wizard's title; "Draft — not completed" on every
page of an in-progress session) and a footer (the session's name, "Page N of M") that
QPainter draws. The same drawing goes to a QPdfWriter (Save as PDF, the command line;
text stays selectable and QPdfWriter embeds the fonts) or to a QPrinter (Print…).
No widgets: the command line runs it on a QGuiApplication.

The paper follows the locale (Letter in the territories that use it, A4 elsewhere).
`write_report_pdf` is what `wizard-desktop report` runs (on its own main thread): the
target is checked (core/output_files) before anything is read, and the PDF is written
atomically. The GUI draws on its UI thread only (`report_print`): Qt's text layout and
fonts are not for the writer thread, where drawing once hung it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QLocale,
    QMarginsF,
    QRectF,
    QSize,
    QSizeF,
    Qt,
    QUrl,
)
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from wizard_desktop.core.output_files import check_output_target, write_output_file
from wizard_desktop.core.report import DRAFT, IMAGE_URL, SessionReport, session_report
from wizard_desktop.ui.formatting import shown_answer
from wizard_desktop.ui.images import ImageRefusedError, decode_image

Country = QLocale.Country
LETTER_TERRITORIES = frozenset(
    {
        Country.UnitedStates,
        Country.Canada,
        Country.Mexico,
        Country.PuertoRico,
        Country.Philippines,
        Country.Chile,
        Country.Colombia,
        Country.Venezuela,
        Country.CostaRica,
        Country.Guatemala,
        Country.Panama,
        Country.ElSalvador,
        Country.DominicanRepublic,
        Country.Nicaragua,
    }
)
"""Where Letter is the usual paper (as CLDR's paper-size data says); A4 elsewhere."""

MARGINS_MM = QMarginsF(18, 15, 18, 15)
BODY_POINT_SIZE = 10.0
FURNITURE_POINT_SIZE = 8.5
"""The header's and footer's text."""


def locale_page_size(locale: QLocale | None = None) -> QPageSize:
    territory = (locale or QLocale()).territory()
    size = (
        QPageSize.PageSizeId.Letter if territory in LETTER_TERRITORIES else QPageSize.PageSizeId.A4
    )
    return QPageSize(size)


def prepare_page(device: QPagedPaintDevice) -> None:
    """The locale's paper and the report's margins on `device` (before a print dialog,
    which may change them)."""
    device.setPageLayout(
        QPageLayout(
            locale_page_size(),
            QPageLayout.Orientation.Portrait,
            MARGINS_MM,
            QPageLayout.Unit.Millimeter,
        )
    )


def _font(point_size: float, *, bold: bool = False) -> QFont:
    font = QFont(QGuiApplication.font())
    font.setPointSizeF(point_size)
    font.setBold(bold)
    font.setFeature(QFont.Tag("liga"), 0)  # copied text reads "fi", not the ligature "ﬁ"
    return font


def draw_report(report: SessionReport, device: QPagedPaintDevice) -> int:
    """Draw `report` on `device`'s pages (its page layout as set); the page count."""
    area = QRectF(device.pageLayout().paintRectPixels(device.logicalDpiX()))
    area.moveTo(0, 0)  # the painter's origin is the paint rect's corner
    furniture = _font(FURNITURE_POINT_SIZE)
    marked = _font(FURNITURE_POINT_SIZE, bold=True)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("cannot draw the report on this device")
    try:
        line = QFontMetricsF(furniture, device).height()
        gap = line * 0.8
        body = QRectF(area.left(), area.top() + line + gap, area.width(), 0)
        body.setBottom(area.bottom() - line - gap)
        document = QTextDocument()
        document.documentLayout().setPaintDevice(device)
        document.setDefaultFont(_font(BODY_POINT_SIZE))
        document.setDocumentMargin(0)
        _add_images(document, report)
        document.setHtml(report.html())
        document.setPageSize(QSizeF(body.width(), body.height()))
        pages = document.pageCount()
        for index in range(pages):
            if index:
                device.newPage()
            header = QRectF(area.left(), area.top(), area.width(), line)
            footer = QRectF(area.left(), area.bottom() - line, area.width(), line)
            painter.setFont(furniture)
            left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            painter.drawText(header, left, report.wizard_title)
            painter.drawText(footer, left, report.session_name)
            painter.drawText(footer, right, f"Page {index + 1} of {pages}")
            if report.is_draft:
                painter.setFont(marked)
                painter.drawText(header, right, DRAFT)
            painter.save()
            painter.translate(body.left(), body.top() - index * body.height())
            document.drawContents(
                painter, QRectF(0, index * body.height(), body.width(), body.height())
            )
            painter.restore()
        return pages
    finally:
        painter.end()


def report_pdf(report: SessionReport) -> bytes:
    """`report` as a PDF document."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(report.title)
    writer.setCreator("Wizard Desktop")
    prepare_page(writer)
    draw_report(report, writer)
    del writer  # finishes the file
    buffer.close()
    return bytes(data.data())


def write_report_pdf(session_id: str, target: Path, *, overwrite: bool = False) -> None:
    """The report of session `session_id` as a PDF in `target` (see output_files):
    SessionNotFoundError, OutputFileError, OSError."""
    check_output_target(target, overwrite=overwrite)
    pdf = report_pdf(session_report(session_id, shown_answer))
    write_output_file(target, pdf, overwrite=overwrite)


REPORT_IMAGE = QSize(960, 720)  # at most, decoded; the HTML sets the width shown


def _add_images(document: QTextDocument, report: SessionReport) -> None:
    """The report's images and signatures as the document's resources (decoded with
    `ui.images`' limits; one that does not decode is left out, its text stays)."""
    for sha, content in report.images.items():
        try:
            image = decode_image(content, sha, REPORT_IMAGE)
        except ImageRefusedError:
            continue
        url = QUrl(f"{IMAGE_URL}{sha}")
        document.addResource(QTextDocument.ResourceType.ImageResource, url, image)
