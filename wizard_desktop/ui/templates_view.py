"""The templates view: every template with its wizard and creation date, and what can
be done with one: start a pre-filled session, rename, delete, export to a .json file,
import one (core/templates.py does the work and the checks). Each of these writes is
an operation on the window's `OperationRunner`; the view follows every stored change
to the templates.

A started session goes out as `sessionStarted(session_id)` for the window to open.
Dialogs come from `ui/dialogs.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wizard_desktop.core.export import suggested_file_name
from wizard_desktop.core.templates import (
    ImportedTemplate,
    StartedFromTemplate,
    TemplateFileError,
    TemplateInfo,
    delete_template,
    export_template,
    import_template,
    list_templates,
    rename_template,
    start_from_template,
)
from wizard_desktop.operations import Change, OperationRunner
from wizard_desktop.store.errors import StorageError
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.formatting import local_time, local_time_tooltip
from wizard_desktop.ui.view_writes import queue_view_write

TEMPLATE_ID_ROLE = Qt.ItemDataRole.UserRole
EMPTY_TEXT = (
    "No templates yet — select a completed session in Sessions and choose "
    "“Save as template…”, or import a template file."
)
# The errors that refuse an action (nothing stored), for a person to read.
ACTION_REFUSALS = (TemplateFileError, ValueError, LookupError, OSError)


def dropped_answers_text(session_name: str, dropped: tuple[str, ...]) -> str:
    return (
        f"Started “{session_name}” from the template. These answers were left out because "
        "their fields no longer exist (or changed type) in the current version of the "
        f"wizard: {', '.join(dropped)}."
    )


class TemplatesView(QWidget):
    """The template list (objectName `templatesList`) and its actions. The window
    connects `sessionStarted(session_id)` (open the player on the new session and
    refresh the sessions view)."""

    sessionStarted = Signal(str)

    def __init__(self, operations: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.operations = operations
        self.templates_list = QTreeWidget(objectName="templatesList")
        self.templates_list.setAccessibleName("Templates")
        self.templates_list.setHeaderLabels(["Template", "Wizard", "Created"])
        self.templates_list.setRootIsDecorated(False)
        self.templates_list.setAlternatingRowColors(True)
        self.templates_list.setUniformRowHeights(True)
        header = self.templates_list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(1, 200)
        header.resizeSection(2, 150)

        self.empty_label = QLabel(EMPTY_TEXT, objectName="templatesEmptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("font-size: 13pt; color: palette(mid);")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.templates_list)
        self.stack.addWidget(self.empty_label)

        self.start_button = self._button(
            "Start from template", "startFromTemplateButton", self.start_selected
        )
        self.rename_button = self._button("Rename…", "renameTemplateButton", self.rename_selected)
        self.delete_button = self._button("Delete…", "deleteTemplateButton", self.delete_selected)
        self.export_button = self._button("Export…", "exportTemplateButton", self.export_selected)
        self.import_button = self._button("Import…", "importTemplateButton", self.import_file)
        self.selection_buttons = (
            self.start_button,
            self.rename_button,
            self.delete_button,
            self.export_button,
        )

        buttons = QHBoxLayout()
        for button in self.selection_buttons:
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)

        self._templates: dict[int, TemplateInfo] = {}
        self.templates_list.itemSelectionChanged.connect(self._update_buttons)
        self.templates_list.itemActivated.connect(lambda *_: self.start_selected())
        operations.operationDidExecute.connect(self._follow)
        self.reload()

    # -- Public interface.

    def reload(self, select_id: int | None = None) -> None:
        """Read the templates again, keeping (or moving to `select_id`) the selection."""
        selected = self.selected_template()
        keep = select_id if select_id is not None else selected.id if selected else None
        try:
            templates = list_templates()
        except StorageError as exc:
            dialogs.show_error(self, str(exc))
            templates = []
        self._templates = {t.id: t for t in templates}
        self.templates_list.clear()
        for template in self._templates.values():
            item = QTreeWidgetItem(
                [template.name, template.wizard_title, local_time(template.created_at)]
            )
            item.setData(0, TEMPLATE_ID_ROLE, template.id)
            item.setToolTip(2, local_time_tooltip(template.created_at) or "")
            self.templates_list.addTopLevelItem(item)
            if template.id == keep:
                self.templates_list.setCurrentItem(item)
        self.stack.setCurrentWidget(self.templates_list if self._templates else self.empty_label)
        self._update_buttons()

    def selected_template(self) -> TemplateInfo | None:
        items = self.templates_list.selectedItems()
        if not items:
            return None
        return self._templates.get(items[0].data(0, TEMPLATE_ID_ROLE))

    # -- Actions.

    def start_selected(self) -> None:
        template = self.selected_template()
        if template is None:
            return

        def started(result: StartedFromTemplate) -> None:
            if result.dropped_field_ids:
                dialogs.show_info(
                    self, dropped_answers_text(result.session.name, result.dropped_field_ids)
                )
            self.sessionStarted.emit(result.session.id)

        self._run(
            f"a new session from the template “{template.name}”",
            lambda: start_from_template(template.id),
            changes=lambda result: Change(sessions=(result.session.id,)),
            done=started,
        )

    def rename_selected(self) -> None:
        template = self.selected_template()
        if template is None:
            return
        name = dialogs.ask_name(self, "Rename the template to:", template.name)
        if name is not None and name != template.name:
            self._run(
                f"the new name of the template “{template.name}”",
                lambda: rename_template(template.id, name),
                changes=lambda _: Change(templates=True, select_template=template.id),
            )

    def delete_selected(self) -> None:
        template = self.selected_template()
        if template is not None and dialogs.confirm_delete(
            self, f"Delete the template “{template.name}”? Sessions started from it are kept."
        ):
            self._run(
                f"the deletion of the template “{template.name}”",
                lambda: delete_template(template.id),
                changes=lambda _: Change(templates=True),
            )

    def export_selected(self) -> None:
        template = self.selected_template()
        if template is None:
            return
        path = dialogs.ask_save_path(
            self, "Export template", suggested_file_name(template.name), dialogs.TEMPLATE_FILTERS
        )
        if path is not None:
            self._run(
                f"the export to {path}",
                lambda: export_template(template.id, path, overwrite=True),  # the dialog asked
            )

    def import_file(self) -> None:
        for path in dialogs.ask_open_paths(self, "Import templates", dialogs.TEMPLATE_FILTERS):
            self._run(
                f"the template file {path.name}",
                lambda path=path: import_template(path),
                changes=lambda imported: Change(
                    templates=True, select_template=imported.template.id
                ),
                done=lambda imported, path=path: self._tell_left_out(path, imported),
                refused=lambda error, path=path: f"{path.name} was not imported.\n\n{error}",
            )

    # -- Internals.

    def _run(self, what: str, work: Callable[[], Any], **options: Any) -> None:
        """Queue a write; a refusal is told to the person (nothing was stored)."""
        queue_view_write(self.operations, self, what, work, refused_by=ACTION_REFUSALS, **options)

    def _tell_left_out(self, path: Path, imported: ImportedTemplate) -> None:
        """Answers left out, or the same template already there (`notice`)."""
        notice = imported.notice(path.name)
        if notice is not None:
            dialogs.show_info(self, notice)

    def _follow(self, change: Change) -> None:
        if change.templates:
            self.reload(select_id=change.select_template)

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self, objectName=name)
        button.setAccessibleName(text.rstrip("…"))
        button.clicked.connect(slot)
        return button

    def _update_buttons(self) -> None:
        selected = self.selected_template() is not None
        for button in self.selection_buttons:
            button.setEnabled(selected)
