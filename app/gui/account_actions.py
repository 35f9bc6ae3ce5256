"""Settings > Account, once signed in: change the password, sign out everywhere, delete the
account (what ``fileorganizer account`` does on the command line).

Each action asks first in a dialog that says what happens, then runs as a job in a worker (the
window never waits on the network). The dialog stays open while the job runs, so a wrong
password can be typed again; the server's refusals are said in words, without its field names.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.gui import fmt
from app.gui.widgets import button, label

ACCOUNT_JOB = "sync-account"  # one account job at a time: the same kind as signing in and out


def tr(text: str) -> str:
    return QCoreApplication.translate("Account", text)


class AccountProblem(Exception):
    """A failed account action, in a sentence for the user."""


def _in_words(exc: Exception) -> str:
    """The server's refusal as a sentence (a field name it puts in front written as words)."""
    from app.jobs.account import ApiError

    if isinstance(exc, ApiError):
        return tr("The password is wrong.") if exc.code == "wrong_password" else exc.sentence
    return str(exc)


def _job(call: Callable[[], object]) -> Callable:
    """A job function that turns the sync client's errors into sentences (in the worker)."""

    def run(_progress):
        from app.jobs.account import SyncError

        try:
            return call()
        except SyncError as exc:
            raise AccountProblem(_in_words(exc)) from None

    return run


class AccountDialog(QDialog):
    """Says what an action does, asks for what it needs, and shows why it failed, if it did."""

    submitted = Signal(dict)  # the typed fields, once they pass the checks here

    def __init__(self, parent: QWidget, title: str, text: str, ok_text: str, *,
                 fields: tuple[tuple[str, str], ...] = (), danger: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        lay = QVBoxLayout(self)
        lay.addWidget(label(text, "", wrap=True))
        self.fields: dict[str, QLineEdit] = {}
        if fields:
            form = QFormLayout()
            for key, caption in fields:
                edit = QLineEdit()
                edit.setEchoMode(QLineEdit.EchoMode.Password)
                edit.setAccessibleName(caption)
                form.addRow(caption, edit)
                self.fields[key] = edit
            lay.addLayout(form)
        self.error = label("", "", wrap=True)
        self.error.setAccessibleName(tr("Problem"))
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = button(ok_text, primary=not danger, danger=danger)
        self.buttons.addButton(self.ok, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.check: Callable[[dict], str] = lambda _values: ""

    def _submit(self) -> None:
        values = {key: edit.text() for key, edit in self.fields.items()}
        problem = self.check(values)
        if problem:
            self.show_error(problem)
            return
        self.error.setText("")
        self.set_busy(True)
        self.submitted.emit(values)

    def set_busy(self, busy: bool) -> None:
        self.ok.setEnabled(not busy)
        for edit in self.fields.values():
            edit.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.error.setText(text)


class AccountActions(QWidget):
    """The three buttons under the account's status, and the line that says how it went."""

    changed = Signal()  # the sign-in may have changed: the page refreshes

    def __init__(self, session) -> None:
        super().__init__()
        self.session = session
        self.dialog: AccountDialog | None = None  # the one open, if any (tests reach it here)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.buttons = QWidget()
        row = QHBoxLayout(self.buttons)
        row.setContentsMargins(0, 0, 0, 0)
        self.password_btn = button(tr("Change password…"), tip=tr("Every other sign-in ends"))
        self.everywhere_btn = button(tr("Sign out everywhere…"),
                                     tip=tr("End the sign-in on every computer, this one too"))
        self.delete_btn = button(tr("Delete account…"), danger=True,
                                 tip=tr("Delete the account and its data on the server"))
        for b in (self.password_btn, self.everywhere_btn, self.delete_btn):
            row.addWidget(b)
        row.addStretch(1)
        lay.addWidget(self.buttons)
        self.notice = label("", "Muted", wrap=True)
        self.notice.setAccessibleName(tr("Account action result"))
        lay.addWidget(self.notice)
        self.password_btn.clicked.connect(self.change_password)
        self.everywhere_btn.clicked.connect(self.sign_out_everywhere)
        self.delete_btn.clicked.connect(self.delete_account)

    def set_state(self, signed_in: bool, busy: bool) -> None:
        self.buttons.setVisible(signed_in)
        for b in (self.password_btn, self.everywhere_btn, self.delete_btn):
            b.setEnabled(not busy)

    # ---- the actions -------------------------------------------------------------------------
    def change_password(self) -> None:
        dialog = self._open(
            tr("Change password"),
            tr("Choose a new password for your account. Every other computer signed in to it is "
               "signed out; this one stays signed in."),
            tr("Change password"),
            fields=(("current", tr("Current password")), ("new", tr("New password")),
                    ("again", tr("New password again"))),
        )

        def check(v: dict) -> str:
            if not all(v.values()):
                return tr("Type the current password and the new one twice.")
            if v["new"] != v["again"]:
                return tr("The two new passwords differ: type the same one twice.")
            if v["new"] == v["current"]:
                return tr("The new password is the same as the current one.")
            return ""

        def done(ended: int) -> str:
            return tr("Password changed; {n} ended.").format(
                n=fmt.plural(ended, tr("other sign-in"), tr("other sign-ins")))

        dialog.check = check
        self._run_on_submit(dialog, tr("Changing the password"), done,
                            lambda db, v: lambda: _sync().change_password(db, v["current"], v["new"]))

    def sign_out_everywhere(self) -> None:
        dialog = self._open(
            tr("Sign out everywhere"),
            tr("Every computer signed in to this account is signed out, this one too; each has "
               "to sign in again to sync. Changes waiting here stay and are sent after you sign "
               "in again."),
            tr("Sign out everywhere"),
        )

        def done(ended: int) -> str:
            return tr("Signed out everywhere: {n} ended, this one too.").format(
                n=fmt.plural(ended, tr("sign-in"), tr("sign-ins")))

        self._run_on_submit(dialog, tr("Signing out everywhere"), done,
                            lambda db, _v: lambda: _sync().sign_out_everywhere(db))

    def delete_account(self) -> None:
        status = _sync().status(self.session.db)
        dialog = self._open(
            tr("Delete the account"),
            tr("Delete the account {email} on {server}?\n\n"
               "On the server: the account, its synced rules, categories, history, scan "
               "summaries and reports, and every sign-in are deleted for good. This cannot be "
               "undone.\n\n"
               "On this computer: your files, rules, history and settings stay as they are; "
               "only the sign-in and the changes waiting to be sent are forgotten.\n\n"
               "Type your password to confirm.").format(email=status["email"], server=status["server"]),
            tr("Delete the account"),
            fields=(("password", tr("Password")),),
            danger=True,
        )
        dialog.check = lambda v: "" if v["password"] else tr("Type your password to confirm.")
        self._run_on_submit(dialog, tr("Deleting the account"),
                            lambda email: tr("The account {e} and its data on the server are "
                                             "deleted.").format(e=email),
                            lambda db, v: lambda: _sync().delete_account(db, v["password"]))

    # ---- plumbing ------------------------------------------------------------------------------
    def _open(self, title: str, text: str, ok_text: str, **kw) -> AccountDialog:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = AccountDialog(self.window(), title, text, ok_text, **kw)
        self.dialog.finished.connect(lambda _r, d=self.dialog: self._closed(d))
        self.dialog.open()  # window-modal, and the event loop keeps running
        return self.dialog

    def _closed(self, dialog: AccountDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _run_on_submit(self, dialog: AccountDialog, what: str, done: Callable[[object], str],
                       make_call: Callable) -> None:
        """On submit: run ``make_call(db, values)()`` as a job; say ``done(result)`` after it."""
        db = self.session.db

        def submitted(values: dict) -> None:
            def finished(result) -> None:
                text = done(result)
                self.notice.setText(text)
                self.session.message.emit(text)
                if self.dialog is dialog:  # not closed meanwhile
                    dialog.accept()
                self.changed.emit()

            def failed(message: str, _tb: str) -> None:
                if self.dialog is dialog:
                    dialog.show_error(message)
                else:
                    self.notice.setText(message)
                self.changed.emit()  # a refused sign-in may have signed this computer out

            self.notice.setText("")
            started = self.session.jobs.start(ACCOUNT_JOB, _job(make_call(db, values)), label=what,
                                              quiet=True, on_result=finished, on_error=failed,
                                              owner=self)
            if started is None:
                dialog.show_error(tr("Another account action is running; try again when it ends."))

        dialog.submitted.connect(submitted)


def _sync():
    from app.gui.account import sync_jobs

    return sync_jobs()
