"""`fileorganizer history [ID]`: list past runs, or the operations of one run.

Text shows sizes in human units; ``--format json`` keeps exact byte counts.
"""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING

from app.cli import EXIT_OK, EXIT_USAGE
from app.cli.console import count_noun, human_bytes

if TYPE_CHECKING:
    from app.jobs.history import HistoryEntry


def register(subparsers) -> None:
    p = subparsers.add_parser("history", help="list past runs (moves, trash, links) that can be undone",
                              description="List past runs, newest first, with what each did; with ID, "
                                          "list the operations of that run (their numbers are what "
                                          "`fileorganizer undo ID --op N` takes).")
    p.add_argument("id", nargs="?", type=int, metavar="ID", help="show the operations of this entry")
    p.add_argument("--limit", type=int, default=30, metavar="N", help="entries to list (default 30)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (sizes in KiB, MiB, GiB; the default) or json (exact byte counts)")
    p.set_defaults(func=handler)


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else "-"


def _entry_dict(e: HistoryEntry) -> dict:
    return {"id": e.id, "started_at": e.started_at, "finished_at": e.finished_at, "source": e.source,
            "title": e.title, "status": e.status, "undo_of": e.undo_of, "operations": e.op_count,
            "done": e.done_count, "failed": e.failed_count, "skipped": e.skipped_count,
            "undone": e.undone_count, "bytes": e.bytes}


def _counts(e: HistoryEntry) -> str:
    """'3/3 done, 0 failed, 0 skipped, 0 undone, 9.8 KiB'"""
    return (f"{e.done_count:,}/{count_noun(e.op_count, 'operation')} done, {e.failed_count:,} failed, "
            f"{e.skipped_count:,} skipped, {e.undone_count:,} undone, {human_bytes(e.bytes or 0)}")


def _show(path: str) -> str:
    return path.encode("utf-8", "backslashreplace").decode("utf-8")


def handler(args) -> int:
    from app.jobs import history
    from app.jobs.database import opened

    with opened() as db:
        if args.id is None:
            entries = history.entries(db, limit=args.limit)
            if args.format == "json":
                json.dump([_entry_dict(e) for e in entries], sys.stdout, indent=1)
                print()
                return EXIT_OK
            if not entries:
                print("No history yet.")
            for e in entries:
                print(f"#{e.id:<5} {_when(e.started_at)}  {e.source:<10} {e.status:<8} {_counts(e)}  "
                      f"{e.title}" + (f" (undo of #{e.undo_of})" if e.undo_of else ""))
            return EXIT_OK
        entry = history.entry(db, args.id)
        if entry is None:
            print(f"fileorganizer: error: there is no history entry #{args.id} "
                  "(see `fileorganizer history`)", file=sys.stderr)
            return EXIT_USAGE
        records = history.records(db, entry.id)
        if args.format == "json":
            out = _entry_dict(entry)
            out["operations"] = [{"seq": r.seq, "state": r.state, "error": r.error,
                                  **{k: (_show(v) if isinstance(v, str) else v)
                                     for k, v in r.op.to_dict().items()}} for r in records]
            json.dump(out, sys.stdout, indent=1)
            print()
            return EXIT_OK
        print(f"#{entry.id} {entry.source} {entry.status} {_when(entry.started_at)} {entry.title} "
              f"({_counts(entry)})")
        for r in records:
            target = f" -> {_show(r.op.dst)}" if r.op.dst else (
                f" (kept: {_show(r.op.keep)})" if r.op.keep else "")
            why = f"  [{r.error}]" if r.error else ""
            print(f"  {r.seq:>5} {r.state:<8} {r.op.kind.value:<8} {_show(r.op.src)}{target}{why}")
        return EXIT_OK
