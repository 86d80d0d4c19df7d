"""The statistics of one wizard on screen (the figures of `core/stats.py`): sessions
started and completed, completion rate, time spent, and two bar charts painted with
QPainter, the funnel (sessions that reached each step) and the completions per week.

Charts take every colour from the widget's palette (Base, Text, Highlight, Midlight,
Mid), so they read on light and dark themes alike; step titles come from wizard files
and are drawn as plain text (`QPainter.drawText` reads no markup), elided to fit. Each
chart is a Tab stop whose accessible description says its figures in words. The
figures are read on the read lane, off the UI thread (a third of 100,000 sessions
takes some 150 ms)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from wizard_desktop.core.stats import FunnelStep, WeekCount, WizardStats, wizard_stats
from wizard_desktop.core.wizards import UnknownWizardError
from wizard_desktop.operations import read_in_background
from wizard_desktop.store.errors import StorageError
from wizard_desktop.ui.formatting import NOT_SET, format_duration, share
from wizard_desktop.ui.markdown import plain_label

MARGIN = 8
GAP = 8
LABEL_SHARE = 0.4
"""At most this part of the funnel's width goes to step titles (the rest elided)."""
OLDER_SUFFIX = " (older versions)"
CHART_HEIGHT = 160
"""The weekly chart's least height; it takes what room the funnel leaves."""


def _funnel_words(step: FunnelStep, started: int) -> str:
    older = OLDER_SUFFIX if not step.in_latest else ""
    return (
        f"{step.title}{older}: {step.reached:,} of {started:,} sessions"
        f" ({share(step.reached, started)}), {step.waiting:,} stopped here"
    )


class _Chart(QWidget):
    """A chart: a Tab stop on the palette's Base colour, named for assistive tools."""

    def __init__(self, object_name: str, accessible_name: str, parent: QWidget | None) -> None:
        super().__init__(parent, objectName=object_name)
        self.setAccessibleName(accessible_name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)


class FunnelChart(_Chart):
    """One row per step: its title, a bar as long as the share of the started sessions
    that reached it, and the figures ("7 · 100 % · 1 stopped")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("funnelChart", "Funnel: sessions that reached each step", parent)
        self.steps: tuple[FunnelStep, ...] = ()
        self.started = 0

    def set_figures(self, steps: tuple[FunnelStep, ...], started: int) -> None:
        self.steps, self.started = steps, started
        self.setAccessibleDescription("; ".join(_funnel_words(s, started) for s in steps))
        self.updateGeometry()
        self.update()

    def row_height(self) -> int:
        return self.fontMetrics().height() + 10

    def sizeHint(self) -> QSize:
        return QSize(480, 2 * MARGIN + max(1, len(self.steps)) * self.row_height())

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self.sizeHint().height())

    def figures_text(self, step: FunnelStep) -> str:
        return f"{step.reached:,} · {share(step.reached, self.started)} · {step.waiting:,} stopped"

    def title_text(self, step: FunnelStep) -> str:
        return step.title if step.in_latest else f"{step.title}{OLDER_SUFFIX}"

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        metrics = self.fontMetrics()
        area = self.rect().adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        titles = [self.title_text(step) for step in self.steps]
        figures = [self.figures_text(step) for step in self.steps]
        title_width = min(  # +2: elidedText() elides a text exactly as wide as the room
            max((metrics.horizontalAdvance(t) + 2 for t in titles), default=0),
            int(area.width() * LABEL_SHARE),
        )
        figures_width = max((metrics.horizontalAdvance(f) for f in figures), default=0)
        bar_left = area.left() + title_width + GAP
        bar_width = max(1, area.right() - figures_width - GAP - bar_left)
        row = self.row_height()
        text = palette.color(QPalette.ColorRole.Text)
        older_text = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        for index, (step, title, figure) in enumerate(
            zip(self.steps, titles, figures, strict=True)
        ):
            top = area.top() + index * row
            if not event.rect().intersects(QRect(area.left(), top, area.width(), row)):
                continue  # scrolled out of view (a wizard may have hundreds of steps)
            painter.setPen(text if step.in_latest else older_text)
            elided = metrics.elidedText(title, Qt.TextElideMode.ElideRight, title_width)
            left_middle = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            painter.drawText(QRect(area.left(), top, title_width, row), left_middle, elided)
            track = QRect(bar_left, top + 3, bar_width, row - 6)
            painter.fillRect(track, palette.color(QPalette.ColorRole.Midlight))
            fraction = step.reached / self.started if self.started else 0.0
            bar = QColor(palette.color(QPalette.ColorRole.Highlight))
            if not step.in_latest:
                bar.setAlphaF(0.55)
            painter.fillRect(track.adjusted(0, 0, round(bar_width * fraction) - bar_width, 0), bar)
            painter.setPen(text)
            right_middle = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            painter.drawText(QRect(area.left(), top, area.width(), row), right_middle, figure)
        painter.end()


class WeeklyChart(_Chart):
    """One bar per ISO week from the first completion to the last, on a scale from 0
    to the busiest week (more weeks than pixels share them); the week labels that fit
    underneath, each bar's figures in its tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("weeklyChart", "Completions per week", parent)
        self.setMinimumHeight(CHART_HEIGHT)
        self.weeks: tuple[WeekCount, ...] = ()

    def set_figures(self, weeks: tuple[WeekCount, ...]) -> None:
        self.weeks = weeks
        busiest = max(weeks, key=lambda w: w.completed) if weeks else None
        self.setAccessibleDescription(
            f"{len(weeks)} weeks from {weeks[0].label} to {weeks[-1].label},"
            f" {sum(w.completed for w in weeks):,} completed; the most in {busiest.label}"
            f" ({busiest.completed:,})"
            if busiest is not None
            else "No completed sessions yet"
        )
        self.update()

    def _top(self) -> int:
        return max((w.completed for w in self.weeks), default=0)

    def _axis_width(self) -> int:
        return self.fontMetrics().horizontalAdvance(f"{self._top():,}") + GAP

    def plot_area(self) -> QRect:
        """Where the bars stand (the axis labels to its left, week labels below)."""
        line = self.fontMetrics().height()
        area = self.rect().adjusted(MARGIN, MARGIN + line // 2, -MARGIN, -MARGIN - line - GAP)
        return area.adjusted(self._axis_width(), 0, 0, 0)

    def week_at(self, x: int) -> WeekCount | None:
        plot = self.plot_area()
        if not self.weeks or not plot.left() <= x <= plot.right():
            return None
        index = (x - plot.left()) * len(self.weeks) // max(1, plot.width())
        return self.weeks[min(index, len(self.weeks) - 1)]

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            week = self.week_at(event.pos().x())
            if week is None:
                QToolTip.hideText()
            else:
                text = f"{week.label} (from {week.start.isoformat()}): {week.completed:,} completed"
                QToolTip.showText(event.globalPos(), text, self)
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        metrics = self.fontMetrics()
        text = palette.color(QPalette.ColorRole.Text)
        painter.setPen(text)
        if not self.weeks:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No completed sessions yet")
            painter.end()
            return
        plot = self.plot_area()
        top = self._top()
        right_middle = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        line = metrics.height()
        for value in sorted({0, top // 2, top}) if top else [0]:
            y = plot.bottom() - round(plot.height() * value / top) if top else plot.bottom()
            painter.setPen(palette.color(QPalette.ColorRole.Mid))
            painter.drawLine(plot.left(), y, plot.right(), y)
            painter.setPen(text)
            label = QRect(MARGIN, y - line // 2, plot.left() - MARGIN - GAP // 2, line)
            painter.drawText(label, right_middle, f"{value:,}")
        slot = plot.width() / len(self.weeks)
        bar_width = max(1, math.floor(slot * 0.75))
        highlight = palette.color(QPalette.ColorRole.Highlight)
        for index, week in enumerate(self.weeks):
            if week.completed and top:
                height = max(1, round(plot.height() * week.completed / top))
                left = plot.left() + math.floor(index * slot + (slot - bar_width) / 2)
                painter.fillRect(
                    QRect(left, plot.bottom() - height + 1, bar_width, height), highlight
                )
        self._paint_week_labels(painter, plot, slot)
        painter.end()

    def _paint_week_labels(self, painter: QPainter, plot: QRect, slot: float) -> None:
        """Every n-th week's label, n as small as lets them stand apart."""
        metrics = self.fontMetrics()
        width = metrics.horizontalAdvance("0000-W00") + 2 * GAP
        every = max(1, math.ceil(width / slot))
        y = plot.bottom() + GAP // 2
        for index in range(0, len(self.weeks), every):
            centre = plot.left() + round((index + 0.5) * slot)
            box = QRect(centre - width // 2, y, width, metrics.height())
            box.moveLeft(max(0, min(box.left(), self.width() - width)))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.weeks[index].label)


def _emphasised(label: QLabel, point_size_factor: float = 1.0) -> QLabel:
    """Bold (and larger) by its font, not a style sheet: a widget with a style sheet
    stops following palette changes, such as a switch to a dark theme."""
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * point_size_factor)
    label.setFont(font)
    return label


class _FunnelArea(QScrollArea):
    """The funnel, scrolling when its steps need more room than the dialog gives, and
    never taller than they need (the weekly chart takes the rest)."""

    def __init__(self, chart: FunnelChart) -> None:
        super().__init__()
        self.setWidget(chart)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the chart inside is the Tab stop
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def fit(self) -> None:
        widget = self.widget()
        if widget is not None:
            self.setMaximumHeight(widget.sizeHint().height() + 2 * self.frameWidth())


# (objectName, what the figure is) for the figures' grid, in reading order.
FIGURES: Sequence[tuple[str, str]] = (
    ("statStarted", "Sessions started"),
    ("statCompleted", "Completed"),
    ("statRate", "Completion rate"),
    ("statInProgress", "In progress"),
    ("statMedian", "Time spent, median"),
    ("statP90", "Time spent, 90th percentile"),
)
FIGURE_COLUMNS = 3


def figure_texts(stats: WizardStats) -> dict[str, str]:
    """objectName -> the text each figure shows."""
    return {
        "statStarted": f"{stats.started:,}",
        "statCompleted": f"{stats.completed:,}",
        "statRate": share(stats.completed, stats.started),
        "statInProgress": f"{stats.in_progress:,}",
        "statMedian": format_duration(stats.median_seconds),
        "statP90": format_duration(stats.p90_seconds),
    }


class StatisticsView(QWidget):
    """A wizard's figures, funnel and weekly completions, read in the background
    (`stats` is None until they arrive; `status` says what is happening)."""

    def __init__(self, wizard_id: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="statisticsView")
        self.wizard_id = wizard_id
        self.stats: WizardStats | None = None
        self.title_label = _emphasised(plain_label(title, object_name="statisticsTitle"), 1.4)
        self.status = plain_label("Reading the statistics…", object_name="statisticsStatus")

        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        self.values: dict[str, QLabel] = {}
        for index, (name, what) in enumerate(FIGURES):
            value = QLabel(NOT_SET, objectName=name)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setAccessibleName(what)
            _emphasised(value, 1.3)
            caption = QLabel(what)
            caption.setBuddy(value)
            row, column = divmod(index, FIGURE_COLUMNS)
            grid.addWidget(caption, 2 * row, column)
            grid.addWidget(value, 2 * row + 1, column)
            self.values[name] = value

        self.funnel = FunnelChart()
        self.funnel_area = _FunnelArea(self.funnel)
        self.weekly = WeeklyChart()
        self.weekly.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        note = plain_label(
            "Time spent: the player open on a completed session; percentiles by nearest"
            " rank. A session reached a step when it completed it or stands on it; steps"
            " skipped by its answers are not reached. Weeks: ISO, Monday first, local time."
        )
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.status)
        layout.addLayout(grid)
        layout.addWidget(_emphasised(QLabel("Where people stop: sessions that reached each step")))
        layout.addWidget(self.funnel_area, 1)
        layout.addWidget(_emphasised(QLabel("Completions per week")))
        layout.addWidget(self.weekly, 1)
        layout.addWidget(note)
        self.setTabOrder(self.funnel, self.weekly)
        self.reload()

    def reload(self) -> None:
        """Read the figures again on the read lane."""
        wizard_id = self.wizard_id
        read_in_background(lambda: _read(wizard_id), self._show, self)

    def _show(self, result: WizardStats | StorageError | str) -> None:
        if not isinstance(result, WizardStats):
            self.status.setText(f"The statistics could not be read: {result}")
            self.status.show()
            return
        self.stats = result
        self.status.hide()
        for name, text in figure_texts(result).items():
            self.values[name].setText(text)
        self.funnel.set_figures(result.funnel, result.started)
        self.funnel_area.fit()
        self.weekly.set_figures(result.weeks)


def _read(wizard_id: str) -> WizardStats | str:
    """On a pool thread: the figures, or why there are none (the wizard was removed)."""
    try:
        return wizard_stats(wizard_id)
    except UnknownWizardError as error:
        return str(error)
