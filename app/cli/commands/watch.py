"""`fileorganizer watch PATH... [--preset NAME | --rules FILE] [--dest DIR]`: watch folders headless.

Runs in the foreground until Ctrl+C (or SIGTERM), organizing each file once it has finished
arriving and logging every action. Runs are journaled (History source "watcher") and undoable
with `fileorganizer undo`.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time

from app.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, error
from app.core.organize.presets import PRESETS

_NAMES = ", ".join(sorted(PRESETS))


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "watch", help="watch folders and organize new files as they arrive",
        description="Watch folders in the foreground until Ctrl+C and organize each new file once it "
                    "has finished arriving, by a preset, a rules file or the saved rules. Every action "
                    "is logged and journaled: `fileorganizer undo` reverses it.",
        epilog="Presets:\n" + "\n".join(f"  {s:<18} {p.description}" for s, p in PRESETS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help="folders to watch")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--preset", metavar="NAME", nargs="?", const="",
                     help=f"a ready-made rule set: {_NAMES} (listed below)")
    how.add_argument("--rules", metavar="FILE", help="a rules file (.toml or .json, as `rules export` "
                                                     "writes); default: the saved rules")
    p.add_argument("--dest", metavar="DIR", help="folder that relative destinations start from "
                                                 "(default: each watched folder)")
    p.add_argument("--settle", type=float, metavar="SECONDS",
                   help="how long a file must stay unchanged before it counts as finished "
                        "(default: the app's setting, 3 seconds)")
    p.add_argument("--recursive", action="store_true",
                   help="also watch the subfolders of each PATH (default: new files directly in PATH)")
    p.set_defaults(func=handler)


def _show(path: str | None) -> str:
    return (path or "").encode("utf-8", "backslashreplace").decode("utf-8")


def _plain(reason: object) -> str:
    """A reason without the quotes str(KeyError(...)) puts around its message."""
    text = str(reason)
    return text[1:-1] if len(text) > 1 and text[0] == text[-1] and text[0] in "\"'" else text


def handler(args) -> int:
    import logging  # here, not at import: every command builds the parser

    from app.jobs import watch_rules
    from app.jobs.database import open_database
    from app.jobs.watch import WatchService
    from app.jobs.watched_folders import WatchedFolder

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S",
                        stream=sys.stdout, force=True)
    for name in ("watchdog", "app"):
        logging.getLogger(name).setLevel(logging.WARNING)
    out = logging.getLogger("fileorganizer.watch")
    missing = [p for p in args.paths if not os.path.isdir(p)]
    for p in missing:
        error(f"{_show(p)}: no such folder")
    if missing:
        return EXIT_USAGE
    if args.preset is not None and args.preset not in PRESETS:
        error(f"--preset needs a NAME: one of {_NAMES}" if not args.preset else
              f"--preset {args.preset}: no such preset (choose one of {_NAMES})")
        return EXIT_USAGE
    if args.dest and os.path.lexists(os.path.expanduser(args.dest)) and \
            not os.path.isdir(os.path.expanduser(args.dest)):
        error(f"--dest {args.dest}: not a folder (give the folder files are sorted into)")
        return EXIT_USAGE
    if args.settle is not None and args.settle <= 0:
        error("--settle must be more than 0 seconds")
        return EXIT_USAGE
    if args.rules:
        try:
            spec = watch_rules.spec_from_file(args.rules)
        except (OSError, ValueError) as exc:
            error(f"{_show(args.rules)}: {_plain(exc)}")
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
            error(f"cannot use the rules for {_show(folder.path)}: {_plain(reason)}")
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
