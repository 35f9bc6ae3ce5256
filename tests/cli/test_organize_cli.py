"""`fileorganizer organize` and `fileorganizer rules` in a subprocess: preview, apply, undo, rules files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest


@pytest.fixture
def env(tmp_path):
    return {"XDG_DATA_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home")}


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path below root: ('dir',), ('link', target) or ('file', bytes, mode, mtime_ns)."""
    out: dict[str, tuple] = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            p = Path(dirpath, name)
            st = os.lstat(p)
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir",)
            else:
                out[rel] = ("file", p.read_bytes(), st.st_mode, st.st_mtime_ns)
    return out


RULES_TOML = """version = 1

[[rules]]
name = "Text into notes"
remove_empty_folders = true
[[rules.conditions]]
type = "extension"
extensions = ["txt", "md"]
[[rules.actions]]
type = "move"
to = "notes/{ext}"

[[rules]]
name = "The rest by category"
remove_empty_folders = true
[[rules.actions]]
type = "move"
to = "{category}"
"""


@pytest.mark.slow
def test_preview_changes_nothing_and_apply_then_undo_restores_a_corpus(tmp_path, run_cli, make_corpus, env):
    corpus, manifest = make_corpus(files=600, seed=3, total_mb=3)
    root, dest = tmp_path / "tree", tmp_path / "sorted"
    shutil.copytree(corpus, root, symlinks=True)
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES_TOML)
    before = snapshot(root)

    proc = run_cli("organize", str(root), "--rules", str(rules), "--dest", str(dest), "--format", "json",
                   env=env)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["summary"]["applied"] is False
    files_and_links = sum(1 for v in before.values() if v[0] != "dir")
    assert files_and_links >= manifest["files"] >= 600
    links = sum(1 for v in before.values() if v[0] == "link")
    reached = [s["path"] for s in doc["skipped"] if "symbolic link points at it" in s["reason"]]
    assert links                                  # links and what they point at stay in place
    moved = sum(op["kind"] in ("move", "rename") for op in doc["operations"])
    assert moved == files_and_links - links - len(reached)
    assert any(op["kind"] == "rmdir" for op in doc["operations"])
    assert snapshot(root) == before and not dest.exists()

    proc = run_cli("organize", str(root), "--rules", str(rules), "--dest", str(dest), "--apply", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Undo with: fileorganizer undo 1" in proc.stdout
    left = [p for p in root.rglob("*") if not p.is_dir() or p.is_symlink()]
    # every file moved but the links and their targets, which all still work; no empty folder
    assert sorted(str(p) for p in left if not p.is_symlink()) == sorted(reached)
    assert all(p.exists() for p in left)
    assert [d for d in root.rglob("*") if d.is_dir() and not any(d.iterdir())] == []
    assert (dest / "notes" / "txt").is_dir() and (dest / "images").is_dir()

    hist = run_cli("history", env=env)
    assert "organizer" in hist.stdout
    proc = run_cli("undo", env=env)
    assert proc.returncode == 0, proc.stderr
    assert snapshot(root) == before                         # every path back, identical bytes and times
    assert not dest.exists()


def test_preset_text_preview_lists_source_destination_rule_and_outcome(tmp_path, run_cli, env):
    root, dest = tmp_path / "in", tmp_path / "out"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("1")
    (root / "sub" / "a.txt").write_text("2")
    proc = run_cli("organize", str(root), "--preset", "by-extension", "--dest", str(dest), env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert f"move     {root / 'a.txt'} -> {dest / 'txt' / 'a.txt'}  [By extension]" in lines
    assert f"move     {root / 'sub' / 'a.txt'} -> {dest / 'txt' / 'a (1).txt'}  [By extension] " \
           f"(renamed to a (1).txt)" in lines
    assert "Nothing was changed" in lines[-1]
    assert not dest.exists()


def test_downloads_cleanup_defaults_to_the_home_folder(tmp_path, run_cli, env):
    root = tmp_path / "Downloads"
    root.mkdir()
    (root / "cat.png").write_bytes(b"png")
    preview = run_cli("organize", str(root), "--preset", "downloads-cleanup", env=env)
    proc = run_cli("organize", str(root), "--preset", "downloads-cleanup", "--apply", env=env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "home" / "Pictures" / "cat.png").read_bytes() == b"png"
    # issue 18.5: said before anything moves, in the preview and before applying
    home, app_home = tmp_path / "home", os.environ.get("FILEORGANIZER_HOME") or ""
    for out in (preview.stderr, proc.stderr):
        assert out.startswith(f"note: downloads-cleanup sorts files into folders below {home} (your home "
                              f"folder; FILEORGANIZER_HOME=")
        assert "only moves the app's own data); add --dest DIR to choose another folder." in out
    assert app_home == "" or app_home in proc.stderr
    dest = tmp_path / "elsewhere"
    dest.mkdir()
    (root / "dog.png").write_bytes(b"dog")
    quiet = run_cli("organize", str(root), "--preset", "downloads-cleanup", "--dest", str(dest), env=env)
    assert "note:" not in quiet.stderr


def test_dest_that_is_a_file_is_a_usage_error(tmp_path, run_cli, env):
    """Issue 18.8: --dest FILE failed once per file with 'a different file already exists'."""
    root = tmp_path / "in"
    root.mkdir()
    for name in ("a.txt", "b.jpg"):
        (root / name).write_text(name)
    target = tmp_path / "not-a-folder.txt"
    target.write_text("x")
    proc = run_cli("organize", str(root), "--preset", "by-extension", "--dest", str(target), "--apply",
                   env=env)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (f"fileorganizer: error: --dest {target}: not a folder (give the folder files "
                           f"are sorted into)\n")
    assert sorted(os.listdir(root)) == ["a.txt", "b.jpg"]


def test_rules_for_other_folders_are_named_when_skipped(tmp_path, run_cli, env):
    """Issue 18.17: a rules file for ~/Desktop run on another folder matched nothing, silently."""
    root = tmp_path / "in"
    root.mkdir()
    (root / "a.txt").write_text("a")
    rules = tmp_path / "rules.toml"
    rules.write_text('version = 1\n[[rules]]\nname = "Desktop notes"\nfolders = ["~/Desktop"]\n'
                     '[[rules.actions]]\ntype = "move"\nto = "notes"\n')
    proc = run_cli("organize", str(root), "--rules", str(rules), env=env)
    assert proc.returncode == 0, proc.stderr
    assert (f"note: rule 'Desktop notes' was skipped: it applies only to ~/Desktop (its 'folders'), "
            f"not to {root}") in proc.stderr
    assert "Planned: 0 operations for 0 of 1 file" in proc.stdout


def test_usage_errors(tmp_path, run_cli, env):
    proc = run_cli("organize", str(tmp_path / "missing"), "--preset", "by-date", env=env)
    assert proc.returncode == 2 and "no such folder" in proc.stderr
    proc = run_cli("organize", str(tmp_path), env=env)
    assert proc.returncode == 2 and "no saved rules" in proc.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "rules": [{"name": "Broken", '
                   '"actions": [{"type": "move", "to": "{nope}"}]}]}')
    proc = run_cli("organize", str(tmp_path), "--rules", str(bad), env=env)
    assert proc.returncode == 2
    assert "rule #1 'Broken': field 'actions[0].to'" in proc.stderr and "unknown field {nope}" in proc.stderr
    proc = run_cli("organize", str(tmp_path), "--preset", "nope", env=env)
    assert proc.returncode == 2


@pytest.mark.slow
def test_rules_import_list_export_and_organize_with_saved_rules(tmp_path, run_cli, env):
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES_TOML)
    proc = run_cli("rules", "list", env=env)
    assert "No saved rules" in proc.stdout
    proc = run_cli("rules", "import", str(rules), env=env)
    assert (proc.returncode, proc.stdout) == (0, f"Imported 2 rules from {rules}.\n")
    # issue 18.12: the same file again replaces the rules of the same name (not 4 rules now)
    proc = run_cli("rules", "import", str(rules), env=env)
    assert proc.stdout == (f"Imported 2 rules from {rules}; they replace the saved rules of the same "
                           "name ('Text into notes', 'The rest by category').\n")
    assert len(run_cli("rules", "list", env=env).stdout.splitlines()) == 2
    proc = run_cli("rules", "list", env=env)
    assert proc.stdout.splitlines()[0].startswith("1. Text into notes: all of: extension extensions=")
    out_json = tmp_path / "export.json"
    assert run_cli("rules", "export", str(out_json), env=env).returncode == 0
    data = json.loads(out_json.read_text())
    assert data["version"] == 1 and [r["name"] for r in data["rules"]] == ["Text into notes",
                                                                           "The rest by category"]
    # importing the export again updates the same rules (same uuids) instead of duplicating them
    assert run_cli("rules", "import", str(out_json), env=env).returncode == 0
    assert len(run_cli("rules", "list", env=env).stdout.splitlines()) == 2

    root = tmp_path / "root"
    root.mkdir()
    (root / "x.md").write_text("m")
    proc = run_cli("organize", str(root), "--apply", env=env)
    assert proc.returncode == 0, proc.stderr
    assert (root / "notes" / "md" / "x.md").exists()

    bad = tmp_path / "bad.toml"
    bad.write_text('version = 1\n[[rules]]\nname = "Oops"\nmatch = "some"\n'
                   '[[rules.actions]]\ntype = "trash"\n')
    proc = run_cli("rules", "import", str(bad), env=env)
    assert proc.returncode == 2 and "rule #1 'Oops': field 'match'" in proc.stderr
    assert len(run_cli("rules", "list", env=env).stdout.splitlines()) == 2


def test_apply_reports_per_file_problems_with_exit_1(tmp_path, run_cli, env):
    root, dest = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    (root / "a.txt").write_text("a")
    (dest / "txt").mkdir(parents=True)
    (dest / "txt" / "a.txt").write_text("different")
    rules = tmp_path / "r.json"
    rules.write_text(json.dumps({"version": 1, "rules": [
        {"name": "skipper", "conflict": "skip", "actions": [{"type": "move", "to": "{ext}"}]}]}))
    proc = run_cli("organize", str(root), "--rules", str(rules), "--dest", str(dest), env=env)
    assert proc.returncode == 0
    assert f"skip     {root / 'a.txt'}: {dest / 'txt' / 'a.txt'} exists (rule 'skipper': skip)" in proc.stdout


def test_template_errors_are_shown_in_the_preview_with_exit_1(tmp_path, run_cli, env):
    root = tmp_path / "in"
    (root / "aux").mkdir(parents=True)                  # {parent} = "aux": reserved on Windows
    (root / "aux" / "a.txt").write_text("a")
    (root / "fine").mkdir()
    (root / "fine" / "b.txt").write_text("b")
    rules = tmp_path / "r.json"
    rules.write_text(json.dumps({"version": 1, "rules": [
        {"name": "by parent", "actions": [{"type": "move", "to": "sorted/{parent}"}]}]}))
    proc = run_cli("organize", str(root), "--rules", str(rules), env=env)
    assert proc.returncode == 1
    expected = f"error: {root / 'aux' / 'a.txt'}: 'sorted/{{parent}}' gives 'aux' is a reserved name"
    assert expected in proc.stderr
    assert "1 operation for 2 of 2 files (1 B); 0 already in place, 0 skipped, 1 error." in proc.stdout
    assert not (root / "sorted").exists()


def test_rules_remove_by_name(tmp_path, run_cli, env):
    """Issue 18.12: there was no way to delete a rule from the command line."""
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES_TOML)
    run_cli("rules", "import", str(rules), env=env, check=True)
    proc = run_cli("rules", "remove", "text INTO notes ", env=env)
    assert (proc.returncode, proc.stdout) == (0, "Removed 1 rule called 'Text into notes'.\n")
    listing = run_cli("rules", "list", env=env).stdout.splitlines()
    assert len(listing) == 1 and listing[0].startswith("1. The rest by category:")
    proc = run_cli("rules", "remove", "Text into notes", env=env)
    assert proc.returncode == 2 and proc.stderr == ("fileorganizer: error: no saved rule is called "
                                                    "'Text into notes' (saved: 'The rest by category')\n")
    export = run_cli("rules", "export", str(tmp_path / "missing" / "r.toml"), env=env)
    assert export.returncode == 2 and export.stderr.startswith("fileorganizer: error: ")
    assert "Exported 1 rule to" in run_cli("rules", "export", str(tmp_path / "r.toml"), env=env).stdout


def test_the_preview_says_which_links_and_targets_stay(tmp_path, run_cli, env):
    """Issue 18.3: links stay, and so does what they point at; the preview says so."""
    root = tmp_path / "in"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "guide.txt").write_text("guide")
    (root / "notes.txt").write_text("notes")
    os.symlink("docs/guide.txt", root / "guide-link.txt")
    proc = run_cli("organize", str(root), "--preset", "by-extension", env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert f"skip     {root / 'docs' / 'guide.txt'}: a symbolic link points at it; left in place so the " \
           "link keeps working" in lines
    assert lines[-1] == ("Planned: 1 operation for 2 of 3 files (5 B); 0 already in place, 1 skipped, "
                         "0 errors; 1 symbolic link left where it is. Nothing was changed (add --apply).")
    doc = json.loads(run_cli("organize", str(root), "--preset", "by-extension", "--format", "json",
                             env=env).stdout)
    assert doc["summary"]["links_left"] == 1


def test_a_run_and_its_undo_count_the_same_files_and_folders(tmp_path, run_cli, env):
    """Issue 18.9: '201 files done' was later '303 operations reversed'."""
    root = tmp_path / "in"
    for i in range(3):
        (root / f"d{i}").mkdir(parents=True)
        (root / f"d{i}" / f"f{i}.txt").write_text(str(i))
    run = run_cli("organize", str(root), "--preset", "by-extension", "--apply", env=env)
    assert run.returncode == 0, run.stderr
    # 3 files moved, 3 folders emptied and removed, 1 folder (txt) created on the way
    assert run.stdout.splitlines()[-1].startswith("3 files and 4 folders done (3 B), 0 skipped, 0 failed.")
    back = run_cli("undo", env=env)
    assert back.stdout == "Undo of #1 (organizer): 3 files and 4 folders put back as entry #2.\n"
