"""Accounts and tokens: register, login, me, refresh rotation and reuse detection, logout, expiry."""

from __future__ import annotations

import time
import uuid

import jwt
from server_services import SECRET, MovableClock, in_process_app


def test_register_login_me(client, new_account):
    acct = new_account()
    assert acct.tokens["token_type"] == "bearer"
    assert acct.tokens["expires_in"] == 3600
    claims = jwt.decode(acct.tokens["access_token"], SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 3600
    refresh_claims = jwt.decode(acct.tokens["refresh_token"], SECRET, algorithms=["HS256"])
    assert refresh_claims["exp"] - refresh_claims["iat"] == 7 * 24 * 3600

    r = client.get("/auth/me", headers=acct.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["success"] is True and body["timestamp"].endswith("Z")
    assert body["data"]["email"] == acct.email

    r = client.post("/auth/login", json={"email": acct.email.upper(), "password": acct.password})
    assert r.status_code == 200
    assert set(r.json()["data"]) == {"access_token", "refresh_token", "token_type", "expires_in"}


def test_register_twice_and_bad_passwords(client, new_account):
    acct = new_account()
    r = client.post("/auth/register", json={"email": acct.email, "password": "another password"})
    assert r.status_code == 409 and r.json()["error"] == "email_taken"
    r = client.post("/auth/login", json={"email": acct.email, "password": "wrong password!"})
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_credentials"
    r = client.post("/auth/login", json={"email": "nobody-" + acct.email, "password": "whatever1"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_credentials"
    r = client.post("/auth/register", json={"email": "not-an-email", "password": "long enough"})
    assert r.status_code == 422 and r.json()["error"] == "validation_error"
    r = client.post("/auth/register", json={"email": f"{uuid.uuid4().hex}@x.org", "password": "short"})
    assert r.status_code == 422


def test_refresh_rotates_and_reuse_revokes_the_family(client, new_account):
    acct = new_account()
    first = acct.tokens["refresh_token"]
    r = client.post("/auth/refresh", json={"refresh_token": first})
    assert r.status_code == 200, r.text
    second = r.json()["data"]
    assert second["refresh_token"] != first
    assert client.get("/auth/me", headers={"Authorization": "Bearer " + second["access_token"]}
                      ).status_code == 200

    # The first token again: it leaked. Rejected, and the whole sign-in is revoked.
    r = client.post("/auth/refresh", json={"refresh_token": first})
    assert r.status_code == 401 and r.json()["error"] == "token_reused"
    r = client.post("/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert r.status_code == 401 and r.json()["error"] == "token_revoked"
    r = client.get("/auth/me", headers={"Authorization": "Bearer " + second["access_token"]})
    assert r.status_code == 401 and r.json()["error"] == "token_revoked"

    # Another sign-in of the same user is unaffected.
    r = client.post("/auth/login", json={"email": acct.email, "password": acct.password})
    other = r.json()["data"]
    assert client.get("/auth/me", headers={"Authorization": "Bearer " + other["access_token"]}
                      ).status_code == 200
    events = client.get("/audit", headers={"Authorization": "Bearer " + other["access_token"]})
    assert "refresh_reuse" in [e["event"] for e in events.json()["data"]["items"]]


def test_logout_revokes_refresh_and_access(client, new_account):
    acct = new_account()
    r = client.post("/auth/logout", json={"refresh_token": acct.tokens["refresh_token"]})
    assert r.status_code == 200 and r.json()["data"]["revoked"] is True
    r = client.post("/auth/refresh", json={"refresh_token": acct.tokens["refresh_token"]})
    assert r.status_code == 401
    assert client.get("/auth/me", headers=acct.headers).status_code == 401


def test_expired_and_forged_tokens(client, new_account):
    acct = new_account()
    claims = jwt.decode(acct.tokens["access_token"], SECRET, algorithms=["HS256"])
    now = int(time.time())
    expired = jwt.encode({**claims, "iat": now - 7200, "exp": now - 3600}, SECRET, algorithm="HS256")
    r = client.get("/auth/me", headers={"Authorization": "Bearer " + expired})
    assert r.status_code == 401 and r.json()["error"] == "token_expired"

    forged = jwt.encode({**claims}, "not the server's key, but long enough for HS256", algorithm="HS256")
    r = client.get("/auth/me", headers={"Authorization": "Bearer " + forged})
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"

    # A refresh token is not an access token, and the other way round.
    r = client.get("/auth/me", headers={"Authorization": "Bearer " + acct.tokens["refresh_token"]})
    assert r.status_code == 401
    r = client.post("/auth/refresh", json={"refresh_token": acct.tokens["access_token"]})
    assert r.status_code == 401

    r_claims = jwt.decode(acct.tokens["refresh_token"], SECRET, algorithms=["HS256"])
    old_refresh = jwt.encode({**r_claims, "exp": now - 1}, SECRET, algorithm="HS256")
    r = client.post("/auth/refresh", json={"refresh_token": old_refresh})
    assert r.status_code == 401 and r.json()["error"] == "token_expired"

    r = client.get("/auth/me")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_audit_log_records_sign_ins_and_failures(client, new_account):
    acct = new_account()
    client.post("/auth/login", json={"email": acct.email, "password": "wrong password"})
    client.post("/auth/login", json={"email": acct.email, "password": acct.password})
    device = client.post("/devices", json={"name": "old laptop"}, headers=acct.headers).json()["data"]
    client.delete(f"/devices/{device['id']}", headers=acct.headers)
    items = client.get("/audit", headers=acct.headers).json()["data"]["items"]
    assert [e["event"] for e in items][:4] == ["delete", "login", "login_failed", "register"]
    assert items[0]["detail"] == {"resource": "device", "id": device["id"]}
    assert items[0]["ip"] == "127.0.0.1"


def test_tokens_expire_on_the_servers_clock(stack, tmp_path):
    """The access token works until its hour is over, then answers token_expired while the
    refresh token still gets a new pair; after seven days the refresh token has expired too."""
    import asyncio

    import httpx

    clock = MovableClock()
    app = in_process_app(stack, tmp_path, clock)

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": "Bearer " + token}

    async def scenario() -> None:
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://test/api/v1") as c:
            r = await c.post("/auth/register", json={"email": f"clock-{uuid.uuid4().hex[:8]}@example.org",
                                                     "password": "long enough password"})
            pair = r.json()["data"]
            assert pair["expires_in"] == 3600
            clock.now += 3599
            assert (await c.get("/auth/me", headers=bearer(pair["access_token"]))).status_code == 200
            clock.now += 1
            r = await c.get("/auth/me", headers=bearer(pair["access_token"]))
            assert r.status_code == 401 and r.json()["error"] == "token_expired"
            r = await c.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
            fresh = r.json()["data"]
            assert (await c.get("/auth/me", headers=bearer(fresh["access_token"]))).status_code == 200
            clock.now += 7 * 24 * 3600
            r = await c.post("/auth/refresh", json={"refresh_token": fresh["refresh_token"]})
            assert r.status_code == 401 and r.json()["error"] == "token_expired"

    asyncio.run(scenario())
