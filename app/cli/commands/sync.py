"""`fileorganizer sync [--status]`: send waiting changes and fetch rules (exit 1 while some wait
or the server refused some). `--discard ID` forgets a refused change, `--retry ID` sends it
again (after fixing it; editing a refused rule queues it again by itself)."""

from __future__ import annotations

import json
import sys
import time

from app.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE


def register(subparsers) -> None:
    p = subparsers.add_parser("sync", help="sync rules, history and summaries with the server",
                              description="Send the changes waiting here and fetch the rules "
                                          "changed elsewhere. Exit code 1 while changes wait "
                                          "(offline, signed out) or the server refused some.")
    p.add_argument("--status", action="store_true", help="only show the sync status")
    p.add_argument("--upload-report", action="store_true",
                   help="also send the current report (what `report` shows) to the server")
    p.add_argument("--discard", type=int, metavar="ID",
                   help="forget a change the server refused (its number in `sync --status`)")
    p.add_argument("--retry", type=int, metavar="ID",
                   help="queue a refused change again and sync")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text for people (default) or json for scripts")
    p.set_defaults(func=handler)


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else "never"


def _changes(n: int) -> str:
    return f"{n:,} change" if n == 1 else f"{n:,} changes"


def _print_status(status: dict, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(status, indent=2))
        return
    print(f"Status:        {status['status']}")
    if status["server"]:
        print(f"Account:       {status['email']} on {status['server']}")
        print(f"Device:        {status['device_name']}")
    print(f"Waiting:       {_changes(status['waiting'])}")
    print(f"Last sync:     {_when(status['last_sync_at'])}")
    if status["keyring"]:
        print(f"Sign-in:       {status['keyring']}")
    if status["message"]:
        print(f"Note:          {status['message']}")
    if status["revoke_pending"]:
        print("Sign-out:      an earlier sign-in is ended on the server the next time it answers.")
    if status["last_error"]:
        print(f"Last error:    {status['last_error']}")
    if status["refused"]:
        from app.jobs.account import describe_refused as describe

        print(f"Refused:       {_changes(len(status['refused']))} (fix and sync again, or "
              "`sync --discard ID`)")
        for entry in status["refused"]:
            print(f"  {describe(entry)}")


def _fix(db, args) -> int:
    from app.jobs.account import discard_refused, retry_refused

    entry_id = args.discard if args.discard is not None else args.retry
    done = discard_refused(db, entry_id) if args.discard is not None else retry_refused(db, entry_id)
    if not done:
        print(f"No refused change #{entry_id}: `fileorganizer sync --status` lists them.",
              file=sys.stderr)
        return EXIT_USAGE
    if args.discard is not None:
        print(f"Discarded refused change #{entry_id}; your local data is unchanged.")
    return EXIT_OK


def handler(args) -> int:
    from app.jobs import sync as jobs
    from app.jobs.account import Account
    from app.jobs.database import open_database

    db = open_database()
    try:
        if args.discard is not None or args.retry is not None:
            code = _fix(db, args)
            if code != EXIT_OK or args.discard is not None:
                return code
        if args.status:
            status = jobs.status(db)
            _print_status(status, args.format)
            return EXIT_OK if status["waiting"] == 0 and not status["refused"] else EXIT_ERRORS
        if not jobs.status(db)["linked"]:
            account = Account(db)
            try:
                account.retry_revocations()    # a sign-out that could not reach the server
            finally:
                account.close()
            print("Not signed in: use `fileorganizer login --server URL --email EMAIL` first.",
                  file=sys.stderr)
            return EXIT_ERRORS
        if args.upload_report:
            jobs.queue_report_upload(db)
        result = jobs.sync(db)
        status = jobs.status(db)
    finally:
        db.close()
    if args.format == "json":
        print(json.dumps({"sent": result.sent, "received": result.received,
                          "conflicts": result.conflicts, "refused": status["refused"],
                          "waiting": result.waiting, "error": result.error,
                          "status": status["status"]}, indent=2))
    else:
        print(f"Sent {result.sent:,}, received {result.received:,}"
              + (f", {result.conflicts:,} {'conflict' if result.conflicts == 1 else 'conflicts'} "
                 "kept as copies" if result.conflicts else "")
              + f". {status['status']}.")
        for entry in status["refused"]:
            from app.jobs.account import describe_refused

            print(f"Refused: {describe_refused(entry)}", file=sys.stderr)
        if result.error:
            print(result.error, file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_ERRORS
