"""Text from wizard files and people, shown safely: Markdown read-only and never
loading anything (no remote or local images, no links followed), and tooltips that
show their text as typed (a wizard file is untrusted input)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, Qt, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget


class MarkdownView(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)

    def setMarkdown(self, markdown: str) -> None:
        """GitHub-flavoured Markdown; raw HTML in it is shown as the text it is."""
        features = QTextDocument.MarkdownFeature
        self.document().setMarkdown(
            markdown, features.MarkdownDialectGitHub | features.MarkdownNoHTML
        )

    def loadResource(self, resource_type: int, name: QUrl) -> Any:
        # A null image, not None: for a null result QTextDocument reads a local file
        # itself (an image of /dev/zero would allocate until the process dies).
        return QImage()


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` as typed: Qt renders a tooltip that looks like HTML
    as rich text (and would load its images), so it gets rich text that says `text`."""
    return Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)
