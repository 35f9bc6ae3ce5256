"""Settings > Account, signed in: change the password, sign out everywhere and delete the account,
driven like a user (typing into the page and the dialogs, clicking their buttons) against the
real server on loopback."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from sync_fixtures import start_server

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.usefixtures("no_sync_after_the_test")

NEW_PASSWORD = "violet tugboat marmalade sonnet"
LEFT = Qt.MouseButton.LeftButton




def sign_up(qtbot, window, wait_idle, server) -> tuple:
    """The account page after signing up a new account from it; returns (page, email)."""
    from app.sync.engine import status_dict

    window.show_view("settings")
    page = window.views["settings"].account
    email = f"gui-{uuid.uuid4().hex[:10]}@example.org"
    for field, text in ((page.server, server.base), (page.email, email), (page.password, PASSWORD)):
        field.clear()
        qtbot.keyClicks(field, text)
    qtbot.mouseClick(page.sign_up_btn, LEFT)
    qtbot.waitUntil(lambda: status_dict(window.session.db)["signed_in"], timeout=60_000)
    wait_idle()
    qtbot.waitUntil(lambda: page.manage.password_btn.isVisible(), timeout=10_000)
    return page, email


def submit(qtbot, dialog, wait_idle, **typed) -> None:
    """Type into the dialog's fields (replacing what is there) and press its OK button."""
    for key, text in typed.items():
        dialog.fields[key].clear()
        qtbot.keyClicks(dialog.fields[key], text)
    qtbot.mouseClick(dialog.ok, LEFT)
    wait_idle()


def sign_in_on_page(qtbot, page, wait_idle, password: str) -> None:
    page.password.clear()
    qtbot.keyClicks(page.password, password)
    qtbot.mouseClick(page.sign_in_btn, LEFT)
    wait_idle()


def test_change_password_checks_the_fields_says_a_wrong_password_and_signs_in_with_the_new_one(
        qtbot, window, controller, wait_idle, account_server, memory_keyring):
    from app.sync.engine import status_dict

    page, email = sign_up(qtbot, window, wait_idle, account_server)
    qtbot.mouseClick(page.manage.password_btn, LEFT)
    dialog = page.manage.dialog
    assert dialog.isVisible() and "Every other computer" in dialog.findChildren(type(page.state))[0].text()

    submit(qtbot, dialog, wait_idle, current=PASSWORD, new=NEW_PASSWORD, again=NEW_PASSWORD + "x")
    assert "differ" in dialog.error.text() and dialog.isVisible()
    submit(qtbot, dialog, wait_idle, current="not my password", new=NEW_PASSWORD, again=NEW_PASSWORD)
    assert dialog.error.text() == "The password is wrong."
    assert dialog.isVisible() and dialog.ok.isEnabled()          # type it again in the same dialog
    submit(qtbot, dialog, wait_idle, current=PASSWORD, new=NEW_PASSWORD, again=NEW_PASSWORD)
    qtbot.waitUntil(lambda: page.manage.dialog is None, timeout=10_000)
    assert page.manage.notice.text() == "Password changed; 0 other sign-ins ended."
    assert status_dict(controller.db)["signed_in"]                 # this computer stays signed in

    qtbot.mouseClick(page.sign_out_btn, LEFT)
    wait_idle()
    qtbot.waitUntil(lambda: page.sign_in_btn.isVisible(), timeout=10_000)
    sign_in_on_page(qtbot, page, wait_idle, PASSWORD)
    assert "wrong" in page.error.text() and not status_dict(controller.db)["signed_in"]
    sign_in_on_page(qtbot, page, wait_idle, NEW_PASSWORD)
    qtbot.waitUntil(lambda: status_dict(controller.db)["signed_in"], timeout=10_000)
    assert "Signed in as " + email in page.state.text()


def test_sign_out_everywhere_ends_the_other_computers_sign_in_too(
        qtbot, window, controller, wait_idle, account_server, memory_keyring, tmp_path):
    from app.jobs import sync as sync_jobs
    from app.store.db import open_database
    from app.sync.engine import status_dict

    page, email = sign_up(qtbot, window, wait_idle, account_server)
    other = open_database(tmp_path / "other-computer.db")        # a second computer's app
    try:
        sync_jobs.sign_in(other, account_server.base, email, PASSWORD, device_name="Laptop")
        qtbot.mouseClick(page.manage.everywhere_btn, LEFT)
        dialog = page.manage.dialog
        assert "this one too" in dialog.findChildren(type(page.state))[0].text()
        submit(qtbot, dialog, wait_idle)
        qtbot.waitUntil(lambda: page.manage.dialog is None, timeout=10_000)
        assert page.manage.notice.text() == "Signed out everywhere: 2 sign-ins ended, this one too."
        assert not status_dict(controller.db)["signed_in"]
        qtbot.waitUntil(lambda: page.sign_in_btn.isVisible(), timeout=10_000)
        assert not page.manage.password_btn.isVisible()
        result = sync_jobs.sync(other)                         # the laptop learns it at its next sync
        assert not status_dict(other)["signed_in"], result
    finally:
        other.close()


def test_delete_account_says_what_goes_and_what_stays_and_needs_the_password(
        qtbot, window, controller, wait_idle, account_server, memory_keyring):
    from app.core.organize.rules import rule_from_dict
    from app.jobs import organize as organize_jobs
    from app.jobs import rule_list
    from app.sync.engine import status_dict

    page, email = sign_up(qtbot, window, wait_idle, account_server)
    organize_jobs.save_rule(controller.db, rule_from_dict({"name": "Mine", "actions": [{"type": "trash"}]}))
    qtbot.mouseClick(page.manage.delete_btn, LEFT)
    dialog = page.manage.dialog
    text = dialog.findChildren(type(page.state))[0].text()
    assert email in text and account_server.base in text
    assert "deleted for good" in text and "your files, rules, history and settings stay" in text

    submit(qtbot, dialog, wait_idle)
    assert dialog.error.text() == "Type your password to confirm."
    submit(qtbot, dialog, wait_idle, password="not my password")
    assert dialog.error.text() == "The password is wrong." and status_dict(controller.db)["signed_in"]
    submit(qtbot, dialog, wait_idle, password=PASSWORD)
    qtbot.waitUntil(lambda: page.manage.dialog is None, timeout=10_000)
    assert page.manage.notice.text() == f"The account {email} and its data on the server are deleted."
    assert not status_dict(controller.db)["signed_in"]
    assert [r.name for r in rule_list.list_rules(controller.db)] == ["Mine"]   # kept here

    qtbot.waitUntil(lambda: page.sign_in_btn.isVisible(), timeout=10_000)
    page.server.setText(account_server.base)
    page.email.setText(email)
    sign_in_on_page(qtbot, page, wait_idle, PASSWORD)                         # the account is gone
    assert page.error.text() and not status_dict(controller.db)["signed_in"]


def test_an_unreachable_server_is_said_in_the_dialog(
        qtbot, window, controller, wait_idle, tmp_path, memory_keyring):
    from app.sync.engine import status_dict

    server = start_server(tmp_path / "short-lived")
    page, _email = sign_up(qtbot, window, wait_idle, server)
    server.stop()
    qtbot.mouseClick(page.manage.everywhere_btn, LEFT)
    dialog = page.manage.dialog
    submit(qtbot, dialog, wait_idle)
    assert "Cannot reach the server" in dialog.error.text()
    assert dialog.isVisible() and dialog.ok.isEnabled()
    assert status_dict(controller.db)["signed_in"]                 # nothing changed here
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Cancel), LEFT)
    assert page.manage.dialog is None and page.manage.notice.text() == ""
