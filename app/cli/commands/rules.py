"""`fileorganizer rules list|export FILE|import FILE`: the saved organizer rules."""

from __future__ import annotations

import argparse
import sys

from app.cli import EXIT_OK, EXIT_USAGE


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("rules", help="list, export or import the saved organizer rules",
                              description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="show the saved rules in order")
    ls.add_argument("--format", choices=("text", "json", "toml"), default="text")
    ex = sub.add_parser("export", help="write the saved rules to FILE (.toml or .json)")
    ex.add_argument("file", metavar="FILE")
    im = sub.add_parser("import", help="add the rules of FILE (.toml or .json) to the saved ones")
    im.add_argument("file", metavar="FILE")
    im.add_argument("--replace", action="store_true", help="delete saved rules not in FILE")
    p.set_defaults(func=handler)


def _describe(rule) -> str:
    conds = f" {rule.match} of: " + "; ".join(
        c.type + " " + ", ".join(f"{k}={v}" for k, v in c.options.items()) for c in rule.conditions
    ) if rule.conditions else " every file"
    acts = ", ".join(a.type + "".join(f" {v}" for v in a.options.values()) for a in rule.actions)
    flags = [] if rule.enabled else ["disabled"]
    if rule.continue_:
        flags.append("continue")
    if rule.remove_empty_folders:
        flags.append("remove empty folders")
    where = f" in {', '.join(rule.folders)}" + ("" if rule.subfolders else " (no subfolders)") \
        if rule.folders else ""
    return (f"{rule.name}{where}:{conds} -> {acts} (conflict {rule.conflict}"
            + "".join(f", {f}" for f in flags) + ")")


def handler(args: argparse.Namespace) -> int:
    from app.core.rules import RuleError
    from app.core.rules_io import RulesFileError, dumps
    from app.jobs.organize import export_rules, import_rules, saved_rules
    from app.store.db import open_database

    db = open_database()
    try:
        if args.rules_command == "list":
            rules = saved_rules(db)
            if args.format != "text":
                sys.stdout.write(dumps(rules, args.format))
            elif not rules:
                print("No saved rules. Import some with `fileorganizer rules import FILE`.")
            for i, rule in enumerate(rules if args.format == "text" else []):
                print(f"{i + 1}. {_describe(rule)}")
            return EXIT_OK
        if args.rules_command == "export":
            try:
                n = export_rules(db, args.file)
            except (RulesFileError, OSError, ValueError) as exc:
                print(f"fileorganizer: error: {exc}", file=sys.stderr)
                return EXIT_USAGE
            print(f"Exported {n} rule(s) to {args.file}.")
            return EXIT_OK
        try:
            n = import_rules(db, args.file, replace=args.replace)
        except (RulesFileError, RuleError) as exc:
            print(f"fileorganizer: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        print(f"Imported {n} rule(s) from {args.file}.")
        return EXIT_OK
    finally:
        db.close()
