"""Counts read right everywhere (issue 18.10): '1 file', '2 files', '1,385 files', never '(s)'."""

from __future__ import annotations

import re
from pathlib import Path

from app.cli.words import and_list, count

APP_CLI = Path(__file__).resolve().parents[2] / "app" / "cli"


def test_count_plurals_and_thousands():
    assert [count(n, "file") for n in (0, 1, 2, 1385, 1_000_000)] == [
        "0 files", "1 file", "2 files", "1,385 files", "1,000,000 files"]
    assert (count(1, "copy"), count(3, "copy"), count(2, "category")) == (
        "1 copy", "3 copies", "2 categories")
    assert count(2, "duplicate file") == "2 duplicate files"
    assert (and_list(["a"]), and_list(["a", "b"]), and_list(["a", "b", "c"])) == (
        "a", "a and b", "a, b and c")


def test_no_command_prints_a_maybe_plural():
    offenders = [f"{p.name}:{i}" for p in APP_CLI.rglob("*.py")
                 for i, line in enumerate(p.read_text().splitlines(), 1)
                 if re.search(r"\w\(s\)", line) and "words.py" not in p.name]
    assert offenders == []


def test_one_file_one_folder_one_row(run_cli, tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "a.txt").write_text("x")
    scan = run_cli("scan", str(tmp_path / "one"), "-q", check=True).stdout
    assert scan.startswith("Scanned 1 file (1 B), 0 symlinks, 1 folder in ")
    assert scan.endswith(": 1 new, 0 changed, 0 removed, 0 errors.\n")
    report = run_cli("report", str(tmp_path / "one"), "--format", "csv", "-o", str(tmp_path / "r.csv"), "-q",
                     check=True)
    assert "(1 row, " in report.stderr and report.stderr.endswith("; 0 errors.\n")
