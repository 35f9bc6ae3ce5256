"""The acting part of `fileorganizer dupes`: --action, --keep, --to, --dry-run, --yes.

Finding stays in ``dupes.py``; this module turns the groups into a plan, shows it,
asks (on a terminal, without --yes), and runs it through the journaled executor.
"""

from __future__ import annotations

import argparse
import sys

from app.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE
from app.cli.console import count_noun, human_bytes, job
from app.cli.words import files_and_folders
from app.core.dedup.keep import DEFAULT_POLICY, POLICIES, parse_policy


def _policy(text: str) -> tuple[str, ...]:
    try:
        return parse_policy(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_action_arguments(parser: argparse.ArgumentParser) -> None:
    """Options that make `dupes` act on what it found."""
    g = parser.add_argument_group("acting on duplicates (journaled; `fileorganizer undo` reverses it)")
    g.add_argument("--action", choices=("trash", "hardlink", "symlink", "move", "delete"),
                   help="what to do with every copy but the kept one (default trash when --keep is given; "
                        "delete is permanent and needs --yes)")
    g.add_argument("--keep", type=_policy, metavar="POLICY",
                   help=f"which copy stays: {', '.join(POLICIES)}; a comma list breaks ties in order "
                        f"(default {','.join(DEFAULT_POLICY)})")
    g.add_argument("--to", metavar="DIR", help="destination folder for --action move")
    g.add_argument("--allow-different-owners", action="store_true",
                   help="with --action hardlink, also link copies whose owner, group or permissions "
                        "differ from the kept file's (by default they are skipped and reported: a link "
                        "would let others read them or take them from their owner)")
    g.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
    g.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def wants_action(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "action", None) or getattr(args, "keep", None))


def _show(path: str) -> str:
    return path.encode("utf-8", "backslashreplace").decode("utf-8")


def describe(action: str, count: int, nbytes: int, to: str | None = None) -> str:
    """What the action does, as the rest of a sentence after "Would ..." or as a question:
    'move 385 duplicate files (1.2 GiB) to the trash'."""
    files = f"{count_noun(count, 'duplicate file')} ({human_bytes(nbytes)})"
    links = "a {} link to the kept copy" if count == 1 else "{} links to the kept copies"
    return {"trash": f"move {files} to the trash",
            "hardlink": f"replace {files} with {links.format('hard')}",
            "symlink": f"replace {files} with {links.format('symbolic')}",
            "move": f"move {files} to {_show(to or '')}",
            "delete": f"PERMANENTLY delete {files}"}[action]


def _held_back(ops) -> dict[str, str]:
    """For the preview: the copies the executor will not hard-link (owner, group or mode differ
    from the kept file's), with the reason; it checks again when it acts."""
    import os

    from app.core.ops.execute import access_differs

    held = {}
    for op in ops:
        try:
            why = access_differs(os.lstat(op.src), os.lstat(op.keep or op.src))
        except OSError:
            continue
        if why:
            held[op.src] = why.split(";")[0]
    return held


def act(args: argparse.Namespace, result) -> int:
    """Plan, confirm and execute the chosen action on `result.groups`; returns the exit code."""
    from app.jobs.act_duplicates import act_on_duplicates, plan_actions

    action = args.action or "trash"
    if action == "delete" and not args.yes and not args.dry_run:
        print("fileorganizer: error: --action delete removes files permanently; add --yes to confirm "
              "(or use the default, --action trash)", file=sys.stderr)
        return EXIT_USAGE
    if action == "move" and not args.to:
        print("fileorganizer: error: --action move needs --to DIR", file=sys.stderr)
        return EXIT_USAGE
    planned = plan_actions(result.groups, action, args.keep or DEFAULT_POLICY, args.paths, args.to,
                           allow_different_owners=args.allow_different_owners)
    ops = planned.plan.operations
    what = describe(action, len(ops), planned.bytes, args.to)
    held = _held_back(ops) if action == "hardlink" and not args.allow_different_owners else {}
    if args.dry_run or (not args.yes and sys.stdin.isatty()):
        for op in ops:
            print(f"{action}: {_show(op.src)}" + (f" -> {_show(op.dst)}" if op.dst else "")
                  + f"  (keeps {_show(op.keep or '')})"
                  + (f"  [will be skipped: {held[op.src]}]" if op.src in held else ""))
    if not ops:
        print("No duplicates to act on.")
        return EXIT_OK
    if args.dry_run:
        which = ("it" if len(ops) == 1 else "all of them" if len(held) == len(ops)
                 else f"{len(held):,} of them")
        print(f"Would {what}" + (f"; {which} will be skipped "
                                 "(owner, group or permissions differ from the kept copy's; "
                                 "--allow-different-owners links them)" if held else "")
              + ". Nothing was changed (dry run).")
        return EXIT_OK
    if not args.yes:
        if not sys.stdin.isatty():
            print(f"fileorganizer: would {what}; add --yes to do it without a terminal", file=sys.stderr)
            return EXIT_USAGE
        answer = input(f"{what[0].upper()}{what[1:]}. Proceed? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("Nothing was changed.")
            return EXIT_OK
    # the executor stops between two files at Ctrl+C and reports it (run.cancelled)
    with job("nothing more was changed.", args.quiet) as j:
        run = act_on_duplicates(j.db, planned.plan, j.progress)
    for path, reason in run.problems:
        print(f"error: {_show(path)}: {reason}", file=sys.stderr)
    print(f"{files_and_folders(run.records)} done ({human_bytes(run.bytes_done)}), {run.skipped:,} skipped, "
          f"{run.failed:,} failed" + (" (cancelled)" if run.cancelled else "")
          + (f". Undo with: fileorganizer undo {run.entry_id}" if run.entry_id and run.done else "."))
    return EXIT_ERRORS if run.failed or run.skipped else EXIT_OK
