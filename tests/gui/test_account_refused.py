"""Settings > Account lists the changes the server refused, with the reason, and discards them."""

from __future__ import annotations

import uuid

import pytest
from sync_fixtures import start_server

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.usefixtures("no_sync_after_the_test")


@pytest.fixture
def refusing_server(tmp_path):
    server = start_server(tmp_path / "server")
    yield server
    server.stop()



def test_refused_change_is_listed_with_its_reason_and_can_be_discarded(
        qtbot, window, controller, wait_idle, refusing_server, memory_keyring):
    from PySide6.QtCore import Qt

    from app.core.organize.rules import rule_from_dict
    from app.jobs import organize as organize_jobs
    from app.jobs import sync as sync_jobs
    from app.sync.engine import status_dict

    db = controller.db
    sync_jobs.sign_in(db, refusing_server.base, f"gui-{uuid.uuid4().hex[:10]}@example.org",
                      "correct horse battery", register=True)
    organize_jobs.save_rule(db, rule_from_dict({"name": "N" * 250, "actions": [{"type": "trash"}]}))
    window.show_view("settings")
    page = window.views["settings"].account
    page.refresh()
    assert not page.discard_btn.isVisible()
    qtbot.mouseClick(page.sync_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "refused 1 change" in page.refused.text(), timeout=60_000)
    wait_idle()
    assert "at most 200 characters" in page.refused.text()
    assert "Rule 'NNN" in page.refused.text() and page.discard_btn.isVisible()
    assert window.sync_indicator.text() == "Sync: 1 change refused by the server"
    qtbot.mouseClick(page.discard_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.refused.text() == "", timeout=10_000)
    assert status_dict(db)["refused"] == [] and not page.discard_btn.isVisible()
    assert [r.name for r in organize_jobs.saved_rules(db)] == ["N" * 250]   # local rule stays


def test_keep_me_signed_in_off_stores_nothing(qtbot, window, controller, wait_idle,
                                              refusing_server, memory_keyring):
    from PySide6.QtCore import Qt

    from app.sync.engine import status_dict

    window.show_view("settings")
    page = window.views["settings"].account
    page.refresh(fill=True)
    assert page.keep.isChecked()
    page.keep.setChecked(False)
    page.server.setText(refusing_server.base)
    page.email.setText(f"gui-{uuid.uuid4().hex[:10]}@example.org")
    page.password.setText("correct horse battery")
    qtbot.mouseClick(page.sign_up_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_dict(controller.db)["signed_in"], timeout=60_000)
    wait_idle()
    assert memory_keyring.store == {} and status_dict(controller.db)["storage"] == "session"
    assert "ends when this program exits" in page.state.text()
    assert not page.keep.isEnabled()              # the choice is made at sign-in
