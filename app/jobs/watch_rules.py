"""The watcher's link to the organizer: a watched folder's rules, and the plan for files that arrived.

A folder's rules spec (see ``store.watched``) names a preset, inline rules (from a rules file) or
the user's organizer rules; the plan comes from the organizer's planner, so templates, conflict
policies and skips behave exactly as in ``fileorganizer organize``.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from app.core.ops.plan import Plan
from app.core.organize.matching import compile_rules
from app.core.organize.planner import plan_organize
from app.core.organize.presets import PRESETS, preset
from app.core.organize.rules import Rule
from app.core.organize.rules_io import load_rules, rules_from_data, rules_to_data
from app.core.scan.walk import FileRecord, describe_error
from app.store.db import Database
from app.store.rules_repo import list_rules
from app.store.watched import WatchedFolder


@dataclass(slots=True)
class FolderRules:
    """The validated rules of one watched folder and the root their relative templates use."""

    rules: list[Rule]
    dest: str | None


def presets() -> list[tuple[str, str]]:
    """(slug, title) of the organizer's ready-made presets."""
    return [(p.slug, p.title) for p in PRESETS.values()]


def spec_from_file(path: str) -> dict:
    """A rules spec holding the rules of a rules file (validated; RulesFileError is a ValueError)."""
    return {"rules": rules_to_data(load_rules(path))["rules"]}


def load(db: Database, folder: WatchedFolder) -> FolderRules:
    """The folder's rules; ValueError / LookupError say what is wrong with them."""
    spec = folder.rules
    default_dest = None
    if isinstance(spec, dict) and "preset" in spec:
        chosen = preset(str(spec["preset"]))            # KeyError naming the known presets
        rules, default_dest = chosen.build(), chosen.default_dest
    elif isinstance(spec, dict) and "rules" in spec:
        rules = rules_from_data({"version": 1, "rules": spec["rules"]}, f"rules of {folder.path}")
    elif isinstance(spec, list):
        wanted = set(spec)
        rules = [r for r in list_rules(db, enabled_only=True) if not wanted or r.uuid in wanted]
        if not rules:
            raise LookupError("no organizer rules to apply: add rules in the Organizer or choose a preset")
    else:
        raise ValueError(f"rules of {folder.path}: not a preset, a rules list or rule ids: {spec!r}")
    dest = folder.dest or (os.path.expanduser(default_dest) if default_dest else None)
    return FolderRules(rules, dest)


def plan(rules: FolderRules, paths: list[str], folder: WatchedFolder) -> Plan:
    """The organizer's plan for these files of `folder` (nothing on disk changes)."""
    records, gone = [], []
    for path in paths:
        try:
            st = os.lstat(path)
        except OSError as exc:
            gone.append((path, describe_error(exc)))
            continue
        records.append(FileRecord(path, st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, st.st_nlink,
                                  stat.S_ISLNK(st.st_mode)))
    compiled = compile_rules(rules.rules, [folder.path])
    result = plan_organize(records, compiled, [folder.path], rules.dest, title="watcher")
    out = result.plan
    out.skipped.extend(result.errors)
    out.skipped.extend(gone)
    return out
