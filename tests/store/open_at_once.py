"""Several openers of one database at the same moment (threads stand in for processes: each
opens its own engine, as a process would)."""

from __future__ import annotations

import threading
from pathlib import Path

from app.store import open_database


def open_at_once(path: Path, openers: int = 3) -> tuple[list, list[Exception]]:
    """Open `path` from `openers` threads released together; returns (databases, errors)."""
    start = threading.Barrier(openers)
    opened, failed = [], []

    def open_it() -> None:
        start.wait()
        try:
            opened.append(open_database(path))
        except Exception as exc:      # noqa: BLE001 - returned to the test
            failed.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(openers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return opened, failed
