"""The dashboard's folder filter matches exactly the files below the folder, whatever characters
its name holds: a backslash (Windows' separator, LIKE's escape character), % and _ (LIKE's
wildcards), * ? [ (GLOB's), and letters of another case (LIKE ignores case, Linux does not)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.progress import Progress
from app.jobs.dashboard import below_folder_glob, load_dashboard
from app.jobs.scan import scan

ODD = "x\\y%_z*?[1]"


def put(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    return path


def test_largest_files_of_a_folder_with_wildcards_and_backslashes_in_its_name(db, tmp_path):
    root = tmp_path / "root"
    inside = [put(root / ODD / "a.bin", 300), put(root / ODD / "deeper" / "b.bin", 200)]
    # siblings that a wildcard, a lost escape or a case-blind match would wrongly take in
    for name in ("x\\y%_z*?[1]-more", "x\\yA_z*?[1]", "xAyBBz*?[1]", "x\\y%_z*?1", "X\\Y%_Z*?[1]"):
        put(root / name / "c.bin", 900)
    scan(db, [str(root)], progress=Progress())
    data = load_dashboard(db, [str(root)], folder=str(root / ODD))
    assert sorted(path for path, *_ in data.largest_files) == sorted(map(str, inside))
    everything = load_dashboard(db, [str(root)])
    assert len(everything.largest_files) == 7


@pytest.mark.parametrize("sep, folder, below, not_below", [
    ("\\", "C:\\Users\\a_b%", ["C:\\Users\\a_b%\\x.txt", "C:\\Users\\a_b%\\d\\y.txt"],
     ["C:\\Users\\aXb%\\x.txt", "C:\\Users\\a_b%x\\y.txt", "C:\\Users\\a_b%", "C:\\Users\\A_B%\\x.txt"]),
    ("\\", "C:\\", ["C:\\x.txt", "C:\\d\\y.txt"], ["D:\\x.txt", "C:"]),
    ("/", "/srv/[data]*?", ["/srv/[data]*?/x"], ["/srv/d*?/x", "/srv/[data]xy/x", "/srv/[data]*?"]),
    ("/", "/", ["/x", "/d/y"], []),
])
def test_the_pattern_in_sqlite(sep, folder, below, not_below):
    """Windows paths too (their separator passed in), checked by SQLite itself."""
    pattern = below_folder_glob(folder, sep)
    conn = sqlite3.connect(":memory:")
    try:
        matches = {p: conn.execute("SELECT ? GLOB ?", (p, pattern)).fetchone()[0] for p in below + not_below}
    finally:
        conn.close()
    assert matches == {p: int(p in below) for p in below + not_below}
