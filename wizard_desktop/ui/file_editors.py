"""The editors of attachments: `file` and `image` (Choose file…, drag and drop onto the
field, the file's name and size, Remove; an image's thumbnail) and `signature` (a pad
drawn with a mouse, a pen or a finger; Clear and Undo; stored as PNG).

Nothing heavy runs on the UI thread: a chosen or dropped file is read, checked and
hashed by `core.attachments.read_file` on a worker thread, and an image is decoded
there too, by `decode_thumbnail` (QImageReader with an allocation limit and a scaled
read, its size checked from the header first, so a decompression bomb is refused
without allocating it). A stored content (a resumed session) is read on a pool
thread with its own connection. Results come back to the UI thread as queued signals;
a read that an later choice replaced is ignored.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QObject,
    QPointF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from wizard_desktop.core.attachments import (
    AttachmentRefusedError,
    StagedFile,
    attachment_content,
    read_file,
    stage_signature,
)
from wizard_desktop.definition.attachments import accept_text, attachment_sha256, size_text
from wizard_desktop.definition.model import AnswerValue, Field, FieldType
from wizard_desktop.store.attachment_files import AttachmentFileError
from wizard_desktop.store.database import connect_this_thread
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.editors import FieldInput, editor_for
from wizard_desktop.ui.images import ImageRefusedError, decode_image
from wizard_desktop.ui.markdown import plain_label

log = logging.getLogger(__name__)
THUMBNAIL = QSize(160, 120)
PAD_SIZE = QSize(480, 160)
PNG_SCALE = 2  # the stored PNG has twice the pad's pixels, for print
PEN_WIDTH = 2.5
BUSY_TIMEOUT_MS = 5_000


def decode_thumbnail(content: bytes, name: str) -> QImage:
    """A thumbnail of an image's `content`, at most THUMBNAIL (see `ui.images`)."""
    return decode_image(content, name, THUMBNAIL)


class _Delivery(QObject):
    """Carries a worker's result to the UI thread (the signal is queued)."""

    done = Signal(int, object)


# Reads and decodes run here: plain Python threads (a Python QRunnable may be collected
# while the pool still holds it), two at most, never the UI thread.
_WORKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="attachment")


def _run(work: Callable[[], object], ticket: int, delivery: _Delivery) -> None:
    try:
        result = work()
    except (AttachmentRefusedError, ImageRefusedError) as exc:
        result = exc
    except AttachmentFileError as exc:  # the stored file is missing or damaged: say so
        log.error("%s", exc)
        result = AttachmentRefusedError(str(exc))
    except Exception:  # a bug or the store gone: logged; the editor shows no preview
        log.exception("Reading an attachment failed")
        result = None
    delivery.done.emit(ticket, result)


def _stored_content(value: AnswerValue) -> bytes | None:
    """On a worker thread: the content a stored answer names (its own connection)."""
    database = connect_this_thread(BUSY_TIMEOUT_MS)
    try:
        return attachment_content(value)
    finally:
        database.close()


def _stored_thumbnail(value: dict[str, str | int]) -> QImage | None:
    content = _stored_content(value)
    return None if content is None else decode_thumbnail(content, str(value["name"]))


class _Background:
    """Runs work on the pool; only the latest request's result is delivered."""

    def __init__(self, receive: Callable[[object], None]) -> None:
        self.tickets = itertools.count(1)
        self.latest = 0
        self.receive = receive
        self.delivery = _Delivery()
        self.delivery.done.connect(self._done)

    def start(self, work: Callable[[], object]) -> None:
        self.latest = next(self.tickets)
        _WORKERS.submit(_run, work, self.latest, self.delivery)

    def cancel(self) -> None:
        self.latest = next(self.tickets)

    def _done(self, ticket: int, result: object) -> None:
        if ticket == self.latest:
            self.receive(result)


def _dialog_filters(field: Field) -> str:
    patterns = [a for a in field.accept if a.startswith(".")]
    if field.type is FieldType.IMAGE and not field.accept:
        patterns = [".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"]
    if not patterns:
        return "All files (*)"
    shown = " ".join(f"*{p}" for p in patterns)
    return f"Accepted files ({shown});;All files (*)"


class _DropFrame(QFrame):
    """The field's frame: a local file dropped on it is handed to `dropped`."""

    def __init__(self, dropped: Callable[[Path], None]) -> None:
        super().__init__()
        self.dropped = dropped
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)

    @staticmethod
    def _local_file(event: QDragEnterEvent | QDropEvent) -> Path | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if len(urls) == 1 and urls[0].isLocalFile():
            return Path(urls[0].toLocalFile())
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._local_file(event) is not None and self.isEnabled():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._local_file(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.dropped(path)


@editor_for(FieldType.FILE)
@editor_for(FieldType.IMAGE)
class AttachmentInput(FieldInput):
    """A file or an image: what is attached (name, size, thumbnail), Choose file…,
    Remove, and a drop target; a refused file leaves the answer as it was."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.current: dict[str, str | int] | None = None
        self.callbacks: list[Callable[[], None]] = []
        self.frame = _DropFrame(self.read)
        self._name(self.frame)
        self.thumbnail = QLabel()
        self.thumbnail.setObjectName(f"thumbnail_{field.id}")
        self.thumbnail.setFixedSize(THUMBNAIL)
        self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.shown = plain_label(object_name=f"file_{field.id}")
        self.status = plain_label(object_name=f"status_{field.id}")
        self.status.setWordWrap(True)
        self.choose = QPushButton(
            "Choose file…" if field.type is FieldType.FILE else "Choose image…"
        )
        self.choose.setObjectName(f"choose_{field.id}")
        self.remove = QPushButton("Remove")
        self.remove.setObjectName(f"remove_{field.id}")
        self.choose.clicked.connect(self.pick)
        self.remove.clicked.connect(lambda: self._set(None))
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        column = QVBoxLayout()
        column.addWidget(self.shown)
        column.addLayout(buttons)
        column.addWidget(self.status)
        column.addStretch(1)
        row = QHBoxLayout(self.frame)
        row.addWidget(self.thumbnail)
        # only once in its layout: shown before, it is a window of its own, which takes
        # the activation from the main window (and the player's shortcuts with it)
        self.thumbnail.setVisible(field.type is FieldType.IMAGE)
        row.addLayout(column, 1)
        self.background = _Background(self._received)
        self._show()

    def focus_widget(self) -> QWidget:
        return self.choose

    def pick(self) -> None:
        path = dialogs.ask_attachment_path(
            self.frame, f"Choose {self.field.label}", _dialog_filters(self.field)
        )
        if path is not None:
            self.read(path)

    def read(self, path: Path) -> None:
        """Read, check and stage `path` off the UI thread (a refusal shows under it)."""
        self.status.setText(f"Reading “{path.name}”…")
        field = self.field

        def work() -> object:
            staged = read_file(path, field)
            thumbnail = None
            if field.type is FieldType.IMAGE:
                thumbnail = decode_thumbnail(staged.content, staged.name)
            return staged, thumbnail

        self.background.start(work)

    def _received(self, result: object) -> None:
        if isinstance(result, AttachmentRefusedError | ImageRefusedError):
            self.status.setText(result.message)
            return
        if isinstance(result, tuple):  # a file read: it becomes the answer
            staged, thumbnail = result
            assert isinstance(staged, StagedFile)
            self.status.setText("")
            self._set(staged.value(), thumbnail)
        elif isinstance(result, QImage):  # the thumbnail of the stored answer
            self._show(result)
        else:  # nothing to show (the worker logged why)
            self.thumbnail.setText("No preview")
            if self.status.text().startswith("Reading"):
                self.status.setText("This file could not be read.")

    def _set(self, value: dict[str, str | int] | None, thumbnail: QImage | None = None) -> None:
        self.current = value
        self._show(thumbnail)
        for callback in self.callbacks:
            callback()

    def _show(self, thumbnail: QImage | None = None) -> None:
        value = self.current
        if value is None:
            self.shown.setText(f"No file — drop one here or choose it ({accept_text(self.field)}).")
            self.thumbnail.clear()
            self.thumbnail.setText("No image")
        else:
            self.shown.setText(f"{value['name']} ({size_text(int(value['size']))})")
            if thumbnail is not None:
                self.thumbnail.setPixmap(QPixmap.fromImage(thumbnail))
        self.remove.setEnabled(value is not None)

    def value(self) -> AnswerValue | None:
        return dict(self.current) if self.current is not None else None

    def set_value(self, value: AnswerValue | None) -> None:
        self.background.cancel()
        self.current = dict(value) if isinstance(value, dict) else None
        self.status.setText("")
        self._show()
        if self.current is not None and self.field.type is FieldType.IMAGE:
            stored = self.current
            self.thumbnail.setText("…")
            self.background.start(lambda: _stored_thumbnail(stored))

    def on_change(self, callback: Callable[[], None]) -> None:
        self.callbacks.append(callback)

    def entry_problem(self) -> str | None:
        return None


class SignaturePad(QWidget):
    """Strokes drawn with a mouse, a pen (tablet events) or one finger (touch); each
    stroke is a list of points in the pad's coordinates. `stroke_done` after each."""

    stroke_done = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setFixedSize(PAD_SIZE)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.strokes: list[list[QPointF]] = []
        self.background: QImage | None = None  # a stored signature being shown
        self.drawing = False

    # Input: each kind begins, extends and ends a stroke.
    def _begin(self, point: QPointF) -> None:
        self.drawing = True
        self.strokes.append([point])
        self.update()

    def _extend(self, point: QPointF) -> None:
        if self.drawing:
            self.strokes[-1].append(point)
            self.update()

    def _end(self) -> None:
        if self.drawing:
            self.drawing = False
            self.stroke_done.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._extend(event.position())
            self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QTabletEvent.Type.TabletMove:
            self._extend(event.position())
        elif kind == QTabletEvent.Type.TabletRelease:
            self._end()
        event.accept()

    def event(self, event: object) -> bool:
        if isinstance(event, QTouchEvent):
            points = event.points()
            if points:
                position = points[0].position()
                kind = event.type()
                if kind == QTouchEvent.Type.TouchBegin:
                    self._begin(position)
                elif kind == QTouchEvent.Type.TouchUpdate:
                    self._extend(position)
                else:
                    self._end()
            event.accept()
            return True
        return super().event(event)  # type: ignore[arg-type]

    def is_empty(self) -> bool:
        return not self.strokes and self.background is None

    def draw(self, painter: QPainter, scale: float) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(
            0, 0, int(PAD_SIZE.width() * scale), int(PAD_SIZE.height() * scale), QColor("white")
        )
        if self.background is not None:
            painter.drawImage(0, 0, self.background.scaled(PAD_SIZE * scale))
        painter.scale(scale, scale)
        painter.setPen(
            QPen(
                QColor("black"),
                PEN_WIDTH,
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.RoundCap,
                Qt.PenJoinStyle.RoundJoin,
            )
        )
        for stroke in self.strokes:
            if len(stroke) == 1:
                painter.drawPoint(stroke[0])
                continue
            path = QPainterPath(stroke[0])
            for point in stroke[1:]:
                path.lineTo(point)
            painter.drawPath(path)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.draw(painter, 1.0)
        painter.setPen(QPen(QColor("#9e9e9e"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(24, PAD_SIZE.height() - 36, PAD_SIZE.width() - 24, PAD_SIZE.height() - 36)
        painter.end()

    def png(self) -> bytes:
        """What is on the pad as PNG bytes (white background, PNG_SCALE times the pad)."""
        image = QImage(PAD_SIZE * PNG_SCALE, QImage.Format.Format_RGB32)
        painter = QPainter(image)
        self.draw(painter, PNG_SCALE)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        return bytes(data.data())


@editor_for(FieldType.SIGNATURE)
class SignatureInput(FieldInput):
    """A signature pad with Clear and Undo; the answer is the PNG of what is drawn."""

    def __init__(self, field: Field) -> None:
        super().__init__(field)
        self.box = QWidget()
        self._name(self.box)
        self.pad = SignaturePad()
        self.pad.setObjectName(f"pad_{field.id}")
        self.pad.setAccessibleName(f"{field.label}: draw your signature")
        self.undo = QPushButton("Undo")
        self.undo.setObjectName(f"undo_{field.id}")
        self.clear = QPushButton("Clear")
        self.clear.setObjectName(f"clear_{field.id}")
        self.status = plain_label(object_name=f"status_{field.id}")
        self.current: dict[str, str | int] | None = None
        self.callbacks: list[Callable[[], None]] = []
        self.pad.stroke_done.connect(self._drawn)
        self.undo.clicked.connect(self.undo_stroke)
        self.clear.clicked.connect(self.clear_pad)
        buttons = QHBoxLayout()
        buttons.addWidget(self.undo)
        buttons.addWidget(self.clear)
        buttons.addStretch(1)
        column = QVBoxLayout(self.box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.pad)
        column.addLayout(buttons)
        column.addWidget(self.status)
        self.background = _Background(self._received)
        self._buttons()

    def focus_widget(self) -> QWidget:
        return self.pad

    def _buttons(self) -> None:
        self.undo.setEnabled(bool(self.pad.strokes))
        self.clear.setEnabled(self.current is not None or bool(self.pad.strokes))

    def _changed(self) -> None:
        if self.pad.is_empty():
            self.current = None
        else:
            try:
                self.current = stage_signature(self.pad.png(), self.field).value()
            except AttachmentRefusedError as exc:
                self.status.setText(exc.message)
                return
        self.status.setText("")
        self._buttons()
        for callback in self.callbacks:
            callback()

    def _drawn(self) -> None:
        self._changed()

    def undo_stroke(self) -> None:
        if self.pad.strokes:
            self.pad.strokes.pop()
            self.pad.update()
            self._changed()

    def clear_pad(self) -> None:
        self.pad.strokes.clear()
        self.pad.background = None
        self.pad.update()
        self._changed()

    def _received(self, result: object) -> None:
        if isinstance(result, bytes):
            image = QImage.fromData(result, "PNG")
            if not image.isNull():
                self.pad.background = image
                self.pad.update()
                self._buttons()

    def value(self) -> AnswerValue | None:
        return dict(self.current) if self.current is not None else None

    def set_value(self, value: AnswerValue | None) -> None:
        self.background.cancel()
        self.pad.strokes.clear()
        self.pad.background = None
        self.current = dict(value) if isinstance(value, dict) else None
        if self.current is not None and attachment_sha256(self.current) is not None:
            stored = self.current
            self.background.start(lambda: _stored_content(stored))
        self.pad.update()
        self._buttons()

    def on_change(self, callback: Callable[[], None]) -> None:
        self.callbacks.append(callback)
