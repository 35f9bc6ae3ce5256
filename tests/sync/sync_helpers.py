"""Small helpers of the sync tests: make rules, read them back, sign a device in."""

from __future__ import annotations

import httpx

from app.core.organize.rules import rule_from_dict
from app.jobs import organize as jobs
from app.sync.account import Account

PASSWORD = "correct horse battery"


def new_rule(db, name: str, ext: str = "pdf"):
    rule = rule_from_dict({"name": name, "conditions": [{"type": "extension", "extensions": [ext]}],
                           "actions": [{"type": "move", "to": "{category}"}]})
    return jobs.save_rule(db, rule)


def names(db) -> list[str]:
    return sorted(r.name for r in jobs.saved_rules(db))


def rules_by_name(db) -> dict:
    return {r.name: r for r in jobs.saved_rules(db)}


def sign_in(db, server, email, *, register=False, device_name=None) -> Account:
    account = Account(db)
    account.sign_in(server.base, email, PASSWORD, register=register, device_name=device_name)
    return account


def api_get(server, account: Account, path: str, **params):
    """Read the server directly with the account's current access token."""
    token = account.access_token()
    r = httpx.get(server.base + "/api/v1" + path, params=params,
                  headers={"Authorization": f"Bearer {token}"}, timeout=10)
    r.raise_for_status()
    return r.json()["data"]
