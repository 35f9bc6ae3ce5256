"""schemathesis generates requests from the server's own OpenAPI schema: none may end in a 5xx."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_no_server_errors_for_generated_requests(server, new_account, tmp_path):
    if shutil.which("schemathesis") is None and not _module_available():
        pytest.fail("schemathesis is not installed: pip install -e '.[dev]'")
    token = new_account().tokens["access_token"]
    cmd = [sys.executable, "-m", "schemathesis.cli", "run", server.base + "/openapi.json",
           "--header", f"Authorization: Bearer {token}", "--checks", "not_a_server_error",
           "--max-examples", "5", "--phases", "coverage,fuzzing", "--workers", "2", "--seed", "1",
           "--generation-database", "none", "--no-color", "--request-timeout", "30"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:] + "\n--- server log ---\n" + server.log_text()[-4000:]
    assert "passed" in out


def _module_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("schemathesis") is not None
