"""`python tests/cli/windows_like_probe.py ARGS...`: the `fileorganizer ARGS` command in this very
process, after one JSON line on stderr saying what this process (and a worker it spawns) finds
in ``os``, ``multiprocessing`` and ``app.platform``. Used by test_windows_like_mode.py; it is a
file of this checkout, so in the Windows-like mode it sees what the app's own code sees."""

from __future__ import annotations

import json
import multiprocessing
import os
import runpy
import sys


def has_fork() -> bool:
    return hasattr(os, "fork")


def report() -> dict:
    from app.platform import trash

    try:
        multiprocessing.get_context("fork")
        fork_context = True
    except ValueError:
        fork_context = False
    with multiprocessing.Pool(1) as pool:
        worker_has_fork = pool.apply(has_fork)
    return {name: hasattr(os, name) for name in ("fork", "pread", "pwrite", "geteuid", "getuid",
                                                 "sched_getaffinity")} | {
        "start_method": multiprocessing.get_start_method(), "fork_context": fork_context,
        "worker_has_fork": worker_has_fork, "freedesktop_trash": trash.FREEDESKTOP,
    }


if __name__ == "__main__":
    print(json.dumps(report()), file=sys.stderr, flush=True)
    sys.argv = ["fileorganizer", *sys.argv[1:]]
    runpy.run_module("app.cli", run_name="__main__", alter_sys=True)
