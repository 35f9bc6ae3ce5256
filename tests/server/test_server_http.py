"""The envelope and error shapes, security headers, size limits, health, readiness, metrics, docs,
report exports (HTML escaping)."""

from __future__ import annotations

import csv
import io
import json
import time

import httpx

ERROR_KEYS = {"error", "message", "status", "timestamp"}


def assert_error(r, status, code=None):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == ERROR_KEYS and body["status"] == status
    assert "Traceback" not in r.text
    if code:
        assert body["error"] == code
    return body


def test_error_shapes(client, new_account):
    acct = new_account()
    assert_error(client.get("/no/such/route"), 404, "not_found")
    assert_error(client.delete("/auth/me", headers=acct.headers), 405, "method_not_allowed")
    assert_error(client.get("/devices"), 401, "unauthorized")
    assert_error(client.get("/devices", headers={"Authorization": "Bearer nonsense"}), 401, "invalid_token")
    assert_error(client.get("/devices/not-a-uuid", headers=acct.headers), 422, "validation_error")
    body = assert_error(client.post("/devices", json={"name": ""}, headers=acct.headers), 422)
    assert "name" in body["message"]
    assert_error(client.post("/devices", content=b"{not json", headers={**acct.headers,
                                                                      "content-type": "application/json"}),
                 422)
    assert_error(client.post("/rules", json={"name": "x\u0000y"}, headers=acct.headers), 422)
    assert_error(client.post("/rules", json={"name": "n", "definition": {"a": 2**70}}, headers=acct.headers),
                 422)
    assert_error(client.get("/files", params={"page": 0}, headers=acct.headers), 422)


def test_security_headers_everywhere(server, client):
    for r in (client.get("/no/such/route"), httpx.get(server.base + "/health"), client.get("/auth/me")):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_request_size_limit(server, client, new_account):
    acct = new_account()
    big = {"files": [{"path": "/p/" + "x" * 4000, "size": 1} for _ in range(400)]}  # ~1.6 MB
    assert_error(client.post("/devices", json=big, headers=acct.headers), 413, "payload_too_large")

    def chunks():  # no Content-Length: the server counts the streamed body
        for _ in range(40):
            yield b" " * 65536

    r = httpx.post(server.base + "/api/v1/devices", content=chunks(),
                   headers={**acct.headers, "content-type": "application/json"})
    assert_error(r, 413, "payload_too_large")


def test_health_ready_metrics_docs(stack, server, client):
    assert httpx.get(server.base + "/health").json()["data"]["status"] == "ok"
    ready = httpx.get(server.base + "/ready").json()["data"]
    assert ready["status"] == "ready"
    assert ready["database"] == ("postgresql" if stack.postgres else "sqlite")
    assert ready["redis"] is (stack.redis is not None)
    client.get("/auth/me")
    metrics = httpx.get(server.base + "/metrics").text
    assert 'http_requests_total{method="GET",route="/api/v1/auth/me",status="401"}' in metrics
    assert "http_request_duration_seconds_bucket" in metrics
    assert 'http_errors_total{method="GET",route="/api/v1/auth/me",status="401"}' in metrics
    assert "swagger" in httpx.get(server.base + "/docs").text.lower()
    schema = httpx.get(server.base + "/openapi.json").json()
    assert len([p for p in schema["paths"] if p.startswith("/api/v1/")]) >= 16


def logged_requests(server) -> list[dict]:
    lines = [json.loads(line) for line in server.log_text().splitlines() if line.startswith("{")]
    return [x["request"] for x in lines if x.get("msg") == "request"]


def test_json_logs(server, client):
    client.get("/health-check-for-logs")
    for _ in range(50):  # the line is written just after the response is sent
        if any(x["path"] == "/api/v1/health-check-for-logs" and x["status"] == 404
               for x in logged_requests(server)):
            break
        time.sleep(0.1)
    else:
        raise AssertionError(server.log_text()[-2000:])


NASTY = '<script>alert("x")</script> & \'quotes\''


def test_report_exports_escape_names(client, new_account):
    acct = new_account()
    h = acct.headers
    report = {"title": "Downloads " + NASTY, "summary": {"files": 2, NASTY: "=cmd|' /C calc'!A0"},
              "tables": [{"name": "Largest files", "columns": ["path", "size"],
                          "rows": [[f"/home/u/{NASTY}.pdf", 1234], ["/home/u/<img src=x onerror=1>", 5]]}]}
    rid = client.post("/reports", json=report, headers=h).json()["data"]["id"]
    assert client.get(f"/reports/{rid}", headers=h).json()["data"]["tables"][0]["rows"][1][1] == 5
    listed = client.get("/reports", headers=h).json()["data"]
    assert listed["total"] == 1 and "tables" not in listed["items"][0]

    r = client.get(f"/reports/{rid}/export", params={"format": "html"}, headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<script>" not in r.text and "<img" not in r.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in r.text
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["content-disposition"].startswith("attachment; filename=")

    r = client.get(f"/reports/{rid}/export", params={"format": "csv"}, headers=h)
    rows = list(csv.reader(io.StringIO(r.text)))
    assert [f"/home/u/{NASTY}.pdf", "1234"] in rows
    assert [NASTY, "'=cmd|' /C calc'!A0"] in rows  # no spreadsheet formula

    r = client.get(f"/reports/{rid}/export", params={"format": "json"}, headers=h)
    assert json.loads(r.text)["summary"][NASTY] == "=cmd|' /C calc'!A0"
    assert_error(client.get(f"/reports/{rid}/export", params={"format": "pdf"}, headers=h), 422)
    client.delete(f"/reports/{rid}", headers=h)
    assert_error(client.get(f"/reports/{rid}", headers=h), 404)


def test_trusted_proxy_forwarded_address(stack, start_server):
    """Behind a trusted load balancer the client's own address is audited (and rate limited)."""
    proxied = start_server(stack, {"FO_SERVER_FORWARDED_ALLOW_IPS": "127.0.0.1"})
    with httpx.Client(base_url=proxied.base + "/api/v1", timeout=30,
                      headers={"X-Forwarded-For": "203.0.113.7"}) as c:
        r = c.post("/auth/register", json={"email": f"proxy-{time.time_ns()}@example.org",
                                           "password": "long enough password"})
        h = {"Authorization": "Bearer " + r.json()["data"]["access_token"]}
        assert c.get("/audit", headers=h).json()["data"]["items"][0]["ip"] == "203.0.113.7"
