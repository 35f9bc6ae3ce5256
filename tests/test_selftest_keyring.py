"""`--self-test`'s keyring check says N/A where keyring has no real backend (issue 18.13: it
passed while the backend was keyring.backends.fail.Keyring), and PASS where one works."""

from __future__ import annotations

import os
import subprocess
import sys

from app import selftest
from tests.conftest import ROOT


def _self_test(tmp_path, backend: str, *path: str) -> list[str]:
    """The keyring check alone, through selftest.main(), with keyring told to use `backend`."""
    env = {**os.environ, "FILEORGANIZER_HOME": str(tmp_path / "home"),
           "PYTHONPATH": os.pathsep.join([*path, str(ROOT)]), "PYTHON_KEYRING_BACKEND": backend}
    proc = subprocess.run([sys.executable, "-c", "import sys; from app import selftest; "
                           "selftest.CHECKS = [c for c in selftest.CHECKS if c[0] == 'keyring']; "
                           "sys.exit(selftest.main())"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.splitlines()


def test_the_fail_backend_is_reported_as_not_available(tmp_path):
    lines = _self_test(tmp_path, "keyring.backends.fail.Keyring")
    [line] = [x for x in lines if " keyring: " in x]
    assert line.startswith("N/A keyring: no system keyring here (keyring.backends.fail.Keyring): sign-ins "
                           "are kept in a file only the user can read (0600) instead")
    assert not any(x.startswith("PASS keyring") for x in lines)


def test_a_working_backend_passes(tmp_path):
    # a real backend that stores secrets (in memory), as keyring would load one from its entry points
    (tmp_path / "memkeyring.py").write_text(
        "from keyring.backend import KeyringBackend\n"
        "class Keyring(KeyringBackend):\n"
        "    priority = 1\n"
        "    store = {}\n"
        "    def get_password(self, s, u): return self.store.get((s, u))\n"
        "    def set_password(self, s, u, p): self.store[(s, u)] = p\n"
        "    def delete_password(self, s, u): del self.store[(s, u)]\n")
    lines = _self_test(tmp_path, "memkeyring.Keyring", str(tmp_path))
    [line] = [x for x in lines if " keyring: " in x]
    assert line.startswith("PASS keyring: ") and "system keyring memkeyring.Keyring" in line


def test_a_chain_of_no_backends_is_no_keyring():
    from keyring.backends import fail

    assert selftest._no_keyring(fail.Keyring())
    assert selftest._no_keyring(type("C", (), {"backends": []})())
    assert selftest._no_keyring(type("C", (), {"backends": [fail.Keyring()]})())
    assert not selftest._no_keyring(type("K", (), {})())
