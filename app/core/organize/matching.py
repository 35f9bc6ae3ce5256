"""Matching files against rules: each rule is compiled once into fast predicates.

``FileInfo`` wraps a walk record and computes what a condition needs only when it
is asked (category, first bytes, creation time), so a rule on extensions costs a
set lookup per file. Conditions run cheapest first; the result does not depend on
their order.
"""

from __future__ import annotations

import fnmatch
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.organize.rules import MAGIC_TYPES, RIFF_TYPES, Condition, Rule, parse_date, parse_duration
from app.core.organize.templates import Template
from app.core.scan.categories import category_for, extension_of, sniff

HEAD_BYTES = 64
_COST = {"extension": 0, "category": 1, "name": 1, "size": 0, "path_contains": 1, "modified": 0,
         "duplicate": 2, "created": 3, "filetype": 4}


class FileInfo:
    """One file under test: the walk record plus lazily computed facts."""

    __slots__ = ("path", "size", "mtime_ns", "inode", "dev", "is_link", "name", "_ext", "_category",
                 "_head", "_created", "original")

    def __init__(self, rec: Any) -> None:
        self.path, self.size, self.mtime_ns = rec[0], rec[1], rec[2]
        self.inode, self.dev, self.is_link = rec[3], rec[4], rec[6]
        self.name = os.path.basename(self.path)
        self._ext: str | None = None
        self._category: str | None = None
        self._head: bytes | None = None
        self._created: float | None = None
        self.original: tuple[str, str] | None = None      # (path, hash) when a duplicate

    @property
    def ext(self) -> str:
        if self._ext is None:
            self._ext = extension_of(self.name)
        return self._ext

    @property
    def category(self) -> str:
        if self._category is None:
            self._category = category_for(self.name)
        return self._category

    @property
    def head(self) -> bytes:
        """The first bytes of the file ('' for symlinks and unreadable files)."""
        if self._head is None:
            self._head = b""
            if not self.is_link and self.size:
                try:
                    with open(self.path, "rb", buffering=0) as f:
                        self._head = f.read(HEAD_BYTES)
                except OSError:
                    pass
        return self._head

    @property
    def created(self) -> float:
        """Birth time where the OS gives it (macOS, BSD, Windows); on Linux the inode change time,
        which is the creation time until the file is renamed or its attributes change."""
        if self._created is None:
            try:
                st = os.lstat(self.path)
                self._created = getattr(st, "st_birthtime", None) or st.st_ctime
            except OSError:
                self._created = self.mtime_ns / 1e9
        return self._created


def _under(path: str, folders: Sequence[str]) -> bool:
    return any(path.startswith(f) for f in folders)


class DuplicateLookup:
    """Which file a path duplicates. Built from (hash, [(path, dev, inode, mtime_ns), ...]) groups.

    The original of a group is its oldest member (then the shortest path); with `within`
    folders, the oldest member inside them. Hard links of the original are not duplicates.
    """

    def __init__(self, groups: Iterable[tuple[str, Sequence[tuple[str, int, int, int]]]]) -> None:
        self._groups: dict[str, tuple[str, list[tuple[str, int, int, int]]]] = {}
        for digest, members in groups:
            ordered = sorted(members, key=lambda m: (m[3], len(m[0]), m[0]))
            for m in ordered:
                self._groups[m[0]] = (digest, ordered)

    def __len__(self) -> int:
        return len(self._groups)

    def original_of(self, path: str, within: Sequence[str] | None = None) -> tuple[str, str] | None:
        """(original path, content hash) if `path` has an identical copy elsewhere, else None."""
        found = self._groups.get(path)
        if found is None:
            return None
        digest, members = found
        me = next(m for m in members if m[0] == path)
        for m in members:
            if (m[1], m[2]) == (me[1], me[2]):
                if within is None:
                    return None           # this file (or a hard link of it) is the original
                continue
            if within is None or _under(m[0], within):
                return m[0], digest
        return None


@dataclass(slots=True)
class MatchContext:
    """What conditions may need beyond the file: the time 'now' and the duplicate lookup."""

    now: float
    duplicates: DuplicateLookup | None = None


Predicate = Callable[[FileInfo], bool]


def _folders(paths: Iterable[str]) -> list[str]:
    return [os.path.join(os.path.abspath(os.path.expanduser(p)), "") for p in paths]


def _dates(opts: dict, now: float) -> tuple[float, float]:
    lo, hi = float("-inf"), float("inf")
    if "older_than" in opts:
        hi = min(hi, now - parse_duration(opts["older_than"]))
    if "newer_than" in opts:
        lo = max(lo, now - parse_duration(opts["newer_than"]))
    if "after" in opts:
        lo = max(lo, parse_date(opts["after"]))
    if "before" in opts:
        hi = min(hi, parse_date(opts["before"]))
    return lo, hi


def _filetype_test(types: list[str]) -> Predicate:
    sigs = tuple(s for t in types for s in MAGIC_TYPES.get(t, ()))
    riff = tuple(RIFF_TYPES[t] for t in types if t in RIFF_TYPES)
    cats = {t for t in types if t not in MAGIC_TYPES and t not in RIFF_TYPES and t != "mp4"}
    mp4 = "mp4" in types

    def test(info: FileInfo) -> bool:
        head = info.head
        if not head:
            return False
        if (sigs and head.startswith(sigs)) or (riff and head[:4] == b"RIFF" and head[8:12] in riff):
            return True
        if mp4 and head[4:8] == b"ftyp":
            return True
        if cats:
            found = sniff(head)
            return found is not None and found[0] in cats
        return False

    return test


def compile_condition(cond: Condition, ctx: MatchContext) -> Predicate:
    """A predicate for one validated condition."""
    o = cond.options
    kind = cond.type
    if kind == "extension":
        exts = frozenset(o["extensions"])
        return lambda f: f.ext in exts or os.path.splitext(f.name)[1].lower() in exts
    if kind == "category":
        cats = frozenset(c.casefold() for c in o["categories"])   # custom names: any case
        return lambda f: f.category.casefold() in cats
    if kind == "name":
        flags = 0 if o["case_sensitive"] else re.IGNORECASE
        pattern, mode = o["pattern"], o["mode"]
        if mode == "glob":
            rx = re.compile(fnmatch.translate(pattern), flags)
            return lambda f: rx.match(f.name) is not None
        if mode == "regex":
            rx = re.compile(pattern, flags)
            return lambda f: rx.search(f.name) is not None
        if o["case_sensitive"]:
            return (lambda f: pattern in f.name) if mode == "contains" else (lambda f: f.name == pattern)
        low = pattern.casefold()
        return (lambda f: low in f.name.casefold()) if mode == "contains" else \
            (lambda f: f.name.casefold() == low)
    if kind == "path_contains":
        text = o["text"]
        if o["case_sensitive"]:
            return lambda f: text in f.path
        low = text.casefold()
        return lambda f: low in f.path.casefold()
    if kind == "size":
        lo, hi = o.get("min", 0), o.get("max", float("inf"))
        return lambda f: lo <= f.size <= hi
    if kind == "modified":
        lo, hi = _dates(o, ctx.now)
        lo_ns = lo * 1e9 if lo != float("-inf") else lo
        hi_ns = hi * 1e9 if hi != float("inf") else hi
        return lambda f: lo_ns <= f.mtime_ns <= hi_ns
    if kind == "created":
        lo, hi = _dates(o, ctx.now)
        return lambda f: lo <= f.created <= hi
    if kind == "filetype":
        return _filetype_test(o["types"])
    if kind == "duplicate":
        within = _folders(o["in"]) if "in" in o else None
        lookup = ctx.duplicates

        def is_duplicate(f: FileInfo) -> bool:
            if lookup is None or f.is_link:
                return False
            f.original = lookup.original_of(f.path, within)
            return f.original is not None

        return is_duplicate
    raise ValueError(f"unknown condition {kind!r}")


class CompiledRule:
    """A rule ready to test files: where it applies, whether a file matches, its templates."""

    def __init__(self, rule: Rule, roots: Sequence[str], ctx: MatchContext) -> None:
        self.rule = rule
        self.folders = _folders(rule.folders) if rule.folders else _folders(roots)
        self.folder_set = {f.rstrip(os.sep) or os.sep for f in self.folders}
        tests = [compile_condition(c, ctx) for c in sorted(rule.conditions, key=lambda c: _COST[c.type])]
        if not tests:
            self.matches: Predicate = lambda f: True
        elif rule.match == "all":
            self.matches = lambda f: all(t(f) for t in tests)
        elif rule.match == "any":
            self.matches = lambda f: any(t(f) for t in tests)
        else:
            self.matches = lambda f: not any(t(f) for t in tests)
        main = rule.main_action
        self.kind = main.type if main else "rename"
        self.to = Template.parse(main.options["to"]) if main and "to" in main.options else None
        ren = rule.rename_action
        self.rename = Template.parse(ren.options["name"], kind="name") if ren else None

    def applies_to(self, path: str) -> bool:
        """True if `path` lies in the rule's folders (directly, unless subfolders are included)."""
        if self.rule.subfolders:
            return _under(path, self.folders)
        return os.path.dirname(path) in self.folder_set


def compile_rules(rules: Sequence[Rule], roots: Sequence[str], now: float | None = None,
                  duplicates: DuplicateLookup | None = None) -> list[CompiledRule]:
    """The enabled rules, compiled, in order."""
    ctx = MatchContext(time.time() if now is None else now, duplicates)
    return [CompiledRule(r, roots, ctx) for r in rules if r.enabled]


def rules_outside(rules: Sequence[Rule], roots: Sequence[str]) -> list[Rule]:
    """The enabled rules whose own `folders` lie outside every root (and hold none of them):
    they cannot match anything there, which the user should be told (a rules file written
    for ~/Desktop, run on another folder)."""
    tops = _folders(roots)
    return [r for r in rules if r.enabled and r.folders
            and not any(t.startswith(f) or f.startswith(t) for f in _folders(r.folders) for t in tops)]
