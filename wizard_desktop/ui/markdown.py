"""Text from wizard files and people, shown safely (a wizard file is untrusted input):
Markdown read-only and never loading anything (no remote or local images, no style
sheets, no links followed, raw HTML shown as text), and labels and tooltips that show
their text as typed.

Every resource Markdown asks for gets an empty answer: a one-pixel transparent image,
or no bytes. Answering nothing (None) is not enough: Qt then reads the named file
itself, and an image of /dev/zero allocates until the process dies.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QUrl
from PySide6.QtGui import QImage, Qt, QTextDocument  # QtGui's Qt has convertFromPlainText
from PySide6.QtWidgets import QFrame, QLabel, QTextBrowser, QWidget


def _blank_image() -> QImage:
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    return image


class MarkdownView(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self._blank = _blank_image()

    def setMarkdown(self, markdown: str) -> None:
        """GitHub-flavoured Markdown; raw HTML in it is shown as the text it is."""
        features = QTextDocument.MarkdownFeature
        self.document().setMarkdown(
            markdown, features.MarkdownDialectGitHub | features.MarkdownNoHTML
        )

    def loadResource(self, resource_type: int, name: QUrl) -> Any:
        if resource_type == QTextDocument.ResourceType.ImageResource:
            return self._blank
        return QByteArray()


def markdown_block(markdown: str, object_name: str) -> MarkdownView:
    """A MarkdownView that reads as part of the page (no frame, no scroll bar, no
    background) and is as tall as its text, whenever the text changes."""
    view = MarkdownView()
    view.setObjectName(object_name)
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setStyleSheet("background: transparent;")
    view.document().setDocumentMargin(0)
    view.setMarkdown(markdown)
    view.document().documentLayout().documentSizeChanged.connect(
        lambda size: view.setFixedHeight(int(size.height()) + 4)
    )
    return view


def plain_label(text: str = "", object_name: str = "") -> QLabel:
    """A word-wrapped QLabel that shows `text` literally (never as HTML)."""
    label = QLabel(objectName=object_name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setText(text)
    return label


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` as typed: Qt renders a tooltip that looks like HTML
    (`Qt.mightBeRichText`) as rich text, and would load its images, so such a text
    gets rich text that says `text`."""
    if not Qt.mightBeRichText(text):
        return text
    return Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)
