"""Categories as the user sees them: the built-in ones and their own (add, edit, remove).

The CLI and the Settings view call these; every change re-classifies the indexed files of the
extensions involved in the same transaction (``store.categories_repo``) and takes effect for
the scans, rules and templates of this process at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.core.scan.categories import CATEGORIES, EXTENSION_CATEGORY
from app.core.scan.custom_categories import CategoryError, split_extensions
from app.store import categories_repo
from app.store.categories_repo import Change
from app.store.db import Database

__all__ = ["CategoryError", "CategoryRow", "Change", "add", "edit", "overview", "remove",
           "split_extensions"]


@dataclass(frozen=True, slots=True)
class CategoryRow:
    """One category in a listing. For a built-in one, `extensions` are those it still has and
    `claimed` those a custom category took from it."""

    name: str
    extensions: tuple[str, ...]
    custom: bool
    claimed: tuple[str, ...] = ()
    uuid: str = ""


def overview(db: Database) -> list[CategoryRow]:
    """The built-in categories in their order, then the custom ones (oldest first); makes the
    database's custom categories the active ones."""
    customs = categories_repo.list_categories(db)
    mapping = categories_repo.activate(db)
    rows = []
    for name in CATEGORIES:
        exts = [e for e, c in EXTENSION_CATEGORY.items() if c == name]
        rows.append(CategoryRow(name, tuple(e for e in exts if e not in mapping), False,
                                tuple(e for e in exts if e in mapping)))
    rows.extend(CategoryRow(c.name, c.extensions, True, (), c.uuid) for c in customs)
    return rows


def add(db: Database, name: str, extensions: Iterable[str]) -> Change:
    """Create a custom category. Raises CategoryError with a message for the user."""
    return categories_repo.add(db, name, extensions)


def edit(db: Database, name: str, extensions: Iterable[str] | None = None,
         new_name: str | None = None) -> Change:
    """Change a custom category's extensions and/or its name. Raises CategoryError."""
    return categories_repo.edit(db, name, extensions, new_name)


def remove(db: Database, name: str) -> Change:
    """Delete a custom category: its extensions return to their built-in categories."""
    return categories_repo.delete(db, name)
