"""The four presets do exactly what the issue says, on real files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.core.ops.plan import OpKind
from app.core.organize.matching import compile_rules
from app.core.organize.planner import plan_organize
from app.core.organize.presets import PRESETS, preset
from app.core.scan.walk import walk

NOW = time.time()


def mk(root: Path, rel: str, age_days: float = 0, data: bytes = b"x") -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    os.utime(p, (NOW - age_days * 86400, NOW - age_days * 86400))


def run(slug: str, root: Path, dest: Path) -> dict[str, tuple[OpKind, str | None]]:
    records = [r for b in walk([str(root)]) for r in b]
    planned = plan_organize(records, compile_rules(preset(slug).build(), [str(root)], now=NOW),
                            [str(root)], str(dest))
    return {os.path.relpath(o.src, root): (o.kind, os.path.relpath(o.dst, dest) if o.dst else None)
            for o in planned.plan.operations}


def test_slugs_and_unknown_preset():
    assert set(PRESETS) == {"by-category", "by-extension", "by-date", "downloads-cleanup"}
    assert PRESETS["downloads-cleanup"].default_dest == "~"
    with pytest.raises(KeyError, match="known: by-category"):
        preset("by-colour")


def test_by_extension(tmp_path):
    root, dest = tmp_path / "in", tmp_path / "out"
    for rel in ("a.JPG", "sub/b.tar.gz", "README", "c.Pdf", ".bashrc"):
        mk(root, rel)
    assert run("by-extension", root, dest) == {
        "a.JPG": (OpKind.MOVE, "jpg/a.JPG"), "sub/b.tar.gz": (OpKind.MOVE, "tar.gz/b.tar.gz"),
        "README": (OpKind.MOVE, "no-extension/README"), "c.Pdf": (OpKind.MOVE, "pdf/c.Pdf"),
        ".bashrc": (OpKind.MOVE, "no-extension/.bashrc"), "sub": (OpKind.RMDIR, None)}


def test_by_category(tmp_path):
    root, dest = tmp_path / "in", tmp_path / "out"
    for rel in ("a.jpg", "b.mp3", "c.docx", "d.zip", "e.py", "f.exe", "g.mkv", "h.xyz"):
        mk(root, rel)
    got = {k: v[1] for k, v in run("by-category", root, dest).items()}
    assert got == {"a.jpg": "images/a.jpg", "b.mp3": "audio/b.mp3", "c.docx": "documents/c.docx",
                   "d.zip": "archives/d.zip", "e.py": "code/e.py", "f.exe": "installers/f.exe",
                   "g.mkv": "video/g.mkv", "h.xyz": "other/h.xyz"}


def test_by_date(tmp_path):
    root, dest = tmp_path / "in", tmp_path / "out"
    mk(root, "old.txt", age_days=400)
    mk(root, "new.txt")
    got = run("by-date", root, dest)
    for name, age in (("old.txt", 400), ("new.txt", 0)):
        t = time.localtime(NOW - age * 86400)
        assert got[name] == (OpKind.MOVE, f"{t.tm_year}/{t.tm_mon:02d}/{name}")


def test_downloads_cleanup(tmp_path):
    root, home = tmp_path / "Downloads", tmp_path / "home"
    mk(root, "old-setup.exe", age_days=31)
    mk(root, "new-setup.msi", age_days=2)
    mk(root, "old.zip", age_days=60)
    mk(root, "new.tar.gz", age_days=1)
    mk(root, "cat.png", age_days=100)
    mk(root, "paper.pdf")
    mk(root, "song.mp3", age_days=100)
    assert run("downloads-cleanup", root, home) == {
        "old-setup.exe": (OpKind.TRASH, None), "old.zip": (OpKind.TRASH, None),
        "cat.png": (OpKind.MOVE, "Pictures/cat.png"), "paper.pdf": (OpKind.MOVE, "Documents/paper.pdf")}


def test_presets_leave_symlinks_and_what_they_point_at_in_place(tmp_path):
    """A link, a link to a folder, and the files they reach are not moved (moving them breaks
    the links); a folder the moves empty is removed; a link to the tree itself protects nothing."""
    root, dest = tmp_path / "in", tmp_path / "out"
    for rel in ("lib/target.txt", "lib/other.txt", "shared/js/a.js", "shared/js/b.js", "solo/c.txt",
                "d.txt"):
        mk(root, rel)
    os.symlink("../lib/target.txt", root / "solo" / "link.txt")            # relative link to a file
    os.symlink(str(root / "shared"), root / "shared-abs")                  # absolute link to a folder
    os.symlink("..", root / "lib" / "up")                                  # a loop: the tree itself
    got = run("by-category", root, dest)
    assert got == {"lib/other.txt": (OpKind.MOVE, "documents/other.txt"),
                   "d.txt": (OpKind.MOVE, "documents/d.txt"),
                   "solo/c.txt": (OpKind.MOVE, "documents/c.txt")}
    # every preset: links never move, and the folders their moves empty are removed
    for slug in PRESETS:
        ops = run(slug, root, dest)
        assert not {"solo/link.txt", "shared-abs", "lib/up", "lib/target.txt", "shared/js/a.js"} & set(ops)


def test_emptied_folders_are_removed_by_every_preset(tmp_path):
    root, dest = tmp_path / "in", tmp_path / "out"
    mk(root, "a/b/c/photo.jpg", age_days=40)
    mk(root, "a/keep/notes.txt", age_days=40)
    for slug in ("by-category", "by-date", "by-extension"):
        ops = run(slug, root, dest)
        rmdirs = {src for src, (kind, _) in ops.items() if kind == OpKind.RMDIR}
        assert rmdirs == {"a/b/c", "a/b", "a/keep", "a"}, slug
