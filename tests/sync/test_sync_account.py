"""`fileorganizer account password | sign-out-everywhere | delete` against the real server."""

from __future__ import annotations

import httpx
from test_sync_cli import keyring_env

PASSWORD = "correct horse battery"
NEW_PASSWORD = "violet tractor umbrella"


def login(run_cli, server, email, env, password=PASSWORD, register=False):
    args = ["login", "--server", server.base, "--email", email, "--password-stdin"]
    return run_cli(*args, *(["--register"] if register else []), input=password + "\n", env=env)


def test_change_password_and_sign_out_everywhere(run_cli, sync_server, email, tmp_path):
    env = keyring_env(tmp_path)
    assert login(run_cli, sync_server, email, env, register=True).returncode == 0
    other = httpx.post(sync_server.base + "/api/v1/auth/login", timeout=30,
                       json={"email": email, "password": PASSWORD}).json()["data"]
    r = run_cli("account", "password", "--password-stdin", input=f"wrong one!\n{NEW_PASSWORD}\n",
                env=env)
    assert r.returncode == 1 and "The current password is wrong." in r.stderr
    r = run_cli("account", "password", "--password-stdin", input=f"{PASSWORD}\n12345678\n",
                env=env)
    assert r.returncode == 1 and "New password:" in r.stderr
    r = run_cli("account", "password", "--password-stdin", input=f"{PASSWORD}\n{NEW_PASSWORD}\n",
                env=env)
    assert r.returncode == 0 and "Password changed; 1 other sign-in ended." in r.stdout, r.stderr
    r = httpx.post(sync_server.base + "/api/v1/auth/refresh", timeout=30,
                   json={"refresh_token": other["refresh_token"]})
    assert r.status_code == 401
    assert run_cli("sync", env=env).returncode == 0          # this device goes on
    r = run_cli("account", "sign-out-everywhere", env=env)
    assert r.returncode == 0 and "1 sign-in ended, this one too" in r.stdout, r.stderr
    r = run_cli("sync", env=env)
    assert r.returncode == 1 and "Not signed in" in r.stderr
    assert login(run_cli, sync_server, email, env, NEW_PASSWORD).returncode == 0


def test_delete_account(run_cli, sync_server, email, tmp_path):
    env = keyring_env(tmp_path)
    assert login(run_cli, sync_server, email, env, register=True).returncode == 0
    r = run_cli("account", "delete", "--password-stdin", input=f"{PASSWORD}\n", env=env)
    assert r.returncode == 2 and "Not deleted" in r.stderr      # no confirmation: nothing done
    r = run_cli("account", "delete", "--yes", "--password-stdin", input=f"{PASSWORD}\n", env=env)
    assert r.returncode == 0, r.stderr
    assert f"The account {email} and its data on the server are deleted." in r.stdout
    status = run_cli("sync", "--status", "--format", "json", env=env)
    assert '"signed_in": false' in status.stdout and '"waiting": 0' in status.stdout
    r = httpx.post(sync_server.base + "/api/v1/auth/login", timeout=30,
                   json={"email": email, "password": PASSWORD})
    assert r.status_code == 401
