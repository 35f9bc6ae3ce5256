"""`fileorganizer report PATH... --format html|csv|json -o FILE`: where the space goes.

Scans first (incrementally) and hashes same-size files so duplicate groups are
complete, then writes one self-contained HTML page, a CSV of every file (or,
with ``--what duplicates``, of every duplicate file) or JSON aggregates.
"""

from __future__ import annotations

import argparse
import os
import sys

from app.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE
from app.cli.commands.scan import add_walk_arguments, missing_roots, print_errors
from app.cli.console import human_bytes, job
from app.cli.words import count

FORMATS = ("html", "csv", "json")


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    ext = os.path.splitext(args.output or "")[1].lower().lstrip(".")
    return {"htm": "html"}.get(ext, ext) if ext in (*FORMATS, "htm") else "html"


def run(args: argparse.Namespace) -> int:
    from app.jobs.report import ReportLimits, export_report

    fmt = _format(args)
    if args.what and fmt != "csv":
        print("fileorganizer: error: --what applies to --format csv only", file=sys.stderr)
        return EXIT_USAGE
    if args.bom and fmt != "csv":
        print("fileorganizer: error: --bom applies to --format csv only", file=sys.stderr)
        return EXIT_USAGE
    if fmt == "html" and (not args.output or args.output == "-") and sys.stdout.isatty():
        print("fileorganizer: error: give -o FILE.html for an HTML report", file=sys.stderr)
        return EXIT_USAGE
    if missing_roots(args.paths):
        return EXIT_USAGE
    refresh = "none" if args.no_scan else ("scan" if args.no_hash else "hash")
    limits = ReportLimits(files=args.top, folders=args.top, groups=args.top)
    try:
        with job("no report written (the index keeps what was scanned).", args.quiet) as j:
            result = export_report(j.db, args.paths, args.output, progress=j.progress, fmt=fmt,
                                   what=args.what or "files", bom=args.bom, refresh=refresh,
                                   exclude=tuple(args.exclude), include_hidden=args.include_hidden,
                                   limits=limits)
    except BrokenPipeError:
        raise                                   # `| head`: the command ends quietly (app.cli)
    except OSError as exc:                      # the progress line is cleared by then
        print(f"fileorganizer: error: {exc.filename or args.output or 'output'}: {exc.strerror or exc}",
              file=sys.stderr)
        return EXIT_ERRORS
    print_errors(result.errors)
    if result.output != "-":
        what = count(result.rows, "row") if fmt == "csv" else fmt.upper()
        print(f"Wrote {result.output} ({what}, {human_bytes(result.bytes_written)}) in "
              f"{result.report_seconds:.2f}s after {result.refresh_seconds:.2f}s refreshing the index; "
              f"{count(len(result.errors), 'error')}.", file=sys.stderr)
    return EXIT_ERRORS if result.errors else EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="export a report of where the space goes (HTML, CSV, JSON)",
        description="Scan folders (incrementally), find duplicates, and write a report: one "
                    "self-contained HTML page, a CSV of every file, or JSON aggregates.")
    add_walk_arguments(parser)
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="output format (default: from the -o file's extension, else html)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the report here (default: stdout; HTML needs a file on a terminal)")
    parser.add_argument("--what", choices=("files", "duplicates"), default=None,
                        help="CSV rows: every file (default) or every file of each duplicate group")
    parser.add_argument("--bom", action="store_true",
                        help="start the CSV with a UTF-8 byte order mark (for Excel)")
    parser.add_argument("--top", type=int, default=100, metavar="N",
                        help="entries in the HTML/JSON lists of largest files, folders and duplicate groups "
                             "(default 100)")
    parser.add_argument("--no-hash", action="store_true",
                        help="scan but do not hash new files: duplicates come from earlier runs only")
    parser.add_argument("--no-scan", action="store_true",
                        help="report the index as it is, without scanning or hashing")
    parser.set_defaults(func=run)
