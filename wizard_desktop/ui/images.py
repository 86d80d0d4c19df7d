"""Decoding an image from someone else, safely: QImageReader on the bytes in memory,
its size read from the header first (an image claiming more than MAX_IMAGE_PIXELS is
refused before anything is allocated), an allocation limit on the decoder, and a
scaled read to the size wanted. Safe on any thread (QImage, no widgets): the
player's thumbnails decode on a pool thread, the report on the writer thread."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

# An image whose header claims more pixels than this is refused before decoding;
# the decoder may allocate at most ALLOCATION_LIMIT_MB (a 64-megapixel RGBA image).
MAX_IMAGE_PIXELS = 64_000_000
ALLOCATION_LIMIT_MB = 256


class ImageRefusedError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def decode_image(content: bytes, name: str, fit: QSize) -> QImage:
    """`content` decoded and scaled to fit `fit` (never enlarged);
    `ImageRefusedError` (a sentence naming `name`) when it does not decode or is too
    large to decode safely."""
    data = QByteArray(content)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    size = reader.size()
    if not size.isValid():
        raise ImageRefusedError(f"“{name}” is not an image this app can open.")
    if size.width() * size.height() > MAX_IMAGE_PIXELS:
        raise ImageRefusedError(
            f"“{name}” is too large to open ({size.width()} by {size.height()} pixels)."
        )
    if size.width() > fit.width() or size.height() > fit.height():
        reader.setScaledSize(size.scaled(fit, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        raise ImageRefusedError(f"“{name}” cannot be opened: {reader.errorString()}.")
    return image
