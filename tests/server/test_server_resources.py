"""Every resource: create, read, list, change, delete; client ids make retries idempotent; a user
never sees or changes another user's objects (404, not 403)."""

from __future__ import annotations

import uuid

import pytest


def data(r, status=200):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["success"] is True
    return body["data"]


def make_device(client, acct, name="laptop"):
    return data(client.post("/devices", json={"name": name, "platform": "linux"}, headers=acct.headers), 201)


def test_devices(client, new_account):
    acct = new_account()
    device_id = str(uuid.uuid4())
    d = data(client.post("/devices", json={"id": device_id, "name": "desk"}, headers=acct.headers), 201)
    assert d["id"] == device_id
    again = data(client.post("/devices", json={"id": device_id, "name": "desk"}, headers=acct.headers))
    assert again["id"] == device_id
    assert data(client.get(f"/devices/{device_id}", headers=acct.headers))["name"] == "desk"
    assert [x["id"] for x in data(client.get("/devices", headers=acct.headers))] == [device_id]
    data(client.delete(f"/devices/{device_id}", headers=acct.headers))
    assert client.get(f"/devices/{device_id}", headers=acct.headers).status_code == 404


def test_rules_crud_versions_and_changes_since(client, new_account):
    acct = new_account()
    h = acct.headers
    start = data(client.get("/rules", params={"since": 0}, headers=h))
    assert start == {"items": [], "cursor": 0}
    rule_id = str(uuid.uuid4())
    body = {"id": rule_id, "name": "PDFs", "priority": 2,
            "definition": {"match": {"extension": ["pdf"]}, "target": "{category}/{year}"}}
    rule = data(client.post("/rules", json=body, headers=h), 201)
    assert rule["version"] == 1 and rule["definition"] == body["definition"] and rule["updated_at"]
    assert data(client.post("/rules", json=body, headers=h))["id"] == rule_id  # retried push
    other = data(client.post("/rules", json={"name": "Images"}, headers=h), 201)
    cursor = data(client.get("/rules", params={"since": 0}, headers=h))["cursor"]
    assert cursor == 2

    updated = data(client.put(f"/rules/{rule_id}", json={**body, "name": "Papers", "version": 1},
                              headers=h))
    assert updated["version"] == 2 and updated["name"] == "Papers"
    r = client.put(f"/rules/{rule_id}", json={**body, "version": 1}, headers=h)
    assert r.status_code == 409 and r.json()["error"] == "version_conflict"

    changes = data(client.get("/rules", params={"since": cursor}, headers=h))
    assert [c["id"] for c in changes["items"]] == [rule_id] and changes["cursor"] == 3
    data(client.delete(f"/rules/{other['id']}", headers=h))
    changes = data(client.get("/rules", params={"since": changes["cursor"]}, headers=h))
    assert [(c["id"], c["deleted"]) for c in changes["items"]] == [(other["id"], True)]
    assert [x["id"] for x in data(client.get("/rules", headers=h))["items"]] == [rule_id]
    assert client.get(f"/rules/{other['id']}", headers=h).status_code == 404
    assert data(client.get(f"/rules/{rule_id}", headers=h))["name"] == "Papers"


def test_categories(client, new_account):
    acct = new_account()
    h = acct.headers
    c = data(client.post("/categories", json={"name": "Docs", "extensions": ["PDF", ".txt", "pdf"],
                                              "color": "#336699"}, headers=h), 201)
    assert c["extensions"] == [".pdf", ".txt"]
    r = client.post("/categories", json={"name": "Docs"}, headers=h)
    assert r.status_code == 409
    c2 = data(client.put(f"/categories/{c['id']}", json={"name": "Documents", "extensions": ["md"],
                                                         "version": 1}, headers=h))
    assert c2["version"] == 2 and c2["extensions"] == [".md"]
    assert [x["name"] for x in data(client.get("/categories", headers=h))] == ["Documents"]
    data(client.delete(f"/categories/{c['id']}", headers=h))
    assert data(client.get("/categories", headers=h)) == []


def test_scans_files_and_duplicates(client, new_account):
    acct = new_account()
    h = acct.headers
    device = make_device(client, acct)
    scan_id = str(uuid.uuid4())
    scan = {"id": scan_id, "device_id": device["id"], "roots": ["/home/u/Downloads"], "total_files": 3,
            "total_bytes": 3000, "by_category": {"Documents": {"files": 2, "bytes": 2000}},
            "by_extension": {".pdf": {"files": 2, "bytes": 2000}}, "by_age": {"<30d": {"files": 3,
                                                                                       "bytes": 3000}}}
    s = data(client.post("/scans", json=scan, headers=h), 201)
    assert s["by_category"]["Documents"] == {"files": 2, "bytes": 2000}
    assert data(client.post("/scans", json=scan, headers=h))["id"] == scan_id
    files = [{"path": "/home/u/Downloads/a 100%.pdf", "size": 1000, "category": "Documents",
              "hash": "AB" * 16},
             {"path": "/home/u/Downloads/b_copy.pdf", "size": 1000, "category": "Documents",
              "hash": "ab" * 16, "mtime": "2026-01-02T03:04:05+01:00"},
             {"path": "/home/u/Downloads/c.jpg", "size": 1000, "category": "Images"}]
    assert data(client.post(f"/scans/{scan_id}/files", json={"files": files}, headers=h))["received"] == 3
    data(client.post(f"/scans/{scan_id}/files", json={"files": files}, headers=h))  # a retry: no dups
    found = data(client.get("/files", params={"scan_id": scan_id}, headers=h))
    assert found["total"] == 3
    assert found["items"][1]["mtime"] == "2026-01-02T02:04:05Z"
    assert data(client.get("/files", params={"q": "100%"}, headers=h))["total"] == 1
    assert data(client.get("/files", params={"q": "_copy"}, headers=h))["total"] == 1
    assert data(client.get("/files", params={"category": "Documents", "device_id": device["id"]},
                           headers=h))["total"] == 2
    assert data(client.get("/files", params={"hash": "AB" * 16}, headers=h))["total"] == 2
    page = data(client.get("/files", params={"per_page": 2, "page": 2}, headers=h))
    assert len(page["items"]) == 1 and page["total"] == 3

    groups = {"groups": [{"hash": "ab" * 16, "size": 1000, "paths": [f["path"] for f in files[:2]]},
                         {"hash": "cd" * 16, "size": 5, "paths": ["/x/1", "/x/2", "/x/3"]}]}
    stored = data(client.put(f"/scans/{scan_id}/duplicates", json=groups, headers=h))
    assert stored["reclaimable_bytes"] == 1010
    dups = data(client.get("/duplicates", params={"scan_id": scan_id}, headers=h))
    assert dups["reclaimable_bytes"] == 1010 and dups["total"] == 2
    assert dups["items"][0]["reclaimable_bytes"] == 1000
    listed = data(client.get("/scans", params={"device_id": device["id"]}, headers=h))
    assert [x["id"] for x in listed["items"]] == [scan_id]
    data(client.delete(f"/scans/{scan_id}", headers=h))
    assert data(client.get("/files", headers=h))["total"] == 0
    assert data(client.get("/duplicates", headers=h))["reclaimable_bytes"] == 0


def test_operations_are_idempotent_by_client_uuid(client, new_account):
    acct = new_account()
    h = acct.headers
    device = make_device(client, acct)
    op_id = str(uuid.uuid4())
    body = {"id": op_id, "device_id": device["id"], "kind": "organize", "status": "completed",
            "progress": 100, "summary": {"moved": 12, "errors": []}}
    op = data(client.post("/operations", json=body, headers=h), 201)
    assert op["id"] == op_id
    for _ in range(2):
        assert data(client.post("/operations", json=body, headers=h))["id"] == op_id
    listed = data(client.get("/operations", params={"device_id": device["id"]}, headers=h))
    assert listed["total"] == 1
    patched = data(client.patch(f"/operations/{op_id}", json={"message": "undone"}, headers=h))
    assert patched["message"] == "undone" and patched["progress"] == 100
    assert data(client.get("/operations", params={"status": "completed"}, headers=h))["total"] == 1
    data(client.delete(f"/operations/{op_id}", headers=h))
    assert client.get(f"/operations/{op_id}", headers=h).status_code == 404


@pytest.mark.parametrize("kind", ["devices", "rules", "categories", "scans", "operations", "reports"])
def test_cross_user_isolation(client, new_account, kind):
    owner, intruder = new_account(), new_account()
    device = make_device(client, owner)
    bodies = {"devices": {"name": "mine"}, "rules": {"name": "r"}, "categories": {"name": "c"},
              "scans": {"device_id": device["id"]}, "operations": {"kind": "dedup"},
              "reports": {"title": "t"}}
    obj = data(client.post(f"/{kind}", json=bodies[kind], headers=owner.headers), 201)
    url = f"/{kind}/{obj['id']}"
    h = intruder.headers
    r = client.get(url, headers=h)
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert client.delete(url, headers=h).status_code == 404
    if kind in ("rules", "categories"):
        assert client.put(url, json=bodies[kind], headers=h).status_code == 404
    if kind == "operations":
        assert client.patch(url, json={"progress": 5}, headers=h).status_code == 404
    if kind == "scans":
        r = client.post(f"{url}/files", json={"files": [{"path": "/a"}]}, headers=h)
        assert r.status_code == 404
        assert client.get("/files", params={"scan_id": obj["id"]}, headers=h).status_code == 404
        assert client.get("/duplicates", params={"scan_id": obj["id"]}, headers=h).status_code == 404
    if kind == "reports":
        assert client.get(f"{url}/export", params={"format": "html"}, headers=h).status_code == 404
    # The intruder cannot file things under the owner's device or reuse the owner's ids.
    r = client.post("/scans", json={"device_id": device["id"]}, headers=h)
    assert r.status_code == 404
    r = client.post(f"/{kind}", json={**bodies[kind], "id": obj["id"]}, headers=h)
    assert r.status_code in (404, 409)
    listed = client.get(f"/{kind}", headers=h).json()["data"]
    items = listed["items"] if isinstance(listed, dict) else listed
    assert items == []
    assert client.get(url, headers=owner.headers).status_code == 200


def test_concurrent_change_and_delete_never_500(server, new_account):
    """A PATCH racing a DELETE of the same operation answers 200 or 404, never 500."""
    import concurrent.futures

    import httpx

    acct = new_account()
    with httpx.Client(base_url=server.base + "/api/v1", timeout=30, headers=acct.headers) as c:
        ids = [c.post("/operations", json={"kind": "organize"}).json()["data"]["id"] for _ in range(15)]

        def patch(op):
            return c.patch(f"/operations/{op}", json={"progress": 50}).status_code

        def delete(op):
            return c.delete(f"/operations/{op}").status_code

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(f, op) for op in ids for f in (patch, delete, patch)]
            codes = {f.result() for f in futures}
    assert codes <= {200, 404}, codes
