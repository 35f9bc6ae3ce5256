"""One version, written in pyproject.toml, reaches the app, the bundle, the .deb, the .iss and the plist."""

from __future__ import annotations

import ast
import plistlib
import re
import sys

import app
from tests.packaging.pkg_helpers import ROOT, debian_version, numeric_version, project_version

sys.path.insert(0, str(ROOT / "packaging" / "windows"))
from version_info import version_text  # noqa: E402


def test_app_version_is_pyproject_version():
    assert app.__version__ == project_version()


def test_version_script_prints_it():
    import subprocess

    out = subprocess.run([sys.executable, str(ROOT / "packaging" / "version.py")], capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == project_version()


def test_debian_and_windows_spellings():
    assert debian_version("1.2.3") == "1.2.3"
    assert debian_version("1.2.0rc1") == "1.2.0~rc1"
    assert debian_version("2.0.0b2") == "2.0.0~b2"
    assert numeric_version("1.2.3") == (1, 2, 3, 0)
    assert numeric_version("1.2rc1") == (1, 2, 0, 0)


def test_build_spec_takes_the_version_from_pyproject():
    spec = (ROOT / "build.spec").read_text()
    assert "VERSION = project_version(ROOT)" in spec
    assert '"CFBundleShortVersionString": VERSION' in spec
    assert "version_text(VERSION, exe_name)" in spec
    assert not re.search(r"""["']\d+\.\d+\.\d+["']""", spec), "a literal version in build.spec"


def test_windows_version_resource_carries_the_version():
    text = version_text(project_version())
    tree = ast.parse(text)          # PyInstaller evaluates this text as a VSVersionInfo expression
    assert isinstance(tree.body[0].value, ast.Call)
    assert f"StringStruct('ProductVersion', '{project_version()}')" in text
    assert f"filevers={numeric_version(project_version())}" in text


def test_iss_reads_the_version_from_the_exe():
    iss = (ROOT / "packaging" / "windows" / "installer.iss").read_text()
    assert 'GetStringFileInfo(DistDir + "\\" + AppExeName, "ProductVersion")' in iss
    assert "AppVersion={#AppVersion}" in iss
    assert not re.search(r"\d+\.\d+\.\d+", iss), "a literal version in installer.iss"


def test_plist_and_deb_sources_hold_no_version():
    info = plistlib.loads((ROOT / "packaging" / "macos" / "Info.plist").read_bytes())
    assert "CFBundleShortVersionString" not in info and "CFBundleVersion" not in info
    control = (ROOT / "packaging" / "linux" / "control.in").read_text()
    assert "Version: @VERSION@" in control
    build_deb = (ROOT / "packaging" / "linux" / "build_deb.sh").read_text()
    assert "packaging/version.py" in build_deb
