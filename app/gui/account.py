"""Settings > Account: sign up / sign in / sign out of the sync server, "Sync now", and what is
waiting; a small sync indicator for the main window; automatic syncs in the background. Changing
the password, signing out everywhere and deleting the account are in account_actions.

All network work runs through the session's JobManager (QThreadPool); the window never waits.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit

from app.gui.account_actions import ACCOUNT_JOB, AccountActions
from app.gui.widgets import Card, button, label

SIGN_IN, SYNC, STATUS, DISCARD = ACCOUNT_JOB, "sync", "sync-status", "sync-discard-refused"
CHECK_INTERVAL_MS = 20_000  # look for waiting local changes (debounce of automatic syncs)
FULL_INTERVAL_S = 5 * 60  # pull other devices' changes this often


def tr(text: str) -> str:
    return QCoreApplication.translate("Account", text)


def sync_jobs():
    """app.jobs.sync, imported on first use: it brings the HTTP client and the keyring (about
    0.3 s), which the window does not need before its first paint."""
    from app.jobs import sync

    return sync


class SyncController(QObject):
    """Runs syncs: on demand, soon after local changes, and every few minutes while signed in."""

    changed = Signal()  # status may have changed: refresh what shows it

    def __init__(self, session) -> None:
        super().__init__(session)
        self.session = session
        self.db = session.db
        self.last_error = ""
        self._last_run = 0.0
        self.stopped = False
        self.timer = QTimer(self, interval=CHECK_INTERVAL_MS, timeout=self._tick)
        self.timer.start()
        session.history_changed.connect(self._soon)

    def _soon(self) -> None:
        QTimer.singleShot(2000, self, self._tick)

    def status(self) -> dict:
        return sync_jobs().status(self.db)

    def stop(self) -> None:
        """No more automatic syncs (the main window is gone)."""
        self.stopped = True
        self.timer.stop()

    def _tick(self) -> None:
        if self.stopped:
            return
        status = self.status()
        if not status["signed_in"]:
            return
        due = time.time() - self._last_run > FULL_INTERVAL_S
        if status["waiting"] or due:
            self.sync_now(manual=False)

    def sync_now(self, manual: bool = True) -> bool:
        """Start a sync run in the background; False when one is running already."""
        self._last_run = time.time()
        started = self.session.jobs.start(
            SYNC,
            lambda progress: sync_jobs().sync(self.db, progress, manual=manual),
            label=tr("Syncing"),
            quiet=True,
            on_result=self._done,
            on_error=self._failed,
        )
        return started is not None

    def _done(self, result) -> None:
        self.last_error = result.error
        if result.received or result.conflicts:
            n = result.received + result.conflicts
            text = tr("Sync: 1 rule change received") if n == 1 else tr("Sync: {n} rule changes received")
            self.session.message.emit(text.format(n=f"{n:,}"))
        self.changed.emit()

    def _failed(self, message: str, _tb: str) -> None:
        self.last_error = message
        self.changed.emit()


def controller(session) -> SyncController:
    """The session's one SyncController (made on first use)."""
    ctl = getattr(session, "_sync_controller", None)
    if ctl is None:
        ctl = SyncController(session)
        session._sync_controller = ctl
    return ctl


class SyncIndicator(QLabel):
    """A short line for the main window: signed out, syncing, offline with N waiting, up to date."""

    def __init__(self, session) -> None:
        super().__init__()
        self.setObjectName("Muted")
        self.setAccessibleName(tr("Sync status"))
        self.ctl = controller(session)
        self.ctl.changed.connect(self.refresh)
        self.destroyed.connect(self.ctl.stop)
        session.jobs.started.connect(self._job_started)   # bound: disconnected when deleted
        # the first status is read in a worker: reading it imports the sync client and the
        # keyring (0.1-0.3 s), which on the UI thread froze the window just after it appeared
        self.hide()
        db = session.db
        session.jobs.start(STATUS, lambda _progress: sync_jobs().status(db), quiet=True,
                           on_result=self._show, owner=self)

    def _job_started(self, kind: str) -> None:
        if kind == SYNC:
            self.setText(tr("Sync: syncing…"))

    def refresh(self) -> None:
        self._show(self.ctl.status())

    def _show(self, status: dict) -> None:
        self.setVisible(status["linked"] or bool(status["message"]))
        self.setText(tr("Sync: {s}").format(s=status["status"]))
        self.setToolTip(status["last_error"] or status["message"] or "")


class AccountCard(Card):
    """The Account section of Settings."""

    def __init__(self, session) -> None:
        super().__init__()
        self.session = session
        self.ctl = controller(session)
        self.form_error = ""  # why the last sign-in failed (kept across refreshes)
        self.body.addWidget(label(tr("Account and sync"), "SectionTitle"))
        self.body.addWidget(
            label(
                tr(
                    "Sign in to keep your rules the same on every computer and "
                    "to send history and summaries to your server."
                ),
                "Muted",
                wrap=True,
            )
        )
        form = QFormLayout()
        self.server = QLineEdit()
        self.server.setPlaceholderText("https://sync.example.org")
        self.server.setAccessibleName(tr("Server address"))
        self.email = QLineEdit()
        self.email.setAccessibleName(tr("Email"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(tr("Password"))
        self.device = QLineEdit()
        self.device.setAccessibleName(tr("Device name"))
        form.addRow(tr("Server address"), self.server)
        form.addRow(tr("Email"), self.email)
        form.addRow(tr("Password"), self.password)
        form.addRow(tr("Device name"), self.device)
        self.keep = QCheckBox(tr("Keep me signed in on this computer"))
        self.keep.setToolTip(tr("Off: the sign-in is not stored and ends when the app closes"))
        form.addRow("", self.keep)
        self.body.addLayout(form)
        row = QHBoxLayout()
        self.sign_up_btn = button(tr("Sign up"), tip=tr("Create an account on this server"))
        self.sign_in_btn = button(tr("Sign in"), primary=True)
        self.sign_out_btn = button(tr("Sign out"), tip=tr("Sign out and forget the sign-in here"))
        self.sync_btn = button(tr("Sync now"))
        self.discard_btn = button(
            tr("Discard refused changes"),
            tip=tr("Forget the changes the server refused; your rules here stay as they are"),
        )
        for b in (self.sign_up_btn, self.sign_in_btn, self.sign_out_btn, self.sync_btn, self.discard_btn):
            row.addWidget(b)
        row.addStretch(1)
        self.body.addLayout(row)
        self.state = label("", "", wrap=True)
        self.state.setAccessibleName(tr("Account status"))
        self.details = label("", "Muted", wrap=True)
        self.error = label("", "Muted", wrap=True)
        self.error.setAccessibleName(tr("Last sync error"))
        self.refused = label("", "Muted", wrap=True)
        self.refused.setAccessibleName(tr("Changes the server refused"))
        for w in (self.state, self.details, self.error, self.refused):
            self.body.addWidget(w)
        self.manage = AccountActions(session)
        self.manage.changed.connect(self.ctl.changed.emit)
        self.body.addWidget(self.manage)
        self.discard_btn.clicked.connect(self._discard_refused)
        self.sign_up_btn.clicked.connect(lambda: self._sign_in(register=True))
        self.sign_in_btn.clicked.connect(lambda: self._sign_in(register=False))
        self.sign_out_btn.clicked.connect(self._sign_out)
        self.sync_btn.clicked.connect(self.ctl.sync_now)
        self.ctl.changed.connect(self.refresh)
        session.jobs.finished.connect(self._job_finished)  # bound: disconnected when deleted
        self.refresh(fill=True)

    def _job_finished(self, kind: str) -> None:
        if kind in (SIGN_IN, SYNC):
            self.refresh()

    def refresh(self, fill: bool = False) -> None:
        status = self.ctl.status()
        busy = self.session.jobs.is_running(SIGN_IN)
        if fill or not self.server.text():
            self.server.setText(status["server"])
            self.email.setText(status["email"])
        if fill or not self.device.text():
            self.device.setText(status["device_name"] or sync_jobs().default_device_name())
        signed_in = status["signed_in"]
        if fill:
            self.keep.setChecked(status.get("store", True))
        for w in (self.server, self.email, self.password, self.device, self.keep):
            w.setEnabled(not signed_in and not busy)
        self.sign_up_btn.setVisible(not signed_in)
        self.sign_in_btn.setVisible(not signed_in)
        self.sign_up_btn.setEnabled(not busy)
        self.sign_in_btn.setEnabled(not busy)
        self.sign_out_btn.setVisible(signed_in)
        self.sync_btn.setVisible(signed_in)
        self.manage.set_state(signed_in, busy)
        if signed_in:
            self.state.setText(tr("Signed in as {e} on {s}.").format(e=status["email"], s=status["server"])
                               + (" " + tr(status["keyring"]) if status["keyring"] else ""))
        else:
            self.state.setText(status["message"] or tr("Not signed in."))
        when = status["last_sync_at"]
        last = time.strftime("%Y-%m-%d %H:%M", time.localtime(when)) if when else tr("never")
        self.details.setText(
            tr("Status: {st}. Last sync: {t}. Waiting changes: {n}.").format(
                st=status["status"], t=last, n=status["waiting"]
            )
            if status["linked"]
            else ""
        )
        if not signed_in and status["revoke_pending"]:
            self.state.setText(self.state.text() + " " + tr(
                "The server could not be reached to end the last sign-in: it is ended the next "
                "time the server answers."))
        error = self.ctl.last_error or status["last_error"]
        if self.form_error and not signed_in:
            self.error.setText(self.form_error)
        else:
            self.error.setText(tr("Last problem: {e}").format(e=error) if error else "")
        self._show_refused(status["refused"])

    def _show_refused(self, entries: list[dict]) -> None:
        """The changes the server refused, each with its reason: fix them (edit the rule, it is
        sent again) or discard them."""
        from app.jobs.account import describe_refused

        self.discard_btn.setVisible(bool(entries))
        if not entries:
            self.refused.setText("")
            return
        head = (tr("The server refused 1 change; fix it and sync again, or discard it:")
                if len(entries) == 1 else
                tr("The server refused {n} changes; fix them and sync again, or discard them:")
                .format(n=f"{len(entries):,}"))
        self.refused.setText("\n".join([head, *(describe_refused(e) for e in entries)]))

    def _discard_refused(self) -> None:
        """In a worker, like every write of the window."""
        from app.jobs.account import discard_all_refused

        db = self.session.db
        self.session.jobs.start(DISCARD, lambda _progress: discard_all_refused(db), quiet=True,
                                on_result=lambda _n: self.ctl.changed.emit(), on_error=self._failed)

    def _sign_in(self, register: bool) -> None:
        server, email = self.server.text().strip(), self.email.text().strip()
        password, device = self.password.text(), self.device.text().strip() or None
        if not server or not email or not password:
            self.form_error = tr("Enter the server address, your email and your password.")
            self.error.setText(self.form_error)
            return
        self.form_error = ""
        self.error.setText("")
        self.state.setText(tr("Creating the account…") if register else tr("Signing in…"))
        keep = self.keep.isChecked()

        def run(progress):
            from app.jobs.account import set_store

            set_store(self.session.db, keep)        # "Keep me signed in", before signing in
            return sync_jobs().sign_in(
                self.session.db,
                server,
                email,
                password,
                register=register,
                device_name=device,
                progress=progress,
            )

        if self.session.jobs.start(
            SIGN_IN, run, label=tr("Signing in"), quiet=True, on_result=self._signed_in, on_error=self._failed
        ):
            self.refresh()

    def _signed_in(self, _info) -> None:
        self.password.clear()
        self.ctl.last_error = ""
        self.ctl.sync_now()
        self.ctl.changed.emit()

    def _failed(self, message: str, _tb: str) -> None:
        self.form_error = message
        self.refresh()

    def _sign_out(self) -> None:
        self.session.jobs.start(
            SIGN_IN,
            lambda progress: sync_jobs().sign_out(self.session.db, progress),
            label=tr("Signing out"),
            quiet=True,
            on_result=lambda _r: self.ctl.changed.emit(),
            on_error=self._failed,
        )
