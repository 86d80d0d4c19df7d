"""The main window: the wizards view (pick a wizard, see its description) inside a
stack of main views."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wizard_desktop.core.wizards import WizardSummary, list_wizards
from wizard_desktop.ui.markdown import MarkdownView

WIZARD_ID_ROLE = Qt.ItemDataRole.UserRole


class WizardsView(QWidget):
    """The list of wizards (objectName `wizardList`) and the selected one's details."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.wizard_list = QTreeWidget(objectName="wizardList")
        self.wizard_list.setAccessibleName("Wizards")
        self.wizard_list.setHeaderLabels(["Wizard", "Steps", "Completed"])
        self.wizard_list.setRootIsDecorated(False)
        self.wizard_list.setAlternatingRowColors(True)
        self.wizard_list.setUniformRowHeights(True)
        header = self.wizard_list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)

        self.title_label = QLabel(objectName="wizardTitle")
        self.title_label.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.title_label.setWordWrap(True)
        self.description = MarkdownView()
        self.description.setObjectName("wizardDescription")
        self.description.setAccessibleName("Wizard description")

        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.addWidget(self.title_label)
        details_layout.addWidget(self.description, 1)
        self.details_layout = details_layout

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.wizard_list)
        splitter.addWidget(details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)

        self.wizard_list.currentItemChanged.connect(self._show_details)
        self.reload()

    def reload(self) -> None:
        selected = self.selected_wizard_id()
        self.wizard_list.clear()
        for wizard in list_wizards():
            item = QTreeWidgetItem(
                [wizard.title, str(wizard.step_count), str(wizard.completed_count)]
            )
            item.setData(0, WIZARD_ID_ROLE, wizard)
            item.setToolTip(0, wizard.description or wizard.title)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.wizard_list.addTopLevelItem(item)
            if wizard.id == selected:
                self.wizard_list.setCurrentItem(item)
        if self.wizard_list.currentItem() is None and self.wizard_list.topLevelItemCount():
            self.wizard_list.setCurrentItem(self.wizard_list.topLevelItem(0))

    def selected_wizard(self) -> WizardSummary | None:
        item = self.wizard_list.currentItem()
        return item.data(0, WIZARD_ID_ROLE) if item is not None else None

    def selected_wizard_id(self) -> str | None:
        wizard = self.selected_wizard()
        return wizard.id if wizard is not None else None

    def _show_details(self) -> None:
        wizard = self.selected_wizard()
        if wizard is None:
            self.title_label.setText("No wizards yet — import a wizard file.")
            self.description.clear()
            return
        self.title_label.setText(wizard.title)
        summary = f"{wizard.step_count} steps · completed {wizard.completed_count} times"
        self.description.setMarkdown(f"{wizard.description or ''}\n\n*{summary}*")


class MainWindow(QMainWindow):
    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.setObjectName("mainWindow")
        self.setWindowTitle("Wizard Desktop")
        self.resize(960, 640)
        self.wizards_view = WizardsView()
        self.tabs = QTabWidget(objectName="mainTabs")
        self.tabs.addTab(self.wizards_view, "Wizards")
        self.setCentralWidget(self.tabs)
