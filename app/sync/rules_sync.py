"""Rules both ways: push one local rule (create, replace, delete), pull the server's changes.

The server keeps a version per rule; the client remembers the version it last saw (setting
``sync.rules``) and the pull cursor (``sync.cursor``). A push whose version is stale is a
conflict: the later edit wins and the other side's version is kept as a disabled copy named
"<rule> (from <device>)", so nothing is lost. Rules pulled from the server are written
without queuing them again.
"""

from __future__ import annotations

import json
import time
import uuid as _uuid

from app.core.organize.rules import RuleError, rule_from_dict, rule_to_dict
from app.store import outbox
from app.sync.api import ApiError

STATE_KEY = "sync.rules"
CURSOR_KEY = "sync.cursor"
COLUMNS = "uuid, name, position, enabled, body, updated_at, deleted"


def reset_state(db) -> None:
    db.set_setting(STATE_KEY, {})
    db.set_setting("sync.categories", {})
    db.set_setting(CURSOR_KEY, 0)


def queue_all_rules(db) -> int:
    """Queue every local rule (first sign-in of this device): they all go to the server."""
    with db.engine.begin() as conn:
        uuids = [r[0] for r in conn.exec_driver_sql(
            "SELECT uuid FROM rules WHERE deleted = 0 ORDER BY position, id").fetchall()]
        for rule_uuid in uuids:
            outbox.rule_changed(conn, rule_uuid)
    return len(uuids)


def _row(db, rule_uuid: str) -> dict | None:
    with db.engine.connect() as conn:
        row = conn.exec_driver_sql(f"SELECT {COLUMNS} FROM rules WHERE uuid = ?",  # noqa: S608
                                   (rule_uuid,)).first()
    return dict(zip(COLUMNS.split(", "), row, strict=True)) if row else None


def _payload(row: dict, device: str) -> dict:
    return {"name": row["name"], "enabled": bool(row["enabled"]), "priority": int(row["position"]),
            "definition": {"rule": json.loads(row["body"]), "position": int(row["position"]),
                           "edited_at": float(row["updated_at"]), "device": device}}


class RuleSync:
    """Pushes and pulls rules for one signed-in Account."""

    def __init__(self, db, account) -> None:
        self.db, self.account = db, account
        self.versions: dict[str, int] = dict(db.get_setting(STATE_KEY) or {})
        self.copies = 0        # conflict copies made in this run
        self.pulled = 0

    def _saw(self, rule_uuid: str, version: int | None) -> None:
        if version is None:
            self.versions.pop(rule_uuid, None)
        else:
            self.versions[rule_uuid] = int(version)
        self.db.set_setting(STATE_KEY, self.versions)

    # --- push -------------------------------------------------------------------------------
    def push(self, rule_uuid: str) -> None:
        """Send the rule as it is now. Raises Offline/SignedOut (retry later) or ApiError."""
        row = _row(self.db, rule_uuid)
        if row is None:
            return
        known = self.versions.get(rule_uuid)
        if row["deleted"]:
            if known is not None:
                self._push_delete(row, known)
            return
        body = _payload(row, self.account.info.device_name)
        if known is None:
            answer = self.account.call("POST", "/rules", json={"id": rule_uuid, **body})
            if answer["definition"] == body["definition"] or answer["deleted"]:
                self._saw(rule_uuid, answer["version"])
                return
            known = answer["version"]  # an earlier push of this rule arrived: update it
        try:
            answer = self.account.call("PUT", f"/rules/{rule_uuid}", json={**body, "version": known})
        except ApiError as exc:
            if exc.code == "version_conflict":
                return self._conflict(row, body)
            if exc.status == 404:   # deleted on another device meanwhile: keep the edit as new
                return self._recreate(row)
            raise
        self._saw(rule_uuid, answer["version"])

    def _push_delete(self, row: dict, known: int) -> None:
        rule_uuid = row["uuid"]
        try:
            self.account.call("DELETE", f"/rules/{rule_uuid}", params={"version": known})
        except ApiError as exc:
            if exc.status == 404:
                pass
            elif exc.code == "version_conflict":
                remote = self.account.call("GET", f"/rules/{rule_uuid}")
                if _edited_at(remote) > float(row["updated_at"]):
                    self._apply(remote)      # the later edit elsewhere beats this deletion
                    self._saw(rule_uuid, remote["version"])
                    return
                self.account.call("DELETE", f"/rules/{rule_uuid}")
            else:
                raise
        self._saw(rule_uuid, None)

    def _conflict(self, row: dict, body: dict) -> None:
        rule_uuid = row["uuid"]
        try:
            remote = self.account.call("GET", f"/rules/{rule_uuid}")
        except ApiError as exc:
            if exc.status == 404:
                return self._recreate(row)
            raise
        if float(row["updated_at"]) >= _edited_at(remote):
            device = remote["definition"].get("device") or "another device"
            self._copy(remote["definition"].get("rule") or {}, remote["name"], device,
                       remote["priority"])
            answer = self.account.call("PUT", f"/rules/{rule_uuid}",
                                       json={**body, "version": remote["version"]})
            self._saw(rule_uuid, answer["version"])
        else:
            self._copy(json.loads(row["body"]), row["name"], self.account.info.device_name,
                       row["position"])
            self._apply(remote)
            self._saw(rule_uuid, remote["version"])

    def _recreate(self, row: dict) -> None:
        """The rule is gone on the server but was edited here: keep it under a new id."""
        new_uuid = str(_uuid.uuid4())
        body = json.loads(row["body"])
        body["uuid"] = new_uuid
        with self.db.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE rules SET uuid = ?, body = ? WHERE uuid = ?",
                                 (new_uuid, json.dumps(body, ensure_ascii=False), row["uuid"]))
            outbox.rule_changed(conn, new_uuid)
        self._saw(row["uuid"], None)

    def _copy(self, rule_dict: dict, name: str, device: str, position: int) -> None:
        """Keep the losing version as a disabled copy (queued, so every device gets it)."""
        copy_name = f"{name} (from {device})"
        copy = {**rule_dict, "name": copy_name, "enabled": False, "uuid": str(_uuid.uuid4())}
        try:
            rule_from_dict(copy)
        except RuleError:
            return
        with self.db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO rules(uuid, name, position, enabled, body, version, updated_at, deleted) "
                "VALUES (?, ?, ?, 0, ?, 1, ?, 0)",
                (copy["uuid"], copy_name, int(position), json.dumps(copy, ensure_ascii=False),
                 time.time()))
            outbox.rule_changed(conn, copy["uuid"])
        self.copies += 1

    # --- pull -------------------------------------------------------------------------------
    def pull(self) -> int:
        """Apply the server's rule changes since the cursor; returns how many were applied."""
        cursor = int(self.db.get_setting(CURSOR_KEY, 0) or 0)
        data = self.account.call("GET", "/rules", params={"since": cursor})
        applied = 0
        for item in data["items"]:
            rule_uuid = item["id"]
            if self.versions.get(rule_uuid) == item["version"]:
                continue  # our own change coming back
            if outbox.has_pending_rule(self.db, rule_uuid):
                continue  # changed here too: the next push settles the conflict
            if item["deleted"]:
                with self.db.engine.begin() as conn:
                    conn.exec_driver_sql("UPDATE rules SET deleted = 1, updated_at = ?, "
                                         "version = version + 1 WHERE uuid = ?",
                                         (time.time(), rule_uuid))
                self._saw(rule_uuid, None)
            elif self._apply(item):
                self._saw(rule_uuid, item["version"])
            else:
                continue
            applied += 1
        self.db.set_setting(CURSOR_KEY, int(data["cursor"]))
        self.pulled += applied
        return applied

    def _apply(self, remote: dict) -> bool:
        """Write the server's version of a rule locally (not queued). False if it is unusable."""
        definition = remote.get("definition") or {}
        rule_dict = {**(definition.get("rule") or {}), "name": remote["name"],
                     "enabled": bool(remote["enabled"]), "uuid": remote["id"]}
        try:
            rule = rule_from_dict(rule_dict)
        except RuleError:
            return False
        body = json.dumps(rule_to_dict(rule), ensure_ascii=False)
        position = int(definition.get("position", remote.get("priority", 0)))
        edited = _edited_at(remote) or time.time()
        with self.db.engine.begin() as conn:
            found = conn.exec_driver_sql("SELECT id FROM rules WHERE uuid = ?", (rule.uuid,)).first()
            if found:
                conn.exec_driver_sql(
                    "UPDATE rules SET name = ?, position = ?, enabled = ?, body = ?, updated_at = ?, "
                    "deleted = 0, version = version + 1 WHERE id = ?",
                    (rule.name, position, rule.enabled, body, edited, found[0]))
            else:
                conn.exec_driver_sql(
                    "INSERT INTO rules(uuid, name, position, enabled, body, version, updated_at, "
                    "deleted) VALUES (?, ?, ?, ?, ?, 1, ?, 0)",
                    (rule.uuid, rule.name, position, rule.enabled, body, edited))
        return True


def _edited_at(remote: dict) -> float:
    try:
        return float((remote.get("definition") or {}).get("edited_at") or 0)
    except (TypeError, ValueError):
        return 0.0
