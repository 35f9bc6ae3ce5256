"""`fileorganizer dupes --action ...`, `history` and `undo` from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.ops import trash
from tests.windows_like import pythonpath, trashed_files

ROOT = Path(__file__).resolve().parents[2]

# A pseudo-terminal is POSIX only (the pty module needs termios, which Windows lacks).
needs_pty = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal (pty)")


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    ref, other = tmp_path / "ref", tmp_path / "other"
    for folder in (ref, other / "sub"):
        folder.mkdir(parents=True)
    (ref / "photo.jpg").write_bytes(b"P" * 5000)
    (other / "photo copy.jpg").write_bytes(b"P" * 5000)
    (other / "sub" / "photo.jpg").write_bytes(b"P" * 5000)
    (ref / "doc.txt").write_text("doc")
    (other / "doc.txt").write_text("doc")
    (other / "unique.txt").write_text("only one")
    return ref, other


def files(*roots: Path) -> list[str]:
    return sorted(str(Path(d, n)) for r in roots for d, _s, ns in os.walk(r) for n in ns)


def test_dry_run_prints_the_plan_and_changes_nothing(tree, run_cli):
    ref, other = tree
    before = files(ref, other)
    proc = run_cli("dupes", str(ref), str(other), "--keep", "first-root", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert f"trash: {other / 'photo copy.jpg'}" in proc.stdout
    assert proc.stdout.splitlines()[-1] == ("Would move 3 duplicate files (9.8 KiB) to the trash. "
                                            "Nothing was changed (dry run).")
    assert files(ref, other) == before


def test_without_yes_and_without_a_terminal_nothing_happens(tree, run_cli):
    ref, other = tree
    before = files(ref, other)
    proc = run_cli("dupes", str(ref), str(other), "--action", "trash", input="y\n")
    assert proc.returncode == 2 and "--yes" in proc.stderr
    assert "would move 3 duplicate files (9.8 KiB) to the trash;" in proc.stderr
    assert files(ref, other) == before


def test_permanent_delete_needs_yes(tree, run_cli):
    ref, other = tree
    before = files(ref, other)
    proc = run_cli("dupes", str(ref), str(other), "--action", "delete")
    assert proc.returncode == 2 and "permanently" in proc.stderr
    assert files(ref, other) == before


def test_bad_keep_policy_is_a_usage_error(tree, run_cli):
    proc = run_cli("dupes", str(tree[0]), "--keep", "biggest")
    assert proc.returncode == 2 and "unknown keep policy" in proc.stderr


def test_trash_history_and_undo_round_trip(tree, run_cli, tmp_path):
    ref, other = tree
    before = {p: Path(p).read_bytes() for p in files(ref, other)}
    proc = run_cli("dupes", str(ref), str(other), "--keep", "first-root,oldest", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert "3 files done (9.8 KiB), 0 skipped, 0 failed. Undo with: fileorganizer undo 1" in proc.stdout
    assert files(ref, other) == sorted([str(ref / "photo.jpg"), str(ref / "doc.txt"),
                                        str(other / "unique.txt")])
    hist = run_cli("history", "--format", "json", check=True)
    [entry] = json.loads(hist.stdout)
    assert (entry["source"], entry["status"], entry["done"]) == ("duplicates", "done", 3)
    assert entry["bytes"] == 10003
    detail = run_cli("history", "1", check=True)
    assert "done     trash" in detail.stdout and "(kept: " in detail.stdout
    undone = run_cli("undo")
    if not trash.FREEDESKTOP:   # send2trash (Windows, macOS): the trash does not say where files went
        assert undone.returncode == 1, undone.stderr
        assert undone.stderr.count("moved to the system trash: restore it from the trash by hand") == 3
        assert sorted(f.read_bytes() for f in trashed_files(tmp_path / "xdg")) == [b"P" * 5000] * 2 + [b"doc"]
        return
    assert undone.returncode == 0, undone.stderr
    assert "Undo of #1 (duplicates): 3 files put back as entry #2." in undone.stdout
    assert {p: Path(p).read_bytes() for p in files(ref, other)} == before
    listing = run_cli("history", check=True).stdout
    assert "undone" in listing and "(undo of #1)" in listing
    original = next(line for line in listing.splitlines() if line.startswith("#1 "))
    assert "3/3 operations done, 0 failed, 0 skipped, 3 undone, 9.8 KiB" in original   # human units
    assert "10003" not in listing                                                # (raw bytes: --format json)
    again = run_cli("undo")
    assert (again.returncode, again.stderr) == (1, "Nothing undone: there is nothing to undo.\n")
    twice = run_cli("undo", "1")
    assert (twice.returncode, twice.stderr) == (1, "Nothing undone: entry #1 is already undone.\n")


def test_undo_reports_what_it_cannot_undo(tree, run_cli):
    ref, other = tree
    run_cli("dupes", str(ref), str(other), "--keep", "first-root", "--action", "delete", "--yes", check=True)
    proc = run_cli("undo", "1")
    assert proc.returncode == 1 and proc.stderr.count("permanently deleted; cannot be restored") == 3
    missing = run_cli("undo", "42")
    assert missing.returncode == 2
    assert missing.stderr == ("fileorganizer: error: there is no history entry #42 "
                              "(see `fileorganizer history`)\n")


def test_hardlink_action_and_move_action(tree, run_cli, tmp_path):
    ref, other = tree
    run_cli("dupes", str(ref), str(other), "--keep", "first-root", "--action", "hardlink", "--yes",
            check=True)
    assert os.path.samefile(ref / "photo.jpg", other / "sub" / "photo.jpg")
    run_cli("undo", check=True)
    assert not os.path.samefile(ref / "photo.jpg", other / "sub" / "photo.jpg")
    dest = tmp_path / "dupes-here"
    proc = run_cli("dupes", str(ref), str(other), "--keep", "first-root", "--action", "move", "--to",
                   str(dest), "--yes")
    assert proc.returncode == 0, proc.stderr
    assert (dest / "other" / "sub" / "photo.jpg").read_bytes() == b"P" * 5000
    assert run_cli("dupes", str(ref), "--action", "move").returncode == 2      # --to missing


@needs_pty
def test_on_a_terminal_it_asks_first(tree, app_home):
    import pty

    ref, other = tree
    env = {**os.environ, "FILEORGANIZER_HOME": str(app_home), "PYTHONPATH": pythonpath(ROOT)}

    def run_on_tty(answer: bytes) -> str:
        master, slave = pty.openpty()
        proc = subprocess.Popen([sys.executable, "-m", "app.cli", "dupes", str(ref), str(other), "-q",
                                 "--keep", "first-root"], stdin=slave, stdout=slave, stderr=slave,
                                env=env, cwd=ROOT)
        os.close(slave)
        out = b""
        while b"Proceed? [y/N]" not in out:
            chunk = os.read(master, 4096)
            assert chunk, out
            out += chunk
        os.write(master, answer)
        proc.wait(60)
        try:
            while chunk := os.read(master, 4096):
                out += chunk
        except OSError:
            pass
        os.close(master)
        return out.decode()

    before = files(ref, other)
    out = run_on_tty(b"n\n")
    assert "Move 3 duplicate files (9.8 KiB) to the trash. Proceed? [y/N]" in out
    assert "Nothing was changed" in out
    assert files(ref, other) == before
    out = run_on_tty(b"y\n")
    assert "3 files done" in out and not (other / "photo copy.jpg").exists()


@pytest.mark.skipif(not trash.FREEDESKTOP, reason="undo restores from the freedesktop trash only")
def test_undo_of_selected_operations_only(tree, run_cli):
    ref, other = tree
    run_cli("dupes", str(ref), str(other), "--keep", "first-root", "--yes", check=True)
    detail = run_cli("history", "1", check=True).stdout
    seq = next(line.split()[0] for line in detail.splitlines() if "doc.txt" in line and "trash" in line)
    proc = run_cli("undo", "1", "--op", seq)
    assert proc.returncode == 0 and "1 file put back" in proc.stdout
    assert (other / "doc.txt").read_text() == "doc" and not (other / "photo copy.jpg").exists()
    rest = run_cli("undo", check=True)          # the entry still has the other two to undo
    assert "2 files put back" in rest.stdout and (other / "photo copy.jpg").exists()
    again = run_cli("undo", "1", "--op", seq)
    assert (again.returncode, again.stderr) == (
        1, f"Nothing undone: operation {seq} of entry #1 was already undone.\n")
    missing = run_cli("undo", "1", "--op", "9999")
    assert missing.returncode == 2 and missing.stderr == (
        "fileorganizer: error: entry #1 has no operation 9,999 (it has operations 0 to 2; "
        "see `fileorganizer history 1`)\n")
    assert run_cli("undo", "--op", "1").returncode == 2


def test_one_duplicate_reads_in_the_singular(tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        folder.mkdir()
        (folder / "same.txt").write_text("abc")
    lines = {action: run_cli("dupes", str(a), str(b), "--keep", "first-root", "--action", action,
                             "--dry-run", check=True).stdout.splitlines()[-1]
             for action in ("trash", "hardlink", "symlink")}
    assert lines == {
        "trash": "Would move 1 duplicate file (3 B) to the trash. Nothing was changed (dry run).",
        "hardlink": "Would replace 1 duplicate file (3 B) with a hard link to the kept copy. "
                    "Nothing was changed (dry run).",
        "symlink": "Would replace 1 duplicate file (3 B) with a symbolic link to the kept copy. "
                   "Nothing was changed (dry run).",
    }
    done = run_cli("dupes", str(a), str(b), "--keep", "first-root", "--yes", check=True).stdout
    assert "1 file done (3 B), 0 skipped, 0 failed. Undo with: fileorganizer undo 1" in done
    listing = run_cli("history", check=True).stdout
    assert "1/1 operation done, 0 failed, 0 skipped, 0 undone, 3 B" in listing
    undone = run_cli("undo").stdout
    if trash.FREEDESKTOP:
        assert "Undo of #1 (duplicates): 1 file put back as entry #2." in undone
    else:       # send2trash: restored by hand (the message is tested above)
        assert "Undo of #1 (duplicates): 0 files put back." in undone
    [entry] = [e for e in json_history(run_cli) if e["id"] == 1]
    assert entry["bytes"] == 3                                      # exact bytes in JSON


def json_history(run_cli) -> list[dict]:
    return json.loads(run_cli("history", "--format", "json", check=True).stdout)
