"""How many CPUs this process may use: the worker pools are sized by it.

Linux and some BSDs let a process be pinned to fewer CPUs than the machine has (``taskset``,
containers); Python 3.13 tells that on every OS with ``os.process_cpu_count``. Before 3.13,
only the affinity call of Linux knows it; elsewhere it is the machine's count.
"""

from __future__ import annotations

import os


def usable_cpus() -> int:
    """CPUs this process may run on (at least 1)."""
    count = getattr(os, "process_cpu_count", None)
    if count is not None:
        return max(1, count() or 1)
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        return max(1, len(affinity(0)))
    return max(1, os.cpu_count() or 1)
