"""Custom categories both ways (table ``categories``). ``store.categories_repo`` bumps a row's
version on every local change and queues an outbox item (pushed by ``push_one``); a run also
compares each local row's version with the one last synced (setting ``sync.categories``), so
rows changed before the account was linked or by older code go up too, then the server's set
comes down.
A category changed on both sides: the later change wins. Whatever comes down re-classifies the
indexed files in the same transaction and becomes the active custom map."""

from __future__ import annotations

import json
import time
from datetime import datetime

from app.store import categories_repo
from app.sync.api import ApiError

STATE_KEY = "sync.categories"
COLUMNS = "uuid, name, extensions, version, updated_at, deleted"


def _rows(db) -> list[dict]:
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(f"SELECT {COLUMNS} FROM categories").fetchall()  # noqa: S608
    return [dict(zip(COLUMNS.split(", "), r, strict=True)) for r in rows]


def _remote_time(remote: dict) -> float:
    try:
        return datetime.fromisoformat(remote["updated_at"].replace("Z", "+00:00")).timestamp()
    except (KeyError, AttributeError, ValueError):
        return 0.0


class CategorySync:
    def __init__(self, db, account) -> None:
        self.db, self.account = db, account
        self.state: dict[str, dict] = dict(db.get_setting(STATE_KEY) or {})

    def run(self) -> int:
        """Push local changes, then apply the server's categories; returns how many came down."""
        for row in _rows(self.db):
            self._push(row)
        self.db.set_setting(STATE_KEY, self.state)
        received = self._pull()
        self.db.set_setting(STATE_KEY, self.state)
        return received

    def push_one(self, category_uuid: str) -> None:
        """Push one category now (its outbox item); the run's comparison then finds it sent."""
        for row in _rows(self.db):
            if row["uuid"] == category_uuid:
                self._push(row)
        self.db.set_setting(STATE_KEY, self.state)

    def _push(self, row: dict) -> None:
        known = self.state.get(row["uuid"])
        if known and known["local"] == row["version"]:
            return
        if row["deleted"]:
            if known:
                try:
                    self.account.call("DELETE", f"/categories/{row['uuid']}")
                except ApiError as exc:
                    if exc.status != 404:
                        raise
                self.state.pop(row["uuid"], None)
            return
        body = {"name": row["name"], "extensions": json.loads(row["extensions"])}
        try:
            if known is None:
                answer = self._create(row, body)
            else:
                answer = self.account.call("PUT", f"/categories/{row['uuid']}",
                                           json={**body, "version": known["server"]})
        except ApiError as exc:
            if exc.code != "version_conflict":
                raise
            remote = self.account.call("GET", f"/categories/{row['uuid']}")
            if _remote_time(remote) > float(row["updated_at"]):
                return   # the later change elsewhere wins: the pull brings it
            answer = self.account.call("PUT", f"/categories/{row['uuid']}", json=body)
        self.state[row["uuid"]] = {"server": answer["version"], "local": row["version"]}

    def _create(self, row: dict, body: dict) -> dict:
        try:
            return self.account.call("POST", "/categories", json={"id": row["uuid"], **body})
        except ApiError as exc:
            if exc.code != "name_taken":
                raise
        body["name"] = f"{row['name']} (from {self.account.info.device_name})"[:100]
        with self.db.engine.begin() as conn:
            before = categories_repo.custom_map(categories_repo.read_custom(conn))
            conn.exec_driver_sql("UPDATE categories SET name = ? WHERE uuid = ?", (body["name"], row["uuid"]))
            categories_repo.reclassify(conn, before)
        categories_repo.activate(self.db)
        return self.account.call("POST", "/categories", json={"id": row["uuid"], **body})

    def _pull(self) -> int:
        remote = self.account.call("GET", "/categories")
        seen, applied = set(), 0
        with self.db.engine.begin() as conn:
            before = categories_repo.custom_map(categories_repo.read_custom(conn))
            for item in remote:
                seen.add(item["id"])
                known = self.state.get(item["id"])
                if known and known["server"] == item["version"]:
                    continue
                name, exts = item["name"], json.dumps(item["extensions"])
                clash = conn.exec_driver_sql("SELECT 1 FROM categories WHERE name = ? COLLATE NOCASE "
                                             "AND uuid != ? AND deleted = 0", (name, item["id"])).first()
                if clash:
                    name = f"{name} (from server)"
                categories_repo.free_name(conn, name, item["id"])    # a deleted one's name is free
                found = conn.exec_driver_sql("SELECT version FROM categories WHERE uuid = ?",
                                             (item["id"],)).first()
                if found:
                    version = found[0] + 1
                    conn.exec_driver_sql("UPDATE categories SET name = ?, extensions = ?, version = ?, "
                                         "updated_at = ?, deleted = 0 WHERE uuid = ?",
                                         (name, exts, version, time.time(), item["id"]))
                else:
                    version = 1
                    conn.exec_driver_sql("INSERT INTO categories(uuid, name, extensions, version, "
                                         "updated_at, deleted) VALUES (?, ?, ?, 1, ?, 0)",
                                         (item["id"], name, exts, time.time()))
                self.state[item["id"]] = {"server": item["version"], "local": version}
                applied += 1
            for gone in [u for u in self.state if u not in seen]:
                conn.exec_driver_sql("UPDATE categories SET deleted = 1, version = version + 1, "
                                     "updated_at = ? WHERE uuid = ?", (time.time(), gone))
                self.state.pop(gone)
                applied += 1
            if applied:
                categories_repo.reclassify(conn, before)
        if applied:
            categories_repo.activate(self.db)
        return applied
