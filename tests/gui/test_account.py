"""Settings > Account against the real server: sign up, sync a rule, sign out, wrong password."""

from __future__ import annotations

import uuid

import keyring
import pytest
from sync_fixtures import start_server

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.usefixtures("no_sync_after_the_test")


def test_account_page_signs_up_syncs_and_signs_out(qtbot, window, controller, wait_idle,
                                                   account_server, memory_keyring):
    from app.core.organize.rules import rule_from_dict
    from app.jobs import organize as organize_jobs
    from app.sync.engine import status_dict

    window.show_view("settings")
    page = window.views["settings"].account
    assert page.sign_in_btn.isVisible() and not page.sign_out_btn.isVisible()
    email = f"gui-{uuid.uuid4().hex[:10]}@example.org"
    page.server.setText(account_server.base)
    page.email.setText(email)
    page.password.setText(PASSWORD)
    page.device.setText("Test desk")
    db = controller.db
    organize_jobs.save_rule(db, rule_from_dict({"name": "From the window",
                                                "actions": [{"type": "trash"}]}))
    qtbot.mouseClick(page.sign_up_btn, qtbot_button())
    qtbot.waitUntil(lambda: status_dict(db)["signed_in"], timeout=60_000)
    wait_idle()
    qtbot.waitUntil(lambda: status_dict(db)["status"] == "Up to date", timeout=60_000)
    assert page.password.text() == ""                     # not kept in the form
    assert page.sign_out_btn.isVisible() and page.sync_btn.isVisible()
    assert "Signed in as " + email in page.state.text()
    assert "Waiting changes: 0" in page.details.text()
    assert window.sync_indicator.text() == "Sync: Up to date"
    assert len(memory_keyring.store) == 1

    qtbot.mouseClick(page.sync_btn, qtbot_button())
    wait_idle()
    qtbot.mouseClick(page.sign_out_btn, qtbot_button())
    qtbot.waitUntil(lambda: not status_dict(db)["signed_in"], timeout=60_000)
    wait_idle()
    qtbot.waitUntil(lambda: page.sign_in_btn.isVisible(), timeout=60_000)
    assert memory_keyring.store == {}
    assert "Not signed in" in page.state.text()

    page.password.setText("a wrong password")
    qtbot.mouseClick(page.sign_in_btn, qtbot_button())
    qtbot.waitUntil(lambda: "wrong" in page.error.text(), timeout=60_000)
    wait_idle()
    assert not status_dict(db)["signed_in"] and "wrong" in page.error.text()

    page.password.setText(PASSWORD)
    qtbot.mouseClick(page.sign_in_btn, qtbot_button())
    qtbot.waitUntil(lambda: status_dict(db)["signed_in"], timeout=60_000)
    wait_idle()


def test_plain_http_to_another_host_is_refused(qtbot, window, wait_idle, memory_keyring):
    page = window.views["settings"].account
    page.server.setText("http://sync.example.org")
    page.email.setText("someone@example.org")
    page.password.setText(PASSWORD)
    qtbot.mouseClick(page.sign_in_btn, qtbot_button())
    qtbot.waitUntil(lambda: "https" in page.error.text(), timeout=60_000)
    wait_idle()


def qtbot_button():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_without_a_keyring_the_page_says_the_sign_in_is_for_this_session(
        qtbot, window, wait_idle, account_server):
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        page = window.views["settings"].account
        page.server.setText(account_server.base)
        page.email.setText(f"gui-{uuid.uuid4().hex[:10]}@example.org")
        page.password.setText(PASSWORD)
        qtbot.mouseClick(page.sign_up_btn, qtbot_button())
        qtbot.waitUntil(lambda: "Signed in" in page.state.text(), timeout=60_000)
        wait_idle()
        assert "a file only you can read" in page.state.text()
        assert "Up to date" in window.sync_indicator.text()
    finally:
        keyring.set_keyring(previous)


def test_indicator_says_offline_with_waiting_changes(qtbot, window, controller, wait_idle, tmp_path,
                                                    memory_keyring):
    from app.core.organize.rules import rule_from_dict
    from app.jobs import organize as organize_jobs

    server = start_server(tmp_path / "short-lived")
    page = window.views["settings"].account
    page.server.setText(server.base)
    page.email.setText(f"gui-{uuid.uuid4().hex[:10]}@example.org")
    page.password.setText(PASSWORD)
    qtbot.mouseClick(page.sign_up_btn, qtbot_button())
    qtbot.waitUntil(lambda: "Up to date" in window.sync_indicator.text(), timeout=60_000)
    wait_idle()
    server.stop()
    organize_jobs.save_rule(controller.db, rule_from_dict({"name": "Offline",
                                                           "actions": [{"type": "trash"}]}))
    qtbot.mouseClick(page.sync_btn, qtbot_button())
    qtbot.waitUntil(lambda: window.sync_indicator.text() == "Sync: offline, 1 change waiting",
                    timeout=60_000)
    wait_idle()
    assert "Cannot reach the server" in page.error.text()
    assert "Waiting changes: 1" in page.details.text()
