"""Turning the user's checked duplicates into a plan and running it through the journal.

The user may check any copies by hand, so the plan is built from the check marks: each
checked file gets an operation whose ``keep`` is a copy of the same group that stays
(re-verified by the executor right before acting, together with ``keep_hash``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.ops.plan import FileState, Operation, OpKind, Plan

ACTIONS = {"trash": OpKind.TRASH, "hardlink": OpKind.HARDLINK, "move": OpKind.MOVE, "delete": OpKind.DELETE}


def policy_for(key: str, reference: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A keep policy chosen in the GUI -> (core.dedup.keep criteria, roots) for choose_keep."""
    if key == "reference" and reference:
        return ("first-root", "oldest"), (reference,)
    return ((key,) if key in ("oldest", "newest", "shortest-path") else ("oldest",)), ()


@dataclass
class Selection:
    """Checked files grouped with the copy each group keeps."""

    items: list[tuple[object, object, str]]  # (group, file, kept path)

    @property
    def bytes(self) -> int:
        return sum(f.size for _g, f, _k in self.items)

    def __len__(self) -> int:
        return len(self.items)


def selection(
    groups: list,
    marked: set[str],
    preferred: dict[int, str] | None = None,
    only: Iterable[int] | None = None,
) -> Selection:
    """Checked files with the kept copy of their group (the policy's choice if it is unchecked).

    ``only``: the numbers of the groups to look at (those the filters show). The same rule
    counts "N checked" and builds the plan, so the summary and the action never disagree.
    """
    items: list = []
    if not marked:
        return Selection(items)
    numbers = range(len(groups)) if only is None else only
    for i in numbers:
        group = groups[i]
        checked = [f for f in group.files if f.path in marked]
        if not checked:
            continue
        remaining = [f for f in group.files if f.path not in marked]
        if not remaining:  # never remove every copy: keep the first one
            remaining, checked = checked[:1], checked[1:]
        pref = (preferred or {}).get(i)
        keep = next((f.path for f in remaining if f.path == pref), remaining[0].path)
        keep_inode = next((f.dev, f.inode) for f in remaining if f.path == keep)
        keep_real = os.path.realpath(keep)
        for f in checked:
            if (f.dev, f.inode) == keep_inode or os.path.realpath(f.path) == keep_real:
                continue  # the kept file under another name: acting would remove it
            items.append((group, f, keep))
    return Selection(items)


def _unique_dst(folder: str, name: str, taken: set[str]) -> str:
    stem, ext = os.path.splitext(name)
    candidate, n = os.path.join(folder, name), 1
    while candidate in taken or os.path.lexists(candidate):
        candidate = os.path.join(folder, f"{stem} ({n}){ext}")
        n += 1
    taken.add(candidate)
    return candidate


def build_plan(
    sel: Selection, action: str, dest: str | None = None, policy: str = "", any_owner: bool = False
) -> Plan:
    """One operation per checked file; ``dest`` is the folder for action "move"; ``any_owner``
    hard-links copies whose owner, group or permissions differ from the kept file's too (the
    CLI's --allow-different-owners; by default the executor skips them and says why)."""
    kind = ACTIONS[action]
    plan = Plan("duplicates", title=_title(action, len(sel), dest), link_any_owner=any_owner)
    taken: set[str] = set()
    for group, f, keep in sel.items:
        dst = _unique_dst(dest, os.path.basename(f.path), taken) if kind == OpKind.MOVE and dest else None
        plan.operations.append(
            Operation(
                kind=kind,
                src=f.path,
                dst=dst,
                expect=FileState(f.size, f.mtime_ns, f.inode, f.dev),
                keep=keep,
                keep_hash=group.hash,
                rule=policy or "manual",
            )
        )
    return plan


def _title(action: str, n: int, dest: str | None) -> str:
    """The History title of the run: 'Moved 3 duplicates to the trash'."""
    verbs = {
        "trash": "Moved {n} to the trash",
        "hardlink": "Replaced {n} with hard links",
        "move": "Moved {n} to {dest}",
        "delete": "Deleted {n} permanently",
    }
    what = "1 duplicate" if n == 1 else f"{n:,} duplicates"
    return verbs[action].format(n=what, dest=dest or "")


def run_plan(db, plan: Plan, progress):
    """Execute through the journal (undoable from History); returns the executor's result."""
    from app.jobs.act_duplicates import act_on_duplicates

    return act_on_duplicates(db, plan, progress)
