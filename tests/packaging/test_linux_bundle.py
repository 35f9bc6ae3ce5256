"""The real Linux build: PyInstaller bundle -> .deb -> extracted (and, as root, apt-installed) -> it runs.

Slow (the build), but this is what users download, so CI runs it every time; PyInstaller's work
folder is cached between runs (tests/packaging/conftest.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.pkg_helpers import ROOT, control_field, debian_version, project_version

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

OPT = Path("opt/fileorganizer-pro")
MAX_BUNDLE_MB = 250


def _run(cmd: list[str], home: Path, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "FILEORGANIZER_HOME": str(home)}
    env.pop("PYTHONPATH", None)
    # the self-test takes a few seconds; a build without it would open the window and never exit
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, **kw)


def _assert_self_test_passes(executable: Path | str, home: Path) -> str:
    proc = _run([str(executable), "--self-test"], home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert "(frozen," in lines[0], lines[0]
    passed = {line.split(":")[0].split(" ", 1)[1] for line in lines if line.startswith(("PASS ", "N/A "))}
    assert passed == {"resources", "qt", "database", "hashing", "workers", "watcher", "trash", "keyring"}
    assert lines[-1] == "all checks passed"
    return proc.stdout


def test_bundle_weighs_less_than_250_mb(extracted_deb):
    files = [p for p in (extracted_deb / OPT).rglob("*") if p.is_file() and not p.is_symlink()]
    size = sum(p.stat().st_size for p in files)
    assert size < MAX_BUNDLE_MB * 2**20, f"{size / 2**20:.0f} MB"


def test_self_test_passes_in_the_extracted_deb(extracted_deb, tmp_path):
    out = _assert_self_test_passes(extracted_deb / OPT / "FileOrganizerPro", tmp_path / "home")
    gui_modules = [p for p in (ROOT / "app" / "gui").rglob("*.py") if p.name != "__init__.py"]
    imported = int(re.search(r"(\d+) GUI modules imported", out).group(1))
    assert imported >= len(gui_modules) > 0 or not gui_modules


def test_bundled_command_line_has_every_command(extracted_deb, tmp_path):
    cli = extracted_deb / OPT / "fileorganizer"
    proc = _run([str(cli), "--version"], tmp_path / "home")
    assert proc.returncode == 0 and project_version() in proc.stdout + proc.stderr
    help_text = _run([str(cli), "--help"], tmp_path / "home").stdout
    commands = [p.stem for p in (ROOT / "app" / "cli" / "commands").glob("*.py")
                if not p.stem.startswith("_")]
    assert commands and all(name in help_text for name in commands), help_text
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a.txt").write_text("same")
    (folder / "b.txt").write_text("same")
    proc = _run([str(cli), "scan", str(folder)], tmp_path / "home")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # built without Qt's start-up hook (build.spec): the engine runs, and finds the pair
    proc = _run([str(cli), "dupes", str(folder), "--format", "fdupes"], tmp_path / "home")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.split() == [str(folder / "a.txt"), str(folder / "b.txt")]


def test_deb_metadata_and_layout(built_deb, extracted_deb):
    fields = subprocess.run(["dpkg-deb", "-f", str(built_deb)], capture_output=True, text=True,
                            check=True).stdout
    assert re.search(rf"^Version: {re.escape(debian_version(project_version()))}$", fields, re.MULTILINE)
    assert "Package: fileorganizer-pro" in fields
    control_in = (ROOT / "packaging" / "linux" / "control.in").read_text()
    assert control_field(fields, "Depends") == control_field(control_in, "Depends")
    assert built_deb.name == f"fileorganizer-pro_{debian_version(project_version())}_amd64.deb"
    gui_link = os.readlink(extracted_deb / "usr/bin/fileorganizer-gui")
    assert gui_link == "/opt/fileorganizer-pro/FileOrganizerPro"
    assert os.readlink(extracted_deb / "usr/bin/fileorganizer") == "/opt/fileorganizer-pro/fileorganizer"
    assert (extracted_deb / "usr/share/icons/hicolor/256x256/apps/fileorganizer-pro.png").exists()
    metainfo = extracted_deb / "usr/share/metainfo/io.github.fileorganizerpro.FileOrganizerPro.metainfo.xml"
    assert f'<release version="{project_version()}"' in metainfo.read_text()
    desktop = extracted_deb / "usr/share/applications/fileorganizer-pro.desktop"
    if shutil.which("desktop-file-validate"):
        proc = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
        assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout
    if shutil.which("appstreamcli"):
        proc = subprocess.run(["appstreamcli", "validate", "--no-net", str(metainfo)], capture_output=True,
                              text=True)
        assert proc.returncode == 0, proc.stdout


def _needed_outside_bundle(bundle: Path) -> dict[str, set[str]]:
    """{soname: files needing it} for libraries the bundle's ELF files need but do not ship."""
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()
             and p.read_bytes()[:4] == b"\x7fELF"]
    shipped = {p.name for p in bundle.rglob("*.so*")}
    out = subprocess.run(["readelf", "-d", *map(str, files)], capture_output=True, text=True).stdout
    needed: dict[str, set[str]] = {}
    current = ""
    for line in out.splitlines():
        if line.startswith("File: "):
            current = Path(line[6:].strip()).name
        match = re.search(r"\(NEEDED\).*\[(.+)\]", line)
        if match and match.group(1) not in shipped:
            needed.setdefault(match.group(1), set()).add(current)
    return needed


@pytest.mark.skipif(not (shutil.which("readelf") and shutil.which("dpkg")), reason="needs readelf and dpkg")
def test_depends_cover_every_system_library_the_bundle_needs(extracted_deb):
    needed = _needed_outside_bundle(extracted_deb / OPT)
    # the GTK platform theme is optional: Qt skips it when GTK is absent (libgtk-3-0 is a Recommends)
    required = sorted(name for name, users in needed.items() if users != {"libqgtk3.so"})
    proc = subprocess.run(["dpkg", "-S", *(f"*/{name}" for name in required)], capture_output=True, text=True)
    owners: dict[str, set[str]] = {}
    for line in proc.stdout.splitlines():
        packages, path = line.split(": ", 1)
        for package in packages.split(", "):
            owners.setdefault(Path(path).name, set()).add(package.split(":")[0])
    # a package also satisfies the names it Provides (Ubuntu's t64 libraries provide the old names)
    for packages in owners.values():
        for package in list(packages):
            provides = subprocess.run(["dpkg-query", "-W", "-f", "${Provides}", package], capture_output=True,
                                      text=True).stdout
            packages |= {re.split(r"[\s(:]", item.strip())[0] for item in provides.split(",") if item.strip()}
    control = (ROOT / "packaging" / "linux" / "control.in").read_text()
    depends = set(control_field(control, "Depends"))
    assert "libgtk-3-0" in control_field(control, "Recommends")
    unknown = [name for name in required if name not in owners]
    assert not unknown, f"libraries no installed package provides: {unknown}"
    uncovered = {name: owners[name] for name in required if not owners[name] & depends}
    assert not uncovered, f"add to Depends: {uncovered}"


@pytest.mark.skipif(not (sys.platform.startswith("linux") and hasattr(os, "geteuid") and os.geteuid() == 0
                         and shutil.which("apt-get")), reason="installing a .deb needs root and apt")
def test_apt_install_then_the_app_starts(built_deb, tmp_path):
    import fcntl  # POSIX only

    # test runs on one machine may overlap: one install/run/remove at a time
    with open("/tmp/fileorganizer-pro-apt-test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        install = subprocess.run(["apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=300",
                                  str(built_deb)], capture_output=True, text=True, timeout=900,
                                 env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        try:
            assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
            _assert_self_test_passes("/usr/bin/fileorganizer-gui", tmp_path / "home")
            proc = _run(["/usr/bin/fileorganizer", "--version"], tmp_path / "home")
            assert proc.returncode == 0, proc.stderr
        finally:
            subprocess.run(["dpkg", "-r", "fileorganizer-pro"], capture_output=True, timeout=300)
        assert not Path("/opt/fileorganizer-pro").exists()


def test_frozen_app_writes_only_under_the_users_folders(extracted_deb, tmp_path):
    bundle = extracted_deb / OPT
    before = sorted(p.relative_to(bundle) for p in bundle.rglob("*"))
    home = tmp_path / "user"
    env = {k: v for k, v in os.environ.items() if k not in ("FILEORGANIZER_HOME", "PYTHONPATH")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_CACHE_HOME=str(home / "cache"), XDG_STATE_HOME=str(home / "state"))
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a.txt").write_text("x")
    for cmd in ([bundle / "FileOrganizerPro", "--self-test"], [bundle / "fileorganizer", "scan", folder]):
        proc = subprocess.run(list(map(str, cmd)), capture_output=True, text=True, env=env, cwd=tmp_path,
                              timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(p.relative_to(bundle) for p in bundle.rglob("*")) == before
    assert (home / "data" / "FileOrganizerPro" / "fileorganizer.db").exists()      # platformdirs' data dir
    assert sorted(p.name for p in tmp_path.iterdir()) == ["files", "user"]         # nothing in the cwd


@pytest.mark.skipif(not shutil.which("Xvfb"), reason="needs Xvfb")
def test_frozen_app_paints_its_window_on_x11(extracted_deb):
    # the real xcb platform plugin against the system's X libraries (the .deb's Depends)
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "measure_startup.py"),
                           str(extracted_deb / OPT / "FileOrganizerPro"), "--runs", "1", "--timeout", "120"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "window painted after" in proc.stdout
