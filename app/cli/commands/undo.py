"""`fileorganizer undo [ID]`: undo the last run, or run ID, and report what could not be undone."""

from __future__ import annotations

import sys

from app.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE
from app.cli.console import cancel_on_interrupt, count_noun, make_progress


def register(subparsers) -> None:
    p = subparsers.add_parser("undo", help="undo the last run (or run ID from `history`)",
                              description=__doc__.splitlines()[0])
    p.add_argument("id", nargs="?", type=int, help="history entry to undo (default: the last one)")
    p.add_argument("--op", type=int, action="append", metavar="N",
                   help="undo only operation N of the entry (see `history ID`; repeatable)")
    p.set_defaults(func=handler)


def _show(path: str) -> str:
    return path.encode("utf-8", "backslashreplace").decode("utf-8")


def handler(args) -> int:
    from app.jobs.undo import NothingToUndo, undo
    from app.store.db import open_database

    progress, line = make_progress()
    db = open_database()
    try:
        with cancel_on_interrupt(progress):      # Ctrl+C stops cleanly between two files
            result = undo(db, args.id, progress, only=set(args.op) if args.op else None)
    except NothingToUndo as exc:
        print(f"Nothing undone: {exc}.", file=sys.stderr)
        return EXIT_USAGE if args.id is not None else EXIT_OK
    finally:
        line.clear()
        db.close()
    run = result.run
    print(f"Undo of #{result.entry.id} ({result.entry.source}): {count_noun(run.done, 'operation')} reversed"
          + (f" as entry #{run.entry_id}" if run.entry_id else "")
          + (" (cancelled: the rest is left as it was)" if run.cancelled else "") + ".")
    for path, reason in result.problems:
        print(f"  not undone: {_show(path)}: {reason}", file=sys.stderr)
    return EXIT_ERRORS if result.problems else EXIT_OK
