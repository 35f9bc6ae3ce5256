"""Organizing by rules: walk -> match -> plan (the preview) -> execute through the journal (apply).

The GUI and the CLI call ``preview`` (changes nothing) and then ``apply`` with the
preview's plan: one history entry (source "organizer") that ``jobs.undo`` reverses.
Every operation carries the file's state at preview time, so a file that changed
in between is skipped and reported by the executor.

The walk goes straight to the disk (one pass, no per-file database work). Only a
rule with a "duplicate" condition uses the index: ``jobs.duplicates`` scans the
folders and confirms duplicates by full hash.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.core.ops.execute import ExecResult
from app.core.organize.matching import DuplicateLookup, compile_rules
from app.core.organize.planner import OrganizePlan, plan_organize
from app.core.organize.presets import preset as get_preset
from app.core.organize.rules import Rule
from app.core.organize.rules_io import adopt_saved, load_rules, same_name
from app.core.organize.rules_io import save_rules as save_rules_file
from app.core.progress import Progress
from app.core.scan.walk import walk
from app.jobs.refresh import execute_plan
from app.store import categories_repo
from app.store.db import Database
from app.store.journal import JournalStore


@dataclass(slots=True)
class RuleSet:
    """Rules to run, where they came from, and the destination they default to."""

    rules: list[Rule]
    source: str                      # "preset by-extension", "file x.toml", "saved rules"
    default_dest: str | None = None


@dataclass(slots=True)
class Preview:
    """What organizing would do: the plan, plus problems found while looking."""

    planned: OrganizePlan
    roots: list[str]
    dest: str | None
    errors: list[tuple[str, str]] = field(default_factory=list)    # walk problems and template errors
    elapsed: float = 0.0

    @property
    def plan(self):
        return self.planned.plan


def _rules_repo():
    """The saved-rules store, imported on first use: it loads SQLAlchemy (about 0.15 s of
    start-up), which a run with a preset or a rules file never needs."""
    from app.store import rules_repo

    return rules_repo


def rule_set(db: Database | None, preset: str | None = None, rules_file: str | None = None) -> RuleSet:
    """The rules chosen by the user: a preset, a rules file, or the saved rules (enabled ones).

    Raises KeyError (unknown preset), core.organize.rules_io.RulesFileError or LookupError (no rules saved).
    """
    if preset:
        p = get_preset(preset)
        return RuleSet(p.build(), f"preset {preset}", p.default_dest)
    if rules_file:
        return RuleSet(load_rules(rules_file), f"rules from {os.path.basename(rules_file)}")
    rules = _rules_repo().list_rules(db, enabled_only=True) if db is not None else []
    if not rules:
        raise LookupError("no saved rules: choose a preset, a rules file, or import rules first")
    return RuleSet(rules, "saved rules")


def _duplicates(db: Database, rules: Sequence[Rule], roots: list[str],
                progress: Progress) -> DuplicateLookup | None:
    conds = [c for r in rules if r.enabled for c in r.conditions if c.type == "duplicate"]
    if not conds:
        return None
    from app.jobs.duplicates import find_duplicates

    where = list(roots)
    for c in conds:
        for folder in c.options.get("in", ()):
            path = os.path.abspath(os.path.expanduser(folder))
            if os.path.isdir(path) and path not in where:
                where.append(path)
    found = find_duplicates(db, where, progress=progress)
    return DuplicateLookup((g.hash, [(f.path, f.dev, f.inode, f.mtime_ns) for f in g.files])
                           for g in found.groups)


def preview(db: Database, roots: Sequence[str], rules: Sequence[Rule], *, dest: str | None = None,
            progress: Progress | None = None, exclude: Sequence[str] = (), include_hidden: bool = True,
            title: str = "", now: float | None = None) -> Preview:
    """Plan what `rules` would do to the files under `roots`; changes nothing on disk.

    `dest` is the folder relative templates start from (default: each file's root).
    """
    progress = progress or Progress()
    started = time.monotonic()
    roots = [os.path.abspath(os.path.expanduser(r)) for r in roots]
    errors: list[tuple[str, str]] = []

    def on_error(path: str, reason: str) -> None:
        errors.append((path, reason))
        progress.error(path, reason)

    # a file given as a root (the watcher's new file) is organized as a file of its folder
    scope = [r if os.path.isdir(r) else os.path.dirname(r) for r in roots]
    categories_repo.activate(db)      # {category} and category conditions use custom categories
    lookup = _duplicates(db, rules, scope, progress)
    compiled = compile_rules(rules, scope, now=now, duplicates=lookup)
    progress.stage("scan")
    names = ", ".join(r.name for r in rules if r.enabled)
    records = [rec for batch in walk(roots, exclude=exclude, include_hidden=include_hidden,
                                     on_error=on_error, progress=progress) for rec in batch]
    planned = plan_organize(records, compiled, scope, dest, title=title or f"organize: {names}"[:200],
                            progress=progress)
    errors.extend(planned.errors)
    dest_abs = os.path.abspath(os.path.expanduser(dest)) if dest else None
    return Preview(planned, roots, dest_abs, errors, time.monotonic() - started)


def apply(db: Database, preview: Preview, progress: Progress | None = None) -> ExecResult:
    """Carry out a preview's plan through the journal: one undoable history entry."""
    return execute_plan(db, preview.plan, JournalStore(db), progress)


# --- saved rules (the GUI's rule editor and `fileorganizer rules`) ------------------------------

def saved_rules(db: Database, enabled_only: bool = False) -> list[Rule]:
    """The saved rules in the order they are tried."""
    return _rules_repo().list_rules(db, enabled_only)


def save_rule(db: Database, rule: Rule, position: int | None = None) -> Rule:
    """Validate and store one rule (new or edited, by uuid). Raises core.organize.rules.RuleError."""
    return _rules_repo().save_rule(db, rule, position)


def delete_rule(db: Database, uuid: str) -> bool:
    """Delete a saved rule; False if there was none."""
    return _rules_repo().delete_rule(db, uuid)


def set_rule_enabled(db: Database, uuid: str, enabled: bool) -> bool:
    """Switch a saved rule on or off; False if there was none."""
    return _rules_repo().set_enabled(db, uuid, enabled)


def reorder_rules(db: Database, uuids: Sequence[str]) -> None:
    """Set the order rules are tried in (first wins unless a rule says continue)."""
    _rules_repo().reorder(db, uuids)


@dataclass(slots=True)
class ImportedRules:
    """What an import did: how many rules it stored, and the saved ones it replaced by name."""

    stored: int
    replaced: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return self.stored - len(self.replaced)


def import_rules(db: Database, path: str, replace: bool = False) -> ImportedRules:
    """Add the rules of a .toml/.json file to the saved ones; a saved rule with the name of an
    imported one is replaced by it (so importing a file twice changes nothing). With `replace`
    the saved rules become exactly the file's.

    Raises core.organize.rules_io.RulesFileError naming the rule and field at fault; nothing is
    saved then. Rules with a uuid already saved are updated in place.
    """
    rules = load_rules(path)
    replaced = adopt_saved(rules, _rules_repo().list_rules(db))
    return ImportedRules(_rules_repo().save_rules(db, rules, replace=replace), replaced)


def remove_rules_named(db: Database, name: str) -> list[Rule]:
    """Delete the saved rules called `name` (case and outer spaces do not count); returns them."""
    gone = [r for r in saved_rules(db) if same_name(r.name, name)]
    for rule in gone:
        delete_rule(db, rule.uuid)
    return gone


def export_rules(db: Database, path: str) -> int:
    """Write the saved rules to a .toml/.json file; returns how many."""
    rules = _rules_repo().list_rules(db)
    save_rules_file(path, rules)
    return len(rules)
