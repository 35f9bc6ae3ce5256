"""Conflict policies, against files on disk and between files of the same plan, carried out for real."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.core.ops.execute import execute
from app.core.ops.plan import OpKind
from app.core.organize.matching import compile_rules
from app.core.organize.planner import plan_organize
from app.core.organize.rules import rule_from_dict
from app.core.scan.walk import walk
from app.store.db import open_database
from app.store.journal import JournalStore
from tests.windows_like import trashed_files

NOW = time.time()


@pytest.fixture
def journal(app_home, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    db = open_database()
    yield JournalStore(db)
    db.close()


def mk(path: Path, data: bytes, age: float = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (NOW - age, NOW - age))
    return path


def plan(src: Path, dest: Path, conflict: str, action: str = "move", to: str = "."):
    rule = rule_from_dict({"name": "r", "conflict": conflict, "actions": [{"type": action, "to": to}]})
    records = [r for b in walk([str(src)]) for r in b]
    return plan_organize(records, compile_rules([rule], [str(src)], now=NOW), [str(src)], str(dest))


def trashed(tmp_path: Path) -> list[bytes]:
    return sorted(p.read_bytes() for p in trashed_files(tmp_path / "xdg"))


def run(p, journal):
    result = execute(p.plan, journal)
    assert result.failed == 0, result.problems
    return result


def test_rename_is_the_default_and_numbers_like_the_desktop(tmp_path, journal):
    src, dest = tmp_path / "src", tmp_path / "dest"
    mk(dest / "a.txt", b"existing")
    mk(dest / "a (1).txt", b"existing too")
    mk(dest / "b.tar.gz", b"arch")
    mk(src / "a.txt", b"new a")
    mk(src / "b.tar.gz", b"new arch")
    mk(src / "sub" / "b.tar.gz", b"another arch")          # same name within the plan
    p = plan(src, dest, "rename")
    names = [os.path.basename(o.dst) for o in p.plan.operations]
    assert names == ["a (2).txt", "b (1).tar.gz", "b (2).tar.gz"]
    assert "renamed to a (2).txt" in p.plan.operations[0].note
    run(p, journal)
    assert (dest / "a.txt").read_bytes() == b"existing"
    assert (dest / "a (2).txt").read_bytes() == b"new a"
    assert (dest / "b (2).tar.gz").read_bytes() == b"another arch"


def test_skip_leaves_the_file_where_it_is(tmp_path, journal):
    src, dest = tmp_path / "src", tmp_path / "dest"
    mk(dest / "a.txt", b"existing")
    mk(src / "a.txt", b"new")
    mk(src / "x" / "b.txt", b"first b")
    mk(src / "y" / "b.txt", b"second b")
    p = plan(src, dest, "skip")
    assert [os.path.relpath(o.src, src) for o in p.plan.operations] == ["x/b.txt"]
    assert {os.path.relpath(s, src) for s, _ in p.skipped} == {"a.txt", "y/b.txt"}
    run(p, journal)
    assert (src / "a.txt").read_bytes() == b"new" and (dest / "a.txt").read_bytes() == b"existing"
    assert (dest / "b.txt").read_bytes() == b"first b" and (src / "y" / "b.txt").exists()


def test_replace_if_identical_trashes_the_source_only_when_bytes_match(tmp_path, journal):
    src, dest = tmp_path / "src", tmp_path / "dest"
    mk(dest / "same.txt", b"identical")
    mk(dest / "diff.txt", b"old content")
    mk(src / "same.txt", b"identical")
    mk(src / "diff.txt", b"new content")
    mk(src / "p" / "twin.txt", b"twin")
    mk(src / "q" / "twin.txt", b"twin")                    # identical file earlier in the same plan
    p = plan(src, dest, "replace-if-identical")
    kinds = {os.path.relpath(o.src, src): (o.kind, os.path.basename(o.dst or "")) for o in p.plan.operations}
    assert kinds == {"same.txt": (OpKind.TRASH, ""), "diff.txt": (OpKind.MOVE, "diff (1).txt"),
                     "p/twin.txt": (OpKind.MOVE, "twin.txt"), "q/twin.txt": (OpKind.TRASH, "")}
    trash_ops = [o for o in p.plan.operations if o.kind == OpKind.TRASH]
    assert all(o.keep and o.keep_hash for o in trash_ops)
    run(p, journal)
    assert not (src / "same.txt").exists() and (dest / "same.txt").read_bytes() == b"identical"
    assert (dest / "diff (1).txt").read_bytes() == b"new content"
    assert (dest / "twin.txt").read_bytes() == b"twin" and not (src / "q" / "twin.txt").exists()
    assert trashed(tmp_path) == [b"identical", b"twin"]


def test_replace_if_identical_is_rechecked_at_apply_time(tmp_path, journal):
    src, dest = tmp_path / "src", tmp_path / "dest"
    mk(dest / "same.txt", b"identical")
    mk(src / "same.txt", b"identical")
    p = plan(src, dest, "replace-if-identical")
    (dest / "same.txt").write_bytes(b"changed!!")             # kept copy changes after the preview
    result = execute(p.plan, journal)
    assert result.done == 0 and (src / "same.txt").exists()


def test_keep_newest_against_disk_and_within_the_plan(tmp_path, journal):
    src, dest = tmp_path / "src", tmp_path / "dest"
    mk(dest / "newer-there.txt", b"dest newer", age=10)
    mk(src / "newer-there.txt", b"src older", age=1000)
    mk(dest / "older-there.txt", b"dest older", age=1000)
    mk(src / "older-there.txt", b"src newer", age=10)
    mk(src / "a" / "pair.txt", b"pair old", age=500)
    mk(src / "b" / "pair.txt", b"pair new", age=5)
    mk(src / "c" / "late.txt", b"late new", age=5)
    mk(src / "d" / "late.txt", b"late old", age=500)
    p = plan(src, dest, "keep-newest")
    run(p, journal)
    assert (dest / "newer-there.txt").read_bytes() == b"dest newer"
    assert (dest / "older-there.txt").read_bytes() == b"src newer"
    assert (dest / "pair.txt").read_bytes() == b"pair new"
    assert (dest / "late.txt").read_bytes() == b"late new"
    assert not list(dest.glob("* (1).txt"))
    assert trashed(tmp_path) == sorted([b"src older", b"dest older", b"pair old", b"late old"])
    assert [p for p in src.rglob("*") if p.is_file()] == []


def test_keep_newest_copy_never_trashes_its_source(tmp_path, journal):
    src, dest = tmp_path / "src", tmp_path / "dest"
    mk(dest / "f.txt", b"dest newer", age=1)
    mk(src / "f.txt", b"src older", age=100)
    mk(src / "g.txt", b"src newer", age=1)
    mk(dest / "g.txt", b"dest older", age=100)
    p = plan(src, dest, "keep-newest", action="copy")
    run(p, journal)
    assert (src / "f.txt").read_bytes() == b"src older" and (dest / "f.txt").read_bytes() == b"dest newer"
    assert (src / "g.txt").read_bytes() == b"src newer" and (dest / "g.txt").read_bytes() == b"src newer"
    assert trashed(tmp_path) == [b"dest older"]


def test_file_already_in_place_is_left_alone(tmp_path):
    root = tmp_path / "root"
    mk(root / "txt" / "a.txt", b"x")
    p = plan(root, root, "rename", to="{ext}")
    assert p.plan.operations == [] and p.in_place == 1


def test_keep_newest_copies_within_one_plan_copy_only_the_newest(tmp_path, journal):
    src, dest = tmp_path / "src", tmp_path / "dest"
    mk(src / "a" / "f.txt", b"old", age=100)
    mk(src / "b" / "f.txt", b"new", age=1)
    mk(src / "c" / "f.txt", b"older", age=500)
    p = plan(src, dest, "keep-newest", action="copy")
    assert [(os.path.relpath(o.src, src), o.kind) for o in p.plan.operations] == [("b/f.txt", OpKind.COPY)]
    assert [os.path.relpath(s, src) for s, _ in p.skipped] == ["c/f.txt"]
    run(p, journal)
    assert (dest / "f.txt").read_bytes() == b"new"
    assert sorted(q.read_bytes() for q in src.rglob("*.txt")) == [b"new", b"old", b"older"]
    assert trashed(tmp_path) == []
