"""A guard against a reference-counting bug in PySide6 6.12.0 that aborts the app.

PySide6 6.12.0 drops one reference to ``True`` on every Python ``signal.emit()`` and one to
``None`` each time a C++ signal with arguments calls a Python slot (measured: 200 emits take
200 references from True; 6.11.3 takes none). True has a few thousand references in the running
app and every background job emits about ten signals, so after some hundreds of jobs, or at
exit, Python aborts with "Fatal Python error: bool_dealloc: deallocating True or False".

pyproject.toml excludes 6.12.0. Where it is installed anyway, ``install()`` notices the loss
with a few test signals and then keeps both objects' counts topped up from a reserve of
references that is never freed (8 bytes per lost reference). With a sound PySide6 it does
nothing.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

log = logging.getLogger(__name__)

FLOOR = 100_000  # top up when an object has fewer references than this
TARGET = 200_000  # ... to this many
CHECK_MS = 1000  # how often; a busy window loses far fewer than FLOOR references a second
PROBES = 50

_reserve: list[list] = []  # references held on purpose; the list itself is never freed
_timer: QTimer | None = None


class _Probe(QObject):
    ping = Signal()


def _noop(_name: str) -> None:
    pass


def lost_references() -> dict[str, bool]:
    """Whether Python emits lose references to True, and slots called with arguments to None."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(PROBES):
        probe.ping.emit()
    loses_true = sys.getrefcount(True) <= before - PROBES // 2
    probe.objectNameChanged.connect(_noop)  # a C++ signal with an argument, a Python slot
    before = sys.getrefcount(None)
    for i in range(PROBES):
        probe.setObjectName(str(i))
    loses_none = sys.getrefcount(None) <= before - PROBES // 2
    probe.objectNameChanged.disconnect(_noop)
    return {"True": loses_true, "None": loses_none}


def top_up() -> None:
    """Give True and None back enough references to stay far from zero."""
    for obj in (True, None):
        count = sys.getrefcount(obj)
        if count < FLOOR:
            _reserve.append([obj] * (TARGET - count))


def install() -> bool:
    """Start topping up when this PySide6 loses references; True when the guard is active."""
    global _timer
    if _timer is not None:
        return True
    lost = lost_references()
    if not any(lost.values()):
        return False
    import PySide6

    log.warning(
        "PySide6 %s loses references to %s on signals; keeping them topped up",
        PySide6.__version__,
        " and ".join(k for k, v in lost.items() if v),
    )
    # the reserve must outlive interpreter shutdown, when every module's globals are cleared
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(_reserve))
    top_up()
    _timer = QTimer(QCoreApplication.instance(), interval=CHECK_MS, timeout=top_up)
    _timer.start()
    return True
