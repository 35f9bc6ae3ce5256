"""`fileorganizer sync [--status]`: send waiting changes and fetch rules (exit 1 while some wait)."""

from __future__ import annotations

import json
import sys
import time

from app.cli import EXIT_ERRORS, EXIT_OK


def register(subparsers) -> None:
    p = subparsers.add_parser("sync", help="sync rules, history and summaries with the server",
                              description=__doc__.splitlines()[0])
    p.add_argument("--status", action="store_true", help="only show the sync status")
    p.add_argument("--upload-report", action="store_true",
                   help="also send the current report (what `report` shows) to the server")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=handler)


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else "never"


def _print_status(status: dict, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(status, indent=2))
        return
    print(f"Status:        {status['status']}")
    if status["server"]:
        print(f"Account:       {status['email']} on {status['server']}")
        print(f"Device:        {status['device_name']}")
    print(f"Waiting:       {status['waiting']} change(s)")
    print(f"Last sync:     {_when(status['last_sync_at'])}")
    if status["message"]:
        print(f"Note:          {status['message']}")
    if status["last_error"]:
        print(f"Last error:    {status['last_error']}")


def handler(args) -> int:
    from app.jobs import sync as jobs
    from app.store.db import open_database

    db = open_database()
    try:
        if args.status:
            status = jobs.status(db)
            _print_status(status, args.format)
            return EXIT_OK if status["waiting"] == 0 else EXIT_ERRORS
        if not jobs.status(db)["linked"]:
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
                          "conflicts": result.conflicts, "waiting": result.waiting,
                          "error": result.error, "status": status["status"]}, indent=2))
    else:
        print(f"Sent {result.sent}, received {result.received}"
              + (f", {result.conflicts} conflict(s) kept as copies" if result.conflicts else "")
              + f". {status['status']}.")
        if result.error:
            print(result.error, file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_ERRORS
