"""What users expect of an account: change the password (other sign-ins end), sign out
everywhere, delete the account and its data; weak passwords refused; registering a taken email
takes as long as a new one."""

from __future__ import annotations

import statistics
import time
import uuid

import pytest

PASSWORD = "correct horse battery"
NEW_PASSWORD = "violet tractor umbrella"


def bearer(pair: dict) -> dict:
    return {"Authorization": "Bearer " + pair["access_token"]}


def sign_in(client, email, password=PASSWORD) -> dict:
    r = client.post("/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["data"]


@pytest.mark.parametrize("weak", ["12345678", "password", " " * 8, "qwertyuiop", "iloveyou1"])
def test_common_passwords_are_refused(client, weak):
    r = client.post("/auth/register", json={"email": f"w-{uuid.uuid4().hex}@example.org",
                                            "password": weak})
    assert r.status_code == 422 and r.json()["error"] == "weak_password"
    assert r.json()["message"].startswith("password: ")


def test_password_that_is_the_email_is_refused(client):
    email = f"sunflowerpatch{uuid.uuid4().hex[:4]}@example.org"
    r = client.post("/auth/register", json={"email": email, "password": email.split("@")[0]})
    assert r.status_code == 422 and r.json()["error"] == "weak_password"


def test_change_password_ends_other_sign_ins(client, new_account):
    acct = new_account()
    here, elsewhere = acct.tokens, sign_in(client, acct.email)
    r = client.post("/auth/password", headers=bearer(here),
                    json={"current_password": "not it at all", "new_password": NEW_PASSWORD})
    assert r.status_code == 403 and r.json()["error"] == "wrong_password"
    r = client.post("/auth/password", headers=bearer(here),
                    json={"current_password": PASSWORD, "new_password": "password1"})
    assert r.status_code == 422 and r.json()["message"].startswith("new_password: ")
    r = client.post("/auth/password", headers=bearer(here),
                    json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 200 and r.json()["data"]["revoked_sign_ins"] == 1
    assert client.get("/auth/me", headers=bearer(elsewhere)).status_code == 401
    r = client.post("/auth/refresh", json={"refresh_token": elsewhere["refresh_token"]})
    assert r.status_code == 401 and r.json()["error"] == "token_revoked"
    assert client.get("/auth/me", headers=bearer(here)).status_code == 200   # this one goes on
    assert client.post("/auth/login", json={"email": acct.email, "password": PASSWORD}
                       ).status_code == 401
    sign_in(client, acct.email, NEW_PASSWORD)


def test_sign_out_everywhere(client, new_account):
    acct = new_account()
    pairs = [acct.tokens, sign_in(client, acct.email), sign_in(client, acct.email)]
    r = client.post("/auth/logout-all", headers=bearer(pairs[0]))
    assert r.status_code == 200 and r.json()["data"]["revoked_sign_ins"] == 3
    for pair in pairs:
        assert client.get("/auth/me", headers=bearer(pair)).status_code == 401
        assert client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]}
                           ).status_code == 401
    sign_in(client, acct.email)                    # the password still works


def test_delete_account_and_its_data(client, new_account):
    acct, other = new_account(), new_account()
    h = bearer(acct.tokens)
    device = client.post("/devices", headers=h, json={"name": "Laptop"}).json()["data"]["id"]
    client.post("/rules", headers=h, json={"name": "Mine"})
    client.post("/scans", headers=h, json={"device_id": device, "total_files": 3})
    client.post("/reports", headers=h, json={"title": "Mine"})
    r = client.request("DELETE", "/account", headers=h, json={"password": "wrong password!"})
    assert r.status_code == 403 and client.get("/rules", headers=h).status_code == 200
    r = client.request("DELETE", "/account", headers=h, json={"password": PASSWORD})
    assert r.status_code == 200 and r.json()["data"] == {"deleted": True}
    assert client.get("/rules", headers=h).status_code == 401
    assert client.post("/auth/login", json={"email": acct.email, "password": PASSWORD}
                       ).status_code == 401
    assert client.get("/rules", headers=bearer(other.tokens)).status_code == 200   # others stay
    # the email is free again and nothing of the old account comes back with it
    r = client.post("/auth/register", json={"email": acct.email, "password": PASSWORD})
    assert r.status_code == 201
    h = bearer(r.json()["data"])
    for path in ("/rules", "/devices", "/audit", "/reports", "/scans"):
        data = client.get(path, headers=h).json()["data"]
        items = data["items"] if isinstance(data, dict) else data
        assert [i for i in items if i.get("event") != "register"] == [], path


@pytest.fixture(scope="session")
def real_cost_server(stack, start_server):
    """Default password hashing cost, so that its time dominates a registration."""
    return start_server(stack, {"FO_SERVER_ARGON2_TIME_COST": "3",
                                "FO_SERVER_ARGON2_MEMORY_KIB": "65536"})


def test_taken_email_answers_in_the_time_of_a_new_one(real_cost_server):
    import httpx

    api = httpx.Client(base_url=real_cost_server.base + "/api/v1", timeout=60)
    taken = f"taken-{uuid.uuid4().hex}@example.org"
    assert api.post("/auth/register", json={"email": taken, "password": PASSWORD}
                    ).status_code == 201
    new_times, taken_times = [], []
    for _ in range(4):
        started = time.perf_counter()
        r = api.post("/auth/register", json={"email": f"n-{uuid.uuid4().hex}@example.org",
                                             "password": PASSWORD})
        new_times.append(time.perf_counter() - started)
        assert r.status_code == 201
        started = time.perf_counter()
        r = api.post("/auth/register", json={"email": taken, "password": PASSWORD})
        taken_times.append(time.perf_counter() - started)
        assert r.status_code == 409 and r.json()["error"] == "email_taken"
    new, old = statistics.median(new_times), statistics.median(taken_times)
    print(f"register: new email {new * 1000:.1f} ms, taken email {old * 1000:.1f} ms (medians)")
    assert old >= 0.6 * new, (new_times, taken_times)
