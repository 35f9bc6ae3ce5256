"""Two devices of one user against the real server: rules both ways, conflicts keep both
versions, history goes up exactly once, another user sees nothing."""

from __future__ import annotations

import time
import uuid

import pytest
from sync_helpers import PASSWORD, api_get, names, new_rule, rules_by_name, sign_in

from app.jobs import organize as jobs
from app.store import outbox
from app.store.journal import JournalStore
from app.sync.account import Account
from app.sync.engine import run_sync, status_dict


@pytest.fixture
def pair(sync_server, device, email, memory_keyring):
    a, b = device("A"), device("B")
    sign_in(a, sync_server, email, register=True, device_name="Laptop")
    sign_in(b, sync_server, email, device_name="Desktop")
    return a, b


def test_rule_made_on_a_appears_on_b_and_edits_and_deletes_follow(pair):
    a, b = pair
    rule = new_rule(a, "PDFs to Documents")
    assert outbox.count(a) == 1
    assert run_sync(a).ok and outbox.count(a) == 0
    result = run_sync(b)
    assert result.ok and result.received == 1
    assert names(b) == ["PDFs to Documents"]
    assert rules_by_name(b)["PDFs to Documents"].uuid == rule.uuid

    rule.name = "PDFs to Papers"
    jobs.save_rule(a, rule)
    run_sync(a)
    run_sync(b)
    assert names(b) == ["PDFs to Papers"]
    assert outbox.count(b) == 0          # applying a pulled rule queues nothing
    jobs.delete_rule(b, rule.uuid)
    run_sync(b)
    run_sync(a)
    assert names(a) == [] and names(b) == []
    assert run_sync(a).sent == 0         # nothing echoes back and forth


def test_existing_rules_go_up_on_first_sign_in(sync_server, device, email, memory_keyring):
    a, b = device("A"), device("B")
    new_rule(a, "Made before signing in")
    assert outbox.count(a) == 0          # no account linked: nothing queued
    sign_in(a, sync_server, email, register=True)
    assert outbox.count(a) == 1
    run_sync(a)
    sign_in(b, sync_server, email)
    run_sync(b)
    assert names(b) == ["Made before signing in"]


def test_edits_on_both_sides_keep_both_versions(pair):
    a, b = pair
    rule = new_rule(a, "Invoices")
    run_sync(a)
    run_sync(b)
    on_a = rules_by_name(a)["Invoices"]
    on_a.conditions[0].options["extensions"] = [".xlsx"]
    jobs.save_rule(a, on_a)
    time.sleep(0.05)
    on_b = rules_by_name(b)["Invoices"]
    on_b.conditions[0].options["extensions"] = [".odt"]
    jobs.save_rule(b, on_b)              # the later edit
    assert run_sync(a).ok
    result = run_sync(b)                 # B's push conflicts with A's version
    assert result.ok and result.conflicts == 1
    run_sync(a)
    for db in (a, b):
        by_name = rules_by_name(db)
        assert set(by_name) == {"Invoices", "Invoices (from Laptop)"}
        winner, copy = by_name["Invoices"], by_name["Invoices (from Laptop)"]
        assert winner.uuid == rule.uuid and winner.enabled
        assert winner.conditions[0].options["extensions"] == [".odt"]
        assert copy.conditions[0].options["extensions"] == [".xlsx"] and not copy.enabled
    assert outbox.count(a) == 0 and outbox.count(b) == 0


def test_earlier_edit_pushed_last_loses_but_is_kept(pair):
    a, b = pair
    new_rule(a, "Photos", "jpg")
    run_sync(a)
    run_sync(b)
    on_b = rules_by_name(b)["Photos"]
    on_b.conditions[0].options["extensions"] = [".png"]
    jobs.save_rule(b, on_b)              # the earlier edit, pushed last
    time.sleep(0.05)
    on_a = rules_by_name(a)["Photos"]
    on_a.conditions[0].options["extensions"] = [".heic"]
    jobs.save_rule(a, on_a)
    run_sync(a)
    run_sync(b)
    run_sync(a)
    for db in (a, b):
        by_name = rules_by_name(db)
        assert by_name["Photos"].conditions[0].options["extensions"] == [".heic"]
        assert by_name["Photos (from Desktop)"].conditions[0].options["extensions"] == [".png"]
        assert not by_name["Photos (from Desktop)"].enabled


def test_history_goes_up_once_and_second_user_sees_nothing(pair, sync_server, device, tmp_path):
    a, _b = pair
    journal = JournalStore(a, lock_dir=tmp_path / "locks")
    run_id = str(uuid.uuid4())
    entry = journal.begin(run_id, "organizer", "Organize Downloads")
    journal.record(entry, [])
    journal.finish(entry)
    new_rule(a, "Secret rule")
    assert outbox.count(a) == 2
    account = Account(a)
    assert run_sync(a, account).ok
    assert run_sync(a, account).sent == 0
    ops = api_get(sync_server, account, "/operations")
    assert [o["id"] for o in ops["items"]] == [run_id]
    assert ops["items"][0]["device_id"] == account.info.device_id
    assert ops["items"][0]["message"] == "Organize Downloads"

    other = device("C")
    stranger = sign_in(other, sync_server, f"other-{uuid.uuid4().hex[:8]}@example.org", register=True)
    assert run_sync(other).ok
    assert names(other) == []
    assert api_get(sync_server, stranger, "/operations")["total"] == 0
    assert api_get(sync_server, stranger, "/rules")["items"] == []


def test_sign_out_revokes_and_forgets(pair, sync_server, memory_keyring):
    a, _b = pair
    account = Account(a)
    token = memory_keyring.store.copy()
    assert len(token) == 2               # one refresh token per device, nothing in the database
    with a.engine.connect() as conn:
        dump = "\n".join(str(r) for r in conn.exec_driver_sql("SELECT * FROM settings").fetchall())
    for secret in token.values():
        assert secret not in dump
    account.sign_out()
    assert len(memory_keyring.store) == 1
    assert not Account(a).info.signed_in
    status = status_dict(a)
    assert status["status"] == "Not signed in" and status["waiting"] == 0
    new_rule(a, "After sign-out")
    assert outbox.count(a) == 0
    import httpx
    refresh = next(v for k, v in token.items() if Account(a).info.device_id in k[1])
    r = httpx.post(sync_server.base + "/api/v1/auth/refresh", json={"refresh_token": refresh})
    assert r.status_code == 401


def test_wrong_password_and_plain_http_refused(sync_server, device, email, memory_keyring):
    from app.sync.api import ApiError, InsecureServer

    db = device("A")
    Account(db).sign_in(sync_server.base, email, PASSWORD, register=True)
    with pytest.raises(ApiError, match="wrong"):
        Account(db).sign_in(sync_server.base, email, "not the password")
    with pytest.raises(InsecureServer):
        Account(db).sign_in("http://example.org", email, PASSWORD)


def test_scan_summary_goes_up_once_per_change(pair, sync_server, tmp_path):
    from app.core.progress import Progress
    from app.jobs import sync as sync_jobs
    from app.jobs.scan import scan

    a, _b = pair
    folder = tmp_path / "Downloads"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"%PDF-1.4 hello")
    (folder / "b.jpg").write_bytes(b"\xff\xd8\xff" + b"x" * 100)
    scan(a, [str(folder)], progress=Progress())
    assert sync_jobs.sync(a).ok
    account = Account(a)
    scans = api_get(sync_server, account, "/scans")["items"]
    assert len(scans) == 1 and scans[0]["total_files"] == 2
    assert scans[0]["device_id"] == account.info.device_id
    assert api_get(sync_server, account, "/reports")["total"] == 1
    assert sync_jobs.sync(a).sent == 0                 # unchanged index: nothing new goes up
    (folder / "c.txt").write_text("more")
    scan(a, [str(folder)], progress=Progress())
    sync_jobs.sync(a)
    assert api_get(sync_server, account, "/scans")["total"] == 2


def add_category(db, name: str, exts: list[str]) -> str:
    import json as _json

    cat_uuid = str(uuid.uuid4())
    with db.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO categories(uuid, name, extensions, version, updated_at, "
                             "deleted) VALUES (?, ?, ?, 1, ?, 0)",
                             (cat_uuid, name, _json.dumps(exts), time.time()))
    return cat_uuid


def categories(db) -> dict:
    import json as _json

    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT name, extensions FROM categories WHERE deleted = 0").fetchall()
    return {name: _json.loads(exts) for name, exts in rows}


def test_categories_both_ways(pair):
    a, b = pair
    cat = add_category(a, "Comics", [".cbz", ".cbr"])
    run_sync(a)
    assert run_sync(b).received >= 1
    assert categories(b) == {"Comics": [".cbz", ".cbr"]}
    with b.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE categories SET extensions = ?, version = version + 1, "
                             "updated_at = ? WHERE uuid = ?", ('[".cbz", ".cb7"]', time.time(), cat))
    run_sync(b)
    run_sync(a)
    assert categories(a) == {"Comics": [".cbz", ".cb7"]}
    with a.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE categories SET deleted = 1, version = version + 1 WHERE uuid = ?",
                             (cat,))
    run_sync(a)
    run_sync(b)
    assert categories(b) == {}
    assert run_sync(a).received == 0 and run_sync(b).received == 0


def test_report_upload_on_request(pair, sync_server, tmp_path):
    from app.core.progress import Progress
    from app.jobs import sync as sync_jobs
    from app.jobs.scan import scan

    a, _b = pair
    folder = tmp_path / "Docs"
    folder.mkdir()
    (folder / "x.pdf").write_bytes(b"%PDF-1.4 " + b"y" * 500)
    scan(a, [str(folder)], progress=Progress())
    report_id = sync_jobs.queue_report_upload(a)
    assert report_id and sync_jobs.sync(a).ok
    account = Account(a)
    got = api_get(sync_server, account, f"/reports/{report_id}")
    assert got["summary"]["files"] == 1 and got["device_id"] == account.info.device_id
    tables = {t["name"]: t for t in got["tables"]}
    assert tables["Largest files"]["rows"][0][0].endswith("x.pdf")
