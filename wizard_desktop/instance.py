"""One app instance per data folder: a lock file in the folder says who owns it, and a
local socket lets a second launch ask the running one to come to the front instead
of opening a second window that writes the same sessions.

The lock is taken at once; the socket (and QtNetwork) can wait until the window has
been painted, because a second launch keeps trying to connect for a moment."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDeadlineTimer, QLockFile, QObject, QThread, Signal

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer

LOCK_FILENAME = "wizard-desktop.lock"
CONNECT_TIMEOUT_MS = 2000
CONNECT_RETRY_MS = 50


def server_name(data_dir: Path) -> str:
    digest = hashlib.sha256(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:24]
    return f"wizard-desktop-{digest}"


class InstanceGuard(QObject):
    """Owns the data folder for this process once `acquire()` returned True; after
    `listen()`, emits `activationRequested` when another launch on the same folder asks
    for the window."""

    activationRequested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = server_name(data_dir)
        self._lock = QLockFile(str(data_dir / LOCK_FILENAME))
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True when this process now owns the folder. Otherwise the running instance
        has been asked to come to the front, and False is returned."""
        if not self._lock.tryLock(100):
            self._ask_running_instance()
            return False
        return True

    def listen(self) -> None:
        """Start answering other launches (call once `acquire()` returned True)."""
        from PySide6.QtNetwork import QLocalServer

        QLocalServer.removeServer(self._name)  # a socket file left by a crashed instance
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        self._server.listen(self._name)

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()

    def _ask_running_instance(self) -> None:
        """Connect to the owner's socket; it may not listen yet if it has just started."""
        from PySide6.QtNetwork import QLocalSocket

        socket = QLocalSocket()
        deadline = QDeadlineTimer(CONNECT_TIMEOUT_MS)
        while not deadline.hasExpired():
            socket.connectToServer(self._name)
            if socket.waitForConnected(deadline.remainingTime()):
                socket.disconnectFromServer()
                return
            QThread.msleep(CONNECT_RETRY_MS)

    def _on_connection(self) -> None:
        """Any connection is a request to come to the front."""
        assert self._server is not None
        while (connection := self._server.nextPendingConnection()) is not None:
            connection.disconnected.connect(connection.deleteLater)
            connection.disconnectFromServer()
            self.activationRequested.emit()
