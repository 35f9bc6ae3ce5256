"""Undo the last run, in one place: the Organizer and the Duplicates page offer it on their
banner after a run, History for the entry chosen. All of them start the undo here (one at a
time, through Session.undo, which every view hears) and withdraw a stale offer here."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from app.gui.session import Session
from app.gui.widgets import Banner


def tr(text: str) -> str:
    return QCoreApplication.translate("Undo", text)


def start_undo(session: Session, entry_id: int | None, say: Callable[[str], None], title: str = "") -> bool:
    """Undo History entry ``entry_id`` (None: the newest with something left to undo) and tell
    the user through ``say``: what is happening now, then the result. False when another undo
    is running (and that is said instead)."""
    if session.jobs.is_running("undo"):
        say(tr("An undo is running; wait until it is finished."))
        return False
    if not session.undo(entry_id, say, say):
        say(tr("An undo is running; wait until it is finished."))
        return False
    if title:
        say(tr("Undoing “{t}”…").format(t=title))
    elif entry_id is None:
        say(tr("Undoing the newest entry…"))
    return True


class UndoOffer:
    """The Undo a page offers on its ``banner`` for the run it just made.

    ``offer(entry_id, text)`` shows the result with an Undo action; the action undoes that run.
    When any run is undone anywhere (History, the tray), the offer for it ends with the result,
    and an offer for another run is withdrawn (the list it described is stale). ``changed`` is
    called after either, so the page can enable its own Undo button (``available``)."""

    def __init__(self, session: Session, banner: Banner, changed: Callable[[], None] = lambda: None) -> None:
        self.session = session
        self.banner = banner
        self.changed = changed
        self.entry_id: int | None = None
        session.undone.connect(self._undone_anywhere)

    @property
    def available(self) -> bool:
        return self.entry_id is not None

    def offer(self, entry_id: int | None, text: str) -> None:
        self.entry_id = entry_id
        # the status bar too: it still described the scan ("…; 318 duplicate groups") after the
        # copies were gone, on every page
        self.session.message.emit(text)
        if entry_id is None:
            self.banner.show_message(text)
        else:
            self.banner.show_message(text, tr("Undo"), self.undo)
        self.changed()

    def undo(self) -> None:
        if self.entry_id is not None:
            start_undo(self.session, self.entry_id, self.banner.show_message)

    def _undone_anywhere(self, entry_id: int, text: str) -> None:
        if entry_id == self.entry_id:
            self.entry_id = None
            self.banner.show_message(text)
        elif self.entry_id is not None and not self.banner.isHidden() and not self.banner.action.isHidden():
            self.banner.hide()  # an Undo offer for some other run: it may be stale now
        self.changed()
