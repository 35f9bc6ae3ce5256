"""`fileorganizer watch PATH... [--preset NAME | --rules FILE] [--dest DIR]`: watch folders headless.

Runs in the foreground until Ctrl+C (or SIGTERM), organizing each file once it has finished
arriving and logging every action. Runs are journaled (History source "watcher") and undoable
with `fileorganizer undo`.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from app.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE


def register(subparsers) -> None:
    p = subparsers.add_parser("watch", help="watch folders and organize new files as they arrive",
                              description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="+", metavar="PATH", help="folders to watch")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--preset", metavar="NAME", help="a ready-made rule set (e.g. by-category)")
    how.add_argument("--rules", metavar="FILE", help="a rules file (JSON or TOML, as exported)")
    p.add_argument("--dest", metavar="DIR", help="destination root (default: each watched folder)")
    p.add_argument("--settle", type=float, metavar="SECONDS",
                   help="quiet time before a file counts as finished (default: the setting, 3)")
    p.add_argument("--recursive", action="store_true", help="also watch subfolders")
    p.set_defaults(func=handler)


def _show(path: str | None) -> str:
    return (path or "").encode("utf-8", "backslashreplace").decode("utf-8")


def handler(args) -> int:
    import logging  # here, not at import: every command builds the parser

    from app.jobs import watch_rules
    from app.jobs.watch import WatchService
    from app.store.db import open_database
    from app.store.watched import WatchedFolder

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S",
                        stream=sys.stdout, force=True)
    for name in ("watchdog", "app"):
        logging.getLogger(name).setLevel(logging.WARNING)
    out = logging.getLogger("fileorganizer.watch")
    missing = [p for p in args.paths if not os.path.isdir(p)]
    if missing:
        print(f"Not a folder: {', '.join(_show(p) for p in missing)}", file=sys.stderr)
        return EXIT_USAGE
    if args.settle is not None and args.settle <= 0:
        print("--settle must be more than 0 seconds", file=sys.stderr)
        return EXIT_USAGE
    if args.rules:
        try:
            spec = watch_rules.spec_from_file(args.rules)
        except (OSError, ValueError) as exc:
            print(f"Cannot use {_show(args.rules)}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    else:
        spec = {"preset": args.preset} if args.preset else []
    dest = os.path.abspath(args.dest) if args.dest else None
    folders = [WatchedFolder(path=os.path.abspath(p), rules=spec, dest=dest, recursive=args.recursive)
               for p in args.paths]
    problems = 0

    def on_batch(batch) -> None:
        nonlocal problems
        for kind, src, dst in batch.actions:
            out.info("%s %s -> %s", kind, _show(src), _show(dst))
        for path, reason in batch.problems:
            problems += 1
            out.info("skipped %s: %s", _show(path), reason)

    def on_summary(summary) -> None:
        out.info("%s", summary.text())

    def on_status(folder, _status, text) -> None:
        out.info("%s", text)

    db = open_database()
    service = WatchService(db, folders, settle=args.settle, on_batch=on_batch, on_summary=on_summary,
                           on_status=on_status)
    bad = service.reload()
    if bad:
        for folder, reason in bad:
            print(f"Cannot use the rules for {_show(folder.path)}: {reason}", file=sys.stderr)
        db.close()
        return EXIT_USAGE
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        service.start()
        out.info("Watching %s (files settle for %g s). Press Ctrl+C to stop.",
                 ", ".join(_show(f.path) for f in folders), service.settle)
        while not stop.is_set():
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        service.stop()
        db.close()
    out.info("Stopped.")
    return EXIT_ERRORS if problems else EXIT_OK
