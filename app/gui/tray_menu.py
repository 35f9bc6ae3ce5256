"""What the tray shows: its icon, its tooltip and its menu, built from the watcher's state.

The menu is rebuilt each time it opens: Open FileOrganizer Pro, Pause/Resume watching, Scan now,
recent activity (clicking an entry reveals the file), Undo last, Watched folders…, Quit. What
the items do is the Tray's business (app/gui/tray.py); this module only lays them out.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from app.gui.tray import Tray

log = logging.getLogger(__name__)
RECENT = 6


def tr(text: str) -> str:
    return QCoreApplication.translate("Tray", text)


def folders_text(n: int) -> str:
    return tr("1 folder") if n == 1 else tr("{n} folders").format(n=f"{n:,}")


def files_text(n: int) -> str:
    return tr("1 file") if n == 1 else tr("{n} files").format(n=f"{n:,}")


def _fallback_icon() -> QIcon:
    pix = QPixmap(64, 64)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#2f6fdf"))
    p.drawRoundedRect(4, 14, 56, 42, 8, 8)
    p.drawRoundedRect(4, 8, 26, 14, 5, 5)
    p.setBrush(QColor("#ffffff"))
    for i, w in enumerate((34, 26, 18)):
        p.drawRoundedRect(14, 26 + i * 9, w, 5, 2, 2)
    p.end()
    return QIcon(pix)


def app_tray_icon() -> QIcon:
    """The app's icon (from the theme when the GUI provides one)."""
    try:
        from app.gui.theme import app_icon

        icon = app_icon()
        if not icon.isNull():
            return icon
    except Exception:
        log.debug("theme icon not available", exc_info=True)
    return _fallback_icon()


def tooltip(paused: bool, folders: int) -> str:
    if paused:
        return tr("FileOrganizer Pro: watching paused")
    return tr("FileOrganizer Pro: watching {folders}").format(folders=folders_text(folders))


def activity_text(item) -> tuple[str, str]:
    """('Moved a.txt → txt', the path to reveal) for one recent watcher action."""
    shown = item.dst if item.state == "done" and item.dst else item.src
    verb = {
        "move": tr("Moved"),
        "copy": tr("Copied"),
        "rename": tr("Renamed"),
        "trash": tr("Trashed"),
    }.get(item.kind, item.kind.capitalize())
    if item.state == "undone":
        verb = tr("Undone")
    target = os.path.basename(os.path.dirname(shown)) if item.dst else ""
    return f"{verb} {os.path.basename(item.src)}" + (f" → {target}" if target else ""), shown


def fill_menu(menu: QMenu, tray: Tray) -> None:
    """(Re)build ``menu`` from the tray's current state."""
    service = tray.service
    watching = bool(service.folders())
    menu.clear()
    menu.addAction(tr("Open FileOrganizer Pro"), tray.open_window)
    menu.addSeparator()
    pause_text = tr("Resume watching") if service.paused else tr("Pause watching")
    pause = menu.addAction(pause_text, tray.toggle_pause)
    pause.setEnabled(watching)
    scan = menu.addAction(tr("Scan now"), service.scan_now)
    scan.setEnabled(watching and not service.paused)
    menu.addSeparator()
    recent = service.recent(RECENT)
    header = menu.addAction(tr("Recent activity") if recent else tr("No recent activity"))
    header.setEnabled(False)
    for item in recent:
        text, shown = activity_text(item)
        action = menu.addAction(text, lambda p=shown: tray.reveal(p))
        action.setToolTip(shown)
        action.setEnabled(os.path.lexists(shown) and item.kind != "trash")
    menu.addSeparator()
    undo = menu.addAction(tr("Undo last"), tray.undo_last)
    undo.setEnabled(not tray.undoing and any(a.state == "done" for a in recent))
    menu.addAction(tr("Watched folders…"), tray.edit_folders)
    menu.addSeparator()
    menu.addAction(tr("Quit"), tray.quit)
