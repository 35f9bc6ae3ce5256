"""Starting the desktop app: the QApplication, single instance, recovery, theme, main window.

The tray (app/gui/tray.py, owned by the watcher) hooks in here: when that module exists and
defines ``create_tray(controller)``, it is called once the main window exists. The controller
gives it ``window``, ``session`` (db, prefs, jobs), ``show_window()`` and ``quit()``; the tray
may set ``window.hide_on_close = True`` so closing the window keeps the app in the tray.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
import time

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QApplication

from app import __version__, paths
from app.gui.crash import CrashHandler, setup_logging, show_error_dialog
from app.gui.single_instance import InstanceServer, send_to_running
from app.gui.theme import Theme, app_icon

log = logging.getLogger(__name__)
START = time.perf_counter()
STARTUP_SCAN_DELAY_MS = 400


def tr(text: str) -> str:
    return QCoreApplication.translate("Application", text)


class Controller:
    """Owns the long-lived objects of one run of the app."""

    def __init__(self, app: QApplication, folders: list[str], *, single_instance: bool = True) -> None:
        from app.gui.main_window import MainWindow
        from app.gui.session import Session
        from app.jobs.database import open_database

        self.app = app
        # The app quits when the main window closes (closing -> shutdown -> quit), never because
        # the last visible window went away: with the window hidden in the tray, closing the
        # Watched folders dialog used to end the app, the watcher and the tray icon with it.
        app.setQuitOnLastWindowClosed(False)
        setup_logging()
        self.crash = CrashHandler(app)
        self.crash.install()
        self.db = open_database()
        self.recovery = run_recovery(self.db)
        self.session = Session(self.db)
        self.theme = Theme(app, self.session.prefs.get("theme"))  # also app property "fo_theme_obj"
        self.window = MainWindow(self.session)
        self.window.closing.connect(self.shutdown)
        self.server = InstanceServer(app) if single_instance else None
        if self.server is not None:
            self.server.listen()
            self.server.activated.connect(self.on_second_start)
        self.tray = create_tray(self)
        self._closed = False
        if folders:
            QTimer.singleShot(0, self.window, lambda: self.window.add_folders(folders))
        elif self.session.folders():
            # bring the index and the duplicate list up to date (incremental: unchanged files are
            # not hashed again); shortly after start so the window paints first
            QTimer.singleShot(STARTUP_SCAN_DELAY_MS, self.session.start_scan)
        if self.recovery:
            QTimer.singleShot(0, self.window, lambda: self.window.status_area.notify(self.recovery))

    def show_window(self) -> None:
        self.window.bring_forward()

    def on_second_start(self, folders: list[str]) -> None:
        self.show_window()
        if folders:
            self.window.add_folders(folders)

    def shutdown(self) -> None:
        """Cancel running jobs and wait for them, then release the database."""
        if self._closed:
            return
        self._closed = True
        self.session.jobs.shutdown()
        from app.jobs.workers import close_shared

        close_shared()          # the scan's worker processes, kept for the app's lifetime
        self.theme.close()
        if self.server is not None:
            self.server.close()
        if self.tray is not None and hasattr(self.tray, "hide"):
            self.tray.hide()
        self.db.close()
        QApplication.quit()

    def quit(self) -> None:
        self.window.quit_app()
        self.shutdown()


def run_recovery(db) -> str:
    """Finish or roll back an operation interrupted by a crash, before anything else runs."""
    from app.jobs import recovery

    try:
        return recovery.recover(db).summary()
    except Exception:
        log.exception("recovery failed")
        return tr("Could not finish an interrupted operation; see the log file.")


def create_tray(controller: Controller):
    """The tray icon from app/gui/tray.py, when the watcher part is installed."""
    if importlib.util.find_spec("app.gui.tray") is None:
        return None
    try:
        from app.gui import tray

        factory = getattr(tray, "create_tray", None)
        return factory(controller) if factory else None
    except Exception:
        log.exception("could not create the tray icon")
        return None


def make_application(argv: list[str]) -> QApplication:
    # Every call from Qt into Python (a model's data(), a timer slot) needs the GIL. While a
    # worker runs Python code it keeps the GIL for up to the switch interval (5 ms by default)
    # per request, and painting one table makes hundreds of such calls: 1 ms keeps the window
    # responsive during scans at a negligible cost in switching.
    sys.setswitchinterval(0.001)
    QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("FileOrganizer Pro")
    app.setOrganizationName("FileOrganizerPro")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("fileorganizer-pro")
    app.setWindowIcon(app_icon())
    return app


def run(argv: list[str] | None = None) -> int:
    """Start the app (or hand the folder arguments to a running one); returns the exit code."""
    argv = list(sys.argv if argv is None else argv)
    folders = [os.path.abspath(a) for a in argv[1:] if not a.startswith("-")]
    setup_logging()
    app = make_application(argv)
    if send_to_running(folders):
        log.info("another instance is running; handed over %s", folders)
        return 0
    try:
        controller = Controller(app, folders)
    except Exception as exc:
        log.exception("could not start")
        show_error_dialog(
            None,
            tr("FileOrganizer Pro could not start: {err}").format(err=exc),
            f"{type(exc).__name__}: {exc}\nLog: {paths.log_file()}",
        )
        return 1
    # "--minimized" (the autostart entry) or the setting: come up in the tray, if there is one
    wants_tray = "--minimized" in argv or bool(controller.session.prefs.get("start_minimized"))
    minimized = wants_tray and bool(getattr(controller.tray, "available", False))
    if not minimized:
        controller.window.show()
    log.info("window shown %.0f ms after start", (time.perf_counter() - START) * 1000)
    return app.exec()
