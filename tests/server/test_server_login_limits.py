"""Sign-in throttling per target account and per client address, whatever token comes with the
request (a slowing back-off, not a lock); registrations limited per address. Other loopback
addresses (127.0.0.0/8) stand for other clients."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from server_services import loopback_address

from app.server.throttle import Backoff, MemoryThrottle

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def strict_server(stack, start_server):
    return start_server(stack, {"FO_SERVER_LOGIN_FREE_FAILURES": "3",
                                "FO_SERVER_LOGIN_FREE_FAILURES_IP": "6",
                                "FO_SERVER_LOGIN_BACKOFF_BASE": "1",
                                "FO_SERVER_REGISTER_LIMIT": "4"})


def client_at(server, n: int) -> httpx.Client:
    """A client connecting from 127.0.0.<n>."""
    return httpx.Client(base_url=server.base + "/api/v1", timeout=30,
                        transport=httpx.HTTPTransport(local_address=loopback_address(n)))


def register(api: httpx.Client) -> tuple[str, dict]:
    email = f"u-{uuid.uuid4().hex[:12]}@example.org"
    r = api.post("/auth/register", json={"email": email, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return email, {"Authorization": "Bearer " + r.json()["data"]["access_token"]}


def login(api, email, password=PASSWORD, headers=None) -> httpx.Response:
    return api.post("/auth/login", json={"email": email, "password": password}, headers=headers)


def test_failed_sign_ins_slow_down_per_account(strict_server):
    attacker_box, owner_box = client_at(strict_server, 21), client_at(strict_server, 22)
    new_box = client_at(strict_server, 27)
    victim, _ = register(owner_box)
    assert login(owner_box, victim).status_code == 200         # the owner's usual address
    _, own_token = register(attacker_box)
    for _ in range(3):
        assert login(attacker_box, victim, "wrong guess!").status_code == 401
    for headers in (None, own_token):             # a valid token of one's own changes nothing
        r = login(attacker_box, victim, "wrong guess!", headers)
        assert r.status_code == 429 and r.json()["error"] == "rate_limited"
        assert "for this account" in r.json()["message"]
        assert int(r.headers["retry-after"]) == 1 and r.headers["x-frame-options"] == "DENY"
    # per account: from any other address too, even with the right password, while it runs...
    r = login(new_box, victim)
    assert r.status_code == 429
    # ...but not from an address that signed in to the account before: the owner gets in
    assert login(owner_box, victim).status_code == 200
    time.sleep(int(r.headers["retry-after"]) + 0.2)
    # ...and only while it runs: a back-off, not a lock; success clears the failures
    assert login(new_box, victim).status_code == 200
    assert login(attacker_box, victim, "wrong guess!").status_code == 401


def test_failed_sign_ins_slow_down_per_address(strict_server):
    spray, other = client_at(strict_server, 23), client_at(strict_server, 24)
    owner, token = register(other)
    for _ in range(6):   # one guess on each of many accounts
        email = f"nobody-{uuid.uuid4().hex[:8]}@example.org"
        assert login(spray, email, "Summer2024!").status_code == 401
    r = login(spray, owner, "Summer2024!", token)
    assert r.status_code == 429 and "from this address" in r.json()["message"]
    assert login(other, owner).status_code == 200            # other clients are not affected
    for _ in range(3):  # successful sign-ins do not add up at a busy address
        assert login(other, owner).status_code == 200


def test_registrations_are_limited_per_address(strict_server):
    busy, quiet = client_at(strict_server, 25), client_at(strict_server, 26)
    for _ in range(4):
        register(busy)
    r = busy.post("/auth/register", json={"email": f"x-{uuid.uuid4().hex}@example.org",
                                          "password": PASSWORD})
    assert r.status_code == 429 and "accounts created from this address" in r.json()["message"]
    assert 1 <= int(r.headers["retry-after"]) <= 3600
    register(quiet)


def test_backoff_doubles_up_to_the_cap_and_forgets():
    now = [1000.0]
    throttle = MemoryThrottle(clock=lambda: now[0])
    rule = Backoff(free=2, base=1.0, cap=8.0, ttl=60.0)
    assert throttle.attempt("k", rule) == 0 and throttle.attempt("k", rule) == 0
    waits = []
    for _ in range(6):
        left = throttle.attempt("k", rule)
        assert left > 0 and throttle.attempt("k", rule) == left     # refused: nothing counted
        waits.append(left)
        now[0] += left
        assert throttle.attempt("k", rule) == 0
    assert waits == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    now[0] += 61                                                    # quiet for the ttl: forgotten
    assert throttle.attempt("k", rule) == 0 and throttle.attempt("k", rule) == 0
    throttle.succeeded("k", clear=True)
    assert throttle.attempt("k", rule) == 0
    assert throttle.count("r", 10) == (1, 10) and throttle.count("r", 10)[0] == 2
    now[0] += 10
    assert throttle.count("r", 10) == (1, 10)
    throttle.remember("known", 5)
    assert throttle.known("known") and not throttle.known("other")
    now[0] += 5
    assert not throttle.known("known")
