"""Live progress over WebSocket, rate limits, and two server processes sharing PostgreSQL + Redis."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect


def recv_json(ws, timeout=10):
    return json.loads(ws.recv(timeout=timeout))


def closed_code(ws) -> int:
    with pytest.raises(ConnectionClosed) as info:
        ws.recv(timeout=10)
    return info.value.rcvd.code


def new_operation(client, acct) -> str:
    r = client.post("/operations", json={"kind": "organize", "status": "processing"}, headers=acct.headers)
    assert r.status_code == 201
    return r.json()["data"]["id"]


def test_websocket_progress(server, client, new_account):
    acct = new_account()
    op = new_operation(client, acct)
    token = acct.tokens["access_token"]
    with connect(f"{server.ws_base}/ws/operations/{op}?token={token}") as ws:
        first = recv_json(ws)
        assert first == {"operation_id": op, "status": "processing", "progress": 0, "message": ""}
        client.patch(f"/operations/{op}", json={"progress": 45}, headers=acct.headers)
        msg = recv_json(ws)
        assert msg["status"] == "processing" and msg["progress"] == 45
        client.patch(f"/operations/{op}", json={"status": "completed", "progress": 100},
                     headers=acct.headers)
        assert recv_json(ws)["status"] == "completed"
        assert closed_code(ws) == 1000

    op2 = new_operation(client, acct)
    with connect(f"{server.ws_base}/ws/operations/{op2}") as ws:  # token as the first message
        ws.send(json.dumps({"token": token}))
        assert recv_json(ws)["progress"] == 0
        client.patch(f"/operations/{op2}", json={"progress": 7, "message": "a.pdf"}, headers=acct.headers)
        assert recv_json(ws)["message"] == "a.pdf"
    assert "token=[redacted]" in server.log_text()
    assert token not in server.log_text()  # tokens in WebSocket URLs never reach the log


def test_websocket_refuses_strangers(server, client, new_account):
    owner, other = new_account(), new_account()
    op = new_operation(client, owner)
    with connect(f"{server.ws_base}/ws/operations/{op}?token={other.tokens['access_token']}") as ws:
        assert closed_code(ws) == 4404
    with connect(f"{server.ws_base}/ws/operations/{op}?token=garbage") as ws:
        assert closed_code(ws) == 4401
    with connect(f"{server.ws_base}/ws/operations/{op}") as ws:
        ws.send(json.dumps({"hello": 1}))
        assert closed_code(ws) == 4401


@pytest.fixture(scope="session")
def limited_server(stack, start_server):
    """A server with tiny limits: 5 requests per user, 12 per client address, per minute."""
    return start_server(stack, {"FO_SERVER_RATE_LIMIT_USER": "5", "FO_SERVER_RATE_LIMIT_IP": "12"})


def from_address(server, address: str) -> httpx.Client:
    """A client whose connections come from another loopback address (127.0.0.0/8 is all local)."""
    return httpx.Client(base_url=server.base + "/api/v1", timeout=30,
                        transport=httpx.HTTPTransport(local_address=address))


def loopback(n: int) -> str:
    from server_services import loopback_address

    return loopback_address(n)


def test_rate_limits_and_headers(limited_server):
    api = from_address(limited_server, loopback(3))
    tokens = []
    for name in ("a", "b"):
        r = api.post("/auth/register", json={"email": f"{name}-{time.time_ns()}@example.org",
                                             "password": "long enough password"})
        assert r.status_code == 201
        tokens.append({"Authorization": "Bearer " + r.json()["data"]["access_token"]})
    a, b = tokens
    remaining = []
    for _ in range(5):
        r = api.get("/auth/me", headers=a)
        assert r.status_code == 200
        assert r.headers["x-ratelimit-limit"] == "5"
        assert 1 <= int(r.headers["x-ratelimit-reset"]) <= 60
        remaining.append(int(r.headers["x-ratelimit-remaining"]))
    assert remaining == [4, 3, 2, 1, 0]
    r = api.get("/auth/me", headers=a)
    assert r.status_code == 429
    assert r.json()["error"] == "rate_limited" and set(r.json()) == {"error", "message", "status",
                                                                      "timestamp"}
    assert r.headers["x-content-type-options"] == "nosniff"      # headers on a 429 too
    assert 1 <= int(r.headers["retry-after"]) <= 60 and r.headers["x-ratelimit-remaining"] == "0"
    for _ in range(5):  # b has its own budget...
        assert api.get("/auth/me", headers=b).status_code == 200
    # ...but 2 registrations + 10 requests = 12 fill this address's budget, whatever account
    r = api.get("/devices")
    assert r.status_code == 429 and "retry-after" in r.headers
    # A WebSocket handshake counts as a request: refused as well.
    token = b["Authorization"].removeprefix("Bearer ")
    with pytest.raises(InvalidStatus):
        connect(f"{limited_server.ws_base}/ws/operations/x?token={token}", open_timeout=10)
    # No overall budget: another client is not locked out by this one.
    other = from_address(limited_server, loopback(4))
    assert other.get("/devices").status_code == 401
    assert httpx.get(limited_server.base + "/health").status_code == 200  # probes are not limited


def test_sliding_window_frees_slots(stack):
    """The in-memory limiter runs on a clock the test moves; Redis' limiter scores hits by the
    Redis server's own clock, so its run waits for real (only where Redis is installed)."""
    from server_services import MovableClock

    from app.server.ratelimit import MemoryLimiter, RedisLimiter

    window = 3.0

    async def run(limiter, now, advance):
        await limiter.start()
        try:
            t0 = now()
            assert (await limiter.hit([("k", 2)])).allowed
            await advance(1.5)
            assert (await limiter.hit([("k", 2)])).allowed
            assert (await limiter.hit([("k", 2)])).allowed is False
            await advance(t0 + window + 0.1 - now())
            # The first hit has left the window; the second stays in it until t0 + 4.5 s.
            decision = await limiter.hit([("k", 2)])
            assert decision.allowed and decision.remaining == 0
            assert (await limiter.hit([("k", 2)])).allowed is False
            # Several buckets: refused when one is full, and then counted in none.
            assert (await limiter.hit([("u", 5), ("k", 2)])).allowed is False
            assert (await limiter.hit([("u", 1)])).allowed
        finally:
            await limiter.close()

    clock = MovableClock()

    async def move(seconds: float) -> None:
        clock.now += seconds

    runs = [run(MemoryLimiter(window, clock=clock), clock, move)]
    if stack.redis:
        runs.append(run(RedisLimiter(stack.redis.new_database(), window), time.monotonic,
                        asyncio.sleep))

    async def both():
        await asyncio.gather(*runs)

    asyncio.run(both())


def test_two_processes_share_limits_and_progress(stack, start_server):
    if stack.postgres is None:
        pytest.skip("sharing between processes needs PostgreSQL and Redis")
    shared = stack.env()
    limits = {"FO_SERVER_RATE_LIMIT_USER": "6"}
    server_a = start_server(stack, limits, shared=shared)
    server_b = start_server(stack, limits, shared=shared)
    a = httpx.Client(base_url=server_a.base + "/api/v1", timeout=30)
    b = httpx.Client(base_url=server_b.base + "/api/v1", timeout=30)
    r = a.post("/auth/register", json={"email": f"two-{time.time_ns()}@example.org",
                                       "password": "long enough password"})
    token = r.json()["data"]["access_token"]
    h = {"Authorization": "Bearer " + token}
    op = a.post("/operations", json={"kind": "dedup", "status": "processing"}, headers=h).json()["data"]["id"]
    assert b.get(f"/operations/{op}", headers=h).status_code == 200  # one database
    with connect(f"{server_b.ws_base}/ws/operations/{op}?token={token}") as ws:
        assert recv_json(ws)["progress"] == 0
        a.patch(f"/operations/{op}", json={"progress": 45}, headers=h)  # reported to A...
        msg = recv_json(ws)  # ...watched on B
        assert msg["progress"] == 45 and msg["status"] == "processing"
    # 4 requests so far counted for the user (POST, GET on B, the WebSocket handshake, PATCH);
    # 2 more across both processes
    seen = [a.get("/auth/me", headers=h), b.get("/auth/me", headers=h)]
    assert [r.status_code for r in seen] == [200, 200]
    assert seen[-1].headers["x-ratelimit-remaining"] == "0"
    r = b.get("/auth/me", headers=h)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
