"""Each rule condition, the all/any/none combinators, rule folders, rule order and `continue`."""

from __future__ import annotations

import os
import time
from pathlib import Path

from app.core.ops.plan import OpKind
from app.core.organize.matching import DuplicateLookup, compile_rules
from app.core.organize.planner import plan_organize
from app.core.organize.rules import rule_from_dict
from app.core.scan.walk import walk

NOW = time.time()
DAY = 86400


def mk(root: Path, rel: str, data: bytes = b"x", age_days: float = 0) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    t = NOW - age_days * DAY
    os.utime(p, (t, t))
    return p


def plan(root: Path, *rules: dict, dest: Path | None = None, duplicates=None):
    built = [rule_from_dict(r, i) for i, r in enumerate(rules)]
    records = [r for b in walk([str(root)]) for r in b]
    compiled = compile_rules(built, [str(root)], now=NOW, duplicates=duplicates)
    return plan_organize(records, compiled, [str(root)], str(dest) if dest else None)


def matched(root: Path, *conditions: dict, match: str = "all") -> set[str]:
    """Names of the files a rule with these conditions moves."""
    p = plan(root, {"name": "t", "match": match, "conditions": list(conditions),
                    "actions": [{"type": "move", "to": "out"}]})
    return {os.path.basename(op.src) for op in p.plan.operations}


def test_extension(tmp_path):
    for n in ("a.JPG", "b.png", "c.txt", "d.tar.gz", "e"):
        mk(tmp_path, n)
    assert matched(tmp_path, {"type": "extension", "extensions": ["jpg", ".PNG"]}) == {"a.JPG", "b.png"}
    assert matched(tmp_path, {"type": "extension", "extensions": ["gz"]}) == {"d.tar.gz"}
    assert matched(tmp_path, {"type": "extension", "extensions": ["tar.gz"]}) == {"d.tar.gz"}


def test_category(tmp_path):
    for n in ("a.jpg", "b.mp3", "c.pdf", "d.zip", "e.unknownext"):
        mk(tmp_path, n)
    assert matched(tmp_path, {"type": "category", "categories": ["audio", "archives"]}) == {"b.mp3", "d.zip"}
    assert matched(tmp_path, {"type": "category", "categories": ["other"]}) == {"e.unknownext"}


def test_name_glob_contains_regex_exact_and_case(tmp_path):
    for n in ("Invoice-2024.pdf", "invoice-2023.pdf", "notes.txt", "IMG_0001.jpg"):
        mk(tmp_path, n)
    name = {"type": "name"}
    assert matched(tmp_path, {**name, "pattern": "invoice-*"}) == {"Invoice-2024.pdf", "invoice-2023.pdf"}
    assert matched(tmp_path, {**name, "pattern": "invoice-*", "case_sensitive": True}) == {"invoice-2023.pdf"}
    assert matched(tmp_path, {**name, "pattern": "OTE", "mode": "contains"}) == {"notes.txt"}
    assert matched(tmp_path, {**name, "pattern": "OTE", "mode": "contains", "case_sensitive": True}) == set()
    assert matched(tmp_path, {**name, "pattern": r"^img_\d{4}\.", "mode": "regex"}) == {"IMG_0001.jpg"}
    assert matched(tmp_path, {**name, "pattern": "notes.TXT", "mode": "exact"}) == {"notes.txt"}
    exact = {**name, "pattern": "notes.TXT", "mode": "exact"}
    assert matched(tmp_path, {**exact, "case_sensitive": True}) == set()


def test_size_range(tmp_path):
    mk(tmp_path, "small", b"x" * 10)
    mk(tmp_path, "mid", b"x" * 2000)
    mk(tmp_path, "big", b"x" * 50000)
    assert matched(tmp_path, {"type": "size", "min": "1k", "max": "10k"}) == {"mid"}
    assert matched(tmp_path, {"type": "size", "min": 2000}) == {"mid", "big"}
    assert matched(tmp_path, {"type": "size", "max": 10}) == {"small"}


def test_modified_durations_and_date_range(tmp_path):
    mk(tmp_path, "new", age_days=1)
    mk(tmp_path, "month", age_days=40)
    mk(tmp_path, "old", age_days=400)
    mod = {"type": "modified"}
    assert matched(tmp_path, {**mod, "older_than": "30d"}) == {"month", "old"}
    assert matched(tmp_path, {**mod, "newer_than": "2w"}) == {"new"}
    assert matched(tmp_path, {**mod, "older_than": "30d", "newer_than": "1y"}) == {"month"}
    cut = time.strftime("%Y-%m-%d", time.localtime(NOW - 100 * DAY))
    assert matched(tmp_path, {**mod, "before": cut}) == {"old"}
    assert matched(tmp_path, {**mod, "after": cut}) == {"new", "month"}


def test_created(tmp_path):
    mk(tmp_path, "a")      # created just now, whatever its modification time says
    os.utime(tmp_path / "a", (NOW - 1000 * DAY, NOW - 1000 * DAY))
    assert matched(tmp_path, {"type": "created", "newer_than": "1y"}) == {"a"}
    assert matched(tmp_path, {"type": "created", "older_than": "1d"}) == set()


def test_path_contains(tmp_path):
    mk(tmp_path, "Work/Projects/a.txt")
    mk(tmp_path, "home/b.txt")
    assert matched(tmp_path, {"type": "path_contains", "text": "/projects/"}) == {"a.txt"}
    assert matched(tmp_path, {"type": "path_contains", "text": "/projects/", "case_sensitive": True}) == set()


def test_filetype_by_magic_bytes(tmp_path):
    mk(tmp_path, "report.txt", b"%PDF-1.7 rest")            # a PDF with the wrong extension
    mk(tmp_path, "photo.dat", b"\x89PNG\r\n\x1a\n....")
    mk(tmp_path, "song", b"ID3\x03\x00rest")
    mk(tmp_path, "sound.bin", b"RIFF\x00\x00\x00\x00WAVEfmt ")
    mk(tmp_path, "plain.pdf", b"just text")
    mk(tmp_path, "empty.pdf", b"")
    assert matched(tmp_path, {"type": "filetype", "types": ["pdf"]}) == {"report.txt"}
    assert matched(tmp_path, {"type": "filetype", "types": ["images"]}) == {"photo.dat"}
    assert matched(tmp_path, {"type": "filetype", "types": ["mp3", "wav"]}) == {"song", "sound.bin"}
    assert matched(tmp_path, {"type": "filetype", "types": ["audio"]}) == {"song", "sound.bin"}


def test_duplicate_of_a_file_elsewhere(tmp_path):
    root, other = tmp_path / "inbox", tmp_path / "archive"
    a = mk(root, "copy.txt", b"same bytes", age_days=1)
    orig = mk(other, "original.txt", b"same bytes", age_days=10)
    mk(root, "unique.txt", b"unique")
    twin1 = mk(root, "t1.txt", b"twin", age_days=5)
    twin2 = mk(root, "t2.txt", b"twin", age_days=2)
    st = {p: os.stat(p) for p in (a, orig, twin1, twin2)}
    lookup = DuplicateLookup([
        ("h1", [(str(p), st[p].st_dev, st[p].st_ino, st[p].st_mtime_ns) for p in (a, orig)]),
        ("h2", [(str(p), st[p].st_dev, st[p].st_ino, st[p].st_mtime_ns) for p in (twin1, twin2)]),
    ])
    rule = {"name": "dups", "conditions": [{"type": "duplicate"}], "actions": [{"type": "trash"}]}
    p = plan(root, rule, duplicates=lookup)
    # the oldest copy of each group is the original; only the younger ones match
    assert {os.path.basename(op.src) for op in p.plan.operations} == {"copy.txt", "t2.txt"}
    within = dict(rule, conditions=[{"type": "duplicate", "in": [str(other)]}])
    p = plan(root, within, duplicates=lookup)
    assert [os.path.basename(op.src) for op in p.plan.operations] == ["copy.txt"]
    assert plan(root, rule).plan.operations == []          # no lookup: nothing is a duplicate


def test_any_all_none(tmp_path):
    for n in ("a.jpg", "b.png", "c.txt"):
        mk(tmp_path, n, b"x" * (3000 if n != "b.png" else 10))
    conds = ({"type": "extension", "extensions": ["jpg", "png"]}, {"type": "size", "min": 1000})
    assert matched(tmp_path, *conds, match="all") == {"a.jpg"}
    assert matched(tmp_path, *conds, match="any") == {"a.jpg", "b.png", "c.txt"}
    assert matched(tmp_path, conds[0], match="none") == {"c.txt"}


def test_rule_folders_with_and_without_subfolders(tmp_path):
    mk(tmp_path, "top.txt")
    mk(tmp_path, "sub/inner.txt")
    mk(tmp_path, "sub/deeper/deep.txt")
    move = [{"type": "move", "to": "out"}]
    flat = plan(tmp_path, {"name": "flat", "subfolders": False, "actions": move})
    assert {os.path.basename(o.src) for o in flat.plan.operations} == {"top.txt"}
    sub = plan(tmp_path, {"name": "sub", "folders": [str(tmp_path / "sub")], "actions": move})
    assert {os.path.basename(o.src) for o in sub.plan.operations} == {"inner.txt", "deep.txt"}
    only = plan(tmp_path, {"name": "sub", "folders": [str(tmp_path / "sub")], "subfolders": False,
                           "actions": move})
    assert {os.path.basename(o.src) for o in only.plan.operations} == {"inner.txt"}


def test_first_match_wins_unless_continue_and_disabled_rules_are_ignored(tmp_path):
    mk(tmp_path, "a.jpg")
    first = {"name": "first", "conditions": [{"type": "extension", "extensions": ["jpg"]}],
             "actions": [{"type": "copy", "to": "backup"}]}
    second = {"name": "second", "actions": [{"type": "move", "to": "{ext}"}]}
    p = plan(tmp_path, first, second)
    assert [(o.kind, o.rule) for o in p.plan.operations] == [(OpKind.COPY, "first")]
    p = plan(tmp_path, dict(first, **{"continue": True}), second)
    assert [(o.kind, o.rule) for o in p.plan.operations] == [(OpKind.COPY, "first"), (OpKind.MOVE, "second")]
    p = plan(tmp_path, dict(first, enabled=False), second)
    assert [o.rule for o in p.plan.operations] == ["second"]


def test_continue_acts_on_the_moved_file(tmp_path):
    mk(tmp_path, "a.jpg")
    first = {"name": "move", "continue": True, "actions": [{"type": "move", "to": "pics"}]}
    second = {"name": "copy", "actions": [{"type": "copy", "to": "backup"}]}
    ops = plan(tmp_path, first, second).plan.operations
    assert ops[0].dst == str(tmp_path / "pics" / "a.jpg")
    assert ops[1].src == ops[0].dst and ops[1].dst == str(tmp_path / "backup" / "a.jpg")
    assert ops[1].expect.inode == 0            # not known before the move happens
