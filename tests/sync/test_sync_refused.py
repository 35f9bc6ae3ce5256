"""Changes the server refuses stay visible with the reason until fixed or discarded; sync exits
1 meanwhile (the server's reason in plain words, the user fixes, retries or discards)."""

from __future__ import annotations

import dataclasses
import json

from sync_helpers import api_get, new_rule, rules_by_name, sign_in

from app.jobs import organize as jobs
from app.sync import refused
from app.sync.engine import run_sync, status_dict

LONG = "R" * 250     # the server takes names up to 200 characters


def test_refused_rule_stays_visible_until_fixed(sync_server, device, email, memory_keyring):
    a = device("A")
    account = sign_in(a, sync_server, email, register=True)
    new_rule(a, LONG)
    new_rule(a, "Fine")
    result = run_sync(a, account)
    assert not result.ok and result.refused == 1 and result.sent == 1
    assert "refused 1 change" in result.error
    status = status_dict(a)
    assert status["status"] == "1 change refused by the server" and status["waiting"] == 0
    [entry] = status["refused"]
    assert entry["kind"] == "rule" and entry["label"].startswith("Rule 'RRR")
    assert "name" in entry["reason"] and "200" in entry["reason"]
    assert "function-after" not in entry["reason"] and "constrained" not in entry["reason"]
    again = run_sync(a, account)                 # the next run does not clear it
    assert not again.ok and status_dict(a)["refused"] == [entry]
    # the user fixes it: renaming the rule queues it again, and its acceptance clears the entry
    rule = rules_by_name(a)[LONG]
    jobs.save_rule(a, dataclasses.replace(rule, name="Shorter name"))
    fixed = run_sync(a, account)
    assert fixed.ok and fixed.sent == 1 and status_dict(a)["refused"] == []
    names = sorted(r["name"] for r in api_get(sync_server, account, "/rules")["items"])
    assert names == ["Fine", "Shorter name"]


def test_sync_cli_lists_and_discards_refused(run_cli, sync_server, email, tmp_path):
    from test_sync_cli import keyring_env

    env = keyring_env(tmp_path)
    r = run_cli("login", "--server", sync_server.base, "--email", email, "--password-stdin",
                "--register", input="correct horse battery\n", env=env)
    assert r.returncode == 0, r.stderr
    rules = {"version": 1, "rules": [{"name": LONG, "actions": [{"type": "trash"}]}]}
    (tmp_path / "rules.json").write_text(json.dumps(rules))
    run_cli("rules", "import", str(tmp_path / "rules.json"), env=env, check=True)
    r = run_cli("sync", env=env)
    assert r.returncode == 1 and "Sent 0" in r.stdout
    assert "Refused: #" in r.stderr and "at most 200 characters" in r.stderr
    status = run_cli("sync", "--status", env=env)
    assert status.returncode == 1 and "Refused:       1 change" in status.stdout
    data = json.loads(run_cli("sync", "--status", "--format", "json", env=env).stdout)
    entry_id = data["refused"][0]["id"]
    assert run_cli("sync", "--discard", "999999", env=env).returncode == 2
    r = run_cli("sync", "--discard", str(entry_id), env=env)
    assert r.returncode == 0 and f"Discarded refused change #{entry_id}" in r.stdout
    status = run_cli("sync", "--status", env=env)
    assert status.returncode == 0 and "Refused" not in status.stdout
    assert run_cli("sync", env=env).returncode == 0


def test_retry_puts_a_refused_change_back(sync_server, device, email, memory_keyring):
    a = device("A")
    account = sign_in(a, sync_server, email, register=True)
    rule = new_rule(a, LONG)
    assert run_sync(a, account).refused == 1
    jobs.save_rule(a, dataclasses.replace(rules_by_name(a)[LONG], name="Fixed"))
    # the edit queued it already; retrying the entry too sends it once more: still one rule
    [entry] = refused.entries(a)
    assert refused.retry(a, entry["id"]) and not refused.retry(a, entry["id"])
    assert run_sync(a, account).ok
    items = api_get(sync_server, account, "/rules")["items"]
    assert [(r["id"], r["name"]) for r in items] == [(rule.uuid, "Fixed")]
