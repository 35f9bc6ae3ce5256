"""`fileorganizer dupes --action ...`, `history` and `undo` from the command line."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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
    assert f"trash: {other / 'photo copy.jpg'}" in proc.stdout and "Nothing was changed" in proc.stdout
    assert "3 duplicate file(s)" in proc.stdout
    assert files(ref, other) == before


def test_without_yes_and_without_a_terminal_nothing_happens(tree, run_cli):
    ref, other = tree
    before = files(ref, other)
    proc = run_cli("dupes", str(ref), str(other), "--action", "trash", input="y\n")
    assert proc.returncode == 2 and "--yes" in proc.stderr
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


def test_trash_history_and_undo_round_trip(tree, run_cli):
    ref, other = tree
    before = {p: Path(p).read_bytes() for p in files(ref, other)}
    proc = run_cli("dupes", str(ref), str(other), "--keep", "first-root,oldest", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert "3 file(s) done" in proc.stdout and "fileorganizer undo 1" in proc.stdout
    assert files(ref, other) == sorted([str(ref / "photo.jpg"), str(ref / "doc.txt"),
                                        str(other / "unique.txt")])
    hist = run_cli("history", "--format", "json", check=True)
    [entry] = json.loads(hist.stdout)
    assert (entry["source"], entry["status"], entry["done"]) == ("duplicates", "done", 3)
    assert entry["bytes"] == 10003
    detail = run_cli("history", "1", check=True)
    assert "done     trash" in detail.stdout and "(kept: " in detail.stdout
    undone = run_cli("undo", check=True)
    assert "3 operation(s) reversed as entry #2" in undone.stdout
    assert {p: Path(p).read_bytes() for p in files(ref, other)} == before
    listing = run_cli("history", check=True).stdout
    assert "undone" in listing and "(undo of #1)" in listing
    again = run_cli("undo")
    assert again.returncode == 0 and "nothing to undo" in again.stderr


def test_undo_reports_what_it_cannot_undo(tree, run_cli):
    ref, other = tree
    run_cli("dupes", str(ref), str(other), "--keep", "first-root", "--action", "delete", "--yes", check=True)
    proc = run_cli("undo", "1")
    assert proc.returncode == 1 and proc.stderr.count("permanently deleted; cannot be restored") == 3
    assert run_cli("undo", "42").returncode == 2


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


def test_on_a_terminal_it_asks_first(tree, app_home):
    ref, other = tree
    env = {**os.environ, "FILEORGANIZER_HOME": str(app_home), "PYTHONPATH": str(ROOT)}

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
    assert "3 duplicate file(s)" in out and "Nothing was changed" in out
    assert files(ref, other) == before
    out = run_on_tty(b"y\n")
    assert "3 file(s) done" in out and not (other / "photo copy.jpg").exists()


def test_undo_of_selected_operations_only(tree, run_cli):
    ref, other = tree
    run_cli("dupes", str(ref), str(other), "--keep", "first-root", "--yes", check=True)
    detail = run_cli("history", "1", check=True).stdout
    seq = next(line.split()[0] for line in detail.splitlines() if "doc.txt" in line and "trash" in line)
    proc = run_cli("undo", "1", "--op", seq)
    assert proc.returncode == 0 and "1 operation(s) reversed" in proc.stdout
    assert (other / "doc.txt").read_text() == "doc" and not (other / "photo copy.jpg").exists()
    rest = run_cli("undo", check=True)          # the entry still has the other two to undo
    assert "2 operation(s) reversed" in rest.stdout and (other / "photo copy.jpg").exists()
