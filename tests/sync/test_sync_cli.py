"""`fileorganizer login / sync / sync --status / logout` in subprocesses against the real server."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sync_fixtures import stopped

HERE = Path(__file__).resolve().parent


def keyring_env(tmp_path) -> dict:
    return {"PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring",
            "FO_TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
            "PYTHONPATH": os.pathsep.join([str(HERE.parents[1]), str(HERE)])}


def test_login_sync_status_logout(run_cli, sync_server, email, tmp_path):
    env = keyring_env(tmp_path)
    bad = run_cli("login", "--server", "http://example.org", "--email", email, "--password-stdin",
                  input="correct horse battery\n", env=env)
    assert bad.returncode == 2 and "https" in bad.stderr
    r = run_cli("login", "--server", sync_server.base, "--email", email, "--password-stdin",
                "--register", "--device-name", "CLI box", input="correct horse battery\n", env=env)
    assert r.returncode == 0, r.stderr
    assert "CLI box" in r.stdout
    stored = json.loads((tmp_path / "keyring.json").read_text())
    assert len(stored) == 1
    token = next(iter(stored.values())).encode()
    home = Path(os.environ["FILEORGANIZER_HOME"])
    written = [p for p in home.rglob("*") if p.is_file()]
    assert written and not any(token in p.read_bytes() for p in written)   # db, WAL, settings
    rule = {"version": 1, "rules": [{"name": "CLI rule", "actions": [{"type": "move", "to": "Text"}],
                                     "conditions": [{"type": "extension", "extensions": ["txt"]}]}]}
    (tmp_path / "rules.json").write_text(json.dumps(rule))
    imported = run_cli("rules", "import", str(tmp_path / "rules.json"), env=env)
    assert imported.returncode == 0, imported.stderr
    status = run_cli("sync", "--status", "--format", "json", env=env)
    assert status.returncode == 1 and json.loads(status.stdout)["waiting"] == 1
    r = run_cli("sync", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Sent 1" in r.stdout
    status = run_cli("sync", "--status", env=env)
    assert status.returncode == 0 and "Up to date" in status.stdout
    assert run_cli("logout", env=env).returncode == 0
    assert json.loads((tmp_path / "keyring.json").read_text()) == {}
    r = run_cli("sync", env=env)
    assert r.returncode == 1 and "Not signed in" in r.stderr


def test_sync_exit_1_while_server_is_down(run_cli, tmp_path, email):
    from sync_fixtures import start_server

    server = start_server(tmp_path / "server")
    env = keyring_env(tmp_path)
    try:
        r = run_cli("login", "--server", server.base, "--email", email, "--password-stdin",
                    "--register", input="correct horse battery\n", env=env)
        assert r.returncode == 0, r.stderr
        rule = {"version": 1, "rules": [{"name": "Waits", "actions": [{"type": "trash"}]}]}
        (tmp_path / "rules.json").write_text(json.dumps(rule))
        assert run_cli("rules", "import", str(tmp_path / "rules.json"), env=env).returncode == 0
        with stopped(server) as restarted:
            r = run_cli("sync", env=env)
            assert r.returncode == 1 and "offline, 1 change waiting" in r.stdout
        server = restarted["server"]
        r = run_cli("sync", env=env)
        assert r.returncode == 0 and "Sent 1" in r.stdout
    finally:
        server.stop()


def test_two_processes_refresh_one_at_a_time(run_cli, sync_server, email, tmp_path):
    """Each CLI run refreshes the rotating token; two at once must not look like a stolen token."""
    import subprocess
    import sys

    env = keyring_env(tmp_path)
    r = run_cli("login", "--server", sync_server.base, "--email", email, "--password-stdin",
                "--register", input="correct horse battery\n", env=env)
    assert r.returncode == 0, r.stderr
    full_env = {**os.environ, **env}
    procs = [subprocess.Popen([sys.executable, "-m", "app.cli", "sync"], env=full_env,
                              cwd=HERE.parents[1], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(3)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    status = run_cli("sync", "--status", "--format", "json", env=env)
    assert json.loads(status.stdout)["signed_in"]
