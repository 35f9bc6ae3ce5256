"""`--self-test` from a source checkout: every check passes, a failure exits 1, no console is fine."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app import selftest
from tests.packaging.pkg_helpers import ROOT


def _env(home) -> dict:
    return {**os.environ, "FILEORGANIZER_HOME": str(home), "PYTHONPATH": str(ROOT)}


def test_self_test_passes_and_prints_a_line_per_check(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "app", "--self-test"], capture_output=True, text=True,
                          env=_env(tmp_path / "home"), cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    for name, _ in selftest.CHECKS:
        # N/A: a check this machine cannot run (no system keyring, e.g. headless Linux)
        ok = (f"PASS {name}: ", f"N/A {name}: ")
        assert any(line.startswith(ok) for line in lines), (name, proc.stdout)
    assert lines[-1] == "all checks passed"
    # it worked on a temporary folder: the app home given to it was not touched
    assert not (tmp_path / "home").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="closes POSIX file descriptors through bash")
def test_self_test_without_a_console_writes_a_log(tmp_path):
    # fd 1 and 2 closed, as in a windowed frozen app: sys.stdout and sys.stderr are None
    home = tmp_path / "home"
    proc = subprocess.run(["bash", "-c", f'exec 1>&- 2>&-; exec "{sys.executable}" -m app.selftest'],
                          env=_env(home), cwd=ROOT, timeout=120)
    assert proc.returncode == 0
    log = (home / "logs" / "selftest.log").read_text()
    assert "PASS watcher:" in log and log.rstrip().endswith("all checks passed")


def test_a_failing_check_fails_the_self_test(monkeypatch, tmp_path):
    def broken(_tmp):
        raise OSError("disk on fire")

    monkeypatch.setattr(selftest, "CHECKS", [("hashing", selftest.check_hashing), ("broken", broken)])
    monkeypatch.setenv("FILEORGANIZER_HOME", str(tmp_path / "mine"))
    lines: list[str] = []
    assert selftest.run_checks(lines.append) is False
    assert lines[0].startswith("PASS hashing: ")
    assert lines[1].startswith("FAIL broken: OSError: disk on fire")
    assert os.environ["FILEORGANIZER_HOME"] == str(tmp_path / "mine")     # restored afterwards
