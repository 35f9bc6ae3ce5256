"""`fileorganizer undo [ID] [--op N]`: undo the last run, or run ID, and report what could not be undone.

Exit codes: 0 undone; 1 nothing was undone (already undone, or nothing to undo) or some
operations could not be undone (each is listed); 2 no such history entry or operation.
"""

from __future__ import annotations

import sys

from app.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, error
from app.cli.console import job
from app.cli.words import files_and_folders


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "undo", help="undo the last run, or run ID from `fileorganizer history`",
        description="Undo the last run that can be undone, or history entry ID: files go back where "
                    "they were, trashed files come back from the trash, links become copies again, "
                    "and folders get back their times. The undo is itself a history entry.",
        epilog="Exit codes: 0 undone; 1 nothing was undone (already undone, or nothing to undo), "
               "or some operations could not be undone (each is listed); 2 no such entry or "
               "operation.")
    p.add_argument("id", nargs="?", type=int, metavar="ID",
                   help="the history entry to undo (default: the newest one with something to undo)")
    p.add_argument("--op", type=int, action="append", metavar="N",
                   help="undo only operation N of the entry (numbers as `fileorganizer history ID` "
                        "shows them; repeatable)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    p.set_defaults(func=handler)


def _show(path: str) -> str:
    return path.encode("utf-8", "backslashreplace").decode("utf-8")


def handler(args) -> int:
    from app.jobs.undo import NothingToUndo, undo

    if args.op and args.id is None:
        error("--op needs the entry ID too, e.g. `fileorganizer undo 23 --op 3`")
        return EXIT_USAGE
    try:
        # Ctrl+C stops cleanly between two files: the executor reports it (run.cancelled)
        with job("the rest is left as it was.", args.quiet) as j:
            result = undo(j.db, args.id, j.progress, only=set(args.op) if args.op else None)
    except NothingToUndo as exc:
        if exc.missing:
            error(str(exc))
            return EXIT_USAGE
        print(f"Nothing undone: {exc}.", file=sys.stderr)
        return EXIT_ERRORS
    run = result.run
    print(f"Undo of #{result.entry.id} ({result.entry.source}): {files_and_folders(run.records)} put back"
          + (f" as entry #{run.entry_id}" if run.entry_id else "")
          + (" (cancelled: the rest is left as it was)" if run.cancelled else "") + ".")
    for path, reason in result.problems:
        print(f"  not undone: {_show(path)}: {reason}", file=sys.stderr)
    return EXIT_ERRORS if result.problems else EXIT_OK
