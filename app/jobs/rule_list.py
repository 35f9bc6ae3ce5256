"""The saved organizer rules as the window edits them: list, save, delete, switch on or off,
reorder, and store several at once (a copied preset, an imported file).

The desktop app reaches the store only through jobs (gui -> jobs -> store); this module is
that path for the rule list, with the names the rules panel uses.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.core.organize.rules import Rule
from app.store import rules_repo
from app.store.db import Database


def list_rules(db: Database, enabled_only: bool = False) -> list[Rule]:
    """The saved rules in the order they are tried."""
    return rules_repo.list_rules(db, enabled_only)


def save_rule(db: Database, rule: Rule, position: int | None = None) -> Rule:
    """Validate and store one rule (new, or edited by uuid); raises core.organize.rules.RuleError."""
    return rules_repo.save_rule(db, rule, position)


def save_rules(db: Database, rules: Sequence[Rule]) -> int:
    """Store several rules after the existing ones, all or nothing; returns how many."""
    return rules_repo.save_rules(db, rules)


def delete_rule(db: Database, uuid: str) -> bool:
    return rules_repo.delete_rule(db, uuid)


def set_enabled(db: Database, uuid: str, enabled: bool) -> bool:
    return rules_repo.set_enabled(db, uuid, enabled)


def reorder(db: Database, uuids: Sequence[str]) -> None:
    rules_repo.reorder(db, uuids)
