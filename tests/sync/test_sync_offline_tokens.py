"""Server down: changes wait, the app keeps working, they arrive exactly once after a restart.
Tokens: short-lived access tokens refresh transparently; reuse and revocation sign out."""

from __future__ import annotations

import os
import time
import uuid

import httpx
import pytest
from sync_fixtures import start_server, stopped
from sync_helpers import api_get, names, new_rule, sign_in

from app.store import outbox
from app.store.journal import JournalStore
from app.sync.account import Account, SignedOut
from app.sync.engine import MAX_DELAY, backoff_delay, load_status, run_sync, status_dict


def test_offline_changes_wait_then_arrive_once(tmp_path, device, email, memory_keyring):
    server = start_server(tmp_path / "server")
    try:
        a, b = device("A"), device("B")
        sign_in(a, server, email, register=True)
        sign_in(b, server, email)
        account = Account(a)
        with stopped(server) as restarted:
            started = time.monotonic()
            for i in range(3):
                new_rule(a, f"Offline rule {i}")
            journal = JournalStore(a, lock_dir=tmp_path / "locks")
            run_id = str(uuid.uuid4())
            entry = journal.begin(run_id, "watcher", "Tidy Downloads")
            journal.record(entry, [])
            journal.finish(entry)
            result = run_sync(a, account)
            assert not result.ok and result.waiting == 4 and result.sent == 0
            assert time.monotonic() - started < 10      # a dead server fails fast
            assert status_dict(a)["status"] == "offline, 4 changes waiting"
            assert names(a) == ["Offline rule 0", "Offline rule 1", "Offline rule 2"]  # app works
            first = load_status(a)
            assert first["failures"] == 1 and first["next_attempt_at"] > time.time()
            assert run_sync(a, account, manual=False).skipped  # automatic run waits for backoff
            run_sync(a, account)
            assert load_status(a)["failures"] == 2
            assert outbox.pending(a)[0].attempts == 2
        server = restarted["server"]
        result = run_sync(a, account)
        assert result.ok and result.sent == 4 and result.waiting == 0
        assert status_dict(a)["status"] == "Up to date"
        assert run_sync(a, account).sent == 0
        ops = api_get(server, account, "/operations")
        assert ops["total"] == 1 and ops["items"][0]["id"] == run_id
        rules = api_get(server, account, "/rules")["items"]
        assert sorted(r["name"] for r in rules) == ["Offline rule 0", "Offline rule 1",
                                                    "Offline rule 2"]
        run_sync(b)
        assert names(b) == names(a)
    finally:
        server.stop()


def test_retry_after_lost_answer_is_idempotent(sync_server, device, email, memory_keyring):
    """A push that reached the server but whose answer was lost goes again: no duplicate."""
    a = device("A")
    account = sign_in(a, sync_server, email, register=True)
    rule = new_rule(a, "Sent twice")
    run_sync(a, account)
    with a.engine.begin() as conn:      # as if the answer had been lost: the item is back
        outbox.rule_changed(conn, rule.uuid)
        conn.exec_driver_sql("DELETE FROM settings WHERE key = 'sync.rules'")
    run_id = str(uuid.uuid4())
    with a.engine.begin() as conn:
        for _ in range(2):
            outbox.enqueue(conn, "operation", {"id": run_id, "kind": "organizer", "status": "completed"})
    assert run_sync(a, account).ok
    assert [r["name"] for r in api_get(sync_server, account, "/rules")["items"]] == ["Sent twice"]
    assert api_get(sync_server, account, "/operations")["total"] == 1


def test_backoff_doubles_with_jitter_and_is_capped():
    delays = [backoff_delay(n) for n in range(1, 20)]
    assert 2.5 <= delays[0] <= 5
    assert 5 <= delays[1] <= 10
    assert all(d <= MAX_DELAY for d in delays) and max(delays) >= MAX_DELAY / 2
    assert len({round(backoff_delay(12), 6) for _ in range(5)}) > 1    # jittered


def test_expired_access_token_is_refreshed(sync_server, device, email, memory_keyring,
                                          monkeypatch):
    """The client's clock says the access token expired (an injected clock, no sleeping): the
    next call refreshes it (rotation, stored again) and goes through."""
    from app.sync import account as account_module

    a = device("A")
    account = sign_in(a, sync_server, email, register=True)
    first_refresh = dict(memory_keyring.store)
    new_rule(a, "Before expiry")
    assert run_sync(a, account).ok
    later = time.time() + 3600
    monkeypatch.setattr(account_module, "clock", lambda: later)
    new_rule(a, "After expiry")
    assert run_sync(a, account).ok
    assert memory_keyring.store != first_refresh       # rotated and stored again
    rules = api_get(sync_server, account, "/rules")["items"]
    assert sorted(r["name"] for r in rules) == ["After expiry", "Before expiry"]


def test_access_token_the_server_finds_expired_is_refreshed(sync_server, device, email,
                                                             memory_keyring):
    """The server answers 401 token_expired (a token of this sign-in whose exp has passed,
    signed with the test key): the call refreshes once and succeeds."""
    import jwt
    from server_services import SECRET

    from app.sync import account as account_module

    a = device("A")
    account = sign_in(a, sync_server, email, register=True)
    key = account._key()
    claims = jwt.decode(account_module._access[key][0], SECRET, algorithms=["HS256"])
    expired = jwt.encode({**claims, "exp": int(time.time()) - 60}, SECRET, algorithm="HS256")
    account_module._access[key] = (expired, time.time() + 3600)   # the client thinks it is fine
    r = httpx.get(sync_server.base + "/api/v1/auth/me", headers={"Authorization": "Bearer " + expired})
    assert r.status_code == 401 and r.json()["error"] == "token_expired"
    assert account.call("GET", "/auth/me")["email"] == email
    assert account_module._access[key][0] != expired


def test_reused_refresh_token_signs_out_with_a_message(sync_server, device, email, memory_keyring):
    a = device("A")
    account = sign_in(a, sync_server, email, register=True)
    stolen = next(iter(memory_keyring.store.values()))
    # someone else uses the refresh token first: ours is now a reused one
    r = httpx.post(sync_server.base + "/api/v1/auth/refresh", json={"refresh_token": stolen})
    assert r.status_code == 200
    with pytest.raises(SignedOut):
        account.access_token(force_refresh=True)
    info = Account(a).info
    assert not info.signed_in and "signed out" in info.message
    assert memory_keyring.store == {}
    new_rule(a, "Still queued")
    result = run_sync(a)
    assert not result.ok and result.waiting == 1 and "signed out" in result.error
    assert status_dict(a)["status"] == "Signed out, 1 change waiting"
    # signing in again sends what waited
    sign_in(a, sync_server, email)
    assert run_sync(a).ok


def test_revoked_sign_in_signs_out(sync_server, device, email, memory_keyring):
    a, b = device("A"), device("B")
    account = sign_in(a, sync_server, email, register=True)
    sign_in(b, sync_server, email)
    refresh = next(v for k, v in memory_keyring.store.items() if account.info.device_id in k[1])
    httpx.post(sync_server.base + "/api/v1/auth/logout", json={"refresh_token": refresh})
    new_rule(a, "After revocation")
    result = run_sync(a)
    assert not result.ok and "signed out" in result.error.lower()
    assert not Account(a).info.signed_in
    assert run_sync(b).ok                # the other device's sign-in is untouched


def test_no_keyring_keeps_the_sign_in_in_a_private_file(sync_server, device, email, app_home):
    import keyring
    from keyring.backends import fail

    from app.sync import credentials

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        a = device("A")
        account = sign_in(a, sync_server, email, register=True)
        path = credentials.token_file()
        assert path.parent == app_home / "config" and path.exists()
        assert os.name == 'nt' or path.stat().st_mode & 0o777 == 0o600
        assert status_dict(a)["storage"] == "file" and str(path) in status_dict(a)["keyring"]
        new_rule(a, "Stored in a file")
        assert run_sync(a).ok
        account.sign_out()
        assert not path.exists()
        # opting out: the token stays in this process only
        account = Account(a)
        account.sign_in(sync_server.base, email, "correct horse battery", store=False)
        assert not path.exists() and status_dict(a)["storage"] == "session"
        assert run_sync(a).ok
    finally:
        keyring.set_keyring(previous)
