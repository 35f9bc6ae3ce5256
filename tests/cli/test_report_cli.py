"""`fileorganizer report`: real scans of real folders; every format parsed back and checked."""

import csv
import io
import json
import os
from pathlib import Path

import pytest

from tests.tree_copy import copy_tree

EVIL = "<img src=x onerror=alert(1)>.txt"


def disk_files(root: Path) -> dict[str, int]:
    """Regular files under root (symlinks left out) -> size, as the OS spells the names."""
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            if not os.path.islink(p):
                out[p] = os.lstat(p).st_size
    return out


def manifest_groups(root: Path, manifest: dict) -> set[frozenset[str]]:
    return {frozenset(str(root / p) for p in g) for g in manifest["duplicate_groups"]}


def reclaimable(root: Path, manifest: dict) -> int:
    return sum((len(g) - 1) * (root / g[0]).stat().st_size for g in manifest["duplicate_groups"])


@pytest.fixture
def corpus(make_corpus, tmp_path):
    """A private copy of a mkcorpus tree (tests change it) plus a few awkward names."""
    src, manifest = make_corpus(files=400, seed=11, total_mb=3)
    root = tmp_path / "tree"
    copy_tree(src, root)                                                 # keeps the hard links
    (root / EVIL).write_text("evil")
    (root / "comma, \"quote\"\nnewline.txt").write_text("csv")
    with open(os.fsencode(root) + b"/latin1 caf\xe9.txt", "wb") as fh:
        fh.write(b"not utf-8 name")
    return root, manifest


def test_json_matches_the_disk_and_the_manifest(run_cli, corpus, tmp_path):
    root, manifest = corpus
    out = tmp_path / "r.json"
    proc = run_cli("report", str(root), "-o", str(out))          # format from the extension
    assert proc.returncode == 0, proc.stderr
    assert f"Wrote {out}" in proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    files = disk_files(root)
    assert doc["schema_version"] == 1 and doc["roots"] == [str(root)]
    t = doc["totals"]
    assert (t["files"], t["bytes"]) == (len(files), sum(files.values()))
    links = [n for d, _, ns in os.walk(root) for n in ns if os.path.islink(os.path.join(d, n))]
    assert t["symlinks"] == len(links) > 0
    assert t["folders"] == sum(1 for _ in os.walk(root))
    assert sum(c["files"] for c in doc["by_category"]) == len(files)
    assert sum(a["files"] for a in doc["by_age"]) == len(files)
    d = doc["duplicates"]
    assert d["groups"] == len(manifest["duplicate_groups"])
    assert d["reclaimable_bytes"] == reclaimable(root, manifest)
    top = doc["largest_files"]["items"]
    assert top[0]["size"] == max(files.values()) and doc["largest_files"]["total"] == len(files)
    assert [f["size"] for f in top] == sorted((f["size"] for f in top), reverse=True)
    assert os.fsdecode(os.fsencode(root) + b"/latin1 caf\xe9.txt") in {
        f["path"] for f in json.loads(run_cli("report", str(root), "--format", "json", "--top", "100000",
                                              "--no-scan").stdout)["largest_files"]["items"]}


def test_files_csv_lists_every_file_with_its_duplicate_group(run_cli, corpus, tmp_path):
    root, manifest = corpus
    out = tmp_path / "files.csv"
    proc = run_cli("report", str(root), "--format", "csv", "-o", str(out), "--bom")
    assert proc.returncode == 0, proc.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfpath,size,modified,category,extension,duplicate_group\r\n")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    files = disk_files(root)
    expected = {p.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"): s
                for p, s in files.items()}
    assert {r["path"]: int(r["size"]) for r in rows} == expected and len(rows) == len(files)
    assert str(root / "latin1 caf\\xe9.txt") in expected                 # odd bytes shown as \xNN
    group_of = {r["path"]: r["duplicate_group"] for r in rows}
    for g in manifest_groups(root, manifest):
        ids = {group_of[p] for p in g}
        assert len(ids) == 1 and ids != {""}, g                  # one group id per true group
    assert len({v for v in group_of.values() if v}) == len(manifest["duplicate_groups"])
    assert group_of[str(root / EVIL)] == ""


def test_duplicates_csv_is_the_true_groups(run_cli, corpus, tmp_path):
    root, manifest = corpus
    out = tmp_path / "dupes.csv"
    proc = run_cli("report", str(root), "--format", "csv", "--what", "duplicates", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    groups: dict[str, set[str]] = {}
    for r in rows:
        groups.setdefault(r["group"], set()).add(r["path"])
    # hard links of a duplicated file are listed too; the manifest leaves them out
    found = {frozenset(p for p in g if not p.endswith(".lnk")) for g in groups.values()}
    assert found == manifest_groups(root, manifest)
    assert sum(int(r["reclaimable_bytes"]) for r in {r["group"]: r for r in rows}.values()) == \
        reclaimable(root, manifest)


def test_html_report_is_written_whole(run_cli, corpus, tmp_path):
    root, _ = corpus
    out = tmp_path / "r.html"
    proc = run_cli("report", str(root), "-o", str(out), "--top", "1000")
    assert proc.returncode == 0, proc.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert f'id="sum-files" data-value="{len(disk_files(root))}"' in page
    assert EVIL not in page and "&lt;img src=x onerror=alert(1)&gt;.txt" in page
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]      # no temporary left


def test_the_report_scans_first_incrementally(run_cli, corpus, tmp_path):
    root, _ = corpus
    first = json.loads(run_cli("report", str(root), "--format", "json", check=True).stdout)
    (root / "new.bin").write_bytes(b"x" * 12345)
    os.remove(root / EVIL)
    again = json.loads(run_cli("report", str(root), "--format", "json", check=True).stdout)
    assert again["totals"]["files"] == first["totals"]["files"]
    assert again["totals"]["bytes"] == first["totals"]["bytes"] + 12345 - len("evil")
    stale = json.loads(run_cli("report", str(root), "--format", "json", "--no-scan", check=True).stdout)
    assert stale["totals"] == again["totals"]


def test_scan_problems_are_reported_and_exit_1(run_cli, tmp_path):
    root = tmp_path / "deep"
    root.mkdir()
    (root / "ok.txt").write_text("fine")
    fd = os.open(root, os.O_RDONLY)
    for i in range(22):                                  # a path longer than PATH_MAX
        name = f"{i:02d}" + "d" * 200
        os.mkdir(name, dir_fd=fd)
        nfd = os.open(name, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    os.close(fd)
    out = tmp_path / "r.json"
    proc = run_cli("report", str(root), "-o", str(out))
    assert proc.returncode == 1
    assert "path too long" in proc.stderr
    doc = json.loads(out.read_text())
    assert doc["errors"]["total"] == 1 and doc["errors"]["items"][0]["reason"] == "path too long"
    assert doc["totals"]["files"] == 1


def test_usage_errors_exit_2(run_cli, tmp_path):
    (tmp_path / "a").mkdir()
    assert run_cli("report", str(tmp_path / "missing"), "-o", str(tmp_path / "r.html")).returncode == 2
    assert run_cli("report", str(tmp_path / "a"), "--format", "json", "--what", "duplicates").returncode == 2
    assert run_cli("report", str(tmp_path / "a"), "--format", "html", "--bom", "-o", "x.html").returncode == 2
    proc = run_cli("report", str(tmp_path / "a"), "-o", str(tmp_path / "no" / "such" / "r.html"))
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    assert not (tmp_path / "r.html").exists()


def test_json_duplicate_paths_say_how_many_are_left_out(run_cli, tmp_path):
    """Issue 18.15: a group's `paths` stopped at 10 without a word; `more_paths` counts the rest."""
    root = tmp_path / "same"
    root.mkdir()
    for i in range(12):
        (root / f"copy{i:02d}.bin").write_bytes(b"identical bytes" * 100)
    proc = run_cli("report", str(root), "--format", "json", "-q")
    assert proc.returncode == 0, proc.stderr
    [group] = json.loads(proc.stdout)["duplicate_groups"]["items"]
    assert (group["path_count"], len(group["paths"]), group["more_paths"]) == (12, 10, 2)
