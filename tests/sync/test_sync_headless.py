"""The command line on a machine without a keyring (keyring's fail backend, as on servers and CI):
`login` then `sync` works, the sign-in lives in a 0600 file that `logout` removes; an offline
`logout` keeps the waiting changes and ends the sign-in once the server answers again."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
from sync_fixtures import start_server, stopped

PASSWORD = "correct horse battery\n"
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def token_file(app_home: Path) -> Path:
    return app_home / "config" / "sync-credentials.json"


def stored_token(app_home: Path) -> str:
    tokens = json.loads(token_file(app_home).read_text())["tokens"]
    assert len(tokens) == 1
    return next(iter(tokens.values()))


def import_rule(run_cli, tmp_path, name: str) -> None:
    rule = {"version": 1, "rules": [{"name": name, "actions": [{"type": "move", "to": "Text"}],
                                     "conditions": [{"type": "extension", "extensions": ["txt"]}]}]}
    (tmp_path / "rules.json").write_text(json.dumps(rule))
    run_cli("rules", "import", str(tmp_path / "rules.json"), env=NO_KEYRING, check=True)


def test_login_then_sync_without_a_keyring(run_cli, sync_server, email, tmp_path, app_home):
    r = run_cli("login", "--server", sync_server.base, "--email", email, "--password-stdin",
                "--register", input=PASSWORD, env=NO_KEYRING)
    assert r.returncode == 0, r.stderr
    out = r.stdout + r.stderr
    assert out.count("No system keyring is available") == 1       # said once, on its own line
    assert f"kept in {token_file(app_home)}, a file only you can read.\n" in r.stdout
    path = token_file(app_home)
    assert os.name == 'nt' or path.stat().st_mode & 0o777 == 0o600
    token = stored_token(app_home).encode()
    written = [p for p in app_home.rglob("*") if p.is_file() and p != path]
    assert not any(token in p.read_bytes() for p in written)     # database, WAL, settings

    import_rule(run_cli, tmp_path, "Headless rule")
    r = run_cli("sync", env=NO_KEYRING)                           # the very next command
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Sent 1" in r.stdout and "Up to date" in r.stdout
    status = run_cli("sync", "--status", env=NO_KEYRING)
    assert status.returncode == 0 and str(path) in status.stdout

    r = run_cli("logout", env=NO_KEYRING)
    assert r.returncode == 0 and f"Signed out of {sync_server.base}." in r.stdout
    assert not path.exists()

    r = run_cli("login", "--server", sync_server.base, "--email", email, "--password-stdin",
                "--no-store", input=PASSWORD, env=NO_KEYRING)
    assert r.returncode == 0, r.stderr
    assert "not stored" in r.stdout and not path.exists()
    r = run_cli("sync", env=NO_KEYRING)
    assert r.returncode == 1 and "not stored" in r.stderr


def test_offline_logout_keeps_changes_and_revokes_later(run_cli, email, tmp_path, app_home):
    server = start_server(tmp_path / "server")
    try:
        r = run_cli("login", "--server", server.base, "--email", email, "--password-stdin",
                    "--register", input=PASSWORD, env=NO_KEYRING)
        assert r.returncode == 0, r.stderr
        import_rule(run_cli, tmp_path, "Waits for the next sign-in")
        token = stored_token(app_home)
        with stopped(server) as restarted:
            r = run_cli("logout", env=NO_KEYRING)
            assert r.returncode == 1
            assert "could not be reached" in r.stdout and "stays valid" in r.stderr
            assert "1 change will be sent after your next sign-in" in r.stdout
            status = run_cli("sync", "--status", "--format", "json", env=NO_KEYRING)
            data = json.loads(status.stdout)
            assert data["waiting"] == 1 and data["revoke_pending"] == 1
            assert not data["signed_in"]
        server = restarted["server"]
        # still valid on the server until the client reaches it again...
        refresh = httpx.post(server.base + "/api/v1/auth/refresh", json={"refresh_token": token})
        assert refresh.status_code == 200
        token = refresh.json()["data"]["refresh_token"]
        tokens = {"version": 1, "tokens": {k: token for k in json.loads(
            token_file(app_home).read_text())["tokens"]}}
        token_file(app_home).write_text(json.dumps(tokens))       # as if the client had rotated it
        r = run_cli("sync", env=NO_KEYRING)                        # ...which any command does
        assert r.returncode == 1 and "Not signed in" in r.stderr
        r = httpx.post(server.base + "/api/v1/auth/refresh", json={"refresh_token": token})
        assert r.status_code == 401 and r.json()["error"] == "token_revoked"
        assert not token_file(app_home).exists()
        status = json.loads(run_cli("sync", "--status", "--format", "json",
                                    env=NO_KEYRING).stdout)
        assert status["revoke_pending"] == 0 and status["waiting"] == 1
        # the waiting change goes out after the next sign-in of the same account
        r = run_cli("login", "--server", server.base, "--email", email, "--password-stdin",
                    input=PASSWORD, env=NO_KEYRING)
        assert r.returncode == 0, r.stderr
        r = run_cli("sync", env=NO_KEYRING)
        assert r.returncode == 0 and "Sent 1" in r.stdout, r.stdout + r.stderr
    finally:
        server.stop()


def test_offline_logout_without_stored_token_is_not_revoked(device, email, tmp_path):
    """`--no-store` and offline: nothing to revoke it with later, and the result says so."""
    from app.sync.account import Account

    server = start_server(tmp_path / "server")
    try:
        a = device("A")
        account = Account(a)
        account.sign_in(server.base, email, PASSWORD.strip(), register=True, store=False)
        with stopped(server) as restarted:
            result = account.sign_out()
            assert not result.revoked and not result.pending
            assert Account(a).pending_revocations() == []
        server = restarted["server"]
    finally:
        server.stop()
