"""`fileorganizer dupes PATH...`: find files with identical bytes (scans first, incrementally).

The finding part is ``find(args, progress, db)``; output is ``write_report(result, fmt, out)``.
Both can be reused by commands that act on the groups.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from operator import itemgetter

from app.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE
from app.cli.commands._dupes_action import act, add_action_arguments, wants_action
from app.cli.commands.scan import add_walk_arguments, missing_roots, print_errors
from app.cli.console import human_bytes, job, parse_size
from app.cli.words import count
from app.core.progress import Progress

FORMATS = ("text", "json", "csv", "fdupes")
_LONE_SURROGATE = re.compile("[\udc80-\udcff]")


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_find_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of finding duplicates (paths, filters, output)."""
    add_walk_arguments(parser)
    parser.add_argument("--min-size", type=_size, default=1, metavar="SIZE",
                        help="ignore smaller files (e.g. 4k, 1M); empty files are never duplicates")
    parser.add_argument("--max-size", type=_size, default=None, metavar="SIZE", help="ignore larger files")
    parser.add_argument("--paranoid", action="store_true",
                        help="confirm equal hashes with a byte-by-byte comparison")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the report to FILE instead of standard output")


def find(args: argparse.Namespace, progress: Progress, db):
    """Run the duplicate finder for parsed arguments on the database `db`; returns a DuplicateResult."""
    from app.jobs.duplicates import find_duplicates

    return find_duplicates(db, args.paths, progress=progress, min_size=args.min_size,
                           max_size=args.max_size, exclude=tuple(args.exclude),
                           include_hidden=args.include_hidden, paranoid=args.paranoid)


# --- output formats ---------------------------------------------------------------------------

def _text(result) -> str:
    out = []
    for g in result.groups:
        out.append(f"{count(g.copies, 'copy')} of {human_bytes(g.size)}, "
                   f"{human_bytes(g.reclaimable)} reclaimable (blake3 {g.hash[:16]})")
        for f in g.files:
            out.append(f"  {f.path}" + (f"  [hard link: inode {f.inode}, {f.nlink} links]"
                                         if f.hardlinked else ""))
        out.append("")
    s = result.summary()
    out.append(f"{count(s['groups'], 'group')}, {count(s['duplicate_files'], 'duplicate file')}, "
               f"{human_bytes(s['reclaimable_bytes'])} reclaimable; {count(s['files_scanned'], 'file')} "
               f"scanned, {count(s['errors'], 'error')}, {result.elapsed:.2f}s.")
    return "\n".join(out) + "\n"


def _json(result) -> str:
    # one group per line: readable, and json's C encoder (indent= would use the pure-Python one,
    # about 0.25 s per 100k files)
    groups = ",\n".join(
        json.dumps({"size": g.size, "hash": g.hash,
                    "files": [{"path": f.path, "mtime": f.mtime, "inode": f.inode, "nlink": f.nlink,
                               "dev": f.dev, "hardlink": f.hardlinked} for f in g.files]},
                   ensure_ascii=False)
        for g in result.groups)
    summary = json.dumps(result.summary(), ensure_ascii=False)
    text = f'{{"groups": [\n{groups}\n],\n"summary": {summary}}}' if groups else \
        f'{{"groups": [],\n"summary": {summary}}}'
    # undecodable name bytes (lone surrogates) as JSON escapes: valid UTF-8 and json.loads restores them
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _csv(result) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["group", "size", "hash", "path", "mtime", "inode", "nlink", "dev", "hardlink"])
    for i, g in enumerate(result.groups, 1):
        for f in g.files:
            w.writerow([i, g.size, g.hash, f.path, f"{f.mtime:.6f}", f.inode, f.nlink, f.dev,
                        int(f.hardlinked)])
    return buf.getvalue()


def _fdupes(result) -> str:
    lines: list[str] = []
    path = itemgetter(0)            # DupFile.path
    for g in result.groups:
        lines += map(path, g.files)
        lines.append("")            # a blank line after each group
    lines.append("")
    return "\n".join(lines)


RENDERERS = {"text": _text, "json": _json, "csv": _csv, "fdupes": _fdupes}


def write_report(result, fmt: str, output: str | None) -> None:
    """Render `result` in `fmt` to the file `output`, or to stdout when None or '-'."""
    data = RENDERERS[fmt](result).encode("utf-8", "surrogateescape")   # names as the OS spells them
    if output and output != "-":
        with open(output, "wb") as fh:
            fh.write(data)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


def run(args: argparse.Namespace) -> int:
    if missing_roots(args.paths):
        return EXIT_USAGE
    if args.max_size is not None and args.max_size < args.min_size:
        print("fileorganizer: error: --max-size is smaller than --min-size", file=sys.stderr)
        return EXIT_USAGE
    with job("what was already saved to the index is kept for the next run.", args.quiet) as j:
        result = find(args, j.progress, j.db)
    print_errors(result.errors)
    if wants_action(args):
        return act(args, result) or (EXIT_ERRORS if result.errors else EXIT_OK)
    write_report(result, args.format, args.output)
    return EXIT_ERRORS if result.errors else EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("dupes", help="find duplicate files",
                                   description="Find files with identical bytes: size, then a partial "
                                               "blake3 hash, then a full one. Hard links of one inode "
                                               "are one file; symlinks are never followed.")
    add_find_arguments(parser)
    add_action_arguments(parser)
    parser.set_defaults(func=run)
