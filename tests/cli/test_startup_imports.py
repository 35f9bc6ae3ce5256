"""A command on an existing database starts without importing SQLAlchemy (~0.2 s, a fifth of an
unchanged 100,000-file ``dupes``): only creating or upgrading the schema and the repositories
written with SQLAlchemy Core need it (``store.db``)."""

import subprocess
import sys

PROBE = r"""
import atexit, runpy, sys
atexit.register(lambda: print("SQLALCHEMY", "sqlalchemy" in sys.modules, file=sys.stderr))
sys.argv = ["fileorganizer", *sys.argv[1:]]
runpy.run_module("app.cli", run_name="__main__")
"""


def _imports_sqlalchemy(*args: str) -> bool:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return "SQLALCHEMY True" in proc.stderr


def test_scan_and_dupes_on_an_existing_database_do_not_import_sqlalchemy(app_home, tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in ("a.txt", "b.txt"):
        (tree / name).write_text("same bytes")
    assert _imports_sqlalchemy("scan", str(tree))           # a new database: the schema is created
    assert not _imports_sqlalchemy("scan", str(tree))
    assert not _imports_sqlalchemy("dupes", str(tree))
