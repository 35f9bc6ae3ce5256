"""app.platform's file identity and CPU count: what the walk and the worker pools rely on."""

import os
import shutil
import subprocess
import sys

import pytest

from app.platform.cpus import usable_cpus
from app.platform.filestat import entry_lstat
from tests.conftest import ROOT


def test_a_listed_entry_has_the_identity_lstat_gives(tmp_path):
    (tmp_path / "a").write_bytes(b"x")
    os.link(tmp_path / "a", tmp_path / "hard")
    (tmp_path / "sym").symlink_to(tmp_path / "a")
    with os.scandir(tmp_path) as it:
        for entry in it:
            got, want = entry_lstat(entry), os.lstat(entry.path)
            assert (got.st_ino, got.st_dev, got.st_nlink, got.st_mode) == \
                (want.st_ino, want.st_dev, want.st_nlink, want.st_mode), entry.name
            assert got.st_ino != 0


def test_usable_cpus_follows_the_affinity_where_the_os_has_one():
    assert 1 <= usable_cpus() <= (os.cpu_count() or 1)
    if shutil.which("taskset") is None or not hasattr(os, "sched_getaffinity"):
        pytest.skip("no CPU affinity on this OS")
    out = subprocess.run(["taskset", "-c", "0", sys.executable, "-c",
                          "from app.platform.cpus import usable_cpus; print(usable_cpus())"],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "1"
