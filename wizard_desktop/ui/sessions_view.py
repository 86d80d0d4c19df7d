"""The sessions view: a table of every session, read from SQLite page by page, sorted
and filtered in SQL (core/session_list.py), with the actions on the selected session.

Owns `SessionsTableModel` (pages, sort, filters, in-place updates while the player
saves, the count made on the read lane), `ProgressDelegate` (the progress bar) and
`SessionsView` (table, filters, buttons, context menu, empty state). The view's
writes are operations on the window's `OperationRunner` and it follows every stored
change; what needs the window (opening the player) goes out as signals; the dialogs
come from `ui/dialogs.py`. "Export sessions…" writes the sessions the table shows to
one spreadsheet, through `ui/export_bar.py`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPalette, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from wizard_desktop.core.export import suggested_file_name, write_export
from wizard_desktop.core.session_list import (
    DEFAULT_PAGE_SIZE,
    SessionListQuery,
    SessionRow,
    SortColumn,
    count,
    fetch_page,
    fetch_row,
    position,
    sort_key_of,
)
from wizard_desktop.core.sessions import delete_session, rename_session
from wizard_desktop.core.sessions_export import SessionsExport
from wizard_desktop.core.templates import TemplateInfo, save_as_template, template_preview
from wizard_desktop.operations import Change, OperationRunner, read_in_background
from wizard_desktop.store.errors import StorageError
from wizard_desktop.store.models import COMPLETED, IN_PROGRESS
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.export_bar import ExportBar
from wizard_desktop.ui.formatting import (
    counted,
    format_duration,
    local_time,
    local_time_tooltip,
    whole_percent,
)
from wizard_desktop.ui.markdown import plain_tooltip
from wizard_desktop.ui.report_print import report_menu
from wizard_desktop.ui.view_writes import queue_view_write

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 250
SESSION_ID_ROLE = Qt.ItemDataRole.UserRole
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = tuple(SortColumn)
HEADERS = {
    SortColumn.NAME: "Name",
    SortColumn.WIZARD: "Wizard",
    SortColumn.STATUS: "Status",
    SortColumn.PROGRESS: "Progress",
    SortColumn.CURRENT_STEP: "Current step",
    SortColumn.STARTED: "Started",
    SortColumn.UPDATED: "Last updated",
    SortColumn.COMPLETED: "Completed",
    SortColumn.TIME_SPENT: "Time spent",
}
STATUS_LABELS = {IN_PROGRESS: "In progress", COMPLETED: "Completed"}
SAMPLE_TIME = dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC)
# What each column but the name needs to show (the name takes the rest): the widest
# of these texts and its header. Wizard titles and step titles longer than the
# sample are elided in the middle, their tooltip has them whole.
COLUMN_SAMPLES: dict[SortColumn, tuple[str, ...]] = {
    SortColumn.WIZARD: ("Field Showcase",),
    SortColumn.STATUS: tuple(STATUS_LABELS.values()),
    SortColumn.PROGRESS: ("100 % ",),
    SortColumn.CURRENT_STEP: ("Confirmation",),
    SortColumn.STARTED: (local_time(SAMPLE_TIME),),
    SortColumn.UPDATED: (local_time(SAMPLE_TIME),),
    SortColumn.COMPLETED: (local_time(SAMPLE_TIME),),
    SortColumn.TIME_SPENT: (format_duration(59 * 60 + 59),),
}
CELL_PADDING = 14
"""The item view's margins around a cell's text, both sides."""
SORT_INDICATOR = 18
"""Room for the header's sort arrow beside its text."""
HIDDEN_BY_DEFAULT = (SortColumn.STARTED,)
"""Shown from the header's context menu: at the default window size the name needs
the room, and a session's default name holds its start time."""
STATUS_FILTERS = (("All", None), ("In progress", IN_PROGRESS), ("Completed", COMPLETED))
EMPTY_TEXT = "No sessions yet — start one from Wizards."
NO_MATCH_TEXT = "No sessions match this filter."
# The errors that refuse an action (nothing stored), for a person to read.
ACTION_REFUSALS = (ValueError, LookupError, OSError)


# --- Display helpers.


DISPLAY: dict[SortColumn, Callable[[SessionRow], str]] = {
    SortColumn.NAME: lambda row: row.name,
    SortColumn.WIZARD: lambda row: row.wizard_title,
    SortColumn.STATUS: lambda row: STATUS_LABELS.get(row.status, row.status),
    SortColumn.PROGRESS: lambda row: whole_percent(row.progress_percentage),
    SortColumn.CURRENT_STEP: lambda row: row.current_step_title or "—",
    SortColumn.STARTED: lambda row: local_time(row.started_at),
    SortColumn.UPDATED: lambda row: local_time(row.updated_at),
    SortColumn.COMPLETED: lambda row: local_time(row.completed_at),
    SortColumn.TIME_SPENT: lambda row: format_duration(row.time_spent_seconds),
}

TOOLTIP: dict[SortColumn, Callable[[SessionRow], str | None]] = {
    SortColumn.NAME: lambda row: plain_tooltip(row.name),
    SortColumn.WIZARD: lambda row: plain_tooltip(row.wizard_title),
    SortColumn.CURRENT_STEP: lambda row: plain_tooltip(row.current_step_title or ""),
    SortColumn.STARTED: lambda row: local_time_tooltip(row.started_at),
    SortColumn.UPDATED: lambda row: local_time_tooltip(row.updated_at),
    SortColumn.COMPLETED: lambda row: local_time_tooltip(row.completed_at),
    SortColumn.TIME_SPENT: lambda row: "Time the wizard was open on this session",
}
RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ANSWERED_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        SESSION_ID_ROLE,
        PROGRESS_ROLE,
    }
)


class SessionsTableModel(QAbstractTableModel):
    """Sessions in the order and with the filters of a `SessionListQuery`, loaded one
    keyset page at a time as the view scrolls. Sorting and filtering re-query SQL."""

    countChanged = Signal(object)  # int, or None while counting
    """How many sessions the current filters let through."""

    def __init__(
        self,
        parent: QObject | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        *,
        load: bool = True,
    ) -> None:
        """load=False defers the first query to `ensure_loaded()` (the view does it when
        first shown, so a hidden tab costs nothing at start-up)."""
        super().__init__(parent)
        self._page_size = page_size
        self._query = SessionListQuery()
        self._rows: list[SessionRow] = []
        self._row_of: dict[str, int] = {}
        self._texts: dict[str, dict[SortColumn, str]] = {}
        self._cursor: SessionRow | None = None  # last row of the last page, as fetched
        self._has_more = False
        self._loaded = False
        self.total: int | None = 0
        """None while counting (see `counting`) or when the count failed."""
        self._count_token: object | None = None  # of the count whose result is awaited
        if load:
            self.reload()

    # -- Qt's model interface.

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
            and Qt.Orientation(orientation) == Qt.Orientation.Horizontal
        ):
            return HEADERS[COLUMNS[section]]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        # Called for every role of every visible cell on each paint: leave early.
        if role not in ANSWERED_ROLES or not index.isValid():
            return None
        return self._value(self._rows[index.row()], COLUMNS[index.column()], role)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and self._has_more

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if parent.isValid() or not self._has_more:
            return
        page = fetch_page(self._query, after=self._cursor, limit=self._page_size)
        self._has_more = len(page) == self._page_size
        if page:
            self._cursor = page[-1]
        # A row updated in place may reach a later page again: it is shown already.
        new = [row for row in page if row.id not in self._row_of]
        if not new:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        self._rows.extend(new)
        self._index_rows()
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        descending = Qt.SortOrder(order) == Qt.SortOrder.DescendingOrder
        self._set_query(sort=COLUMNS[column], descending=descending)

    # -- Our interface.

    @property
    def query(self) -> SessionListQuery:
        return self._query

    def set_status_filter(self, status: str | None) -> None:
        self._set_query(status=status)

    def set_search_text(self, text: str) -> None:
        self._set_query(search=text)

    def session_at(self, row: int) -> SessionRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, session_id: str) -> int | None:
        return self._row_of.get(session_id)

    def ensure_loaded(self) -> None:
        if not self._loaded:
            self.reload()

    def reload(self, *, recount: bool = True) -> None:
        """Read the first page again (after a change made elsewhere, or new filters);
        the count stays when only the order changed."""
        self._loaded = True
        self.beginResetModel()
        self._texts.clear()
        self._rows = fetch_page(self._query, limit=self._page_size)
        self._cursor = self._rows[-1] if self._rows else None
        self._has_more = len(self._rows) == self._page_size
        self._index_rows()
        self.endResetModel()
        if recount:
            self._recount()

    @property
    def counting(self) -> bool:
        return self._count_token is not None

    def _recount(self) -> None:
        """Every row loaded is its own count; otherwise count in the background (a
        newer request makes the result of an older one stale)."""
        if not self._has_more:
            self._count_token = None
            self._set_total(len(self._rows))
            return
        token = self._count_token = object()
        self._set_total(None)
        query = self._query
        # COUNT(*) scans every matching row (about 30 ms per 100,000 sessions with a
        # search): on the read lane, the UI never waits.
        read_in_background(lambda: count(query), lambda total: self._on_counted(token, total), self)

    def _on_counted(self, token: object, total: int | StorageError) -> None:
        if isinstance(total, StorageError):
            log.warning("The sessions could not be counted: %s", total)
        if token is self._count_token:
            self._count_token = None
            self._set_total(total if isinstance(total, int) else None)

    def refresh_all(self) -> None:
        """Many sessions changed: read the first page again (once loaded)."""
        if self._loaded:
            self.reload()

    def refresh_session(self, session_id: str) -> None:
        """Show the session's stored state: its row is updated, and moved to its place
        when its sort key changed (selection and scroll follow it), removed when
        deleted or the filters now hide it, inserted where it belongs when new."""
        if not self._loaded:
            return  # the first load will read it
        shown_at = self._row_of.get(session_id)
        if shown_at is None:
            self._insert_if_shown(session_id)
            return
        row = fetch_row(session_id, self._query)
        if row is None:
            self._remove(shown_at)
            self._recount()
            return
        before = self._rows[shown_at]
        self._rows[shown_at] = row
        self._texts.pop(session_id, None)
        if sort_key_of(self._query.sort, before) != sort_key_of(self._query.sort, row):
            shown_at = self._move_to_its_place(shown_at, row)
            if shown_at is None:
                return
        self.dataChanged.emit(self.index(shown_at, 0), self.index(shown_at, len(COLUMNS) - 1))

    # -- Internals.

    def _remove(self, at: int) -> None:
        self.beginRemoveRows(QModelIndex(), at, at)
        removed = self._rows.pop(at)
        self._texts.pop(removed.id, None)
        self._index_rows()
        self.endRemoveRows()

    def _move_to_its_place(self, shown_at: int, row: SessionRow) -> int | None:
        """Move the row at `shown_at` where its new sort key puts it; its new row, or
        None when that is past the loaded pages (it goes: a later page brings it)."""
        at = position(self._query, row)  # among the others, which are loaded first
        last = len(self._rows) - 1
        if at > last and self._has_more:
            self._remove(shown_at)
            return None
        at = min(at, last)
        if at != shown_at:
            # Qt counts the destination before the move: one further when moving down.
            destination = at + 1 if at > shown_at else at
            self.beginMoveRows(QModelIndex(), shown_at, shown_at, QModelIndex(), destination)
            self._rows.insert(at, self._rows.pop(shown_at))
            self._index_rows()
            self.endMoveRows()
        return at

    def _insert_if_shown(self, session_id: str) -> None:
        """A session the table does not show yet (just started): insert it at its place
        in the current order, unless the filters hide it or a later page will bring it."""
        row = fetch_row(session_id, self._query)
        if row is None:
            return
        at = position(self._query, row)
        if at < len(self._rows) or not self._has_more:  # else a later page will bring it
            at = min(at, len(self._rows))
            self.beginInsertRows(QModelIndex(), at, at)
            self._rows.insert(at, row)
            self._index_rows()
            self.endInsertRows()
        self._recount()

    def _set_query(self, **changes: Any) -> None:
        query = dataclasses.replace(self._query, **changes)
        if query != self._query:
            filters_changed = (query.status, query.search) != (
                self._query.status,
                self._query.search,
            )
            self._query = query
            if self._loaded:
                self.reload(recount=filters_changed)

    def _set_total(self, total: int | None) -> None:
        self.total = total
        self.countChanged.emit(total)

    def _index_rows(self) -> None:
        self._row_of = {row.id: i for i, row in enumerate(self._rows)}

    def _value(self, row: SessionRow, column: SortColumn, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            # Formatted once per row (local times, durations), not on every repaint.
            texts = self._texts.get(row.id)
            if texts is None:
                texts = self._texts[row.id] = {c: DISPLAY[c](row) for c in COLUMNS}
            return texts[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return TOOLTIP[column](row) if column in TOOLTIP else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT_ALIGNED if column is SortColumn.TIME_SPENT else None
        if role == SESSION_ID_ROLE:
            return row.id
        return row.progress_percentage if column is SortColumn.PROGRESS else None


class ProgressDelegate(QStyledItemDelegate):
    """Draws `PROGRESS_ROLE` (0 to 100) as a bar in the palette's highlight colour with
    the whole percent on it. Painted with plain rectangles: the style's progress bar
    costs several times more, on every visible row of every repaint."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        value = index.data(PROGRESS_ROLE)
        if value is None:
            super().paint(painter, option, index)
            return
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.text = ""
        widget = item.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)
        palette = item.palette  # type: ignore[attr-defined]
        track = item.rect.adjusted(6, 6, -6, -6)  # type: ignore[attr-defined]
        filled = QRect(track)
        filled.setWidth(round(track.width() * max(0.0, min(value, 100.0)) / 100))
        selected = bool(item.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        # On a selected (highlighted) row the bar stands out on the base colour.
        painter.fillRect(
            track,
            palette.color(QPalette.ColorRole.Base if selected else QPalette.ColorRole.Midlight),
        )
        if filled.width() > 0:
            fill = palette.color(QPalette.ColorRole.Highlight)
            painter.fillRect(filled, fill.darker(125) if selected else fill)
        text = whole_percent(value)
        # Readable on both parts: highlighted text over the bar, normal text beside it.
        painter.save()
        for role, clip in (
            (QPalette.ColorRole.HighlightedText, filled),
            (QPalette.ColorRole.Text, track.adjusted(filled.width(), 0, 0, 0)),
        ):
            if clip.width() > 0:
                painter.setClipRect(clip)
                painter.setPen(palette.color(role))
                painter.drawText(track, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


class SessionsView(QWidget):
    """The sessions table with its filters and actions. The window connects:
    `resumeRequested(session_id)` → open the player at the current step,
    `reviewRequested(session_id)` → open it read-only,
    `templateSaved(template_id)` and `sessionDeleted(session_id)` say that an action
    of the view was stored. The view follows every stored change to the sessions."""

    resumeRequested = Signal(str)
    reviewRequested = Signal(str)
    templateSaved = Signal(int)
    sessionDeleted = Signal(str)

    def __init__(self, operations: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.operations = operations
        self.model = SessionsTableModel(self, load=False)
        self._reselect_id: str | None = None

        self.status_filter = QComboBox(objectName="statusFilter")
        self.status_filter.setAccessibleName("Show sessions")
        for label, status in STATUS_FILTERS:
            self.status_filter.addItem(label, status)
        self.search_field = QLineEdit(objectName="searchField")
        self.search_field.setAccessibleName("Search sessions")
        self.search_field.setPlaceholderText("Search by session name or wizard…")
        self.search_field.setClearButtonEnabled(True)
        self.count_label = QLabel(objectName="sessionCount")
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)

        self.table = QTableView(objectName="sessionsTable")
        self.table.setAccessibleName("Sessions")
        # Before setModel(): a hidden header still sizes its 100 sections from contents.
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(
            COLUMNS.index(SortColumn.PROGRESS), ProgressDelegate(self.table)
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        # Rows are selected whole: the arrows move between them, Tab goes on to the buttons
        # (else Tab walks the cells, round and round, and the buttons cannot be reached).
        self.table.setTabKeyNavigation(False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COLUMNS.index(SortColumn.NAME), QHeaderView.ResizeMode.Stretch)
        for column, width in self.column_widths().items():
            header.resizeSection(COLUMNS.index(column), width)
        for column in HIDDEN_BY_DEFAULT:
            header.hideSection(COLUMNS.index(column))
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_column_menu)
        header.setSortIndicator(
            COLUMNS.index(self.model.query.sort),
            Qt.SortOrder.DescendingOrder
            if self.model.query.descending
            else Qt.SortOrder.AscendingOrder,
        )
        self.table.setSortingEnabled(True)  # sorts by the indicator: the query it has

        self.empty_label = QLabel(EMPTY_TEXT, objectName="sessionsEmptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("font-size: 13pt; color: palette(mid);")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)

        self.resume_action = self._action("Resume", "resume", self.resume_selected)
        self.review_action = self._action("Review", "review", self.review_selected)
        self.save_as_template_action = self._action(
            "Save as template…", "saveAsTemplate", self.save_selected_as_template
        )
        self.export_action = self._action("Export…", "export", self.export_selected)
        self.rename_action = self._action("Rename…", "rename", self.rename_selected)
        self.delete_action = self._action("Delete…", "delete", self.delete_selected)
        # Del deletes while the table has the focus (in the search field it edits).
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(self.delete_action)
        self._select_after_delete: tuple[str, int] | None = None  # session id, its row
        # The sessions the table shows, in one spreadsheet (not the selection's action).
        self.export_sessions_action = self._action(
            "Export sessions…", "exportSessions", self.export_shown_sessions
        )
        self.export_bar = ExportBar(self)
        self.export_bar.finished.connect(lambda _result: self._update_state())
        self.buttons = {
            action: self._button(action)
            for action in (
                self.resume_action,
                self.review_action,
                self.save_as_template_action,
                self.export_action,
                self.rename_action,
                self.delete_action,
            )
        }
        # After the other buttons: the Tab order is the row's.
        self.report_menu = report_menu(self, self.operations, self._selected_id_and_name)
        self.report_button = QPushButton("Report", self, objectName="reportButton")
        self.report_button.setAccessibleName("Report of the selected session")
        self.report_button.setMenu(self.report_menu)  # Print…, Save as PDF…

        filters = QHBoxLayout()
        show_label = QLabel("&Show:")
        show_label.setBuddy(self.status_filter)
        filters.addWidget(show_label)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.search_field, 1)
        filters.addWidget(self.count_label)
        actions = QHBoxLayout()
        for button in self.buttons.values():
            actions.addWidget(button)
        actions.addWidget(self.report_button)
        actions.addStretch(1)
        self.export_sessions_button = self._button(self.export_sessions_action)
        actions.addWidget(self.export_sessions_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.export_bar)
        layout.addLayout(actions)

        clear_search = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.clear_search)
        clear_search.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.status_filter.currentIndexChanged.connect(self._status_filter_changed)
        self.search_field.textChanged.connect(self._search_timer.start)
        self._search_timer.timeout.connect(self._apply_search)
        self.table.activated.connect(self._activated)
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        self.model.dataChanged.connect(self._update_actions)
        self.model.countChanged.connect(self._update_state)
        self.model.rowsInserted.connect(self._update_state)
        self.model.rowsRemoved.connect(self._update_state)
        operations.operationDidExecute.connect(self._follow)
        self._update_state()
        self._update_actions()

    # -- Public interface.

    def showEvent(self, event: QShowEvent) -> None:
        self.model.ensure_loaded()  # the first query waits until the tab is seen
        super().showEvent(event)

    def column_widths(self) -> dict[SortColumn, int]:
        """What each column but the name needs (COLUMN_SAMPLES) in this font."""
        metrics = self.table.fontMetrics()
        header_metrics = self.table.horizontalHeader().fontMetrics()
        return {
            column: max(
                max(metrics.horizontalAdvance(text) for text in samples) + CELL_PADDING,
                header_metrics.horizontalAdvance(HEADERS[column]) + CELL_PADDING + SORT_INDICATOR,
            )
            for column, samples in COLUMN_SAMPLES.items()
        }

    def clear_search(self) -> None:
        """Esc: show every session again (at once, without the typing pause)."""
        if self.search_field.text():
            self.search_field.clear()
            self._search_timer.stop()
            self._apply_search()

    def refresh_session(self, session_id: str) -> None:
        """The player saved, completed or started `session_id`: show its new state."""
        self.model.refresh_session(session_id)

    def reload(self) -> None:
        self.model.reload()

    def selected_session(self) -> SessionRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.session_at(rows[0].row()) if rows else None

    def select_session(self, session_id: str) -> bool:
        self.model.ensure_loaded()
        row = self.model.row_of(session_id)
        if row is None:
            return False
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(self.model.index(row, 0))
        return True

    # -- Actions on the selected session.

    def resume_selected(self) -> None:
        row = self.selected_session()
        if row is not None and not row.is_completed:
            self.resumeRequested.emit(row.id)

    def review_selected(self) -> None:
        row = self.selected_session()
        if row is not None and row.is_completed:
            self.reviewRequested.emit(row.id)

    def save_selected_as_template(self) -> None:
        row = self.selected_session()
        if row is None or not row.is_completed:
            return
        preview = template_preview(row.id).text()  # what it keeps, what it leaves out
        name = dialogs.ask_name(
            self,
            f"{preview}\n\n{dialogs.TEMPLATE_NAME_PROMPT}",
            row.name,
            title="Save as template",
        )
        if name is not None:

            def saved(template: TemplateInfo) -> None:
                self.templateSaved.emit(template.id)

            self._run(
                f"the template “{name}”",
                lambda: save_as_template(row.id, name),
                changes=lambda template: Change(templates=True, select_template=template.id),
                done=saved,
            )

    def export_selected(self) -> None:
        row = self.selected_session()
        if row is None:
            return
        path = dialogs.ask_save_path(
            self, "Export session", suggested_file_name(row.name), dialogs.SESSION_EXPORT_FILTERS
        )
        if path is not None:
            self._run(
                f"the export to {path}",
                lambda: write_export(row.id, path, overwrite=True),  # the dialog asked
            )

    def _selected_id_and_name(self) -> tuple[str, str] | None:
        row = self.selected_session()
        return (row.id, row.name) if row is not None else None

    def export_shown_sessions(self) -> None:
        """The sessions the table shows (its filters, search and order) in one file."""
        if self.export_bar.running or not self.model.rowCount():
            return
        chosen = dialogs.ask_spreadsheet_path(self, "sessions.xlsx")
        if chosen is not None:
            path, fmt = chosen
            self.export_bar.start(SessionsExport(self.model.query, fmt), path)
            self._update_state()

    def rename_selected(self) -> None:
        row = self.selected_session()
        if row is None:
            return
        name = dialogs.ask_name(self, "Rename the session to:", row.name, title="Rename session")
        if name is not None and name != row.name:
            self._run(
                f"the new name of the session “{row.name}”",
                lambda: rename_session(row.id, name),
                changes=lambda _info: Change(sessions=(row.id,)),
            )

    def delete_selected(self) -> None:
        row = self.selected_session()
        if row is None:
            return
        question = f"Delete the session “{row.name}” and all its answers?"
        if not dialogs.confirm_delete(self, question, title="Delete session"):
            return
        shown_at = self.model.row_of(row.id)
        if shown_at is not None:
            self._select_after_delete = (row.id, shown_at)
        self._run(
            f"the deletion of the session “{row.name}”",
            lambda: delete_session(row.id),
            # A completed session takes its count with it.
            changes=lambda _: Change(sessions=(row.id,), deleted_sessions=(row.id,), wizards=True),
            done=lambda _: self.sessionDeleted.emit(row.id),
        )

    # -- Internals.

    def _run(self, what: str, work: Callable[[], Any], **options: Any) -> None:
        """Queue a write; a refusal is told to the person (nothing was stored)."""
        queue_view_write(self.operations, self, what, work, refused_by=ACTION_REFUSALS, **options)

    def _follow(self, change: Change) -> None:
        """A stored change: show the sessions it touched as they are now."""
        if change.all_sessions:
            self.model.refresh_all()
            return
        for session_id in change.sessions:
            self.model.refresh_session(session_id)
        self._select_the_neighbour(change)

    def _select_the_neighbour(self, change: Change) -> None:
        """A session deleted from here: select the row now where it was (or the last)."""
        if self._select_after_delete is None:
            return
        session_id, shown_at = self._select_after_delete
        if session_id not in change.deleted_sessions:
            return
        self._select_after_delete = None
        rows = self.model.rowCount()
        if rows:
            neighbour = self.model.session_at(min(shown_at, rows - 1))
            if neighbour is not None:
                self.select_session(neighbour.id)

    def _action(self, text: str, name: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self, objectName=f"{name}Action")
        action.triggered.connect(slot)
        return action

    def _button(self, action: QAction) -> QPushButton:
        button = QPushButton(action.text(), self)
        button.setObjectName(action.objectName().removesuffix("Action") + "Button")
        button.setAccessibleName(action.text().rstrip("…"))
        button.clicked.connect(action.trigger)
        return button

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.session_at(index.row())
        if row is None:
            return
        if row.is_completed:
            self.reviewRequested.emit(row.id)
        else:
            self.resumeRequested.emit(row.id)

    def context_menu(self) -> QMenu:
        """The selection's actions, as the table's context menu shows them."""
        menu = QMenu(self)
        menu.setObjectName("sessionsContextMenu")
        menu.addActions([self.resume_action, self.review_action])
        menu.addSeparator()
        menu.addActions([self.save_as_template_action, self.export_action, self.rename_action])
        menu.addMenu(self.report_menu)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        return menu

    def column_menu(self) -> QMenu:
        """The header's context menu: a check box per column but the name."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        menu.setObjectName("sessionsColumnMenu")
        for section, column in enumerate(COLUMNS):
            if column is SortColumn.NAME:
                continue
            action = menu.addAction(HEADERS[column])
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(section))
            action.toggled.connect(
                lambda shown, section=section: header.setSectionHidden(section, not shown)
            )
        return menu

    def _show_column_menu(self, point: QPoint) -> None:
        menu = self.column_menu()
        menu.exec(self.table.horizontalHeader().mapToGlobal(point))
        menu.deleteLater()

    def _show_context_menu(self, point: QPoint) -> None:
        if not self.table.indexAt(point).isValid():
            return
        menu = self.context_menu()
        menu.exec(self.table.viewport().mapToGlobal(point))
        menu.deleteLater()

    def _remember_selection(self) -> None:
        row = self.selected_session()
        self._reselect_id = row.id if row is not None else None

    def _restore_selection(self) -> None:
        """A sort or a filter re-queries: keep the session selected when it is still shown."""
        if self._reselect_id is not None:
            self.select_session(self._reselect_id)
        self._reselect_id = None
        self._update_actions()

    def _status_filter_changed(self) -> None:
        self.model.set_status_filter(self.status_filter.currentData())

    def _apply_search(self) -> None:
        self.model.set_search_text(self.search_field.text())

    def _update_actions(self) -> None:
        row = self.selected_session()
        enabled = {
            self.resume_action: row is not None and not row.is_completed,
            self.review_action: row is not None and row.is_completed,
            self.save_as_template_action: row is not None and row.is_completed,
            self.export_action: row is not None,
            self.rename_action: row is not None,
            self.delete_action: row is not None,
        }
        for action, on in enabled.items():
            action.setEnabled(on)
            self.buttons[action].setEnabled(on)
        self.report_button.setEnabled(row is not None)
        self.report_menu.setEnabled(row is not None)

    def _update_state(self) -> None:
        total = self.model.total
        if total is None:
            self.count_label.setText("Counting…" if self.model.counting else "")
        else:
            self.count_label.setText(counted(total, "session"))
        filtered = self.model.query != SessionListQuery(
            sort=self.model.query.sort, descending=self.model.query.descending
        )
        self.empty_label.setText(NO_MATCH_TEXT if filtered else EMPTY_TEXT)
        self.stack.setCurrentWidget(self.table if self.model.rowCount() else self.empty_label)
        exportable = bool(self.model.rowCount()) and not self.export_bar.running
        self.export_sessions_action.setEnabled(exportable)
        self.export_sessions_button.setEnabled(exportable)
