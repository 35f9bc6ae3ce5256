"""The Organizer's preview in words: one row per planned change (or skipped file), the paths
shown from the folder they start from, and whether a destination is the home folder itself.
Plain functions of the jobs.organize.Preview, split from organizer.py (the page's layout and
its preview/apply/undo flow)."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication

from app.gui.views.history import KINDS


def tr(text: str) -> str:
    return QCoreApplication.translate("Organizer", text)


def plan_rows(pv) -> list[tuple[str, str, str, str, str]]:
    """(action, source, target, rule, note) for every operation, then every skipped file."""
    rows = []
    for op in pv.plan.operations:
        target = op.dst or ("" if str(op.kind) != "trash" else tr("the trash"))
        rows.append((tr(KINDS.get(str(op.kind), str(op.kind))), op.src, target, op.rule or "", op.note))
    for path, why in pv.planned.skipped + pv.errors:
        rows.append((tr("Skip"), path, "", "", why))
    return rows


def short_source(pv, path: str) -> str:
    """The file below the folder organized ('sub/up.png'), so rows of equal names differ."""
    for root in pv.roots if pv else []:
        if path.startswith(root.rstrip(os.sep) + os.sep):
            return path[len(root.rstrip(os.sep)) + 1 :]
    return path


def short_target(pv, src: str, path: str) -> str:
    """The destination below the folder it starts from: 'documents/' (same name) or
    'documents/2024-report.pdf' (renamed)."""
    for base in ([pv.dest] if pv and pv.dest else []) + (pv.roots if pv else []):
        if path.startswith(base.rstrip(os.sep) + os.sep):
            path = path[len(base.rstrip(os.sep)) + 1 :]
            break
    if path and os.path.basename(path) == os.path.basename(src):
        return os.path.dirname(path) + os.sep
    return path


def is_home(path: str) -> bool:
    """True for the user's home folder itself (where a preset would scatter new folders)."""
    home = os.path.expanduser("~")
    return bool(path) and os.path.normcase(os.path.abspath(path)) == os.path.normcase(os.path.abspath(home))
