"""`fileorganizer scan PATH...`: bring the index of these folders up to date."""

from __future__ import annotations

import argparse
import os
import sys

from app.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE
from app.cli.console import human_bytes, job
from app.cli.words import count


def add_walk_arguments(parser: argparse.ArgumentParser) -> None:
    """PATH..., --exclude, --no-hidden, --quiet: shared by scan and dupes."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="folders (or files) to scan")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="skip files and folders whose name or full path matches (repeatable)")
    parser.add_argument("--no-hidden", dest="include_hidden", action="store_false",
                        help="skip hidden files and folders (names starting with a dot)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress display")


def missing_roots(paths: list[str]) -> list[str]:
    """Roots that do not exist; prints an error for each."""
    missing = [p for p in paths if not os.path.exists(p)]
    for p in missing:
        print(f"fileorganizer: error: {p}: no such file or folder", file=sys.stderr)
    return missing


def print_errors(errors: list[tuple[str, str]]) -> None:
    """Each problem once, with its path and reason, on stderr."""
    seen = set()
    for path, reason in errors:
        if (path, reason) not in seen:
            seen.add((path, reason))
            print(f"error: {path}: {reason}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from app.jobs.scan import scan
    from app.jobs.workers import WorkerPool

    if missing_roots(args.paths):
        return EXIT_USAGE
    with job("the index keeps what was scanned so far.", args.quiet) as j, WorkerPool() as pool:
        result = scan(j.db, args.paths, progress=j.progress, exclude=tuple(args.exclude),
                      include_hidden=args.include_hidden, pool=pool)
    print_errors(result.errors)
    c = result.counts
    print(f"Scanned {count(c.files, 'file')} ({human_bytes(c.bytes)}), {count(c.links, 'symlink')}, "
          f"{count(c.dirs, 'folder')} in {result.elapsed:.2f}s: {c.new:,} new, {c.changed:,} changed, "
          f"{c.removed:,} removed, {count(len(result.errors), 'error')}.")
    return EXIT_ERRORS if result.errors else EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("scan", help="index folders (incremental)",
                                   description="Walk folders and update the index: new, changed and "
                                               "vanished files. Symlinks are recorded, never followed.")
    add_walk_arguments(parser)
    parser.set_defaults(func=run)
