"""Human-readable sizes, counts, dates and durations for the views."""

from __future__ import annotations

import os
import time
from datetime import datetime

from PySide6.QtCore import QCoreApplication

from app.core.units import count as unit_count
from app.core.units import human_bytes


def tr(text: str) -> str:
    return QCoreApplication.translate("fmt", text)


def size(n: int | float | None) -> str:
    """1536 -> '1.5 KiB': binary units, the same text the command line and the reports print."""
    if n is None:
        return "–"
    return human_bytes(n)


def count(n: int | None) -> str:
    """38096 -> '38,096': thousands separated as the command line and the reports write them."""
    return "–" if n is None else f"{n:,}"


def plural(n: int, one: str, many: str) -> str:
    """'1 file', '2 files', '1,234 files': app.core.units.count with the words given (translated
    words need both forms: no English plural rule is guessed for them)."""
    return unit_count(n, one, many)


def date(ts: float | None) -> str:
    if not ts:
        return "–"
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def ago(ts: float | None, now: float | None = None) -> str:
    """'just now', '5 min ago', '3 h ago', '2 days ago', or the date."""
    if not ts:
        return tr("never")
    delta = (now or time.time()) - ts
    if delta < 60:
        return tr("just now")
    if delta < 3600:
        return tr("{n} min ago").format(n=int(delta // 60))
    if delta < 86400:
        return tr("{n} h ago").format(n=int(delta // 3600))
    if delta < 86400 * 14:
        return tr("{n} days ago").format(n=int(delta // 86400))
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d")


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def short_path(path: str, roots: list[str]) -> str:
    """``path`` from the scanned folder it lies in: 'Photos/2024/trip' for /home/me/Photos/2024/trip."""
    for root in roots:
        base = root.rstrip(os.sep)
        if path in (root, base):
            return os.path.basename(base) or root
        if path.startswith(base + os.sep):
            return (os.path.basename(base) or base) + path[len(base) :]
    return path
