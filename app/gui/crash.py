"""Logging to the app's log file and a dialog for errors nobody caught."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

from app import paths

log = logging.getLogger("app.gui")


def setup_logging(level: int = logging.INFO) -> None:
    """Log to the rotating log file (and stderr for warnings)."""
    root = logging.getLogger()
    target = str(paths.log_file())
    for old in [h for h in root.handlers if getattr(h, "_fo", False)]:
        if old.baseFilename == target:
            return
        root.removeHandler(old)  # the app's home moved (tests, portable use)
        old.close()
    handler = logging.handlers.RotatingFileHandler(
        paths.log_file(), maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._fo = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


def tr(text: str) -> str:
    return QCoreApplication.translate("CrashDialog", text)


def show_error_dialog(parent, summary: str, details: str) -> None:
    """An error box naming the log file, with the traceback under "Show Details"."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(tr("FileOrganizer Pro: something went wrong"))
    box.setText(summary)
    box.setInformativeText(
        tr("The details were written to the log file:\n{path}").format(path=paths.log_file())
    )
    box.setDetailedText(details)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setAccessibleName(tr("Error"))
    box.exec()


class CrashHandler(QObject):
    """Installs sys.excepthook / threading.excepthook; shows the dialog on the UI thread."""

    crashed = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.crashed.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self.showing = False
        self.last: tuple[str, str] | None = None
        self.dialogs_enabled = True

    def install(self) -> None:
        sys.excepthook = self._hook
        threading.excepthook = lambda a: self._hook(a.exc_type, a.exc_value, a.exc_traceback)

    def _hook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("uncaught exception\n%s", details)
        self.last = (f"{exc_type.__name__}: {exc}", details)
        self.crashed.emit(*self.last)  # queued: the dialog opens on the UI thread

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        if self.showing or not self.dialogs_enabled:
            return
        self.showing = True
        try:
            show_error_dialog(QApplication.activeWindow(), summary, details)
        finally:
            self.showing = False
