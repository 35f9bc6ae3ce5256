"""The duplicate finder on mkcorpus.py trees: equal to the manifest and to jdupes."""

import json
import os
import shutil
import subprocess

import pytest


def inode_groups(paths_groups):
    """Each group as the set of distinct files on disk (hard links of one inode count once)."""
    out = set()
    for group in paths_groups:
        out.add(frozenset((st.st_dev, st.st_ino) for st in (os.stat(p) for p in group)))
    return out


def test_cli_groups_equal_the_manifest(run_cli, make_corpus):
    root, manifest = make_corpus(1500, seed=7, total_mb=6)
    proc = run_cli("dupes", str(root), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    found = sorted(sorted(os.path.relpath(f["path"], root) for f in g["files"]
                          if not f["path"].endswith(".lnk")) for g in doc["groups"])
    assert found == manifest["duplicate_groups"]
    # every hard link of a member is listed and marked
    links = [f for g in doc["groups"] for f in g["files"] if f["path"].endswith(".lnk")]
    assert all(f["hardlink"] and f["nlink"] >= 2 for f in links)
    assert not any(f["path"].endswith(".sym") for g in doc["groups"] for f in g["files"])
    s = doc["summary"]
    assert s["groups"] == len(manifest["duplicate_groups"]) and s["errors"] == 0
    assert s["duplicate_files"] == sum(len(g) - 1 for g in manifest["duplicate_groups"])


@pytest.mark.skipif(not shutil.which("jdupes"), reason="jdupes not installed")
def test_cli_groups_equal_jdupes(run_cli, make_corpus):
    root, _ = make_corpus(1500, seed=7, total_mb=6)
    ours = run_cli("dupes", str(root), "--format", "fdupes", check=True).stdout
    theirs = subprocess.run(["jdupes", "-r", "-q", str(root)], capture_output=True, text=True,
                            check=True).stdout

    def blocks(text):
        return [b.splitlines() for b in text.strip("\n").split("\n\n") if b.strip()]

    assert inode_groups(blocks(ours)) == inode_groups(blocks(theirs))


def test_rerun_hashes_nothing_and_finds_the_same(run_cli, make_corpus):
    root, manifest = make_corpus(1500, seed=7, total_mb=6)
    first = run_cli("dupes", str(root), "--format", "fdupes", check=True).stdout
    again = run_cli("dupes", str(root), "--format", "fdupes", check=True).stdout
    assert first == again
    scan = run_cli("scan", str(root), check=True).stdout
    assert " 0 new, 0 changed, 0 removed" in scan
