"""Run the CLI as an unprivileged user (uid/gid 65534 via setpriv), for permission cases
that root would not see. Skips where that cannot work: not root, no setpriv, no Python of
the same version that the unprivileged user may execute (the venv's may live in /root), or a
checkout that user cannot read (a clone below a private folder)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT

NOBODY = 65534


def _python() -> str | None:
    """A Python the unprivileged user can run, of this version (the venv's packages are pure
    or built for this version's ABI)."""
    for candidate in (sys.executable, os.path.realpath(sys.executable), shutil.which("python3"),
                      "/usr/bin/python3"):
        if not candidate or not os.path.exists(candidate):
            continue
        probe = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                                candidate, "-c", "import sys; print(sys.version_info[:2])"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == str(tuple(sys.version_info[:2])):
            return candidate
    return None


def skip_unless_possible() -> str:
    if not hasattr(os, "getuid") or os.getuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run a command as another user")
    python = _python()
    if python is None:
        pytest.skip("no Python of this version that an unprivileged user may run")
    probe = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", python,
                            "-c", "import app.cli, blake3, platformdirs"],
                           capture_output=True, text=True, env=_env(Path("/nonexistent")), cwd="/")
    if probe.returncode != 0:
        pytest.skip("the unprivileged user cannot read this checkout or its packages (a private "
                    f"folder on the way): {probe.stderr.strip().splitlines()[-1:]}")
    return python


def shared_dir(tmp_path_factory) -> Path:
    """A folder outside root's private pytest folder, owned by the unprivileged user."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="fo-nobody-"))
    os.chmod(path, 0o755)
    os.chown(path, NOBODY, NOBODY)
    return path


def _env(home: Path) -> dict:
    site = sysconfig.get_paths()["purelib"]
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
            "FILEORGANIZER_HOME": str(home / "app-home"), "PYTHONPATH": os.pathsep.join([str(ROOT), site]),
            "XDG_DATA_HOME": str(home / "xdg")}


def run_as_nobody(python: str, home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", python,
                           "-m", "app.cli", *args], capture_output=True, text=True, env=_env(home), cwd="/",
                          timeout=120)
