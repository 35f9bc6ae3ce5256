"""The per-platform packaging files, checked as text where their tools cannot run here."""

from __future__ import annotations

import configparser
import plistlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.pkg_helpers import ROOT, control_field, iss_entry, iss_sections

LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / "fileorganizer-pro.desktop"
METAINFO = LINUX / "io.github.fileorganizerpro.FileOrganizerPro.metainfo.xml"
ISS = ROOT / "packaging" / "windows" / "installer.iss"
PLIST = ROOT / "packaging" / "macos" / "Info.plist"


# --- Linux ------------------------------------------------------------------------------------------

def test_desktop_entry_opens_folders():
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read_string(DESKTOP.read_text())
    entry = parser["Desktop Entry"]
    assert entry["MimeType"] == "inode/directory;"
    assert entry["Exec"].split()[0] == "fileorganizer-gui" and "%F" in entry["Exec"]
    assert entry["Icon"] == "fileorganizer-pro"
    assert (ROOT / "resources" / "icons" / "hicolor" / "48x48" / "apps" / "fileorganizer-pro.png").exists()
    assert entry["Type"] == "Application" and entry["Terminal"] == "false"


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils not installed")
def test_desktop_file_validate():
    proc = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream not installed")
def test_appstream_metainfo_validates():
    proc = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_metainfo_launches_the_desktop_entry():
    text = METAINFO.read_text()
    assert f"<launchable type=\"desktop-id\">{DESKTOP.name}</launchable>" in text
    assert "<id>io.github.fileorganizerpro.FileOrganizerPro</id>" in text


def test_deb_depends_on_the_qt_xcb_libraries():
    depends = control_field((LINUX / "control.in").read_text(), "Depends")
    xcb_plugin_needs = {"libxcb1", "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1",
                        "libxcb-randr0", "libxcb-render-util0", "libxcb-shape0", "libxcb-xkb1",
                        "libxkbcommon-x11-0", "libx11-xcb1", "libegl1", "libgl1", "libfontconfig1",
                        "libdbus-1-3"}
    assert xcb_plugin_needs <= set(depends)


def test_build_deb_lays_out_the_package():
    script = (LINUX / "build_deb.sh").read_text()
    for needle in ('"/opt/$PKG/FileOrganizerPro" "$STAGE/usr/bin/fileorganizer-gui"',
                   '"/opt/$PKG/fileorganizer" "$STAGE/usr/bin/fileorganizer"',
                   "usr/share/applications/$PKG.desktop", "usr/share/metainfo/$APPID.metainfo.xml",
                   "usr/share/icons/", "dpkg-deb --root-owner-group"):
        assert needle in script


# --- Windows ----------------------------------------------------------------------------------------

def _iss() -> dict[str, list[str]]:
    return iss_sections(ISS.read_text())


def test_iss_has_its_sections_and_setup_keys():
    sections = _iss()
    assert {"Setup", "Tasks", "Files", "Icons", "Registry", "Run", "Code"} <= set(sections)
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    assert setup["PrivilegesRequired"] == "lowest"                # per user, no administrator
    assert setup["DefaultDirName"].startswith("{autopf}")         # %LOCALAPPDATA%\Programs when lowest
    for key in ("AppId", "AppName", "AppVersion", "OutputBaseFilename", "SetupIconFile",
                "UninstallDisplayIcon"):
        assert setup.get(key), key
    assert (ROOT / "resources" / "icons" / "fileorganizer-pro.ico").exists()


def test_iss_shortcuts_and_optional_tasks():
    sections = _iss()
    tasks = {e["Name"]: e for e in map(iss_entry, sections["Tasks"])}
    assert "unchecked" in tasks["desktopicon"]["Flags"]
    assert "unchecked" in tasks["startatlogin"]["Flags"]
    icons = [iss_entry(line) for line in sections["Icons"]]
    assert any(i["Name"].startswith("{autoprograms}") and "Tasks" not in i for i in icons)
    assert any(i["Name"].startswith("{autodesktop}") and i.get("Tasks") == "desktopicon" for i in icons)


def test_iss_registry_is_per_user_with_folder_menu_and_login_start():
    entries = [iss_entry(line) for line in _iss()["Registry"]]
    assert all(e["Root"] == "HKCU" for e in entries)
    run = [e for e in entries if e["Subkey"].endswith(r"CurrentVersion\Run")]
    assert run and run[0]["Tasks"] == "startatlogin" and "uninsdeletevalue" in run[0]["Flags"]
    # the same Run value the app's own "start at login" setting writes
    from app.gui import autostart

    assert run[0]["ValueName"] == "{#AppName}"
    assert f'#define AppName "{autostart.APP_NAME}"' in ISS.read_text()
    exe = r"C:\Users\u\AppData\Local\Programs\FileOrganizer Pro\FileOrganizerPro.exe"
    expected = autostart.windows_run_value([exe, autostart.MINIMIZED_FLAG])
    assert run[0]["ValueData"].replace(r"{app}\{#AppExeName}", exe) == expected
    commands = {e["Subkey"]: e["ValueData"] for e in entries if e["Subkey"].endswith(r"\command")}
    assert commands[r"Software\Classes\Directory\shell\FileOrganizerPro\command"].endswith('"%1"')
    assert commands[r"Software\Classes\Directory\Background\shell\FileOrganizerPro\command"].endswith('"%V"')
    labels = [e["ValueData"] for e in entries if e.get("ValueName") == "" and "command" not in e["Subkey"]]
    assert labels and all(label == "Open with {#AppName}" for label in labels)


def test_iss_uninstaller_keeps_user_data_unless_asked():
    text = ISS.read_text()
    code = text[text.index("[Code]"):]
    assert "usPostUninstall" in code and "UninstallSilent" in code
    assert re.search(r"MsgBox\(.*\n.*\n.*MB_DEFBUTTON2\) = IDYES then\s+begin\s+DelTree\(DataDir", code)
    # the folder it offers to delete is the one platformdirs gives the app on Windows
    from app import paths

    assert f'#define DataDirName "{paths._DIRS.appname}"' in text
    assert "{localappdata}\\{#DataDirName}" in code


# --- macOS ------------------------------------------------------------------------------------------

def test_plist_is_valid_xml_with_the_keys():
    info = plistlib.loads(PLIST.read_bytes())
    assert info["CFBundleIdentifier"] == "io.github.fileorganizerpro.FileOrganizerPro"
    assert info["NSRequiresAquaSystemAppearance"] is False           # dark mode follows the system
    assert info["NSHighResolutionCapable"] is True
    for key in ("NSDesktopFolderUsageDescription", "NSDocumentsFolderUsageDescription",
                "NSDownloadsFolderUsageDescription", "NSRemovableVolumesUsageDescription"):
        assert "FileOrganizer Pro" in info[key]
    assert info["CFBundleDocumentTypes"][0]["LSItemContentTypes"] == ["public.folder"]
    assert info["CFBundleExecutable"] == "FileOrganizerPro"
    entitlements = plistlib.loads((ROOT / "packaging" / "macos" / "entitlements.plist").read_bytes())
    assert entitlements["com.apple.security.cs.allow-unsigned-executable-memory"] is True


def test_dmg_script_uses_hdiutil_and_documents_signing():
    script = (ROOT / "packaging" / "macos" / "make_dmg.sh").read_text()
    assert "hdiutil create" in script and "-format UDZO" in script
    assert "codesign --force --deep --options runtime" in script
    assert "xcrun notarytool submit" in script and "xcrun stapler staple" in script
    readme = (ROOT / "packaging" / "macos" / "README.md").read_text()
    assert "notarytool store-credentials" in readme


# --- the bundle spec --------------------------------------------------------------------------------

def _spec_names(list_name: str) -> set[str]:
    spec = (ROOT / "build.spec").read_text()
    block = spec[spec.index(f"{list_name} = "):]
    block = block[: block.index("]\n")]
    return set(re.findall(r'"([\w.]+)"', block))


def test_spec_excludes_only_qt_modules_the_app_never_imports():
    excluded = {name.removeprefix("PySide6.") for name in _spec_names("QT_EXCLUDES")} - {"PySide6"}
    assert {"QtWebEngineCore", "Qt3DCore", "QtMultimedia", "QtQml", "QtCharts"} <= excluded
    used = set()
    for path in (ROOT / "app").rglob("*.py"):
        used |= set(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    assert not used & excluded, f"build.spec excludes Qt modules the app imports: {used & excluded}"


def test_spec_excludes_the_server_and_tests():
    excluded = _spec_names("SERVER_EXCLUDES") | _spec_names("OTHER_EXCLUDES")
    assert {"app.server", "fastapi", "uvicorn", "jwt", "argon2", "tests", "pytest"} <= excluded


def test_app_outside_the_server_imports_nothing_the_spec_excludes():
    import ast

    excluded = _spec_names("SERVER_EXCLUDES") | _spec_names("OTHER_EXCLUDES")
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        if "server" in path.relative_to(ROOT / "app").parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            for name in names:
                if any(name == ex or name.startswith(ex + ".") for ex in excluded):
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert not offenders, f"the bundle would lack these: {offenders}"


def test_spec_bundle_shape():
    spec = (ROOT / "build.spec").read_text()
    assert 'name="FileOrganizerPro"' in spec and "console=False" in spec      # windowed desktop app
    assert "exclude_binaries=True" in spec and "COLLECT(" in spec              # one folder
    assert "BUNDLE(" in spec and 'bundle_identifier=MAC_INFO["CFBundleIdentifier"]' in spec
    assert Path(ROOT / "packaging" / "cli_entry.py").exists()
