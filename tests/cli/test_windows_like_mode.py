"""The Windows-like test mode reaches the processes the tests start: a `fileorganizer` process
and the worker it spawns find no os.fork, os.pread or os.getuid, only the spawn start method and
the send2trash trash, and the duplicate finder still reads files larger than its prefix there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.windows_like import ENV, HERE

PROBE = Path(__file__).with_name("windows_like_probe.py")


def probe(app_home: Path, *args: str, windows_like: bool) -> tuple[dict, subprocess.CompletedProcess]:
    env = {k: v for k, v in os.environ.items() if k not in (ENV, "PYTHONPATH")}
    env |= {"FILEORGANIZER_HOME": str(app_home), "PYTHONPATH": str(ROOT)}
    if windows_like:
        env |= {ENV: "1", "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)])}
    proc = subprocess.run([sys.executable, str(PROBE), *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)
    first, _, rest = proc.stderr.partition("\n")
    return json.loads(first), subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout, rest)


def test_cli_subprocess_and_its_workers_are_windows_like(app_home, tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    body = os.urandom(100_000)                      # beyond the prefix and suffix blocks
    for name in ("a.bin", "copy of a.bin"):
        (tree / name).write_bytes(body)
    (tree / "same size.bin").write_bytes(os.urandom(100_000))
    seen, proc = probe(app_home, "dupes", str(tree), "--format", "json", windows_like=True)
    assert seen == {"fork": False, "pread": False, "pwrite": False, "geteuid": False, "getuid": False,
                    "sched_getaffinity": False, "start_method": "spawn", "fork_context": False,
                    "worker_has_fork": False, "freedesktop_trash": False}
    assert proc.returncode == 0, proc.stderr
    (group,) = json.loads(proc.stdout)["groups"]
    assert sorted(Path(f["path"]).name for f in group["files"]) == ["a.bin", "copy of a.bin"]


def test_without_the_mode_the_same_probe_sees_the_real_os(app_home):
    """The control: the probe reports this OS as it is, so the test above measures the mode."""
    seen, proc = probe(app_home, "--version", windows_like=False)
    assert proc.returncode == 0, proc.stderr
    posix = os.name == "posix"
    assert (seen["fork"], seen["getuid"], seen["worker_has_fork"]) == (posix, posix, posix)
    assert seen["fork_context"] == posix
