"""The guard against PySide6 6.12.0's lost references: a process that emits many signals exits
cleanly with it (and, on that PySide6, aborts without it)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.gui

SCRIPT = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QCoreApplication, QObject, Signal
    from app.gui import refcount_guard

    app = QCoreApplication([])
    if sys.argv[1] == "guarded":
        refcount_guard.install()

    class Source(QObject):
        changed = Signal(str)

    src = Source()
    seen = []
    src.objectNameChanged.connect(seen.append)
    for i in range(20_000):
        src.changed.emit("x")
        src.setObjectName(str(i))
    print(len(seen))
    """
)


def run(mode: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, timeout=120
    )


def test_many_signals_do_not_abort_the_process():
    from app.gui import refcount_guard

    guarded = run("guarded")
    assert guarded.returncode == 0, guarded.stderr
    assert guarded.stdout.strip() == "20000"
    if any(refcount_guard.lost_references().values()):  # a PySide6 with the bug: prove it matters
        bare = run("bare")
        assert bare.returncode != 0 and "Fatal Python error" in bare.stderr


def test_top_up_keeps_counts_high_when_references_are_lost():
    from app.gui import refcount_guard

    active = refcount_guard.install()
    assert active == any(refcount_guard.lost_references().values())
    if active:
        refcount_guard.top_up()
        assert sys.getrefcount(True) >= refcount_guard.FLOOR
        assert sys.getrefcount(None) >= refcount_guard.FLOOR
