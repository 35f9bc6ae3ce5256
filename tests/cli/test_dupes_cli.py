import csv
import io
import json
import os
import subprocess
import sys

from tests.conftest import ROOT
from tests.windows_like import pythonpath


def tree(tmp_path):
    tmp_path.mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_bytes(b"x" * 3000)
    (tmp_path / "two.txt").write_bytes(b"x" * 3000)
    os.link(tmp_path / "two.txt", tmp_path / "two-link.txt")
    (tmp_path / "small1").write_bytes(b"y" * 10)
    (tmp_path / "small2").write_bytes(b"y" * 10)
    (tmp_path / "sym").symlink_to(tmp_path / "small1")
    (tmp_path / "empty1").write_bytes(b"")
    (tmp_path / "empty2").write_bytes(b"")
    return tmp_path


def test_json_format(run_cli, tmp_path):
    root = tree(tmp_path / "t")
    proc = run_cli("dupes", str(root), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["summary"] == {"files_scanned": 7, "groups": 2, "duplicate_files": 2,
                              "reclaimable_bytes": 3010, "errors": 0}
    big, small = doc["groups"]                       # largest reclaimable first
    assert big["size"] == 3000 and len(big["hash"]) == 64
    assert [f["path"] for f in big["files"]] == [str(root / "a" / "one.txt"), str(root / "two-link.txt"),
                                                 str(root / "two.txt")]
    f = big["files"][1]
    assert f["nlink"] == 2 and f["inode"] == os.stat(root / "two.txt").st_ino
    assert isinstance(f["mtime"], float)
    assert [os.path.basename(f["path"]) for f in small["files"]] == ["small1", "small2"]


def test_fdupes_csv_text_and_output_file(run_cli, tmp_path):
    root = tree(tmp_path / "t")
    proc = run_cli("dupes", str(root), "--format", "fdupes")
    blocks = [b.splitlines() for b in proc.stdout.strip("\n").split("\n\n")]
    assert len(blocks) == 2 and all(p.startswith("/") for b in blocks for p in b)
    out = tmp_path / "r.csv"
    proc = run_cli("dupes", str(root), "--format", "csv", "-o", str(out))
    assert proc.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 5 and {r["group"] for r in rows} == {"1", "2"}
    proc = run_cli("dupes", str(root), "--min-size", "1k")
    assert "2 copies of 2.9 KiB" in proc.stdout and "hard link" in proc.stdout
    assert "small1" not in proc.stdout
    summary = proc.stdout.splitlines()[-1]       # issue 18.10: plurals
    assert summary.startswith("1 group, 1 duplicate file, 2.9 KiB reclaimable; 7 files scanned, 0 errors, ")


def test_undecodable_names_in_json_and_fdupes(run_cli, app_home, tmp_path):
    (tmp_path / "t").mkdir()
    raw = os.fsencode(tmp_path / "t")
    for n in (b"/\xff1", b"/\xff2"):
        with open(raw + n, "wb") as fh:
            fh.write(b"content")
    proc = run_cli("dupes", str(tmp_path / "t"), "--format", "json")
    paths = [p["path"] for p in json.loads(proc.stdout)["groups"][0]["files"]]
    assert [os.fsencode(p) for p in paths] == [raw + b"/\xff1", raw + b"/\xff2"]
    # raw bytes out, as the OS spells the names (run_cli decodes text, so run it directly)
    env = {**os.environ, "FILEORGANIZER_HOME": str(app_home), "PYTHONPATH": pythonpath(ROOT)}
    res = subprocess.run([sys.executable, "-m", "app.cli", "dupes", str(tmp_path / "t"), "--format",
                          "fdupes"], capture_output=True, env=env, cwd=ROOT)
    assert raw + b"/\xff1\n" in res.stdout


def test_bad_usage_exit_2(run_cli, tmp_path):
    assert run_cli("dupes", str(tmp_path / "missing")).returncode == 2
    assert run_cli("dupes", str(tmp_path), "--format", "xml").returncode == 2
    assert run_cli("dupes", str(tmp_path), "--min-size", "lots").returncode == 2


def test_hardlink_skips_copies_with_other_permissions_unless_allowed(run_cli, tmp_path):
    """Issue 18.2 from the command line: a 0600 copy is not linked to a 0644 original by default;
    --allow-different-owners links it, and undo gives it back its own mode."""
    root = tmp_path / "t"
    root.mkdir()
    keep, secret = root / "a.txt", root / "bb.txt"
    for p, mode in ((keep, 0o644), (secret, 0o600)):
        p.write_text("same content")
        os.chmod(p, mode)
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    preview = run_cli("dupes", str(root), "--action", "hardlink", "--keep", "shortest-path", "--dry-run",
                      env=env).stdout.splitlines()
    assert preview == [
        f"hardlink: {secret}  (keeps {keep})  [will be skipped: permissions differ from the kept copy's]",
        "Would replace 1 duplicate file (12 B) with a hard link to the kept copy; it will be skipped "
        "(owner, group or permissions differ from the kept copy's; --allow-different-owners links them). "
        "Nothing was changed (dry run)."]
    proc = run_cli("dupes", str(root), "--action", "hardlink", "--keep", "shortest-path", "--yes", env=env)
    assert proc.returncode == 1
    assert proc.stderr == (f"error: {secret}: permissions differ from the kept copy's; not linked, so nobody "
                           "gains or loses access (allow it with --allow-different-owners)\n")
    assert "0 files done (0 B), 1 skipped, 0 failed." in proc.stdout
    assert not os.path.samefile(keep, secret) and os.stat(secret).st_mode & 0o777 == 0o600
    proc = run_cli("dupes", str(root), "--action", "hardlink", "--keep", "shortest-path", "--yes",
                   "--allow-different-owners", env=env)
    assert proc.returncode == 0, proc.stderr
    assert os.path.samefile(keep, secret)
    assert run_cli("undo", env=env).returncode == 0
    assert not os.path.samefile(keep, secret) and os.stat(secret).st_mode & 0o777 == 0o600
    assert "--allow-different-owners" in run_cli("dupes", "--help").stdout
