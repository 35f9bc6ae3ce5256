"""One running app per user (and per FILEORGANIZER_HOME): a second start hands its folder
arguments to the first through a QLocalSocket and exits; the first raises its window."""

from __future__ import annotations

import getpass
import hashlib
import json

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app import paths

CONNECT_TIMEOUT_MS = 500


def server_name() -> str:
    """A name unique to this user and data folder, so tests and portable copies do not collide."""
    key = f"{getpass.getuser()}:{paths.data_dir()}".encode()
    return "fileorganizer-pro-" + hashlib.sha1(key).hexdigest()[:16]


def send_to_running(args: list[str], name: str | None = None) -> bool:
    """Pass ``args`` to a running instance; True when one answered."""
    sock = QLocalSocket()
    sock.connectToServer(name or server_name())
    if not sock.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    sock.write(json.dumps({"activate": True, "folders": args}).encode() + b"\n")
    sock.flush()
    sock.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    sock.waitForReadyRead(CONNECT_TIMEOUT_MS)  # the first instance answers "ok" once handled
    sock.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later starts; emits ``activated(folders)`` on the UI thread."""

    activated = Signal(list)

    def __init__(self, parent: QObject | None = None, name: str | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._on_connection)

    def listen(self) -> bool:
        if self.server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)  # a stale socket left by a crashed instance
        return self.server.listen(self.name)

    def _on_connection(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(sock.deleteLater)

    def _read(self, sock: QLocalSocket) -> None:
        if not sock.canReadLine():
            return
        try:
            message = json.loads(bytes(sock.readLine()).decode())
        except ValueError:
            message = {}
        sock.write(b"ok\n")
        sock.flush()
        folders = [str(f) for f in message.get("folders", []) if isinstance(f, str)]
        self.activated.emit(folders)

    def close(self) -> None:
        self.server.close()
