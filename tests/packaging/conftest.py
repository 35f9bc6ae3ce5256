"""Fixtures for the packaging tests: the repository's packaging files, and the real Linux build."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.pkg_helpers import (
    BUILD_CACHE,
    ROOT,
    debian_version,
    linux_build_possible,
    project_version,
)


@pytest.fixture(scope="session")
def built_deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the bundle and the .deb with scripts/build_linux.sh (PyInstaller's work folder is kept in
    a cache folder, so a rebuild only redoes what changed); returns a private copy of the .deb."""
    reason = linux_build_possible()
    if reason:
        pytest.skip(reason)
    if "--self-test" not in (ROOT / "app" / "__main__.py").read_text():
        pytest.fail("app/__main__.py does not dispatch --self-test: the frozen app would open its window "
                    "instead (merge main)")
    import fcntl  # POSIX only, like the build itself

    BUILD_CACHE.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DIST_DIR": str(BUILD_CACHE / "dist"), "WORK_DIR": str(BUILD_CACHE / "work"),
           "DEB_COMPRESS": "zstd"}
    deb_name = f"fileorganizer-pro_{debian_version(project_version())}_amd64.deb"
    with open(BUILD_CACHE / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)          # another test run may be building right now
        proc = subprocess.run(["bash", str(ROOT / "scripts" / "build_linux.sh")], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=1500)
        assert proc.returncode == 0, f"build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
        copy = tmp_path_factory.mktemp("deb") / deb_name
        shutil.copy2(BUILD_CACHE / "dist" / deb_name, copy)
    return copy


@pytest.fixture(scope="session")
def extracted_deb(built_deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .deb unpacked with dpkg-deb -x: the file tree apt would install."""
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg-deb", "-x", str(built_deb), str(root)], check=True)
    return root
