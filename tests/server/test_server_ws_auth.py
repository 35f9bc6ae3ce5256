"""WebSockets end with their sign-in: closed 4401 after logout and when the access token expires;
malformed first frames are closed 4400/4401, never an exception in the server's log."""

from __future__ import annotations

import json
import time

import pytest
from server_services import MovableClock, in_process_app
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


@pytest.fixture(scope="session")
def watchful_server(stack, start_server):
    """A server that re-checks open sockets' sign-ins every 0.3 s (default 30 s)."""
    return start_server(stack, {"FO_SERVER_WS_RECHECK": "0.3"})


def api(server):
    import httpx

    return httpx.Client(base_url=server.base + "/api/v1", timeout=30)


def sign_up(http) -> dict:
    import uuid

    r = http.post("/auth/register", json={"email": f"ws-{uuid.uuid4().hex[:10]}@example.org",
                                          "password": "correct horse battery"})
    assert r.status_code == 201
    return r.json()["data"]


def operation(http, pair) -> str:
    r = http.post("/operations", json={"kind": "organize", "status": "processing"},
                  headers={"Authorization": "Bearer " + pair["access_token"]})
    return r.json()["data"]["id"]


def close_of(ws, timeout=10) -> tuple[int, float]:
    """The close code the server sent and when it came (monotonic)."""
    with pytest.raises(ConnectionClosed) as info:
        while True:
            ws.recv(timeout=timeout)
    return info.value.rcvd.code, time.monotonic()


def test_logout_closes_open_sockets(watchful_server):
    http = api(watchful_server)
    pair = sign_up(http)
    op = operation(http, pair)
    with connect(f"{watchful_server.ws_base}/ws/operations/{op}?token={pair['access_token']}") as ws:
        assert json.loads(ws.recv(timeout=10))["operation_id"] == op
        http.post("/auth/logout", json={"refresh_token": pair["refresh_token"]})
        started = time.monotonic()
        code, at = close_of(ws)
    assert code == 4401 and at - started < 5


# Starlette's TestClient (the one ASGI client with WebSockets) warns that it will move to httpx2.
@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient` is deprecated")
def test_token_expiry_closes_open_sockets(stack, tmp_path):
    """An in-process server whose clock the test moves past the access token's expiry: the
    open socket is closed 4401 (the server re-checks every 0.05 s; no sleeping here)."""
    from starlette.testclient import TestClient
    from starlette.websockets import WebSocketDisconnect

    clock = MovableClock()
    app = in_process_app(stack, tmp_path, clock, ws_recheck=0.05)
    with TestClient(app, base_url="http://testserver/api/v1") as http:
        pair = sign_up(http)
        op = operation(http, pair)
        with http.websocket_connect(f"/ws/operations/{op}?token={pair['access_token']}") as ws:
            assert ws.receive_json()["progress"] == 0
            clock.now += 3600
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
    assert closed.value.code == 4401


@pytest.mark.parametrize("frame", [b"\x00\x01binary", "[" * 3000 + "]" * 3000, "{", "[1, 2]",
                                   '"token"', "x" * 20000, json.dumps({"token": 5})],
                         ids=["binary", "deep", "garbage", "list", "string", "huge", "odd-token"])
def test_malformed_first_frames_are_closed_cleanly(server, client, new_account, frame):
    acct = new_account()
    op = client.post("/operations", json={"kind": "organize"}, headers=acct.headers
                     ).json()["data"]["id"]
    with connect(f"{server.ws_base}/ws/operations/{op}", max_size=None) as ws:
        ws.send(frame)
        code, _ = close_of(ws)
    assert code == (4401 if frame == json.dumps({"token": 5}) else 4400)   # no usable token
    time.sleep(0.2)
    assert "Exception in ASGI application" not in server.log_text()
    assert "Traceback" not in server.log_text()
