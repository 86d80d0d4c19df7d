"""The anchor of the start-up figures (`startup`, `bundle_startup`): the app's first
screen (main window, menus, the three tabs, the wizards list with three rows and a
Markdown description) built from plain PySide6 widgets, with no data, storage or app
code; what Qt itself costs for those widgets. What the app takes beyond it is what our
code, Peewee and the data add. Prints "shown <CLOCK_MONOTONIC seconds>" at the first
paint and quits, with hello.py's probe; packaged by anchors.spec."""

import sys

from hello import FirstPaint  # the anchor's own probe (this folder is the script's path)
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)


def wizards_tab() -> QWidget:
    wizard_list = QTreeWidget()
    wizard_list.setHeaderLabels(["Wizard", "Steps", "Completed"])
    wizard_list.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for title, steps in (("Employee Onboarding", 7), ("Field Showcase", 5), ("Laptop Config", 4)):
        item = QTreeWidgetItem([title, str(steps), "0"])
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        wizard_list.addTopLevelItem(item)
    wizard_list.setCurrentItem(wizard_list.topLevelItem(0))
    details = QWidget()
    column = QVBoxLayout(details)
    column.addWidget(QLabel("Employee Onboarding"))
    description = QTextBrowser()
    description.setMarkdown("Prepare everything a **new colleague** needs.\n\n*7 steps*")
    column.addWidget(description, 1)
    column.addWidget(QPushButton("Start"), 0, Qt.AlignmentFlag.AlignRight)
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(wizard_list)
    splitter.addWidget(details)
    tab = QWidget()
    QHBoxLayout(tab).addWidget(splitter)
    return tab


def main() -> int:
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.resize(1000, 680)
    tabs = QTabWidget()
    tabs.addTab(wizards_tab(), "&Wizards")
    tabs.addTab(QWidget(), "&Sessions")
    tabs.addTab(QWidget(), "&Templates")
    stack = QStackedWidget()
    stack.addWidget(tabs)
    window.setCentralWidget(stack)
    file_menu = window.menuBar().addMenu("&File")
    for text, key in (("&Import wizard…", QKeySequence.StandardKey.Open), ("&Quit", "Ctrl+Q")):
        action = QAction(text, window)
        action.setShortcut(QKeySequence(key))
        file_menu.addAction(action)
    window.menuBar().addMenu("&Help")
    window.installEventFilter(FirstPaint(window))
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
