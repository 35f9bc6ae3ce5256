"""`fileorganizer organize PATH [--preset NAME | --rules FILE] [--dest DIR] [--apply]`.

Without --apply it prints the plan (source, destination, rule, conflict outcome) and
changes nothing. With --apply the plan runs through the journaled executor: one
history entry that `fileorganizer undo` reverses.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from app.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, error
from app.cli.console import human_bytes, job
from app.cli.words import count, files_and_folders
from app.core.organize.presets import PRESETS


def _show(path: str | None) -> str:
    return (path or "").encode("utf-8", "backslashreplace").decode("utf-8")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "organize", help="sort files by rules (preview, or --apply)",
        description="Sort the files of PATH by a preset, a rules file or the saved rules. Without "
                    "--apply it prints the plan and changes nothing; with --apply the plan runs as "
                    "one history entry that `fileorganizer undo` reverses. Symbolic links, and the "
                    "files they point at, stay where they are.",
        epilog="Presets:\n" + "\n".join(f"  {s:<18} {p.description}" for s, p in PRESETS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help="folders to organize")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--preset", choices=sorted(PRESETS), metavar="NAME",
                     help=f"a ready-made rule set: {', '.join(sorted(PRESETS))} (listed below)")
    src.add_argument("--rules", metavar="FILE", help="rules file (.toml or .json); default: saved rules")
    p.add_argument("--dest", metavar="DIR", help="folder that relative destinations start from "
                                                 "(default: the organized folder; home for "
                                                 "downloads-cleanup)")
    p.add_argument("--apply", action="store_true", help="carry out the plan (journaled, undoable)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                   help="skip files and folders whose name or path matches (repeatable)")
    p.add_argument("--no-hidden", dest="include_hidden", action="store_false",
                   help="leave hidden files and folders alone")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    p.set_defaults(func=handler)


def _print_text(preview, apply: bool) -> None:
    planned = preview.planned
    for op in planned.plan.operations:
        line = f"{op.kind.value:8} {_show(op.src)}"
        if op.dst:
            line += f" -> {_show(op.dst)}"
        line += f"  [{op.rule}]"
        if op.note:
            line += f" ({op.note})"
        print(line)
    for path, why in planned.skipped:
        print(f"{'skip':8} {_show(path)}: {why}")
    _print_summary(preview, apply)


def _print_summary(preview, apply: bool) -> None:
    planned = preview.planned
    verb = "Planned" if not apply else "Applying"
    print(f"{verb}: {count(len(planned.plan), 'operation')} for {planned.matched:,} of "
          f"{count(planned.files, 'file')} ({human_bytes(planned.plan.total_bytes)}); "
          f"{planned.in_place:,} already in place, {len(planned.skipped):,} skipped, "
          f"{count(len(preview.errors), 'error')}"
          + (f"; {count(planned.links_left, 'symbolic link')} left where "
             f"{'it is' if planned.links_left == 1 else 'they are'}" if planned.links_left else "") + "."
          + ("" if apply else " Nothing was changed (add --apply)."))


def _print_json(preview, run=None) -> None:
    planned = preview.planned
    doc = {
        "roots": preview.roots, "dest": preview.dest,
        "operations": [op.to_dict() for op in planned.plan.operations],
        "skipped": [{"path": p, "reason": r} for p, r in planned.skipped],
        "errors": [{"path": p, "reason": r} for p, r in preview.errors],
        "summary": {"files": planned.files, "matched": planned.matched, "in_place": planned.in_place,
                    "operations": len(planned.plan), "bytes": planned.plan.total_bytes,
                    "skipped": len(planned.skipped), "errors": len(preview.errors),
                    "links_left": planned.links_left,
                    "applied": run is not None},
    }
    if run is not None:
        doc["result"] = {"history_id": run.entry_id, "done": run.done, "failed": run.failed,
                         "skipped": run.skipped, "bytes": run.bytes_done, "cancelled": run.cancelled,
                         "problems": [{"path": p, "reason": r} for p, r in run.problems]}
    json.dump(doc, sys.stdout, indent=1, ensure_ascii=True)
    print()


def _say_default_dest(preset: str | None, default: str) -> None:
    """Before anything happens: where a preset's relative destinations go when --dest is not
    given (downloads-cleanup: the real home folder, whatever FILEORGANIZER_HOME says)."""
    where = os.path.expanduser(default)
    app_home = os.environ.get("FILEORGANIZER_HOME")
    print(f"note: {preset or 'these rules'} sorts files into folders below {_show(where)}"
          + (f" (your home folder; FILEORGANIZER_HOME={_show(app_home)} only moves the app's own data)"
             if app_home else "")
          + "; add --dest DIR to choose another folder.", file=sys.stderr)


def _rules_outside(rules, paths: list[str]):
    from app.core.organize.matching import rules_outside

    return rules_outside(rules, paths)


def handler(args: argparse.Namespace) -> int:
    from app.core.organize.rules_io import RulesFileError
    from app.jobs.organize import apply, preview, rule_set

    missing = [p for p in args.paths if not os.path.isdir(p)]
    for p in missing:
        error(f"{p}: no such folder")
    if missing:
        return EXIT_USAGE
    if args.dest and os.path.lexists(os.path.expanduser(args.dest)) and \
            not os.path.isdir(os.path.expanduser(args.dest)):
        error(f"--dest {args.dest}: not a folder (give the folder files are sorted into)")
        return EXIT_USAGE
    with job("nothing more was changed.", args.quiet or args.format == "json") as j:
        db, progress, line = j
        try:
            chosen = rule_set(db, args.preset, args.rules)
        except (KeyError, LookupError, RulesFileError) as exc:
            print(f"fileorganizer: error: {str(exc).strip(chr(34) + chr(39))}", file=sys.stderr)
            return EXIT_USAGE
        dest = args.dest or chosen.default_dest
        if not args.dest and chosen.default_dest:
            _say_default_dest(args.preset, chosen.default_dest)
        for rule in _rules_outside(chosen.rules, args.paths):
            print(f"note: rule {rule.name!r} was skipped: it applies only to "
                  f"{', '.join(rule.folders)} (its 'folders'), not to {', '.join(args.paths)}",
                  file=sys.stderr)
        pv = preview(db, args.paths, chosen.rules, dest=dest, progress=progress,
                     exclude=args.exclude, include_hidden=args.include_hidden,
                     title=f"organize {', '.join(args.paths)} ({chosen.source})")
        line.clear()
        run = None
        if args.apply and pv.plan.operations:
            if args.format == "text":   # the operations were listed by the preview
                _print_summary(pv, apply=True)
            run = apply(db, pv, progress)
    for path, reason in pv.errors:       # folders that could not be read, template problems
        print(f"error: {_show(path)}: {reason}", file=sys.stderr)
    if args.format == "json":
        _print_json(pv, run)
    elif run is None:
        _print_text(pv, apply=args.apply)
        if args.apply:
            print("Nothing to do.")
    if run is not None:
        for path, reason in run.problems:
            print(f"error: {_show(path)}: {reason}", file=sys.stderr)
        if args.format == "text":
            print(f"{files_and_folders(run.records)} done ({human_bytes(run.bytes_done)}), "
                  f"{run.skipped:,} skipped, {run.failed:,} failed"
                  + (" (cancelled)" if run.cancelled else "")
                  + (f". Undo with: fileorganizer undo {run.entry_id}" if run.entry_id and run.done
                     else "."))
        if run.failed or run.skipped:
            return EXIT_ERRORS
    return EXIT_ERRORS if pv.errors else EXIT_OK
